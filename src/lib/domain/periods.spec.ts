import { describe, expect, it } from 'vitest';
import { weekStart as intakeWeekStart } from './intake';
import {
	comparePeriods,
	cstDate,
	isClosed,
	kindOfKey,
	nextPeriod,
	periodByKey,
	periodOf,
	periodsBetween,
	previousPeriod,
	weekStart
} from './periods';

const Z = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;

describe('weeks in China Standard Time', () => {
	// Monday 2026-11-30 00:00 CST is 2026-11-29T16:00:00Z (a Sunday afternoon in UTC).
	const monday = Z('2026-11-29T16:00:00Z');

	it('start exactly at Monday 00:00 CST', () => {
		expect(periodOf('week', monday)).toEqual({ kind: 'week', key: '2026-W49', from: monday, to: monday + 7 * DAY });
		expect(periodOf('week', Z('2026-11-29T15:59:59Z')).key).toBe('2026-W48');
		expect(periodOf('week', Z('2026-11-29T15:59:59.999Z')).to).toBe(monday);
		// Sunday 23:59:59.999 CST is still in the week; Monday 00:00 CST of the next is not.
		expect(periodOf('week', monday + 7 * DAY - 1).key).toBe('2026-W49');
		expect(periodOf('week', monday + 7 * DAY).key).toBe('2026-W50');
	});

	it('is the one weekStart, also through intake.ts', () => {
		expect(intakeWeekStart).toBe(weekStart);
		expect(weekStart(Z('2026-12-02T10:00:00Z'))).toBe(monday);
		// Before 1970 (negative day numbers) too.
		expect(new Date(weekStart(Z('1969-12-31T12:00:00Z'))).toISOString()).toBe('1969-12-28T16:00:00.000Z');
	});

	it('uses the ISO week-year across the new year', () => {
		// 2026-W01 starts Monday 2025-12-29 (CST).
		const w1 = periodByKey('2026-W01');
		expect(w1?.from).toBe(Z('2025-12-28T16:00:00Z'));
		expect(periodOf('week', Z('2025-12-31T12:00:00Z')).key).toBe('2026-W01');
		expect(periodOf('week', Z('2025-12-28T15:59:59Z')).key).toBe('2025-W52');
		// 2020 has 53 weeks: 2020-W53 runs Monday 2020-12-28 to Sunday 2021-01-03.
		const w53 = periodByKey('2020-W53');
		expect(w53?.from).toBe(Z('2020-12-27T16:00:00Z'));
		expect(w53?.to).toBe(Z('2021-01-03T16:00:00Z'));
		expect(periodOf('week', Z('2021-01-03T12:00:00Z')).key).toBe('2020-W53');
		expect(periodOf('week', Z('2021-01-03T16:00:00Z')).key).toBe('2021-W01');
		// 2021 has only 52.
		expect(periodByKey('2021-W53')).toBeNull();
		expect(nextPeriod(periodByKey('2021-W52')!).key).toBe('2022-W01');
		expect(previousPeriod(periodByKey('2021-W01')!).key).toBe('2020-W53');
	});

	it('reads the CST date whatever the instant in UTC', () => {
		expect(cstDate(Z('2026-12-31T16:00:00Z'))).toEqual({ year: 2027, month: 1, day: 1 });
		expect(cstDate(Z('2026-12-31T15:59:59Z'))).toEqual({ year: 2026, month: 12, day: 31 });
	});
});

