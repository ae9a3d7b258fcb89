/**
 * The proposal (院落提案): kinds, intake channels, the status machine of the product design §1, and validation.
 *
 * Status is never stored as a field that two devices could overwrite: it is folded from the timeline of
 * transition events. Events merge as a CRDT list; the fold orders them by time and applies only those whose
 * `from` still matches, so two facilitators deciding offline end with one visible decision and the other
 * kept in the timeline, marked as superseded.
 */
import { type CategoryId, flagNegativeList, isCategoryId, type NegativeFlag } from './lists';
import type { Actor, Channel, Role } from './actor';
import type { NameDisplay } from './public-name';
import { PROPOSAL_STATUSES, type ProposalStatus } from './proposal-status';

export type ProposalKind = 'individual' | 'joint' | 'organisational';
export const PROPOSAL_KINDS: readonly ProposalKind[] = ['individual', 'joint', 'organisational'];

// The statuses live in proposal-status.ts (a list that only shows or filters by status need not load the rest).
export { PROPOSAL_STATUSES, type ProposalStatus } from './proposal-status';

/**
 * Where a matter is handled (网格、社区、街道三级). A grid worker files a grid matter and settles it on the spot or
 * refers it up; a community screens and runs its matters; a street office takes up what communities refer to
 * it. Each level has its handlers: they make the screening and workflow steps while the matter sits there.
 */
export type Level = 'grid' | 'community' | 'street';
export const LEVELS: readonly Level[] = ['grid', 'community', 'street'];
export const NEXT_LEVEL: Readonly<Record<Level, Level | null>> = { grid: 'community', community: 'street', street: null };
export const LOWER_LEVEL: Readonly<Record<Level, Level | null>> = { grid: null, community: 'grid', street: 'community' };

const PROPOSERS: readonly Role[] = ['resident', 'grid_worker', 'facilitator', 'community_admin'];
const SCREENERS: readonly Role[] = ['facilitator', 'community_admin'];
/** Roles that screen proposals and move them through the workflow in a community. */
export const SCREENER_ROLES = SCREENERS;
/** Who acts on a matter at each level. Community staff may also act on their grids' matters. */
export const HANDLERS: Readonly<Record<Level, readonly Role[]>> = {
	grid: ['grid_worker', ...SCREENERS],
	community: SCREENERS,
	street: ['street_admin']
};

type Who = 'proposers' | 'handlers';
const DECISIONS = { accepted: 'handlers', rejected: 'handlers', merged: 'handlers', escalated: 'handlers', settled: 'handlers' } as const;
const DECIDE = { screening: 'handlers', ...DECISIONS } as const;

/**
 * Allowed transitions and who may make each: the proposer side, or the handlers of the level the matter sits at.
 * 'escalated' refers a matter up one level, where it waits for that level's handlers; they screen it like a new
 * one, take it into a topic, or return it one level down (escalated → submitted) with guidance. 'settled' is a
 * matter resolved where it stands, without a deliberation (就地解决).
 */
export const TRANSITIONS: Readonly<Partial<Record<ProposalStatus, Partial<Record<ProposalStatus, Who>>>>> = {
	draft: { submitted: 'proposers' },
	submitted: DECIDE,
	screening: DECISIONS,
	escalated: { ...DECIDE, topic: 'handlers', submitted: 'handlers' },
	accepted: { topic: 'handlers', settled: 'handlers' },
	topic: { deliberating: 'handlers', merged: 'handlers' },
	deliberating: { voting: 'handlers', decided: 'handlers' },
	voting: { decided: 'handlers' },
	decided: { funding: 'handlers', in_progress: 'handlers' },
	funding: { in_progress: 'handlers' },
	in_progress: { inspected: 'handlers' },
	inspected: { publicised: 'handlers' },
	publicised: { closed: 'handlers' }
};

/** Transitions that need a written reason (a rejection must cite why, a referral or a return says why). */
const NEEDS_REASON: ReadonlySet<ProposalStatus> = new Set(['rejected', 'escalated', 'settled']);

function who(from: ProposalStatus, to: ProposalStatus): Who | undefined {
	return TRANSITIONS[from]?.[to];
}

