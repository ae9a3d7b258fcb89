/**
 * Who may change what inside each kind of document: the relay's write rules, beside the access matrix
 * (domain/access.ts) that says who may write a kind at all. The relay judges every update a device sends with
 * them (server/core/write-guard.ts) and the app checks its own changes the same way before writing, so a change the
 * relay would refuse is never made on the device.
 *
 * Every kind lists its root types. For each: its shape (a map of records, a list, or text), the roles that may
 * change it, and how long a record lives: written `once` (never changed or deleted), `keep` (changed, never
 * deleted) or `free`. Then, for every kind alike, whatever a record says about who wrote it must be the writer's
 * credential: an actor (`by`, `createdBy`, or a nested `{ at, by }` such as a withdrawal) names this device in
 * its own role, a `device` field this device. Per-kind checks add the rest: a proposal's status changes only as
 * the status machine allows the writer's role, a resident writes only for their own household, a grid worker
 * only for households of their grids, money is staff's.
 *
 * `once` is kept for keys that are fresh ids, where two honest devices never write the same key; records
 * keyed by something two devices may write at once (a receipt per pledge, a void per entry) are `keep`.
 */
import * as Y from 'yjs';
import { type Actor, isActor, type Role } from '../domain/actor';
import { buildingOfHousehold } from '../domain/household';
import {
	parseActivity,
	parseApproval,
	parseBoardChoice,
	parseHandover,
	parseItem,
	parseResolution,
	parseRestock,
	parseTransfer,
	type PointsSettings,
	redemptionCode,
	settingsIssues
} from '../domain/points';
import { type Action, can, rolesThatCan } from '../domain/permissions';
import { canTransitionAtSomeLevel, needsReason, type ProposalStatus } from '../domain/proposal';
import { needsDateReason, type Recurrence } from '../domain/meeting';
import { parsePerson, parseSkill } from '../domain/talents';
import { parseBooking, parseCancellation, parseDecision, parseRoom, parseSeries } from '../domain/rooms';
import {
	parseMeta as parseConventionMeta,
	parseRatification,
	parseResult as parseConventionResult,
	parseSuggestion,
	parseVerdict,
	parseVersion
} from '../domain/conventions';
import { type DocName, parseBallotsId, parseDocName } from './doc-names';
import { PHOTOS_KEY } from './photos';
import { participationChangeProblem } from './project-doc';
import { awaitsStreet, type ReferralCase, STREET_ANSWERS } from './referrals-doc';
import { type DocChange, type JudgedDoc, judgeUpdate, rootListValues, rootMapValue, type Verdict } from './record-changes';

/** Who is writing, as the relay knows them from their credential. */
export interface Writer {
	/** The credential's device id, which the app uses as the actor id. */
	device: string;
	role: Role;
	/** A resident's household. */
	household: string | null;
	/** A grid worker's grids. */
	grids: readonly string[];
}

/** What the rules need to know beyond the document itself. */
export interface WriteLookup {
	/** The grid of a household's building, from the community document; null when the building is unknown. */
	gridOf(household: string): string | null;
	/** For a participation document: the households its project chose to sign the acceptance (none if absent). */
	representatives?: ReadonlySet<string>;
	/** For a minutes document: its meeting's date (null when the meeting document is not there to tell). */
	meeting?: { startsAt: number; recurrence: Recurrence | null } | null;
}

interface Subject {
	doc: DocName;
	writer: Writer;
	lookup: WriteLookup;
	/** The document as it would be with the update, and what it held before. */
	j: JudgedDoc;
}

type Shape = 'map' | 'list' | 'content';
type Lifetime = 'once' | 'keep' | 'free';

interface RootRule {
	shape: Shape;
	/** Roles that may change this root at all. */
	roles: readonly Role[];
	/** Map records: how long a key lives once written (default 'free'). */
	keys?: Lifetime;
	/** List items are only ever added. */
	appendOnly?: boolean;
	check?: Check;
}

/** Further checks of a map key (`key` set), an added list item (`key` null) or a content change (null). */
type Check = (s: Subject, change: { key: string | null; before: unknown; after: unknown } | null) => string | null;

type KindRules = Readonly<Record<string, RootRule>>;

/** Every role of a community: who may write a proposal at all is the access matrix's to say. */
const ALL: readonly Role[] = ['resident', 'grid_worker', 'facilitator', 'community_admin'];
/**
 * The roles that may change a root: those the permissions (domain/permissions.ts) let do `action` in some scope.
 * The scope itself is the access matrix's (a street admin runs only the street office's own documents, a
 * resident writes only their own household's) and the per-kind checks' (a grid worker's grids).
 */
const may = (action: Action): readonly Role[] => rolesThatCan(action);

/**
 * Whether the writer is one of the community's staff, who may re-write the identity of a record two of them
 * created offline at once (a project, a meeting), and correct a proposal's content.
 */
const isStaff = (w: Writer) => can(w, 'edit-any-proposal');

