/**
 * The volunteer points passbook (积分存折): households earn points for service and redeem them for goods.
 *
 * The books are kept the way time banks keep theirs (TimeOverflow's transfers, each with two movements): every
 * transfer takes points out of one account and puts the same points into another, so all accounts together
 * always sum to zero and every point can be traced. The accounts are each household's, the community's service
 * pool (where awarded points come from), its goods pool (where redeemed points go) and the expired pool. A
 * balance is never stored: it is derived from the household's transfers.
 *
 * Only three things are ever recorded: an award, a redemption, and a reversal of one of them. Expiry is derived:
 * awarded points form lots that are spent oldest first, and what is left of a lot on its expiry day moves to the
 * expired pool. Service hours are kept forever; only points expire.
 *
 * Offline devices cannot see each other's redemptions, so a balance can be overdrawn and stock oversold after a
 * merge. Nothing is blocked or dropped: both records are kept and the excess is flagged, with the transfers
 * involved, until staff record what they decided (allow, reverse, or substitute another item).
 *
 * Records are written by other devices: every reader here checks them (parse*) and ignores what does not parse.
 */
import { type Actor, isActor, type Role } from './actor';
import { CST_OFFSET_MS } from './calendar';
import { toHalfWidth } from './household';
import { roleCan, rolesThatCan } from './permissions';

/** Staff keep the books: they record awards and redemptions, approve, and resolve flags. */
export const POINTS_STAFF: readonly Role[] = rolesThatCan('keep-points');
export const keepsPoints = (role: Role) => roleCan(role, 'keep-points');

/** How a movement reached the books: at the counter, at an activity, at a meeting, during a visit, in the app. */
export type PointsChannel = 'counter' | 'activity' | 'meeting' | 'visit' | 'app';
export const POINTS_CHANNELS: readonly PointsChannel[] = ['counter', 'activity', 'meeting', 'visit', 'app'];

export type TransferKind = 'award' | 'redeem' | 'reverse';

export type PoolAccount = 'pool:service' | 'pool:goods' | 'pool:expired';
export type Account = `household:${string}` | PoolAccount;
export const householdAccount = (household: string): Account => `household:${household}`;

export const POINTS_MAX = 100_000;
export const HOURS_MAX = 1000;
export const QUANTITY_MAX = 1000;
export const NOTE_MAX = 200;
export const NAME_MAX = 40;
/** A catalogue item's unit (个, 袋, 瓶). */
export const UNIT_MAX = 8;

/** A recorded transfer. The household is always one side; the other is a pool (see movementsOf). */
export interface Transfer {
	id: string;
	kind: TransferKind;
	household: string;
	/** Points moved, a positive whole number. */
	amount: number;
	at: number;
	by: Actor;
	channel: PointsChannel;
	/** Why, in words: what was done, what was handed over, why it is reversed. */
	note: string;
	/** Awards: the activity, its name when awarded, the service hours, the meeting attended, the batch recorded. */
	activity?: string;
	activityName?: string;
	hours?: number;
	meeting?: string;
	batch?: string;
	/** Redemptions: the item, its name when redeemed, how many, and the code the resident shows (兑换码). */
	item?: string;
	itemName?: string;
	quantity?: number;
	code?: string;
	/** A redemption recorded instead of another one that overdrew or oversold: the flag it resolves. */
	substitutes?: string;
	/** Reversals: the transfer reversed (an award or a redemption of the same household). */
	reverses?: string;
}

/** A second staff member's decision on an award above the approval threshold. */
export interface Approval {
	id: string;
	transfer: string;
	decision: 'approve' | 'reject';
	note: string;
	at: number;
	by: Actor;
}

export type FlagAction = 'allow' | 'reverse' | 'substitute';
export const FLAG_ACTIONS: readonly FlagAction[] = ['allow', 'reverse', 'substitute'];

/** What staff decided about a flag, with the transfers they recorded to carry it out. */
export interface Resolution {
	/** The flag's key (Flag.key). */
	flag: string;
	action: FlagAction;
	note: string;
	/** Reversals and substitute redemptions recorded with this decision. */
	transfers: string[];
	at: number;
	by: Actor;
}

/** Goods handed over against a redemption code. */
export interface Handover {
	transfer: string;
	at: number;
	by: Actor;
}

/** How the household wants to appear on the public board: not at all (the default), or under a name it chose. */
export interface BoardChoice {
	show: boolean;
	/** As it should appear: "3栋王阿姨", "5栋一户". */
	name: string;
	at: number;
	by: Actor;
}

