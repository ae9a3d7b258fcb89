/**
 * pointsBench: what the points books (src/lib/domain/points.ts) cost at community scale: 2,000 households and
 * 50,000 recorded transfers over three years (awards, some above the approval threshold with their decisions,
 * redemptions that sometimes overdraw or oversell, reversals), with expiry after 36 months, generated with a
 * seeded PRNG.
 *   (i)   baseline in the same run: one linear pass summing every transfer's points, the least any audit does;
 *   (ii)  a household's passbook (balance, lots, expiries, flags) from its own document's records, beside the
 *         same from one community-wide ledger that must first pick the household's records out of 50,000;
 *   (iii) the staff audit: every passbook folded, accounts summed, stock audited, open flags and pending
 *         approvals listed (what the staff screen does from the index).
 * Each figure is the median of the runs of ~0.4–0.8 s after as long a warm-up; no timed assertions.
 * Run alone: npx tsx bench/points.ts
 */
import type { Actor } from '../src/lib/domain/actor';
import {
	type Approval,
	audit,
	type CatalogueItem,
	DEFAULT_POINTS_SETTINGS,
	openFlags,
	passbook,
	type PassbookRecords,
	redemptionCode,
	type Restock,
	type Transfer
} from '../src/lib/domain/points';
import { type BenchResult, isMain, result } from './relay-kit';
import { prng } from '../src/lib/domain/prng';
import { medianMs } from './timing';

const DAY = 86_400_000;
const FROM = Date.parse('2024-01-01T00:00:00+08:00');
const NOW = Date.parse('2026-12-01T00:00:00+08:00');
const HOUSEHOLDS = 2_000;
const TRANSFERS = 50_000;
const settings = { ...DEFAULT_POINTS_SETTINGS, approvalAbove: 50, expiryMonths: 36 };

const staff: Actor[] = [
	{ id: 'dev-fac-1', name: '社工小李', role: 'facilitator' },
	{ id: 'dev-fac-2', name: '社工小王', role: 'facilitator' },
	{ id: 'dev-admin', name: '张主任', role: 'community_admin' }
];

export interface PointsCommunity {
	books: PassbookRecords[];
	items: CatalogueItem[];
	restocks: Restock[];
}

