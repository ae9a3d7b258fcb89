/**
 * Household polls (征求意见 / 表决): options, electorate, the rule, ballots from three channels,
 * and the tally. Plain data and pure functions: the facilitator's device and the relay's public tally run the
 * same code.
 *
 * One voice per household. Every ballot is kept. Per household the latest ballot (by `at`, then by id, so every
 * device agrees) cast inside the poll's window counts; a ballot without an option withdraws the household's
 * vote. A household whose ballots came through more than one channel or device is listed for audit, with which
 * ballot counted — never silently dropped.
 *
 * Thresholds are exact fractions compared in integers (floor area in 0.01 m² units), so a share that sits exactly
 * on 2/3 is judged the same way on every device.
 *
 * The electorate is resolved from the household registers when tallying (canvassing keeps them current); the
 * facilitator's closing record keeps the figures as they stood, so a change afterwards is visible as one.
 *
 * A show of hands at a meeting is a count per option with no household and no floor area. Under a rule without
 * an area threshold it counts towards participation and the options like ballots (the tally reports how much of
 * the count came from hands, since hands cannot be checked against the register). Under a rule with an area
 * threshold (the Civil Code rule) it cannot count at all: the tally reports the hands as not counted and that
 * per-household ballots are needed.
 */
import { type Actor, type Channel, isActor, type Role } from './actor';
import { roleCan } from './permissions';

// ---- rules ----

/** A share threshold as an exact fraction: reached when part/whole > num/den (strict) or ≥ num/den. */
export interface Threshold {
	num: number;
	den: number;
	strict: boolean;
}

export type RuleKind = 'simple_majority' | 'civil_code' | 'civil_code_major' | 'custom';
export const RULE_KINDS: readonly RuleKind[] = ['simple_majority', 'civil_code', 'civil_code_major', 'custom'];

export interface PollRule {
	kind: RuleKind;
	/** Participation needed, as shares of the electorate's households and floor area; null: none. */
	participationHouseholds: Threshold | null;
	participationArea: Threshold | null;
	/** What an option needs to carry, as shares of the participants' households and floor area. */
	approvalHouseholds: Threshold;
	approvalArea: Threshold | null;
}

const HALF_PLUS: Threshold = { num: 1, den: 2, strict: true };
const TWO_THIRDS: Threshold = { num: 2, den: 3, strict: false };
const THREE_QUARTERS: Threshold = { num: 3, den: 4, strict: false };

/**
 * The preset rules. Civil Code art. 278: participation by owners of at least 2/3 of the floor area and at least
 * 2/3 of the owners; a matter carries with more than half of the participants' area and of their number, or
 * at least 3/4 of both for major works (maintenance fund, rebuilding, change of use).
 */
export const RULES: Readonly<Record<Exclude<RuleKind, 'custom'>, PollRule>> = {
	simple_majority: {
		kind: 'simple_majority',
		participationHouseholds: null,
		participationArea: null,
		approvalHouseholds: HALF_PLUS,
		approvalArea: null
	},
	civil_code: {
		kind: 'civil_code',
		participationHouseholds: TWO_THIRDS,
		participationArea: TWO_THIRDS,
		approvalHouseholds: HALF_PLUS,
		approvalArea: HALF_PLUS
	},
	civil_code_major: {
		kind: 'civil_code_major',
		participationHouseholds: TWO_THIRDS,
		participationArea: TWO_THIRDS,
		approvalHouseholds: THREE_QUARTERS,
		approvalArea: THREE_QUARTERS
	}
};

const MAX_DEN = 1000;

export function isThreshold(t: unknown): t is Threshold {
	if (!t || typeof t !== 'object') return false;
	const { num, den, strict } = t as Threshold;
	return (
		Number.isInteger(num) && Number.isInteger(den) && den > 0 && den <= MAX_DEN && num >= 0 && num <= den && typeof strict === 'boolean'
	);
}

export function isPollRule(r: unknown): r is PollRule {
	if (!r || typeof r !== 'object') return false;
	const rule = r as PollRule;
	const optional = (t: unknown) => t === null || isThreshold(t);
	return (
		RULE_KINDS.includes(rule.kind) &&
		optional(rule.participationHouseholds) &&
		optional(rule.participationArea) &&
		isThreshold(rule.approvalHouseholds) &&
		optional(rule.approvalArea)
	);
}

