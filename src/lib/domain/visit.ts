/**
 * Door-to-door visits (入户走访): one record per knock, never edited, so two offline devices that visited
 * the same household both keep their record. A household's state in a canvassing cycle (by default a
 * calendar month in China Standard Time) is folded from the cycle's records, and a grid's coverage from that.
 */
import { type Actor, type Channel, isChannel, isRole } from './actor';
import type { Household } from './household';

export type VisitOutcome = 'talked' | 'not_home' | 'declined';
export const VISIT_OUTCOMES: readonly VisitOutcome[] = ['talked', 'not_home', 'declined'];
export const isVisitOutcome = (v: unknown): v is VisitOutcome => VISIT_OUTCOMES.includes(v as VisitOutcome);

/** Quick tags for needs heard at the door; anything else goes in the free text. */
export type NeedTag = 'repair' | 'safety' | 'environment' | 'elderly_care' | 'childcare' | 'parking' | 'neighbours' | 'hardship' | 'policy';
export const NEED_TAGS: readonly NeedTag[] = [
	'repair',
	'safety',
	'environment',
	'elderly_care',
	'childcare',
	'parking',
	'neighbours',
	'hardship',
	'policy'
];
export const isNeedTag = (v: unknown): v is NeedTag => NEED_TAGS.includes(v as NeedTag);

export interface VisitNeeds {
	tags: NeedTag[];
	text: string;
}

export interface Visit {
	id: string;
	household: string;
	grid: string;
	building: string;
	at: number;
	by: Actor;
	channel: Channel;
	outcome: VisitOutcome;
	needs: VisitNeeds;
	/** SHA-256 (hex) of each photo; the photos themselves are content-addressed on the relay. */
	photos: string[];
	/** Document name of the proposal filed for the household during this visit. */
	proposal?: string;
}

export const NEEDS_TEXT_MAX = 1000;
export const PHOTOS_MAX = 9;
const SHA256 = /^[0-9a-f]{64}$/;

export const hasNeeds = (v: Pick<Visit, 'needs'>) => v.needs.tags.length > 0 || v.needs.text.trim().length > 0;

export type VisitIssue =
	| { field: 'outcome' | 'household' | 'channel'; code: 'required' }
	| { field: 'needs'; code: 'only_when_talked' | 'unknown_tag' }
	| { field: 'needs'; code: 'too_long'; max: number }
	| { field: 'photos'; code: 'invalid' }
	| { field: 'photos'; code: 'too_many'; max: number };

/** Needs are heard only from a household that talked; a closed door raises none. */
export function validateVisit(v: Pick<Visit, 'household' | 'outcome' | 'needs' | 'photos' | 'channel'>): VisitIssue[] {
	const issues: VisitIssue[] = [];
	if (!v.household) issues.push({ field: 'household', code: 'required' });
	if (!isVisitOutcome(v.outcome)) issues.push({ field: 'outcome', code: 'required' });
	if (!isChannel(v.channel)) issues.push({ field: 'channel', code: 'required' });
	if (v.needs.tags.some((t) => !isNeedTag(t))) issues.push({ field: 'needs', code: 'unknown_tag' });
	if ([...v.needs.text].length > NEEDS_TEXT_MAX) issues.push({ field: 'needs', code: 'too_long', max: NEEDS_TEXT_MAX });
	if (v.outcome !== 'talked' && hasNeeds(v)) issues.push({ field: 'needs', code: 'only_when_talked' });
	if (v.photos.length > PHOTOS_MAX) issues.push({ field: 'photos', code: 'too_many', max: PHOTOS_MAX });
	if (v.photos.some((p) => !SHA256.test(p))) issues.push({ field: 'photos', code: 'invalid' });
	return issues;
}

/** Reads a visit from untrusted storage; null when it is not one (it is then left out, not guessed at). */
export function parseVisit(value: unknown): Visit | null {
	if (!value || typeof value !== 'object') return null;
	const v = value as Record<string, unknown>;
	const str = (x: unknown) => typeof x === 'string';
	if (!str(v.id) || !str(v.household) || !str(v.grid) || !str(v.building)) return null;
	if (typeof v.at !== 'number' || !Number.isFinite(v.at) || !isVisitOutcome(v.outcome)) return null;
	const by = v.by as Record<string, unknown> | null;
	if (!by || typeof by !== 'object' || !str(by.id) || !str(by.name) || !isRole(by.role)) return null;
	const needs = (v.needs ?? {}) as Record<string, unknown>;
	return {
		id: v.id as string,
		household: v.household as string,
		grid: v.grid as string,
		building: v.building as string,
		at: v.at,
		by: { id: by.id as string, name: by.name as string, role: by.role },
		channel: isChannel(v.channel) ? v.channel : 'visit',
		outcome: v.outcome,
		needs: {
			tags: Array.isArray(needs.tags) ? needs.tags.filter(isNeedTag) : [],
			text: typeof needs.text === 'string' ? needs.text : ''
		},
		photos: Array.isArray(v.photos) ? v.photos.filter((p): p is string => typeof p === 'string' && SHA256.test(p)) : [],
		...(str(v.proposal) && v.proposal ? { proposal: v.proposal as string } : {})
	};
}

