/**
 * Co-funding (共筹): pledges from residents and institutions, their receipt, and the public ledger.
 *
 * No double counting after an offline merge: a pledge's income is never appended as its own ledger entry. It
 * is derived from the pledge's receipt, and receipts are keyed by pledge id, so two devices marking the same
 * pledge received offline merge into one receipt and one income line. Manual entries (spending, other income)
 * are keyed by their own id; corrections void an entry instead of deleting it, so the audit trail stays.
 *
 * Everything recorded by a role that may not record it (a resident device writing a receipt, say) is kept in
 * the document but not counted, and listed so a person can see why.
 */
import type { Actor, Channel, Role } from './actor';
import { type Day, isDay } from './calendar';
import { addFen, type Fen, isAmount, percentOf } from './money';
import { roleCan, rolesThatCan } from './permissions';

/** Where money or materials come from (有钱筹钱、有物集物, 物业补贴, 公共维修资金, 资助). */
export type SourceKind = 'residents' | 'property' | 'maintenance_fund' | 'grant' | 'other';
export const SOURCE_KINDS: readonly SourceKind[] = ['residents', 'property', 'maintenance_fund', 'grant', 'other'];

export type PledgeKind = 'money' | 'materials';

export interface Pledge {
	id: string;
	source: SourceKind;
	kind: PledgeKind;
	/** Who gives, as it may be shown publicly: "3栋 刘阿姨", "物业公司", or "匿名" by the giver's choice. */
	name: string;
	/** The giving household, for a resident pledge. */
	household?: string;
	/** Money pledged; for materials, their estimated value (0 when nobody valued them). */
	amount: Fen;
	/** What materials, in words: "剩余地砖约 20 平方米". */
	materials?: string;
	note?: string;
	at: number;
	by: Actor;
	channel: Channel;
	/** Set when the giver withdrew before it was received. */
	withdrawn?: { at: number; by: Actor };
}

/** A pledge received. One per pledge (keyed by pledge id), so merging two devices' receipts yields one. */
export interface Receipt {
	pledge: string;
	/** What actually came in: may differ from the pledge (the giver brought 150 of 200 yuan). */
	amount: Fen;
	date: Day;
	note?: string;
	at: number;
	by: Actor;
}

export type EntryType = 'income' | 'spending';

/** A manual ledger entry: spending, or income that is not a pledge (scrap sold, interest). */
export interface LedgerEntry {
	id: string;
	type: EntryType;
	amount: Fen;
	date: Day;
	description: string;
	/** Paid to or received from. */
	counterparty?: string;
	/** Receipts and invoices (photo sha-256). */
	photos: string[];
	at: number;
	by: Actor;
}

/** A correction: the entry stays on the record, struck out, with the reason. */
export interface Void {
	entry: string;
	reason: string;
	at: number;
	by: Actor;
}

export interface FundingInput {
	target: Fen;
	pledges: readonly Pledge[];
	receipts: readonly Receipt[];
	entries: readonly LedgerEntry[];
	voids: readonly Void[];
}

export const MANAGERS: readonly Role[] = rolesThatCan('manage-project');
export const isManager = (role: Role) => roleCan(role, 'manage-project');

export type PledgeStatus = 'pledged' | 'received' | 'withdrawn';

export interface PledgeView {
	pledge: Pledge;
	status: PledgeStatus;
	receipt?: Receipt;
}

export type LedgerLineKind = 'income' | 'spending' | 'in_kind';

export interface LedgerLine {
	/** `pledge:<id>` or `entry:<id>`: stable, so a line keeps its identity across merges. */
	key: string;
	kind: LedgerLineKind;
	date: Day;
	amount: Fen;
	/** Who gave (income from a pledge) or the entry's description. */
	description: string;
	counterparty?: string;
	source?: SourceKind;
	materials?: string;
	photos: readonly string[];
	/** Cash balance after this line. In-kind lines leave it unchanged. */
	balance: Fen;
	at: number;
	by: Actor;
	pledge?: string;
	entry?: string;
}

export type NotCountedReason = 'role' | 'invalid' | 'unknown_pledge';

export interface NotCounted {
	what: 'pledge' | 'receipt' | 'entry' | 'void';
	id: string;
	reason: NotCountedReason;
	by: Actor;
}

export interface SourceTotals {
	pledged: Fen;
	received: Fen;
}

