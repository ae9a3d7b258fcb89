/**
 * Issue #12, item 3: a grid worker's screens at 200 % text on a 360 px phone, measured on real layout boxes.
 * Large text is what the phone's text-size setting does to the app: the root font size (everything is in rem).
 * Before, at 150 % already: flat numbers wrapped ("30 / 1"), the visit outcomes stacked one character per line
 * (已/交/谈), 新建提案 wrapped in the tab bar, and the status bar and tab bar took some 40 % of the screen.
 * The grid worker works offline (relay sockets cut, and asserted cut), as at the door.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopApp, type RelayHandle } from './harness';
import { DEMO, joinDevice, type Device } from './invite';

const GRID = 'g1';

/** Line boxes of an element's text: one per line it takes (a Range's client rects, merged by line). */
const lines = (el: Locator) =>
	el.evaluate((node) => {
		const range = document.createRange();
		range.selectNodeContents(node);
		const tops: number[] = [];
		for (const r of range.getClientRects()) {
			if (r.width === 0 || r.height === 0) continue;
			if (!tops.some((t) => Math.abs(t - r.top) < r.height / 2)) tops.push(r.top);
		}
		return tops.length;
	});

/** Height of the element against its own line height: one line is under 1.6 line heights. */
const heightInLines = (el: Locator) =>
	el.evaluate((node) => {
		const style = getComputedStyle(node);
		const lh = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
		const inner = node.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
		return inner / lh;
	});

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The sync status (with the readiness line under it) and the tab bar, against the viewport's height. */
const barsShare = (page: Page) =>
	page.evaluate(() => {
		const top = document.querySelector('[data-testid=status-bar]')!.parentElement!.getBoundingClientRect().height;
		const tabs = document.querySelector('nav[aria-label]:has([data-testid=nav-list])')!.getBoundingClientRect().height;
		return { top, tabs, share: (top + tabs) / window.innerHeight };
	});

