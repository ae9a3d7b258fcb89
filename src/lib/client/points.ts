/**
 * Points actions: award points for service (a whole activity's participants in one batch), redeem at the counter,
 * approve large awards, reverse, resolve flags, hand goods over against a code, and keep the activities,
 * catalogue and settings. Each writes through the schema writers and resolves once the change is in IndexedDB
 * (and queued for the relay), so a page may say "saved" when it returns. Input is checked first: a refused
 * action throws InvalidPointsInputError and writes nothing.
 */
import type { Actor } from '../domain/actor';
import { roleCan } from '../domain/permissions';
import { newId } from '../domain/ids';
import {
	type Activity,
	type Approval,
	type BoardChoice,
	type CatalogueItem,
	type Flag,
	type FlagAction,
	type Handover,
	HOURS_MAX,
	keepsPoints,
	NAME_MAX,
	NOTE_MAX,
	parseActivity,
	parseApproval,
	parseBoardChoice,
	parseItem,
	parseResolution,
	parseRestock,
	POINTS_MAX,
	type PointsChannel,
	type PointsSettings,
	QUANTITY_MAX,
	redemptionCode,
	type Resolution,
	type Restock,
	settingsIssues,
	type Transfer,
	transferIssues
} from '../domain/points';
import { passbookDocName, pointsDocName } from '../schema/doc-names';
import { addApproval, addHandover, addResolution, addTransfer, readPassbookRecords, setBoardChoice } from '../schema/passbook-doc';
import { addRestock, putActivity, putItem, setPointsSettings } from '../schema/points-doc';
import type { ActionsApp } from './actions-app';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export type PointsApp = ActionsApp;

export interface PointsIssue {
	field: string;
	code: string;
}

/** Input the books would not take; nothing was written. */
export class InvalidPointsInputError extends Error {
	override readonly name = 'InvalidPointsInputError';
	constructor(readonly issues: readonly PointsIssue[]) {
		super(issues.map((i) => `${i.field}: ${i.code}`).join('; '));
	}
}

const refuse = (issues: PointsIssue[]) => {
	if (issues.length > 0) throw new InvalidPointsInputError(issues);
};

/** Only the staff who keep the books record in them (the relay's write rules refuse anyone else). */
function staff(app: PointsApp): Actor {
	const by = app.actorSnapshot();
	refuse(keepsPoints(by.role) ? [] : [{ field: 'by', code: 'not_staff' }]);
	return by;
}

const asIssues = (codes: readonly string[]): PointsIssue[] => [...new Set(codes)].map((field) => ({ field, code: 'invalid' }));

/** Runs `fn` over `items`, at most `limit` at a time. */
async function inTurn<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i]!);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return out;
}

/** Writes a transfer into its household's passbook; a second write of the same id changes nothing. */
function writeTransfer(app: PointsApp, t: Transfer): Promise<boolean> {
	return app.store.edit(passbookDocName(app.community, t.household), (doc) => addTransfer(doc, t));
}

// ---- earning ----

export interface AwardInput {
	households: readonly string[];
	/** The activity chosen (its name is kept on every transfer, as it was when awarded). */
	activity?: Activity;
	amount: number;
	hours: number;
	note: string;
	channel: PointsChannel;
	/** The meeting attended, when the award is for it. */
	meeting?: string;
	/** Names the batch, so its source can find it again (e.g. `clean-<booking>` for a room left clean). */
	batch?: string;
	at?: number;
}

/** Awards points to every household named, one transfer each, sharing one batch id. */
export async function awardPoints(app: PointsApp, input: AwardInput): Promise<Transfer[]> {
	const by = staff(app);
	const households = [...new Set(input.households)];
	if (households.length === 0) refuse([{ field: 'households', code: 'required' }]);
	const at = input.at ?? Date.now();
	const batch = input.batch ?? newId();
	const note = input.note.trim();
	const transfers = households.map(
		(household): Transfer => ({
			id: newId(),
			kind: 'award',
			household,
			amount: input.amount,
			at,
			by,
			channel: input.channel,
			note,
			...(input.activity ? { activity: input.activity.id, activityName: input.activity.name } : {}),
			...(input.hours > 0 ? { hours: input.hours } : {}),
			...(input.meeting ? { meeting: input.meeting } : {}),
			batch
		})
	);
	const issues = transfers.flatMap(transferIssues);
	if (!(typeof input.hours === 'number' && input.hours >= 0 && input.hours <= HOURS_MAX)) issues.push('hours');
	refuse(asIssues(issues));
	await inTurn(transfers, 6, (t) => writeTransfer(app, t));
	return transfers;
}

