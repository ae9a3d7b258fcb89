import { describe, expect, it } from 'vitest';
import { prng } from './prng';
import {
	type Account,
	type Approval,
	audit,
	awaitingApproval,
	type BoardChoice,
	boardFigures,
	type CatalogueItem,
	DEFAULT_POINTS_SETTINGS,
	expiryOf,
	householdAccount,
	movementsOf,
	normaliseCode,
	openFlags,
	parseActivity,
	parseApproval,
	parseBoardChoice,
	parseHandover,
	parseItem,
	parseResolution,
	parseRestock,
	parseSettings,
	parseTransfer,
	type Passbook,
	passbook,
	type PassbookRecords,
	type PointsSettings,
	redemptionCode,
	type Resolution,
	type Restock,
	settingsIssues,
	stockAudit,
	type Transfer,
	transferIssues
} from './points';
import { facilitator, facilitator2, gridWorker, resident } from './testing/projects';
import { adminActor } from './testing';

const admin = adminActor({ name: '张主任' });
const H = 'b03-1-401';
const H2 = 'b05-2-302';
const DAY = 86_400_000;
const cst = (iso: string) => Date.parse(`${iso}+08:00`);
const T0 = cst('2024-03-01T09:00:00');

/** Settings for tests that are not about expiry or approval. */
const plain: PointsSettings = { approvalAbove: 1000, expiryMonths: null, floor: 0, ceiling: null };

let seq = 0;
const next = () => ++seq;

const award = (over: Partial<Transfer> = {}): Transfer => ({
	id: `aw${next()}`,
	kind: 'award',
	household: H,
	amount: 10,
	hours: 2,
	at: T0 + seq,
	by: facilitator,
	channel: 'activity',
	note: '',
	activity: 'cleanup',
	activityName: '楼道大扫除',
	...over
});

const redeem = (over: Partial<Transfer> = {}): Transfer => {
	const id = over.id ?? `rd${next()}`;
	return { id, kind: 'redeem', household: H, amount: 10, item: 'rice', itemName: '大米', quantity: 1, code: redemptionCode(id), at: T0 + next(), by: facilitator, channel: 'counter', note: '', ...over };
};

const reverse = (target: Transfer, over: Partial<Transfer> = {}): Transfer => ({
	id: `rv${next()}`,
	kind: 'reverse',
	household: target.household,
	amount: target.amount,
	reverses: target.id,
	at: target.at + 1,
	by: facilitator,
	channel: 'counter',
	note: '录错了',
	...over
});

const decision = (transfer: Transfer, d: Approval['decision'], over: Partial<Approval> = {}): Approval => ({
	id: `ap${next()}`,
	transfer: transfer.id,
	decision: d,
	note: '',
	at: transfer.at + 1000,
	by: facilitator2,
	...over
});

const resolution = (flag: string, action: Resolution['action'], over: Partial<Resolution> = {}): Resolution => ({
	flag,
	action,
	note: '核实后处理',
	transfers: [],
	at: T0 + 10 * DAY,
	by: admin,
	...over
});

const records = (transfers: Transfer[], over: Partial<PassbookRecords> = {}): PassbookRecords => ({ household: H, transfers, approvals: [], resolutions: [], ...over });
const book = (transfers: Transfer[], settings: PointsSettings = plain, now = T0 + 400 * DAY, over: Partial<PassbookRecords> = {}) =>
	passbook(records(transfers, over), settings, now);

const rice: CatalogueItem = { id: 'rice', name: '大米', price: 30, unit: '袋', at: T0 - DAY, by: admin };
const restock = (quantity: number, over: Partial<Restock> = {}): Restock => ({ id: `rs${next()}`, item: 'rice', quantity, note: '', at: T0 - DAY, by: admin, ...over });

/** Every counted transfer's two movements, and each derived expiry (household ↔ expired pool), summed per account. */
function movementTotals(b: Passbook): Map<Account, number> {
	const byId = new Map(b.lines.filter((l) => l.transfer).map((l) => [l.id, l.transfer!]));
	const totals = new Map<Account, number>();
	const add = (a: Account, d: number) => totals.set(a, (totals.get(a) ?? 0) + d);
	for (const l of b.lines) {
		if (l.status !== 'counted') continue;
		if (l.kind === 'expire') {
			add(householdAccount(b.household), l.delta);
			add('pool:expired', -l.delta);
		} else for (const m of movementsOf(l.transfer!, l.transfer!.reverses ? byId.get(l.transfer!.reverses) : undefined)) add(m.account, m.delta);
	}
	return totals;
}

/** What must hold of any passbook, whatever was recorded. */
function expectConsistent(b: Passbook) {
	const totals = movementTotals(b);
	expect(totals.get(householdAccount(b.household)) ?? 0).toBe(b.balance);
	expect(0 - (totals.get('pool:service') ?? 0)).toBe(b.earned);
	expect(totals.get('pool:goods') ?? 0).toBe(b.spent);
	expect(totals.get('pool:expired') ?? 0).toBe(b.expired);
	expect(b.balance).toBe(b.earned - b.spent - b.expired);
	expect(b.expired).toBeGreaterThanOrEqual(0);
	expect(b.hours).toBeGreaterThanOrEqual(0);
	// Each line's balance follows from the one before it.
	let running = 0;
	for (const l of b.lines) {
		if (l.status !== 'counted') expect(l.delta).toBe(0);
		running += l.delta;
		expect(l.balance).toBe(running);
	}
	expect(new Set(b.lines.map((l) => l.id)).size).toBe(b.lines.length);
	// When points expire, the lots still holding points hold the balance; a household in debt holds none.
	if (b.lines.some((l) => l.expiresAt != null)) expect(b.expiring.reduce((sum, l) => sum + l.remaining, 0)).toBe(Math.max(0, b.balance));
}

