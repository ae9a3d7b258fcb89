/**
 * Acceptance story 5, the points half (积分存折), in real Chromium against the real relay with the seeded demo
 * community, on three devices: a facilitator (社工), the community admin and a resident of household H.
 *
 * The facilitator sets up an activity and a catalogue item with a small stock on the points settings screen.
 * Their device loses the network for real (browser offline and every relay socket refused, both asserted) and
 * records the activity's service for H and a neighbour in a few taps; the screen says it is saved on the device,
 * and once the network returns the award reaches the relay without a tap. The resident's passbook shows the
 * points and the activity. Both staff devices then go offline for real and each redeems the item for H at the
 * counter — its price the balance covers once, not twice — and each shows a redemption code (兑换码). Back
 * online, the merge overdraws H: the facilitator's 待办 flags it with both redemptions, the admin resolves it
 * by reversing one with a note, and the resident's passbook shows every step with the balance back above zero.
 * The public board the relay publishes counts the returned item back into stock. Last, the admin corrects the
 * redemption still standing from H's passbook with a reason; the resident sees the reversal, never a deletion.
 */
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { redemptionCode } from '../../src/lib/domain/points';
import type { Household } from '../../src/lib/schema/households-doc';
import { connection, pending } from './app-page';
import { startApp, stopApp, type InviteOptions, type RelayHandle } from './harness';
import { DEMO, type Device, installedDevice } from './invite';
import { fits, goOffline, goOnline, synced } from './story-kit';

// H and a neighbour: the first two households of the first grid that share a unit and have no passbook in the
// demo (so every line of H's passbook is this story's), the demo resident's household excepted.
const demo = buildDemo();
const withBook = new Set(demo.docs.filter((d) => d.name.startsWith(`${DEMO}:passbook:`)).map((d) => d.name.slice(`${DEMO}:passbook:`.length)));
const firstGrid = demo.households.get(demo.community.grids[0]!.id) ?? [];
const fresh = firstGrid.slice(1).filter((h) => !withBook.has(h.id));
const H: Household = fresh[0]!;
const NEIGHBOUR: Household = fresh.find((h) => h !== H && h.building === H.building && h.unit === H.unit)!;
const multiUnit = (h: Household) => (demo.community.buildings.find((b) => b.id === h.building)?.units ?? 1) > 1;

// The books of the story: an activity worth 30 points; an item of 20, so 30 covers one redemption, not two.
const POINTS = 30;
const HOURS = 2;
const PRICE = 20;
const STOCK = 3;

/** A redemption code as derived: six characters without 0/O or 1/I. */
const CODE = /^[2-9A-HJ-NP-Z]{6}$/;

/** Taps a household in the counter's finder: building, unit (when the building has several), room. */
async function pickHousehold(scope: Locator, h: Household): Promise<void> {
	await scope.getByTestId('pick-building').selectOption(h.building);
	if (multiUnit(h)) await scope.getByTestId('pick-unit').nth(h.unit - 1).click();
	await scope.locator(`[data-testid=pick-room][data-household="${h.id}"]`).click();
}