/** Something points are awarded for: a clean-up, a meeting's duty, stair-seat maintenance. */
export interface Activity {
	id: string;
	name: string;
	points: number;
	/** Service hours one participation counts. */
	hours: number;
	note?: string;
	retired?: boolean;
	at: number;
	by: Actor;
}

/** Goods in the catalogue (积分兑换目录). */
export interface CatalogueItem {
	id: string;
	name: string;
	price: number;
	/** "袋", "瓶", "次". */
	unit: string;
	note?: string;
	retired?: boolean;
	at: number;
	by: Actor;
}

/** Stock brought in (or, negative, written off) for an item. */
export interface Restock {
	id: string;
	item: string;
	quantity: number;
	note: string;
	at: number;
	by: Actor;
}

export interface PointsSettings {
	/** Awards of more points than this need a second staff member's approval. */
	approvalAbove: number;
	/** Months after which awarded points expire; null for never. */
	expiryMonths: number | null;
	/** A balance below this is flagged (0: no overdraft). */
	floor: number;
	/** A balance above this is flagged; null for no ceiling. */
	ceiling: number | null;
}

export const DEFAULT_POINTS_SETTINGS: PointsSettings = { approvalAbove: 50, expiryMonths: 36, floor: 0, ceiling: null };

// ---- reading records written by other devices ----

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const isName = (v: unknown): v is string => isText(v, NAME_MAX) && v.trim().length > 0;
const isWhole = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isId = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v);