/** Statuses `role` may move a matter to from `from` while it sits at `level`. */
export function allowedTransitions(from: ProposalStatus, role: Role, level: Level = 'community'): ProposalStatus[] {
	const next = TRANSITIONS[from] ?? {};
	return (Object.keys(next) as ProposalStatus[]).filter((to) => canTransition(from, to, role, level));
}

export function canTransition(from: ProposalStatus, to: ProposalStatus, role: Role, level: Level = 'community'): boolean {
	const w = who(from, to);
	if (!w) return false;
	if (w === 'proposers') return PROPOSERS.includes(role);
	if (to === 'escalated' && NEXT_LEVEL[level] === null) return false;
	if (from === 'escalated' && to === 'submitted' && LOWER_LEVEL[level] === null) return false;
	// A grid worker screens and settles their grid's matters; topics, meetings and projects are the community's.
	if (role === 'grid_worker' && !(to in DECIDE || to === 'submitted')) return false;
	return HANDLERS[level].includes(role);
}

/** Whether `role` may make this step at some level (what a writer's credential alone can tell). */
export function canTransitionAtSomeLevel(from: ProposalStatus, to: ProposalStatus, role: Role): boolean {
	return LEVELS.some((level) => canTransition(from, to, role, level));
}

/** The level a step leaves the matter at: a referral goes one up, a return one down, anything else stays. */
export function levelAfter(from: ProposalStatus, to: ProposalStatus, level: Level): Level {
	if (to === 'escalated') return NEXT_LEVEL[level] ?? level;
	if (from === 'escalated' && to === 'submitted') return LOWER_LEVEL[level] ?? level;
	return level;
}

interface EventBase {
	id: string;
	/** Milliseconds since the epoch on the recording device. */
	at: number;
	by: Actor;
	channel: Channel;
}

export type TimelineEvent =
	| (EventBase & { type: 'created'; status: ProposalStatus })
	| (EventBase & {
			type: 'transition';
			from: ProposalStatus;
			to: ProposalStatus;
			reason?: string;
			/** Negative-list item number cited by a rejection. */
			negativeItem?: number;
			/** Version of the community's lists in force when the decision was made. */
			listVersion?: number;
			/** Document name of the proposal or topic this one was merged into or joined. */
			target?: string;
			/** Title of the target, for readers who cannot open it (a street topic, for a community). */
			targetTitle?: string;
			/** The level it moved to (a referral or a return), as the recording device saw it; the fold decides. */
			level?: Level;
	  })
	| (EventBase & { type: 'edited'; fields: string[] })
	| (EventBase & { type: 'cosigned'; household: string; name: string; display?: NameDisplay; publicName?: string })
	| (EventBase & { type: 'comment'; text: string })
	/** A household poll on this matter closed: its outcome statement and which option carried, if one did. */
	| (EventBase & { type: 'poll_outcome'; poll: string; title: string; outcome: string; carried?: string })
	/** A meeting's approved minutes decided on this matter (a correction marks a changed decision). */
	| (EventBase & {
			type: 'decision';
			/** Document name of the meeting. */
			meeting: string;
			text: string;
			actions?: { task: string; owner: string; due?: string }[];
			correction?: boolean;
	  });

export type TransitionEvent = Extract<TimelineEvent, { type: 'transition' }>;

/** Why a transition event did not take effect: made against a status already changed, or by a role without the right. */
export type SupersededReason = { code: 'stale'; status: ProposalStatus } | { code: 'role'; role: Role };

export interface FoldedTimeline {
	status: ProposalStatus;
	/** The level the matter sits at now. */
	level: Level;
	/** All events in display order. */
	events: TimelineEvent[];
	/** Transition events that were not applied, with why (e.g. made offline against a status already changed). */
	superseded: Map<string, SupersededReason>;
	/** Time of the last event. */
	updated: number;
}

/**
 * Display and fold order: by time, ties by id. The creation comes first whatever the clocks say: a step
 * recorded in the same millisecond, or on a device whose clock runs behind, cannot precede it.
 */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
	const created = Number(b.type === 'created') - Number(a.type === 'created');
	return created || a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Folds a merged timeline into the current status and level. Deterministic for any order of the input. A step
 * counts only if its role handles the level the matter sat at then, so a referral that was already answered,
 * or a step by a level the matter has left, is kept and shown as superseded.
 */