describe.each([200, 100])('canvassing at 360 px, text %i %%', (scale) => {
	let relay: RelayHandle;
	let browser: Browser;
	let worker: Device;
	let page: Page;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('keeps the status bar and the tab bar to a small share of the screen, tab labels on one line', async () => {
		worker = await joinDevice(browser, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), '周网格');
		page = worker.page;
		await page.addInitScript((s) => {
			// As the phone's text-size setting does: the root font size, everything else is in rem.
			if (s !== 100) document.addEventListener('DOMContentLoaded', () => (document.documentElement.style.fontSize = `${s}%`));
		}, scale);
		await page.goto(relay.url);
		expect(await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))).toBe((16 * scale) / 100);
		await page.getByTestId('nav-list').waitFor();
		const bars = await barsShare(page);
		expect(bars.share, JSON.stringify(bars)).toBeLessThan(0.25);
		const tabs = page.locator('nav:has([data-testid=nav-list]) a');
		expect(await tabs.count()).toBe(6);
		for (const tab of await tabs.all()) {
			const label = tab.locator('span');
			expect(await lines(label), await tab.innerText()).toBe(1);
			// Not cut short either: the whole label shows.
			expect(await label.evaluate((s) => s.scrollWidth <= s.clientWidth + 1), await tab.innerText()).toBe(true);
		}
		expect(await page.getByTestId('nav-new').innerText()).toBe('新建');
		expect(await overflow(page)).toBeLessThanOrEqual(0);
	});

	it('offline at the door: flat numbers never break, the building reflows to fewer columns', async () => {
		await worker.link.cut();
		expect(worker.link.isCut).toBe(true);
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		await expect.poll(() => page.getByTestId('status-bar').getAttribute('data-connection'), { timeout: 10_000 }).not.toBe('online');
		const cells = page.getByTestId('household-row');
		await expect.poll(() => cells.count(), { timeout: 15_000 }).toBeGreaterThan(10);
		// Sockets were opened and refused while cut: the page really works without the relay.
		expect(worker.link.blocked).toBeGreaterThan(0);
		for (const cell of (await cells.all()).slice(0, 24)) {
			const room = cell.locator('span').first();
			const text = await room.innerText();
			expect(await lines(room), `flat ${text}`).toBe(1);
			expect(await heightInLines(room), `flat ${text}`).toBeLessThan(1.6);
			// Inside its cell.
			const [r, c] = await Promise.all([room.boundingBox(), cell.boundingBox()]);
			expect(r!.x + r!.width, `flat ${text}`).toBeLessThanOrEqual(c!.x + c!.width + 0.5);
		}
		expect(await overflow(page)).toBeLessThanOrEqual(0);
		// Nothing hides sideways: every flat of the first building lies within the screen.
		const boxes = await page.getByTestId('building').first().getByTestId('household-row').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
		expect(Math.max(...boxes)).toBeLessThanOrEqual(360);
		// Columns: at normal text a floor keeps its rooms side by side; at 200 % they take fewer columns.
		const columns = await page.getByTestId('building').first().getByTestId('unit').first().evaluate((unit) => {
			const xs = new Set([...unit.querySelectorAll('[data-testid=household-row], [data-testid=flat-empty]')].map((e) => Math.round(e.getBoundingClientRect().left)));
			return xs.size;
		});
		if (scale === 100) expect(columns).toBeGreaterThanOrEqual(2);
		else expect(columns).toBeGreaterThanOrEqual(1);
	});

	it('the visit form: outcome labels on one line, numbers whole', async () => {
		await page.getByTestId('household-row').first().click();
		await page.getByTestId('visit-form').waitFor();
		const font = await page.getByTestId('outcome-talked').evaluate((i) => parseFloat(getComputedStyle(i.parentElement!).fontSize));
		const tops = new Set<number>();
		for (const o of ['talked', 'not_home', 'declined']) {
			const label = page.locator(`label:has([data-testid=outcome-${o}])`);
			const text = await label.innerText();
			expect(await lines(label), text).toBe(1);
			const box = (await label.boundingBox())!;
			expect(box.width, text).toBeGreaterThan(2 * font);
			tops.add(Math.round(box.y));
		}
		// Three side by side at normal text; on more rows, not narrower, at large text.
		if (scale === 100) expect(tops.size).toBe(1);
		// The phone number of a member is one piece.
		const phone = page.locator('[data-testid=household-members] a[href^="tel:"]').first();
		if (await phone.count()) expect(await lines(phone)).toBe(1);
		// The labels of the household's details (成员, 面积) are not stacked either (a visually hidden one aside).
		for (const dt of await page.getByTestId('household-card').locator('dt').all()) {
			if (await dt.evaluate((e) => e.getBoundingClientRect().width > 2)) expect(await lines(dt), await dt.innerText()).toBe(1);
		}
		expect(await overflow(page)).toBeLessThanOrEqual(0);

		// Recording a visit still takes the same taps.
		await page.getByTestId('outcome-talked').check();
		await page.getByTestId('visit-save').click();
		await page.getByTestId('visit-saved').waitFor();
	});

	it('coverage: building names and numbers never break; the table reflows at large text', async () => {
		await page.goto(`${relay.url}/coverage?grid=${GRID}`);
		const rows = page.getByTestId('coverage-row');
		await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(2);
		for (const row of await rows.all()) {
			const name = row.locator('th a');
			expect(await lines(name), await name.innerText()).toBe(1);
			for (const id of ['cov-visited', 'cov-not-home', 'cov-not-visited', 'cov-needs']) {
				const cell = row.getByTestId(id);
				expect(await lines(cell), `${await name.innerText()} ${id}`).toBe(1);
			}
		}
		// Column headings are never stacked a character per line: either the table's, or each card's own labels.
		for (const th of await page.locator('[data-testid=coverage-table] thead th').all()) {
			const visible = await th.evaluate((e) => e.getBoundingClientRect().width > 2);
			if (visible) expect(await lines(th), await th.innerText()).toBe(1);
		}
		expect(await overflow(page)).toBeLessThanOrEqual(0);
		worker.link.restore();
	});
});