describe('months and quarters', () => {
	it('cut at the first of the month, 00:00 CST', () => {
		const dec = periodOf('month', Z('2026-11-30T16:00:00Z'));
		expect(dec).toEqual({ kind: 'month', key: '2026-12', from: Z('2026-11-30T16:00:00Z'), to: Z('2026-12-31T16:00:00Z') });
		expect(periodOf('month', Z('2026-11-30T15:59:59Z')).key).toBe('2026-11');
		expect(periodOf('month', Z('2028-02-29T12:00:00Z')).to - periodOf('month', Z('2028-02-29T12:00:00Z')).from).toBe(29 * DAY);
		expect(nextPeriod(dec).key).toBe('2027-01');
		expect(previousPeriod(periodByKey('2027-01')!).key).toBe('2026-12');
	});

	it('cut quarters at January, April, July and October', () => {
		const q4 = periodOf('quarter', Z('2026-12-31T15:59:59Z'));
		expect(q4).toEqual({ kind: 'quarter', key: '2026-Q4', from: Z('2026-09-30T16:00:00Z'), to: Z('2026-12-31T16:00:00Z') });
		expect(periodOf('quarter', Z('2026-12-31T16:00:00Z')).key).toBe('2027-Q1');
		expect(periodOf('quarter', Z('2026-06-30T16:00:00Z')).key).toBe('2026-Q3');
		expect(periodOf('quarter', Z('2026-06-30T15:59:59Z')).key).toBe('2026-Q2');
		expect(previousPeriod(periodByKey('2027-Q1')!).key).toBe('2026-Q4');
	});
});

describe('keys', () => {
	it('round-trip key ↔ period for every period of several years', () => {
		for (const kind of ['week', 'month', 'quarter'] as const) {
			for (const p of periodsBetween(kind, Z('2019-06-01T00:00:00Z'), Z('2028-06-01T00:00:00Z'))) {
				expect(periodByKey(p.key)).toEqual(p);
				expect(periodOf(kind, p.from)).toEqual(p);
				expect(periodOf(kind, p.to - 1)).toEqual(p);
				expect(kindOfKey(p.key)).toBe(kind);
			}
		}
	});

	it('are parsed strictly', () => {
		for (const bad of ['2026-W1', '2026-W00', '2026-W54', '2026-w49', '2026-13', '2026-00', '2026-1', '2026-Q0', '2026-Q5', '26-Q1', '0999-01', ' 2026-01', '2026-01 ', '2026-Q1x', ''])
			expect(periodByKey(bad), bad).toBeNull();
		expect(periodByKey('2026-W49')?.kind).toBe('week');
	});
});

describe('ranges', () => {
	it('lists every period overlapping [from, to), ascending', () => {
		const from = Z('2026-01-15T00:00:00Z');
		const to = Z('2026-04-01T00:00:00Z');
		expect(periodsBetween('month', from, to).map((p) => p.key)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
		// 2026-03-31T16:00Z is April 1st 00:00 CST: [from, that) does not reach April.
		expect(periodsBetween('month', from, Z('2026-03-31T16:00:00Z')).map((p) => p.key)).toEqual(['2026-01', '2026-02', '2026-03']);
		expect(periodsBetween('quarter', from, to).map((p) => p.key)).toEqual(['2026-Q1', '2026-Q2']);
		expect(periodsBetween('week', Z('2025-12-28T16:00:00Z'), Z('2026-01-12T00:00:00Z')).map((p) => p.key)).toEqual(['2026-W01', '2026-W02', '2026-W03']);
		expect(periodsBetween('week', from, from)).toEqual([]);
		const year = periodsBetween('week', Z('2025-12-31T16:00:00Z'), Z('2026-12-31T16:00:00Z'));
		// 2026 starts on a Thursday, so it has 53 ISO weeks: W01 (from 2025-12-29) to W53 (to 2027-01-03).
		expect(year).toHaveLength(53);
		expect(year[0]?.key).toBe('2026-W01');
		expect(year.at(-1)?.key).toBe('2026-W53');
	});

	it('closes a period at its end', () => {
		const p = periodByKey('2026-11')!;
		expect(isClosed(p, p.to - 1)).toBe(false);
		expect(isClosed(p, p.to)).toBe(true);
	});

	it('orders periods chronologically, the shorter first', () => {
		const list = [periodByKey('2026-Q4')!, periodByKey('2026-11')!, periodByKey('2026-10')!, periodByKey('2026-W40')!];
		expect(list.sort(comparePeriods).map((p) => p.key)).toEqual(['2026-W40', '2026-10', '2026-Q4', '2026-11']);
	});
});
