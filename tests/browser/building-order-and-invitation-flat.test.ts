/**
 * Issue #12, items 7 and 8, at 360 px against the real relay (seeded demo: 1栋 … 20栋, six floors each):
 * every list of buildings is in natural order (1栋, 2栋 … 10栋, never 10栋 … 19栋, 1栋, 20栋, 2栋), and an
 * invitation for a flat that does not exist is caught before it is issued: 2栋 1单元 999 is refused by the
 * building's plan, and a flat the register on the admin's device does not list (checked with the relay cut) is
 * issued only once the admin confirms it exists.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { caughtUp } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitForServiceWorker, waitUntil, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinInBrowser } from './invite';

const NATURAL = Array.from({ length: 20 }, (_, i) => `${i + 1}栋`);

const optionTexts = (page: Page, testid: string) =>
	page.getByTestId(testid).evaluate((el) => [...(el as HTMLSelectElement).options].filter((o) => o.value).map((o) => o.text.trim()));

describe('buildings in natural order; invitations for flats that do not exist', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let page: Page;
	let link: RelayLink;
	/** A flat of 2栋 unit 1 inside the building's plan that the register does not list. */
	let unlisted: string;

	beforeAll(async () => {
		const demo = buildDemo();
		const b2 = demo.community.buildings.find((b) => b.name === '2栋')!;
		const listed = new Set([...demo.households.values()].flat().map((h) => h.id));
		const rooms = Array.from({ length: b2.floors * b2.roomsPerFloor }, (_, i) => `${Math.floor(i / b2.roomsPerFloor) + 1}0${(i % b2.roomsPerFloor) + 1}`);
		unlisted = rooms.find((r) => !listed.has(`${b2.id}-1-${r}`))!;
		expect(unlisted).toBeTruthy();

		({ relay, browser } = await startApp());
		const context = await newAppContext(browser);
		link = await relayLink(context);
		page = await context.newPage();
		await joinInBrowser(page, await relay.invite({ role: 'community_admin', community: DEMO }), '李主任');
		await page.getByTestId('join-start').click();
		await waitUntil(() => caughtUp(page), 20_000, 'the first sync');
		await waitForServiceWorker(page);
	});

	afterAll(() => stopApp(browser, relay));

	it('the household picker lists 1栋, 2栋 … 10栋 in natural order', async () => {
		await page.goto(`${relay.url}/proposals/new`);
		const picker = page.getByTestId('household-picker').getByTestId('pick-building');
		await picker.waitFor({ timeout: 20_000 });
		// Every building of the demo has registered flats once all four grids' registers are here.
		await expect.poll(() => optionTexts(page, 'pick-building'), { timeout: 20_000 }).toHaveLength(20);
		expect(await optionTexts(page, 'pick-building')).toEqual(NATURAL);
	});

	it('the invitation form lists buildings in the same order', async () => {
		await page.goto(`${relay.url}/admin/invitations`);
		await page.getByTestId('invite-building').waitFor();
		await expect.poll(() => optionTexts(page, 'invite-building')).toHaveLength(20);
		expect(await optionTexts(page, 'invite-building')).toEqual(NATURAL);
	});

	it('the invitation form refuses 2栋 1单元 999, and a unit the building does not have', async () => {
		await page.goto(`${relay.url}/admin/invitations`);
		await page.getByTestId('invite-building').waitFor();
		await expect.poll(() => optionTexts(page, 'invite-building')).toHaveLength(20);
		await page.getByTestId('invite-building').selectOption({ label: '2栋' });
		await page.getByTestId('invite-unit').fill('1');
		await page.getByTestId('invite-room').fill('999');
		const error = page.getByTestId('invite-flat-error');
		await error.waitFor({ timeout: 5_000 });
		expect(await error.getAttribute('data-code')).toBe('floor_not_in_plan');
		expect(await error.innerText()).toContain('2栋只有 6 层');
		await page.getByTestId('invite-create').click();
		await page.waitForTimeout(500);
		expect(await page.getByTestId('invitation-card').count()).toBe(0);
		expect(await page.getByTestId('invite-room').getAttribute('aria-invalid')).toBe('true');

		// A unit the building does not have.
		await page.getByTestId('invite-unit').fill('9');
		await page.getByTestId('invite-room').fill('101');
		await expect.poll(() => error.getAttribute('data-code')).toBe('unit_not_in_plan');
	});

	it('a flat missing from the register on this device (checked offline) is issued only once the admin confirms', async () => {
		await link.cut();
		await page.reload();
		await page.getByTestId('invite-building').waitFor();
		await expect.poll(() => optionTexts(page, 'invite-building')).toHaveLength(20);
		await page.getByTestId('invite-building').selectOption({ label: '2栋' });
		await page.getByTestId('invite-unit').fill('1');

		// A registered flat: no warning.
		const demo = buildDemo();
		const listedRoom = [...demo.households.values()].flat().find((h) => h.building === 'b02' && h.unit === 1)!.room;
		await page.getByTestId('invite-room').fill(listedRoom);
		await expect.poll(() => page.getByText(`住户：2栋 1单元 ${listedRoom}`).count()).toBeGreaterThan(0);
		await page.waitForTimeout(300);
		expect(await page.getByTestId('invite-flat-unregistered').count()).toBe(0);

		await page.getByTestId('invite-room').fill(unlisted);
		const warning = page.getByTestId('invite-flat-unregistered');
		await warning.waitFor({ timeout: 5_000 });
		expect(await warning.innerText()).toContain('住户名册里没有');
		expect(link.isCut).toBe(true);
		expect(link.blocked).toBeGreaterThan(0);

		link.restore();
		await expect.poll(() => page.getByTestId('invite-create').isEnabled(), { timeout: 20_000 }).toBe(true);
		// Not confirmed: nothing is issued.
		await page.getByTestId('invite-create').click();
		await page.waitForTimeout(500);
		expect(await page.getByTestId('invitation-card').count()).toBe(0);
		expect(await page.getByTestId('invite-flat-confirm').getAttribute('aria-invalid')).toBe('true');

		await page.getByTestId('invite-flat-confirm').check();
		await page.getByTestId('invite-create').click();
		await page.getByTestId('invitation-card').waitFor({ timeout: 10_000 });
		expect(await page.getByTestId('invitation-card').innerText()).toContain(unlisted);
		await page.getByTestId('invite-unregistered-note').waitFor();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	});
});
