/**
 * Acceptance story 5, the rooms half (活动室申领), in real Chromium at 360 px against the real relay with the
 * seeded demo community, on three devices: a facilitator (社工) and residents of two households, A and B.
 *
 * A and B lose the network for real (browser offline and every relay socket refused, both asserted) and each
 * books the same free hour of the activity room; each screen says the request is saved on the device as 待确认.
 * They reconnect one after the other, so the relay receives A's first. Both bookings survive the merge; the
 * facilitator's 待处理 shows the clash with both households by address, and settles it 按先到先得. A then sees
 * 已确认; B sees 未通过 with the reason (first come by the relay's receipt) and the free hours left that day, and
 * books one of them in a tap. A books a weekly series and is told how many were created and skipped, and
 * exports the household's calendar: the .ics file holds one VEVENT per active booking, with the room's name.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import { instantOf } from '../../src/lib/domain/rooms';
import type { Household } from '../../src/lib/schema/households-doc';
import { pending } from './app-page';
import { startApp, stopApp, type InviteOptions, type RelayHandle } from './harness';
import { DEMO, type Device, installedDevice } from './invite';
import { fits, goOffline, goOnline, synced } from './story-kit';

// A and B: households of the first grid with no bookings in the demo (the demo resident's household excepted).
const demo = buildDemo();
const withBookings = new Set(demo.docs.filter((d) => d.name.startsWith(`${DEMO}:bookings:`)).map((d) => d.name.slice(`${DEMO}:bookings:`.length)));
const firstGrid = demo.households.get(demo.community.grids[0]!.id) ?? [];
const fresh = firstGrid.slice(1).filter((h) => !withBookings.has(h.id));
const A: Household = fresh[0]!;
const B: Household = fresh[1]!;
const ROOM = 'activity-room';
// Tomorrow (China time) is an odd day from today: the demo books the activity room on even days only.
const DAY = addDays(cstDay(Date.now()), 1);

describe('acceptance story 5, rooms: two offline bookings of one slot, flagged and settled first come', () => {
	let relay: RelayHandle;
	let browser: Browser;
	const devices: Device[] = [];
	let staff: Device;
	let a: Device;
	let b: Device;
	const url = (path: string) => `${relay.url}${path}`;

	const device = (invite: InviteOptions, name: string): Promise<Device> => installedDevice(browser, relay, invite, name, devices);

	/** Opens the activity room on the day and waits for its slots. */
	async function openRoom(page: Page): Promise<void> {
		await page.goto(url(`/room?id=${ROOM}`));
		await page.getByTestId('room-title').waitFor({ timeout: 30_000 });
		await page.getByTestId('booking-day').fill(DAY);
		await expect.poll(() => page.getByTestId('week-selected').innerText()).toBe(DAY);
	}

	/** Books DAY 10:00–11:00 on the room page; returns what the screen said. */
	async function bookTen(page: Page, purpose: string): Promise<string> {
		await openRoom(page);
		const slot = page.locator('[data-testid=slot][data-start="10:00"]');
		expect(await slot.getAttribute('data-state')).toBe('free');
		await slot.click();
		await page.getByTestId('booking-end').selectOption({ label: '11:00' });
		await page.getByTestId('booking-purpose').fill(purpose);
		await page.getByTestId('booking-people').fill('8');
		await page.getByTestId('booking-submit').click();
		const saved = page.getByTestId('booking-saved');
		await saved.waitFor({ timeout: 15_000 });
		await fits(page, 'the room page');
		return saved.innerText();
	}

	async function myBooking(page: Page, purpose: string) {
		await page.goto(url('/rooms'));
		const item = page.getByTestId('my-booking').filter({ hasText: purpose });
		await item.waitFor({ timeout: 30_000 });
		return item;
	}

	beforeAll(async () => {
		expect(A).toBeDefined();
		expect(B).toBeDefined();
		({ relay, browser } = await startApp({ ROOMS_START_DELAY: '0s' }));
	});

	afterAll(() => stopApp(browser, relay, devices));

	it('a facilitator and residents of two households join and open the activity room', async () => {
		staff = await device({ role: 'facilitator', community: DEMO }, '赵晓光');
		a = await device({ role: 'resident', community: DEMO, household: A.id }, A.members[0]?.name ?? '居民甲');
		b = await device({ role: 'resident', community: DEMO, household: B.id }, B.members[0]?.name ?? '居民乙');
		for (const d of [a, b]) {
			await openRoom(d.page);
			// The convention in force sets the hours: until 20:30.
			await expect.poll(() => d.page.getByTestId('rule-hours').first().innerText(), { timeout: 30_000 }).toContain('20:30');
			expect(await d.page.getByTestId('room-convention').count()).toBe(1);
			await synced(d.page, 'the rooms to reach the device');
		}
	}, 240_000);

	it('both go offline for real and book the same hour; each sees it saved as 待确认', async () => {
		for (const d of [a, b]) await goOffline(d);
		for (const [d, purpose] of [
			[a, '甲家读书会'],
			[b, '乙家合唱排练']
		] as const) {
			const said = await bookTen(d.page, purpose);
			expect(said).toContain('待确认');
			expect(said).toContain('联网后自动同步');
			const res = await d.page.goto(url('/rooms'));
			expect(res?.fromServiceWorker()).toBe(true);
			const item = d.page.getByTestId('my-booking').filter({ hasText: purpose });
			await item.waitFor({ timeout: 15_000 });
			expect(await item.getAttribute('data-status')).toBe('requested');
			expect(await item.getByTestId('my-booking-status').innerText()).toBe('待确认');
			expect(await pending(d.page)).toBeGreaterThanOrEqual(1);
			expect(d.link.isCut).toBe(true);
			await fits(d.page, 'my bookings');
		}
	}, 180_000);

	it('they reconnect one after the other; the clash shows on the staff device with both households', async () => {
		await goOnline(a);
		await synced(a.page, "A's booking to reach the relay");
		await goOnline(b);
		await synced(b.page, "B's booking to reach the relay");

		const page = staff.page;
		await page.goto(url('/rooms'));
		const conflict = page
			.getByTestId('conflict')
			.filter({ has: page.locator(`[data-testid=conflict-booking][data-household="${A.id}"]`) })
			.filter({ has: page.locator(`[data-testid=conflict-booking][data-household="${B.id}"]`) });
		await conflict.waitFor({ timeout: 60_000 });
		const addresses = await conflict.getByTestId('conflict-household').allInnerTexts();
		expect(addresses).toHaveLength(2);
		for (const h of [A, B]) expect(addresses.some((x) => x.includes(h.room))).toBe(true);
		// Both receipts are in: first come can be told.
		await conflict.getByTestId('conflict-first-come').waitFor({ timeout: 30_000 });
		await fits(page, 'the staff panel');
		await conflict.getByTestId('conflict-first-come').click();
		await expect.poll(() => page.getByTestId('rooms-staff-message').innerText(), { timeout: 15_000 }).toContain('已处理');
		await expect.poll(() => conflict.count(), { timeout: 15_000 }).toBe(0);
		await synced(page, 'the resolution to reach the relay');
	}, 180_000);

	it('A sees 已确认; B sees 未通过 with why and the free hours left, and rebooks in one tap', async () => {
		const won = await myBooking(a.page, '甲家读书会');
		await expect.poll(() => won.getAttribute('data-status'), { timeout: 60_000 }).toBe('confirmed');
		expect(await won.getByTestId('my-booking-status').innerText()).toBe('已确认');

		const lost = await myBooking(b.page, '乙家合唱排练');
		await expect.poll(() => lost.getAttribute('data-status'), { timeout: 60_000 }).toBe('declined');
		expect(await lost.getByTestId('my-booking-status').innerText()).toBe('未通过');
		expect(await lost.getByTestId('my-booking-reason').innerText()).toContain('先到先得');
		const alternatives = lost.getByTestId('rebook');
		await expect.poll(() => alternatives.count(), { timeout: 30_000 }).toBeGreaterThan(0);
		// 10:00 is A's now: never offered.
		for (const text of await alternatives.allInnerTexts()) expect(text).not.toContain('10:00–11:00');
		await fits(b.page, "B's bookings");
		await alternatives.first().click();
		await expect.poll(() => b.page.getByTestId('my-bookings-message').innerText(), { timeout: 15_000 }).toContain('待确认');
		await expect.poll(() => b.page.getByTestId('my-booking').count()).toBe(2);
	}, 180_000);

	it('A books a weekly series (created and skipped reported) and exports the household calendar', async () => {
		const page = a.page;
		await openRoom(page);
		await page.locator('[data-testid=slot][data-start="15:00"]').click();
		await page.getByTestId('booking-end').selectOption({ label: '16:00' });
		await page.getByTestId('booking-purpose').fill('甲家书法练习');
		await page.getByTestId('booking-people').fill('4');
		await page.getByTestId('booking-repeat').check();
		// Four weeks: the last ones lie beyond the 14 days one may book ahead, and are skipped.
		await page.getByTestId('booking-until').fill(addDays(DAY, 21));
		await page.getByTestId('booking-submit').click();
		const saved = page.getByTestId('booking-saved');
		await saved.waitFor({ timeout: 15_000 });
		const m = /已申请 (\d+) 次，跳过 (\d+) 次/.exec(await saved.innerText());
		expect(m, await saved.innerText()).not.toBeNull();
		const [created, skipped] = [Number(m![1]), Number(m![2])];
		expect(created).toBeGreaterThan(0);
		expect(skipped).toBeGreaterThan(0);
		expect(created + skipped).toBe(4);
		expect(await page.getByTestId('series-skip').count()).toBe(skipped);
		expect(await page.getByTestId('series-skip').first().innerText()).toContain('最多提前');
		await fits(page, 'the series report');

		await page.goto(url('/rooms'));
		await expect.poll(() => page.getByTestId('my-booking').filter({ hasText: '甲家书法练习' }).count(), { timeout: 15_000 }).toBe(created);
		// Reminders: the household's bookings starting within 24 hours head the page.
		const ten = instantOf(DAY, '10:00');
		const reminder = page.getByTestId('rooms-reminder').filter({ hasText: '甲家读书会' });
		expect(await reminder.count()).toBe(ten - Date.now() < 24 * 3_600_000 ? 1 : 0);
		const active = await page.locator('[data-testid=my-booking][data-status=requested], [data-testid=my-booking][data-status=confirmed]').count();
		expect(active).toBe(created + 1);
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-mine').click()]);
		expect(download.suggestedFilename()).toBe(`rooms-${A.id}.ics`);
		const path = await download.path();
		const ics = readFileSync(path!, 'utf8').replace(/\r\n[ \t]/g, '');
		expect(ics).toContain('BEGIN:VCALENDAR');
		expect(ics.match(/BEGIN:VEVENT/g)?.length).toBe(active);
		const summaries = ics.split(/\r?\n/).filter((l) => l.startsWith('SUMMARY'));
		expect(summaries).toHaveLength(active);
		expect(summaries.filter((s) => s.includes('活动室：甲家书法练习'))).toHaveLength(created);
		expect(summaries.some((s) => s.includes('活动室：甲家读书会'))).toBe(true);
	}, 180_000);

	it('staff award the points the convention in force gives for leaving the room clean, once per booking', async () => {
		const page = staff.page;
		await page.goto(url('/rooms'));
		// The demo's confirmed bookings of the last week in the activity room, whose convention gives 5 points.
		const first = page.getByTestId('cleaning-booking').first();
		await first.waitFor({ timeout: 30_000 });
		const booking = await first.getAttribute('data-booking');
		const before = await page.getByTestId('cleaning-booking').count();
		expect(await first.getByTestId('cleaning-award').innerText()).toContain('记 5 分');
		await first.getByTestId('cleaning-award').click();
		await expect.poll(() => page.locator(`[data-testid=cleaning-booking][data-booking="${booking}"]`).count(), { timeout: 15_000 }).toBe(0);
		expect(await page.getByTestId('cleaning-booking').count()).toBe(before - 1);
		await fits(page, 'the cleaning points');
		await synced(page, 'the award to reach the relay');
	}, 120_000);
});

