/**
 * An English device opened straight onto a feature area's page (a reload, a link, the home-screen icon on a
 * deep page) shows that page in English from its first frame. The area's English arrives in its own chunk
 * after the page's code registered it; a client-side navigation waits for it (the root layout's onNavigate),
 * and so must the very first page, where onNavigate does not run.
 *
 * Every text the page's main region ever shows is recorded from before the app's code runs, so a Chinese frame
 * that lasts a few milliseconds is caught.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zh as roomsZh } from '../../src/lib/i18n/messages/rooms';
import { startApp, stopApp, type RelayHandle } from './harness';
import { DEMO, type Device, installedDevice, joinWith } from './invite';
import { goOffline, goOnline } from './story-kit';

/** Records the text of every element added to or changed under <main>, from the first frame on. */
function recordMainTexts(): void {
	const seen: string[] = [];
	(window as unknown as { __mainTexts: string[] }).__mainTexts = seen;
	new MutationObserver((records) => {
		for (const r of records) {
			const node = r.type === 'characterData' ? r.target.parentElement : r.target instanceof Element ? r.target : null;
			const text = node?.closest('main') ? node.textContent : null;
			if (text) seen.push(text);
		}
	}).observe(document, { subtree: true, childList: true, characterData: true });
}

const mainTexts = (page: Page) => page.evaluate(() => (window as unknown as { __mainTexts: string[] }).__mainTexts.join('\n'));

describe('an English device opened straight onto an area page', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let resident: Device;
	const devices: Device[] = [];

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay, devices));

	it('never shows the area’s Chinese, online and from the offline cache', async () => {
		resident = await installedDevice(browser, relay, { role: 'resident', community: DEMO, household: 'b01-1-101' }, '李奶奶', devices);
		await resident.page.evaluate(() => localStorage.setItem('courtyard.locale', 'en'));
		await resident.context.addInitScript(recordMainTexts);
		const { page } = resident;
		for (const round of ['online', 'offline'] as const) {
			if (round === 'offline') await goOffline(resident);
			await page.goto(`${relay.url}/rooms`);
			await expect.poll(() => page.locator('h1').innerText()).toBe('Rooms');
			// Let the page's lists and their late messages render too.
			await page.waitForTimeout(1_000);
			const texts = await mainTexts(page);
			// The intro, not the title: a room's own name (user content) may be 活动室.
			expect(texts, round).toContain('Book the community');
			expect(texts, round).not.toContain(roomsZh['rooms.intro']);
		}
		await goOnline(resident);
	});

	it('waits for an English chunk that arrives after the app is ready (no service worker to serve it at once)', async () => {
		// Without the service worker every script comes from the network, where the test can hold one back.
		const context = await browser.newContext({ serviceWorkers: 'block', locale: 'zh-CN', viewport: { width: 360, height: 740 } });
		try {
			await openRoomsWithLateEnglish(relay, context);
		} finally {
			await context.close();
		}
	});
});

/** Joins in `context`, holds the rooms area's English back for a second and opens the rooms page in English. */
async function openRoomsWithLateEnglish(relay: RelayHandle, context: BrowserContext): Promise<void> {
	const page = await context.newPage();
	await joinWith(page, await relay.invite({ role: 'resident', community: DEMO, household: 'b01-1-101' }), '李奶奶');
	await page.evaluate(() => localStorage.setItem('courtyard.locale', 'en'));
	let held = 0;
	await context.route(/\/_app\/immutable\/.*\.js$/, async (route) => {
		const response = await route.fetch();
		const body = await response.text();
		// The rooms area's English: it arrives long after the app has opened its database and could render.
		if (body.includes('Book the community')) {
			held++;
			await new Promise((r) => setTimeout(r, 1_000));
		}
		await route.fulfill({ response, body });
	});
	await context.addInitScript(recordMainTexts);
	await page.goto(`${relay.url}/rooms`);
	await expect.poll(() => page.locator('h1').innerText()).toBe('Rooms');
	await page.waitForTimeout(500);
	expect(held).toBe(1);
	const texts = await mainTexts(page);
	expect(texts).toContain('Book the community');
	expect(texts).not.toContain(roomsZh['rooms.intro']);
}
