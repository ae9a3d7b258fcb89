/**
 * The main pages at 360 × 740 in Chinese and English, at normal and 150 % text: no horizontal scrolling, no
 * page errors, every tap target at least 44 px high. Set SCREENSHOT_DIR to also save a PNG of each page to look at.
 * The device starts without a credential (welcome screen), joins as the demo community admin, so that every tab
 * shows, and visits the household register and the admin pages too.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAppContext, startApp, stopApp, waitUntil, type RelayHandle } from './harness';
import { DEMO } from './invite';

const OUT = process.env.SCREENSHOT_DIR;

const caughtUp = async (page: Page) => {
	const bar = page.getByTestId('status-bar');
	return Boolean(await bar.getAttribute('data-last-synced')) && (await bar.getAttribute('data-syncing')) === 'false';
};

/** Visible buttons, links, inputs and selects shorter than 44 CSS px (inline text links excluded). */
const smallTargets = (page: Page) =>
	page.evaluate(() =>
		[...document.querySelectorAll<HTMLElement>('button, a, input:not([type=radio]):not([type=checkbox]), select, textarea, summary, label.choice, label.check')]
			.filter((el) => {
				const r = el.getBoundingClientRect();
				if (r.width === 0 || r.height === 0) return false;
				if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') return false;
				if (el.classList.contains('skip')) return false;
				// A visually hidden input (a file picker inside its label) is not itself tapped: its label is.
				if (el.classList.contains('visually-hidden')) return false;
				return r.height < 43.5;
			})
			.map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}"`)
	);

let relay: RelayHandle;
let browser: Browser;

beforeAll(async () => {
	if (OUT) mkdirSync(OUT, { recursive: true });
	({ relay, browser } = await startApp());
});

afterAll(() => stopApp(browser, relay));

describe.each([
	{ locale: 'zh-CN', scale: 100 },
	{ locale: 'en', scale: 100 },
	{ locale: 'zh-CN', scale: 150 },
	{ locale: 'en', scale: 150 }
])('pages at 360 px, $locale, text $scale%', ({ locale, scale }) => {
	let page: Page;
	const errors: string[] = [];
	const tag = `${locale === 'en' ? 'en' : 'zh'}-${scale}`;

	beforeAll(async () => {
		const context = await newAppContext(browser, { locale });
		page = await context.newPage();
		page.on('pageerror', (e) => errors.push(e.message));
		await page.addInitScript(
			([l, s]) => {
				localStorage.setItem('courtyard.locale', String(l));
				// As the phone's "large text" setting does: everything is in rem.
				if (s !== 100) document.addEventListener('DOMContentLoaded', () => (document.documentElement.style.fontSize = `${s}%`));
			},
			[locale, scale]
		);
	});

	afterAll(async () => {
		await page?.context().close();
	});

	async function check(name: string) {
		await page.waitForTimeout(150);
		if (OUT) await page.screenshot({ path: join(OUT, `${name}-${tag}.png`), fullPage: true });
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		expect(overflow, `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
		expect(await smallTargets(page), `${name}: small tap targets`).toEqual([]);
		expect(errors, `${name}: page errors`).toEqual([]);
	}

	it('welcome (no credential yet)', async () => {
		await page.goto(relay.url);
		await page.getByTestId('welcome').waitFor();
		await check('welcome');
	});

	it('join, then what was granted', async () => {
		await page.goto(await relay.invite({ role: 'community_admin', community: DEMO }));
		await page.getByTestId('join-name').fill(locale === 'en' ? 'Community office' : '社区办公室');
		await check('join');
		await page.getByTestId('join-submit').click();
		await page.getByTestId('join-done').waitFor();
		await check('joined');
		await page.getByTestId('join-start').click();
		await waitUntil(() => caughtUp(page), 20_000, 'the first sync');
	});

	it('list', async () => {
		await expect.poll(() => page.getByTestId('proposal-row').count()).toBeGreaterThan(0);
		await check('list');
	});

	it('detail with screening flags and timeline', async () => {
		// The demo's rejected proposal cites negative-list item 3.
		await page.goto(`${relay.url}/?status=rejected`);
		await page.getByTestId('proposal-row').first().click();
		await page.getByTestId('timeline').waitFor();
		await check('detail');
	});

	it('new proposal with validation messages', async () => {
		await page.getByTestId('nav-new').click();
		await page.getByTestId('kind-organisational').check();
		await page.getByTestId('submit').click();
		await expect.poll(() => page.locator('[aria-invalid=true]').count()).toBeGreaterThan(0);
		await check('new');
	});

	it('household register', async () => {
		await page.getByTestId('nav-households').click();
		await page.getByTestId('grid-list').getByRole('link').first().click();
		await expect.poll(() => page.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(0);
		await check('households');
		await page.goto(`${relay.url}/households?grid=nope`);
		await check('households-missing');
	});

	it('admin: invitation form with errors, then an invitation with its QR code', async () => {
		await page.getByTestId('nav-admin').click();
		await page.getByTestId('invite-role').selectOption('grid_worker');
		await page.getByTestId('invite-create').click();
		await check('invite-form');
		await page.getByTestId('invite-grid-g1').check();
		await page.getByTestId('invite-label').fill('张网格');
		await page.getByTestId('invite-create').click();
		await page.locator('[data-testid=qr-code][data-ready=true]').waitFor();
		await check('invitation');
	});

	it('admin: devices', async () => {
		await page.getByTestId('admin-tab-devices').click();
		await page.getByTestId('device-row').first().getByTestId('device-revoke').click();
		await check('devices');
	});

	it('settings', async () => {
		await page.getByTestId('nav-settings').click();
		await page.getByTestId('rebuild-index').waitFor();
		await check('settings');
	});
});
