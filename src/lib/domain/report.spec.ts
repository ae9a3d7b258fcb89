import { describe, expect, it } from 'vitest';
import { periodByKey, periodOf } from './periods';
import {
	combineFigures,
	communityReport,
	communityReports,
	durationStats,
	earliestFact,
	emptyFigures,
	nearestRank,
	streetReport
} from './report';
import type { CommunityFacts } from './report-facts';
import { cst, reportFixture, step } from './testing/reports';

const november = periodByKey('2026-11')!;
const october = periodByKey('2026-10')!;
const later = cst('2026-12-10 12:00');

describe('a community month, figure by figure (fixture of testing/reports.ts)', () => {
	const r = communityReport(reportFixture(), november, later);
	const f = r.figures;
	const g1 = r.grids.g1!;
	const g2 = r.grids.g2!;

	it('names the grids and the period', () => {
		expect(r.community).toBe('c1');
		expect(r.period).toEqual(november);
		expect(r.computedAt).toBe(later);
		expect(Object.keys(r.grids)).toEqual(['g1', 'g2']);
		expect(r.gridNames).toEqual({ g1: '一网格', g2: '二网格' });
	});

	it('intake: filed in November (CST), drafts never, P8 at 23:59:59 yes, P9 at 00:00 on 1 December no', () => {
		// P1, P2, P3, P4, P6, P8, P10.
		expect(f.intake.total).toBe(7);
		expect(f.intake.byChannel).toEqual({ app: 3, visit: 1, box: 1, meeting: 1, online_group: 1 });
		expect(f.intake.byCategory).toEqual({ facilities: 2, greening: 1, cleanup: 1, safety: 1, services: 0, culture: 1, '': 1 });
		// P8 names no grid: it is in the community total only.
		expect(g1.intake.total).toBe(2);
		expect(g2.intake.total).toBe(4);
		expect(g1.intake.byChannel).toMatchObject({ app: 1, visit: 1, box: 0 });
	});

	it('screening: decisions from submitted/screening only, by outcome; item 6 cited once', () => {
		// P1 accepted (from screening), P2 rejected, P3 merged, P4 settled, P6 escalated, P10 accepted.
		// Not: P5 (accepted in October), P6's acceptance after escalation, P11's merge from a topic.
		expect(f.screening.decisions).toBe(6);
		expect(f.screening.byOutcome).toEqual({ accepted: 2, rejected: 1, merged: 1, escalated: 1, settled: 1 });
		expect(f.screening.negativeItems).toEqual({ '6': 1 });
		expect(g1.screening.byOutcome).toEqual({ accepted: 1, rejected: 1, merged: 0, escalated: 0, settled: 0 });
		expect(g2.screening.decisions).toBe(4);
		expect(g2.screening.negativeItems).toEqual({});
	});

	it('topics, meetings held (not the one without check-ins, not December), polls closed', () => {
		expect(f.topics.formed).toBe(1);
		expect(f.meetings.held).toBe(2);
		expect(f.meetings.byKind).toMatchObject({ deliberation: 1, bench: 1, courtyard: 0 });
		expect(f.meetings.attendance).toBe(21);
		expect(f.meetings.byCapacity).toMatchObject({ party_member: 2, resident_rep: 5, property_company: 1, resident: 12, grid_worker: 1, deputy: 0 });
		// 260 + 40 of 400 + 100: 0.6, not the mean of 0.65 and 0.4; the open poll does not count.
		expect(f.polls).toEqual({ closed: 2, participation: { part: 300, whole: 500, rate: 0.6 } });
	});

	it('visits: not_home visits count as visits but do not cover; households distinct', () => {
		expect(f.visits.visits).toBe(6);
		expect(f.visits.coverage).toEqual({ part: 3, whole: 18, rate: 3 / 18 });
		expect(f.visits.needsByTag).toMatchObject({ repair: 2, elderly_care: 1, safety: 1, parking: 0 });
		expect(g1.visits).toMatchObject({ visits: 4, coverage: { part: 2, whole: 10, rate: 0.2 } });
		expect(g2.visits).toMatchObject({ visits: 2, coverage: { part: 1, whole: 8, rate: 0.125 } });
	});

	it('projects by current stage, money by time of pledge or entry, satisfaction 4–5 of all', () => {
		expect(f.projects.total).toBe(3);
		expect(f.projects.byStage).toEqual({ preparing: 1, funding: 0, in_progress: 1, awaiting_acceptance: 0, accepted: 0, publicised: 0, closed: 1 });
		expect(f.money).toEqual({ pledged: 50_000, received: 130_000, spent: 112_245 });
		expect(f.satisfaction).toEqual({ part: 2, whole: 4, rate: 0.5 });
	});

	it('durations: days with one decimal, nearest-rank median and p90', () => {
		// P4 settled after 0.5 days, P1 decided after 10, P10 after 17 days 2 hours (17.1).
		expect(f.toDecision).toEqual({ count: 3, median: 10, p90: 17.1, days: [0.5, 10, 17.1] });
		// P1 closed after 20 days, P4 settled; P10 closed only in December.
		expect(f.toCompletion).toEqual({ count: 2, median: 0.5, p90: 20, days: [0.5, 20] });
		expect(g2.toDecision).toEqual({ count: 2, median: 0.5, p90: 17.1, days: [0.5, 17.1] });
		expect(g1.toCompletion).toEqual({ count: 1, median: 20, p90: 20, days: [20] });
	});

	it('resolution: accepted by the end of the period, resolved by then; merged matters leave', () => {
		// Accepted by 1 December: P1, P4 (settled), P5, P6 (after escalation), P10; P11 was merged on 15 November.
		// Resolved by then: P1 (inspected), P4 (settled); P10 closed in December.
		expect(f.resolution).toEqual({ part: 2, whole: 5, rate: 0.4 });
		expect(g1.resolution).toEqual({ part: 1, whole: 2, rate: 0.5 });
		expect(g2.resolution).toEqual({ part: 1, whole: 3, rate: 1 / 3 });
		// October: P5 and P11 (merged only later), neither resolved.
		expect(communityReport(reportFixture(), october, later).figures.resolution).toEqual({ part: 0, whole: 2, rate: 0 });
	});

	it('resolution of an open period counts up to now, and a past period recomputed later is the same', () => {
		const now = cst('2026-11-21 12:00');
		// By then: P1, P4, P5, P10 accepted (P6 not yet; P11 merged); P1 and P4 resolved.
		expect(communityReport(reportFixture(), november, now).figures.resolution).toEqual({ part: 2, whole: 4, rate: 0.5 });
		expect(communityReport(reportFixture(), november, cst('2027-06-01 00:00')).figures).toEqual(f);
	});

	it('grid level: figures without a grid are zero there', () => {
		expect(g1.topics.formed).toBe(0);
		expect(g1.meetings.held).toBe(0);
		expect(g1.polls.participation.rate).toBeNull();
		expect(g1.projects.total).toBe(0);
		expect(g1.money).toEqual({ pledged: 0, received: 0, spent: 0 });
		expect(g1.satisfaction).toEqual({ part: 0, whole: 0, rate: null });
	});
});