// ---- redeeming ----

export interface RedeemInput {
	household: string;
	item: CatalogueItem;
	quantity: number;
	note: string;
	channel: PointsChannel;
	/** The flag this redemption is recorded instead of (a substitute item). */
	substitutes?: string;
	at?: number;
}

function redemption(by: Actor, input: RedeemInput): Transfer {
	const id = newId();
	return {
		id,
		kind: 'redeem',
		household: input.household,
		amount: input.item.price * input.quantity,
		at: input.at ?? Date.now(),
		by,
		channel: input.channel,
		note: input.note.trim(),
		item: input.item.id,
		itemName: input.item.name,
		quantity: input.quantity,
		code: redemptionCode(id),
		...(input.substitutes ? { substitutes: input.substitutes } : {})
	};
}

function redemptionIssues(t: Transfer, item: CatalogueItem): PointsIssue[] {
	const issues = asIssues(transferIssues(t));
	if (item.retired) issues.push({ field: 'item', code: 'retired' });
	if (!Number.isInteger(t.quantity) || t.quantity! < 1 || t.quantity! > QUANTITY_MAX) issues.push({ field: 'quantity', code: 'invalid' });
	return issues;
}

/** Records a redemption (the resident shows its code, 兑换码); resolves once it is on disk. */
export async function redeemPoints(app: PointsApp, input: RedeemInput): Promise<Transfer> {
	const t = redemption(staff(app), input);
	refuse(redemptionIssues(t, input.item));
	await writeTransfer(app, t);
	return t;
}

/** A reversal goes back through the channel of what it reverses: a redemption at the counter is undone there. */
function reversal(by: Actor, target: Transfer, note: string, at = Date.now()): Transfer {
	return { id: newId(), kind: 'reverse', household: target.household, amount: target.amount, at, by, channel: target.channel, note: note.trim(), reverses: target.id };
}

function reversalIssues(household: string, target: Transfer, t: Transfer): PointsIssue[] {
	const issues = asIssues(transferIssues(t));
	if (target.household !== household) issues.push({ field: 'household', code: 'other_household' });
	if (target.kind === 'reverse') issues.push({ field: 'reverses', code: 'reversal' });
	return issues;
}

/** Reverses an award or a redemption of the household (with why: the note is required). */
export async function reverseTransfer(app: PointsApp, household: string, transfer: Transfer, note: string): Promise<Transfer> {
	const t = reversal(staff(app), transfer, note);
	refuse(reversalIssues(household, transfer, t));
	await writeTransfer(app, t);
	return t;
}

// ---- approvals, flags, handovers ----

/** A second staff member's decision on an award above the approval threshold (never on their own award). */
export async function decideAward(app: PointsApp, household: string, transfer: Transfer, decision: 'approve' | 'reject', note: string): Promise<Approval> {
	const by = staff(app);
	const approval: Approval = { id: newId(), transfer: transfer.id, decision, note: note.trim(), at: Date.now(), by };
	const issues: PointsIssue[] = [];
	if (transfer.kind !== 'award') issues.push({ field: 'transfer', code: 'not_award' });
	if (transfer.household !== household) issues.push({ field: 'household', code: 'other_household' });
	if (transfer.by.id === by.id) issues.push({ field: 'by', code: 'own_award' });
	if (decision === 'reject' && !approval.note) issues.push({ field: 'note', code: 'required' });
	if (!parseApproval(approval)) issues.push({ field: 'note', code: 'invalid' });
	refuse(issues);
	await app.store.edit(passbookDocName(app.community, household), (doc) => addApproval(doc, approval));
	return approval;
}

export interface ResolveOptions {
	/** Why: required. */
	note: string;
	/** The transfer to reverse (action 'reverse'), or the one a substitute replaces (default: the flag's). */
	reverse?: Transfer;
	/** Action 'substitute': the item handed over instead. */
	substitute?: { item: CatalogueItem; quantity: number };
}