export interface Funding {
	target: Fen;
	pledges: PledgeView[];
	/** Cash lines and in-kind receipts in date order, each with the running cash balance. */
	lines: LedgerLine[];
	/** Voided entries, kept for the record. */
	voided: { entry: LedgerEntry; void: Void }[];
	income: Fen;
	spending: Fen;
	balance: Fen;
	/** Estimated value of materials received. */
	inKind: Fen;
	/** Money pledged and not withdrawn (received or still outstanding). */
	pledged: Fen;
	/** Money still expected from pledges not yet received. */
	outstanding: Fen;
	/** Money and valued materials raised towards the target. */
	raised: Fen;
	shortfall: Fen;
	/** Whole percent of the target raised; null without a target. */
	percent: number | null;
	bySource: Record<SourceKind, SourceTotals>;
	/** Manual entries that look like the same money recorded twice (two devices, same day, amount and words). */
	possibleDuplicates: string[][];
	notCounted: NotCounted[];
}

function pledgeValid(p: Pledge): boolean {
	if (!SOURCE_KINDS.includes(p.source) || (p.kind !== 'money' && p.kind !== 'materials')) return false;
	if (!isAmount(p.amount) || !p.name.trim()) return false;
	if (p.kind === 'money') return p.amount > 0;
	return !!p.materials?.trim();
}

/** Residents pledge for their own household; institutional sources are recorded by staff who manage funding. */
function mayPledge(p: Pledge): boolean {
	if (p.source === 'residents') return p.by.role === 'resident' ? !!p.household : roleCan(p.by.role, 'record-for-household');
	return isManager(p.by.role);
}

const compareLines = (a: Omit<LedgerLine, 'balance'>, b: Omit<LedgerLine, 'balance'>) =>
	a.date < b.date ? -1 : a.date > b.date ? 1 : a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const normalise = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/** Folds the merged records into the ledger. Deterministic for any order of the input. */
