/**
 * A merge shows on both sides, at 360 px.
 *
 * Resident A files a joint proposal; resident B files the same matter again; resident C co-signs and supports B's.
 * A facilitator, offline for real (relay sockets refused and the browser offline), merges B's proposal into A's
 * from the screening queue. Still offline, A's proposal lists the merged one with its household (the address, for
 * staff), counts B's household and C's co-signature and support with its own, and its timeline shows the merge;
 * B's proposal says where it went, with a link. Back online, A sees the same without B's address, and B follows
 * the link from their proposal to A's, where their own address is shown to them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { caughtUp, connection, pending } from './app-page';
import { startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { DEMO, type Device, joinDevice } from './invite';

const proposalUrl = (relay: RelayHandle, doc: string) => `${relay.url}/proposal?doc=${encodeURIComponent(doc)}`;
const docOf = (page: Page) => new URL(page.url()).searchParams.get('doc') ?? '';
const narrow = (page: Page) => page.setViewportSize({ width: 360, height: 740 });
const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
/** "b03-1-401" → "1单元 401", as the household label reads. */
const flat = (household: string) => {
	const [, unit, room] = household.split('-') as [string, string, string];
	return `${unit}单元 ${room}`;
};

describe('merging carries households, support and history across, visibly on both sides', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let a: Device;
	let b: Device;
	let c: Device;
	let facilitator: Device;
	let hA = '';
	let hB = '';
	let hC = '';
	let target = '';
	let merged = '';
	const stamp = Date.now().toString(36);
	const targetTitle = `3栋北门门禁损坏需要维修 ${stamp}`;
	const mergedTitle = `3栋北门门禁坏了请维修 ${stamp}`;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		const households = buildDemo().households.get('g1') ?? [];
		[hA, hB, hC] = households.map((h) => h.id) as [string, string, string];
		expect(new Set([hA, hB, hC]).size).toBe(3);
	});

	afterAll(() => stopApp(browser, relay));

	async function file(device: Device, title: string): Promise<string> {
		const page = device.page;
		await page.goto(`${relay.url}/proposals/new`);
		await page.getByTestId('field-title').fill(title);
		await page.getByTestId('field-description').fill('3栋北门的门禁坏了两个多月，陌生人随便进出，晚上不安全，请尽快维修或更换。');
		await page.getByTestId('category-safety').check();
		await page.getByTestId('kind-joint').check();
		await page.getByTestId('submit').click();
		await page.getByTestId('proposal-detail').waitFor();
		return docOf(page);
	}

	it('A files a proposal; B files the same matter again; C co-signs and supports B\'s', async () => {
		a = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household: hA }), '刘阿姨');
		b = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household: hB }), '张大爷');
		c = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household: hC }), '王师傅');
		for (const d of [a, b, c]) await narrow(d.page);
		target = await file(a, targetTitle);
		merged = await file(b, mergedTitle);
		expect(merged).not.toBe(target);
		await expect.poll(() => pending(b.page), { timeout: 15_000 }).toBe(0);

		await c.page.goto(proposalUrl(relay, merged));
		await c.page.getByTestId('cosign-own').click({ timeout: 20_000 });
		await c.page.getByTestId('cosigned').waitFor();
		await c.page.getByTestId('support-button').click();
		await c.page.getByTestId('supported').waitFor();
		await expect.poll(() => pending(c.page), { timeout: 15_000 }).toBe(0);
		await expect.poll(() => pending(a.page), { timeout: 15_000 }).toBe(0);
	});

	it('offline, a facilitator merges B\'s proposal into A\'s from the screening queue', async () => {
		facilitator = await joinDevice(browser, await relay.invite({ role: 'facilitator', community: DEMO }), '周敏');
		const page = facilitator.page;
		await narrow(page);
		await waitForServiceWorker(page);
		await page.goto(`${relay.url}/screening`);
		const card = page.locator(`[data-testid=screening-item][data-doc="${merged}"]`);
		await card.waitFor({ timeout: 20_000 });
		// Everything the merge needs is on the device: C's co-signature and support arrived.
		await page.goto(proposalUrl(relay, merged));
		await expect.poll(() => page.getByTestId('support-count').getAttribute('data-count'), { timeout: 20_000 }).toBe('1');
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);

		// Offline for real: the relay's sockets refused (and attempts counted), then the browser offline.
		await facilitator.link.cut();
		await expect.poll(() => facilitator.link.blocked, { timeout: 20_000 }).toBeGreaterThan(0);
		await facilitator.context.setOffline(true);
		await expect.poll(() => connection(page), { timeout: 10_000 }).toBe('offline');
		expect(facilitator.link.isCut).toBe(true);

		await page.goto(`${relay.url}/screening`);
		await card.waitFor({ timeout: 20_000 });
		await card.getByTestId('decide').click();
		await card.getByTestId('decide-merged').click();
		await card.locator(`[data-testid=merge-target][value="${target}"]`).check();
		await card.getByTestId('decide-confirm').click();
		await expect.poll(() => card.count()).toBe(0);
		expect(await connection(page)).toBe('offline');
	});

	it("still offline, the target lists the merged proposal and counts its households; both timelines show the merge", async () => {
		const page = facilitator.page;
		await page.goto(proposalUrl(relay, target));
		const source = page.locator(`[data-testid=merged-source][data-doc="${merged}"]`);
		await source.waitFor({ timeout: 15_000 });
		expect(await source.getByTestId('merged-source-link').innerText()).toBe(mergedTitle);
		// Staff see whose household filed it.
		expect(await source.getByTestId('proposer-household').innerText()).toContain(`${flat(hB)} 住户`);
		expect(await source.getByTestId('merged-source-counts').innerText()).toContain('1 户联名');
		// B's household and C's co-signature count here; C's support too.
		await expect.poll(() => page.getByTestId('cosign-progress').getAttribute('data-have')).toBe('2');
		expect(await page.getByTestId('cosigner-merged').count()).toBe(2);
		expect(await page.getByTestId('support-count').getAttribute('data-count')).toBe('1');
		const event = page.locator('[data-testid=timeline-event][data-type=merged_in]');
		expect(await event.innerText()).toContain(mergedTitle);
		expect(await event.getByTestId('timeline-merged-in').getAttribute('href')).toBe(`/proposal?doc=${encodeURIComponent(merged)}`);
		expect(await fits(page)).toBeLessThanOrEqual(360);

		await page.goto(proposalUrl(relay, merged));
		const into = page.getByTestId('merged-into-link');
		await expect.poll(() => into.innerText(), { timeout: 15_000 }).toBe(`已合并到《${targetTitle}》`);
		expect(await into.getAttribute('href')).toBe(`/proposal?doc=${encodeURIComponent(target)}`);
		expect(await page.locator('[data-testid=timeline-event][data-type=transition][data-to=merged]').count()).toBe(1);
		expect(await fits(page)).toBeLessThanOrEqual(360);
		expect(await connection(page)).toBe('offline');

		facilitator.link.restore();
		await facilitator.context.setOffline(false);
		await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
	});

	it("back online, A sees the merged proposal without B's address; B follows the link to A's and sees their own", async () => {
		const page = a.page;
		await page.goto(proposalUrl(relay, target));
		const source = page.locator(`[data-testid=merged-source][data-doc="${merged}"]`);
		await source.waitFor({ timeout: 20_000 });
		expect(await source.getByTestId('proposer-household').innerText()).toBe('一户居民');
		expect(await page.getByTestId('merged-sources').innerText()).not.toContain(flat(hB));
		await expect.poll(() => page.getByTestId('cosign-progress').getAttribute('data-have')).toBe('2');
		expect(await page.getByTestId('support-count').getAttribute('data-count')).toBe('1');
		expect(await page.locator('[data-testid=timeline-event][data-type=merged_in]').innerText()).toContain(mergedTitle);
		expect(await fits(page)).toBeLessThanOrEqual(360);

		const bp = b.page;
		await bp.goto(proposalUrl(relay, merged));
		const into = bp.getByTestId('merged-into-link');
		await expect.poll(() => into.innerText(), { timeout: 20_000 }).toBe(`已合并到《${targetTitle}》`);
		await into.click();
		await expect.poll(() => docOf(bp)).toBe(target);
		const own = bp.locator(`[data-testid=merged-source][data-doc="${merged}"]`);
		await own.waitFor({ timeout: 15_000 });
		expect(await own.getByTestId('proposer-household').innerText()).toContain(`${flat(hB)} 住户`);
		expect(await fits(bp)).toBeLessThanOrEqual(360);
	});
});