function record(value: unknown): Record<string, unknown> | null {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Pulls the listed optional fields across when they have the right type. */
function optional<T>(out: T, r: Record<string, unknown>, fields: Record<string, (v: unknown) => boolean>): T {
	for (const [field, ok] of Object.entries(fields)) if (r[field] !== undefined && ok(r[field])) (out as Record<string, unknown>)[field] = r[field];
	return out;
}

export type TransferIssue =
	| 'id'
	| 'kind'
	| 'household'
	| 'amount'
	| 'at'
	| 'by'
	| 'channel'
	| 'note'
	| 'activity'
	| 'hours'
	| 'item'
	| 'quantity'
	| 'code'
	| 'reverses';

/** What is wrong with a transfer about to be recorded (empty when nothing is). */
export function transferIssues(t: Transfer): TransferIssue[] {
	const issues: TransferIssue[] = [];
	if (!isId(t.id)) issues.push('id');
	if (!['award', 'redeem', 'reverse'].includes(t.kind)) issues.push('kind');
	if (typeof t.household !== 'string' || !t.household) issues.push('household');
	if (!isWhole(t.amount, 1, POINTS_MAX)) issues.push('amount');
	if (!isTime(t.at)) issues.push('at');
	if (!isActor(t.by)) issues.push('by');
	if (!POINTS_CHANNELS.includes(t.channel)) issues.push('channel');
	// A record from another device may carry anything as its note: check it is text before reading it.
	const note = isText(t.note, NOTE_MAX) ? t.note.trim() : null;
	if (note === null) issues.push('note');
	if (t.kind === 'award') {
		if (t.activity !== undefined && !isId(t.activity)) issues.push('activity');
		if (t.hours !== undefined && !(typeof t.hours === 'number' && t.hours >= 0 && t.hours <= HOURS_MAX)) issues.push('hours');
		if (t.activity === undefined && note === '') issues.push('note');
	}
	if (t.kind === 'redeem') {
		if (!isId(t.item)) issues.push('item');
		if (!isWhole(t.quantity, 1, QUANTITY_MAX)) issues.push('quantity');
		if (typeof t.code !== 'string' || t.code !== redemptionCode(t.id)) issues.push('code');
	}
	if (t.kind === 'reverse') {
		if (!isId(t.reverses)) issues.push('reverses');
		if (note === '') issues.push('note');
	}
	return issues;
}

export function parseTransfer(value: unknown): Transfer | null {
	const r = record(value);
	if (!r) return null;
	const t = optional(
		{
			id: r.id,
			kind: r.kind,
			household: r.household,
			amount: r.amount,
			at: r.at,
			by: r.by,
			channel: r.channel,
			note: r.note
		} as Transfer,
		r,
		{
			activity: isId,
			activityName: isName,
			hours: (v) => typeof v === 'number',
			meeting: isId,
			batch: isId,
			item: isId,
			itemName: isName,
			quantity: (v) => typeof v === 'number',
			code: (v) => typeof v === 'string',
			substitutes: (v) => isText(v, 200),
			reverses: isId
		}
	);
	return transferIssues(t).length === 0 ? t : null;
}

export function parseApproval(value: unknown): Approval | null {
	const r = record(value);
	if (!r || !isId(r.id) || !isId(r.transfer) || (r.decision !== 'approve' && r.decision !== 'reject')) return null;
	if (!isText(r.note, NOTE_MAX) || !isTime(r.at) || !isActor(r.by)) return null;
	return { id: r.id, transfer: r.transfer, decision: r.decision, note: r.note, at: r.at, by: r.by };
}

export function parseResolution(value: unknown): Resolution | null {
	const r = record(value);
	if (!r || typeof r.flag !== 'string' || !FLAG_ACTIONS.includes(r.action as FlagAction)) return null;
	if (!isText(r.note, NOTE_MAX) || !isTime(r.at) || !isActor(r.by)) return null;
	if (!Array.isArray(r.transfers) || !r.transfers.every(isId)) return null;
	return { flag: r.flag, action: r.action as FlagAction, note: r.note, transfers: [...r.transfers] as string[], at: r.at, by: r.by };
}

export function parseHandover(value: unknown): Handover | null {
	const r = record(value);
	return r && isId(r.transfer) && isTime(r.at) && isActor(r.by) ? { transfer: r.transfer, at: r.at, by: r.by } : null;
}

export function parseBoardChoice(value: unknown): BoardChoice | null {
	const r = record(value);
	if (!r || typeof r.show !== 'boolean' || !isText(r.name, NAME_MAX) || !isTime(r.at) || !isActor(r.by)) return null;
	if (r.show && !r.name.trim()) return null;
	return { show: r.show, name: r.name, at: r.at, by: r.by };
}

export function parseActivity(value: unknown): Activity | null {
	const r = record(value);
	if (!r || !isId(r.id) || !isName(r.name) || !isWhole(r.points, 0, POINTS_MAX)) return null;
	if (!(typeof r.hours === 'number' && r.hours >= 0 && r.hours <= HOURS_MAX) || !isTime(r.at) || !isActor(r.by)) return null;
	return optional({ id: r.id, name: r.name, points: r.points, hours: r.hours, at: r.at, by: r.by } as Activity, r, {
		note: (v) => isText(v, NOTE_MAX),
		retired: (v) => typeof v === 'boolean'
	});
}

export function parseItem(value: unknown): CatalogueItem | null {
	const r = record(value);
	if (!r || !isId(r.id) || !isName(r.name) || !isWhole(r.price, 1, POINTS_MAX) || !isText(r.unit, UNIT_MAX)) return null;
	if (!isTime(r.at) || !isActor(r.by)) return null;
	return optional({ id: r.id, name: r.name, price: r.price, unit: r.unit, at: r.at, by: r.by } as CatalogueItem, r, {
		note: (v) => isText(v, NOTE_MAX),
		retired: (v) => typeof v === 'boolean'
	});
}

export function parseRestock(value: unknown): Restock | null {
	const r = record(value);
	if (!r || !isId(r.id) || !isId(r.item) || !isWhole(r.quantity, -QUANTITY_MAX * 10, QUANTITY_MAX * 10) || r.quantity === 0) return null;
	if (!isText(r.note, NOTE_MAX) || !isTime(r.at) || !isActor(r.by)) return null;
	return { id: r.id, item: r.item, quantity: r.quantity, note: r.note, at: r.at, by: r.by };
}

export function parseSettings(value: unknown): PointsSettings {
	const r = record(value) ?? {};
	const d = DEFAULT_POINTS_SETTINGS;
	return {
		approvalAbove: isWhole(r.approvalAbove, 0, POINTS_MAX) ? r.approvalAbove : d.approvalAbove,
		expiryMonths: r.expiryMonths === null ? null : isWhole(r.expiryMonths, 1, 240) ? r.expiryMonths : d.expiryMonths,
		floor: isWhole(r.floor, -POINTS_MAX, 0) ? r.floor : d.floor,
		ceiling: r.ceiling === null ? null : isWhole(r.ceiling, 1, POINTS_MAX * 10) ? r.ceiling : d.ceiling
	};
}

export type SettingsIssue = 'approvalAbove' | 'expiryMonths' | 'floor' | 'ceiling';
export function settingsIssues(s: PointsSettings): SettingsIssue[] {
	const issues: SettingsIssue[] = [];
	if (!isWhole(s.approvalAbove, 0, POINTS_MAX)) issues.push('approvalAbove');
	if (s.expiryMonths !== null && !isWhole(s.expiryMonths, 1, 240)) issues.push('expiryMonths');
	if (!isWhole(s.floor, -POINTS_MAX, 0)) issues.push('floor');
	if (s.ceiling !== null && !isWhole(s.ceiling, 1, POINTS_MAX * 10)) issues.push('ceiling');
	return issues;
}

// ---- codes ----

const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * The redemption code (兑换码) a resident shows at the counter: six characters from the transfer id, without
 * 0/O or 1/I, so it can be read aloud and typed back. Any device derives the same code from the record.
 */
export function redemptionCode(transferId: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < transferId.length; i++) {
		h ^= transferId.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	let code = '';
	for (let i = 0; i < 6; i++) {
		code += CODE_ALPHABET[h & 31];
		h = (h >>> 5) | ((h & 31) << 27);
	}
	return code;
}

/**
 * A typed code as derived: half width (a Chinese input method may type full-width letters), upper case, without
 * spaces or dashes. The alphabet has neither 0/O nor 1/I, so there is nothing to read as something else.
 */
export const normaliseCode = (typed: string) => toHalfWidth(typed).toUpperCase().replace(/[\s-]+/g, '');

// ---- movements ----

export interface Movement {
	transfer: string;
	account: Account;
	/** Points into the account (negative: out of it). */
	delta: number;
	at: number;
}

/**
 * The two movements of a transfer. A reversal moves the points of the transfer it reverses back, so it needs
 * that transfer; a reversal of something unknown moves nothing. It moves exactly the points the reversed transfer
 * moved (as the passbook counts it), whatever amount the reversal itself carries.
 */
export function movementsOf(t: Transfer, reversed?: Transfer): Movement[] {
	const hh = householdAccount(t.household);
	const pair = (from: Account, to: Account, amount = t.amount): Movement[] => [
		{ transfer: t.id, account: from, delta: -amount, at: t.at },
		{ transfer: t.id, account: to, delta: amount, at: t.at }
	];
	if (t.kind === 'award') return pair('pool:service', hh);
	if (t.kind === 'redeem') return pair(hh, 'pool:goods');
	if (!reversed || reversed.kind === 'reverse') return [];
	const [from, to] = movementsOf(reversed);
	return pair(to!.account, from!.account, reversed.amount);
}

// ---- a household's passbook ----

export type LineStatus = 'counted' | 'pending' | 'rejected' | 'uncounted';

/** Why a recorded transfer does not count. */
export type UncountedReason = 'not_staff' | 'unknown_transfer' | 'already_reversed' | 'not_counted' | 'other_household' | 'reverses_reversal';

export interface PassbookLine {
	/** The transfer, or an expiry the books derived (kind 'expire', id `expire:<award id>`). */
	kind: TransferKind | 'expire';
	id: string;
	at: number;
	/** Points into the household's account (negative: out of it); 0 for a line that does not count. */
	delta: number;
	transfer: Transfer | null;
	status: LineStatus;
	reason?: UncountedReason;
	/** Balance after this line, for counted lines. */
	balance: number;
	/** Awards: decisions on it, in time order; the first one decides. */
	decisions: Approval[];
	/** The reversal that undid this transfer. */
	reversedBy?: string;
	/** Awards: when what is left of it expires (null: never). */
	expiresAt?: number | null;
}

export type FlagKind = 'overdraft' | 'ceiling' | 'oversold';

/** Something the merge could not judge: shown to staff until resolved, never settled silently. */
export interface Flag {
	key: string;
	kind: FlagKind;
	household?: string;
	item?: string;
	/** The transfer that crossed the limit, and every transfer involved (the run of redemptions that did it). */
	transfer: string;
	transfers: string[];
	/** How far past the limit: points below the floor or above the ceiling, items oversold. */
	excess: number;
	at: number;
	resolution?: Resolution;
}

export interface ExpiringLot {
	award: string;
	remaining: number;
	expiresAt: number;
}

export interface Passbook {
	household: string;
	balance: number;
	/** Awards waiting for approval, in points. */
	pending: number;
	/** Service hours of counted awards, net of reversals: kept forever. */
	hours: number;
	earned: number;
	spent: number;
	expired: number;
	/** Redemptions recorded (net of reversals). */
	redemptions: number;
	/** Oldest first; expiries included where they happened. */
	lines: PassbookLine[];
	/** Lots with points left, soonest to expire first (only when points expire). */
	expiring: ExpiringLot[];
	flags: Flag[];
}

export interface PassbookRecords {
	household: string;
	transfers: readonly Transfer[];
	approvals: readonly Approval[];
	resolutions: readonly Resolution[];
}

const byTime = <T extends { at: number; id: string }>(a: T, b: T) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const needsApproval = (t: Transfer, settings: PointsSettings) => t.kind === 'award' && t.amount > settings.approvalAbove;

/** When points awarded at `at` expire: the start of the same CST day `months` later. */
export function expiryOf(at: number, months: number | null): number | null {
	if (months === null) return null;
	// Awards cluster on the days of activities: remember each day's answer (a few thousand days at most).
	const key = Math.floor((at + CST_OFFSET_MS) / 86_400_000) * 1000 + months;
	let out = expiries.get(key);
	if (out === undefined) {
		if (expiries.size > 20_000) expiries.clear();
		out = cstDayStartMonthsLater(at, months);
		expiries.set(key, out);
	}
	return out;
}
const expiries = new Map<number, number>();

/** The start of the CST day `months` after the day of `at` (the day clamped to the month's end: 31 Jan → 28/29 Feb). */
function cstDayStartMonthsLater(at: number, months: number): number {
	const d = new Date(at + CST_OFFSET_MS);
	const year = d.getUTCFullYear();
	const month = d.getUTCMonth() + months;
	const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
	return Date.UTC(year, month, Math.min(d.getUTCDate(), last)) - CST_OFFSET_MS;
}

interface Lot {
	/** The award, or the reversal that gave back points a redemption had run into debt for. */
	award: string;
	/** Position in `lots` (lots are kept in the order they were made, which is also their expiry order). */
	index: number;
	remaining: number;
	expiresAt: number | null;
	/** Points of this lot that expired: given back from the expired pool if the award is reversed. */
	expired: number;
	/** The award was reversed: points a later reversal returns to it pay debt instead of reviving it. */
	reversed: boolean;
}

/**
 * Folds a household's records into its passbook as of `now`. Records by non-staff, reversals of unknown or
 * already reversed transfers, and awards awaiting approval are kept as lines that do not count.
 *
 * Points live in lots, one per award, spent oldest first; a household that spends more than its lots hold is
 * in debt, and debt is paid before any point is kept. Throughout, balance = points left in lots − debt, and
 * there is never debt while a lot still holds points (else those points could expire while the household owes).
 */
export function passbook(records: PassbookRecords, settings: PointsSettings, now: number): Passbook {
	const { household } = records;
	// The same record delivered twice (a document and an index entry, say) counts once.
	const byId = new Map<string, Transfer>();
	for (const t of records.transfers) if (!byId.has(t.id)) byId.set(t.id, t);
	// A reversal is folded after what it reverses, even when the recording device's clock was behind; at the same
	// instant awards come before redemptions.
	const folded = new Map<string, number>();
	for (const t of byId.values()) folded.set(t.id, t.kind === 'reverse' ? Math.max(t.at, byId.get(t.reverses!)?.at ?? t.at) : t.at);
	const orderAt = (t: Transfer) => folded.get(t.id)!;
	const rank = { award: 0, redeem: 1, reverse: 2 };
	const transfers = [...byId.values()].sort((a, b) => orderAt(a) - orderAt(b) || rank[a.kind] - rank[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const decisions = new Map<string, Approval[]>();
	for (const a of [...records.approvals].sort(byTime)) {
		const t = byId.get(a.transfer);
		// A decision counts from a staff member other than the one who recorded the award.
		if (!t || !keepsPoints(a.by.role) || a.by.id === t.by.id) continue;
		decisions.set(a.transfer, [...(decisions.get(a.transfer) ?? []), a]);
	}

	// First pass: which transfers count.
	const status = new Map<string, { status: LineStatus; reason?: UncountedReason }>();
	const reversedBy = new Map<string, string>();
	for (const t of transfers) {
		if (t.household !== household) status.set(t.id, { status: 'uncounted', reason: 'other_household' });
		else if (!keepsPoints(t.by.role)) status.set(t.id, { status: 'uncounted', reason: 'not_staff' });
		else if (needsApproval(t, settings)) {
			const first = decisions.get(t.id)?.[0];
			status.set(t.id, { status: !first ? 'pending' : first.decision === 'approve' ? 'counted' : 'rejected' });
		} else status.set(t.id, { status: 'counted' });
	}
	for (const t of transfers) {
		if (t.kind !== 'reverse' || status.get(t.id)?.status !== 'counted') continue;
		const target = byId.get(t.reverses!);
		const reason: UncountedReason | null = !target
			? 'unknown_transfer'
			: target.kind === 'reverse'
				? 'reverses_reversal'
				: status.get(target.id)?.status !== 'counted'
					? 'not_counted'
					: reversedBy.has(target.id)
						? 'already_reversed'
						: null;
		// Two staff members reversing the same transfer offline: the first reversal counts, the second is shown.
		if (reason) status.set(t.id, { status: 'uncounted', reason });
		else reversedBy.set(target!.id, t.id);
	}

	// Second pass: lots, spent oldest first, with expiries where they fall.
	const lots: Lot[] = [];
	const lotOf = new Map<string, Lot>();
	const consumed = new Map<string, { lot: Lot; n: number }[]>();
	const debtOf = new Map<string, number>();
	let debt = 0;
	let balance = 0;
	const lines: PassbookLine[] = [];
	let hours = 0;
	let earned = 0;
	let spent = 0;
	let expired = 0;
	let redemptions = 0;
	const flags: Flag[] = [];
	let run: string[] = [];
	// Lots before `swept` have reached their expiry; lots before `full` hold no points.
	let swept = 0;
	let full = 0;

	/** A derived line moving points between the household and the expired pool (negative: they expire). */
	const expiryLine = (id: string, at: number, delta: number) => {
		balance += delta;
		expired -= delta;
		lines.push({ kind: 'expire', id, at, delta, transfer: null, status: 'counted', balance, decisions: [] });
	};
	const expireUntil = (time: number) => {
		// Lots are made in time order with the same term, so they reach their expiry in the order they were made.
		for (; swept < lots.length; swept++) {
			const lot = lots[swept]!;
			if (lot.expiresAt === null || lot.expiresAt > time) break;
			if (lot.remaining === 0) continue;
			const n = lot.remaining;
			lot.remaining = 0;
			lot.expired += n;
			expiryLine(`expire:${lot.award}`, lot.expiresAt, -n);
		}
	};
	const newLot = (award: string, at: number, amount: number) => {
		const pay = Math.min(debt, amount);
		debt -= pay;
		if (amount > pay) {
			const lot: Lot = { award, index: lots.length, remaining: amount - pay, expiresAt: expiryOf(at, settings.expiryMonths), expired: 0, reversed: false };
			lots.push(lot);
			lotOf.set(award, lot);
		}
	};
	const take = (amount: number): { lot: Lot; n: number }[] => {
		const out: { lot: Lot; n: number }[] = [];
		let left = amount;
		for (let i = full; i < lots.length && left > 0; i++) {
			const lot = lots[i]!;
			const n = Math.min(lot.remaining, left);
			if (n > 0) {
				lot.remaining -= n;
				left -= n;
				out.push({ lot, n });
			}
		}
		while (full < lots.length && lots[full]!.remaining === 0) full++;
		debt += left;
		return out;
	};
	const refill = (lot: Lot, n: number) => {
		lot.remaining += n;
		full = Math.min(full, lot.index);
	};
	/** Debt is paid from points still held, oldest first. */
	const settle = () => {
		if (debt === 0) return;
		const owed = debt;
		debt = 0;
		take(owed);
	};

	for (const t of transfers) {
		const at = orderAt(t);
		expireUntil(at);
		const s = status.get(t.id)!;
		const line: PassbookLine = {
			kind: t.kind,
			id: t.id,
			at: t.at,
			delta: 0,
			transfer: t,
			status: s.status,
			balance,
			decisions: decisions.get(t.id) ?? [],
			...(s.reason ? { reason: s.reason } : {}),
			...(reversedBy.has(t.id) ? { reversedBy: reversedBy.get(t.id) } : {}),
			...(t.kind === 'award' ? { expiresAt: expiryOf(t.at, settings.expiryMonths) } : {})
		};
		lines.push(line);
		if (s.status !== 'counted') continue;
		if (t.kind === 'award') {
			newLot(t.id, t.at, t.amount);
			line.delta = t.amount;
			earned += t.amount;
			hours += t.hours ?? 0;
		} else if (t.kind === 'redeem') {
			const taken = take(t.amount);
			consumed.set(t.id, taken);
			debtOf.set(t.id, t.amount - taken.reduce((sum, c) => sum + c.n, 0));
			line.delta = -t.amount;
			spent += t.amount;
			redemptions++;
			run.push(t.id);
		} else {
			const target = byId.get(t.reverses!)!;
			line.delta = target.kind === 'award' ? -target.amount : target.amount;
			balance += line.delta;
			line.balance = balance;
			if (target.kind === 'award') {
				// Take back what is left of the award's lot and what of it expired (from the expired pool, so the
				// household is not charged twice for the same points); what was already spent becomes debt.
				const lot = lotOf.get(target.id);
				const back = lot?.remaining ?? 0;
				const unexpired = lot?.expired ?? 0;
				if (lot) {
					lot.remaining = 0;
					lot.expired = 0;
					lot.reversed = true;
				}
				if (unexpired > 0) expiryLine(`expire:${target.id}:${t.id}`, t.at, unexpired);
				debt += target.amount - back - unexpired;
				earned -= target.amount;
				hours -= target.hours ?? 0;
			} else {
				// Give back to the lots the redemption spent. Points of a lot that has expired since expire again at
				// once; points of a reversed award were charged back as debt, so they pay debt like the rest.
				let owed = debtOf.get(target.id) ?? 0;
				for (const c of consumed.get(target.id) ?? []) {
					if (c.lot.reversed) owed += c.n;
					else if (c.lot.expiresAt !== null && c.lot.expiresAt <= at) {
						c.lot.expired += c.n;
						expiryLine(`expire:${c.lot.award}:${t.id}`, t.at, -c.n);
					} else refill(c.lot, c.n);
				}
				// What the redemption ran into debt for pays debt first; what is left is kept as a new lot.
				newLot(t.id, at, owed);
				spent -= target.amount;
				redemptions--;
				run = run.filter((id) => id !== target.id);
			}
			settle();
			continue;
		}
		balance += line.delta;
		line.balance = balance;
		// The run of redemptions that overdrew starts again once the balance is back within the limit.
		if (t.kind === 'award' && balance >= settings.floor) run = [];
		if (t.kind === 'redeem' && balance < settings.floor) {
			flags.push({ key: `overdraft:${t.id}`, kind: 'overdraft', household, transfer: t.id, transfers: [...run], excess: settings.floor - balance, at: t.at });
		}
		if (t.kind === 'award' && settings.ceiling !== null && balance > settings.ceiling) {
			flags.push({ key: `ceiling:${t.id}`, kind: 'ceiling', household, transfer: t.id, transfers: [t.id], excess: balance - settings.ceiling, at: t.at });
		}
	}
	expireUntil(now);

	const resolved = resolutionsByFlag(records.resolutions);
	for (const f of flags) if (resolved.has(f.key)) f.resolution = resolved.get(f.key);
	let pending = 0;
	for (const t of transfers) if (status.get(t.id)?.status === 'pending') pending += t.amount;
	const expiring = lots
		.filter((l) => l.remaining > 0 && l.expiresAt !== null)
		.map((l) => ({ award: l.award, remaining: l.remaining, expiresAt: l.expiresAt! }))
		.sort((a, b) => a.expiresAt - b.expiresAt);
	return { household, balance, pending, hours, earned, spent, expired, redemptions, lines, expiring, flags };
}

/**
 * The first resolution recorded for each flag (two staff members deciding offline: both are kept, the first holds).
 * Only staff resolve flags; a resolution recorded by anyone else is ignored, as their transfers are.
 */
export function resolutionsByFlag(resolutions: readonly Resolution[]): Map<string, Resolution> {
	const out = new Map<string, Resolution>();
	const staff = resolutions.filter((r) => keepsPoints(r.by.role));
	const order = (a: Resolution, b: Resolution) => a.at - b.at || (a.by.id < b.by.id ? -1 : a.by.id > b.by.id ? 1 : a.action < b.action ? -1 : a.action > b.action ? 1 : 0);
	for (const r of staff.sort(order)) if (!out.has(r.flag)) out.set(r.flag, r);
	return out;
}

/** Awards waiting for a decision that `approver` may give (not their own). */
export function awaitingApproval(book: Passbook, approver: string): Transfer[] {
	return book.lines.filter((l) => l.status === 'pending' && l.transfer && l.transfer.by.id !== approver).map((l) => l.transfer!);
}

// ---- stock ----

export interface ItemStock {
	item: string;
	/** Brought in, net of write-offs. */
	stocked: number;
	/** Redeemed, net of reversals. */
	redeemed: number;
	remaining: number;
	flags: Flag[];
}

/**
 * Stock per item from the restocks and every household's redemptions (counted ones: pass each household's
 * passbook lines). A redemption that takes an item below zero is flagged with the run of redemptions that
 * shared the stock: those since the last restock that left the item in stock (a returned redemption leaves it).
 */
export function stockAudit(
	items: readonly CatalogueItem[],
	restocks: readonly Restock[],
	lines: readonly PassbookLine[],
	resolutions: readonly Resolution[]
): ItemStock[] {
	type Event = { at: number; id: string; item: string; kind: 'restock' | 'redeem' | 'return'; quantity: number };
	const events: Event[] = restocks.filter((r) => keepsPoints(r.by.role)).map((r) => ({ at: r.at, id: r.id, item: r.item, kind: 'restock', quantity: r.quantity }));
	const redeems = new Map<string, Transfer>();
	const redeemOf = new Map<string, string>();
	for (const l of lines) if (l.status === 'counted' && l.transfer?.kind === 'redeem') redeems.set(l.id, l.transfer);
	for (const l of lines) {
		const t = l.transfer;
		if (!t || l.status !== 'counted') continue;
		if (t.kind === 'redeem') events.push({ at: t.at, id: t.id, item: t.item!, kind: 'redeem', quantity: t.quantity ?? 1 });
		const returned = t.kind === 'reverse' ? redeems.get(t.reverses!) : undefined;
		if (returned) {
			// Returned no earlier than redeemed, whatever the clock of the device that recorded the reversal said.
			events.push({ at: Math.max(t.at, returned.at), id: t.id, item: returned.item!, kind: 'return', quantity: returned.quantity ?? 1 });
			redeemOf.set(t.id, returned.id);
		}
	}
	// At the same instant: stock comes in before it is redeemed, and is redeemed before it is returned.
	const rank = { restock: 0, redeem: 1, return: 2 };
	events.sort((a, b) => a.at - b.at || rank[a.kind] - rank[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const resolved = resolutionsByFlag(resolutions);
	const out = new Map<string, ItemStock & { run: string[] }>();
	for (const item of items) out.set(item.id, { item: item.id, stocked: 0, redeemed: 0, remaining: 0, flags: [], run: [] });
	for (const e of events) {
		const s = out.get(e.item);
		if (!s) continue;
		if (e.kind === 'redeem') {
			s.redeemed += e.quantity;
			s.remaining -= e.quantity;
			s.run.push(e.id);
			if (s.remaining < 0) {
				const key = `oversold:${e.id}`;
				const t = redeems.get(e.id)!;
				const flag: Flag = { key, kind: 'oversold', item: e.item, household: t.household, transfer: e.id, transfers: [...s.run], excess: -s.remaining, at: e.at };
				const resolution = resolved.get(key);
				if (resolution) flag.resolution = resolution;
				s.flags.push(flag);
			}
			continue;
		}
		s.remaining += e.quantity;
		if (e.kind === 'restock') {
			s.stocked += e.quantity;
			// A restock that still leaves the item oversold does not settle the redemptions that oversold it.
			if (s.remaining >= 0) s.run = [];
		} else {
			s.redeemed -= e.quantity;
			const returned = redeemOf.get(e.id);
			s.run = s.run.filter((id) => id !== returned);
		}
	}
	return [...out.values()].map(({ run: _run, ...s }) => s);
}

// ---- the community's books ----

export interface Books {
	/** Every account's balance; they sum to zero. */
	accounts: Map<Account, number>;
	flags: Flag[];
	stock: ItemStock[];
	/** Awards waiting for a second staff member. */
	pending: Transfer[];
}

/** Audits a community: every household's passbook, stock, open flags and pending approvals. */
export function audit(
	books: readonly Passbook[],
	items: readonly CatalogueItem[],
	restocks: readonly Restock[],
	resolutions: readonly Resolution[]
): Books {
	const accounts = new Map<Account, number>();
	const add = (a: Account, d: number) => accounts.set(a, (accounts.get(a) ?? 0) + d);
	const flags: Flag[] = [];
	const pending: Transfer[] = [];
	const lines: PassbookLine[] = [];
	for (const b of books) {
		add(householdAccount(b.household), b.balance);
		add('pool:service', -b.earned);
		add('pool:goods', b.spent);
		add('pool:expired', b.expired);
		flags.push(...b.flags);
		for (const l of b.lines) {
			lines.push(l);
			if (l.status === 'pending' && l.transfer) pending.push(l.transfer);
		}
	}
	const stock = stockAudit(items, restocks, lines, resolutions);
	for (const s of stock) flags.push(...s.flags);
	flags.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
	return { accounts, flags, stock, pending };
}

/** Flags nobody has resolved yet. */
export const openFlags = (flags: readonly Flag[]) => flags.filter((f) => !f.resolution);

// ---- the public board ----

export interface BoardEntry {
	name: string;
	hours: number;
	earned: number;
}

export interface BoardFigures {
	/** Households that have earned points. */
	households: number;
	earned: number;
	hours: number;
	redemptions: number;
	/** Only households that chose to appear, by hours then points. */
	names: BoardEntry[];
}

/** What anyone may see: totals, and the names of households that chose to appear. */
export function boardFigures(books: readonly Passbook[], choices: ReadonlyMap<string, BoardChoice>, top = 20): BoardFigures {
	let households = 0;
	let earned = 0;
	let hours = 0;
	let redemptions = 0;
	const names: BoardEntry[] = [];
	for (const b of books) {
		if (b.earned > 0) households++;
		earned += b.earned;
		hours += b.hours;
		redemptions += b.redemptions;
		const c = choices.get(b.household);
		if (c?.show && b.earned > 0) names.push({ name: c.name, hours: b.hours, earned: b.earned });
	}
	names.sort((a, b) => b.hours - a.hours || b.earned - a.earned || (a.name < b.name ? -1 : 1));
	return { households, earned, hours, redemptions, names: names.slice(0, top) };
}