describe('acceptance story 5, points: earned offline, seen by the resident, overdrawn offline, flagged and resolved', () => {
	let relay: RelayHandle;
	let browser: Browser;
	const devices: Device[] = [];
	let facilitator: Device;
	let admin: Device;
	let resident: Device;
	const stamp = Date.now().toString(36);
	const activityName = `楼道清扫 ${stamp}`;
	const itemName = `粮油券 ${stamp}`;
	const reverseNote = `两台设备离线时重复兑换，撤销第二张券 ${stamp}`;
	let activityId = '';
	let itemId = '';
	const codes = { facilitator: '', admin: '' };
	let flagKey = '';

	const url = (path: string) => `${relay.url}${path}`;

	const device = (invite: InviteOptions, name: string): Promise<Device> => installedDevice(browser, relay, invite, name, devices);

	/** Opens the counter, finds H and waits for the balance this device holds. */
	async function counter(d: Device, balance: number): Promise<Locator> {
		await d.page.goto(url('/points?tab=redeem'));
		const form = d.page.getByTestId('redeem-form');
		await pickHousehold(form.getByTestId('redeem-household'), H);
		await expect.poll(() => form.getByTestId('redeem-balance').getAttribute('data-balance'), { timeout: 30_000 }).toBe(String(balance));
		return form;
	}

	/** Redeems one of the item for H on the counter form; returns the code the screen shows. */
	async function redeem(d: Device, form: Locator): Promise<string> {
		await form.locator(`[data-testid=redeem-item][data-item="${itemId}"]`).check();
		await expect.poll(() => form.getByTestId('redeem-cost').innerText()).toContain(String(PRICE));
		// The balance seen here covers it: no warning at this counter.
		expect(await form.getByTestId('redeem-short').count()).toBe(0);
		await form.getByTestId('redeem-submit').click();
		const saved = form.getByTestId('redeem-saved');
		await saved.waitFor({ timeout: 15_000 });
		expect(await saved.innerText()).toContain('联网后自动同步');
		const card = d.page.getByTestId('redeem-code-card');
		await card.waitFor();
		expect(await card.innerText()).toContain(itemName);
		const code = (await card.getByTestId('redeem-code').innerText()).trim();
		expect(code).toMatch(CODE);
		expect(await saved.innerText()).toContain(code);
		await fits(d.page, 'the counter with its code');
		return code;
	}

	beforeAll(async () => {
		// The story's premises, from the same seed the relay uses.
		expect(H).toBeDefined();
		expect(NEIGHBOUR).toBeDefined();
		expect(withBook.has(H.id) || withBook.has(NEIGHBOUR.id)).toBe(false);
		expect(POINTS >= PRICE && POINTS < 2 * PRICE).toBe(true);
		({ relay, browser } = await startApp({ POINTS_BOARD_START_DELAY: '0s' }));
	});

	afterAll(() => stopApp(browser, relay, devices));

	it('a facilitator, the community admin and a resident of H join; the facilitator sets up an activity and an item', async () => {
		facilitator = await device({ role: 'facilitator', community: DEMO }, '赵晓光');
		admin = await device({ role: 'community_admin', community: DEMO }, '钱慧敏');
		resident = await device({ role: 'resident', community: DEMO, household: H.id }, H.members[0]?.name ?? '居民');

		const page = facilitator.page;
		await page.goto(url('/points?tab=settings'));
		const activities = page.getByTestId('settings-activities');
		await activities.getByTestId('activity-name').fill(activityName, { timeout: 30_000 });
		await activities.getByTestId('activity-points').fill(String(POINTS));
		await activities.getByTestId('activity-hours').fill(String(HOURS));
		await activities.getByTestId('activity-save').click();
		await expect.poll(() => activities.getByTestId('activity-saved').innerText(), { timeout: 15_000 }).toContain(activityName);
		await fits(page, 'the settings screen');
		const activityRow = activities.getByTestId('activity-row').filter({ hasText: activityName });
		await activityRow.waitFor();
		activityId = (await activityRow.getAttribute('data-activity')) ?? '';
		expect(activityId).not.toBe('');

		const items = page.getByTestId('settings-items');
		await items.getByTestId('item-name').fill(itemName);
		await items.getByTestId('item-price').fill(String(PRICE));
		await items.getByTestId('item-unit').fill('张');
		await items.getByTestId('item-save').click();
		await expect.poll(() => items.getByTestId('item-saved').innerText(), { timeout: 15_000 }).toContain(itemName);
		const itemRow = items.getByTestId('item-row').filter({ hasText: itemName });
		await itemRow.waitFor();
		itemId = (await itemRow.getAttribute('data-item')) ?? '';
		expect(itemId).not.toBe('');
		expect(await itemRow.getAttribute('data-remaining')).toBe('0');

		// A small stock brought in.
		await itemRow.getByTestId('item-restock').click();
		const restock = itemRow.getByTestId('restock-form');
		await restock.getByTestId('restock-quantity').fill(String(STOCK));
		await restock.getByTestId('restock-note').fill('街道配送首批');
		await restock.getByTestId('restock-save').click();
		await expect.poll(() => itemRow.getAttribute('data-remaining'), { timeout: 15_000 }).toBe(String(STOCK));
		await synced(page, 'the settings to reach the relay');
	}, 240_000);

	it("the facilitator's device goes offline for real and records the activity's service for H and a neighbour", async () => {
		const page = facilitator.page;
		await goOffline(facilitator);
		// The award screen opens without the network, from the installed app and this device's copy.
		const res = await page.goto(url('/points?tab=award'));
		expect(res?.fromServiceWorker()).toBe(true);
		await expect.poll(() => connection(page)).not.toBe('online');
		const form = page.getByTestId('award-form');
		await form.getByTestId('award-activity').selectOption(activityId, { timeout: 20_000 });
		await expect.poll(() => form.getByTestId('award-amount').inputValue()).toBe(String(POINTS));

		// A few taps: the building, the unit, both rooms.
		await form.getByTestId('multi-building').selectOption(H.building);
		if (multiUnit(H)) await form.getByTestId('multi-unit').nth(H.unit - 1).click();
		await form.locator(`[data-testid=multi-room][data-household="${H.id}"]`).click();
		await form.locator(`[data-testid=multi-room][data-household="${NEIGHBOUR.id}"]`).click();
		await expect.poll(() => form.getByTestId('multi-count').getAttribute('data-count')).toBe('2');
		expect(await form.getByTestId('award-needs-approval').count()).toBe(0);
		await form.getByTestId('award-submit').click();

		const saved = form.getByTestId('award-saved');
		await saved.waitFor({ timeout: 15_000 });
		expect(await saved.innerText()).toContain(`已为 2 户各记 ${POINTS} 分`);
		expect(await saved.innerText()).toContain('联网后自动同步');
		await expect.poll(() => pending(page)).toBeGreaterThanOrEqual(1);
		expect(await connection(page)).not.toBe('online');
		expect(facilitator.link.isCut).toBe(true);
		await fits(page, 'the award screen');
	}, 120_000);

	it('the network returns and the award syncs without a tap', async () => {
		const before = facilitator.link.connected;
		await goOnline(facilitator);
		await synced(facilitator.page, "the facilitator's award to reach the relay");
		expect(facilitator.link.connected).toBeGreaterThan(before);
		// The admin's device, online all along, has it from the relay: the counter shows H's balance.
		await counter(admin, POINTS);
	}, 120_000);

	it("the resident's passbook shows the points and the activity", async () => {
		const page = resident.page;
		await page.goto(url('/passbook'));
		const book = page.getByTestId('passbook');
		await book.waitFor({ timeout: 30_000 });
		expect(await book.getAttribute('data-household')).toBe(H.id);
		await expect.poll(() => page.getByTestId('passbook-balance').getAttribute('data-balance'), { timeout: 30_000 }).toBe(String(POINTS));
		const award = page.locator('[data-testid=passbook-line][data-kind=award]');
		await expect.poll(() => award.count()).toBe(1);
		expect(await award.getAttribute('data-status')).toBe('counted');
		const text = await award.innerText();
		expect(text).toContain(activityName);
		expect(text).toContain(`+${POINTS}`);
		expect(text).toContain('赵晓光');
		expect(await page.getByTestId('passbook-hours').innerText()).toContain(String(HOURS));
		// The catalogue is in the passbook too, with the new item's price.
		expect(await page.getByTestId('passbook-catalogue').innerText()).toContain(itemName);
	}, 120_000);

	it('both staff devices go offline for real and each redeems the item for H at the counter, showing a 兑换码', async () => {
		// Each counter sees the balance the award left, which covers the item once.
		await Promise.all([facilitator, admin].map((d) => counter(d, POINTS)));
		await goOffline(facilitator);
		await goOffline(admin);

		for (const [d, key] of [
			[facilitator, 'facilitator'],
			[admin, 'admin']
		] as const) {
			// At the counter without the network: the screen reopens from the installed app and this device's copy.
			const res = await d.page.reload();
			expect(res?.fromServiceWorker()).toBe(true);
			const form = d.page.getByTestId('redeem-form');
			await pickHousehold(form.getByTestId('redeem-household'), H);
			await expect.poll(() => form.getByTestId('redeem-balance').getAttribute('data-balance'), { timeout: 20_000 }).toBe(String(POINTS));
			codes[key] = await redeem(d, form);
			// This device knows only its own redemption.
			await expect.poll(() => form.getByTestId('redeem-balance').getAttribute('data-balance')).toBe(String(POINTS - PRICE));
			await expect.poll(() => pending(d.page)).toBeGreaterThanOrEqual(1);
		}
		expect(codes.facilitator).not.toBe(codes.admin);
		for (const d of [facilitator, admin]) {
			expect(d.link.isCut).toBe(true);
			expect(await connection(d.page)).not.toBe('online');
		}
	}, 180_000);

	it("both reconnect; a staff device's 待办 flags the overdraft with both redemptions", async () => {
		await goOnline(facilitator);
		await goOnline(admin);
		await synced(facilitator.page, "the facilitator's redemption to reach the relay");
		await synced(admin.page, "the admin's redemption to reach the relay");

		const page = facilitator.page;
		await page.goto(url('/points?tab=todo'));
		const flag = page.locator('[data-testid=flag][data-kind=overdraft]').filter({ hasText: itemName });
		await flag.waitFor({ timeout: 60_000 });
		await expect.poll(() => page.getByTestId('points-todo-count').innerText()).toMatch(/^[1-9]\d*$/);
		flagKey = (await flag.getAttribute('data-flag')) ?? '';
		expect(flagKey).toMatch(/^overdraft:/);
		// Both redemptions are listed, each the one whose code a counter showed.
		const involved = flag.getByTestId('flag-transfer');
		await expect.poll(() => involved.count()).toBe(2);
		const ids = await involved.evaluateAll((els) => els.map((el) => el.getAttribute('data-transfer') ?? ''));
		expect(ids.map(redemptionCode).sort()).toEqual([codes.facilitator, codes.admin].sort());
		expect(await flag.innerText()).toContain(`的余额比下限少了 ${2 * PRICE - POINTS} 分`);
		for (const name of ['赵晓光', '钱慧敏']) expect(await involved.filter({ hasText: name }).count()).toBe(1);

		// Before anyone decides, the resident's passbook already shows both redemptions and the overdrawn balance.
		await resident.page.goto(url('/passbook'));
		await expect.poll(() => resident.page.getByTestId('passbook-balance').getAttribute('data-balance'), { timeout: 30_000 }).toBe(String(POINTS - 2 * PRICE));
		expect(await resident.page.locator('[data-testid=passbook-line][data-kind=redeem]').count()).toBe(2);
	}, 180_000);

	it('the community admin resolves it by reversing one redemption, with a note', async () => {
		const page = admin.page;
		await page.goto(url('/points?tab=todo'));
		const flag = page.locator(`[data-testid=flag][data-flag="${flagKey}"]`);
		await flag.waitFor({ timeout: 60_000 });
		await flag.getByTestId('flag-resolve').click();
		const form = flag.getByTestId('flag-form');
		await form.locator('[data-testid=flag-action][data-action=reverse]').check();
		// The admin takes back their own: the second coupon was never handed over.
		const ids = await flag.getByTestId('flag-transfer').evaluateAll((els) => els.map((el) => el.getAttribute('data-transfer') ?? ''));
		const reversed = ids.find((id) => redemptionCode(id) === codes.admin)!;
		expect(reversed).toBeDefined();
		await form.locator(`[data-testid=flag-target][data-transfer="${reversed}"]`).check();
		await form.getByTestId('flag-note').fill(reverseNote);
		await fits(page, 'the 待办 screen with the decision open');
		await form.getByTestId('flag-submit').click();
		await expect.poll(() => page.getByTestId('flag-saved').innerText(), { timeout: 15_000 }).toContain('已记录处理结果');
		await expect.poll(() => flag.count()).toBe(0);
		const done = page.locator(`[data-testid=resolved-flag][data-flag="${flagKey}"]`);
		await done.waitFor();
		expect(await done.getAttribute('data-action')).toBe('reverse');
		expect(await done.innerText()).toContain(reverseNote);
		await synced(page, "the admin's decision to reach the relay");

		// The facilitator's 待办 follows: the flag is settled there too.
		const other = facilitator.page.locator(`[data-testid=resolved-flag][data-flag="${flagKey}"]`);
		await other.waitFor({ timeout: 60_000 });
		expect(await facilitator.page.locator(`[data-testid=flag][data-flag="${flagKey}"]`).count()).toBe(0);
	}, 180_000);

	it("the resident's passbook shows every step, and the balance back above zero", async () => {
		const page = resident.page;
		await page.goto(url('/passbook'));
		await page.getByTestId('passbook').waitFor({ timeout: 30_000 });
		const balance = POINTS - PRICE;
		await expect.poll(() => page.getByTestId('passbook-balance').getAttribute('data-balance'), { timeout: 60_000 }).toBe(String(balance));
		expect(balance).toBeGreaterThanOrEqual(0);

		const line = (kind: string) => page.locator(`[data-testid=passbook-line][data-kind=${kind}]`);
		expect(await line('award').count()).toBe(1);
		expect(await line('award').innerText()).toContain(activityName);
		expect(await line('redeem').count()).toBe(2);
		for (const text of await line('redeem').allInnerTexts()) expect(text).toContain(itemName);
		// One redemption stands, the other is marked reversed; the reversal carries the admin's note.
		expect(await line('redeem').filter({ hasText: '已撤销' }).count()).toBe(1);
		expect(await line('reverse').count()).toBe(1);
		const reversal = await line('reverse').innerText();
		expect(reversal).toContain(itemName);
		expect(reversal).toContain(reverseNote);
		expect(reversal).toContain(`+${PRICE}`);
		expect(await page.getByTestId('passbook-line').count()).toBe(4);
		await fits(page, "the resident's passbook");

		// Both codes the counters showed, the reversed one marked so.
		const shown = page.getByTestId('passbook-code');
		await expect.poll(() => shown.count()).toBe(2);
		const all = (await shown.allInnerTexts()).join('\n');
		expect(all).toContain(codes.facilitator);
		expect(all).toContain(codes.admin);
		expect(await shown.filter({ hasText: codes.admin }).innerText()).toContain('已撤销');
		expect(await shown.filter({ hasText: codes.facilitator }).innerText()).not.toContain('已撤销');
	}, 120_000);

	it('the public board the relay publishes counts the returned item back into stock', async () => {
		const page = resident.page;
		await page.goto(url('/points/board'));
		const item = page.locator(`[data-testid=board-item][data-item="${itemId}"]`);
		await expect.poll(() => item.getAttribute('data-remaining', { timeout: 1_000 }).catch(() => null), { timeout: 60_000 }).toBe(String(STOCK - 1));
		// Aggregates only: no household's movements on the board.
		expect(await page.getByTestId('passbook-line').count()).toBe(0);
	}, 90_000);

	it("staff correct a mistaken redemption from H's passbook; the resident sees the reversal", async () => {
		// A keeper opens the household's passbook, reverses the redemption still standing, and must say why.
		const page = admin.page;
		await page.goto(url(`/passbook?h=${H.id}`));
		await page.getByTestId('passbook').waitFor({ timeout: 30_000 });
		const standing = page.locator('[data-testid=passbook-line][data-kind=redeem]').filter({ hasNotText: '已撤销' });
		await standing.getByTestId('reverse-line').click();
		await expect.poll(() => page.getByTestId('reverse-confirm').isDisabled()).toBe(true);
		await page.getByTestId('reverse-note').fill('兑换登记错了户');
		await page.getByTestId('reverse-confirm').click();
		await page.getByTestId('reverse-saved').waitFor({ timeout: 15_000 });
		await expect.poll(() => page.getByTestId('passbook-balance').getAttribute('data-balance')).toBe(String(POINTS));
		await fits(page, "a keeper's view of H's passbook");

		// Nothing is deleted: the resident's passbook gains a second reversal, and the balance is the award's again.
		await resident.page.goto(url('/passbook'));
		await expect
			.poll(() => resident.page.getByTestId('passbook-balance').getAttribute('data-balance'), { timeout: 60_000 })
			.toBe(String(POINTS));
		const reversals = resident.page.locator('[data-testid=passbook-line][data-kind=reverse]');
		expect(await reversals.count()).toBe(2);
		expect(await reversals.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('兑换登记错了户')]));
		// A resident's device is offered no correction.
		expect(await resident.page.getByTestId('reverse-line').count()).toBe(0);
	}, 120_000);
});
