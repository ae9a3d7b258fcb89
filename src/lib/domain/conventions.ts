/**
 * Conventions (公约) of a building, a room or the whole compound, drafted together and ratified by vote.
 *
 * The loop: a facilitator starts a convention and its text is co-edited live (the minutes' editor); residents
 * comment on a passage or suggest a change to it; staff accept or reject each suggestion; each consolidation
 * freezes the text as a numbered version; a version goes to a household poll under a chosen rule, and when the
 * poll carries, that version is the one in force from the day it carried. Amendments run the same loop: the
 * version in force stays in force until a later version is ratified.
 *
 * A version may carry rules that follow from it (a room's opening hours and limits, points for keeping it
 * clean): data read by the rooms, never code. Anchors of suggestions are opaque here (the document layer makes
 * and resolves them so they survive edits); the domain keeps the quoted passage to show when an anchor's text
 * was deleted. Records are written by other devices: every reader checks them (parse*).
 */
import { type Actor, isActor, type Role } from './actor';
import { type Day, isDay } from './calendar';
import type { PollOutcome, RuleKind } from './poll';
import { roleCan, rolesThatCan } from './permissions';
import { parseRules, type RoomRules } from './rooms';

export const TITLE_MAX = 60;
export const COMMENT_MAX = 500;
export const QUOTE_MAX = 300;
export const VERSION_TEXT_MAX = 50_000;

/** Staff draft, consolidate, open ratification and record the outcome; residents comment and suggest. */
export const CONVENTION_STAFF: readonly Role[] = rolesThatCan('edit-convention');
export const keepsConventions = (role: Role) => roleCan(role, 'edit-convention');

export type ConventionScope = { kind: 'compound' } | { kind: 'building'; building: string } | { kind: 'room'; room: string };

export interface ConventionMeta {
	id: string;
	title: string;
	scope: ConventionScope;
	by: Actor;
	at: number;
}

/** A consolidation: the text as it stood, frozen, with the suggestions it took in. */
export interface Version {
	n: number;
	/** Plain text, one paragraph per line: what is diffed, printed and ratified. */
	text: string;
	/** Rules that follow from this version, as data (a room's hours and limits, cleaning points). */
	rules: Partial<RoomRules> | null;
	accepted: string[];
	by: Actor;
	at: number;
	note: string;
}

export type SuggestionKind = 'comment' | 'change';

export interface Suggestion {
	id: string;
	kind: SuggestionKind;
	/** Opaque anchor made by the document layer (Yjs relative positions); survives later edits. */
	anchor: { start: string; end: string };
	/** The passage as it read when the suggestion was made. */
	quote: string;
	/** A change's proposed text for the passage ('' deletes it). */
	replacement: string;
	comment: string;
	by: Actor;
	at: number;
}

export interface SuggestionVerdict {
	suggestion: string;
	verdict: 'accepted' | 'rejected';
	by: Actor;
	at: number;
	note: string;
}

/** A version put to a household poll. */
export interface Ratification {
	id: string;
	version: number;
	poll: string;
	rule: RuleKind;
	by: Actor;
	at: number;
}

/** The recorded result of a ratification poll once it closed: carried makes the version the one in force. */
export interface RatificationResult {
	ratification: string;
	outcome: PollOutcome['kind'];
	/** The China-time day it took effect (the poll's closing day). */
	day: Day;
	by: Actor;
	at: number;
}

const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const id40 = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 40;

export function parseMeta(v: unknown): ConventionMeta | null {
	const m = v as ConventionMeta | null;
	if (!m || typeof m !== 'object' || !id40(m.id) || !text(m.title, TITLE_MAX) || !isActor(m.by) || !Number.isFinite(m.at)) return null;
	const s = m.scope as ConventionScope | undefined;
	const scope =
		s?.kind === 'compound' ? s : s?.kind === 'building' && text(s.building, 40) ? s : s?.kind === 'room' && id40(s.room) ? s : null;
	return scope ? { ...m, scope } : null;
}

