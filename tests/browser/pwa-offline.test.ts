/**
 * The installed app opens without a network: the service worker precaches the shell and serves it for any
 * navigation, while relay traffic is never cached. Runs against build/ served by the real relay.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedPaths } from './app-page';
import {
	cutRelay,
	launchBrowser,
	openAppPage,
	pollPage,
	relayLink,
	requireBuild,
	ROOT,
	startApp,
	startRelay,
	STATIC_DIR,
	stopApp,
	waitForServiceWorker,
	type RelayHandle
} from './harness';

const TITLE = /院落议事/;
const BUILD = join(ROOT, STATIC_DIR);

describe('PWA offline shell', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		({ context, page } = await openAppPage(browser));
		await relayLink(page);
	});

	afterAll(() => stopApp(browser, relay));

	it('serves a valid manifest and icons', async () => {
		const res = await page.request.get(`${relay.url}/manifest.webmanifest`);
		expect(res.ok()).toBe(true);
		const manifest = (await res.json()) as {
			short_name: string;
			start_url: string;
			display: string;
			icons: { src: string; sizes: string; purpose?: string }[];
		};
		expect(manifest.short_name).toBe('院落议事');
		expect(manifest.start_url).toBe('/');
		expect(manifest.display).toBe('standalone');
		expect(manifest.icons.some((i) => i.purpose === 'maskable' && i.sizes === '512x512')).toBe(true);
		for (const icon of manifest.icons) {
			const png = await page.request.get(`${relay.url}${icon.src}`);
			expect(png.ok(), icon.src).toBe(true);
			expect(png.headers()['content-type']).toContain('image/png');
		}
	});

	it('installs a service worker that controls the page', async () => {
		await page.goto(relay.url);
		await expect.poll(() => page.title()).toMatch(TITLE);
		await waitForServiceWorker(page);
		const scriptURL = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
		expect(scriptURL).toBe(`${relay.url}/service-worker.js`);
	});

	it('precaches the shell and nothing from the relay API', async () => {
		const cached = await cachedPaths(page);
		expect(cached).toContain('/');
		expect(cached).toContain('/manifest.webmanifest');
		expect(cached.some((u) => u.startsWith('/_app/immutable/'))).toBe(true);
		expect(cached.filter((u) => /^\/(ws|sync|api)(\/|$)/.test(u))).toEqual([]);
	});

	it('reloads offline and still renders the app', async () => {
		await context.setOffline(true);
		const link = await cutRelay(page);
		try {
			const res = await page.reload();
			expect(res?.fromServiceWorker()).toBe(true);
			await expect.poll(() => page.title()).toMatch(TITLE);
			await expect.poll(() => page.locator('body').innerText()).toMatch(/院落议事/);
			// The app's JavaScript ran from the cache: the SvelteKit client booted.
			await expect.poll(() => page.evaluate(() => document.querySelectorAll('body *').length)).toBeGreaterThan(3);
		} finally {
			await context.setOffline(false);
			link.restore();
		}
	});

	it('opens deep links offline', async () => {
		await context.setOffline(true);
		try {
			for (const path of ['/proposals/new', '/settings', '/proposal?id=not-on-this-device', '/?from=poster']) {
				const res = await page.goto(`${relay.url}${path}`);
				expect(res?.ok(), path).toBe(true);
				expect(res?.fromServiceWorker(), path).toBe(true);
				await expect.poll(() => page.title(), { message: path }).toMatch(TITLE);
			}
		} finally {
			await context.setOffline(false);
		}
	});

	it('never answers relay endpoints from the cache', async () => {
		await context.setOffline(true);
		try {
			// A navigation to an API path must fail offline rather than show the cached shell.
			const failed = await page.goto(`${relay.url}/api/health`).then(
				(res) => !res?.fromServiceWorker(),
				() => true
			);
			expect(failed).toBe(true);
		} finally {
			await context.setOffline(false);
		}
	});
});

describe('PWA update', () => {
	const dirs: string[] = [];
	let relay: RelayHandle | undefined;
	let browser: Browser | undefined;

	afterAll(async () => {
		await browser?.close();
		await relay?.dispose();
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	const tempDir = (name: string) => {
		const dir = mkdtempSync(join(tmpdir(), `courtyard-${name}-`));
		dirs.push(dir);
		return dir;
	};

	it('keeps the installed version working offline until the update is applied, then serves the new one', async () => {
		requireBuild();
		// Version 1 is a copy of build/; version 2 is the same app with a new build version and a marked shell.
		const v1 = tempDir('v1');
		cpSync(BUILD, v1, { recursive: true });
		const dataDir = tempDir('data');
		relay = await startRelay({ dataDir, env: { STATIC_DIR: v1 } });
		browser = await launchBrowser();
		const { context, page } = await openAppPage(browser);
		await page.goto(relay.url);
		await waitForServiceWorker(page);
		const before = await cachedPaths(page);
		expect(before).toContain('/');

		const v2 = tempDir('v2');
		cpSync(v1, v2, { recursive: true });
		const { version } = JSON.parse(readFileSync(join(v2, '_app', 'version.json'), 'utf8')) as { version: string };
		const sw = readFileSync(join(v2, 'service-worker.js'), 'utf8');
		expect(sw).toContain(version);
		writeFileSync(join(v2, 'service-worker.js'), sw.replaceAll(version, `${version}2`));
		// Every prerendered page (index.html, settings.html, …) is a copy of the shell; mark them all.
		for (const file of readdirSync(v2, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'))) {
			const html = readFileSync(join(v2, file), 'utf8');
			writeFileSync(join(v2, file), html.replace('</head>', '<meta name="courtyard-build" content="v2"></head>'));
		}

		// Deploy: restart the relay on the same origin with version 2, then look for an update as the app does.
		const port = relay.port;
		await relay.stop();
		relay = await startRelay({ dataDir, port, env: { STATIC_DIR: v2 } });
		await page.evaluate(async () => {
			await (await navigator.serviceWorker.getRegistration())?.update();
		});
		await pollPage(page, async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting), {
			what: 'the new version to finish installing'
		});

		// Waiting, not applied: offline, the old version still serves the old shell and everything it cached.
		const marker = page.locator('meta[name="courtyard-build"]');
		await context.setOffline(true);
		const res = await page.reload();
		expect(res?.fromServiceWorker()).toBe(true);
		await expect.poll(() => page.title()).toMatch(TITLE);
		expect(await marker.count()).toBe(0);
		expect(await cachedPaths(page)).toEqual(expect.arrayContaining(before));

		// The app noticed the waiting version and offers it; accepting switches versions and reloads, offline.
		const prompt = page.getByTestId('update-prompt');
		await prompt.waitFor({ state: 'visible', timeout: 15_000 });
		await prompt.getByRole('button').first().click();
		await expect.poll(() => marker.count(), { timeout: 15_000 }).toBe(1);
		await expect.poll(() => page.title()).toMatch(TITLE);
		expect(await cachedPaths(page)).toEqual(expect.arrayContaining(before));
		const deep = await page.goto(`${relay.url}/proposals/new`);
		expect(deep?.fromServiceWorker()).toBe(true);
		expect(await marker.count()).toBe(1);
		await context.setOffline(false);
	});
});