describe('the ledger sums to zero', () => {
	/** A community recorded by several offline devices: every kind of record, some of them wrong. */
	function community(seed: number) {
		const rand = prng(seed);
		const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
		const staff = [facilitator, facilitator2, admin];
		const households = Array.from({ length: 12 }, (_, i) => `b0${1 + (i % 4)}-1-${101 + i}`);
		const settings: PointsSettings = { approvalAbove: 40, expiryMonths: 6, floor: 0, ceiling: 200 };
		const from = cst('2022-01-01T08:00:00');
		const books: PassbookRecords[] = households.map((household) => {
			const transfers: Transfer[] = [];
			const approvals: Approval[] = [];
			const resolutions: Resolution[] = [];
			let at = from;
			for (let i = 0; i < 60; i++) {
				at += Math.floor(rand() * 40 * DAY);
				const by = rand() < 0.05 ? pick([resident, gridWorker]) : pick(staff);
				const r = rand();
				if (r < 0.45) {
					const a = award({ household, amount: pick([5, 10, 20, 30, 60, 90]), hours: pick([0, 1, 1.5, 3]), at, by });
					transfers.push(a);
					if (a.amount > settings.approvalAbove && rand() < 0.8) {
						approvals.push(decision(a, rand() < 0.8 ? 'approve' : 'reject', { by: rand() < 0.2 ? a.by : pick(staff) }));
						if (rand() < 0.2) approvals.push(decision(a, rand() < 0.5 ? 'approve' : 'reject', { by: pick(staff) }));
					}
				} else if (r < 0.8) {
					const quantity = 1 + Math.floor(rand() * 3);
					transfers.push(redeem({ household, amount: 15 * quantity, quantity, at, by }));
				} else if (transfers.length > 0) {
					const target = pick(transfers);
					// Some reversals come from a device whose clock was behind; some are recorded twice.
					const v = reverse(target, { at: rand() < 0.1 ? target.at - DAY : at, by });
					transfers.push(v);
					if (rand() < 0.2) transfers.push(reverse(target, { at: at + 1, by: pick(staff) }));
				}
				if (rand() < 0.03) transfers.push(reverse(award({ household }), { at }));
			}
			if (rand() < 0.5) resolutions.push(resolution(`overdraft:${pick(transfers).id}`, 'allow', { at }));
			return { household, transfers, approvals, resolutions };
		});
		const restocks = Array.from({ length: 10 }, (_, i) => restock(6, { at: from + i * 60 * DAY }));
		return { books, settings, now: from + 5 * 365 * DAY, restocks };
	}

	it.each([1, 2, 3, 4, 5, 6, 7, 8])('over a randomised community of awards, redemptions, reversals, approvals and expiries (seed %i)', (seed) => {
		const c = community(seed);
		const books = c.books.map((r) => passbook(r, c.settings, c.now));
		const audited = audit(books, [rice], c.restocks, c.books.flatMap((b) => b.resolutions));
		expect([...audited.accounts.values()].reduce((a, b) => a + b, 0)).toBe(0);
		for (const b of books) {
			expectConsistent(b);
			expect(audited.accounts.get(householdAccount(b.household))).toBe(b.balance);
		}
		// Summed over the community, the movements of every transfer are the books.
		const totals = new Map<Account, number>();
		for (const b of books) for (const [account, d] of movementTotals(b)) totals.set(account, (totals.get(account) ?? 0) + d);
		for (const [account, v] of audited.accounts) expect(totals.get(account) ?? 0).toBe(v);
		expect(books.some((b) => b.expired > 0)).toBe(true);
		expect(books.some((b) => b.lines.some((l) => l.status === 'uncounted'))).toBe(true);
		expect(audited.flags.length).toBeGreaterThan(0);
		const rs = audited.stock[0]!;
		expect(rs.remaining).toBe(rs.stocked - rs.redeemed);
	});

	it('folds merged records the same whatever order they arrive in', () => {
		const c = community(11);
		for (const r of c.books) {
			const shuffled = { ...r, transfers: [...r.transfers].reverse(), approvals: [...r.approvals].reverse() };
			expect(passbook(shuffled, c.settings, c.now)).toEqual(passbook(r, c.settings, c.now));
		}
	});

	it('counts the same record once when it arrives twice', () => {
		const a = award({ amount: 30 });
		const b = book([a, a, { ...a }]);
		expect(b.balance).toBe(30);
		expect(b.lines).toHaveLength(1);
	});
});

