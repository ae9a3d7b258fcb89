/**
 * A convention (公约) from draft to force, in real Chromium against the real relay with the seeded demo community,
 * on three phones at 360 px: a facilitator, a resident of building 10 and the grid worker of its grid.
 *
 * The facilitator starts building 10's convention and drafts its text in the live editor. The resident opens it,
 * loses the network for real (browser offline and every relay socket refused, both asserted), selects a passage
 * and suggests a change; the screen says it is saved, and once the network returns the suggestion reaches the
 * facilitator without a tap. The facilitator accepts it, makes the change in the text (the suggestion still finds
 * its passage), consolidates version 1 and compares it with nothing (the first), then edits and consolidates
 * version 2 and reads the difference. Version 2 goes to a household poll under the Civil Code rule; the grid worker
 * records six of the building's seven households at their doors; the facilitator closes the poll with its tally
 * and the convention is in force from today. The resident sees the version in force, its poster prints with a QR
 * code that opens the convention, and the building's page in the register names it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { cstDay } from '../../src/lib/domain/calendar';
import { pending } from './app-page';
import { startApp, stopApp, type InviteOptions, type RelayHandle } from './harness';
import { DEMO, type Device, installedDevice } from './invite';
import { fits, goOffline, goOnline, synced } from './story-kit';

const demo = buildDemo();
const BUILDING = demo.community.buildings.find((b) => b.id === 'b10')!;
const HOUSEHOLDS = [...demo.households.values()].flat().filter((h) => h.building === BUILDING.id);
const RESIDENT = HOUSEHOLDS[0]!;

/** Selects `text` inside the editor's paragraphs (as a finger would), so ProseMirror takes it as its selection. */
async function selectInEditor(page: Page, text: string): Promise<void> {
	const found = await page.evaluate((needle) => {
		const root = document.querySelector('[data-testid=convention-text]');
		if (!root) return false;
		const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const at = node.textContent?.indexOf(needle) ?? -1;
			if (at < 0) continue;
			(root as HTMLElement).focus();
			window.getSelection()?.setBaseAndExtent(node, at, node, at + needle.length);
			return true;
		}
		return false;
	}, text);
	expect(found, `"${text}" in the editor`).toBe(true);
	// ProseMirror reads the DOM selection on selectionchange.
	await page.waitForTimeout(200);
}

