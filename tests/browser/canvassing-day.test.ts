/**
 * Acceptance story 1, a canvassing day (product design §6), in real Chromium against the real relay:
 * a grid worker's installed app loses the network (setOffline plus every relay socket cut, and both asserted),
 * visits 30 households recording needs, files 3 proposals for residents (one with a photo), records 20 household
 * ballots on the open community poll, closes the app and reopens it offline — all still there — and comes back
 * online: without a tap, everything reaches a facilitator's device, the photo included.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { buildDemo } from '../../server/demo/seed';
import { readBallots } from '../../src/lib/schema/ballots-doc';
import type { Household } from '../../src/lib/schema/households-doc';
import { pngImage } from '../factories/images';
import { caughtUp } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitForServiceWorker, waitUntil, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinInBrowser } from './invite';

// The demo's third grid: barely canvassed this month, so a day's round finds plenty of doors.
const GRID = 'g3';
const POLL = 'pavilion-vote';
const pollUrl = (relay: RelayHandle) => `${relay.url}/poll?doc=${encodeURIComponent(`${DEMO}:poll:${POLL}`)}`;

const pending = async (page: Page) => Number((await page.getByTestId('pending').getAttribute('data-count')) ?? NaN);

/** The coverage page's totals as they are now (the page is live: call again to see later syncs). */
async function readCoverage(page: Page) {
	const total = page.getByTestId('coverage-total');
	await total.waitFor({ timeout: 20_000 });
	return { visited: Number(await total.getAttribute('data-visited')), notHome: Number(await total.getAttribute('data-not-home')), needs: Number(await total.getAttribute('data-needs')) };
}

async function coverage(page: Page, relay: RelayHandle) {
	await page.goto(`${relay.url}/coverage?grid=${GRID}`);
	return readCoverage(page);
}

/** The status bar's "photos waiting to upload" (the proposal page shows its own count too). */
const photoUploads = (page: Page) => page.getByTestId('status-bar').getByTestId('photo-uploads');

async function participants(page: Page): Promise<number> {
	return Number(await page.getByTestId('participation-households').getAttribute('data-have'));
}

