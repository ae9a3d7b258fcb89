/**
 * A proposal filed offline reaches another device without a tap once the network returns.
 *
 * Device A (a resident) joins the demo community the real relay seeds, by invitation; goes fully offline
 * (browser offline AND relay sockets refused), reloads from the service worker, files a proposal and sees it
 * saved and pending. Device B (a facilitator), online, does not have it. A's network returns; B shows it within
 * seconds and A's pending count drops to zero.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp, connection, pending, rows } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitForServiceWorker, waitUntil, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinInBrowser, joinWith } from './invite';

const rowTitled = (page: Page, title: string) => rows(page).filter({ hasText: title });

describe('proposal filed offline syncs to another device', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let contextA: BrowserContext;
	let contextB: BrowserContext;
	let pageA: Page;
	let pageB: Page;
	let linkA: RelayLink;
	const title = `楼道加装扶手 ${Date.now().toString(36)}`;
	let demoCount = 0;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		contextA = await newAppContext(browser);
		contextB = await newAppContext(browser);
		// On the context, so sockets of reloaded documents are routed too.
		linkA = await relayLink(contextA);
		pageA = await contextA.newPage();
		pageB = await contextB.newPage();
	});

	afterAll(() => stopApp(browser, relay));

	it('A joins by invitation and the demo proposals arrive from the relay', async () => {
		await joinInBrowser(pageA, await relay.invite({ role: 'resident', community: DEMO, household: 'b01-1-101' }), '居民甲');
		await pageA.getByTestId('join-start').click();
		await waitForServiceWorker(pageA);
		await expect.poll(() => caughtUp(pageA), { timeout: 20_000 }).toBe(true);
		// The seeded demo community: about a dozen proposals at different stages.
		await expect.poll(() => rows(pageA).count()).toBeGreaterThanOrEqual(5);
		demoCount = await rows(pageA).count();
	});

	it('A goes offline for real and the status bar says so', async () => {
		await contextA.setOffline(true);
		await linkA.cut();
		await expect.poll(() => connection(pageA), { timeout: 10_000 }).toBe('offline');
		await expect.poll(() => pageA.locator('[data-testid=connection]').innerText()).toContain('离线');
		// The app keeps trying; every attempt is refused.
		await expect.poll(() => linkA.blocked, { timeout: 15_000 }).toBeGreaterThan(0);
		expect(linkA.isCut).toBe(true);
	});

	it('A reloads offline from the service worker and files a proposal', async () => {
		const res = await pageA.reload();
		expect(res?.fromServiceWorker()).toBe(true);
		// Everything synced before is still listed, from IndexedDB.
		await expect.poll(() => rows(pageA).count(), { timeout: 10_000 }).toBe(demoCount);
		await expect.poll(() => connection(pageA)).not.toBe('online');

		await pageA.getByTestId('nav-new').click();
		await pageA.getByTestId('field-title').fill(title);
		await pageA.getByTestId('field-description').fill('3 号楼楼道台阶陡，老人上下楼不方便，建议在楼道一侧加装扶手。');
		await pageA.getByTestId('category-facilities').check();
		await pageA.getByTestId('submit').click();

		await expect.poll(() => pageA.getByTestId('saved').isVisible(), { timeout: 10_000 }).toBe(true);
		await expect.poll(() => pageA.getByTestId('saved').innerText()).toContain('已保存');
		await expect.poll(() => pageA.getByTestId('proposal-title').innerText()).toBe(title);
		await expect.poll(() => pending(pageA)).toBeGreaterThanOrEqual(1);
		expect(await connection(pageA)).not.toBe('online');

		// And it is in A's list, still offline.
		await pageA.getByTestId('nav-list').click();
		await expect.poll(() => rowTitled(pageA, title).count()).toBe(1);
	});

	it('B, online, does not have it yet', async () => {
		await joinWith(pageB, await relay.invite({ role: 'facilitator', community: DEMO }), '主持人乙');
		await expect.poll(() => rows(pageB).count()).toBe(demoCount);
		expect(await rowTitled(pageB, title).count()).toBe(0);
	});

	it("A's network returns; B shows the proposal within seconds and A has nothing pending", async () => {
		linkA.restore();
		await contextA.setOffline(false);
		// No tap on either device from here on.
		await waitUntil(async () => (await rowTitled(pageB, title).count()) === 1, 10_000, 'the proposal on device B');
		await expect.poll(() => rows(pageB).count()).toBe(demoCount + 1);
		await expect.poll(() => pending(pageA), { timeout: 10_000 }).toBe(0);
		expect(await connection(pageA)).toBe('online');

		// B can open it and sees who filed it, offline-made.
		await rowTitled(pageB, title).click();
		await expect.poll(() => pageB.getByTestId('proposal-title').innerText()).toBe(title);
		await expect.poll(() => pageB.getByTestId('status-badge').first().innerText()).toBe('已提交');
	});
});