describe('a convention from draft to a suggestion, versions, a Civil Code ratification and its poster', () => {
	let relay: RelayHandle;
	let browser: Browser;
	const devices: Device[] = [];
	let facilitator: Device;
	let resident: Device;
	let worker: Device;
	let conventionUrl = '';
	let pollUrl = '';
	const stamp = Date.now().toString(36);
	const title = `10栋文明公约 ${stamp}`;
	const url = (path: string) => `${relay.url}${path}`;

	const device = (invite: InviteOptions, name: string): Promise<Device> => installedDevice(browser, relay, invite, name, devices);

	beforeAll(async () => {
		expect(HOUSEHOLDS.length).toBe(7);
		({ relay, browser } = await startApp({ ROOMS_START_DELAY: '0s' }));
	});

	afterAll(() => stopApp(browser, relay, devices));

	it('the facilitator starts building 10’s convention and drafts it in the live editor', async () => {
		facilitator = await device({ role: 'facilitator', community: DEMO }, '周社工');
		resident = await device({ role: 'resident', community: DEMO, household: RESIDENT.id }, RESIDENT.members[0]?.name ?? '居民');
		worker = await device({ role: 'grid_worker', community: DEMO, grids: [BUILDING.grid] }, '网格员小龙');

		const page = facilitator.page;
		await page.goto(url('/conventions'));
		// The demo's activity room convention is listed, in force.
		await page.getByTestId('convention-link').first().waitFor({ timeout: 30_000 });
		const form = page.getByTestId('convention-new');
		await form.getByTestId('convention-title').fill(title);
		await form.getByTestId('convention-building').selectOption(BUILDING.id);
		await form.locator('textarea').fill('一、楼道内不堆放杂物，电动车不进楼道充电。');
		await fits(page, 'the conventions list');
		await form.getByTestId('convention-create').click();
		await page.waitForURL(/\/convention\?doc=/);
		conventionUrl = page.url().replace(relay.url, '');
		await expect.poll(() => page.getByTestId('convention-editor').getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
		expect(await page.getByTestId('convention-stage').getAttribute('data-stage')).toBe('drafting');
		const text = page.getByTestId('convention-text');
		await text.click();
		await page.keyboard.press('End');
		await page.keyboard.press('Enter');
		await page.keyboard.type('二、晚上十点以后不大声喧哗。');
		await expect.poll(() => text.innerText()).toContain('晚上十点以后不大声喧哗');
		await fits(page, 'the convention page');
		await synced(page, 'the draft to reach the relay');
	}, 240_000);

	it('the resident, offline for real, suggests a change to a passage; it reaches the facilitator when the network returns', async () => {
		const page = resident.page;
		await page.goto(url(conventionUrl));
		await expect.poll(() => page.getByTestId('convention-text').innerText(), { timeout: 30_000 }).toContain('晚上十点以后');
		// Residents read the text; they cannot type into it.
		expect(await page.getByTestId('convention-text').getAttribute('contenteditable')).toBe('false');

		await goOffline(resident);

		await selectInEditor(page, '晚上十点');
		await page.getByTestId('suggest-start').click();
		const form = page.getByTestId('suggest-form');
		await form.waitFor();
		expect(await form.getByTestId('suggest-quote').innerText()).toBe('晚上十点');
		await form.getByTestId('suggest-replacement').fill('晚上九点半');
		await form.getByTestId('suggest-comment').fill('楼里老人多，九点半就休息了。');
		await form.getByTestId('suggest-submit').click();
		await page.getByTestId('suggest-saved').waitFor();
		expect(await pending(page)).toBeGreaterThan(0);
		await fits(page, 'the suggestion form');

		await goOnline(resident);
		await synced(page, 'the suggestion to reach the relay');

		const suggestion = facilitator.page.getByTestId('suggestion').first();
		await suggestion.waitFor({ timeout: 30_000 });
		expect(await suggestion.innerText()).toContain('晚上九点半');
		expect(await suggestion.getAttribute('data-verdict')).toBe('pending');
	}, 240_000);

	it('the facilitator accepts it, changes the text, consolidates two versions and reads their difference', async () => {
		const page = facilitator.page;
		const suggestion = page.getByTestId('suggestion').first();
		await suggestion.getByTestId('suggestion-accept').click();
		await expect.poll(() => suggestion.getAttribute('data-verdict')).toBe('accepted');
		// Change the passage as suggested: the anchor follows the text.
		await selectInEditor(page, '十点');
		await page.keyboard.type('九点半');
		await expect.poll(() => page.getByTestId('convention-text').innerText()).toContain('晚上九点半以后');
		await expect.poll(() => suggestion.getByTestId('suggestion-now').innerText()).toContain('晚上九点半');

		await page.getByTestId('consolidate-note').fill('采纳居民意见');
		await page.getByTestId('consolidate-submit').click();
		await page.locator('[data-testid=version][data-n="1"]').waitFor();
		await page.getByTestId('convention-text').click();
		await page.keyboard.press('Control+End');
		await page.keyboard.press('Enter');
		await page.keyboard.type('三、公共区域的绿植轮流浇水。');
		await page.getByTestId('consolidate-submit').click();
		const v2 = page.locator('[data-testid=version][data-n="2"]');
		await v2.waitFor();
		await v2.getByTestId('version-diff-toggle').click();
		await v2.getByTestId('version-diff').waitFor();
		expect(await v2.locator('ins').allInnerTexts()).toContain('\n三、公共区域的绿植轮流浇水。');
		expect(await v2.getByTestId('version-diff-size').innerText()).toContain('增加');
		await fits(page, 'versions with a difference');
		await synced(page, 'the versions to reach the relay');
	}, 240_000);

	it('version 2 goes to a Civil Code poll; the grid worker records six households at their doors; closing it puts it in force', async () => {
		const page = facilitator.page;
		await page.getByTestId('ratify-version').selectOption('2');
		await page.getByTestId('ratify-rule-civil_code').check();
		await page.getByTestId('ratify-submit').click();
		await page.waitForURL(/\/poll\?doc=/);
		pollUrl = page.url().replace(relay.url, '');
		await page.getByTestId('poll-matter').waitFor();
		await synced(page, 'the poll to reach the relay');

		const w = worker.page;
		await w.goto(url(pollUrl));
		const recorder = w.getByTestId('ballot-recorder');
		await recorder.waitFor({ timeout: 30_000 });
		for (const h of HOUSEHOLDS.slice(0, 6)) {
			await recorder.getByTestId('pick-building').selectOption(BUILDING.id);
			if ((await recorder.getByTestId('pick-unit').count()) > 0) await recorder.getByTestId('pick-unit').nth(h.unit - 1).click();
			await recorder.locator(`[data-testid=pick-room][data-household="${h.id}"]`).click();
			await recorder.getByTestId('ballot-option').first().check();
			await recorder.getByTestId('ballot-submit').click();
			await recorder.getByTestId('ballot-saved').waitFor();
		}
		await synced(w, 'the door ballots to reach the relay');

		const tally = page.getByTestId('tally');
		await expect.poll(() => tally.locator('[data-option=yes]').getAttribute('data-votes'), { timeout: 30_000 }).toBe('6');
		await page.getByTestId('close-start').click();
		await page.getByTestId('outcome-text').fill('10栋表决通过，公约第2版生效。');
		await page.getByTestId('close-submit').click();
		await page.getByTestId('close-confirm-text').waitFor();
		await page.getByTestId('close-submit').click();
		await page.getByTestId('poll-outcome').waitFor();
		await synced(page, 'the closing to reach the relay');

		await page.goto(url(conventionUrl));
		await expect.poll(() => page.getByTestId('convention-stage').getAttribute('data-stage'), { timeout: 30_000 }).toBe('in_force');
		expect(await page.getByTestId('in-force').innerText()).toContain(`现行第2版，${cstDay(Date.now())}起生效`);
	}, 300_000);

	it('the resident sees the version in force, and its poster prints with a QR code to the convention', async () => {
		const page = resident.page;
		await page.goto(url(conventionUrl));
		const inForce = page.getByTestId('in-force');
		await expect.poll(() => inForce.innerText(), { timeout: 30_000 }).toContain('现行第2版');
		expect(await page.getByTestId('in-force-text').innerText()).toContain('晚上九点半以后不大声喧哗');
		await page.getByTestId('convention-print').click();
		const poster = page.getByTestId('poster');
		await poster.waitFor();
		expect(await poster.getAttribute('data-link')).toBe(`${relay.url}${conventionUrl}`);
		expect(await poster.innerText()).toContain('三、公共区域的绿植轮流浇水。');
		await expect.poll(() => poster.locator('svg').count(), { timeout: 15_000 }).toBeGreaterThan(0);
		await fits(page, 'the poster');

		// The building's page in the grid worker's register names its convention in force.
		const w = worker.page;
		await w.goto(url(`/households?grid=${BUILDING.grid}&building=${BUILDING.id}`));
		const line = w.locator(`[data-testid=building][data-building=${BUILDING.id}] [data-testid=building-convention]`);
		await expect.poll(() => line.innerText(), { timeout: 30_000 }).toContain('现行第2版');
		expect(await line.getAttribute('href')).toBe(conventionUrl);
	}, 120_000);
});
