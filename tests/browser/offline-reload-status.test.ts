/**
 * Issue #12, item 12: a device reloaded while offline says so. With the browser offline (navigator.onLine false)
 * a socket attempt to the relay hangs instead of failing, which left 正在连接… on screen for as long as the
 * device stayed offline. The status bar must read 离线 throughout, and go back online by itself when the network
 * returns.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppPage, startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { DEMO, joinWith } from './invite';

const label = (page: Page) => page.getByTestId('connection').innerText();
/** Whether the page can reach the relay at all (the API is never answered by the service worker). */
const reachesRelay = (page: Page) =>
	page.evaluate(() =>
		fetch('/api/health', { cache: 'no-store' }).then(
			() => true,
			() => false
		)
	);

describe('the status bar after an offline reload', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		({ context, page } = await openAppPage(browser));
	});

	afterAll(() => stopApp(browser, relay));

	it('a grid worker joins and the app is installed', async () => {
		await joinWith(page, await relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '周网格');
		await waitForServiceWorker(page);
		await expect.poll(() => label(page)).toBe('在线');
	});

	it('after an offline reload says 离线, never 正在连接…, and comes back online by itself', async () => {
		// The browser's own network is off: sockets are not routed, so nothing bypasses it.
		await context.setOffline(true);
		expect(await reachesRelay(page)).toBe(false);
		// The open socket is dead once the browser has no network: say so at once, not 在线.
		await expect.poll(() => label(page), { timeout: 5_000 }).toBe('离线');

		// Record every state the status bar shows from the first render on, even a brief one.
		await page.addInitScript(() => {
			const seen: string[] = ((window as unknown as { __connections: string[] }).__connections = []);
			new MutationObserver(() => {
				const state = document.querySelector('[data-testid=status-bar]')?.getAttribute('data-connection');
				if (state && seen.at(-1) !== state) seen.push(state);
			}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-connection'] });
		});
		const res = await page.reload();
		expect(res?.fromServiceWorker()).toBe(true);
		expect(await page.evaluate(() => navigator.onLine)).toBe(false);
		await page.getByTestId('status-bar').waitFor();
		// Sample for four seconds: the app starts its sync engine and must keep saying offline throughout.
		const seen = new Set<string>();
		for (let i = 0; i < 20; i++) {
			seen.add(await label(page));
			await page.waitForTimeout(200);
		}
		expect([...seen]).toEqual(['离线']);
		expect(await page.evaluate(() => (window as unknown as { __connections: string[] }).__connections)).toEqual(['offline']);
		expect(await page.getByTestId('status-bar').getAttribute('data-connection')).toBe('offline');
		expect(await reachesRelay(page)).toBe(false);

		await context.setOffline(false);
		await expect.poll(() => label(page), { timeout: 20_000 }).toBe('在线');
	});
});
