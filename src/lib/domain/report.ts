/**
 * The reports (周收集、月汇总、季反馈): every figure is computed here, once, from the facts of report-facts.ts.
 * The words of each definition are in report-dictionary.ts; a figure and its definition change together.
 *
 * Pure and fast: the relay recomputes a community's open periods whenever facts change. All periods asked for
 * in one call are computed in one pass over the facts per period kind (a fact finds its period by binary
 * search; the cumulative resolution figure uses a difference array over the periods' ends), so the cost grows
 * with the facts, not with facts × periods.
 */
import { CHANNELS } from './actor';
import { ENCOURAGED_CATEGORIES } from './lists';
import { CAPACITIES, MEETING_KINDS } from './meeting';
import { DAY_MS } from './periods';
import { PROJECT_STAGES } from './project';
import { PROPOSAL_STATUSES, type ProposalStatus } from './proposal-status';
import type { CommunityFacts, Period, PeriodKind, ProposalFacts, VisitFact } from './report-facts';
import type { CommunityReport, DurationStats, Figures, Ratio, StreetReport } from './report-types';
import { SATISFIED_FROM } from './satisfaction';
import { NEED_TAGS } from './visit';

// Statuses are compared as strings: 'settled' (resolved at grid level) may not be in ProposalStatus yet.

/** A step to one of these, made while the proposal was submitted or under screening, is a screening decision. */
export const SCREENING_OUTCOMES: readonly string[] = ['accepted', 'rejected', 'merged', 'escalated', 'settled'];
const SCREENING_FROM: ReadonlySet<string> = new Set(['submitted', 'screening']);
const SCREENING_TO: ReadonlySet<string> = new Set(SCREENING_OUTCOMES);
/** The workflow from `first` on, in PROPOSAL_STATUSES' order. */
const from = (first: ProposalStatus): readonly string[] => PROPOSAL_STATUSES.slice(PROPOSAL_STATUSES.indexOf(first));
/** Reaching any of these means the matter was accepted for handling (escalated matters count once accepted). */
export const HANDLED_STATUSES: readonly string[] = ['accepted', ...from('topic'), 'settled'];
const HANDLED: ReadonlySet<string> = new Set(HANDLED_STATUSES);
/** Reaching any of these means the matter was resolved (办结): the work was accepted, or it was settled. */
export const RESOLVED_STATUSES: readonly string[] = [...from('inspected'), 'settled'];
const RESOLVED: ReadonlySet<string> = new Set(RESOLVED_STATUSES);
/** Time to decision ends at the first of these steps; time to completion at the first of COMPLETED. */
const DECIDED: ReadonlySet<string> = new Set(['decided', 'settled']);
const COMPLETED: ReadonlySet<string> = new Set(['closed', 'settled']);
/** Visit outcomes where someone was reached: not_home does not cover a household. */
const REACHED: ReadonlySet<string> = new Set(['talked', 'declined']);

// ---- small pieces shared with the street level ----

export function ratio(part: number, whole: number): Ratio {
	return { part, whole, rate: whole > 0 ? part / whole : null };
}

/** Days between two instants, one decimal; never negative (a device clock behind filing time is not a duration). */
export function daysBetween(from: number, to: number): number {
	return Math.max(0, Math.round(((to - from) / DAY_MS) * 10) / 10);
}

/**
 * Nearest-rank percentile of an ascending list: the value at rank ⌈p·n/100⌉ (1-based), always one of the
 * durations; null when the list is empty. The median is the 50th percentile (for an even count, the lower of
 * the two middle values).
 */
export function nearestRank(sorted: readonly number[], percent: number): number | null {
	if (!sorted.length) return null;
	// Integer arithmetic first: 0.9 * 70 is 63.00000000000001 in floating point, which would round up a rank.
	return sorted[Math.max(1, Math.ceil((percent * sorted.length) / 100)) - 1] ?? null;
}