export function foldTimeline(events: readonly TimelineEvent[], filedAt: Level = 'community'): FoldedTimeline {
	const sorted = [...events].sort(compareEvents);
	const superseded = new Map<string, SupersededReason>();
	let status: ProposalStatus = 'draft';
	let level: Level = filedAt;
	let created = false;
	for (const ev of sorted) {
		if (ev.type === 'created') {
			if (!created) status = ev.status;
			created = true;
		} else if (ev.type === 'transition') {
			if (ev.from !== status) {
				superseded.set(ev.id, { code: 'stale', status });
			} else if (isLegacyUpperDecision(ev, level)) {
				// Before levels had their own handlers, a community admin answered matters referred upward.
				level = 'community';
				status = ev.to;
			} else if (!canTransition(ev.from, ev.to, ev.by.role, level)) {
				superseded.set(ev.id, { code: 'role', role: ev.by.role });
			} else {
				level = levelAfter(ev.from, ev.to, level);
				status = ev.to;
			}
		}
	}
	return { status, level, events: sorted, superseded, updated: sorted.at(-1)?.at ?? 0 };
}

/** When each level got its own handlers (2026-12-03, China time). */
const LEVELS_SINCE = Date.UTC(2026, 11, 2, 16);

/**
 * A community admin accepting or rejecting a matter referred to the street, as the rules before the three
 * levels allowed: such steps recorded then still take effect, and leave the matter with the community. Since
 * then only the street office answers there.
 */
function isLegacyUpperDecision(ev: TransitionEvent, level: Level): boolean {
	return (
		ev.at < LEVELS_SINCE &&
		level === 'street' &&
		ev.from === 'escalated' &&
		(ev.to === 'accepted' || ev.to === 'rejected') &&
		ev.by.role === 'community_admin'
	);
}

/**
 * Where a step was most likely taken, offered as the default the person confirms or changes: a decision is
 * made at a meeting (议事会), a grid worker decides at the door, anything else in the app.
 */
export function defaultStepChannel(to: ProposalStatus, role: Role): Channel {
	if (to === 'decided') return 'meeting';
	if (role === 'grid_worker') return 'visit';
	return 'app';
}

/** Channels a step can be recorded from (a box or an online group files proposals; it does not decide them). */
export const STEP_CHANNELS: readonly Channel[] = ['app', 'meeting', 'visit'];

/**
 * Who a proposal speaks for: the household it was filed for and, when someone else recorded it for that
 * household (a grid worker at the door, staff at a meeting or from the box), who recorded it and how.
 */
export interface Proposer {
	household?: string;
	recordedBy?: Actor;
	channel: Channel;
}

export function proposerOf(p: { household?: string; createdBy?: Actor | null; channel: Channel }): Proposer {
	const household = p.household || undefined;
	const onBehalf = !!household && !!p.createdBy && p.createdBy.role !== 'resident';
	return { ...(household ? { household } : {}), ...(onBehalf ? { recordedBy: p.createdBy! } : {}), channel: p.channel };
}

export interface ProposalDraft {
	title: string;
	description: string;
	category: CategoryId | '';
	kind: ProposalKind;
	channel: Channel;
	/** Household the proposal is filed for (a grid worker files on a resident's behalf). */
	household?: string;
	/** Organisation name, for organisational proposals. */
	organisation?: string;
	/**
	 * Where it was collected, in words: the meeting ("3栋楼头会"), the online group, the suggestion box or a
	 * note on who wrote a paper slip. Free text; the channel says which kind.
	 */
	source?: string;
}

export interface ValidationRules {
	/** Co-signing households a joint proposal needs besides the proposer's. */
	minCoSigners: number;
}

export const DEFAULT_RULES: ValidationRules = { minCoSigners: 3 };

export const TITLE_MAX = 80;
export const DESCRIPTION_MAX = 5000;

