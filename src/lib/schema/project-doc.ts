/**
 * A project is two documents, because the relay enforces access per document kind:
 *
 * The project document (`project`, one per topic carried out; it shares the topic's id) holds what
 * staff record. Only facilitators, admins and grid workers (for progress reports) may write it, so a resident
 * device can never add a receipt, a ledger entry or a task, whatever role it claims inside a record. Root keys:
 *   meta             Y.Map  schema, id, title, topic, createdAt, createdBy, target, targetSet, minRepresentatives, closed,
 *                          acceptanceOverride
 *   pledges          Y.Map  pledge id → Pledge    (institutional sources, and residents' pledges staff took down)
 *   receipts         Y.Map  pledge id → Receipt   (one per pledge: two devices receiving it merge to one)
 *   entries          Y.Map  entry id → LedgerEntry (spending and non-pledge income)
 *   voids            Y.Map  entry id → Void
 *   tasks            Y.Map  task id → Task
 *   updates          Y.Map  update id → ProgressUpdate
 *   tenders          Y.Map  tender id → Tender
 *   selections       Y.Map  selection id → Selection (the latest counts; earlier ones stay visible)
 *   checklist        Y.Map  item id → ChecklistItem
 *   checks           Y.Map  item id → Check
 *   signoffs         Y.Map  household id → Signoff (recorded by staff from the paper form, with its photo)
 *   representatives  Y.Map  household id → Representative (households chosen to sign; removal marks the record)
 *   acceptancePhotos Y.Map  sha-256 → PhotoRecord
 *   answers          Y.Map  request id → Answer
 *   notices          Y.Map  notice document name → PostedNotice
 *
 * The participation document (`participation`, same id) holds what residents bring, and is writable by them
 * (the relay lets a resident add only their own household's records: see participationChangeProblem):
 *   pledges    Y.Map  pledge id → Pledge (residents' own pledges; other sources there are ignored)
 *   signoffs   Y.Map  household id → Signoff (a representative signing for their own household)
 *   ratings    Y.Map  `<household>|<device>` → Rating (see ratingKey)
 *   followUps  Y.Map  proposal document name → FollowUp
 *   requests   Y.Map  request id → DisclosureRequest
 *
 * Records are written whole and never edited in place (except a pledge's withdrawal by its giver, and a
 * sign-off or a device's rating given again), so concurrent changes are separate keys that all survive a merge;
 * the domain folds them.
 */
import * as Y from 'yjs';
import type { AcceptanceOverride, Check, ChecklistItem, Representative, Signoff } from '../domain/acceptance';
import { chosenRepresentatives, DEFAULT_ACCEPTANCE } from '../domain/acceptance';
import { type Actor, isActor } from '../domain/actor';
import type { LedgerEntry, Pledge, Receipt, Void } from '../domain/funding';
import { type Fen, isAmount } from '../domain/money';
import type { Answer, DisclosureRequest } from '../domain/notice';
import { cstDay } from '../domain/calendar';
import { type FollowUp, type PhotoRecord, type PostedNotice, type Project, type ProjectStage, type ProjectState, projectState, projectTimeline } from '../domain/project';
import { type Rating, ratingKey } from '../domain/satisfaction';
import type { ProgressUpdate, Task } from '../domain/tasks';
import type { Selection, Tender } from '../domain/tender';
import { SCHEMA_VERSION } from './doc-names';
import type { IndexEntry } from './index-entry';
import { meta } from './meta';

type IndexSummary = Pick<IndexEntry, 'title' | 'status' | 'createdBy' | 'updated' | 'count' | 'created'>;

const map = <T>(doc: Y.Doc, key: ProjectMapKey) => doc.getMap<T>(key);

export type ProjectMapKey =
	| 'pledges'
	| 'receipts'
	| 'entries'
	| 'voids'
	| 'tasks'
	| 'updates'
	| 'tenders'
	| 'selections'
	| 'checklist'
	| 'checks'
	| 'signoffs'
	| 'representatives'
	| 'acceptancePhotos'
	| 'ratings'
	| 'followUps'
	| 'requests'
	| 'answers'
	| 'notices';