export function parseVersion(v: unknown): Version | null {
	const x = v as Version | null;
	if (!x || typeof x !== 'object' || !Number.isInteger(x.n) || x.n < 1 || typeof x.text !== 'string' || x.text.length > VERSION_TEXT_MAX) return null;
	if (!isActor(x.by) || !Number.isFinite(x.at)) return null;
	const rules = x.rules ? (parseRules(x.rules) ? x.rules : null) : null;
	const accepted = Array.isArray(x.accepted) ? x.accepted.filter(id40) : [];
	return { n: x.n, text: x.text, rules, accepted, by: x.by, at: x.at, note: typeof x.note === 'string' ? x.note.slice(0, COMMENT_MAX) : '' };
}

export function parseSuggestion(v: unknown): Suggestion | null {
	const s = v as Suggestion | null;
	if (!s || typeof s !== 'object' || !id40(s.id) || (s.kind !== 'comment' && s.kind !== 'change')) return null;
	if (!s.anchor || typeof s.anchor.start !== 'string' || typeof s.anchor.end !== 'string' || s.anchor.start.length > 200 || s.anchor.end.length > 200) return null;
	if (typeof s.quote !== 'string' || s.quote.length > QUOTE_MAX || typeof s.replacement !== 'string' || s.replacement.length > QUOTE_MAX) return null;
	if (typeof s.comment !== 'string' || s.comment.length > COMMENT_MAX || !isActor(s.by) || !Number.isFinite(s.at)) return null;
	if (s.kind === 'comment' && !s.comment.trim()) return null;
	return { id: s.id, kind: s.kind, anchor: { start: s.anchor.start, end: s.anchor.end }, quote: s.quote, replacement: s.replacement, comment: s.comment, by: s.by, at: s.at };
}

export function parseVerdict(v: unknown): SuggestionVerdict | null {
	const d = v as SuggestionVerdict | null;
	if (!d || typeof d !== 'object' || !id40(d.suggestion) || (d.verdict !== 'accepted' && d.verdict !== 'rejected')) return null;
	if (!isActor(d.by) || !Number.isFinite(d.at)) return null;
	return { ...d, note: typeof d.note === 'string' ? d.note.slice(0, COMMENT_MAX) : '' };
}

export function parseRatification(v: unknown): Ratification | null {
	const r = v as Ratification | null;
	if (!r || typeof r !== 'object' || !id40(r.id) || !Number.isInteger(r.version) || r.version < 1 || !id40(r.poll)) return null;
	if (typeof r.rule !== 'string' || !isActor(r.by) || !Number.isFinite(r.at)) return null;
	return r;
}

export function parseResult(v: unknown): RatificationResult | null {
	const r = v as RatificationResult | null;
	if (!r || typeof r !== 'object' || !id40(r.ratification) || !isDay(r.day) || !isActor(r.by) || !Number.isFinite(r.at)) return null;
	if (!['carried', 'not_carried', 'tie', 'no_quorum'].includes(r.outcome)) return null;
	return r;
}

// ------------------------------------------------------------------------------------------------ the fold

export type SuggestionState = Suggestion & { verdict: SuggestionVerdict | null };

export type ConventionStage = 'drafting' | 'ratifying' | 'in_force';

export interface ConventionState {
	meta: ConventionMeta;
	/** Versions in order, 1, 2, … (a duplicated number keeps the earliest). */
	versions: Version[];
	/** The version in force and since when, or null before the first ratification carries. */
	inForce: { version: Version; since: Day; ratification: string } | null;
	/** The open ratification (its poll not yet recorded), if any. */
	ratifying: (Ratification & { version: number }) | null;
	/** Every ratification with its result, newest last. */
	ratifications: (Ratification & { result: RatificationResult | null })[];
	suggestions: SuggestionState[];
	/** Suggestions waiting for a staff verdict. */
	open: SuggestionState[];
	/** Drafting while there is no open ratification; amendments keep the version in force meanwhile. */
	stage: ConventionStage;
	/** Whether the latest version differs from the one in force (an amendment in progress). */
	amending: boolean;
}