describe('balances come from movements', () => {
	it('derives balance, earned, spent and hours from the counted lines', () => {
		const a1 = award({ amount: 30, hours: 3 });
		const a2 = award({ amount: 20, hours: 1.5 });
		const r = redeem({ amount: 25 });
		const b = book([r, a2, a1]);
		expect(b.lines.map((l) => [l.id, l.delta, l.balance])).toEqual([
			[a1.id, 30, 30],
			[a2.id, 20, 50],
			[r.id, -25, 25]
		]);
		expect(b).toMatchObject({ balance: 25, earned: 50, spent: 25, expired: 0, hours: 4.5, redemptions: 1, pending: 0 });
		expectConsistent(b);
	});

	it('moves every transfer between the household and a pool, and a reversal moves back what was moved', () => {
		const a = award({ amount: 30 });
		const r = redeem({ amount: 12 });
		expect(movementsOf(a).map((m) => [m.account, m.delta])).toEqual([
			['pool:service', -30],
			[`household:${H}`, 30]
		]);
		expect(movementsOf(r).map((m) => [m.account, m.delta])).toEqual([
			[`household:${H}`, -12],
			['pool:goods', 12]
		]);
		// A reversal carrying a different amount still moves back exactly what the reversed transfer moved.
		const v = reverse(r, { amount: 99 });
		expect(movementsOf(v, r).map((m) => [m.account, m.delta])).toEqual([
			['pool:goods', -12],
			[`household:${H}`, 12]
		]);
		expect(movementsOf(v)).toEqual([]);
		expect(book([a, r, v]).balance).toBe(30);
	});
});

describe('expiry is spent oldest first', () => {
	const yearly: PointsSettings = { ...plain, expiryMonths: 12 };

	it('spends the oldest lot first and expires what is left of the newer one on its day', () => {
		const older = award({ amount: 30, hours: 3, at: cst('2023-01-31T10:00:00') });
		const newer = award({ amount: 20, hours: 2, at: cst('2023-06-15T10:00:00') });
		const r = redeem({ amount: 40, at: cst('2023-09-01T10:00:00') });
		const before = book([older, newer, r], yearly, cst('2024-03-01T00:00:00'));
		expect(before.balance).toBe(10);
		expect(before.expired).toBe(0);
		// The older lot was spent out before its day came, so nothing of it expired.
		expect(before.lines.some((l) => l.kind === 'expire')).toBe(false);
		expect(before.expiring).toEqual([{ award: newer.id, remaining: 10, expiresAt: cst('2024-06-15T00:00:00') }]);

		const after = book([older, newer, r], yearly, cst('2024-07-01T00:00:00'));
		expect(after.lines.at(-1)).toMatchObject({ kind: 'expire', id: `expire:${newer.id}`, at: cst('2024-06-15T00:00:00'), delta: -10, balance: 0, transfer: null });
		expect(after).toMatchObject({ balance: 0, expired: 10, earned: 50, spent: 40, expiring: [] });
		// Service hours are kept forever.
		expect(after.hours).toBe(5);
		expectConsistent(after);
	});

	it('lists lots with points left, soonest to expire first, and expires them in that order', () => {
		const a = award({ amount: 5, at: cst('2023-05-10T12:00:00') });
		const b = award({ amount: 7, at: cst('2023-02-01T12:00:00') });
		const c = award({ amount: 9, at: cst('2023-08-20T12:00:00') });
		const b1 = book([a, b, c], yearly, cst('2024-01-01T00:00:00'));
		expect(b1.expiring.map((l) => [l.award, l.remaining])).toEqual([
			[b.id, 7],
			[a.id, 5],
			[c.id, 9]
		]);
		expect(b1.lines.find((l) => l.id === b.id)?.expiresAt).toBe(cst('2024-02-01T00:00:00'));
		const b2 = book([a, b, c], yearly, cst('2024-06-01T00:00:00'));
		expect(b2.lines.filter((l) => l.kind === 'expire').map((l) => [l.id, l.delta, l.balance])).toEqual([
			[`expire:${b.id}`, -7, 14],
			[`expire:${a.id}`, -5, 9]
		]);
		expectConsistent(b2);
	});

	it('never expires points when expiry is off', () => {
		const a = award({ amount: 40, at: cst('2010-01-01T10:00:00') });
		const b = book([a], plain, cst('2030-01-01T00:00:00'));
		expect(b.balance).toBe(40);
		expect(b.expired).toBe(0);
		expect(b.expiring).toEqual([]);
		expect(b.lines.find((l) => l.id === a.id)?.expiresAt).toBeNull();
	});

	it('expires at the start of the same CST day months later, clamped to the end of a shorter month', () => {
		expect(expiryOf(cst('2024-01-31T23:30:00'), 1)).toBe(cst('2024-02-29T00:00:00'));
		expect(expiryOf(cst('2023-01-31T10:00:00'), 1)).toBe(cst('2023-02-28T00:00:00'));
		// Half past midnight in Beijing is still the previous day in UTC: the CST day counts.
		expect(expiryOf(cst('2024-03-01T00:30:00'), 36)).toBe(cst('2027-03-01T00:00:00'));
		expect(expiryOf(cst('2024-03-31T12:00:00'), -1)).toBe(cst('2024-02-29T00:00:00'));
		expect(expiryOf(cst('2024-12-15T08:00:00'), 1)).toBe(cst('2025-01-15T00:00:00'));
		expect(expiryOf(cst('2024-02-29T08:00:00'), 12)).toBe(cst('2025-02-28T00:00:00'));
		// A CST day begins at 16:00 UTC the day before: 00:30 in Beijing is still that day.
		expect(expiryOf(Date.UTC(2024, 4, 31, 16, 30), 1)).toBe(Date.UTC(2024, 5, 30, 16, 0));
		expect(expiryOf(T0, null)).toBeNull();
		// A lot cannot be spent on the instant it expires.
		const a = award({ amount: 10, at: cst('2024-01-31T10:00:00') });
		const r = redeem({ amount: 10, at: cst('2024-02-29T00:00:00') });
		const b = book([a, r], { ...plain, expiryMonths: 1 }, cst('2024-03-01T00:00:00'));
		expect(b.lines.map((l) => [l.kind, l.delta])).toEqual([
			['award', 10],
			['expire', -10],
			['redeem', -10]
		]);
		expect(b.balance).toBe(-10);
	});

	it('gives back points of a reversed redemption to lots that expired since only to expire them again', () => {
		const a = award({ amount: 30, at: cst('2023-01-10T10:00:00') });
		const r = redeem({ amount: 30, at: cst('2023-06-01T10:00:00') });
		const v = reverse(r, { at: cst('2024-03-01T10:00:00') });
		const b = book([a, r, v], yearly, cst('2024-06-01T00:00:00'));
		expect(b.lines.map((l) => [l.id, l.delta, l.balance])).toEqual([
			[a.id, 30, 30],
			[r.id, -30, 0],
			[v.id, 30, 30],
			[`expire:${a.id}:${v.id}`, -30, 0]
		]);
		expect(b.lines.at(-1)?.at).toBe(v.at);
		expect(b).toMatchObject({ balance: 0, expired: 30, spent: 0, redemptions: 0, expiring: [] });
		expectConsistent(b);
	});

	it('returns expired points when the award they came from is reversed, so they are not charged twice', () => {
		const a = award({ amount: 30, hours: 3, at: cst('2023-01-10T10:00:00') });
		const v = reverse(a, { at: cst('2024-03-01T10:00:00') });
		const b = book([a, v], yearly, cst('2024-06-01T00:00:00'));
		expect(b.lines.map((l) => [l.id, l.delta, l.balance])).toEqual([
			[a.id, 30, 30],
			[`expire:${a.id}`, -30, 0],
			[v.id, -30, -30],
			[`expire:${a.id}:${v.id}`, 30, 0]
		]);
		expect(b).toMatchObject({ balance: 0, earned: 0, expired: 0, hours: 0 });
		expectConsistent(b);
	});

	it('pays debt from points still held, so nothing expires while the household owes', () => {
		const a1 = award({ amount: 100, at: cst('2023-01-10T10:00:00') });
		const a2 = award({ amount: 100, at: cst('2023-02-10T10:00:00') });
		const r = redeem({ amount: 150, at: cst('2023-03-10T10:00:00') });
		const v = reverse(a1, { at: cst('2023-04-10T10:00:00') });
		const b = book([a1, a2, r, v], yearly, cst('2024-06-01T00:00:00'));
		expect(b.balance).toBe(-50);
		expect(b.expired).toBe(0);
		expect(b.expiring).toEqual([]);
		expectConsistent(b);
	});
});