/** The maps of the participation document: everything residents may add to a project. */
export type ParticipationMapKey = 'pledges' | 'signoffs' | 'ratings' | 'followUps' | 'requests';

/** True once the document holds a created project (an empty doc may be one still syncing). */
export function isProjectDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('id') === 'string';
}

/** Records come from other devices: anything without a time and an author is ignored rather than trusted. */
function records<T extends { at: number; by: Actor }>(doc: Y.Doc | null | undefined, key: ProjectMapKey, ok: (r: T) => boolean = () => true): T[] {
	const out: T[] = [];
	if (!doc) return out;
	for (const value of map<T>(doc, key).values()) {
		if (value && typeof value === 'object' && typeof value.at === 'number' && isActor(value.by) && ok(value)) out.push(value);
	}
	return out;
}

/** Records of both documents, the project's first: on a clash of keys the facilitators' record wins. */
function union<T>(first: readonly T[], second: readonly T[], key: (r: T) => string): T[] {
	const seen = new Set(first.map(key));
	return [...first, ...second.filter((r) => !seen.has(key(r)))];
}

const hasString = (key: string) => (r: object) => typeof (r as Record<string, unknown>)[key] === 'string';
const photosOk = (r: { photos?: unknown }) => Array.isArray(r.photos) && r.photos.every((p) => typeof p === 'string');

/**
 * The project as the domain sees it: the project document's records and, when the device has it, the
 * participation document's. Institutional pledges count only from the project document.
 */
export function readProject(doc: Y.Doc, participation?: Y.Doc | null): Project {
	const m = meta(doc);
	const pledgeOk = (r: Pledge) => typeof r.id === 'string';
	const signoffOk = (r: Signoff) => hasString('id')(r) && hasString('name')(r) && typeof r.agree === 'boolean';
	const ratingOk = (r: Rating) => hasString('household')(r) && typeof r.comment === 'string';
	const requestOk = (r: DisclosureRequest) => hasString('id')(r) && hasString('question')(r);
	const target = m.get('target');
	const min = m.get('minRepresentatives');
	const targetSet = m.get('targetSet') as Project['targetSet'];
	const closed = m.get('closed') as Project['closed'];
	const override = m.get('acceptanceOverride') as AcceptanceOverride | undefined;
	const overrideOk = !!override && typeof override === 'object' && isActor(override.by) && typeof override.at === 'number' && typeof override.reason === 'string' && Array.isArray(override.waived);
	const topic = m.get('topic');
	return {
		id: String(m.get('id') ?? ''),
		title: String(m.get('title') ?? ''),
		...(typeof topic === 'string' && topic ? { topic } : {}),
		createdAt: Number(m.get('createdAt') ?? 0),
		createdBy: isActor(m.get('createdBy')) ? (m.get('createdBy') as Actor) : null,
		target: isAmount(target) ? target : 0,
		...(targetSet && isActor(targetSet.by) ? { targetSet } : {}),
		minRepresentatives: typeof min === 'number' && Number.isInteger(min) && min > 0 ? min : DEFAULT_ACCEPTANCE.minRepresentatives,
		...(closed && isActor(closed.by) ? { closed } : {}),
		...(overrideOk ? { acceptanceOverride: override } : {}),
		pledges: union(
			records<Pledge>(doc, 'pledges', pledgeOk),
			records<Pledge>(participation, 'pledges', (r) => pledgeOk(r) && r.source === 'residents'),
			(r) => r.id
		),
		receipts: records<Receipt>(doc, 'receipts', hasString('pledge')),
		entries: records<LedgerEntry>(doc, 'entries', (r) => hasString('id')(r) && photosOk(r)),
		voids: records<Void>(doc, 'voids', hasString('entry')),
		tasks: records<Task>(doc, 'tasks', (r) => hasString('id')(r) && hasString('due')(r) && hasString('title')(r)),
		updates: records<ProgressUpdate>(doc, 'updates', (r) => hasString('id')(r) && hasString('task')(r) && photosOk(r)),
		tenders: records<Tender>(doc, 'tenders', (r) => hasString('id')(r) && hasString('vendor')(r)),
		selections: records<Selection>(doc, 'selections', (r) => hasString('id')(r) && hasString('tender')(r)),
		checklist: records<ChecklistItem>(doc, 'checklist', (r) => hasString('id')(r) && hasString('text')(r)),
		checks: records<Check>(doc, 'checks', (r) => hasString('item')(r) && (r.result === 'pass' || r.result === 'fail')),
		// Both documents' sign-offs: a household's latest one counts, from its device or staff's paper record.
		signoffs: [...records<Signoff>(doc, 'signoffs', signoffOk), ...records<Signoff>(participation, 'signoffs', signoffOk)],
		representatives: records<Representative>(doc, 'representatives', (r) => hasString('household')(r) && hasString('label')(r)),
		acceptancePhotos: records<PhotoRecord>(doc, 'acceptancePhotos', hasString('sha')),
		ratings: [...records<Rating>(doc, 'ratings', ratingOk), ...records<Rating>(participation, 'ratings', ratingOk)],
		followUps: union(
			records<FollowUp>(doc, 'followUps', hasString('proposal')),
			records<FollowUp>(participation, 'followUps', hasString('proposal')),
			(r) => r.proposal
		),
		requests: union(records<DisclosureRequest>(doc, 'requests', requestOk), records<DisclosureRequest>(participation, 'requests', requestOk), (r) => r.id),
		answers: records<Answer>(doc, 'answers', (r) => hasString('request')(r) && hasString('notice')(r)),
		notices: records<PostedNotice>(doc, 'notices', (r) => hasString('doc')(r) && hasString('title')(r))
	};
}