/** Three years of a community's points records, the same for the same seed. */
export function generate(seed: number): PointsCommunity {
	const rand = prng(seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
	const items: CatalogueItem[] = ['大米', '食用油', '洗衣液', '毛巾', '理发券', '体检券'].map((name, i) => ({
		id: `item${i}`,
		name,
		price: [30, 50, 20, 10, 15, 80][i]!,
		unit: '份',
		at: FROM,
		by: staff[2]!
	}));
	const restocks: Restock[] = [];
	for (let m = 0; m < 36; m++) for (const item of items) restocks.push({ id: `r${m}-${item.id}`, item: item.id, quantity: 100, note: '', at: FROM + m * 30 * DAY, by: staff[2]! });
	// Some households are far more active than others, as volunteers are.
	const weights = Array.from({ length: HOUSEHOLDS }, () => rand() ** 3);
	const total = weights.reduce((a, b) => a + b, 0);
	const books: PassbookRecords[] = weights.map((_, i) => ({ household: `b${1 + (i % 40)}-${1 + ((i >> 3) % 4)}-${101 + i}`, transfers: [], approvals: [], resolutions: [] }));
	let n = 0;
	for (let i = 0; i < HOUSEHOLDS && n < TRANSFERS; i++) {
		const count = Math.max(1, Math.round((weights[i]! / total) * TRANSFERS));
		const book = books[i]!;
		const transfers = book.transfers as Transfer[];
		const approvals = book.approvals as Approval[];
		const times = Array.from({ length: Math.min(count, TRANSFERS - n) }, () => FROM + Math.floor(rand() * (NOW - FROM))).sort((a, b) => a - b);
		// What the counter sees: households redeem what they have; now and then two offline counters overdraw.
		let balance = 0;
		for (const at of times) {
			const by = pick(staff);
			const id = `t${n++}`;
			const r = rand();
			const item = pick(items);
			const quantity = 1 + Math.floor(rand() * 2);
			if (r < 0.02 && transfers.length > 0) {
				const target = pick(transfers);
				transfers.push({ id, kind: 'reverse', household: book.household, amount: target.amount, reverses: target.id, at: Math.max(at, target.at + 1), by, channel: 'counter', note: '录错了' });
			} else if (r < 0.3 && (balance >= item.price * quantity || rand() < 0.02)) {
				balance -= item.price * quantity;
				transfers.push({ id, kind: 'redeem', household: book.household, amount: item.price * quantity, item: item.id, itemName: item.name, quantity, code: redemptionCode(id), at, by, channel: 'counter', note: '' });
			} else {
				const amount = rand() < 0.05 ? 80 : pick([5, 10, 10, 20, 30]);
				balance += amount;
				transfers.push({ id, kind: 'award', household: book.household, amount, hours: amount / 10, at, by, channel: 'activity', note: '', activity: `act${Math.floor(rand() * 8)}` });
				if (amount > settings.approvalAbove && rand() < 0.9) {
					const approver = staff.find((s) => s.id !== by.id)!;
					approvals.push({ id: `a${n}`, transfer: id, decision: rand() < 0.95 ? 'approve' : 'reject', note: '', at: at + DAY, by: approver });
				}
			}
		}
	}
	return { books, items, restocks };
}


export function pointsBench(): BenchResult {
	const c = generate(7);
	const all = c.books.flatMap((b) => b.transfers);
	const sizes = c.books.map((b) => b.transfers.length).sort((a, b) => a - b);
	const typical = c.books.find((b) => b.transfers.length === sizes[Math.floor(sizes.length / 2)])!;
	const busiest = c.books.find((b) => b.transfers.length === sizes.at(-1))!;
	const approvals = c.books.flatMap((b) => b.approvals);
	const ledger = { transfers: all, approvals };
	const fromLedger = (household: string) =>
		passbook(
			{ household, transfers: ledger.transfers.filter((t) => t.household === household), approvals: ledger.approvals, resolutions: [] },
			settings,
			NOW
		);

	const baseMs = medianMs(() => {
		let sum = 0;
		for (const t of all) sum += t.kind === 'redeem' ? -t.amount : t.amount;
		return sum;
	});
	const oneMs = medianMs(() => passbook(typical, settings, NOW));
	const oneLedgerMs = medianMs(() => fromLedger(typical.household));
	const busiestMs = medianMs(() => passbook(busiest, settings, NOW));
	const auditMs = medianMs(() => audit(c.books.map((b) => passbook(b, settings, NOW)), c.items, c.restocks, []), 1500, 5);

	const books = audit(
		c.books.map((b) => passbook(b, settings, NOW)),
		c.items,
		c.restocks,
		[]
	);
	const sum = [...books.accounts.values()].reduce((a, b) => a + b, 0);
	const open = openFlags(books.flags);
	const rows = [
		{ measure: 'baseline: one linear pass summing 50,000 transfers', ms: baseMs, 'vs baseline': 1 },
		{ measure: `a household's passbook (${typical.transfers.length} transfers, its own document)`, ms: oneMs, 'vs baseline': +(oneMs / baseMs).toFixed(2) },
		{ measure: 'the same from one community-wide ledger', ms: oneLedgerMs, 'vs baseline': +(oneLedgerMs / baseMs).toFixed(2) },
		{ measure: `the busiest household's passbook (${busiest.transfers.length} transfers)`, ms: busiestMs, 'vs baseline': +(busiestMs / baseMs).toFixed(2) },
		{ measure: `staff audit: ${HOUSEHOLDS} passbooks, stock, flags, approvals`, ms: auditMs, 'vs baseline': +(auditMs / baseMs).toFixed(1) }
	];
	return result('points: passbooks and the overdraft audit', rows, [
		`${all.length} transfers (${all.length * 2} movements) over ${HOUSEHOLDS} households, ${approvals.length} approvals, ${c.items.length} items, ${c.restocks.length} restocks;`,
		`audit: accounts sum to ${sum}; ${open.filter((f) => f.kind === 'overdraft').length} overdraft and ${open.filter((f) => f.kind === 'oversold').length} oversold flags open, ${books.pending.length} awards pending;`,
		`a passbook from its own document is ${(oneLedgerMs / oneMs).toFixed(0)}× faster than picking it out of one community ledger.`
	]);
}

if (isMain(import.meta.url)) console.log(String(pointsBench()));
