/**
 * Report periods (周、月、季) in China Standard Time (UTC+8, no daylight saving), whatever the machine's time
 * zone: every device and the relay cut the same instants into the same periods. The offset is the calendar's
 * (calendar.ts); the reports' CST arithmetic lives here, and intake.ts re-exports weekStart from this module so
 * there is one implementation.
 *
 * Keys: '2026-W49' (ISO 8601 week of the CST date, with the ISO week-year: the week belongs to the year of its
 * Thursday), '2026-12' (month), '2026-Q4' (quarter).
 */
import { CST_OFFSET_MS, DAY_MS } from './calendar';
import { PERIOD_KINDS, type Period, type PeriodKind } from './report-facts';

export { CST_OFFSET_MS, DAY_MS };
const WEEK_MS = 7 * DAY_MS;

/** Days since 1970-01-01 of the CST calendar date of `at`. */
export function cstDayNumber(at: number): number {
	return Math.floor((at + CST_OFFSET_MS) / DAY_MS);
}

/** The instant of 00:00 CST of a day number. */
export function cstDayStart(day: number): number {
	return day * DAY_MS - CST_OFFSET_MS;
}

/** The CST calendar date of an instant: year, month (1–12), day of month. */
export function cstDate(at: number): { year: number; month: number; day: number } {
	const d = new Date(at + CST_OFFSET_MS);
	return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 00:00 CST of a calendar date; `month` is 1-based and may overflow into the next year (Date.UTC does). */
export function cstMidnight(year: number, month: number, day = 1): number {
	return Date.UTC(year, month - 1, day) - CST_OFFSET_MS;
}

/** Start (ms since epoch) of the Monday 00:00 CST week containing `at`. */
export function weekStart(at: number): number {
	const day = cstDayNumber(at);
	// 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays (the double mod keeps days before 1970 right).
	return cstDayStart(day - ((((day + 3) % 7) + 7) % 7));
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** ISO week-year and week number of the week starting at `monday` (a weekStart). */
function isoWeek(monday: number): { year: number; week: number } {
	// The ISO week belongs to the year of its Thursday; week 1 is the week holding that year's 4 January.
	const thursday = cstDayNumber(monday) + 3;
	const year = cstDate(cstDayStart(thursday)).year;
	const jan1 = cstDayNumber(cstMidnight(year, 1, 1));
	return { year, week: Math.floor((thursday - jan1) / 7) + 1 };
}

/** The period of `kind` containing the instant `at`. */
export function periodOf(kind: PeriodKind, at: number): Period {
	if (kind === 'week') {
		const from = weekStart(at);
		const { year, week } = isoWeek(from);
		return { kind, key: `${year}-W${pad2(week)}`, from, to: from + WEEK_MS };
	}
	const { year, month } = cstDate(at);
	if (kind === 'month') return { kind, key: `${year}-${pad2(month)}`, from: cstMidnight(year, month), to: cstMidnight(year, month + 1) };
	const q = Math.floor((month - 1) / 3);
	return { kind, key: `${year}-Q${q + 1}`, from: cstMidnight(year, q * 3 + 1), to: cstMidnight(year, q * 3 + 4) };
}

const WEEK_KEY = /^([1-9]\d{3})-W(\d{2})$/;
const MONTH_KEY = /^([1-9]\d{3})-(\d{2})$/;
const QUARTER_KEY = /^([1-9]\d{3})-Q([1-4])$/;

/** The period a key names; null for anything not exactly a valid key (e.g. '2026-W1', '2026-13', '2021-W53'). */
export function periodByKey(key: string): Period | null {
	let candidate: Period | null = null;
	let m: RegExpExecArray | null;
	if ((m = WEEK_KEY.exec(key))) {
		const week = Number(m[2]);
		if (week < 1 || week > 53) return null;
		// Monday of week 1 is the Monday of the week holding 4 January.
		const week1 = weekStart(cstMidnight(Number(m[1]), 1, 4));
		candidate = periodOf('week', week1 + (week - 1) * WEEK_MS);
	} else if ((m = MONTH_KEY.exec(key))) {
		const month = Number(m[2]);
		if (month < 1 || month > 12) return null;
		candidate = periodOf('month', cstMidnight(Number(m[1]), month));
	} else if ((m = QUARTER_KEY.exec(key))) {
		candidate = periodOf('quarter', cstMidnight(Number(m[1]), (Number(m[2]) - 1) * 3 + 1));
	}
	// A week 53 in a year of 52 weeks lands in the next year's week 1: the round trip rejects it.
	return candidate && candidate.key === key ? candidate : null;
}

/** The kind a key names, without computing the period; null when it is not a key. */
export function kindOfKey(key: string): PeriodKind | null {
	return periodByKey(key)?.kind ?? null;
}

export function previousPeriod(p: Period): Period {
	return periodOf(p.kind, p.from - 1);
}

export function nextPeriod(p: Period): Period {
	return periodOf(p.kind, p.to);
}

/** Every period of `kind` overlapping [from, to), ascending; empty when `to <= from`. */
export function periodsBetween(kind: PeriodKind, from: number, to: number): Period[] {
	const out: Period[] = [];
	if (to <= from) return out;
	for (let p = periodOf(kind, from); p.from < to; p = nextPeriod(p)) out.push(p);
	return out;
}

/** A period is closed once its end has passed (`to` is exclusive). */
export function isClosed(p: Period, now: number): boolean {
	return now >= p.to;
}

/** Orders periods by start, then week < month < quarter, so lists read chronologically. */
export function comparePeriods(a: Period, b: Period): number {
	return a.from - b.from || PERIOD_KINDS.indexOf(a.kind) - PERIOD_KINDS.indexOf(b.kind);
}