describe('overdraft flags after merging offline redemptions', () => {
	const a = award({ amount: 30, at: T0 });
	// Two counters, each offline, each sees 30 points and hands over 20 points' worth.
	const counter1 = redeem({ amount: 20, at: T0 + DAY, by: facilitator });
	const counter2 = redeem({ amount: 20, at: T0 + DAY + 60_000, by: facilitator2 });

	it('flags neither device alone, and both redemptions together once merged', () => {
		expect(book([a, counter1]).flags).toEqual([]);
		expect(book([a, counter2]).flags).toEqual([]);
		const merged = book([a, counter2, counter1]);
		expect(merged.lines.filter((l) => l.kind === 'redeem').map((l) => l.status)).toEqual(['counted', 'counted']);
		expect(merged.balance).toBe(-10);
		expect(merged.flags).toEqual([
			{ key: `overdraft:${counter2.id}`, kind: 'overdraft', household: H, transfer: counter2.id, transfers: [counter1.id, counter2.id], excess: 10, at: counter2.at }
		]);
		expect(openFlags(merged.flags)).toHaveLength(1);
		expectConsistent(merged);
	});

	it('shows the decision to allow the negative balance', () => {
		const allow = resolution(`overdraft:${counter2.id}`, 'allow');
		const b = book([a, counter1, counter2], plain, T0 + 400 * DAY, { resolutions: [allow] });
		expect(b.flags[0]?.resolution).toEqual(allow);
		expect(openFlags(b.flags)).toEqual([]);
		expect(b.balance).toBe(-10);
	});

	it('keeps the flag, resolved, when staff reverse one redemption, and restores the balance', () => {
		const v = reverse(counter2, { at: T0 + 2 * DAY, by: admin, note: '重复兑换，退回' });
		const decided = resolution(`overdraft:${counter2.id}`, 'reverse', { transfers: [v.id], at: v.at });
		const b = book([a, counter1, counter2, v], plain, T0 + 400 * DAY, { resolutions: [decided] });
		expect(b.balance).toBe(10);
		expect(b.redemptions).toBe(1);
		expect(b.lines.find((l) => l.id === counter2.id)?.reversedBy).toBe(v.id);
		expect(b.flags).toHaveLength(1);
		expect(b.flags[0]).toMatchObject({ key: `overdraft:${counter2.id}`, resolution: { action: 'reverse', transfers: [v.id] } });
		expect(openFlags(b.flags)).toEqual([]);
		expectConsistent(b);
	});

	it('holds the first of two staff decisions, and ignores a resolution recorded by a resident', () => {
		const key = `overdraft:${counter2.id}`;
		const first = resolution(key, 'allow', { at: T0 + 3 * DAY, by: facilitator });
		const second = resolution(key, 'reverse', { at: T0 + 4 * DAY, by: admin });
		const forged = resolution(key, 'allow', { at: T0 + 2 * DAY, by: resident });
		expect(book([a, counter1, counter2], plain, T0 + 400 * DAY, { resolutions: [second, forged, first] }).flags[0]?.resolution).toEqual(first);
		expect(book([a, counter1, counter2], plain, T0 + 400 * DAY, { resolutions: [forged] }).flags[0]?.resolution).toBeUndefined();
	});

	it('lists the redemptions since the balance was last within the limit', () => {
		const r3 = redeem({ amount: 5, at: T0 + 3 * DAY });
		const small = award({ amount: 5, at: T0 + 4 * DAY });
		const r4 = redeem({ amount: 5, at: T0 + 5 * DAY });
		const b = book([a, counter1, counter2, r3, small, r4]);
		// The small award leaves the household still overdrawn: the redemptions before it remain involved.
		expect(b.flags.map((f) => [f.transfer, f.transfers])).toEqual([
			[counter2.id, [counter1.id, counter2.id]],
			[r3.id, [counter1.id, counter2.id, r3.id]],
			[r4.id, [counter1.id, counter2.id, r3.id, r4.id]]
		]);
		const topUp = award({ amount: 50, at: T0 + 6 * DAY });
		const r5 = redeem({ amount: 50, at: T0 + 7 * DAY });
		expect(book([a, counter1, counter2, r3, small, r4, topUp, r5]).flags.at(-1)?.transfers).toEqual([r5.id]);
	});

	it('flags below a floor other than zero', () => {
		const b = book([a, counter1, counter2], { ...plain, floor: -20 });
		expect(b.flags).toEqual([]);
		expect(book([a, counter1, counter2, redeem({ amount: 15, at: T0 + 2 * DAY })], { ...plain, floor: -20 }).flags[0]?.excess).toBe(5);
	});
});

