import { describe, expect, it } from 'vitest';
import type { Household } from './household';
import { coverage, cycleAt, cycleById, cycleStates, DEFAULT_CYCLE, latestVisits, parseVisit, shiftCycle, validateVisit, type Visit } from './visit';
import { gridWorkerActor, household as registered, visit as visitRecord } from './testing';

const worker = gridWorkerActor({ id: 'gw1' });
const H = 3_600_000;
/** 2025-06-10 10:00 in China Standard Time. */
const JUNE_10 = Date.UTC(2025, 5, 10, 2);

const visit = (over: Partial<Visit> = {}): Visit => visitRecord({ at: JUNE_10, by: worker, ...over });

const household = (id: string): Household => registered(id);

describe('visit records', () => {
	it('accepts the common case and reports what is wrong', () => {
		expect(validateVisit(visit())).toEqual([]);
		expect(validateVisit(visit({ needs: { tags: ['repair'], text: '楼道灯坏了' }, photos: ['a'.repeat(64)] }))).toEqual([]);
		const codes = (v: Visit) => validateVisit(v).map((i) => `${i.field}:${i.code}`);
		expect(codes(visit({ outcome: 'not_home', needs: { tags: ['repair'], text: '' } }))).toEqual(['needs:only_when_talked']);
		expect(codes(visit({ needs: { tags: ['gossip' as never], text: '' } }))).toEqual(['needs:unknown_tag']);
		expect(codes(visit({ needs: { tags: [], text: '字'.repeat(1001) } }))).toEqual(['needs:too_long']);
		expect(codes(visit({ photos: ['not-a-hash'] }))).toEqual(['photos:invalid']);
		expect(codes(visit({ photos: Array(10).fill('b'.repeat(64)) }))).toEqual(['photos:too_many']);
		expect(codes(visit({ outcome: 'maybe' as never, household: '' }))).toEqual(['household:required', 'outcome:required']);
	});

	it('reads stored visits defensively', () => {
		const good = visit({ needs: { tags: ['repair', 'x' as never], text: 't' }, photos: ['c'.repeat(64), 'bad'] });
		expect(parseVisit(good)).toEqual({ ...good, needs: { tags: ['repair'], text: 't' }, photos: ['c'.repeat(64)] });
		expect(parseVisit({ ...good, outcome: 'partied' })).toBeNull();
		expect(parseVisit({ ...good, by: { id: 'x', name: 'y', role: 'king' } })).toBeNull();
		expect(parseVisit({ ...good, at: 'yesterday' })).toBeNull();
		expect(parseVisit('visit')).toBeNull();
	});
});

describe('cycles', () => {
	it('is a calendar month in China Standard Time by default', () => {
		const c = cycleAt(JUNE_10);
		expect(c).toMatchObject({ id: '2025-06', unit: 'month', start: Date.UTC(2025, 4, 31, 16), end: Date.UTC(2025, 5, 30, 16) });
		// 1 July 07:59 in Beijing is still June 30 23:59 UTC: already July for the community.
		expect(cycleAt(Date.UTC(2025, 5, 30, 16)).id).toBe('2025-07');
		expect(cycleAt(Date.UTC(2025, 5, 30, 15, 59)).id).toBe('2025-06');
		expect(cycleAt(Date.UTC(2025, 11, 31, 17)).id).toBe('2026-01');
	});

	it('takes the period and the time zone as a parameter', () => {
		expect(cycleAt(Date.UTC(2025, 5, 30, 16), { unit: 'month', utcOffsetMinutes: 0 }).id).toBe('2025-06');
		const q = cycleAt(JUNE_10, { ...DEFAULT_CYCLE, unit: 'quarter' });
		expect(q).toMatchObject({ id: '2025-Q2', start: Date.UTC(2025, 2, 31, 16), end: Date.UTC(2025, 5, 30, 16) });
		const w = cycleAt(JUNE_10, { ...DEFAULT_CYCLE, unit: 'week' });
		// 2025-06-10 is a Tuesday of ISO week 24; the week starts Monday 00:00 in Beijing.
		expect(w).toMatchObject({ id: '2025-W24', start: Date.UTC(2025, 5, 8, 16), end: Date.UTC(2025, 5, 15, 16) });
		expect(cycleAt(Date.UTC(2025, 0, 1, 4), { ...DEFAULT_CYCLE, unit: 'week' }).id).toBe('2025-W01');
		expect(cycleAt(Date.UTC(2027, 0, 1, 4), { ...DEFAULT_CYCLE, unit: 'week' }).id).toBe('2026-W53');
	});

	it('finds a cycle by its id, and nothing for a wrong or impossible one', () => {
		expect(cycleById('2025-06')).toEqual(cycleAt(JUNE_10));
		expect(cycleById('2025-Q2', { ...DEFAULT_CYCLE, unit: 'quarter' })?.start).toBe(Date.UTC(2025, 2, 31, 16));
		expect(cycleById('2025-W24', { ...DEFAULT_CYCLE, unit: 'week' })?.start).toBe(Date.UTC(2025, 5, 8, 16));
		expect(cycleById('2026-W53', { ...DEFAULT_CYCLE, unit: 'week' })?.id).toBe('2026-W53');
		expect(cycleById('2025-W53', { ...DEFAULT_CYCLE, unit: 'week' })).toBeNull();
		expect(cycleById('2025-13')).toBeNull();
		expect(cycleById('2025-Q2')).toBeNull();
		expect(cycleById('June')).toBeNull();
	});

	it('steps to neighbouring cycles', () => {
		const june = cycleAt(JUNE_10);
		expect(shiftCycle(june, -1).id).toBe('2025-05');
		expect(shiftCycle(june, 7).id).toBe('2026-01');
		expect(shiftCycle(june, 0)).toEqual(june);
	});
});

