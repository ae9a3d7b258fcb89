/**
 * A proposal filed at the door keeps its household, and each step of its timeline says where it was taken.
 *
 * A grid worker, offline for real at the door (browser offline and relay sockets refused), files a proposal
 * from a household's visit: the form's household picker starts on that household, and the proposal page names
 * the household and the grid worker who recorded it. Back online, a facilitator sees the household on the
 * screening card, accepts the proposal at a meeting, and the timeline says so (渠道：议事会议), not 手机应用.
 * All at 360 px.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp, connection, pending } from './app-page';
import { newAppContext, openAppPage, relayLink, startApp, stopApp, waitForServiceWorker, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinInBrowser, joinWith } from './invite';

const GRID = 'g1';
const WORKER = '王海涛';

describe('a door proposal keeps its household; steps keep their channel', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let workerContext: BrowserContext;
	let worker: Page;
	let link: RelayLink;
	let household = '';
	let doc = '';
	const title = `楼下路灯不亮 ${Date.now().toString(36)}`;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		workerContext = await newAppContext(browser);
		link = await relayLink(workerContext);
		worker = await workerContext.newPage();
		await worker.setViewportSize({ width: 360, height: 740 });
	});

	afterAll(() => stopApp(browser, relay));

	it('the grid worker joins and has the register', async () => {
		await joinInBrowser(worker, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), WORKER);
		await worker.getByTestId('join-start').click();
		await waitForServiceWorker(worker);
		await expect.poll(() => caughtUp(worker), { timeout: 20_000 }).toBe(true);
		await worker.goto(`${relay.url}/households?grid=${GRID}`);
		const row = worker.locator('[data-testid=household-row][data-status=none]').first();
		await row.waitFor({ timeout: 15_000 });
		household = (await row.getAttribute('data-id'))!;
	});

	it('offline at the door, the form starts on the visited household', async () => {
		// Relay refused first (the app's reconnect attempts are counted), then the browser offline too.
		await link.cut();
		await expect.poll(() => link.blocked, { timeout: 20_000 }).toBeGreaterThan(0);
		await workerContext.setOffline(true);
		await expect.poll(() => connection(worker), { timeout: 10_000 }).toBe('offline');
		expect(link.isCut).toBe(true);

		await worker.locator(`[data-testid=household-row][data-id="${household}"]`).click();
		await worker.getByTestId('outcome-talked').check();
		await worker.getByTestId('file-proposal').click();
		await expect.poll(() => new URL(worker.url()).pathname).toBe('/proposals/new');
		const [building, unit, room] = household.split('-') as [string, string, string];
		await expect.poll(() => worker.getByTestId('prefilled-household').innerText()).toContain(`${unit}单元 ${room}`);

		// The picker shows the same household, not 请选择楼栋.
		await expect.poll(() => worker.getByTestId('pick-building').inputValue(), { timeout: 10_000 }).toBe(building);
		expect(await worker.locator('[data-testid=pick-room][aria-pressed=true]').getAttribute('data-household')).toBe(household);
		expect(await worker.getByTestId('picked-household').innerText()).toContain(`${unit}单元 ${room}`);
		// Nothing runs off a 360 px screen.
		expect(await worker.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

		await worker.getByTestId('field-title').fill(title);
		await worker.getByTestId('field-description').fill('入户走访时居民反映，楼下两盏路灯坏了一个多月。');
		await worker.getByTestId('category-safety').check();
		await worker.getByTestId('submit').click();
		await expect.poll(() => new URL(worker.url()).pathname).toBe('/proposal');
		doc = new URL(worker.url()).searchParams.get('doc')!;
	});

	it('the proposal page names the household and who recorded it at the door', async () => {
		const [, unit, room] = household.split('-') as [string, string, string];
		await expect.poll(() => worker.getByTestId('proposer-household').innerText()).toMatch(new RegExp(`${unit}单元 ${room} 住户`));
		const recorder = await worker.getByTestId('proposer-recorder').innerText();
		expect(recorder).toContain(WORKER);
		expect(recorder).toContain('网格员');
		expect(recorder).toContain('入户走访');
		expect(await worker.locator('[data-testid=timeline-event][data-type=created]').innerText()).toContain('渠道：入户走访');
		expect(await connection(worker)).not.toBe('online');

		link.restore();
		await workerContext.setOffline(false);
		await expect.poll(() => pending(worker), { timeout: 15_000 }).toBe(0);
	});

	it('the facilitator sees the household on the screening card and accepts it at a meeting', async () => {
		const { context, page } = await openAppPage(browser);
		await page.setViewportSize({ width: 360, height: 740 });
		await joinWith(page, await relay.invite({ role: 'facilitator', community: DEMO }), '李社工');

		await page.goto(`${relay.url}/screening`);
		const card = page.locator(`[data-testid=screening-item][data-doc="${doc}"]`);
		await card.waitFor({ timeout: 20_000 });
		const [, unit, room] = household.split('-') as [string, string, string];
		const proposer = await card.getByTestId('screening-proposer').innerText();
		expect(proposer).toContain(`${unit}单元 ${room} 住户`);
		expect(proposer).toContain(WORKER);

		await card.getByTestId('decide').click();
		await card.getByTestId('decide-accepted').click();
		// Accepting is an app step by default; this one was taken at the meeting.
		expect(await card.getByTestId('step-channel').inputValue()).toBe('app');
		await card.getByTestId('step-channel').selectOption('meeting');
		await card.getByTestId('decide-confirm').click();
		// Saved on this device (the card leaves the queue) before the page is left: a navigation at once could
		// abort the write that was still on its way to IndexedDB.
		await page.getByTestId('screening-done').waitFor();
		await expect.poll(() => card.count()).toBe(0);

		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(doc)}`);
		const accepted = page.locator('[data-testid=timeline-event][data-type=transition][data-to=accepted]');
		await accepted.waitFor({ timeout: 15_000 });
		expect(await accepted.innerText()).toContain('渠道：议事会议');
		expect(await page.locator('[data-testid=timeline-event][data-type=created]').innerText()).toContain('渠道：入户走访');
		expect(await page.getByTestId('proposer-household').innerText()).toContain(`${unit}单元 ${room} 住户`);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
		await context.close();
	});
});