describe('period boundaries in China time', () => {
	// Sunday 2026-11-29 23:59:59 CST is 15:59:59Z; Monday 00:00 CST is 16:00:00Z.
	const sunday = Date.parse('2026-11-29T15:59:59Z');
	const monday = Date.parse('2026-11-29T16:00:00Z');
	const facts: CommunityFacts = {
		community: 'c',
		grids: [],
		proposals: [sunday, monday].map((at, i) => ({
			doc: `p${i}`,
			grid: '',
			channel: 'app',
			category: 'safety',
			kind: 'individual',
			filed: at,
			status: 'submitted',
			level: 'community',
			steps: [{ at, to: 'submitted', level: 'community' }]
		})),
		topics: [{ doc: 't', created: monday, category: '', proposals: 0 }],
		meetings: [],
		polls: [],
		gridFacts: [{ grid: 'g', households: 1, visits: [{ household: 'h', at: sunday, outcome: 'talked', tags: [] }] }],
		projects: []
	};

	it('puts 15:59:59Z on Sunday in one week and 16:00:00Z in the next', () => {
		const [w48, w49, nov, dec] = communityReports(facts, [periodOf('week', sunday), periodOf('week', monday), november, periodByKey('2026-12')!], later);
		expect(w48!.period.key).toBe('2026-W48');
		expect(w48!.figures.intake.total).toBe(1);
		expect(w48!.figures.topics.formed).toBe(0);
		expect(w48!.figures.visits.visits).toBe(1);
		expect(w49!.period.key).toBe('2026-W49');
		expect(w49!.figures.intake.total).toBe(1);
		expect(w49!.figures.topics.formed).toBe(1);
		expect(w49!.figures.visits.visits).toBe(0);
		// Both are 29 or 30 November in China: the month has both, December neither.
		expect(nov!.figures.intake.total).toBe(2);
		expect(dec!.figures.intake.total).toBe(0);
	});
});

