/**
 * Issue #12, item 9 (all but the resident's proposal page): each role's home is built around its daily tasks,
 * at 360 px at normal and 200 % text. Before, every role got the same sideways-scrolling strip of shortcuts
 * (项目, 公示, 走访进度, 周收集, 意见箱录入, 甄选), mostly off screen; a project's tabs were cut off the same way;
 * grid workers had no polls tab although they record households' ballots at the door.
 * Set SCREENSHOT_DIR to save each role's home as a PNG.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STREET } from '../../server/demo/seed';
import { startApp, stopApp, waitForServiceWorker, type InviteOptions, type RelayHandle } from './harness';
import { DEMO, joinDevice, type Device } from './invite';

const OUT = process.env.SCREENSHOT_DIR;

const ROLES: { role: string; invite: InviteOptions; name: string; daily: string[] }[] = [
	{ role: 'resident', invite: { role: 'resident', community: DEMO, household: 'b01-1-101' }, name: '李奶奶', daily: ['link-mine', 'link-polls', 'link-notices', 'link-passbook'] },
	{ role: 'grid_worker', invite: { role: 'grid_worker', community: DEMO, grids: ['g1'] }, name: '周网格', daily: ['link-visits', 'link-coverage', 'link-polls', 'link-intake'] },
	{ role: 'facilitator', invite: { role: 'facilitator', community: DEMO }, name: '周敏', daily: ['link-screening', 'link-meetings', 'link-projects', 'link-topics'] },
	{ role: 'community_admin', invite: { role: 'community_admin', community: DEMO }, name: '社区办公室', daily: ['link-reports', 'link-points', 'link-talents', 'link-lists'] },
	{ role: 'street_admin', invite: { role: 'street_admin', community: DEMO_STREET, communities: [DEMO] }, name: '街道办陈科长', daily: ['link-street', 'link-reports'] }
];

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Every link inside lies fully on screen horizontally, and nothing inside scrolls sideways. */
async function allInSight(area: Locator): Promise<string[]> {
	return area.evaluate((root) => {
		const bad: string[] = [];
		for (const a of root.querySelectorAll('a')) {
			const r = a.getBoundingClientRect();
			if (r.width === 0 || r.left < 0 || r.right > window.innerWidth + 0.5) bad.push(`${a.textContent?.trim()} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
		}
		for (const el of [root, ...root.querySelectorAll('*')]) {
			if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') bad.push(`${el.tagName} scrolls sideways`);
		}
		return bad;
	});
}

describe.each([100, 200])('role homes at 360 px, text %i %%', (scale) => {
	let relay: RelayHandle;
	let browser: Browser;
	const devices = new Map<string, Device>();

	beforeAll(async () => {
		if (OUT) mkdirSync(OUT, { recursive: true });
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	async function open(role: (typeof ROLES)[number]): Promise<Page> {
		const device = await joinDevice(browser, await relay.invite(role.invite), role.name);
		devices.set(role.role, device);
		await device.page.addInitScript((s) => {
			// As the phone's text-size setting does: the root font size, everything else is in rem.
			if (s !== 100) document.addEventListener('DOMContentLoaded', () => (document.documentElement.style.fontSize = `${s}%`));
		}, scale);
		await device.page.goto(relay.url);
		expect(await device.page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))).toBe((16 * scale) / 100);
		return device.page;
	}

	it.each(ROLES)('$role: daily tasks first, everything in sight without sideways scrolling', async (role) => {
		const page = await open(role);
		const home = page.getByTestId('role-home');
		await home.waitFor();
		expect(await home.getAttribute('data-role')).toBe(role.role);
		const tasks = home.getByTestId('home-tasks').getByRole('link');
		await expect.poll(() => tasks.evaluateAll((as) => as.map((a) => a.getAttribute('data-testid'))), { timeout: 5_000 }).toEqual(role.daily);
		// A vertical list: each task under the previous one.
		const tops = await tasks.evaluateAll((as) => as.map((a) => a.getBoundingClientRect().top));
		for (let i = 1; i < tops.length; i++) expect(tops[i]).toBeGreaterThan(tops[i - 1]!);
		await page.waitForTimeout(300);
		expect(await allInSight(home)).toEqual([]);
		expect(await overflow(page)).toBeLessThanOrEqual(0);
		// The tab bar never scrolls or cuts a tab either.
		expect(await allInSight(page.locator('nav:has([data-testid=nav-list])'))).toEqual([]);
		if (OUT) await page.screenshot({ path: join(OUT, `${role.role}-${scale}.png`) });
	});

	it('a grid worker has a polls tab, and the door ballots task goes to the polls, offline too', async () => {
		const { page, link } = devices.get('grid_worker')!;
		await waitForServiceWorker(page);
		await link.cut();
		expect(link.isCut).toBe(true);
		await page.reload();
		await page.getByTestId('role-home').waitFor();
		expect(link.blocked).toBeGreaterThan(0);
		expect(await page.getByTestId('nav-polls').isVisible()).toBe(true);
		await page.getByTestId('nav-polls').click();
		await page.waitForURL(/\/polls$/);
		await expect.poll(() => page.getByTestId('nav-polls').getAttribute('aria-current')).toBe('page');
		await page.getByTestId('nav-list').click();
		await page.getByTestId('home-tasks').getByTestId('link-polls').click();
		await page.waitForURL(/\/polls$/);
		link.restore();
		// A resident has the tab too; staff who do not go door to door reach polls from their home.
		expect(await devices.get('resident')!.page.getByTestId('nav-polls').count()).toBe(1);
		expect(await devices.get('facilitator')!.page.getByTestId('nav-polls').count()).toBe(0);
		expect(await devices.get('facilitator')!.page.getByTestId('home-more').getByTestId('link-polls').count()).toBe(1);
	});

	it("a project's tabs are all in sight", async () => {
		const page = devices.get('facilitator')!.page;
		await page.getByTestId('link-projects').click();
		const item = page.getByTestId('project-item').first().getByRole('link');
		await item.waitFor({ timeout: 15_000 });
		await item.click();
		const tabs = page.locator('[data-testid^=tab-]');
		await tabs.first().waitFor({ timeout: 15_000 });
		expect(await tabs.count()).toBe(7);
		expect(await allInSight(page.locator('nav:has([data-testid=tab-funding])'))).toEqual([]);
		// Each can be tapped where it is.
		await page.getByTestId('tab-timeline').click();
		await expect.poll(() => page.getByTestId('tab-timeline').getAttribute('aria-current')).toBe('page');
		expect(await overflow(page)).toBeLessThanOrEqual(0);
	});
});