describe('oversold stock after merging two households’ passbooks', () => {
	const items = [rice];
	const stock = [restock(1)];
	const r1 = redeem({ household: H, amount: 30, at: T0 + DAY });
	const r2 = redeem({ household: H2, amount: 30, at: T0 + DAY + 5 });
	const fund = (household: string) => award({ household, amount: 100, at: T0 });
	const books = (extra: Transfer[] = [], resolutions: Resolution[] = []) => [
		passbook({ household: H, transfers: [fund(H), r1, ...extra.filter((t) => t.household === H)], approvals: [], resolutions }, plain, T0 + 30 * DAY),
		passbook({ household: H2, transfers: [fund(H2), r2, ...extra.filter((t) => t.household === H2)], approvals: [], resolutions }, plain, T0 + 30 * DAY)
	];

	it('flags the redemption that took the item below zero, with the run of redemptions involved', () => {
		const books1 = audit(books(), items, stock, []);
		expect(books1.stock).toEqual([
			{
				item: 'rice',
				stocked: 1,
				redeemed: 2,
				remaining: -1,
				flags: [{ key: `oversold:${r2.id}`, kind: 'oversold', item: 'rice', household: H2, transfer: r2.id, transfers: [r1.id, r2.id], excess: 1, at: r2.at }]
			}
		]);
		expect(books1.flags.map((f) => f.key)).toEqual([`oversold:${r2.id}`]);
		// Either household's passbook alone oversells nothing.
		expect(stockAudit(items, stock, books()[0]!.lines, [])[0]?.flags).toEqual([]);
	});

	it('returns the stock when the redemption is reversed, and shows the flag resolved', () => {
		const v = reverse(r2, { at: T0 + 2 * DAY, note: '库存不足，改日再兑' });
		const decided = resolution(`oversold:${r2.id}`, 'reverse', { transfers: [v.id] });
		const books2 = audit(books([v], [decided]), items, stock, [decided]);
		expect(books2.stock[0]).toMatchObject({ stocked: 1, redeemed: 1, remaining: 0 });
		expect(books2.stock[0]?.flags[0]?.resolution).toEqual(decided);
		expect(openFlags(books2.flags)).toEqual([]);
	});

	it('keeps the run while restocks leave the item oversold, and drops a returned redemption from it', () => {
		const hh = (i: number) => ({ household: H, amount: 30, at: T0 + i * DAY });
		const [s1, s2, s3, s4] = [1, 2, 3, 4].map((i) => redeem(hh(i)));
		const v2 = reverse(s2!, { at: T0 + 5 * DAY });
		const s5 = redeem(hh(6));
		const lines = passbook(records([award({ amount: 1000, at: T0 }), s1!, s2!, s3!, s4!, v2, s5!]), plain, T0 + 30 * DAY).lines;
		const restocks = [restock(1, { at: T0 }), restock(1, { at: T0 + 3.5 * DAY }), restock(3, { at: T0 + 7 * DAY })];
		const s = stockAudit(items, restocks, lines, [])[0]!;
		expect(s.flags.map((f) => [f.transfer, f.transfers, f.excess])).toEqual([
			[s2!.id, [s1!.id, s2!.id], 1],
			[s3!.id, [s1!.id, s2!.id, s3!.id], 2],
			// The restock of one left the item oversold by one: its redemptions are still involved.
			[s4!.id, [s1!.id, s2!.id, s3!.id, s4!.id], 2],
			// The return of s2 leaves the item still oversold; s2 is no longer involved.
			[s5!.id, [s1!.id, s3!.id, s4!.id, s5!.id], 2]
		]);
		expect(s).toMatchObject({ stocked: 5, redeemed: 4, remaining: 1 });
	});

	it('ignores stock recorded by anyone but staff', () => {
		expect(stockAudit(items, [restock(50, { by: resident })], [], [])[0]?.stocked).toBe(0);
	});
});