export function funding(input: FundingInput): Funding {
	const notCounted: NotCounted[] = [];
	const pledges = new Map<string, Pledge>();
	for (const p of input.pledges) {
		if (!pledgeValid(p)) notCounted.push({ what: 'pledge', id: p.id, reason: 'invalid', by: p.by });
		else if (!mayPledge(p)) notCounted.push({ what: 'pledge', id: p.id, reason: 'role', by: p.by });
		else pledges.set(p.id, p);
	}
	const receipts = new Map<string, Receipt>();
	for (const r of input.receipts) {
		if (!isManager(r.by.role)) notCounted.push({ what: 'receipt', id: r.pledge, reason: 'role', by: r.by });
		else if (!isAmount(r.amount) || !isDay(r.date)) notCounted.push({ what: 'receipt', id: r.pledge, reason: 'invalid', by: r.by });
		else if (!pledges.has(r.pledge)) notCounted.push({ what: 'receipt', id: r.pledge, reason: 'unknown_pledge', by: r.by });
		else receipts.set(r.pledge, r);
	}
	const voids = new Map<string, Void>();
	for (const v of input.voids) {
		if (isManager(v.by.role)) voids.set(v.entry, v);
		else notCounted.push({ what: 'void', id: v.entry, reason: 'role', by: v.by });
	}

	const bySource = Object.fromEntries(SOURCE_KINDS.map((k) => [k, { pledged: 0, received: 0 }])) as Record<SourceKind, SourceTotals>;
	const views: PledgeView[] = [];
	const lines: Omit<LedgerLine, 'balance'>[] = [];
	let pledged = 0;
	let outstanding = 0;
	for (const p of pledges.values()) {
		const receipt = receipts.get(p.id);
		// Money that came in counts even if a withdrawal was recorded offline at the same time.
		const status: PledgeStatus = receipt ? 'received' : p.withdrawn ? 'withdrawn' : 'pledged';
		views.push({ pledge: p, status, ...(receipt ? { receipt } : {}) });
		if (status === 'withdrawn') continue;
		if (p.kind === 'money') {
			pledged = addFen(pledged, p.amount);
			bySource[p.source].pledged = addFen(bySource[p.source].pledged, p.amount);
			if (!receipt) outstanding = addFen(outstanding, p.amount);
		}
		if (!receipt) continue;
		if (p.kind === 'money') bySource[p.source].received = addFen(bySource[p.source].received, receipt.amount);
		lines.push({
			key: `pledge:${p.id}`,
			kind: p.kind === 'money' ? 'income' : 'in_kind',
			date: receipt.date,
			amount: receipt.amount,
			description: p.name,
			source: p.source,
			...(p.materials ? { materials: p.materials } : {}),
			photos: [],
			at: receipt.at,
			by: receipt.by,
			pledge: p.id
		});
	}

	const voided: { entry: LedgerEntry; void: Void }[] = [];
	const manual: LedgerEntry[] = [];
	for (const e of input.entries) {
		if (!isManager(e.by.role)) notCounted.push({ what: 'entry', id: e.id, reason: 'role', by: e.by });
		else if ((e.type !== 'income' && e.type !== 'spending') || !isAmount(e.amount) || e.amount === 0 || !isDay(e.date) || !e.description.trim()) {
			notCounted.push({ what: 'entry', id: e.id, reason: 'invalid', by: e.by });
		} else if (voids.has(e.id)) voided.push({ entry: e, void: voids.get(e.id)! });
		else {
			manual.push(e);
			lines.push({
				key: `entry:${e.id}`,
				kind: e.type,
				date: e.date,
				amount: e.amount,
				description: e.description,
				...(e.counterparty ? { counterparty: e.counterparty } : {}),
				photos: e.photos,
				at: e.at,
				by: e.by,
				entry: e.id
			});
		}
	}

	lines.sort(compareLines);
	let balance = 0;
	let income = 0;
	let spending = 0;
	let inKind = 0;
	const withBalance: LedgerLine[] = lines.map((l) => {
		if (l.kind === 'income') {
			income = addFen(income, l.amount);
			balance = addFen(balance, l.amount);
		} else if (l.kind === 'spending') {
			spending = addFen(spending, l.amount);
			balance = addFen(balance, -l.amount);
		} else inKind = addFen(inKind, l.amount);
		return { ...l, balance };
	});

	const target = isAmount(input.target) ? input.target : 0;
	const raised = addFen(income, inKind);
	views.sort((a, b) => a.pledge.at - b.pledge.at || (a.pledge.id < b.pledge.id ? -1 : 1));
	voided.sort((a, b) => a.entry.at - b.entry.at);
	return {
		target,
		pledges: views,
		lines: withBalance,
		voided,
		income,
		spending,
		balance,
		inKind,
		pledged,
		outstanding,
		raised,
		shortfall: Math.max(0, target - raised),
		percent: percentOf(raised, target),
		bySource,
		possibleDuplicates: duplicates(manual),
		notCounted
	};
}

function duplicates(entries: readonly LedgerEntry[]): string[][] {
	const groups = new Map<string, LedgerEntry[]>();
	for (const e of entries) {
		const key = [e.type, e.amount, e.date, normalise(e.description)].join('|');
		groups.set(key, [...(groups.get(key) ?? []), e]);
	}
	// Only entries from different devices: one person entering two equal lines did so on purpose.
	return [...groups.values()].filter((g) => new Set(g.map((e) => e.by.id)).size > 1).map((g) => g.map((e) => e.id).sort());
}

export interface PledgeDraft {
	source: SourceKind;
	kind: PledgeKind;
	name: string;
	household?: string;
	amount: Fen | null;
	materials?: string;
	note?: string;
}

export type PledgeIssue = 'name' | 'amount' | 'materials';

/** What blocks recording a pledge, in field order. */
export function validatePledge(d: PledgeDraft): PledgeIssue[] {
	const issues: PledgeIssue[] = [];
	if (!d.name.trim()) issues.push('name');
	if (d.kind === 'money' ? !(d.amount !== null && isAmount(d.amount) && d.amount > 0) : d.amount !== null && !isAmount(d.amount)) {
		issues.push('amount');
	}
	if (d.kind === 'materials' && !d.materials?.trim()) issues.push('materials');
	return issues;
}

export interface EntryDraft {
	type: EntryType;
	amount: Fen | null;
	date: string;
	description: string;
	counterparty?: string;
}

export type EntryIssue = 'amount' | 'date' | 'description';

export function validateEntry(d: EntryDraft): EntryIssue[] {
	const issues: EntryIssue[] = [];
	if (d.amount === null || !isAmount(d.amount) || d.amount === 0) issues.push('amount');
	if (!isDay(d.date)) issues.push('date');
	if (!d.description.trim()) issues.push('description');
	return issues;
}