/**
 * Records what staff decided about a flag: allow it as it stands, reverse one of the transfers involved, or
 * reverse it and record another item in its place. The reversal and substitute go into the passbook of the
 * household of the transfer they replace; the decision into the passbook of the flag's household.
 */
export async function resolveFlag(app: PointsApp, flag: Flag, action: FlagAction, opts: ResolveOptions): Promise<Resolution> {
	const by = staff(app);
	const note = opts.note.trim();
	const issues: PointsIssue[] = [];
	if (!note) issues.push({ field: 'note', code: 'required' });
	if (note.length > NOTE_MAX) issues.push({ field: 'note', code: 'too_long' });
	if (flag.resolution) issues.push({ field: 'flag', code: 'resolved' });
	refuse(issues);
	const household = flag.household ?? opts.reverse?.household;
	if (!household) throw new InvalidPointsInputError([{ field: 'flag', code: 'no_household' }]);

	const at = Date.now();
	const written: Transfer[] = [];
	if (action === 'reverse' || action === 'substitute') {
		let target = opts.reverse;
		if (!target && action === 'substitute') target = await findTransfer(app, household, flag.transfer);
		if (!target) refuse([{ field: 'reverse', code: 'required' }]);
		if (!flag.transfers.includes(target!.id) && target!.id !== flag.transfer) refuse([{ field: 'reverse', code: 'not_involved' }]);
		const back = reversal(by, target!, note, at);
		refuse(reversalIssues(target!.household, target!, back));
		written.push(back);
		if (action === 'substitute') {
			if (!opts.substitute) refuse([{ field: 'substitute', code: 'required' }]);
			const { item, quantity } = opts.substitute!;
			const instead = redemption(by, { household: target!.household, item, quantity, note, channel: target!.channel, substitutes: flag.key, at });
			refuse(redemptionIssues(instead, item));
			written.push(instead);
		}
	}
	const resolution: Resolution = { flag: flag.key, action, note, transfers: written.map((t) => t.id), at, by };
	refuse(parseResolution(resolution) ? [] : [{ field: 'flag', code: 'invalid' }]);

	const target = written[0]?.household;
	if (target && target !== household) {
		await app.store.edit(passbookDocName(app.community, target), (doc) => {
			for (const t of written) addTransfer(doc, t);
		});
		await app.store.edit(passbookDocName(app.community, household), (doc) => addResolution(doc, resolution));
	} else {
		// One change: the transfers and the decision reach the relay together.
		await app.store.edit(passbookDocName(app.community, household), (doc) => {
			for (const t of written) addTransfer(doc, t);
			addResolution(doc, resolution);
		});
	}
	return resolution;
}

async function findTransfer(app: PointsApp, household: string, id: string): Promise<Transfer | undefined> {
	return app.store.withDoc(passbookDocName(app.community, household), (h) => readPassbookRecords(h.doc, household).transfers.find((t) => t.id === id));
}

/** Notes that the goods of a redemption were handed over against its code. */
export async function recordHandover(app: PointsApp, household: string, transferId: string): Promise<Handover> {
	const handover: Handover = { transfer: transferId, at: Date.now(), by: staff(app) };
	await app.store.edit(passbookDocName(app.community, household), (doc) => addHandover(doc, handover));
	return handover;
}

/** How the household appears on the public board: not at all, or under a name it chose (e.g. 3栋王阿姨). */
export async function chooseBoardName(app: PointsApp, household: string, choice: { show: boolean; name: string }): Promise<BoardChoice> {
	const c: BoardChoice = { show: choice.show, name: choice.name.trim(), at: Date.now(), by: app.actorSnapshot() };
	if (!choice.show && c.name.length > NAME_MAX) c.name = '';
	const issues: PointsIssue[] = [];
	if (c.show && !c.name) issues.push({ field: 'name', code: 'required' });
	if (c.name.length > NAME_MAX) issues.push({ field: 'name', code: 'too_long' });
	refuse(issues.length === 0 && !parseBoardChoice(c) ? [{ field: 'name', code: 'invalid' }] : issues);
	await app.store.edit(passbookDocName(app.community, household), (doc) => setBoardChoice(doc, c));
	return c;
}

// ---- the community's activities, catalogue and settings ----

export interface ActivityInput {
	id?: string;
	name: string;
	points: number;
	hours: number;
	note?: string;
	retired?: boolean;
}