export function createProject(
	doc: Y.Doc,
	p: { id: string; title: string; topic?: string; target?: Fen },
	actor: Actor,
	now: number
): void {
	doc.transact(() => {
		const m = meta(doc);
		m.set('schema', SCHEMA_VERSION);
		m.set('id', p.id);
		m.set('title', p.title);
		if (p.topic) m.set('topic', p.topic);
		m.set('createdAt', now);
		m.set('createdBy', actor);
		if (p.target) {
			m.set('target', p.target);
			m.set('targetSet', { at: now, by: actor });
		}
	});
}

export function setTarget(doc: Y.Doc, target: Fen, actor: Actor, now: number): void {
	if (!isAmount(target)) throw new RangeError('target must be a non-negative amount in fen');
	doc.transact(() => {
		meta(doc).set('target', target);
		meta(doc).set('targetSet', { at: now, by: actor });
	});
}

export function setMinRepresentatives(doc: Y.Doc, count: number): void {
	if (!Number.isInteger(count) || count < 1) throw new RangeError('at least one representative');
	meta(doc).set('minRepresentatives', count);
}

/** Staff accept despite unmet conditions: the ones waived and why (a later override replaces it). */
export function overrideAcceptance(doc: Y.Doc, override: AcceptanceOverride): void {
	if (!override.reason.trim()) throw new RangeError('an override needs a reason');
	meta(doc).set('acceptanceOverride', override);
}

export function closeProject(doc: Y.Doc, actor: Actor, now: number, note?: string): void {
	meta(doc).set('closed', { at: now, by: actor, ...(note ? { note } : {}) });
}

export const addPledge = (doc: Y.Doc, pledge: Pledge) => map<Pledge>(doc, 'pledges').set(pledge.id, pledge);

/**
 * The giver withdraws a pledge not yet received, in the document that holds it (`doc`); receipts are in the
 * project document. A receipt recorded meanwhile on another device still counts.
 */
export function withdrawPledge(doc: Y.Doc, id: string, actor: Actor, now: number, project: Y.Doc = doc): boolean {
	const pledges = map<Pledge>(doc, 'pledges');
	const p = pledges.get(id);
	if (!p || p.withdrawn || map(project, 'receipts').has(id)) return false;
	pledges.set(id, { ...p, withdrawn: { at: now, by: actor } });
	return true;
}

/** Marks a pledge received. Keyed by pledge id, so it can never count twice; false if already received here. */
export function recordReceipt(doc: Y.Doc, receipt: Receipt): boolean {
	const receipts = map<Receipt>(doc, 'receipts');
	if (receipts.has(receipt.pledge)) return false;
	receipts.set(receipt.pledge, receipt);
	return true;
}