export function durationStats(days: readonly number[]): DurationStats {
	const sorted = [...days].sort((a, b) => a - b);
	return { count: sorted.length, median: nearestRank(sorted, 50), p90: nearestRank(sorted, 90), days: sorted };
}

const zeros = (keys: readonly string[]): Record<string, number> => Object.fromEntries(keys.map((k) => [k, 0]));

/**
 * Figures with every count zero. Breakdowns over a fixed vocabulary list every key (so exports have the same
 * rows every period); unexpected keys (e.g. '' for a proposal without a channel) are added when they occur.
 */
export function emptyFigures(): Figures {
	return {
		intake: { total: 0, byChannel: zeros(CHANNELS), byCategory: zeros(ENCOURAGED_CATEGORIES.map((c) => c.id)) },
		screening: { decisions: 0, byOutcome: zeros(SCREENING_OUTCOMES), negativeItems: {} },
		topics: { formed: 0 },
		meetings: { held: 0, byKind: zeros(MEETING_KINDS), attendance: 0, byCapacity: zeros(CAPACITIES) },
		polls: { closed: 0, participation: ratio(0, 0) },
		visits: { visits: 0, coverage: ratio(0, 0), needsByTag: zeros(NEED_TAGS) },
		projects: { total: 0, byStage: zeros(PROJECT_STAGES) },
		money: { pledged: 0, received: 0, spent: 0 },
		toDecision: durationStats([]),
		toCompletion: durationStats([]),
		resolution: ratio(0, 0),
		satisfaction: ratio(0, 0)
	};
}

const bump = (r: Record<string, number>, key: string, n = 1) => {
	r[key] = (r[key] ?? 0) + n;
};

/** The earliest instant in the facts (what the first publication starts from); null when there are none. */
export function earliestFact(facts: CommunityFacts): number | null {
	let min = Infinity;
	const see = (at: number | null | undefined) => {
		if (typeof at === 'number' && at < min) min = at;
	};
	for (const p of facts.proposals) {
		see(p.filed);
		for (const s of p.steps) see(s.at);
	}
	for (const t of facts.topics) see(t.created);
	for (const m of facts.meetings) see(m.at);
	for (const p of facts.polls) see(p.created);
	for (const g of facts.gridFacts) for (const v of g.visits) see(v.at);
	for (const p of facts.projects) {
		for (const list of [p.pledged, p.received, p.spent, p.ratings]) for (const x of list) see(x.at);
	}
	return Number.isFinite(min) ? min : null;
}

// ---- the computation ----

/** Figures being accumulated, with what the rates and durations are made of. */
interface Acc {
	f: Figures;
	covered: Set<string>;
	toDecision: number[];
	toCompletion: number[];
	voted: number;
	electorate: number;
	rated: number;
	satisfied: number;
}

const newAcc = (): Acc => ({
	f: emptyFigures(),
	covered: new Set(),
	toDecision: [],
	toCompletion: [],
	voted: 0,
	electorate: 0,
	rated: 0,
	satisfied: 0
});

// Accumulating into one Acc; onBoth applies them to the community and the grid without allocating per fact.
function onBoth<T>(row: Acc[], g: number, add: (a: Acc, x: T) => void, x: T): void {
	add(row[0] as Acc, x);
	if (g > 0) add(row[g] as Acc, x);
}
function addIntake(a: Acc, p: ProposalFacts): void {
	a.f.intake.total++;
	bump(a.f.intake.byChannel, p.channel);
	bump(a.f.intake.byCategory, p.category);
}
function addDecision(a: Acc, to: string): void {
	a.f.screening.decisions++;
	bump(a.f.screening.byOutcome, to);
}
function addCitation(a: Acc, item: string): void {
	bump(a.f.screening.negativeItems, item);
}
function addToDecision(a: Acc, days: number): void {
	a.toDecision.push(days);
}
function addToCompletion(a: Acc, days: number): void {
	a.toCompletion.push(days);
}
function addVisit(a: Acc, v: VisitFact): void {
	a.f.visits.visits++;
	for (const tag of v.tags) bump(a.f.visits.needsByTag, tag);
	if (REACHED.has(v.outcome)) a.covered.add(v.household);
}