/** Adds or changes an activity points are awarded for. */
export async function saveActivity(app: PointsApp, input: ActivityInput): Promise<Activity> {
	const a: Activity = {
		id: input.id ?? newId(),
		name: input.name.trim(),
		points: input.points,
		hours: input.hours,
		...(input.note?.trim() ? { note: input.note.trim() } : {}),
		...(input.retired ? { retired: true } : {}),
		at: Date.now(),
		by: staff(app)
	};
	const issues: PointsIssue[] = [];
	if (!a.name) issues.push({ field: 'name', code: 'required' });
	else if (a.name.length > NAME_MAX) issues.push({ field: 'name', code: 'too_long' });
	if (!Number.isInteger(a.points) || a.points < 0 || a.points > POINTS_MAX) issues.push({ field: 'points', code: 'invalid' });
	if (!(typeof a.hours === 'number' && a.hours >= 0 && a.hours <= HOURS_MAX)) issues.push({ field: 'hours', code: 'invalid' });
	refuse(issues.length === 0 && !parseActivity(a) ? [{ field: 'note', code: 'too_long' }] : issues);
	await app.store.edit(pointsDocName(app.community), (doc) => putActivity(doc, a));
	return a;
}

export interface ItemInput {
	id?: string;
	name: string;
	price: number;
	unit: string;
	note?: string;
	retired?: boolean;
}

/** Adds or changes an item of the catalogue (积分兑换目录). */
export async function saveItem(app: PointsApp, input: ItemInput): Promise<CatalogueItem> {
	const item: CatalogueItem = {
		id: input.id ?? newId(),
		name: input.name.trim(),
		price: input.price,
		unit: input.unit.trim(),
		...(input.note?.trim() ? { note: input.note.trim() } : {}),
		...(input.retired ? { retired: true } : {}),
		at: Date.now(),
		by: staff(app)
	};
	const issues: PointsIssue[] = [];
	if (!item.name) issues.push({ field: 'name', code: 'required' });
	else if (item.name.length > NAME_MAX) issues.push({ field: 'name', code: 'too_long' });
	if (!Number.isInteger(item.price) || item.price < 1 || item.price > POINTS_MAX) issues.push({ field: 'price', code: 'invalid' });
	if (item.unit.length > 8) issues.push({ field: 'unit', code: 'too_long' });
	refuse(issues.length === 0 && !parseItem(item) ? [{ field: 'note', code: 'too_long' }] : issues);
	await app.store.edit(pointsDocName(app.community), (doc) => putItem(doc, item));
	return item;
}

/** Stock brought in, or (a negative quantity) written off, with why. */
export async function restockItem(app: PointsApp, input: { item: string; quantity: number; note: string }): Promise<Restock> {
	const r: Restock = { id: newId(), item: input.item, quantity: input.quantity, note: input.note.trim(), at: Date.now(), by: staff(app) };
	const issues: PointsIssue[] = [];
	if (!Number.isInteger(r.quantity) || r.quantity === 0 || Math.abs(r.quantity) > QUANTITY_MAX * 10) issues.push({ field: 'quantity', code: 'invalid' });
	if (r.quantity < 0 && !r.note) issues.push({ field: 'note', code: 'required' });
	refuse(issues.length === 0 && !parseRestock(r) ? [{ field: 'item', code: 'invalid' }] : issues);
	await app.store.edit(pointsDocName(app.community), (doc) => addRestock(doc, r));
	return r;
}

/** The approval threshold, expiry, floor and ceiling: community admins only (a facilitator may not lower the bar). */
export async function savePointsSettings(app: PointsApp, settings: PointsSettings): Promise<PointsSettings> {
	const by = staff(app);
	refuse(roleCan(by.role, 'set-points-rules') ? [] : [{ field: 'by', code: 'not_admin' }]);
	const s: PointsSettings = { approvalAbove: settings.approvalAbove, expiryMonths: settings.expiryMonths, floor: settings.floor, ceiling: settings.ceiling };
	const issues = settingsIssues(s).map((field) => ({ field, code: 'invalid' }));
	if (s.ceiling !== null && s.ceiling <= s.floor) issues.push({ field: 'ceiling', code: 'invalid' });
	refuse(issues);
	await app.store.edit(pointsDocName(app.community), (doc) => setPointsSettings(doc, s));
	return s;
}