export const addEntry = (doc: Y.Doc, entry: LedgerEntry) => map<LedgerEntry>(doc, 'entries').set(entry.id, entry);
export const voidEntry = (doc: Y.Doc, v: Void) => map<Void>(doc, 'voids').set(v.entry, v);
export const addTask = (doc: Y.Doc, task: Task) => map<Task>(doc, 'tasks').set(task.id, task);
export const addUpdate = (doc: Y.Doc, update: ProgressUpdate) => map<ProgressUpdate>(doc, 'updates').set(update.id, update);
export const addTender = (doc: Y.Doc, tender: Tender) => map<Tender>(doc, 'tenders').set(tender.id, tender);
export const addSelection = (doc: Y.Doc, selection: Selection) => map<Selection>(doc, 'selections').set(selection.id, selection);
export const addChecklistItem = (doc: Y.Doc, item: ChecklistItem) => map<ChecklistItem>(doc, 'checklist').set(item.id, item);
export const setCheck = (doc: Y.Doc, check: Check) => map<Check>(doc, 'checks').set(check.item, check);
export const addSignoff = (doc: Y.Doc, signoff: Signoff) => map<Signoff>(doc, 'signoffs').set(signoff.id, signoff);
export const setRepresentative = (doc: Y.Doc, rep: Representative) => map<Representative>(doc, 'representatives').set(rep.household, rep);

/** Households chosen to sign, as the project document holds them now (for the relay's sign-off rule). */
export function representativeHouseholds(doc: Y.Doc | null | undefined): Set<string> {
	return new Set(chosenRepresentatives(records<Representative>(doc, 'representatives', hasString('household'))).map((r) => r.household));
}
/** Makes the acceptance photos exactly `shas`, touching only what changed so concurrent additions merge. */
export function setAcceptancePhotos(doc: Y.Doc, shas: readonly string[], by: Actor, at: number): void {
	const photos = map<PhotoRecord>(doc, 'acceptancePhotos');
	const wanted = new Set(shas);
	doc.transact(() => {
		for (const sha of [...photos.keys()]) if (!wanted.has(sha)) photos.delete(sha);
		shas.forEach((sha, i) => {
			if (!photos.has(sha)) photos.set(sha, { sha, at: at + i, by });
		});
	});
}
export const addFollowUp = (doc: Y.Doc, followUp: FollowUp) => map<FollowUp>(doc, 'followUps').set(followUp.proposal, followUp);
export const addRequest = (doc: Y.Doc, request: DisclosureRequest) => map<DisclosureRequest>(doc, 'requests').set(request.id, request);
export const addAnswer = (doc: Y.Doc, answer: Answer) => map<Answer>(doc, 'answers').set(answer.request, answer);
export const addPostedNotice = (doc: Y.Doc, notice: PostedNotice) => map<PostedNotice>(doc, 'notices').set(notice.doc, notice);

/** A household's rating from one device: re-rating on the same device replaces it; other devices keep theirs. */
export function rate(doc: Y.Doc, rating: Rating, device: string): void {
	map<Rating>(doc, 'ratings').set(ratingKey(rating.household, device), rating);
}

/** What the project list needs from the index without opening each project. */
export interface ProjectIndexFields {
	stage: ProjectStage;
	/** Earliest due day among tasks not done: overdue is then a comparison with today. */
	due?: string;
	topic?: string;
}

export function projectIndexFields(p: Project, state: ProjectState): ProjectIndexFields {
	return {
		stage: state.stage,
		...(state.work.nextDue ? { due: state.work.nextDue } : {}),
		...(p.topic ? { topic: p.topic } : {})
	};
}

/**
 * The project's index entry fields (see index-entry.ts); null while the document is still empty. The stage
 * depends on residents' sign-offs, so the participation document is read too when the device has it.
 */