describe('the approval threshold', () => {
	const settings: PointsSettings = { ...plain, approvalAbove: 50 };
	const big = award({ amount: 80, by: facilitator });

	it('keeps an award above the threshold pending until a second staff member approves it', () => {
		const waiting = book([big], settings);
		expect(waiting.lines[0]).toMatchObject({ status: 'pending', delta: 0 });
		expect(waiting).toMatchObject({ balance: 0, pending: 80, earned: 0, hours: 0 });
		expect(awaitingApproval(waiting, facilitator.id)).toEqual([]);
		expect(awaitingApproval(waiting, facilitator2.id)).toEqual([big]);
		expect(audit([waiting], [], [], []).pending).toEqual([big]);

		const approved = book([big], settings, T0 + DAY, { approvals: [decision(big, 'approve')] });
		expect(approved.lines[0]).toMatchObject({ status: 'counted', delta: 80 });
		expect(approved).toMatchObject({ balance: 80, pending: 0, earned: 80, hours: 2 });
		// At the threshold itself no approval is needed.
		expect(book([award({ amount: 50 })], settings).balance).toBe(50);
	});

	it('ignores the recorder approving their own award and a decision by a non-staff member', () => {
		const own = decision(big, 'approve', { by: facilitator });
		const byResident = decision(big, 'approve', { by: resident });
		const b = book([big], settings, T0 + DAY, { approvals: [own, byResident] });
		expect(b.lines[0]?.status).toBe('pending');
		expect(b.lines[0]?.decisions).toEqual([]);
		expect(b.balance).toBe(0);
	});

	it('keeps a rejected award out of the balance and out of what is pending', () => {
		const b = book([big], settings, T0 + DAY, { approvals: [decision(big, 'reject', { note: '活动未举行' })] });
		expect(b.lines[0]?.status).toBe('rejected');
		expect(b).toMatchObject({ balance: 0, pending: 0 });
	});

	it('holds the first decision when two staff members decide differently offline', () => {
		const approve = decision(big, 'approve', { by: facilitator2, at: big.at + 10 });
		const reject = decision(big, 'reject', { by: admin, at: big.at + 5 });
		const b = book([big], settings, T0 + DAY, { approvals: [approve, reject] });
		expect(b.lines[0]?.status).toBe('rejected');
		expect(b.lines[0]?.decisions).toEqual([reject, approve]);
	});
});

describe('reversals', () => {
	it('counts a reversal recorded twice offline once, and shows the second as already reversed', () => {
		const a = award({ amount: 30 });
		const r = redeem({ amount: 20 });
		const v1 = reverse(r, { by: facilitator, at: r.at + 100 });
		const v2 = reverse(r, { by: facilitator2, at: r.at + 200 });
		const b = book([a, r, v2, v1]);
		expect(b.balance).toBe(30);
		expect(b.lines.find((l) => l.id === v1.id)).toMatchObject({ status: 'counted', delta: 20 });
		expect(b.lines.find((l) => l.id === v2.id)).toMatchObject({ status: 'uncounted', reason: 'already_reversed', delta: 0 });
		expect(b.lines.find((l) => l.id === r.id)?.reversedBy).toBe(v1.id);
		expectConsistent(b);
	});

	it('makes the spent part of a reversed award a debt that the next award pays first', () => {
		const a1 = award({ amount: 50, hours: 5, at: T0 });
		const r = redeem({ amount: 30, at: T0 + DAY });
		const v = reverse(a1, { at: T0 + 2 * DAY, note: '重复登记' });
		const a2 = award({ amount: 40, at: T0 + 3 * DAY });
		const settings = { ...plain, expiryMonths: 36 };
		const indebted = book([a1, r, v], settings);
		expect(indebted).toMatchObject({ balance: -30, earned: 0, hours: 0, expiring: [] });
		const b = book([a1, r, v, a2], settings);
		expect(b.balance).toBe(10);
		expect(b.expiring).toEqual([{ award: a2.id, remaining: 10, expiresAt: expiryOf(a2.at, 36) }]);
		expectConsistent(b);
		// Reversing the redemption as well clears the debt without reviving the reversed award's points.
		const cleared = book([a1, r, v, reverse(r, { at: T0 + 4 * DAY }), a2], settings);
		expect(cleared.balance).toBe(40);
		expect(cleared.expiring.map((l) => l.award)).not.toContain(a1.id);
		expectConsistent(cleared);
	});

	it('folds a reversal after what it reverses even when its device clock was behind', () => {
		const a = award({ amount: 30, at: T0 });
		const r = redeem({ amount: 20, at: T0 + DAY });
		const v = reverse(r, { at: T0 + DAY - 60_000 });
		const b = book([a, r, v], { ...plain, expiryMonths: 12 }, T0 + 30 * DAY);
		expect(b.lines.map((l) => l.id)).toEqual([a.id, r.id, v.id]);
		expect(b.balance).toBe(30);
		expect(b.expiring[0]?.remaining).toBe(30);
	});

	it('does not count a reversal of something unknown, not counted, or itself a reversal', () => {
		const big = award({ amount: 500 });
		const a = award({ amount: 10 });
		const v = reverse(a);
		const unknown = reverse(award({ id: 'elsewhere' }));
		const ofPending = reverse(big);
		const ofReversal = reverse(v, { at: v.at + 5 });
		const b = book([big, a, v, unknown, ofPending, ofReversal], { ...plain, approvalAbove: 100 });
		const reasons = Object.fromEntries(b.lines.map((l) => [l.id, l.reason]));
		expect(reasons[unknown.id]).toBe('unknown_transfer');
		expect(reasons[ofPending.id]).toBe('not_counted');
		expect(reasons[ofReversal.id]).toBe('reverses_reversal');
		expect(b.balance).toBe(0);
	});
});