function isPlainRecord(value: unknown): value is Record<string, unknown> {
	return !!value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Y.AbstractType) && !(value instanceof Uint8Array);
}

const isWriter = (actor: unknown, w: Writer) => isActor(actor) && actor.id === w.device && actor.role === w.role;
/** A record's author: an actor, or (a list version) just the author's id. */
const byWriter = (by: unknown, w: Writer) => (typeof by === 'string' ? by === w.device : isWriter(by, w));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What a record newly says about its author must be the writer: its `by`, its `device`, and the `by` of any
 * nested record it adds or changes (a withdrawal, a closing note). A `by` left as it was (a staff member
 * marking someone else's record) is not a claim.
 */
function claimProblem(before: unknown, after: unknown, w: Writer): string | null {
	if (!isPlainRecord(after)) return null;
	const was = isPlainRecord(before) ? before : null;
	if ('by' in after && !(was && same(was.by, after.by)) && !byWriter(after.by, w)) {
		return `a record must name this device as its author, as a ${w.role}`;
	}
	if ('device' in after && after.device !== was?.device && after.device !== w.device) return 'a record must name this device';
	for (const [field, value] of Object.entries(after)) {
		if (field === 'by' || !isPlainRecord(value) || !('by' in value)) continue;
		if (was && same(was[field], value)) continue;
		if (!byWriter(value.by, w)) return `"${field}" must name this device as its author, as a ${w.role}`;
	}
	return null;
}

/** The grid of a household id (`<building>-<unit>-<room>`), if its building is known. */
function gridOfHousehold(s: Subject, household: unknown): string | null {
	return typeof household === 'string' ? s.lookup.gridOf(household) : null;
}

/** A resident acts for their own household; a grid worker for households of their grids; staff for any. */
function actsFor(s: Subject, household: unknown): string | null {
	const w = s.writer;
	if (typeof household !== 'string' || !household) return 'a record must name its household';
	if (w.role === 'resident') return household === w.household ? null : "another household's record";
	if (can(w, 'record-for-household', { household, grid: gridOfHousehold(s, household) })) return null;
	return w.role === 'grid_worker' ? `household ${household} is not in your grids` : `a ${w.role} does not act for households`;
}

// ---- shared root rules ----

/** Fields of `meta` that name and date a document: set when it is created, by its creator. */
function identity(s: Subject, key: string, before: unknown, after: unknown, id: string | null): string | null | undefined {
	switch (key) {
		case 'schema':
			return typeof after === 'number' ? null : 'the schema version is a number';
		case 'id':
			return id === null || after === id ? null : `the id must be the document's (${id})`;
		case 'createdAt':
			if (typeof after !== 'number') return 'createdAt is a time';
			return before === undefined || before === after || isStaff(s.writer) ? null : 'createdAt never changes';
		case 'createdBy':
			if (!isWriter(after, s.writer)) return 'createdBy must name this device, in its role';
			// Two staff members creating one project or meeting offline both write it; nobody else takes one over.
			return before === undefined || isStaff(s.writer) ? null : 'createdBy never changes';
	}
	return undefined;
}

/** `meta` of a document that staff run: identity fields, then any field (claims are still checked). */
const staffMeta = (roles: readonly Role[], idOf: (doc: DocName) => string = (doc) => doc.id): RootRule => ({
	shape: 'map',
	roles,
	check: (s, c) => (c?.key ? (identity(s, c.key, c.before, c.after, idOf(s.doc)) ?? null) : null)
});

const records = (roles: readonly Role[], keys: Lifetime = 'free', check?: Check): RootRule => ({ shape: 'map', roles, keys, check });
const list = (roles: readonly Role[], appendOnly = true): RootRule => ({ shape: 'list', roles, appendOnly });
const text = (roles: readonly Role[], check?: Check): RootRule => ({ shape: 'content', roles, check });

/** The key of a record is its own id field. (Whether it may be deleted is the root's lifetime.) */
const keyedBy =
	(field: string, more?: Check): Check =>
	(s, c) => {
		if (!c?.key || c.after === undefined) return null;
		if (!isPlainRecord(c.after)) return 'not a record';
		if (c.after[field] !== c.key) return `a record is kept under its ${field}`;
		return more?.(s, c) ?? null;
	};

// ---- proposals ----

const PROPOSAL_FIELDS = new Set(['title', 'category', 'kind', 'channel', 'household', 'organisation', 'source']);

/** The proposal's creator (its proposer's device, or the grid worker who filed it for a household). */
function proposer(s: Subject): Actor | null {
	const by = s.j.before('meta', 'createdBy') ?? rootMapValue(s.j.after, 'meta', 'createdBy');
	return isActor(by) ? by : null;
}

const isProposerOrStaff = (s: Subject) => isStaff(s.writer) || proposer(s)?.id === s.writer.device;
/**
 * A resident acts in the app: the door, a meeting, the suggestion box or an online group are channels staff record
 * on someone's behalf, so a resident's record never claims one.
 */
const residentInApp = (w: Writer, channel: unknown) =>
	!can(w, 'record-via-channel') && channel !== 'app' ? `a resident records in the app, not through "${String(channel)}"` : null;
const contentByProposer = (s: Subject) => (isProposerOrStaff(s) ? null : "only the proposer's device or staff may change a proposal's content");

function proposalMeta(s: Subject, key: string, before: unknown, after: unknown): string | null {
	const known = identity(s, key, before, after, s.doc.id);
	if (known !== undefined) return known;
	if (key === 'level') {
		const creating = s.j.before('meta', 'id') === undefined;
		// Read as the level it was filed at: set once; later moves are steps of the timeline.
		return creating && (after === 'community' || after === 'grid') ? null : 'a proposal is filed at the grid or community level, and moves between levels only by its timeline';
	}
	if (!PROPOSAL_FIELDS.has(key)) return `a proposal has no field "${key}"`;
	const content = contentByProposer(s);
	if (content) return content;
	if (key === 'household' && after !== undefined && after !== '' && !isStaff(s.writer)) return actsFor(s, after);
	if (key === 'channel') return residentInApp(s.writer, after);
	return null;
}

function timelineEvent(s: Subject, event: unknown): string | null {
	if (!isPlainRecord(event) || typeof event.id !== 'string' || typeof event.at !== 'number') return 'a timeline event needs an id and a time';
	const w = s.writer;
	switch (event.type) {
		case 'created': {
			const created = rootListValues(s.j.after, 'timeline').filter((e) => isPlainRecord(e) && e.type === 'created');
			if (created.length > 1) return 'a proposal is created once';
			return event.status === 'draft' || event.status === 'submitted' ? null : 'a proposal starts as a draft or submitted';
		}
		case 'transition': {
			const from = event.from as ProposalStatus;
			const to = event.to as ProposalStatus;
			if (!canTransitionAtSomeLevel(from, to, w.role)) return `a ${w.role} may not move a proposal from ${String(from)} to ${String(to)}`;
			if (from === 'draft' && !isProposerOrStaff(s)) return "only the proposer submits their draft";
			// A grid worker handles the matters of their own grids' households (the fold checks the level).
			if (w.role === 'grid_worker' && from !== 'draft') {
				const household = rootMapValue(s.j.after, 'meta', 'household');
				if (typeof household !== 'string' || !can(w, 'screen-proposal', { household, grid: s.lookup.gridOf(household) })) {
					return "a grid worker handles only their own grids' matters";
				}
			}
			return null;
		}
		case 'edited':
			return contentByProposer(s);
		case 'cosigned':
			return actsFor(s, event.household);
		case 'comment':
			return typeof event.text === 'string' ? null : 'a comment has text';
		case 'poll_outcome':
		case 'decision':
			return can(w, 'record-decision') ? null : 'only staff record outcomes and decisions';
		default:
			return `unknown timeline event "${String(event.type)}"`;
	}
}

const PROPOSAL: KindRules = {
	meta: { shape: 'map', roles: ALL, check: (s, c) => (c?.key ? proposalMeta(s, c.key, c.before, c.after) : null) },
	description: text(ALL, (s) => contentByProposer(s)),
	coSigners: records(
		ALL,
		'keep',
		keyedBy('household', (s, c) => {
			const signer = c?.after as { household?: unknown; channel?: unknown };
			return actsFor(s, signer.household) ?? residentInApp(s.writer, signer.channel);
		})
	),
	supporters: records(
		ALL,
		'keep',
		keyedBy('id', (s, c) => {
			const id = (c?.after as { id?: unknown }).id;
			const own = s.writer.role === 'resident' ? s.writer.household : s.writer.device;
			return id === own ? null : s.writer.role === 'resident' ? "support is given for one's own household" : 'support is given as this device';
		})
	),
	timeline: {
		shape: 'list',
		roles: ALL,
		appendOnly: true,
		check: (s, c) => timelineEvent(s, c?.after) ?? residentInApp(s.writer, (c?.after as { channel?: unknown } | undefined)?.channel)
	},
	[PHOTOS_KEY]: records(ALL, 'free', (s) => contentByProposer(s))
};

// ---- projects and what residents bring to them ----

const PROJECT: KindRules = {
	meta: staffMeta(may('manage-project')),
	// Money: pledges change only by withdrawal, receipts and voids stay once written, entries never change.
	pledges: records(may('keep-project-money'), 'keep'),
	receipts: records(may('keep-project-money'), 'keep'),
	entries: records(may('keep-project-money'), 'once'),
	voids: records(may('keep-project-money'), 'keep'),
	tasks: records(may('manage-project'), 'keep'),
	// Grid workers report progress, with photos; everything else is staff's.
	updates: records(may('report-progress'), 'once'),
	tenders: records(may('manage-project'), 'keep'),
	selections: records(may('manage-project'), 'once'),
	checklist: records(may('manage-project'), 'keep'),
	checks: records(may('manage-project')),
	signoffs: records(may('manage-project'), 'keep'),
	representatives: records(may('manage-project'), 'keep', keyedBy('household')),
	acceptancePhotos: records(may('manage-project')),
	ratings: records(may('manage-project'), 'keep'),
	followUps: records(may('manage-project'), 'keep'),
	requests: records(may('manage-project'), 'keep'),
	answers: records(may('manage-project'), 'keep'),
	notices: records(may('manage-project'), 'keep'),
	[PHOTOS_KEY]: records(may('report-progress'), 'keep')
};

const PARTICIPATION: KindRules = {
	pledges: records(may('record-for-household'), 'keep'),
	signoffs: records(may('record-for-household'), 'keep'),
	ratings: records(may('record-for-household'), 'keep'),
	followUps: records(may('record-for-household'), 'keep'),
	requests: records(may('record-for-household'), 'keep')
};

// ---- registers: households, visits, ballots (grid-scoped personal data) ----

/** `meta` of a grid's register: schema and the grid (and poll) it belongs to, nothing else. */
const registerMeta = (roles: readonly Role[], expected: (doc: DocName) => Record<string, string>): RootRule => ({
	shape: 'map',
	roles,
	check: (s, c) => {
		if (!c?.key) return null;
		if (c.key === 'schema') return typeof c.after === 'number' ? null : 'the schema version is a number';
		const want = expected(s.doc)[c.key];
		if (want === undefined) return `a register has no field "${c.key}"`;
		return c.after === want ? null : `${c.key} must be ${want}`;
	}
});

/** A grid worker's record concerns a household of the document's own grid. */
const inThisGrid =
	(grid: (doc: DocName) => string | undefined): Check =>
	(s, c) => {
		if (s.writer.role !== 'grid_worker' || !c?.key || c.after === undefined) return null;
		const household = (c.after as { household?: unknown; id?: unknown }).household ?? (c.after as { id?: unknown }).id;
		const want = grid(s.doc);
		return want && gridOfHousehold(s, household) === want ? null : `household ${String(household)} is not in grid ${want ?? ''}`;
	};

const ballotGrid = (doc: DocName) => parseBallotsId(doc.id)?.grid;

const HOUSEHOLDS: KindRules = {
	meta: registerMeta(may('keep-register'), (doc) => ({ grid: doc.id })),
	households: records(may('keep-register'), 'free', keyedBy('id', inThisGrid((doc) => doc.id)))
};

const VISITS: KindRules = {
	meta: registerMeta(may('keep-register'), (doc) => ({ grid: doc.id })),
	visits: records(
		may('keep-register'),
		'once',
		keyedBy('id', (s, c) => {
			if ((c?.after as { grid?: unknown }).grid !== s.doc.id) return `a visit of grid ${s.doc.id}`;
			return inThisGrid((doc) => doc.id)(s, c);
		})
	),
	proposals: records(may('keep-register'), 'keep', (s, c) =>
		c?.key && (typeof c.after !== 'string' || rootMapValue(s.j.after, 'visits', c.key) === undefined) ? 'a link from a recorded visit to a proposal' : null
	),
	[PHOTOS_KEY]: records(may('keep-register'), 'keep')
};

const BALLOTS: KindRules = {
	meta: registerMeta(may('record-ballot'), (doc) => {
		const ids = parseBallotsId(doc.id);
		return ids ? { grid: ids.grid, poll: ids.poll } : ({} as Record<string, string>);
	}),
	ballots: records(
		may('record-ballot'),
		'once',
		keyedBy('id', (s, c) => {
			const ballot = c?.after as { channel?: unknown; device?: unknown };
			// A household's own vote in the app reaches the relay's ballot endpoint, which writes it.
			if (ballot.channel === 'app') return 'ballots cast in the app are recorded by the relay';
			if (typeof ballot.device !== 'string') return 'a ballot names the device that recorded it';
			return inThisGrid(ballotGrid)(s, c);
		})
	)
};

// ---- documents that staff run ----

const TOPIC: KindRules = { meta: staffMeta(may('gather-topic')), proposals: records(may('gather-topic'), 'keep') };

/**
 * Minutes approved before the meeting's day (by the version's own time, CST) carry a reason. The version and the
 * meeting's date are both in this document; check-ins live in the minutes document, which holds no date.
 */
const versionDate: Check = (s, c) => {
	if (!c || c.key !== null || !isPlainRecord(c.after)) return null;
	const startsAt = rootMapValue(s.j.after, 'meta', 'startsAt');
	const recurrence = rootMapValue(s.j.after, 'meta', 'recurrence');
	if (typeof startsAt !== 'number' || typeof c.after.at !== 'number') return null;
	return needsDateReason('approval', { startsAt, recurrence: recurrence ? (recurrence as Recurrence) : null }, c.after.at, c.after.reason)
		? "minutes approved before the meeting's day need a reason"
		: null;
};

const MEETING: KindRules = {
	meta: staffMeta(may('run-meeting')),
	agenda: records(may('run-meeting')),
	invitees: records(may('run-meeting')),
	versions: { ...list(may('run-meeting')), check: versionDate }
};

/**
 * Check-ins and votes recorded on another day than the meeting's carry a reason (by the record's own time, CST,
 * against the meeting document's date). A record whose time is unchanged is not judged again.
 */
const datedAt =
	(action: 'attendance' | 'vote', problem: string): Check =>
	(s, c) => {
		const meeting = s.lookup.meeting;
		if (!meeting || !c?.key || !isPlainRecord(c.after) || typeof c.after.at !== 'number') return null;
		if (isPlainRecord(c.before) && c.before.at === c.after.at && same(c.before.reason, c.after.reason)) return null;
		return needsDateReason(action, meeting, c.after.at, c.after.reason) ? problem : null;
	};

const MINUTES: KindRules = {
	meta: {
		shape: 'map',
		roles: may('run-meeting'),
		check: (s, c) => (c?.key === 'meeting' && c.after !== s.doc.id ? `the meeting must be ${s.doc.id}` : null)
	},
	content: text(may('run-meeting')),
	notes: text(may('run-meeting')),
	attendance: records(may('run-meeting'), 'free', datedAt('attendance', "a check-in on another day than the meeting's needs a reason")),
	votes: records(may('run-meeting')),
	hands: records(may('run-meeting'), 'free', datedAt('vote', "a vote recorded on another day than the meeting's needs a reason")),
	choices: records(may('run-meeting'), 'free', datedAt('vote', "a vote recorded on another day than the meeting's needs a reason")),
	decisions: records(may('run-meeting')),
	actions: records(may('run-meeting')),
	confirmations: records(may('run-meeting'))
};

const POLL: KindRules = {
	meta: staffMeta(may('run-poll')),
	options: list(may('run-poll')),
	matters: list(may('run-poll')),
	handCounts: records(may('run-poll')),
	closures: list(may('run-poll')),
	// The tally residents see is published by the relay alone.
	public: records([])
};

const NOTICE: KindRules = { meta: staffMeta(may('post-notice')), body: text(may('post-notice')), [PHOTOS_KEY]: records(may('post-notice')) };

const COMMUNITY: KindRules = {
	// The community document is `<community>:community:main`; its meta names the community.
	meta: staffMeta(may('edit-community'), (doc) => doc.community),
	grids: records(may('edit-community')),
	buildings: records(may('edit-community')),
	settings: records(may('edit-community')),
	lists: list(may('edit-community'))
};

// ---- the street office's answers to referred matters ----

const REFERRALS: KindRules = {
	// The redacted cases and the receipts are the relay's (server/features/referrals.ts).
	cases: records([]),
	applied: records([]),
	answers: records(
		may('answer-referral'),
		'once',
		keyedBy('id', (s, c) => {
			const a = c?.after as { case?: unknown; from?: unknown; to?: unknown; reason?: unknown };
			const kase = typeof a.case === 'string' ? (rootMapValue(s.j.after, 'cases', a.case) as ReferralCase | undefined) : undefined;
			if (!kase) return 'an answer names a case of this document';
			if (typeof a.from !== 'string' || !STREET_ANSWERS.includes(a.to as ProposalStatus)) return 'not an answer a street office gives';
			// Only a matter waiting at the street, as it stands now: nothing that has left it, no step of the past.
			if (!awaitsStreet(kase)) return 'the matter is no longer with the street office';
			if (a.from !== kase.status) return `the matter is ${kase.status} now, not ${a.from}`;
			if (needsReason(a.to as ProposalStatus, a.from as ProposalStatus) && (typeof a.reason !== 'string' || !a.reason.trim())) return `an answer "${String(a.to)}" needs a reason`;
			return null;
		})
	)
};

// ---- the points passbook, the points config and the register of talents ----

/** A `meta` that holds only the listed fields, each as `expected` says; residents may only create them. */
const fixedMeta = (roles: readonly Role[], expected: (s: Subject, key: string, value: unknown) => string | null | undefined): RootRule => ({
	shape: 'map',
	roles,
	keys: 'keep',
	check: (s, c) => {
		if (!c?.key) return null;
		const problem = c.key === 'schema' ? (typeof c.after === 'number' ? null : 'the schema version is a number') : expected(s, c.key, c.after);
		if (problem === undefined) return `a ${s.doc.kind} document has no field "${c.key}" in its meta`;
		if (problem) return problem;
		return s.writer.role === 'resident' && c.before !== undefined && !same(c.before, c.after) ? `a resident only creates the meta of a ${s.doc.kind} document` : null;
	}
});

/** A record of the document as the update leaves it. */
const recordIn = (s: Subject, root: string, key: unknown): Record<string, unknown> | null => {
	if (typeof key !== 'string') return null;
	const value = rootMapValue(s.j.after, root, key);
	return isPlainRecord(value) ? value : null;
};

/** Why a would-be transfer does not parse, in words. */
function transferProblem(s: Subject, value: Record<string, unknown>): string | null {
	const t = parseTransfer(value);
	if (!t) {
		if (value.kind === 'redeem' && typeof value.id === 'string' && value.code !== redemptionCode(value.id)) return "a redemption's code must be the one its id gives";
		return 'not a valid transfer';
	}
	if (t.household !== s.doc.id) return `a transfer of this passbook names household ${s.doc.id}`;
	if (t.kind === 'reverse') {
		const target = t.reverses === t.id ? null : recordIn(s, 'transfers', t.reverses);
		if (!target) return 'a reversal reverses a transfer of this passbook';
		if (target.amount !== t.amount) return 'a reversal moves back the points of the transfer it reverses';
	}
	return null;
}

const PASSBOOK: KindRules = {
	// The household's own device creates the meta along with its board choice; staff with the first transfer.
	meta: fixedMeta(may('choose-board-name'), (s, key, value) =>
		key === 'household' ? (value === s.doc.id ? null : `the household must be the document's (${s.doc.id})`) : undefined
	),
	// Movements are staff's, and never change: a mistake is reversed by another transfer.
	transfers: records(may('keep-points'), 'once', keyedBy('id', (s, c) => transferProblem(s, c?.after as Record<string, unknown>))),
	approvals: records(may('keep-points'), 'once', (s, c) => {
		if (!c?.key || c.after === undefined) return null;
		const a = parseApproval(c.after);
		if (!a) return 'not a valid approval';
		if (c.key !== `${a.transfer}:${a.by.id}`) return 'an approval is kept under its transfer and approver';
		const award = recordIn(s, 'transfers', a.transfer);
		if (!award || award.kind !== 'award') return 'an approval names an award of this passbook';
		return isActor(award.by) && award.by.id === a.by.id ? 'an award is approved by someone other than the one who recorded it' : null;
	}),
	resolutions: records(may('keep-points'), 'once', (s, c) => {
		if (!c?.key || c.after === undefined) return null;
		const r = parseResolution(c.after);
		if (!r) return 'not a valid resolution';
		if (c.key !== `${r.flag}:${r.by.id}`) return 'a resolution is kept under its flag and the device that recorded it';
		// Every flag is raised by a transfer of the household's passbook: `<kind>:<transfer id>`.
		const [kind, transfer, ...rest] = r.flag.split(':');
		if (rest.length > 0 || !['overdraft', 'ceiling', 'oversold'].includes(kind ?? '') || !recordIn(s, 'transfers', transfer)) {
			return 'a resolution names a flag raised by a transfer of this passbook';
		}
		return null;
	}),
	handovers: records(
		may('keep-points'),
		'keep',
		keyedBy('transfer', (s, c) => {
			if (!parseHandover(c?.after)) return 'not a valid handover';
			return recordIn(s, 'transfers', c?.key)?.kind === 'redeem' ? null : 'goods are handed over against a redemption of this passbook';
		})
	),
	// How the household appears on the public board: its own choice (staff may record it at the counter).
	board: records(may('choose-board-name'), 'free', (_s, c) => {
		if (!c?.key || c.after === undefined) return null;
		if (c.key !== 'choice') return "the board holds only the household's choice";
		return parseBoardChoice(c.after) ? null : 'not a valid board choice';
	})
};

const POINTS: KindRules = {
	meta: fixedMeta(may('keep-points'), () => undefined),
	// A facilitator must not lower the approval threshold their own awards are held to.
	settings: records(may('set-points-rules'), 'keep', (_s, c) => {
		if (!c?.key || c.after === undefined) return null;
		if (c.key !== 'current') return 'the settings are kept under "current"';
		if (!isPlainRecord(c.after)) return 'not a record';
		const issues = settingsIssues(c.after as unknown as PointsSettings);
		return issues.length === 0 ? null : `invalid points settings: ${issues.join(', ')}`;
	}),
	activities: records(may('keep-points'), 'keep', keyedBy('id', (_s, c) => (parseActivity(c?.after) ? null : 'not a valid activity'))),
	items: records(may('keep-points'), 'keep', keyedBy('id', (_s, c) => (parseItem(c?.after) ? null : 'not a valid catalogue item'))),
	restocks: records(may('keep-points'), 'once', keyedBy('id', (_s, c) => (parseRestock(c?.after) ? null : 'not a valid restock')))
};

const TALENTS: KindRules = {
	meta: fixedMeta(may('keep-talents'), () => undefined),
	skills: records(may('keep-skill-list'), 'keep', keyedBy('id', (_s, c) => (parseSkill(c?.after) ? null : 'not a valid skill'))),
	// Someone who leaves the register is marked removed, never deleted: tasks link them.
	people: records(may('keep-talents'), 'keep', keyedBy('id', (_s, c) => (parsePerson(c?.after) ? null : 'not a valid person')))
};

// ---- rooms, bookings and conventions ----

const ROOMS: KindRules = {
	meta: fixedMeta(may('manage-rooms'), () => undefined),
	// Changed, never deleted: a room no longer offered is archived, so its bookings still find it.
	rooms: records(may('manage-rooms'), 'keep', keyedBy('id', (_s, c) => (parseRoom(c?.after) ? null : 'not a valid room')))
};

/** A booking or series of this household, by this household's device or by staff (counter, phone). */
const ofThisHousehold =
	(parse: (v: unknown) => { household: string } | null, what: string): Check =>
	(s, c) => {
		const record = parse(c?.after);
		if (!record) return `not a valid ${what}`;
		return record.household === s.doc.id ? null : `a ${what} of this document names household ${s.doc.id}`;
	};

/** Whether a booking or series id names one of this household's. */
const holds = (s: Subject, root: 'bookings' | 'series', id: unknown) => recordIn(s, root, id) !== null;

const BOOKINGS: KindRules = {
	meta: fixedMeta(may('request-booking'), (s, key, value) =>
		key === 'household' ? (value === s.doc.id ? null : `the household must be the document's (${s.doc.id})`) : undefined
	),
	// Requests, written once (a change is a cancellation and a new request); a resident's status is never theirs
	// to set: confirmations and conflicts are decisions, staff's, and receipts, the relay's.
	bookings: records(may('request-booking'), 'once', keyedBy('id', ofThisHousehold(parseBooking, 'booking'))),
	series: records(may('request-booking'), 'once', keyedBy('id', ofThisHousehold(parseSeries, 'series'))),
	cancellations: records(
		may('request-booking'),
		'once',
		keyedBy('id', (s, c) => {
			const x = parseCancellation(c?.after);
			if (!x) return 'not a valid cancellation';
			return ('booking' in x ? holds(s, 'bookings', x.booking) : holds(s, 'series', x.series)) ? null : 'a cancellation names a booking of this household';
		})
	),
	decisions: records(
		may('confirm-booking'),
		'once',
		keyedBy('id', (s, c) => {
			const d = parseDecision(c?.after);
			if (!d) return 'not a valid decision';
			const named = d.kind === 'resolve' ? d.bookings : [d.booking];
			return named.some((id) => holds(s, 'bookings', id)) ? null : 'a decision names a booking of this household';
		})
	),
	receipts: records([], 'once')
};

const CONVENTION: KindRules = {
	meta: {
		shape: 'map',
		roles: may('edit-convention'),
		keys: 'keep',
		check: (s, c) => {
			if (!c?.key) return null;
			if (c.key === 'schema') return typeof c.after === 'number' ? null : 'the schema version is a number';
			if (c.key !== 'convention') return `a convention document has no field "${c.key}" in its meta`;
			const m = parseConventionMeta(c.after);
			return m && m.id === s.doc.id ? null : `not a valid convention record for ${s.doc.id}`;
		}
	},
	// The text is staff's to edit; residents suggest, anchored to a passage.
	content: text(may('edit-convention')),
	suggestions: records(may('suggest-amendment'), 'once', keyedBy('id', (_s, c) => (parseSuggestion(c?.after) ? null : 'not a valid suggestion'))),
	verdicts: records(may('judge-suggestion'), 'once', (s, c) => {
		if (!c?.key || c.after === undefined) return null;
		const v = parseVerdict(c.after);
		if (!v) return 'not a valid verdict';
		if (c.key !== `${v.suggestion}:${v.by.id}:${v.at}`) return 'a verdict is kept under its suggestion, device and time';
		return recordIn(s, 'suggestions', v.suggestion) ? null : 'a verdict names a suggestion of this convention';
	}),
	// A version, once consolidated, never changes: what was ratified stays what it was.
	versions: records(may('consolidate-convention'), 'once', (_s, c) => {
		if (!c?.key || c.after === undefined) return null;
		const v = parseVersion(c.after);
		if (!v) return 'not a valid version';
		return c.key === `${v.n}:${v.by.id}:${v.at}` ? null : 'a version is kept under its number, device and time';
	}),
	ratifications: records(
		may('ratify-convention'),
		'once',
		keyedBy('id', (s, c) => {
			const r = parseRatification(c?.after);
			if (!r) return 'not a valid ratification';
			const versions = [...((s.j.after.getMap('versions') as Y.Map<unknown>).values())].map(parseVersion);
			return versions.some((v) => v?.n === r.version) ? null : 'a ratification puts a version of this convention to the vote';
		})
	),
	results: records(may('ratify-convention'), 'once', (s, c) => {
		if (!c?.key || c.after === undefined) return null;
		const r = parseConventionResult(c.after);
		if (!r) return 'not a valid ratification result';
		if (c.key !== `${r.ratification}:${r.by.id}`) return 'a result is kept under its ratification and device';
		return recordIn(s, 'ratifications', r.ratification) ? null : 'a result names a ratification of this convention';
	})
};

/**
 * Which documents of a kind a device may write at all (null), and why not the others: the points config and the
 * register exist once per community, a passbook per household, and the public points board (`points:public`) is
 * the relay's alone, like the reports.
 */
const WRITABLE_IDS: Readonly<Record<string, (doc: DocName) => string | null>> = {
	points: (doc) => (doc.id === 'main' ? null : doc.id === 'public' ? 'the public points board is written by the relay alone' : 'the points config is points:main'),
	talents: (doc) => (doc.id === 'main' ? null : 'the register of talents is talents:main'),
	passbook: (doc) => (buildingOfHousehold(doc.id) !== null ? null : 'a passbook is named by its household id'),
	rooms: (doc) => (doc.id === 'main' ? null : doc.id === 'public' ? 'the rooms calendar is written by the relay alone' : 'the rooms are rooms:main'),
	bookings: (doc) => (buildingOfHousehold(doc.id) !== null ? null : 'bookings are named by their household id')
};

/** The rules of every kind a device may write. */
export const WRITE_RULES: Readonly<Record<string, KindRules>> = {
	community: COMMUNITY,
	proposal: PROPOSAL,
	topic: TOPIC,
	households: HOUSEHOLDS,
	visits: VISITS,
	ballots: BALLOTS,
	poll: POLL,
	meeting: MEETING,
	minutes: MINUTES,
	project: PROJECT,
	participation: PARTICIPATION,
	notice: NOTICE,
	referrals: REFERRALS,
	passbook: PASSBOOK,
	points: POINTS,
	talents: TALENTS,
	rooms: ROOMS,
	bookings: BOOKINGS,
	convention: CONVENTION
};

// ---- judging ----

function changeProblem(rules: KindRules, s: Subject, change: DocChange): string | null {
	const rule = Object.hasOwn(rules, change.root) ? rules[change.root] : undefined;
	const kind = s.doc.kind;
	if (!rule) return `a ${kind} document has no "${change.root}"`;
	if (!rule.roles.includes(s.writer.role)) return `a ${s.writer.role} may not change "${change.root}" of a ${kind} document`;
	switch (change.type) {
		case 'content':
			if (rule.shape !== 'content') return `"${change.root}" holds whole records, not text`;
			return rule.check?.(s, null) ?? null;
		case 'items': {
			if (rule.shape !== 'list') return `"${change.root}" is not a list`;
			if (rule.appendOnly && change.removed.length > 0) return `"${change.root}" is append-only`;
			for (const item of change.added) {
				if (item instanceof Y.AbstractType) return 'not a record';
				const problem = claimProblem(undefined, item, s.writer) ?? rule.check?.(s, { key: null, before: undefined, after: item });
				if (problem) return problem;
			}
			return null;
		}
		case 'key': {
			if (rule.shape !== 'map') return `"${change.root}" is not a map`;
			const { key, before, after } = change;
			if (after instanceof Y.AbstractType || after instanceof Uint8Array) return 'not a record';
			const lifetime = rule.keys ?? 'free';
			if (after === undefined && before !== undefined && lifetime !== 'free') return `records of "${change.root}" are never deleted`;
			if (lifetime === 'once' && before !== undefined && !same(before, after)) return `records of "${change.root}" never change once written`;
			return claimProblem(before, after, s.writer) ?? rule.check?.(s, { key, before, after }) ?? null;
		}
	}
}

/**
 * Judges `writer`'s update to `docName` by applying it to `target`, the document as the relay holds it (which
 * this changes: pass a copy, or drop it when the update is refused): the rules of its kind, and for a resident's
 * participation records, participationChangeProblem.
 */
export function judgeWrite(docName: string, writer: Writer, lookup: WriteLookup, target: Y.Doc, update: Uint8Array): Verdict {
	const doc = parseDocName(docName);
	const rules = doc ? WRITE_RULES[doc.kind] : undefined;
	if (!doc || !rules) return { ok: false, reason: 'not a document a device writes', retry: false };
	const unwritable = WRITABLE_IDS[doc.kind]?.(doc);
	if (unwritable) return { ok: false, reason: unwritable, retry: false };
	if (doc.kind === 'participation' && writer.role === 'resident') {
		const own = { device: writer.device, household: writer.household, ...(lookup.representatives ? { representatives: lookup.representatives } : {}) };
		return judgeUpdate(target, update, (change) =>
			change.type === 'key'
				? participationChangeProblem(change.root, change.key, change.before, change.after, own)
				: 'only whole records in named maps may change'
		);
	}
	return judgeUpdate(target, update, (change, j) => changeProblem(rules, { doc, writer, lookup, j }, change));
}

/** Building id → grid, as the community document lists them, for WriteLookup. */
export function gridLookup(buildings: ReadonlyMap<string, string>): WriteLookup {
	return {
		gridOf(household: string) {
			const building = buildingOfHousehold(household);
			return building === null ? null : (buildings.get(building) ?? null);
		}
	};
}

/** The community document's buildings as building id → grid id. */
export function buildingGrids(community: Y.Doc | null): Map<string, string> {
	const out = new Map<string, string>();
	const type = community?.share.get('buildings');
	if (!community || !type) return out;
	for (const [id, item] of (type as unknown as { _map: Map<string, { deleted: boolean }> })._map) {
		if (item.deleted) continue;
		const b = rootMapValue(community, 'buildings', id) as { grid?: unknown } | undefined;
		if (b && typeof b.grid === 'string') out.set(id, b.grid);
	}
	return out;
}