describe('acceptance story 1: a canvassing day without signal', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let workerContext: BrowserContext;
	let worker: Page;
	let link: RelayLink;
	let facilitator: Page;
	let households: Household[];
	let notYetVoted: Household[];
	const buildingName = new Map<string, string>();
	const stamp = Date.now().toString(36);
	const proposalTitles = [`楼道灯不亮 ${stamp}`, `单元门禁坏了 ${stamp}`, `花坛积水 ${stamp}`];
	const before = { visited: 0, notHome: 0, needs: 0, participants: 0 };

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		const demo = buildDemo();
		for (const b of demo.community.buildings) buildingName.set(b.id, b.name);
		households = demo.households.get(GRID) ?? [];
		const ballots = demo.docs.find((d) => d.name === `${DEMO}:ballots:${GRID}_${POLL}`)?.doc ?? new Y.Doc();
		const voted = new Set(readBallots(ballots).map((b) => b.household));
		notYetVoted = households.filter((h) => !voted.has(h.id));
		expect(notYetVoted.length).toBeGreaterThanOrEqual(20);

		const fContext = await newAppContext(browser);
		facilitator = await fContext.newPage();
		await joinInBrowser(facilitator, await relay.invite({ role: 'facilitator', community: DEMO }), '周敏');
		await facilitator.getByTestId('join-start').click();
		await waitUntil(() => caughtUp(facilitator), 30_000, "the facilitator's first sync");
		Object.assign(before, await coverage(facilitator, relay));
		await facilitator.goto(pollUrl(relay));
		await facilitator.getByTestId('participation-households').waitFor({ timeout: 20_000 });
		// The tally fills in as the page reads each grid's ballots: take it once it holds still.
		let last = -1;
		before.participants = (await waitUntil(
			async () => {
				const now = await participants(facilitator);
				const steady = now > 0 && now === last;
				last = now;
				if (!steady) await facilitator.waitForTimeout(500);
				return steady ? now : null;
			},
			20_000,
			"the facilitator's tally"
		)) as number;
	});

	afterAll(() => stopApp(browser, relay));

	it("installs the grid worker's app and takes it offline for real", async () => {
		workerContext = await newAppContext(browser);
		link = await relayLink(workerContext);
		worker = await workerContext.newPage();
		await joinInBrowser(worker, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), '刘志强');
		await worker.getByTestId('join-start').click();
		await waitForServiceWorker(worker);
		await waitUntil(() => caughtUp(worker), 30_000, "the grid worker's first sync");
		// The pages of the day must be in the app's own storage before the signal goes.
		await worker.goto(pollUrl(relay));
		await worker.getByTestId('ballot-recorder').waitFor({ timeout: 20_000 });

		await workerContext.setOffline(true);
		await link.cut();
		await waitUntil(async () => (await worker.getByTestId('status-bar').getAttribute('data-connection')) !== 'online', 10_000, 'offline');
		const connected = link.connected;
		expect(link.isCut).toBe(true);
		// Nothing reaches the relay while cut: every reconnect attempt is refused.
		await waitUntil(() => link.blocked > 0, 20_000, 'a refused reconnect');
		expect(link.connected).toBe(connected);
	});

	it('visits 30 households, recording needs, without signal', async () => {
		await worker.goto(`${relay.url}/households?grid=${GRID}`);
		await worker.getByTestId('household-row').first().waitFor({ timeout: 20_000 });
		for (let n = 0; n < 30; n++) {
			const row = worker.locator('[data-testid=household-row][data-status=none]').first();
			if ((await row.count()) === 0) {
				// This building is done: on to the next one with flats not yet visited.
				await worker.goto(`${relay.url}/households?grid=${GRID}`);
				await worker.locator('[data-testid=household-row][data-status=none]').first().waitFor({ timeout: 10_000 });
			}
			const next = worker.locator('[data-testid=household-row][data-status=none]').first();
			const id = (await next.getAttribute('data-id'))!;
			await next.click();
			await worker.getByTestId('household-card').waitFor();
			if (n % 5 === 4) {
				await worker.getByTestId('outcome-not_home').check();
			} else {
				await worker.getByTestId('outcome-talked').check();
				if (n % 2 === 0) {
					await worker.getByTestId('need-repair').check();
					await worker.getByTestId('needs-text').fill(`走访记录 ${n}：楼道扶手松动`);
				}
			}
			await worker.getByTestId('visit-save').click();
			await worker.getByTestId('visit-saved').waitFor();
			await expect.poll(() => worker.locator(`[data-testid=household-row][data-id="${id}"]`).getAttribute('data-status')).not.toBe('none');
		}
		const after = await coverage(worker, relay);
		expect(after.visited - before.visited).toBe(24);
		expect(after.notHome - before.notHome).toBe(6);
		expect(after.needs - before.needs).toBe(12);
	});

	it('files 3 proposals for residents, one with a photo', async () => {
		for (const [i, title] of proposalTitles.entries()) {
			const household = households[i + 1]!;
			await worker.goto(`${relay.url}/proposals/new?household=${encodeURIComponent(household.id)}&channel=visit`);
			await worker.getByTestId('prefilled-household').waitFor({ timeout: 10_000 });
			await worker.getByTestId('field-title').fill(title);
			await worker.getByTestId('field-description').fill(`入户走访时居民反映：${title}，希望社区协调解决。`);
			await worker.getByTestId('category-safety').check();
			if (i === 0) {
				await worker.getByTestId('photo-input').setInputFiles({ name: 'stairwell.png', mimeType: 'image/png', buffer: pngImage(1600, 1200, 7) });
				await worker.locator('[data-testid=photo-picker] [data-testid=photo-thumb]').first().waitFor();
			}
			await worker.getByTestId('submit').click();
			await expect.poll(() => worker.getByTestId('proposal-title').innerText(), { timeout: 10_000 }).toBe(title);
		}
		await expect.poll(() => photoUploads(worker).getAttribute('data-pending')).toBe('1');
	});

	it('records 20 household ballots at the door on the open poll', async () => {
		await worker.goto(pollUrl(relay));
		const recorder = worker.getByTestId('ballot-recorder');
		await recorder.waitFor({ timeout: 20_000 });
		for (const household of notYetVoted.slice(0, 20)) {
			await recorder.getByTestId('pick-building').selectOption({ label: buildingName.get(household.building)! });
			const units = recorder.getByTestId('pick-unit');
			if ((await units.count()) > 0) await units.filter({ hasText: String(household.unit) }).first().click();
			await recorder.locator(`[data-testid=pick-room][data-household="${household.id}"]`).click();
			await recorder.getByTestId('ballot-option').first().check();
			await recorder.getByTestId('ballot-submit').click();
			await recorder.getByTestId('ballot-saved').waitFor();
		}
		expect(await pending(worker)).toBeGreaterThan(0);
	});

	it('closes the app and reopens it offline with everything still there', async () => {
		const unsynced = await pending(worker);
		await worker.close();
		worker = await workerContext.newPage();
		await worker.goto(`${relay.url}/`);
		await worker.getByTestId('status-bar').waitFor();
		expect(await worker.getByTestId('status-bar').getAttribute('data-connection')).not.toBe('online');
		await expect.poll(() => pending(worker), { timeout: 10_000 }).toBe(unsynced);

		const offline = await coverage(worker, relay);
		expect(offline.visited - before.visited).toBe(24);
		await worker.goto(`${relay.url}/mine`);
		for (const title of proposalTitles) await worker.getByText(title).first().waitFor({ timeout: 10_000 });
		// A grid worker does not see a hidden poll's tally, but does see the ballots recorded for the grid.
		await worker.goto(pollUrl(relay));
		await worker.getByTestId('ballot-recorder').waitFor({ timeout: 20_000 });
		for (const h of notYetVoted.slice(0, 20)) {
			await expect.poll(() => worker.locator(`[data-testid=recorded-ballot][data-household="${h.id}"]`).count()).toBe(1);
		}
		expect(await photoUploads(worker).getAttribute('data-pending')).toBe('1');
	});

	it('back online, everything reaches the facilitator without a tap', async () => {
		await workerContext.setOffline(false);
		link.restore();
		await waitUntil(async () => (await caughtUp(worker)) && (await pending(worker)) === 0, 60_000, 'the grid worker to sync');
		await waitUntil(async () => (await photoUploads(worker).count()) === 0, 30_000, 'the photo upload');

		// The facilitator's open poll page follows live.
		await facilitator.goto(pollUrl(relay));
		await facilitator.getByTestId('participation-households').waitFor({ timeout: 20_000 });
		await expect.poll(() => participants(facilitator), { timeout: 30_000 }).toBe(before.participants + 20);
		await facilitator.goto(`${relay.url}/coverage?grid=${GRID}`);
		await expect.poll(async () => (await readCoverage(facilitator)).visited - before.visited, { timeout: 30_000 }).toBe(24);
		expect((await readCoverage(facilitator)).needs - before.needs).toBe(12);
		await facilitator.goto(`${relay.url}/search?q=${encodeURIComponent(stamp)}`);
		await expect.poll(() => facilitator.getByTestId('search-result').count(), { timeout: 30_000 }).toBe(3);
		await facilitator.getByText(proposalTitles[0]!).first().click();
		await expect
			.poll(() => facilitator.locator('[data-testid=proposal-photos] [data-testid=photo-image]').first().getAttribute('data-loaded'), { timeout: 30_000 })
			.toBe('true');
	});
});