describe('who may record', () => {
	it('keeps records by non-staff on the page but out of the books', () => {
		const forged = award({ amount: 100, by: resident });
		const byGrid = award({ amount: 10, by: gridWorker });
		const r = redeem({ amount: 10, by: resident });
		const b = book([forged, byGrid, r, award({ amount: 5 })]);
		expect(b.lines.filter((l) => l.status === 'uncounted').map((l) => [l.id, l.reason])).toEqual([
			[forged.id, 'not_staff'],
			[byGrid.id, 'not_staff'],
			[r.id, 'not_staff']
		]);
		expect(b.balance).toBe(5);
	});

	it('does not count a transfer naming another household', () => {
		const b = book([award({ household: H2 })]);
		expect(b.lines[0]).toMatchObject({ status: 'uncounted', reason: 'other_household' });
		expect(b.balance).toBe(0);
	});
});

describe('the ceiling', () => {
	it('flags an award that takes the balance above the ceiling', () => {
		const a1 = award({ amount: 60 });
		const a2 = award({ amount: 60 });
		const b = book([a1, a2], { ...plain, ceiling: 100 });
		expect(b.flags).toEqual([{ key: `ceiling:${a2.id}`, kind: 'ceiling', household: H, transfer: a2.id, transfers: [a2.id], excess: 20, at: a2.at }]);
		expect(b.balance).toBe(120);
	});
});

describe('redemption codes', () => {
	it('derives six characters from the alphabet, the same on every device', () => {
		const code = redemptionCode('t-123');
		expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/);
		// Recorded codes are checked against this derivation (the relay refuses a redemption whose code differs):
		// it must never change.
		expect(code).toBe('G5698J');
		expect(redemptionCode('abc')).toBe('DAUH6F');
		expect(redemptionCode('')).toMatch(/^[23456789A-HJ-NP-Z]{6}$/);
		const codes = new Set(Array.from({ length: 2000 }, (_, i) => redemptionCode(`tr${i}`)));
		expect(codes.size).toBeGreaterThan(1995);
	});

	it('reads a typed code back: lower case, spaces, dashes and full-width letters', () => {
		const code = redemptionCode('t-456');
		const typed = `${code.slice(0, 3).toLowerCase()} - ${code.slice(3)}`;
		expect(normaliseCode(typed)).toBe(code);
		const fullWidth = [...code].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
		expect(normaliseCode(fullWidth)).toBe(code);
		expect(normaliseCode('  k7m 9pq ')).toBe('K7M9PQ');
	});

	it('uses none of the characters that read alike (0/O, 1/I)', () => {
		const all = Array.from({ length: 500 }, (_, i) => redemptionCode(`x${i}`)).join('');
		expect(all).not.toMatch(/[01OI]/);
	});
});

describe('the public board', () => {
	it('shows totals of everyone and the names of only those who chose to appear', () => {
		const choice = (show: boolean, name: string): BoardChoice => ({ show, name, at: T0, by: resident });
		const H3 = 'b07-1-101';
		const H4 = 'b08-1-101';
		const books = [
			book([award({ amount: 30, hours: 3 })]),
			passbook(records([award({ household: H2, amount: 50, hours: 5 }), redeem({ household: H2, amount: 20 })], { household: H2 }), plain, T0 + DAY),
			passbook(records([award({ household: H3, amount: 10, hours: 1 })], { household: H3 }), plain, T0 + DAY),
			passbook(records([], { household: H4 }), plain, T0 + DAY)
		];
		const choices = new Map([
			[H, choice(true, '3栋王阿姨')],
			[H2, choice(false, '5栋李叔叔')],
			[H4, choice(true, '8栋一户')]
		]);
		expect(boardFigures(books, choices)).toEqual({ households: 3, earned: 90, hours: 9, redemptions: 1, names: [{ name: '3栋王阿姨', hours: 3, earned: 30 }] });
		expect(boardFigures(books, new Map()).names).toEqual([]);
	});
});