describe('household state in a cycle', () => {
	const june = cycleAt(JUNE_10);

	it('keeps the latest visit, with ties broken by id on every device alike', () => {
		const a = visit({ at: JUNE_10 });
		const b = visit({ at: JUNE_10 + H, outcome: 'not_home' });
		const c = visit({ at: JUNE_10 + H, outcome: 'declined' });
		const may = visit({ at: JUNE_10 - 30 * 24 * H });
		expect(latestVisits([c, a, may, b], june).get('b01-1-101')).toBe(c);
		expect(latestVisits([may], june).size).toBe(0);
	});

	it('counts a talk even when a later knock found nobody home, and gathers the needs raised', () => {
		const states = cycleStates(
			[
				visit({ at: JUNE_10, needs: { tags: ['repair'], text: '' } }),
				visit({ at: JUNE_10 + H, outcome: 'not_home' }),
				visit({ household: 'b01-1-102', outcome: 'not_home' }),
				visit({ household: 'b01-1-103', outcome: 'declined' }),
				visit({ household: 'b01-1-103', outcome: 'not_home', at: JUNE_10 - H })
			],
			june
		);
		expect(states.get('b01-1-101')).toMatchObject({ status: 'talked', visits: 2, needs: ['repair'], raised: true, latest: { outcome: 'not_home' } });
		expect(states.get('b01-1-102')).toMatchObject({ status: 'not_home', raised: false });
		expect(states.get('b01-1-103')).toMatchObject({ status: 'declined', visits: 2 });
	});
});

describe('coverage', () => {
	const june = cycleAt(JUNE_10);
	const households = ['b01-1-101', 'b01-1-102', 'b01-1-201', 'b02-1-101', 'b02-1-102'].map(household);

	it('sums visited, not home, not yet visited and needs per building and in total', () => {
		const visits = [
			visit({ household: 'b01-1-101', needs: { tags: ['repair', 'safety'], text: '' } }),
			visit({ household: 'b01-1-101', at: JUNE_10 + H, needs: { tags: ['repair'], text: '' } }),
			visit({ household: 'b01-1-102', outcome: 'not_home' }),
			visit({ household: 'b02-1-101', building: 'b02', outcome: 'declined' }),
			visit({ household: 'b02-1-102', building: 'b02', needs: { tags: [], text: '想参加四点半课堂' } }),
			// Last month, and a flat not in the register: neither moves this month's figures.
			visit({ household: 'b01-1-201', at: JUNE_10 - 31 * 24 * H }),
			visit({ household: 'b09-1-101', building: 'b09' })
		];
		const cov = coverage(households, visits, june, ['b02', 'b01', 'b03']);
		expect(cov.rows.map((r) => r.building)).toEqual(['b02', 'b01', 'b03']);
		expect(cov.rows[1]).toEqual({
			building: 'b01',
			households: 3,
			visited: 1,
			talked: 1,
			declined: 0,
			notHome: 1,
			notVisited: 1,
			needs: 1,
			needTags: { repair: 1, safety: 1 },
			visits: 3
		});
		expect(cov.rows[0]).toMatchObject({ households: 2, visited: 2, talked: 1, declined: 1, notHome: 0, notVisited: 0, needs: 1 });
		expect(cov.rows[2]).toMatchObject({ households: 0, visited: 0, notVisited: 0 });
		expect(cov.total).toMatchObject({ building: '', households: 5, visited: 3, notHome: 1, notVisited: 1, needs: 2, visits: 5 });
		for (const r of [...cov.rows, cov.total]) expect(r.visited + r.notHome + r.notVisited).toBe(r.households);
	});

	it('starts every cycle from nothing', () => {
		const july = shiftCycle(june, 1);
		const cov = coverage(households, [visit({ household: 'b01-1-101' })], july);
		expect(cov.total).toMatchObject({ households: 5, visited: 0, notVisited: 5 });
	});
});