export function projectSummary(doc: Y.Doc, participation?: Y.Doc | null, now = Date.now()): (IndexSummary & ProjectIndexFields) | null {
	if (!isProjectDoc(doc)) return null;
	const p = readProject(doc, participation);
	const state = projectState(p, cstDay(now));
	return {
		title: p.title,
		status: state.status,
		createdBy: p.createdBy?.id ?? '',
		updated: projectTimeline(p, state).at(-1)?.at ?? p.createdAt,
		// Tasks not done yet.
		count: state.work.open + state.work.inProgress,
		created: p.createdAt,
		...projectIndexFields(p, state)
	};
}

/** Who is writing a participation document, as the relay knows them from their credential. */
export interface ParticipationWriter {
	/** The credential's device id, which the app uses as the actor id. */
	device: string;
	household: string | null;
	/** Households chosen to sign this project's acceptance, from its project document. */
	representatives?: ReadonlySet<string>;
}

const PARTICIPATION_KEYS: ReadonlySet<string> = new Set<ParticipationMapKey>(['pledges', 'signoffs', 'ratings', 'followUps', 'requests']);

/** Same JSON record, whatever the key order. */
function sameRecord(a: unknown, b: unknown): boolean {
	const canonical = (v: unknown): unknown =>
		v && typeof v === 'object' && !Array.isArray(v)
			? Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
			: Array.isArray(v)
				? v.map(canonical)
				: v;
	return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** `after` is `before` withdrawn by the device that pledged it, and nothing else changed. */
function isOwnWithdrawal(before: unknown, after: unknown, device: string): boolean {
	const b = before as Partial<Pledge> | null;
	const a = after as Partial<Pledge> | null;
	if (!b || !a || b.withdrawn || b.by?.id !== device || !a.withdrawn) return false;
	const w = a.withdrawn as { at?: unknown; by?: unknown };
	if (typeof w.at !== 'number' || !isActor(w.by) || w.by.id !== device || w.by.role !== 'resident') return false;
	return sameRecord({ ...a, withdrawn: undefined }, b);
}

/**
 * Why a resident's change to one record of a participation document is refused, or null if it is theirs to
 * make. The relay checks every change a resident sends (and the app checks before writing), so records there
 * are truly the household's own: each is written by this device as a resident, for its own household (requests
 * and follow-ups may name none), under the key the app uses, and never deleted. Once written a record stays as
 * it is, except a pledge its giver withdraws and the household's sign-off or this device's rating given again.
 */
export function participationChangeProblem(
	root: string,
	key: string,
	before: unknown,
	after: unknown,
	writer: ParticipationWriter
): string | null {
	if (!PARTICIPATION_KEYS.has(root)) return `a resident may not write "${root}"`;
	if (!writer.household) return 'a resident device without a household contributes nothing';
	const own = writer.household;
	if (after === undefined) return 'records are never deleted';
	if (before !== undefined) {
		if (root === 'pledges') return isOwnWithdrawal(before, after, writer.device) ? null : 'a pledge changes only by its withdrawal';
		if (root !== 'signoffs' && root !== 'ratings') return 'this record never changes once written';
		if ((before as { household?: unknown } | null)?.household !== own) return "another household's record";
	}
	if (!after || typeof after !== 'object' || Array.isArray(after) || after instanceof Y.AbstractType) return 'not a record';
	const r = after as Record<string, unknown>;
	const by = r.by as Actor | undefined;
	if (!isActor(by) || by.id !== writer.device || by.role !== 'resident') return 'a record must name this device, as a resident';
	const household = r.household;
	const ownHousehold = household === own;
	switch (root as ParticipationMapKey) {
		case 'pledges':
			return ownHousehold && r.id === key && r.source === 'residents' ? null : 'a pledge of this household, under its id';
		case 'signoffs':
			if (!(ownHousehold && r.id === own && key === own)) return 'a sign-off for this household';
			if (r.paper !== undefined) return 'only staff record a paper sign-off';
			return writer.representatives?.has(own) ? null : 'this household is not a representative of the project';
		case 'ratings':
			return ownHousehold && key === ratingKey(own, writer.device) ? null : "this household's rating from this device";
		case 'requests':
			return (household === undefined || ownHousehold) && r.id === key ? null : 'a request of this household, under its id';
		case 'followUps':
			return (household === undefined || ownHousehold) && r.proposal === key ? null : 'a follow-up of this household, under its proposal';
	}
}