export type ValidationIssue =
	| { field: 'title'; code: 'required' | 'too_long' }
	| { field: 'description'; code: 'required' | 'too_long' }
	| { field: 'category'; code: 'required' }
	| { field: 'kind'; code: 'invalid' }
	| { field: 'organisation'; code: 'required' }
	| { field: 'coSigners'; code: 'too_few'; have: number; need: number };

/** Problems that block submission. A draft may be saved with issues; it may not be submitted with them. */
export function validateProposal(
	draft: ProposalDraft,
	coSignerHouseholds: readonly string[] = [],
	rules: ValidationRules = DEFAULT_RULES
): ValidationIssue[] {
	const issues: ValidationIssue[] = [];
	const title = draft.title.trim();
	if (!title) issues.push({ field: 'title', code: 'required' });
	else if (title.length > TITLE_MAX) issues.push({ field: 'title', code: 'too_long' });
	const description = draft.description.trim();
	if (!description) issues.push({ field: 'description', code: 'required' });
	else if (description.length > DESCRIPTION_MAX) issues.push({ field: 'description', code: 'too_long' });
	if (!isCategoryId(draft.category)) issues.push({ field: 'category', code: 'required' });
	if (!PROPOSAL_KINDS.includes(draft.kind)) issues.push({ field: 'kind', code: 'invalid' });
	if (draft.kind === 'organisational' && !draft.organisation?.trim()) {
		issues.push({ field: 'organisation', code: 'required' });
	}
	if (draft.kind === 'joint') {
		const have = countCoSigners(coSignerHouseholds, draft.household);
		if (have < rules.minCoSigners) issues.push({ field: 'coSigners', code: 'too_few', have, need: rules.minCoSigners });
	}
	return issues;
}

/** Distinct co-signing households, not counting the proposer's own. */
export function countCoSigners(households: readonly string[], proposerHousehold?: string): number {
	return new Set(households.filter((h) => h && h !== proposerHousehold)).size;
}

/** Possible negative-list hits in a proposal, shown to screeners with each item's reason. */
export function screeningFlags(draft: Pick<ProposalDraft, 'title' | 'description'>): NegativeFlag[] {
	return flagNegativeList(`${draft.title}\n${draft.description}`);
}

export function needsReason(to: ProposalStatus, from?: ProposalStatus): boolean {
	// A matter returned to the level below (escalated → submitted) carries the guidance it goes back with.
	return NEEDS_REASON.has(to) || (from === 'escalated' && to === 'submitted');
}

export function isTerminal(status: ProposalStatus): boolean {
	return status === 'rejected' || status === 'merged' || status === 'closed' || status === 'settled';
}

/** Statuses a proposal leaves the workflow by, never passed through on the way forward. */
const SIDE_EXITS: ReadonlySet<ProposalStatus> = new Set(['rejected', 'merged', 'escalated', 'settled']);

/**
 * The shortest chain of forward transitions `role` may make from `from` to `to` (excluding `from`), or [] when
 * the proposal is already there, past it, not decided yet, or cannot get there. A project's stage moves its proposals with it
 * (decided → funding → in progress → inspected → publicised → closed), one allowed step at a time.
 */
export function forwardPath(from: ProposalStatus, to: ProposalStatus, role: Role, level: Level = 'community'): ProposalStatus[] {
	const rank = (s: ProposalStatus) => PROPOSAL_STATUSES.indexOf(s);
	// Screening and deciding are people's judgements: only a decided proposal is carried forward.
	if (from === to || rank(from) < rank('decided') || rank(from) > rank(to)) return [];
	const cameFrom = new Map<ProposalStatus, ProposalStatus>();
	const queue: ProposalStatus[] = [from];
	while (queue.length > 0) {
		const current = queue.shift()!;
		if (current === to) break;
		for (const next of allowedTransitions(current, role, level)) {
			if (SIDE_EXITS.has(next) || rank(next) <= rank(current) || rank(next) > rank(to) || cameFrom.has(next)) continue;
			cameFrom.set(next, current);
			queue.push(next);
		}
	}
	if (!cameFrom.has(to)) return [];
	const path: ProposalStatus[] = [];
	for (let s: ProposalStatus | undefined = to; s && s !== from; s = cameFrom.get(s)) path.unshift(s);
	return path;
}
