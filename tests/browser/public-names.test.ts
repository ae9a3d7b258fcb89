/**
 * Public pages show co-signers and raters as they chose, not by their full names (issue 12, item 11).
 *
 * 王桂兰, a resident of 3栋, picks 3栋王阿姨 in her settings, then — offline for real — co-signs a joint proposal.
 * Back online, a neighbour from 9栋 sees 3栋王阿姨 and never her name; the demo's co-signers and the residents who
 * rated a finished project, who never chose, show as 匿名住户; her own rating of another project, where she chose
 * her full name, shows it. A facilitator still sees every name. At 360 px.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, pending } from './app-page';
import { startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { bootstrapLink, DEMO, type Device, joinDevice } from './invite';

const PROPOSAL = `${DEMO}:proposal:roof-leak`;
const PROJECT = `${DEMO}:project:stair-seats`;
/** Accepted, so residents rate it. */
const RATED = `${DEMO}:project:bin-kiosk`;
const WANG = '王桂兰';

const texts = (page: Page, testid: string) => page.getByTestId(testid).allInnerTexts();
const narrow = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

describe('co-signers and raters appear to other residents as they chose', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let wang: Device;
	let staff: Device;
	let neighbour: Device;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('a resident chooses in settings how her name appears: 3栋王家 by default, 3栋王阿姨 as she picks', async () => {
		wang = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household: 'b03-1-101' }), WANG);
		const page = wang.page;
		await page.setViewportSize({ width: 360, height: 740 });
		await waitForServiceWorker(page);
		await page.goto(`${relay.url}/settings`);
		const section = page.getByTestId('public-name-settings');
		await expect.poll(() => section.getByTestId('name-choice').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
		// Privacy first: the default is building and surname, not the full name.
		expect(await section.getByTestId('name-choice').getAttribute('data-display')).toBe('building');
		expect(await section.getByTestId('name-display-building').isChecked()).toBe(true);
		await expect.poll(() => section.getByTestId('name-choice').innerText()).toContain('3栋王家');
		await section.getByTestId('name-appellation').selectOption('阿姨');
		await section.getByTestId('name-choice-saved').waitFor();
		expect(await section.getByTestId('name-choice').innerText()).toContain('3栋王阿姨');
		await narrow(page);
	});

	it('offline, she co-signs a joint proposal under that name', async () => {
		const page = wang.page;
		await wang.link.cut();
		await expect.poll(() => wang.link.blocked, { timeout: 20_000 }).toBeGreaterThan(0);
		await wang.context.setOffline(true);
		await expect.poll(() => connection(page), { timeout: 10_000 }).toBe('offline');
		expect(wang.link.isCut).toBe(true);

		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(PROPOSAL)}`);
		const cosign = page.getByTestId('cosign');
		await cosign.waitFor({ timeout: 15_000 });
		// The device's choice is offered, and can still be changed here.
		const choice = cosign.getByTestId('name-choice');
		await expect.poll(() => choice.getAttribute('data-ready')).toBe('true');
		await expect.poll(() => choice.innerText()).toContain('3栋王阿姨');
		await narrow(page);
		await cosign.getByTestId('cosign-own').click();
		await cosign.getByTestId('cosigned').waitFor();
		// Her own household sees her name.
		expect(await texts(page, 'cosigner-name')).toContain(WANG);

		wang.link.restore();
		await wang.context.setOffline(false);
		await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
	});

	it('rating a finished project, she shows her full name this time', async () => {
		const page = wang.page;
		await page.goto(`${relay.url}/project?doc=${encodeURIComponent(RATED)}&tab=satisfaction`);
		const form = page.getByTestId('rating-form');
		await form.waitFor({ timeout: 20_000 });
		await expect.poll(() => form.getByTestId('name-choice').getAttribute('data-ready')).toBe('true');
		expect(await form.getByTestId('name-choice').innerText()).toContain('3栋王阿姨');
		await form.getByTestId('name-display-full').check();
		await form.getByTestId('score-4').check();
		await form.getByTestId('rating-submit').click();
		await page.getByTestId('rating-saved').waitFor();
		await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
		await narrow(page);
	});

	let cosignerNames: string[] = [];
	let raterLines: string[] = [];

	it('a facilitator sees every co-signer and rater by name', async () => {
		staff = await joinDevice(browser, bootstrapLink(relay, 'facilitator'), '周敏');
		const page = staff.page;
		await page.setViewportSize({ width: 360, height: 740 });
		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(PROPOSAL)}`);
		await expect.poll(() => texts(page, 'cosigner-name'), { timeout: 20_000 }).toContain(WANG);
		cosignerNames = (await texts(page, 'cosigner-name')).map((n) => n.trim());
		// The demo's co-signers, recorded at the door, plus her.
		expect(cosignerNames.length).toBeGreaterThanOrEqual(4);

		await page.goto(`${relay.url}/project?doc=${encodeURIComponent(PROJECT)}&tab=satisfaction`);
		await expect.poll(async () => (await texts(page, 'rater-name')).length, { timeout: 20_000 }).toBeGreaterThan(0);
		raterLines = (await texts(page, 'rater-name')).filter((l) => l.includes('居民'));
		expect(raterLines.length).toBeGreaterThan(0);
		expect(raterLines.some((l) => l.includes('匿名住户'))).toBe(false);
	});

	it('a neighbour sees 3栋王阿姨 and 匿名住户, and a full name only where it was chosen', async () => {
		neighbour = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household: 'b09-1-101' }), '赵大爷');
		const page = neighbour.page;
		await page.setViewportSize({ width: 360, height: 740 });
		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(PROPOSAL)}`);
		await expect.poll(() => texts(page, 'cosigner-name'), { timeout: 20_000 }).toContain('3栋王阿姨');
		const shown = (await texts(page, 'cosigner-name')).map((n) => n.trim());
		expect(shown.length).toBe(cosignerNames.length);
		// The demo's co-signers never chose: anonymous.
		expect(shown.filter((n) => n !== '3栋王阿姨').every((n) => n === '匿名住户')).toBe(true);
		// Neither in the list nor in the timeline's co-signature steps.
		const cosigned = await page.locator('[data-testid=timeline-event][data-type=cosigned]').allInnerTexts();
		expect(cosigned).toEqual(expect.arrayContaining([expect.stringContaining('3栋王阿姨')]));
		const seen = [await page.getByTestId('cosign').innerText(), ...cosigned].join('\n');
		for (const name of cosignerNames) expect(seen).not.toContain(name);
		await narrow(page);

		await page.goto(`${relay.url}/project?doc=${encodeURIComponent(PROJECT)}&tab=satisfaction`);
		await expect.poll(async () => (await texts(page, 'rater-name')).length, { timeout: 20_000 }).toBeGreaterThan(0);
		const lines = (await texts(page, 'rater-name')).filter((l) => l.includes('居民'));
		expect(lines.length).toBe(raterLines.length);
		expect(lines.every((l) => l.includes('匿名住户'))).toBe(true);
		const names = raterLines.map((l) => l.split('（')[0]!.trim());
		const ratings = (await page.getByTestId('rating').allInnerTexts()).join('\n');
		for (const name of names) expect(ratings).not.toContain(name);

		// Her rating of the other project, where she chose her full name.
		await page.goto(`${relay.url}/project?doc=${encodeURIComponent(RATED)}&tab=satisfaction`);
		await expect.poll(() => texts(page, 'rater-name'), { timeout: 20_000 }).toEqual(expect.arrayContaining([expect.stringContaining(WANG)]));
		await narrow(page);
	});
});