describe('reading records written by other devices', () => {
	const good = redeem({ id: 'r-ok', note: '' });

	it('accepts well-formed records and drops optional fields of the wrong type', () => {
		expect(parseTransfer(good)).toEqual(good);
		const parsed = parseTransfer({ ...award({ id: 'a-ok' }), activityName: 42, meeting: '../x' });
		expect(parsed).toMatchObject({ id: 'a-ok', kind: 'award', activity: 'cleanup' });
		expect(parsed).not.toHaveProperty('activityName');
		expect(parsed).not.toHaveProperty('meeting');
		expect(transferIssues(award({ activity: undefined, note: ' ' }))).toEqual(['note']);
		expect(transferIssues(award({ activity: undefined, note: '帮邻居修水管' }))).toEqual([]);
	});

	it('rejects junk without throwing', () => {
		const junk: unknown[] = [
			null,
			undefined,
			'award',
			42,
			[],
			{},
			{ ...good, code: 'AAAAAA' },
			{ ...good, quantity: 0 },
			{ ...good, amount: 0 },
			{ ...good, amount: 2.5 },
			{ ...good, amount: -10 },
			{ ...good, kind: 'gift' },
			{ ...good, channel: 'phone' },
			{ ...good, by: 'f1' },
			{ ...good, at: 'yesterday' },
			{ ...good, id: 'has space' },
			{ ...good, note: 'x'.repeat(201) },
			{ ...award(), note: 5, activity: undefined },
			{ ...reverse(good), note: null },
			{ ...reverse(good), note: '  ' },
			{ ...reverse(good), reverses: undefined },
			{ ...award(), hours: -1 },
			{ ...award(), hours: Number.NaN }
		];
		for (const value of junk) expect(parseTransfer(value), JSON.stringify(value)).toBeNull();
	});

	it('reads the other records and rejects their junk', () => {
		const approval = decision(good, 'approve');
		expect(parseApproval(approval)).toEqual(approval);
		expect(parseApproval({ ...approval, decision: 'maybe' })).toBeNull();
		expect(parseApproval({ ...approval, by: null })).toBeNull();

		const res = resolution('overdraft:r-ok', 'substitute', { transfers: ['r2'] });
		expect(parseResolution(res)).toEqual(res);
		expect(parseResolution({ ...res, action: 'ignore' })).toBeNull();
		expect(parseResolution({ ...res, transfers: 'r2' })).toBeNull();
		expect(parseResolution({ ...res, transfers: [1] })).toBeNull();

		const handover = { transfer: 'r-ok', at: T0, by: facilitator };
		expect(parseHandover(handover)).toEqual(handover);
		expect(parseHandover({ ...handover, transfer: '' })).toBeNull();

		const choice = { show: true, name: '3栋王阿姨', at: T0, by: resident };
		expect(parseBoardChoice(choice)).toEqual(choice);
		expect(parseBoardChoice({ ...choice, name: ' ' })).toBeNull();
		expect(parseBoardChoice({ ...choice, show: false, name: '' })).toEqual({ ...choice, show: false, name: '' });
		expect(parseBoardChoice({ ...choice, show: 'yes' })).toBeNull();

		const activity = { id: 'cleanup', name: '楼道大扫除', points: 10, hours: 2, at: T0, by: admin };
		expect(parseActivity({ ...activity, retired: 'no' })).toEqual(activity);
		expect(parseActivity({ ...activity, points: -1 })).toBeNull();
		expect(parseActivity({ ...activity, name: '' })).toBeNull();

		expect(parseItem({ ...rice, note: '5 公斤' })).toEqual({ ...rice, note: '5 公斤' });
		expect(parseItem({ ...rice, price: 0 })).toBeNull();
		expect(parseItem({ ...rice, unit: '很长很长的单位名称啊' })).toBeNull();

		const rs = restock(-3, { note: '受潮报废' });
		expect(parseRestock(rs)).toEqual(rs);
		expect(parseRestock({ ...rs, quantity: 0 })).toBeNull();
		expect(parseRestock({ ...rs, quantity: 1.5 })).toBeNull();
	});

	it('reads settings, falling back to the defaults field by field', () => {
		expect(parseSettings(undefined)).toEqual(DEFAULT_POINTS_SETTINGS);
		expect(parseSettings('junk')).toEqual(DEFAULT_POINTS_SETTINGS);
		expect(parseSettings({ approvalAbove: 30, expiryMonths: null, floor: -50, ceiling: 5000 })).toEqual({ approvalAbove: 30, expiryMonths: null, floor: -50, ceiling: 5000 });
		expect(parseSettings({ approvalAbove: -1, expiryMonths: 0, floor: 10, ceiling: 0 })).toEqual(DEFAULT_POINTS_SETTINGS);
		expect(settingsIssues(DEFAULT_POINTS_SETTINGS)).toEqual([]);
		expect(settingsIssues({ approvalAbove: 1.5, expiryMonths: 0, floor: 1, ceiling: 0 })).toEqual(['approvalAbove', 'expiryMonths', 'floor', 'ceiling']);
	});
});
