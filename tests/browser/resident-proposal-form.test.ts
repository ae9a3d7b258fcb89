/**
 * A resident is never offered staff intake: at 360 px and 200 % text.
 *
 * Offline for real, a resident files a proposal: the form asks no 收集渠道, even when a link says `?channel=box`;
 * submitting their draft asks no "where was this decided"; the edit form asks no channel either; the suggestion-box
 * form (意见箱录入) is not offered but points to their own form. Back online, everything they wrote syncs (the relay
 * accepts a resident's records only through the app) and the timeline says 手机应用. A grid worker, who records for
 * others, still gets the channel choice and the box form.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { caughtUp, connection, pending } from './app-page';
import { startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { DEMO, type Device, joinDevice } from './invite';

const docOf = (page: Page) => new URL(page.url()).searchParams.get('doc') ?? '';

/** The phone's large-text setting at 200 %, on every page load, and a 360 px screen. */
async function phone(page: Page) {
	await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => (document.documentElement.style.fontSize = '200%')));
	await page.setViewportSize({ width: 360, height: 740 });
}
const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe("a resident's own proposal: no channel menu, no suggestion-box form", () => {
	let relay: RelayHandle;
	let browser: Browser;
	let resident: Device;
	let doc = '';
	const title = `楼下快递柜旁加个雨棚 ${Date.now().toString(36)}`;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('offline, the new-proposal form asks a resident no channel, even from a box link', async () => {
		const household = buildDemo().households.get('g1')![0]!.id;
		resident = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household }), '刘阿姨');
		const page = resident.page;
		await phone(page);
		await waitForServiceWorker(page);
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);

		await resident.link.cut();
		await expect.poll(() => resident.link.blocked, { timeout: 20_000 }).toBeGreaterThan(0);
		await resident.context.setOffline(true);
		await expect.poll(() => connection(page), { timeout: 10_000 }).toBe('offline');

		await page.goto(`${relay.url}/proposals/new?channel=box`);
		await page.getByTestId('proposal-form').waitFor();
		expect(await page.getByTestId('field-channel').count()).toBe(0);
		expect(await page.getByTestId('field-source').count()).toBe(0);
		expect(await fits(page)).toBeLessThanOrEqual(360);

		await page.getByTestId('field-title').fill(title);
		await page.getByTestId('field-description').fill('快递柜在露天，下雨天取件全身湿透，希望加个雨棚。');
		await page.getByTestId('category-facilities').check();
		await page.getByTestId('save-draft').click();
		await expect.poll(() => new URL(page.url()).pathname).toBe('/proposal');
		doc = docOf(page);
	});

	it('submitting the draft and editing it ask no channel either', async () => {
		const page = resident.page;
		await page.getByTestId('edit').click();
		await page.getByTestId('proposal-form').waitFor();
		expect(await page.getByTestId('field-channel').count()).toBe(0);
		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(doc)}`);

		await page.getByTestId('transition-submitted').click();
		expect(await page.getByTestId('step-channel').count()).toBe(0);
		expect(await fits(page)).toBeLessThanOrEqual(360);
		await page.getByTestId('transition-confirm').click();
		await expect.poll(() => page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('submitted');
		const submitted = page.locator('[data-testid=timeline-event][data-type=transition][data-to=submitted]');
		expect(await submitted.innerText()).toContain('渠道：手机应用');
		expect(await page.locator('[data-testid=timeline-event][data-type=created]').innerText()).toContain('渠道：手机应用');
	});

	it('the suggestion-box form is not offered; it points to their own form', async () => {
		const page = resident.page;
		await page.goto(`${relay.url}/proposals/box`);
		await page.getByTestId('box-staff-only').waitFor();
		expect(await page.getByTestId('box-form').count()).toBe(0);
		expect(await page.getByTestId('link-box').count()).toBe(0);
		expect(await fits(page)).toBeLessThanOrEqual(360);
		expect(await connection(page)).toBe('offline');
	});

	it('back online, what the resident wrote is accepted by the relay', async () => {
		const page = resident.page;
		resident.link.restore();
		await resident.context.setOffline(false);
		await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(doc)}`);
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
		expect(await page.getByTestId('refusal-banner').count()).toBe(0);
		await expect.poll(() => page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('submitted');
	});

	it('a grid worker, who records for others, still chooses the channel and has the box form', async () => {
		const worker = await joinDevice(browser, await relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '王海涛');
		const page = worker.page;
		await phone(page);
		// The resident's proposal reached the relay as they filed it, through the app.
		await page.goto(`${relay.url}/proposal?doc=${encodeURIComponent(doc)}`);
		await expect.poll(() => page.getByTestId('proposal-title').innerText(), { timeout: 20_000 }).toBe(title);
		expect(await page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('submitted');
		await page.goto(`${relay.url}/proposals/new`);
		expect(await page.getByTestId('field-channel').inputValue()).toBe('visit');
		await page.goto(`${relay.url}/proposals/box`);
		await page.getByTestId('box-form').waitFor();
		expect(await page.getByTestId('box-staff-only').count()).toBe(0);
		expect(await fits(page)).toBeLessThanOrEqual(360);
	});
});