/** Index of the period containing `at` in sorted, non-overlapping periods; -1 when none does. */
function slotter(ps: readonly Period[]): (at: number) => number {
	const froms = ps.map((p) => p.from);
	const tos = ps.map((p) => p.to);
	const last = ps.length - 1;
	const first = froms[0] as number;
	const end = tos[last] as number;
	if (last === 0) return (at) => (at >= first && at < end ? 0 : -1);
	return (at) => {
		if (!(at >= first && at < end)) return -1;
		let lo = 0;
		let hi = last;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if ((froms[mid] as number) <= at) lo = mid;
			else hi = mid - 1;
		}
		return at < (tos[lo] as number) ? lo : -1;
	};
}

/** First index i with ends[i] > t (ends ascending); ends.length when none. */
function firstAfter(ends: readonly number[], t: number): number {
	let lo = 0;
	let hi = ends.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if ((ends[mid] as number) > t) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

/** The figures of sorted, non-overlapping periods (one kind), in one pass over the facts. */
function computeKind(facts: CommunityFacts, ps: readonly Period[], now: number): CommunityReport[] {
	const gridIds: string[] = [];
	const gridIndex = new Map<string, number>();
	const gridNames: Record<string, string> = {};
	const addGrid = (id: string, name = id) => {
		if (!id || gridIndex.has(id)) return;
		gridIndex.set(id, gridIds.length + 1); // 0 is the community
		gridIds.push(id);
		gridNames[id] = name;
	};
	for (const g of facts.grids) addGrid(g.id, g.name);
	// Grids the facts name but the list does not (e.g. a grid renamed or removed since) still get figures.
	for (const g of facts.gridFacts) addGrid(g.grid);
	for (const p of facts.proposals) addGrid(p.grid);

	const n = ps.length;
	const width = gridIds.length + 1;
	const accs: Acc[][] = ps.map(() => Array.from({ length: width }, newAcc));
	const slot = slotter(ps);

	// Resolution is cumulative ("by the period's end"): a matter counts in every period whose end falls in
	// (accepted, merged]. Difference arrays over the periods (ends ascending) make that O(log n) per matter.
	const ends = ps.map((p) => Math.min(p.to, now));
	const wholeDiff = Array.from({ length: width }, () => new Array<number>(n + 1).fill(0));
	const partDiff = Array.from({ length: width }, () => new Array<number>(n + 1).fill(0));
	const span = (diff: number[][], g: number, after: number, until: number) => {
		const lo = firstAfter(ends, after);
		const hi = firstAfter(ends, until);
		if (lo >= hi) return;
		diff[0]![lo]! += 1;
		diff[0]![hi]! -= 1;
		if (g > 0) {
			diff[g]![lo]! += 1;
			diff[g]![hi]! -= 1;
		}
	};

	for (const p of facts.proposals) {
		// Drafts never count: they have not been filed.
		if (p.filed === null || (p.status as string) === 'draft') continue;
		const g = gridIndex.get(p.grid) ?? 0;
		let s = slot(p.filed);
		if (s >= 0) onBoth(accs[s]!, g, addIntake, p);
		// Whatever came before the first step is the filing status: 'submitted' (a draft's steps start with 'draft').
		let prev = 'submitted';
		let decided = Infinity;
		let completed = Infinity;
		let handled = Infinity;
		let resolved = Infinity;
		let merged = Infinity;
		for (const step of p.steps) {
			const to: string = step.to;
			if (SCREENING_FROM.has(prev) && SCREENING_TO.has(to) && (s = slot(step.at)) >= 0) onBoth(accs[s]!, g, addDecision, to);
			// Every rejection's citation counts, including an upper level's rejection of an escalated matter.
			if (to === 'rejected' && step.negativeItem !== undefined && (s = slot(step.at)) >= 0) onBoth(accs[s]!, g, addCitation, String(step.negativeItem));
			if (decided === Infinity && DECIDED.has(to)) decided = step.at;
			if (completed === Infinity && COMPLETED.has(to)) completed = step.at;
			if (handled === Infinity && HANDLED.has(to)) handled = step.at;
			if (resolved === Infinity && RESOLVED.has(to)) resolved = step.at;
			if (merged === Infinity && to === 'merged') merged = step.at;
			prev = to;
		}
		if (decided !== Infinity && (s = slot(decided)) >= 0) onBoth(accs[s]!, g, addToDecision, daysBetween(p.filed, decided));
		if (completed !== Infinity && (s = slot(completed)) >= 0) onBoth(accs[s]!, g, addToCompletion, daysBetween(p.filed, completed));
		if (handled !== Infinity) {
			// A matter merged into another is carried by that one from the merge on: counted once, there.
			const from = Math.max(p.filed, handled);
			span(wholeDiff, g, from, merged);
			if (resolved !== Infinity) span(partDiff, g, Math.max(from, resolved), merged);
		}
	}

	for (const t of facts.topics) {
		const s = slot(t.created);
		if (s >= 0) (accs[s]![0] as Acc).f.topics.formed++;
	}

	for (const m of facts.meetings) {
		if (!m.held) continue;
		const s = slot(m.at);
		if (s < 0) continue;
		const f = (accs[s]![0] as Acc).f.meetings;
		f.held++;
		bump(f.byKind, m.kind);
		for (const [capacity, count] of Object.entries(m.attendance)) {
			if (!count) continue;
			f.attendance += count;
			bump(f.byCapacity, capacity, count);
		}
	}

	for (const p of facts.polls) {
		if (p.closed === null) continue;
		const s = slot(p.closed);
		if (s < 0) continue;
		const a = accs[s]![0] as Acc;
		a.f.polls.closed++;
		a.voted += p.voted;
		a.electorate += p.electorate;
	}

	let households = 0;
	const gridHouseholds = new Array<number>(width).fill(0);
	for (const gf of facts.gridFacts) {
		const g = gridIndex.get(gf.grid) ?? 0;
		households += gf.households;
		if (g > 0) gridHouseholds[g]! += gf.households;
		for (const v of gf.visits) {
			const s = slot(v.at);
			if (s < 0) continue;
			onBoth(accs[s]!, g, addVisit, v);
		}
	}

	const byStage: Record<string, number> = zeros(PROJECT_STAGES);
	for (const pr of facts.projects) {
		bump(byStage, pr.stage);
		for (const x of pr.pledged) {
			const s = slot(x.at);
			if (s >= 0) (accs[s]![0] as Acc).f.money.pledged += x.amount;
		}
		for (const x of pr.received) {
			const s = slot(x.at);
			if (s >= 0) (accs[s]![0] as Acc).f.money.received += x.amount;
		}
		for (const x of pr.spent) {
			const s = slot(x.at);
			if (s >= 0) (accs[s]![0] as Acc).f.money.spent += x.amount;
		}
		for (const r of pr.ratings) {
			const s = slot(r.at);
			if (s < 0) continue;
			const a = accs[s]![0] as Acc;
			a.rated++;
			if (r.score >= SATISFIED_FROM) a.satisfied++;
		}
	}

	const running = (diff: number[]) => {
		let sum = 0;
		return diff.slice(0, n).map((d) => (sum += d));
	};
	const whole = wholeDiff.map(running);
	const part = partDiff.map(running);

	return ps.map((period, i) => {
		const row = accs[i] as Acc[];
		const finish = (a: Acc, k: number): Figures => {
			const f = a.f;
			f.polls.participation = ratio(a.voted, a.electorate);
			f.visits.coverage = ratio(a.covered.size, k === 0 ? households : (gridHouseholds[k] as number));
			if (k === 0) f.projects = { total: facts.projects.length, byStage: { ...byStage } };
			f.toDecision = durationStats(a.toDecision);
			f.toCompletion = durationStats(a.toCompletion);
			f.resolution = ratio(part[k]![i] as number, whole[k]![i] as number);
			f.satisfaction = ratio(a.satisfied, a.rated);
			return f;
		};
		const grids: Record<string, Figures> = {};
		gridIds.forEach((id, j) => (grids[id] = finish(row[j + 1] as Acc, j + 1)));
		return { community: facts.community, period, computedAt: now, figures: finish(row[0] as Acc, 0), grids, gridNames: { ...gridNames } };
	});
}

/**
 * Reports for several periods at once (any kinds, any order; returned in the order asked). Each kind costs one
 * pass over the facts however many periods of it are asked for.
 */
export function communityReports(facts: CommunityFacts, periods: readonly Period[], now: number): CommunityReport[] {
	const byKind = new Map<PeriodKind, Map<string, Period>>();
	for (const p of periods) {
		const kind = byKind.get(p.kind) ?? byKind.set(p.kind, new Map()).get(p.kind)!;
		kind.set(p.key, p);
	}
	const byKey = new Map<string, CommunityReport>();
	for (const kind of byKind.values()) {
		const ps = [...kind.values()].sort((a, b) => a.from - b.from);
		for (const r of computeKind(facts, ps, now)) byKey.set(r.period.key, r);
	}
	// A period asked for twice gets the same report object.
	return periods.map((p) => byKey.get(p.key) as CommunityReport);
}

/** One community's report for one period: the community's figures and each grid's. */
export function communityReport(facts: CommunityFacts, period: Period, now: number): CommunityReport {
	return computeKind(facts, [period], now)[0] as CommunityReport;
}

// ---- combining ----

const isRatio = (v: object): v is Ratio => 'part' in v && 'whole' in v && 'rate' in v;
const isDurations = (v: object): v is DurationStats => 'days' in v && Array.isArray((v as DurationStats).days);

/** Combines figures of the same shape: counts and breakdowns summed, ratios and durations recomputed. */
function combine(values: readonly unknown[]): unknown {
	const first = values[0];
	if (typeof first === 'number') return values.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
	if (first === null || typeof first !== 'object') return first;
	const objects = values.filter((v): v is object => !!v && typeof v === 'object');
	// A ratio is recomputed from the summed parts and wholes: the street's rate is not a mean of rates.
	if (isRatio(first)) return ratio(objects.reduce((s, v) => s + (v as Ratio).part, 0), objects.reduce((s, v) => s + (v as Ratio).whole, 0));
	// Durations are combined exactly from every community's list: a median of medians would be wrong.
	if (isDurations(first)) return durationStats(objects.flatMap((v) => (v as DurationStats).days));
	const keys = [...new Set(objects.flatMap((v) => Object.keys(v)))];
	const out: Record<string, unknown> = {};
	for (const k of keys) {
		const present = objects.map((v) => (v as Record<string, unknown>)[k]).filter((v) => v !== undefined);
		out[k] = combine(present);
	}
	return out;
}

/** Figures of several communities (or grids) combined; empty figures for an empty list. */
export function combineFigures(list: readonly Figures[]): Figures {
	return list.length ? (combine(list) as Figures) : emptyFigures();
}

/**
 * A street's report: the communities' published reports for the period combined. `reports[i]` is the report
 * of `communities[i]`, null when there is none; a report of another period counts as missing too.
 */
export function streetReport(
	street: string,
	period: Period,
	reports: readonly (CommunityReport | null)[],
	communities: readonly string[]
): StreetReport {
	const figures: Record<string, Figures> = {};
	const missing: string[] = [];
	communities.forEach((c, i) => {
		const r = reports[i];
		if (r && r.period.key === period.key && r.community === c) figures[c] = r.figures;
		else missing.push(c);
	});
	return { street, period, figures: combineFigures(Object.values(figures)), communities: figures, missing };
}