// ---------------------------------------------------------------------------------------------------------
// Cycles

export interface CycleRule {
	unit: 'week' | 'month' | 'quarter';
	/** The community's time zone as an offset from UTC; China Standard Time is +480 all year. */
	utcOffsetMinutes: number;
}

export const DEFAULT_CYCLE: CycleRule = { unit: 'month', utcOffsetMinutes: 8 * 60 };

export interface Cycle {
	/** "2025-06", "2025-Q2" or "2025-W23" (ISO week). */
	id: string;
	unit: CycleRule['unit'];
	/** First millisecond, inclusive. */
	start: number;
	/** First millisecond of the next cycle, exclusive. */
	end: number;
	/** Year and month (1–12) of the start in local time, and the ISO week or quarter number. */
	year: number;
	month: number;
	index: number;
}

const DAY = 86_400_000;

/** The cycle containing `at`. Cycles begin at local midnight of the community's time zone. */
export function cycleAt(at: number, rule: CycleRule = DEFAULT_CYCLE): Cycle {
	const offset = rule.utcOffsetMinutes * 60_000;
	const local = new Date(at + offset);
	const y = local.getUTCFullYear();
	const m = local.getUTCMonth();
	switch (rule.unit) {
		case 'month':
			return build(rule, Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1));
		case 'quarter': {
			const q = Math.floor(m / 3);
			return build(rule, Date.UTC(y, q * 3, 1), Date.UTC(y, q * 3 + 3, 1));
		}
		case 'week': {
			const midnight = Date.UTC(y, m, local.getUTCDate());
			const monday = midnight - ((local.getUTCDay() + 6) % 7) * DAY;
			return build(rule, monday, monday + 7 * DAY);
		}
	}
}

function build(rule: CycleRule, localStart: number, localEnd: number): Cycle {
	const offset = rule.utcOffsetMinutes * 60_000;
	const s = new Date(localStart);
	const year = s.getUTCFullYear();
	const month = s.getUTCMonth() + 1;
	let id: string;
	let index: number;
	let idYear = year;
	if (rule.unit === 'month') {
		index = month;
		id = `${year}-${String(month).padStart(2, '0')}`;
	} else if (rule.unit === 'quarter') {
		index = Math.floor((month - 1) / 3) + 1;
		id = `${year}-Q${index}`;
	} else {
		// ISO week: the week belongs to the year of its Thursday.
		const thursday = new Date(localStart + 3 * DAY);
		idYear = thursday.getUTCFullYear();
		index = Math.floor((thursday.getTime() - Date.UTC(idYear, 0, 1)) / (7 * DAY)) + 1;
		id = `${idYear}-W${String(index).padStart(2, '0')}`;
	}
	return { id, unit: rule.unit, start: localStart - offset, end: localEnd - offset, year: idYear, month, index };
}

/** The cycle named `id` ("2025-06", "2025-Q2", "2025-W24") under `rule`; null when it names another kind. */
export function cycleById(id: string, rule: CycleRule = DEFAULT_CYCLE): Cycle | null {
	const offset = rule.utcOffsetMinutes * 60_000;
	let localDay: number | null = null;
	let m: RegExpExecArray | null;
	if (rule.unit === 'month' && (m = /^(\d{4})-(\d{2})$/.exec(id))) localDay = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
	else if (rule.unit === 'quarter' && (m = /^(\d{4})-Q([1-4])$/.exec(id))) localDay = Date.UTC(Number(m[1]), (Number(m[2]) - 1) * 3, 1);
	// 4 January is always in ISO week 1.
	else if (rule.unit === 'week' && (m = /^(\d{4})-W(\d{2})$/.exec(id))) localDay = Date.UTC(Number(m[1]), 0, 4) + (Number(m[2]) - 1) * 7 * DAY;
	if (localDay === null) return null;
	const c = cycleAt(localDay - offset, rule);
	return c.id === id ? c : null;
}

/** The cycle `n` cycles after (negative: before) `cycle`. */
export function shiftCycle(cycle: Cycle, n: number, rule: CycleRule = DEFAULT_CYCLE): Cycle {
	let c = cycle;
	for (let i = 0; i < Math.abs(n); i++) c = cycleAt(n > 0 ? c.end : c.start - 1, rule);
	return c;
}

