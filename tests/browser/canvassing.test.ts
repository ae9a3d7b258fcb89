/**
 * Canvassing in a real browser against the real relay (seeded demo community): a grid worker finds a
 * household in two taps and records a visit in three, registers a flat at the door, files a proposal for a
 * household from its visit, and imports and exports the register — a bad file reports every bad row and
 * imports nothing. The coverage page follows each step. A facilitator reads it all without edit controls.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitUntil, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinInBrowser, joinWith } from './invite';

const GRID = 'g1';

async function coverageTotal(page: Page, relay: RelayHandle) {
	await page.goto(`${relay.url}/coverage?grid=${GRID}`);
	const total = page.getByTestId('coverage-total');
	await total.waitFor({ timeout: 15_000 });
	const n = async (attr: string) => Number(await total.getAttribute(attr));
	return { households: await n('data-households'), visited: await n('data-visited'), notHome: await n('data-not-home'), needs: await n('data-needs') };
}

describe('canvassing', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let page: Page;
	let link: RelayLink;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		const context = await newAppContext(browser);
		page = await context.newPage();
		await page.setViewportSize({ width: 360, height: 740 });
		link = await relayLink(page);
		await joinInBrowser(page, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), '王海涛');
		await page.getByTestId('join-start').click();
		await waitUntil(() => caughtUp(page), 20_000, 'the first sync');
	});

	afterAll(() => stopApp(browser, relay));

	it('finds a household in two taps and records a visit in three', async () => {
		const before = await coverageTotal(page, relay);
		expect(before.households).toBeGreaterThan(50);

		await page.getByTestId('nav-households').click();
		await expect.poll(() => page.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(10);
		// A building with a flat not visited yet this month. Tap 1: the building; its flats, each marked.
		const id = (await page.locator('[data-testid=household-row][data-status=none]').first().getAttribute('data-id'))!;
		const building = id.split('-')[0]!;
		await page.locator(`[data-testid=building-chip][data-building=${building}]`).click();
		await expect.poll(() => new URL(page.url()).searchParams.get('building')).toBe(building);
		expect(await page.getByTestId('building').count()).toBe(1);
		// Tap 2: the flat. Then the visit in the common case: the outcome, save.
		await page.locator(`[data-testid=household-row][data-id="${id}"]`).click();
		await page.getByTestId('household-card').waitFor();
		expect(await page.getByTestId('visit-state').getAttribute('data-status')).toBe('none');
		await page.getByTestId('outcome-talked').check();
		await page.getByTestId('need-repair').check();
		await page.getByTestId('needs-text').fill('楼道灯坏了');
		await page.getByTestId('visit-save').click();

		// Back on the finder, at the same building, the flat now marked visited.
		await page.getByTestId('visit-saved').waitFor();
		expect(new URL(page.url()).searchParams.get('building')).toBe(building);
		await expect.poll(() => page.locator(`[data-testid=household-row][data-id="${id}"]`).getAttribute('data-status')).toBe('talked');

		const after = await coverageTotal(page, relay);
		expect(after.visited).toBe(before.visited + 1);
		expect(after.needs).toBe(before.needs + 1);
	});

	it('finds a household by typing its room number or a name', async () => {
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		const row = page.getByTestId('household-row').nth(3);
		await row.waitFor({ timeout: 15_000 });
		const id = (await row.getAttribute('data-id'))!;
		const [b, unit, room] = id.split('-') as [string, string, string];
		await page.getByTestId('finder-search').fill(`${Number(b.slice(1))}-${unit}-${room}`);
		await expect.poll(() => page.getByTestId('finder-hit').first().getAttribute('data-id')).toBe(id);
		await page.getByTestId('finder-search').fill('不存在的人');
		await page.getByTestId('finder-nohits').waitFor();
	});

	it('registers a flat at the door and records that nobody was home', async () => {
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		const empty = page.locator('a[data-testid=flat-empty]').first();
		await empty.waitFor({ timeout: 15_000 });
		const id = (await empty.getAttribute('data-id'))!;
		await empty.click();
		await page.getByTestId('household-unregistered').waitFor();
		await page.getByTestId('edit-household').click();
		await page.getByTestId('hh-area').fill('');
		await page.getByTestId('hh-save').click();
		await page.getByTestId('hh-issues').waitFor();
		await page.getByTestId('hh-area').fill('88.5');
		await page.getByTestId('hh-member-name').first().fill('测试住户');
		await page.getByTestId('hh-tag-elderly_alone').check();
		await page.getByTestId('hh-save').click();
		await page.getByTestId('household-saved').waitFor();
		await expect.poll(() => page.getByTestId('household-members').innerText()).toContain('测试住户');

		await page.getByTestId('outcome-not_home').check();
		await page.getByTestId('visit-save').click();
		await page.getByTestId('visit-saved').waitFor();
		await expect.poll(() => page.locator(`[data-testid=household-row][data-id="${id}"]`).getAttribute('data-status')).toBe('not_home');
	});

	it('files a proposal for a household from its visit, linked to the visit', async () => {
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		const row = page.locator('[data-testid=household-row][data-status=none]').first();
		await row.waitFor({ timeout: 15_000 });
		const id = (await row.getAttribute('data-id'))!;
		await row.click();
		await page.getByTestId('outcome-talked').check();
		await page.getByTestId('file-proposal').click();
		await expect.poll(() => new URL(page.url()).pathname).toBe('/proposals/new');
		const params = new URL(page.url()).searchParams;
		expect(params.get('household')).toBe(id);
		expect(params.get('channel')).toBe('visit');
		await page.getByTestId('prefilled-household').waitFor();
		await page.getByTestId('field-title').fill('楼下路灯不亮');
		await page.getByTestId('field-description').fill('入户走访时居民反映，楼下两盏路灯坏了一个多月。');
		await page.getByTestId('category-safety').check();
		await page.getByTestId('submit').click();
		await expect.poll(() => new URL(page.url()).pathname).toBe('/proposal');

		await page.goto(`${relay.url}/visit?grid=${GRID}&household=${id}`);
		await expect.poll(() => page.getByTestId('visit-state').getAttribute('data-status')).toBe('talked');
		await expect.poll(() => page.getByTestId('visit-history').innerText()).toMatch(/已为该户提交建议/);
		await expect.poll(() => page.getByTestId('household-proposal').count()).toBeGreaterThan(0);
	});

	it('imports nothing from a file with bad rows, lists each one, then imports a good file and exports', async () => {
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		const empties = page.locator('a[data-testid=flat-empty]');
		await empties.first().waitFor({ timeout: 15_000 });
		const [a, b] = [(await empties.nth(0).getAttribute('data-id'))!, (await empties.nth(1).getAttribute('data-id'))!];
		const row = (id: string, area: string) => {
			const [building, unit, room] = id.split('-') as [string, string, string];
			return `${Number(building.slice(1))}栋,${unit},${room},${area},王新,王新,13800001111,志愿者`;
		};
		const header = '楼栋,单元,房号,面积（㎡）,成员,联系人,联系电话,标签';
		const countBefore = await page.getByTestId('household-row').count();

		await page.getByTestId('to-import').click();
		await page.getByTestId('import-file').waitFor();
		const bad = [header, row(a, '90'), row(b, '很大'), '99栋,1,101,80,,,,', row(a, '90')].join('\r\n');
		await page.getByTestId('import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
		await page.getByTestId('import-problems').waitFor();
		const issues = page.getByTestId('import-issue');
		expect(await issues.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-row')}:${r.getAttribute('data-code')}`))).toEqual([
			'3:not_a_number',
			'4:unknown_building',
			'5:duplicate_in_file'
		]);
		expect(await page.getByTestId('import-confirm').count()).toBe(0);

		const notXlsx = await page.getByTestId('import-file');
		await notXlsx.setInputFiles({ name: 'broken.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('PK\u0003\u0004 truncated') });
		await expect.poll(() => page.getByTestId('import-error').innerText()).toContain('不完整');

		const good = [header, row(a, '90'), row(b, '76.5')].join('\r\n');
		await page.getByTestId('import-file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
		await page.getByTestId('import-confirm').click();
		await page.getByTestId('import-done').waitFor();

		const download = page.waitForEvent('download');
		await page.getByTestId('export-csv').click();
		const file = await (await download).path();
		const text = readFileSync(file, 'utf8');
		expect(text.startsWith('\ufeff楼栋,单元,房号')).toBe(true);
		expect(text).toContain(a);
		expect(text).toContain(b);

		// A workbook exported here imports back with nothing to change.
		const xlsxDownload = page.waitForEvent('download');
		await page.getByTestId('export-xlsx').click();
		const xlsx = readFileSync(await (await xlsxDownload).path());
		expect(xlsx.subarray(0, 2).toString()).toBe('PK');
		await page.getByTestId('import-update').check();
		await page.getByTestId('import-file').setInputFiles({ name: 'register.xlsx', mimeType: 'application/octet-stream', buffer: xlsx });
		await page.getByTestId('import-nothing').waitFor();
		expect(await page.getByTestId('import-plan').innerText()).toContain(`无变化 ${countBefore + 2} 户`);

		await page.goto(`${relay.url}/households?grid=${GRID}`);
		await expect.poll(() => page.getByTestId('household-row').count(), { timeout: 15_000 }).toBe(countBefore + 2);
	});

	it('records visits without signal; they reach a facilitator by themselves once it returns', async () => {
		const context = await newAppContext(browser);
		const other = await context.newPage();
		await joinWith(other, await relay.invite({ role: 'facilitator', community: DEMO }), '林晓燕');
		await other.goto(`${relay.url}/households?grid=${GRID}`);
		await expect.poll(() => other.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(10);

		await link.cut();
		await expect.poll(() => page.getByTestId('status-bar').getAttribute('data-connection')).not.toBe('online');
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		const ids: string[] = [];
		for (let i = 0; i < 2; i++) {
			const row = page.locator('[data-testid=household-row][data-status=none]').first();
			await row.waitFor({ timeout: 15_000 });
			const id = (await row.getAttribute('data-id'))!;
			ids.push(id);
			await row.click();
			await page.getByTestId('outcome-not_home').check();
			await page.getByTestId('visit-save').click();
			await page.getByTestId('visit-saved').waitFor();
			await expect.poll(() => page.locator(`[data-testid=household-row][data-id="${id}"]`).getAttribute('data-status')).toBe('not_home');
		}
		expect(Number(await page.getByTestId('pending').getAttribute('data-count'))).toBeGreaterThan(0);
		for (const id of ids) expect(await other.locator(`[data-testid=household-row][data-id="${id}"]`).getAttribute('data-status')).toBe('none');

		link.restore();
		await expect.poll(() => caughtUp(page), { timeout: 30_000 }).toBe(true);
		await expect.poll(() => page.getByTestId('pending').getAttribute('data-count'), { timeout: 15_000 }).toBe('0');
		for (const id of ids) {
			await expect.poll(() => other.locator(`[data-testid=household-row][data-id="${id}"]`).getAttribute('data-status'), { timeout: 15_000 }).toBe('not_home');
		}
		await context.close();
	});

	it('lets a facilitator read the finder and coverage without edit controls', async () => {
		const context = await newAppContext(browser);
		const other = await context.newPage();
		await joinWith(other, await relay.invite({ role: 'facilitator', community: DEMO }), '周主持');
		await other.goto(`${relay.url}/households?grid=${GRID}`);
		await expect.poll(() => other.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(10);
		// The grid worker's visits reached the facilitator through the relay.
		await expect.poll(() => other.locator('[data-testid=household-row][data-status=talked]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
		expect(await other.getByTestId('read-only').count()).toBe(1);
		expect(await other.getByTestId('to-import').count()).toBe(0);
		expect(await other.locator('a[data-testid=flat-empty]').count()).toBe(0);
		await other.locator('[data-testid=household-row]').first().click();
		await other.getByTestId('household-card').waitFor();
		expect(await other.getByTestId('visit-form').count()).toBe(0);
		await other.goto(`${relay.url}/households/import?grid=${GRID}`);
		await other.getByTestId('import-refused').waitFor();
		await context.close();
	});
});