/** Whether the rule needs per-household records with floor area (then a show of hands cannot count). */
export function needsArea(rule: PollRule): boolean {
	return rule.participationArea !== null || rule.approvalArea !== null;
}

/** part/whole against the threshold, in integers. An empty whole reaches nothing. */
export function reaches(part: number, whole: number, t: Threshold): boolean {
	if (whole <= 0) return false;
	const lhs = part * t.den;
	const rhs = whole * t.num;
	return t.strict ? lhs > rhs : lhs >= rhs;
}

/** The smallest part of `whole` that reaches the threshold (may exceed whole when it cannot be reached). */
export function needed(whole: number, t: Threshold): number {
	if (whole <= 0) return 1;
	const product = whole * t.num;
	// floor(product / den) in integers: the float quotient is corrected so exact multiples never drift.
	let q = Math.floor(product / t.den);
	while (q * t.den > product) q--;
	while ((q + 1) * t.den <= product) q++;
	const exact = q * t.den === product;
	return t.strict || !exact ? q + 1 : q;
}

/** Floor area in 0.01 m² units, the unit every area comparison uses; 0 for a missing or invalid area. */
export function centiArea(m2: number): number {
	return Number.isFinite(m2) && m2 > 0 ? Math.round(m2 * 100) : 0;
}

// ---- the poll ----

export interface PollOption {
	id: string;
	label: string;
	/** 弃权: counts as participation, never carries. */
	abstain?: boolean;
}

export type ElectorateScope = 'community' | 'grid' | 'building';
export const ELECTORATE_SCOPES: readonly ElectorateScope[] = ['community', 'grid', 'building'];

/** Which households may vote: the whole community, or those of some grids or buildings. */
export interface Electorate {
	scope: ElectorateScope;
	/** Grid or building ids; empty for the community. */
	ids: string[];
}

export function isElectorate(e: unknown): e is Electorate {
	if (!e || typeof e !== 'object') return false;
	const { scope, ids } = e as Electorate;
	return ELECTORATE_SCOPES.includes(scope) && Array.isArray(ids) && ids.every((id) => typeof id === 'string');
}

/** A facilitator's closing of the poll with the outcome statement; a later one amends the statement. */
export interface PollClosure {
	id: string;
	at: number;
	by: Actor;
	outcome: string;
	/** The tally as it stood when the outcome was written, so a later-arriving ballot shows as a change. */
	tally?: TallySummary;
}

/** A show of hands at a meeting. A later count of the same session replaces an earlier one. */
export interface HandCount {
	id: string;
	/** What was counted, e.g. "3栋楼头会 5月21日" or a meeting's document name. */
	session: string;
	at: number;
	by: Actor;
	/** Option id → hands raised. */
	counts: Record<string, number>;
}

/** A poll as its document holds it: the facilitator's draft, and who opened it when, and its closures. */
export interface Poll extends PollDraft {
	id: string;
	createdAt: number;
	createdBy: Actor | null;
	closures: PollClosure[];
	handCounts: HandCount[];
}

export type PollTimes = Pick<Poll, 'opensAt' | 'closesAt' | 'closures'>;
export type PollStatus = 'scheduled' | 'open' | 'closed';

/** When a facilitator closed the poll (the earliest closing), or null. */
export function closedAt(p: Pick<Poll, 'closures'>): number | null {
	let at: number | null = null;
	for (const c of p.closures) if (at === null || c.at < at) at = c.at;
	return at;
}

/** The end of the voting window: the close time, or earlier if a facilitator closed it. */
export function endsAt(p: PollTimes): number {
	const closed = closedAt(p);
	return closed === null ? p.closesAt : Math.min(closed, p.closesAt);
}

export function pollStatus(p: PollTimes, now: number): PollStatus {
	if (p.closures.length > 0 || now >= p.closesAt) return 'closed';
	return now < p.opensAt ? 'scheduled' : 'open';
}

/** Why a closed poll is closed: its close time passed, or a facilitator closed it first. */
export function closedBy(p: PollTimes, now: number): 'time' | 'facilitator' | null {
	const closed = closedAt(p);
	if (closed !== null && closed < p.closesAt) return 'facilitator';
	if (now >= p.closesAt) return 'time';
	return closed !== null ? 'facilitator' : null;
}