export const inCycle = (at: number, cycle: Pick<Cycle, 'start' | 'end'>) => at >= cycle.start && at < cycle.end;

// ---------------------------------------------------------------------------------------------------------
// Household state in a cycle, and coverage

/** Visited means someone answered (talked or declined); a closed door is a try, not a visit. */
export type VisitStatus = 'talked' | 'declined' | 'not_home' | 'none';
const PRECEDENCE: Record<VisitStatus, number> = { talked: 3, declined: 2, not_home: 1, none: 0 };
export const isVisited = (s: VisitStatus) => s === 'talked' || s === 'declined';

export interface HouseholdCycleState {
	household: string;
	/** The best outcome of the cycle: one talk counts even if a later knock found nobody home. */
	status: VisitStatus;
	latest: Visit;
	visits: number;
	needs: NeedTag[];
	/** Whether any visit of the cycle raised a need (a tag or free text). */
	raised: boolean;
}

const later = (a: Visit, b: Visit) => a.at > b.at || (a.at === b.at && a.id > b.id);

/** The latest visit of each household within the cycle (ties broken by id, so every device agrees). */
export function latestVisits(visits: readonly Visit[], cycle: Pick<Cycle, 'start' | 'end'>): Map<string, Visit> {
	const out = new Map<string, Visit>();
	for (const v of visits) {
		if (!inCycle(v.at, cycle)) continue;
		const cur = out.get(v.household);
		if (!cur || later(v, cur)) out.set(v.household, v);
	}
	return out;
}

/** Each visited household's state in the cycle; households without a visit in it are absent. */
export function cycleStates(visits: readonly Visit[], cycle: Pick<Cycle, 'start' | 'end'>): Map<string, HouseholdCycleState> {
	const out = new Map<string, HouseholdCycleState>();
	for (const v of visits) {
		if (!inCycle(v.at, cycle)) continue;
		const cur = out.get(v.household);
		if (!cur) {
			out.set(v.household, {
				household: v.household,
				status: v.outcome,
				latest: v,
				visits: 1,
				needs: [...v.needs.tags],
				raised: hasNeeds(v)
			});
			continue;
		}
		cur.visits++;
		if (PRECEDENCE[v.outcome] > PRECEDENCE[cur.status]) cur.status = v.outcome;
		if (later(v, cur.latest)) cur.latest = v;
		for (const t of v.needs.tags) if (!cur.needs.includes(t)) cur.needs.push(t);
		cur.raised ||= hasNeeds(v);
	}
	return out;
}

export interface CoverageRow {
	/** Building id; '' for the total. */
	building: string;
	households: number;
	/** Talked or declined. */
	visited: number;
	talked: number;
	declined: number;
	/** Tried, nobody home, not reached yet this cycle. */
	notHome: number;
	/** No visit at all this cycle. */
	notVisited: number;
	/** Households that raised a need. */
	needs: number;
	/** Households per need tag. */
	needTags: Partial<Record<NeedTag, number>>;
	/** Visit records of the cycle, all knocks counted. */
	visits: number;
}

export interface Coverage {
	cycle: Pick<Cycle, 'start' | 'end'>;
	rows: CoverageRow[];
	total: CoverageRow;
}

const emptyRow = (building: string): CoverageRow => ({
	building,
	households: 0,
	visited: 0,
	talked: 0,
	declined: 0,
	notHome: 0,
	notVisited: 0,
	needs: 0,
	needTags: {},
	visits: 0
});

function addTo(row: CoverageRow, state: HouseholdCycleState | undefined): void {
	row.households++;
	if (!state) {
		row.notVisited++;
		return;
	}
	row.visits += state.visits;
	if (state.status === 'talked') row.talked++;
	else if (state.status === 'declined') row.declined++;
	else row.notHome++;
	if (isVisited(state.status)) row.visited++;
	if (state.raised) row.needs++;
	for (const t of state.needs) row.needTags[t] = (row.needTags[t] ?? 0) + 1;
}

/**
 * A grid's canvassing progress in a cycle, per building in `buildingOrder` (buildings not listed follow).
 * Only registered households count; a visit to a flat not in the register does not move the figures.
 */
export function coverage(
	households: readonly Household[],
	visits: readonly Visit[],
	cycle: Pick<Cycle, 'start' | 'end'>,
	buildingOrder: readonly string[] = []
): Coverage {
	const states = cycleStates(visits, cycle);
	const rows = new Map<string, CoverageRow>(buildingOrder.map((b) => [b, emptyRow(b)]));
	const total = emptyRow('');
	for (const h of households) {
		let row = rows.get(h.building);
		if (!row) rows.set(h.building, (row = emptyRow(h.building)));
		const s = states.get(h.id);
		addTo(row, s);
		addTo(total, s);
	}
	return { cycle, rows: [...rows.values()], total };
}
