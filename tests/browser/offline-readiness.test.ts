/**
 * Issue #12, item 1: when is the app safe to take offline? A grid worker joins while the service worker is still
 * caching the app (held back here). The app says it is not ready offline yet; a navigation made offline in
 * that window lands on the app's own page saying the page is not on this device yet — never on "500 Internal
 * Error" — and opens by itself once the network returns. When the app is cached and the community's documents
 * have synced, the line says 已可离线使用, and offline navigations then open the pages themselves.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAppContext, startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { DEMO, joinWith } from './invite';

const readiness = (page: Page) => page.getByTestId('offline-readiness');
const mainText = (page: Page) => page.locator('main').innerText();
/** Whether the page can reach the relay at all (the API is never answered by the service worker). */
const reachesRelay = (page: Page) =>
	page.evaluate(() =>
		fetch('/api/health', { cache: 'no-store' }).then(
			() => true,
			() => false
		)
	);

describe('knowing when the app is ready offline', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	const WORKER = '**/service-worker.js';

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		context = await newAppContext(browser);
		// The service worker cannot be fetched for now: the app is not cached, as when the network drops in the
		// first seconds on a slow phone.
		await context.route(WORKER, (route) => route.abort('internetdisconnected'));
		page = await context.newPage();
	});

	afterAll(() => stopApp(browser, relay));

	it('after joining, the app says it cannot be used offline yet', async () => {
		await joinWith(page, await relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '周网格');
		// The documents have synced, but the app itself is not cached: not ready.
		await expect.poll(() => readiness(page).innerText()).toBe('还不能离线使用：正在下载，请保持联网');
		expect(await readiness(page).getAttribute('data-ready')).toBe('false');
		expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active))).toBe(false);
	});

	it('going offline before the app is cached, a navigation lands on the app and opens once back online', async () => {
		await context.setOffline(true);
		expect(await reachesRelay(page)).toBe(false);
		// Settings have never been opened on this device: their code is not here.
		await page.getByTestId('nav-settings').click();
		await page.getByTestId('page-error').waitFor({ timeout: 15_000 });
		await expect.poll(() => mainText(page)).toContain('这个页面还没下载到本机，联网后会自动打开。');
		expect(await mainText(page)).not.toMatch(/Internal Error|500/);
		// Still the app: its status bar and tabs are there.
		expect(await page.getByTestId('status-bar').isVisible()).toBe(true);
		expect(await page.getByTestId('nav-list').isVisible()).toBe(true);
		expect(new URL(page.url()).pathname).toBe('/settings');

		// The network returns (and with it the service worker): the page opens by itself.
		await context.unroute(WORKER);
		await context.setOffline(false);
		await page.getByTestId('device-info').waitFor({ timeout: 20_000 });
		expect(await page.getByTestId('page-error').count()).toBe(0);
	});

	it('once the app is cached and the documents synced, it says 已可离线使用, and offline pages open', async () => {
		await waitForServiceWorker(page);
		await expect.poll(() => readiness(page).innerText(), { timeout: 20_000 }).toBe('已可离线使用');
		expect(await readiness(page).getAttribute('data-ready')).toBe('true');

		await context.setOffline(true);
		try {
			expect(await reachesRelay(page)).toBe(false);
			// A page never opened before now comes from the cache.
			await page.getByTestId('nav-mine').click();
			await page.waitForURL('**/mine');
			await expect.poll(() => page.getByTestId('page-error').count()).toBe(0);
			await expect.poll(() => page.locator('[data-testid=mine-empty], [data-testid=mine-count]').count()).toBeGreaterThan(0);
			// A full reload offline too; a device ready when opened does not repeat the line.
			const res = await page.reload();
			expect(res?.fromServiceWorker()).toBe(true);
			await page.getByTestId('status-bar').waitFor();
			await expect.poll(() => page.getByTestId('connection').innerText()).toBe('离线');
			expect(await readiness(page).count()).toBe(0);
		} finally {
			await context.setOffline(false);
		}
	});
});
