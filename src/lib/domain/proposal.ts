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

export type ProposalKind = 'individual' | 'joint' | 'organisational';
export const PROPOSAL_KINDS: readonly ProposalKind[] = ['individual', 'joint', 'organisational'];

export type ProposalStatus =
	| 'draft'
	| 'submitted'
	| 'screening'
	| 'accepted'
	| 'rejected'
	| 'merged'
	| 'escalated'
	| 'topic'
	| 'deliberating'
	| 'voting'
	| 'decided'
	| 'funding'
	| 'in_progress'
	| 'inspected'
	| 'publicised'
	| 'closed';

/** In workflow order, for progress displays. */
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = [
	'draft',
	'submitted',
	'screening',
	'accepted',
	'rejected',
	'merged',
	'escalated',
	'topic',
	'deliberating',
	'voting',
	'decided',
	'funding',
	'in_progress',
	'inspected',
	'publicised',
	'closed'
];

export type Level = 'grid' | 'community' | 'street';

const PROPOSERS: readonly Role[] = ['resident', 'grid_worker', 'facilitator', 'community_admin'];
const SCREENERS: readonly Role[] = ['facilitator', 'community_admin'];
/** Roles that screen proposals and move them through the workflow. */
export const SCREENER_ROLES = SCREENERS;
const UPPER: readonly Role[] = ['community_admin', 'street_admin'];

/** Allowed transitions and the roles that may make each. */
export const TRANSITIONS: Readonly<Partial<Record<ProposalStatus, Partial<Record<ProposalStatus, readonly Role[]>>>>> = {
	draft: { submitted: PROPOSERS },
	submitted: { screening: SCREENERS, accepted: SCREENERS, rejected: SCREENERS, merged: SCREENERS, escalated: SCREENERS },
	screening: { accepted: SCREENERS, rejected: SCREENERS, merged: SCREENERS, escalated: SCREENERS },
	escalated: { accepted: UPPER, rejected: UPPER },
	accepted: { topic: SCREENERS },
	topic: { deliberating: SCREENERS, merged: SCREENERS },
	deliberating: { voting: SCREENERS, decided: SCREENERS },
	voting: { decided: SCREENERS },
	decided: { funding: SCREENERS, in_progress: SCREENERS },
	funding: { in_progress: SCREENERS },
	in_progress: { inspected: SCREENERS },
	inspected: { publicised: SCREENERS },
	publicised: { closed: SCREENERS }
};

/** Transitions that need a written reason (a rejection must cite why, a merge must name its target). */
const NEEDS_REASON: ReadonlySet<ProposalStatus> = new Set(['rejected', 'escalated']);

export function allowedTransitions(from: ProposalStatus, role: Role): ProposalStatus[] {
	const next = TRANSITIONS[from] ?? {};
	return (Object.keys(next) as ProposalStatus[]).filter((to) => next[to]?.includes(role));
}

export function canTransition(from: ProposalStatus, to: ProposalStatus, role: Role): boolean {
	return TRANSITIONS[from]?.[to]?.includes(role) ?? false;
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
			level?: Level;
	  })
	| (EventBase & { type: 'edited'; fields: string[] })
	| (EventBase & { type: 'cosigned'; household: string; name: string })
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
	/** All events in display order. */
	events: TimelineEvent[];
	/** Transition events that were not applied, with why (e.g. made offline against a status already changed). */
	superseded: Map<string, SupersededReason>;
	/** Time of the last event. */
	updated: number;
}

export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
	return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Folds a merged timeline into the current status. Deterministic for any order of the input. */
export function foldTimeline(events: readonly TimelineEvent[]): FoldedTimeline {
	const sorted = [...events].sort(compareEvents);
	const superseded = new Map<string, SupersededReason>();
	let status: ProposalStatus = 'draft';
	let created = false;
	for (const ev of sorted) {
		if (ev.type === 'created') {
			if (!created) status = ev.status;
			created = true;
		} else if (ev.type === 'transition') {
			if (ev.from !== status) {
				superseded.set(ev.id, { code: 'stale', status });
			} else if (!canTransition(ev.from, ev.to, ev.by.role)) {
				superseded.set(ev.id, { code: 'role', role: ev.by.role });
			} else {
				status = ev.to;
			}
		}
	}
	return { status, events: sorted, superseded, updated: sorted.at(-1)?.at ?? 0 };
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

export function needsReason(to: ProposalStatus): boolean {
	return NEEDS_REASON.has(to);
}

export function isTerminal(status: ProposalStatus): boolean {
	return status === 'rejected' || status === 'merged' || status === 'closed';
}

/** Statuses a proposal leaves the workflow by, never passed through on the way forward. */
const SIDE_EXITS: ReadonlySet<ProposalStatus> = new Set(['rejected', 'merged', 'escalated']);

/**
 * The shortest chain of forward transitions `role` may make from `from` to `to` (excluding `from`), or [] when
 * the proposal is already there, past it, not decided yet, or cannot get there. A project's stage moves its proposals with it
 * (decided → funding → in progress → inspected → publicised → closed), one allowed step at a time.
 */
export function forwardPath(from: ProposalStatus, to: ProposalStatus, role: Role): ProposalStatus[] {
	const rank = (s: ProposalStatus) => PROPOSAL_STATUSES.indexOf(s);
	// Screening and deciding are people's judgements: only a decided proposal is carried forward.
	if (from === to || rank(from) < rank('decided') || rank(from) > rank(to)) return [];
	const cameFrom = new Map<ProposalStatus, ProposalStatus>();
	const queue: ProposalStatus[] = [from];
	while (queue.length > 0) {
		const current = queue.shift()!;
		if (current === to) break;
		for (const next of allowedTransitions(current, role)) {
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