const byTime = <T extends { at: number }>(a: T, b: T) => a.at - b.at;

/**
 * Folds the records of a convention. Among verdicts on one suggestion, and results of one ratification, the
 * earliest holds (two staff deciding offline: the first recorded wins). A result counts only for a
 * ratification that exists, and only a carried one puts its version in force; the latest carried (by the day
 * it took effect, then by time) is the one in force.
 */
export function conventionState(
	meta: ConventionMeta,
	versions: readonly Version[],
	suggestions: readonly Suggestion[],
	verdicts: readonly SuggestionVerdict[],
	ratifications: readonly Ratification[],
	results: readonly RatificationResult[]
): ConventionState {
	const byN = new Map<number, Version>();
	for (const v of [...versions].sort(byTime)) if (!byN.has(v.n)) byN.set(v.n, v);
	const ordered = [...byN.values()].sort((a, b) => a.n - b.n);

	const verdictOf = new Map<string, SuggestionVerdict>();
	for (const d of [...verdicts].sort(byTime)) if (!verdictOf.has(d.suggestion)) verdictOf.set(d.suggestion, d);
	const states = [...suggestions].sort(byTime).map((s) => ({ ...s, verdict: verdictOf.get(s.id) ?? null }));

	const resultOf = new Map<string, RatificationResult>();
	for (const r of [...results].sort(byTime)) if (!resultOf.has(r.ratification)) resultOf.set(r.ratification, r);
	const withResults = [...ratifications]
		.filter((r) => byN.has(r.version))
		.sort(byTime)
		.map((r) => ({ ...r, result: resultOf.get(r.id) ?? null }));

	let inForce: ConventionState['inForce'] = null;
	for (const r of withResults) {
		if (r.result?.outcome !== 'carried') continue;
		const candidate = { version: byN.get(r.version)!, since: r.result.day, ratification: r.id };
		// In ratification order, so of two carried on one day the later ratification holds.
		if (!inForce || candidate.since >= inForce.since) inForce = candidate;
	}
	const ratifying = withResults.findLast((r) => !r.result) ?? null;
	const latest = ordered.at(-1);
	return {
		meta,
		versions: ordered,
		inForce,
		ratifying,
		ratifications: withResults,
		suggestions: states,
		open: states.filter((s) => !s.verdict),
		stage: ratifying ? 'ratifying' : inForce && latest?.n === inForce.version.n ? 'in_force' : 'drafting',
		amending: !!inForce && !!latest && latest.n > inForce.version.n
	};
}

/** The next version number, and the suggestions it takes in: those accepted since the previous version. */
export function nextVersion(state: ConventionState): { n: number; accepted: string[] } {
	const taken = new Set(state.versions.flatMap((v) => v.accepted));
	const accepted = state.suggestions.filter((s) => s.verdict?.verdict === 'accepted' && !taken.has(s.id)).map((s) => s.id);
	return { n: (state.versions.at(-1)?.n ?? 0) + 1, accepted };
}

/** Whether a version may be put to a vote: it exists, no ratification is open, and it is not already in force. */
export function mayRatify(state: ConventionState, n: number): 'ok' | 'no_version' | 'already_open' | 'in_force' | 'open_suggestions' {
	if (!state.versions.some((v) => v.n === n)) return 'no_version';
	if (state.ratifying) return 'already_open';
	if (state.inForce?.version.n === n) return 'in_force';
	// A vote on a text with suggestions nobody answered would ratify over residents' heads.
	if (state.open.some((s) => s.at < (state.versions.find((v) => v.n === n)?.at ?? 0))) return 'open_suggestions';
	return 'ok';
}

/** The rules in force from a convention (null when none is in force or it carries none). */
export function rulesInForce(state: ConventionState | null): Partial<RoomRules> | null {
	return state?.inForce?.version.rules ?? null;
}