/** The latest outcome statement (a later closing amends an earlier one). */
export function latestClosure(p: Pick<Poll, 'closures'>): PollClosure | null {
	let latest: PollClosure | null = null;
	for (const c of p.closures) if (!latest || c.at > latest.at || (c.at === latest.at && c.id > latest.id)) latest = c;
	return latest;
}

/** Who sees the tally: facilitators and admins always; everyone else unless results are hidden until the close. */
export function canSeeTally(p: PollTimes & Pick<Poll, 'hideResults'>, role: Role, now: number): boolean {
	if (roleCan(role, 'see-live-tally')) return true;
	return !p.hideResults || pollStatus(p, now) === 'closed';
}

/** Whether the relay may publish the tally into the poll document for every reader. */
export function mayPublishTally(p: PollTimes & Pick<Poll, 'hideResults'>, now: number): boolean {
	return !p.hideResults || pollStatus(p, now) === 'closed';
}

// ---- drafts ----

export interface PollDraft {
	title: string;
	description: string;
	options: PollOption[];
	electorate: Electorate;
	rule: PollRule;
	opensAt: number;
	closesAt: number;
	/** Results are shown to facilitators only until the poll closes. */
	hideResults: boolean;
	/** Document names of the proposals and topics the poll decides. */
	matters: string[];
}

export const POLL_TITLE_MAX = 80;
export const POLL_DESCRIPTION_MAX = 2000;
export const OPTION_LABEL_MAX = 60;
export const OPTIONS_MAX = 10;
/** A proposal's or topic's document name (see schema/doc-names.ts). */
const MATTER_DOC = /^[A-Za-z0-9_-]{1,64}:(proposal|topic|convention):[A-Za-z0-9_-]{1,64}$/;

export type PollIssue =
	| { field: 'title'; code: 'required' | 'too_long' }
	| { field: 'description'; code: 'too_long' }
	| { field: 'options'; code: 'too_few' | 'too_many' | 'blank' | 'too_long' | 'duplicate' | 'no_choice' }
	| { field: 'electorate'; code: 'empty' }
	| { field: 'matters'; code: 'invalid' }
	| { field: 'rule'; code: 'invalid' }
	| { field: 'closesAt'; code: 'before_open' | 'invalid' };

export function validatePoll(d: PollDraft): PollIssue[] {
	const issues: PollIssue[] = [];
	const title = d.title.trim();
	if (!title) issues.push({ field: 'title', code: 'required' });
	else if (title.length > POLL_TITLE_MAX) issues.push({ field: 'title', code: 'too_long' });
	if (d.description.length > POLL_DESCRIPTION_MAX) issues.push({ field: 'description', code: 'too_long' });
	const labels = d.options.map((o) => o.label.trim());
	if (d.options.length < 2) issues.push({ field: 'options', code: 'too_few' });
	else if (d.options.length > OPTIONS_MAX) issues.push({ field: 'options', code: 'too_many' });
	if (labels.some((l) => !l)) issues.push({ field: 'options', code: 'blank' });
	if (labels.some((l) => l.length > OPTION_LABEL_MAX)) issues.push({ field: 'options', code: 'too_long' });
	if (new Set(labels.filter(Boolean)).size !== labels.filter(Boolean).length || new Set(d.options.map((o) => o.id)).size !== d.options.length) {
		issues.push({ field: 'options', code: 'duplicate' });
	}
	if (d.options.length >= 2 && d.options.every((o) => o.abstain)) issues.push({ field: 'options', code: 'no_choice' });
	if (!isElectorate(d.electorate) || (d.electorate.scope !== 'community' && d.electorate.ids.length === 0)) {
		issues.push({ field: 'electorate', code: 'empty' });
	}
	if (!isPollRule(d.rule)) issues.push({ field: 'rule', code: 'invalid' });
	if (!d.matters.every((m) => MATTER_DOC.test(m))) issues.push({ field: 'matters', code: 'invalid' });
	if (!Number.isFinite(d.opensAt) || !Number.isFinite(d.closesAt)) issues.push({ field: 'closesAt', code: 'invalid' });
	else if (d.closesAt <= d.opensAt) issues.push({ field: 'closesAt', code: 'before_open' });
	return issues;
}

// ---- ballots ----

export type BallotChannel = Extract<Channel, 'app' | 'visit' | 'meeting'>;
export const BALLOT_CHANNELS: readonly BallotChannel[] = ['app', 'visit', 'meeting'];