describe('many periods at once', () => {
	it('gives what one period at a time gives, in the order asked', () => {
		const facts = reportFixture();
		const periods = [november, periodByKey('2026-W45')!, periodByKey('2026-Q4')!, october, periodByKey('2026-W47')!, november];
		const batch = communityReports(facts, periods, later);
		expect(batch.map((r) => r.period.key)).toEqual(periods.map((p) => p.key));
		for (const [i, p] of periods.entries()) expect(batch[i]).toEqual(communityReport(facts, p, later));
		expect(batch[0]).toBe(batch[5]);
	});

	it('the quarter holds the sum of its months for counts', () => {
		const facts = reportFixture();
		const [q4, oct, nov, dec] = communityReports(facts, [periodByKey('2026-Q4')!, october, november, periodByKey('2026-12')!], later);
		expect(q4!.figures.intake.total).toBe(oct!.figures.intake.total + nov!.figures.intake.total + dec!.figures.intake.total);
		expect(q4!.figures.money.spent).toBe(112_345);
		// Resolution is cumulative: the quarter's equals December's (same end).
		expect(q4!.figures.resolution).toEqual(dec!.figures.resolution);
	});

	it('finds the earliest fact', () => {
		expect(earliestFact(reportFixture())).toBe(cst('2026-10-10 10:00'));
		expect(earliestFact({ ...reportFixture(), proposals: [], topics: [], meetings: [], polls: [], gridFacts: [], projects: [] })).toBeNull();
	});
});

describe('nearest-rank percentiles', () => {
	it('takes the ⌈p·n⌉-th value', () => {
		expect(nearestRank([], 50)).toBeNull();
		expect(nearestRank([3], 90)).toBe(3);
		expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
		expect(nearestRank([1, 2, 3, 4, 5], 50)).toBe(3);
		const seventy = Array.from({ length: 70 }, (_, i) => i + 1);
		// ⌈0.9 × 70⌉ = 63, though 0.9 * 70 is 63.00000000000001 in floating point.
		expect(nearestRank(seventy, 90)).toBe(63);
		expect(durationStats([5, 1, 3])).toEqual({ count: 3, median: 3, p90: 5, days: [1, 3, 5] });
	});
});

describe('street', () => {
	const c2: CommunityFacts = {
		community: 'c2',
		grids: [{ id: 'g9', name: '九网格' }],
		proposals: [
			{
				doc: 'q1',
				grid: 'g9',
				channel: 'visit',
				category: 'greening',
				kind: 'individual',
				filed: cst('2026-11-10 00:00'),
				status: 'decided',
				level: 'community',
				steps: [step('2026-11-10 00:00', 'submitted'), step('2026-11-10 12:00', 'accepted'), step('2026-11-11 00:00', 'decided')]
			},
			{
				doc: 'q2',
				grid: 'g9',
				channel: 'app',
				category: 'greening',
				kind: 'individual',
				filed: cst('2026-11-10 00:00'),
				status: 'submitted',
				level: 'grid',
				steps: [step('2026-11-10 00:00', 'submitted', 'grid'), step('2026-11-12 00:00', 'settled', 'grid')]
			}
		],
		topics: [],
		meetings: [],
		polls: [{ doc: 'v', created: cst('2026-11-01 00:00'), closed: cst('2026-11-20 00:00'), electorate: 100, voted: 100 }],
		gridFacts: [],
		projects: []
	};
	const r1 = communityReport(reportFixture(), november, later);
	const r2 = communityReport(c2, november, later);
	const s = streetReport('s1', november, [r1, r2, null], ['c1', 'c2', 'c3']);

	it('sums counts and breakdowns and lists the missing', () => {
		expect(s.street).toBe('s1');
		expect(s.missing).toEqual(['c3']);
		expect(Object.keys(s.communities)).toEqual(['c1', 'c2']);
		expect(s.figures.intake.total).toBe(9);
		expect(s.figures.intake.byChannel).toEqual({ app: 4, visit: 2, box: 1, meeting: 1, online_group: 1 });
		expect(s.figures.screening.byOutcome).toMatchObject({ accepted: 3, settled: 2 });
		expect(s.figures.screening.negativeItems).toEqual({ '6': 1 });
		expect(s.figures.money).toEqual(r1.figures.money);
	});

	it('recomputes ratios from parts and wholes', () => {
		// (300 + 100) / (500 + 100), not the mean of 0.6 and 1.
		expect(s.figures.polls.participation).toEqual({ part: 400, whole: 600, rate: 400 / 600 });
		// c2: both accepted (one by settlement), one resolved.
		expect(s.figures.resolution).toEqual({ part: 3, whole: 7, rate: 3 / 7 });
	});

	it('combines durations exactly from every matter, not from the medians', () => {
		expect(r2.figures.toDecision.days).toEqual([1, 2]);
		expect(s.figures.toDecision).toEqual({ count: 5, median: 2, p90: 17.1, days: [0.5, 1, 2, 10, 17.1] });
		expect(s.figures.toCompletion).toEqual({ count: 3, median: 2, p90: 20, days: [0.5, 2, 20] });
	});

	it('treats a report of another period as missing; combines nothing into zeros', () => {
		const other = streetReport('s1', november, [communityReport(c2, october, later)], ['c2']);
		expect(other.missing).toEqual(['c2']);
		expect(other.figures).toEqual(emptyFigures());
		expect(combineFigures([r1.figures])).toEqual(r1.figures);
	});
});