export interface Ballot {
	id: string;
	household: string;
	/** The option chosen; null withdraws the household's vote. */
	option: string | null;
	/** When it was cast: the recording device's clock, or the relay's for a resident's ballot sent in the app. */
	at: number;
	channel: BallotChannel;
	by: Actor;
	/** The device (credential) that recorded it. */
	device: string;
}

/** A well-formed ballot (documents are written by many devices; anything else is left out of the tally). */
export function isBallot(b: unknown): b is Ballot {
	if (!b || typeof b !== 'object') return false;
	const x = b as Ballot;
	return (
		typeof x.id === 'string' &&
		x.id.length > 0 &&
		typeof x.household === 'string' &&
		x.household.length > 0 &&
		(x.option === null || typeof x.option === 'string') &&
		typeof x.at === 'number' &&
		Number.isFinite(x.at) &&
		BALLOT_CHANNELS.includes(x.channel) &&
		isActor(x.by) &&
		typeof x.device === 'string'
	);
}

/** Orders ballots by time, then id: the last one of a household is the one that counts. */
export function compareBallots(a: Ballot, b: Ballot): number {
	return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The ballot that counts for each household among `ballots` (all of one poll), ignoring the poll's window. */
export function latestByHousehold(ballots: readonly Ballot[]): Map<string, Ballot> {
	const latest = new Map<string, Ballot>();
	for (const b of ballots) {
		const prev = latest.get(b.household);
		if (!prev || compareBallots(prev, b) < 0) latest.set(b.household, b);
	}
	return latest;
}

/** A household with ballots from more than one channel or device: all of them, and which one counts. */
export interface BallotConflict {
	household: string;
	/** Every ballot of the household, oldest first. */
	ballots: Ballot[];
	/** Id of the ballot that counts, or null when none does (all outside the window or invalid). */
	counted: string | null;
	channels: BallotChannel[];
	devices: string[];
}

// ---- electorate ----

/** What the tally needs of a household; the register's Household has this shape. */
export interface ElectorHousehold {
	id: string;
	building: string;
	area: number;
}

export interface Voter {
	id: string;
	/** Floor area in 0.01 m². */
	area: number;
}

/**
 * The ballots read from each grid's ballots document, keeping only those for that grid's own households: a
 * grid worker may write their own grid's document, which must not let them vote for another grid's households.
 */
export function ballotsOfOwnGrids(
	byGrid: ReadonlyMap<string, readonly Ballot[]>,
	households: readonly { id: string; building: string }[],
	buildings: readonly { id: string; grid: string }[]
): Ballot[] {
	const gridOfBuilding = new Map(buildings.map((b) => [b.id, b.grid]));
	const gridOf = new Map(households.map((h) => [h.id, gridOfBuilding.get(h.building)]));
	return [...byGrid].flatMap(([grid, ballots]) => ballots.filter((b) => gridOf.get(b.household) === grid));
}

/** The households entitled to vote, from the registers and the community's buildings (building → grid). */
export function resolveElectorate(
	e: Electorate,
	households: readonly ElectorHousehold[],
	buildings: readonly { id: string; grid: string }[]
): Voter[] {
	let inScope: (h: ElectorHousehold) => boolean;
	if (e.scope === 'community') {
		inScope = () => true;
	} else if (e.scope === 'building') {
		const ids = new Set(e.ids);
		inScope = (h) => ids.has(h.building);
	} else {
		const grids = new Set(e.ids);
		const gridOf = new Map(buildings.map((b) => [b.id, b.grid]));
		inScope = (h) => grids.has(gridOf.get(h.building) ?? '');
	}
	const seen = new Set<string>();
	const voters: Voter[] = [];
	for (const h of households) {
		if (seen.has(h.id) || !inScope(h)) continue;
		seen.add(h.id);
		voters.push({ id: h.id, area: centiArea(h.area) });
	}
	return voters;
}

// ---- the tally ----

export interface ThresholdProgress {
	threshold: Threshold;
	/** Households, or floor area in 0.01 m². */
	have: number;
	whole: number;
	/** The least `have` that reaches the threshold. */
	need: number;
	reached: boolean;
}

function progress(have: number, whole: number, t: Threshold): ThresholdProgress {
	return { threshold: t, have, whole, need: needed(whole, t), reached: reaches(have, whole, t) };
}

export interface OptionTally {
	id: string;
	abstain: boolean;
	/** Households whose counted ballot chose this option, and their floor area (0.01 m²). */
	households: number;
	area: number;
	/** Hands raised for it (counted only when `handsCount`). */
	hands: number;
	/** Null for an abstention, which never carries. */
	approvalHouseholds: ThresholdProgress | null;
	approvalArea: ThresholdProgress | null;
	approved: boolean;
}

export type PollOutcome =
	| { kind: 'carried'; option: string }
	/** Participation reached, no option reached approval. */
	| { kind: 'not_carried' }
	/** More than one option reached approval (possible only with a custom threshold of at most a half). */
	| { kind: 'tie'; options: string[] }
	| { kind: 'no_quorum' };

/** The aggregate figures: no household appears in them, so they may be published. */
export interface TallySummary {
	electorate: { households: number; area: number; missingArea: number };
	participants: { households: number; area: number; hands: number };
	participationHouseholds: ThresholdProgress | null;
	participationArea: ThresholdProgress | null;
	participationReached: boolean;
	options: OptionTally[];
	outcome: PollOutcome;
	/** Options with the most votes (several on a tie; empty when nobody voted). */
	leading: string[];
	/** Whether hands count under this rule; when not, `handsNotCounted` says how many were left out. */
	handsCount: boolean;
	handsNotCounted: number;
	/** True when hands were left out because the rule needs per-household records with floor area. */
	needsHouseholdRecords: boolean;
	/** Households whose counted ballot withdrew their vote. */
	withdrawn: number;
	ignored: {
		/** Households that voted but are not in the electorate. */
		outside: number;
		/** Ballots cast before the poll opened or after it ended. */
		outsideWindow: number;
		/** Ballots naming an option the poll does not have. */
		invalid: number;
	};
}

export interface Tally extends TallySummary {
	/** Households with ballots from more than one channel or device. */
	conflicts: BallotConflict[];
	/** The counted ballot of each household of the electorate that has one (withdrawals included). */
	counted: Map<string, Ballot>;
}

export type TallyPoll = Pick<Poll, 'options' | 'rule' | 'opensAt' | 'closesAt' | 'closures' | 'handCounts'>;

/**
 * Tallies a poll. `ballots` are every ballot of the poll from every grid; `voters` its resolved electorate.
 * Linear in ballots + voters.
 */
export function tallyPoll(poll: TallyPoll, voters: readonly Voter[], ballots: readonly Ballot[]): Tally {
	const start = poll.opensAt;
	const end = endsAt(poll);
	const inWindow = (at: number) => at >= start && at < end;
	const optionIds = new Set(poll.options.map((o) => o.id));
	const areaOf = new Map<string, number>();
	let electorateArea = 0;
	let missingArea = 0;
	for (const v of voters) {
		areaOf.set(v.id, v.area);
		electorateArea += v.area;
		if (v.area <= 0) missingArea++;
	}

	const byHousehold = new Map<string, Ballot[]>();
	for (const b of ballots) {
		const list = byHousehold.get(b.household);
		if (list) list.push(b);
		else byHousehold.set(b.household, [b]);
	}

	const counted = new Map<string, Ballot>();
	const conflicts: BallotConflict[] = [];
	const ignored = { outside: 0, outsideWindow: 0, invalid: 0 };
	for (const [household, list] of byHousehold) {
		let best: Ballot | null = null;
		let channel: BallotChannel | null = null;
		let device: string | null = null;
		let mixed = false;
		for (const b of list) {
			if (channel === null) channel = b.channel;
			if (device === null) device = b.device;
			if (b.channel !== channel || b.device !== device) mixed = true;
			if (!inWindow(b.at)) {
				ignored.outsideWindow++;
				continue;
			}
			if (b.option !== null && !optionIds.has(b.option)) {
				ignored.invalid++;
				continue;
			}
			if (!best || compareBallots(best, b) < 0) best = b;
		}
		const eligible = areaOf.has(household);
		if (!eligible) ignored.outside++;
		else if (best) counted.set(household, best);
		if (mixed) {
			const sorted = [...list].sort(compareBallots);
			conflicts.push({
				household,
				ballots: sorted,
				counted: eligible && best ? best.id : null,
				channels: [...new Set(sorted.map((b) => b.channel))],
				devices: [...new Set(sorted.map((b) => b.device))]
			});
		}
	}
	conflicts.sort((a, b) => (a.household < b.household ? -1 : a.household > b.household ? 1 : 0));

	const perOption = new Map(poll.options.map((o) => [o.id, { households: 0, area: 0, hands: 0 }]));
	let participants = 0;
	let participantArea = 0;
	let withdrawn = 0;
	for (const [household, b] of counted) {
		if (b.option === null) {
			withdrawn++;
			continue;
		}
		const area = areaOf.get(household) ?? 0;
		const o = perOption.get(b.option);
		if (!o) continue;
		o.households++;
		o.area += area;
		participants++;
		participantArea += area;
	}

	const handsCount = !needsArea(poll.rule);
	const hands = sessionHands(poll.handCounts, inWindow, optionIds);
	let handTotal = 0;
	for (const [option, n] of hands) {
		handTotal += n;
		if (handsCount) (perOption.get(option) as { hands: number }).hands += n;
	}
	const handParticipants = handsCount ? handTotal : 0;

	const rule = poll.rule;
	const participationHouseholds = rule.participationHouseholds
		? progress(participants + handParticipants, voters.length, rule.participationHouseholds)
		: null;
	const participationArea = rule.participationArea ? progress(participantArea, electorateArea, rule.participationArea) : null;
	const participationReached = (participationHouseholds?.reached ?? true) && (participationArea?.reached ?? true);

	const voteTotal = participants + handParticipants;
	const options: OptionTally[] = poll.options.map((opt) => {
		const o = perOption.get(opt.id) as { households: number; area: number; hands: number };
		const abstain = !!opt.abstain;
		const votes = o.households + (handsCount ? o.hands : 0);
		const approvalHouseholds = abstain ? null : progress(votes, voteTotal, rule.approvalHouseholds);
		const approvalArea = abstain || !rule.approvalArea ? null : progress(o.area, participantArea, rule.approvalArea);
		const approved = !!approvalHouseholds?.reached && (approvalArea?.reached ?? true);
		return { id: opt.id, abstain, households: o.households, area: o.area, hands: handsCount ? o.hands : 0, approvalHouseholds, approvalArea, approved };
	});

	let outcome: PollOutcome;
	const approved = options.filter((o) => o.approved).map((o) => o.id);
	if (!participationReached) outcome = { kind: 'no_quorum' };
	else if (approved.length === 1) outcome = { kind: 'carried', option: approved[0] as string };
	else if (approved.length > 1) outcome = { kind: 'tie', options: approved };
	else outcome = { kind: 'not_carried' };

	const choices = options.filter((o) => !o.abstain);
	const top = Math.max(0, ...choices.map((o) => o.households + o.hands));
	const leading = top > 0 ? choices.filter((o) => o.households + o.hands === top).map((o) => o.id) : [];

	return {
		electorate: { households: voters.length, area: electorateArea, missingArea },
		participants: { households: participants, area: participantArea, hands: handParticipants },
		participationHouseholds,
		participationArea,
		participationReached,
		options,
		outcome,
		leading,
		handsCount,
		handsNotCounted: handsCount ? 0 : handTotal,
		needsHouseholdRecords: !handsCount && handTotal > 0,
		withdrawn,
		ignored,
		conflicts,
		counted
	};
}

/** Hands per option: the latest count of each session inside the window, summed over sessions. */
function sessionHands(counts: readonly HandCount[], inWindow: (at: number) => boolean, options: ReadonlySet<string>): Map<string, number> {
	const latest = new Map<string, HandCount>();
	for (const c of counts) {
		if (!inWindow(c.at)) continue;
		const prev = latest.get(c.session);
		if (!prev || prev.at < c.at || (prev.at === c.at && prev.id < c.id)) latest.set(c.session, c);
	}
	const sums = new Map<string, number>();
	for (const c of latest.values()) {
		for (const [option, n] of Object.entries(c.counts)) {
			if (!options.has(option) || !Number.isInteger(n) || n <= 0) continue;
			sums.set(option, (sums.get(option) ?? 0) + n);
		}
	}
	return sums;
}

export function isHandCount(c: unknown): c is HandCount {
	if (!c || typeof c !== 'object') return false;
	const x = c as HandCount;
	return (
		typeof x.id === 'string' &&
		typeof x.session === 'string' &&
		typeof x.at === 'number' &&
		isActor(x.by) &&
		!!x.counts &&
		typeof x.counts === 'object' &&
		Object.values(x.counts).every((n) => Number.isInteger(n) && n >= 0)
	);
}

/** The published part of a tally: aggregates only, no household, no audit. */
export function summarize(t: Tally): TallySummary {
	const { conflicts: _c, counted: _h, ...summary } = t;
	return summary;
}

/** What the relay writes into the poll document for every reader. */
export interface PublicTally extends TallySummary {
	/** When the relay computed it. */
	at: number;
	/** True once the poll had closed when it was computed. */
	final: boolean;
}

/** Same figures (ignoring when they were computed)? Lets the relay skip a write that would change nothing. */
export function sameTally(a: TallySummary | null, b: TallySummary | null): boolean {
	if (!a || !b) return a === b;
	const strip = (t: TallySummary) => {
		const { at: _a, final: _f, ...rest } = t as PublicTally;
		return JSON.stringify(rest);
	};
	return strip(a) === strip(b);
}

// ---- the resident's ballot over HTTP ----

/**
 * POST /api/polls/<poll id>/ballot with `{ id, option }` (Authorization: Bearer <resident credential>).
 * The relay takes the household from the credential, checks the poll is open and the household in its
 * electorate, stamps the time and writes the ballot (channel 'app') into the household's grid's ballots
 * document; it answers once the ballot is durable. Sending the same `id` again answers with the stored ballot,
 * so a resent queued ballot is never counted twice.
 */
export const pollBallotPath = (poll: string) => `/api/polls/${encodeURIComponent(poll)}/ballot`;
export const POLL_BALLOT_ROUTE = /^\/api\/polls\/([A-Za-z0-9_-]{1,64})\/ballot$/;

export interface AppBallotRequest {
	id: string;
	option: string | null;
	/** Optional: must be the credential's own household when given. */
	household?: string;
}

export interface AppBallotResponse {
	ballot: Ballot;
	/** False when the same ballot id had already been stored. */
	created: boolean;
}

const BALLOT_ID = /^[A-Za-z0-9_-]{8,64}$/;
export const isBallotId = (id: unknown): id is string => typeof id === 'string' && BALLOT_ID.test(id);

/** Ballots one household may send in one poll through the app (a change of mind is a new ballot). */
export const MAX_APP_BALLOTS_PER_HOUSEHOLD = 20;

// ---- what counts for the asking household ----

/**
 * GET /api/polls/<poll id>/ballot (resident credential): which of the household's own ballots counts, so a vote
 * recorded at the door or at a meeting after the resident's app vote is never a silent override. The relay
 * takes the household from the credential and reads only that household's ballots; no one else's is returned.
 */
export interface OwnBallot {
	option: string | null;
	at: number;
	channel: BallotChannel;
	/** Role of who recorded it (the grid worker at the door, a facilitator at a meeting, the household itself). */
	by: Role;
	/** True when this device sent it. */
	mine: boolean;
}

export interface OwnBallotStatus {
	/** The ballot the tally counts for the household now, or null (none, withdrawn outside the window …). */
	counted: OwnBallot | null;
	/** The household's latest ballot sent in the app, when the one that counts is another (it was superseded). */
	superseded: OwnBallot | null;
	/** Whether the household is among the poll's voters. */
	voter: boolean;
}

/**
 * What counts for one household, by the tally's own rule (latest inside the window with a valid option).
 * `ballots` must be that household's only; `device` is the asking device.
 */
export function ownBallotStatus(poll: TallyPoll, ballots: readonly Ballot[], voter: boolean, device: string): OwnBallotStatus {
	const start = poll.opensAt;
	const end = endsAt(poll);
	const optionIds = new Set(poll.options.map((o) => o.id));
	let counted: Ballot | null = null;
	let app: Ballot | null = null;
	for (const b of ballots) {
		if (b.at < start || b.at >= end || (b.option !== null && !optionIds.has(b.option))) continue;
		if (!counted || compareBallots(counted, b) < 0) counted = b;
		if (b.channel === 'app' && (!app || compareBallots(app, b) < 0)) app = b;
	}
	const view = (b: Ballot): OwnBallot => ({ option: b.option, at: b.at, channel: b.channel, by: b.by.role, mine: b.device === device });
	return {
		counted: voter && counted ? view(counted) : null,
		superseded: voter && counted && app && app.id !== counted.id && counted.channel !== 'app' ? view(app) : null,
		voter
	};
}
