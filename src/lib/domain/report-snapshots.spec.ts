import { describe, expect, it } from 'vitest';
import { periodByKey, periodsBetween } from './periods';
import { communityReport } from './report';
import type { CommunityFacts, Period } from './report-facts';
import {
	correctionVersion,
	currentVersion,
	decideSnapshot,
	DEFAULT_GRACE_MS,
	freezeIfDue,
	isFrozen,
	periodsToPublish,
	versionsOf
} from './report-snapshots';
import type { ReportVersion } from './report-types';
import { cst, reportFixture } from './testing/reports';

const november = periodByKey('2026-11')!;
// November ends at 1 December 00:00 CST; two days later it freezes.
const inGrace = cst('2026-12-02 23:59');
const due = cst('2026-12-03 00:00');

/** h1 moves from grid g1 to g2, with its visits: the register of both grids changes. */
function moved(facts: CommunityFacts): CommunityFacts {
	const [g1, g2] = facts.gridFacts as [CommunityFacts['gridFacts'][0], CommunityFacts['gridFacts'][0]];
	const h1 = g1.visits.filter((v) => v.household === 'h1');
	return {
		...facts,
		gridFacts: [
			{ ...g1, households: g1.households - 1, visits: g1.visits.filter((v) => v.household !== 'h1') },
			{ ...g2, households: g2.households + 1, visits: [...g2.visits, ...h1] }
		]
	};
}

describe('freezing', () => {
	it('waits for the grace time after the period ends', () => {
		expect(DEFAULT_GRACE_MS).toBe(2 * 86_400_000);
		expect(isFrozen(november, inGrace)).toBe(false);
		expect(isFrozen(november, due)).toBe(true);
		const live = communityReport(reportFixture(), november, inGrace);
		expect(freezeIfDue([], live, inGrace)).toBeNull();
		expect(decideSnapshot([], live, inGrace)).toEqual({ action: 'live', report: live });
		const report = communityReport(reportFixture(), november, due);
		expect(freezeIfDue([], report, due)).toEqual({ version: 1, frozenAt: due, report });
		expect(decideSnapshot([], report, due)).toEqual({ action: 'freeze', version: { version: 1, frozenAt: due, report } });
	});

	it('never changes version 1: late facts are reported as a difference, and a correction is version 2', () => {
		const v1 = freezeIfDue([], communityReport(reportFixture(), november, due), due)!;
		const kept: ReportVersion[] = [v1];
		const frozenCopy = structuredClone(v1);

		// A month later the household h1 is found to belong to g2: the recomputed figures differ by grid.
		const later = cst('2027-01-05 10:00');
		const recomputed = communityReport(moved(reportFixture()), november, later);
		expect(recomputed.grids.g1!.visits.coverage).toEqual({ part: 1, whole: 9, rate: 1 / 9 });
		expect(recomputed.grids.g2!.visits.coverage).toEqual({ part: 2, whole: 9, rate: 2 / 9 });
		expect(freezeIfDue(kept, recomputed, later)).toBeNull();
		const decision = decideSnapshot(kept, recomputed, later);
		expect(decision).toEqual({ action: 'keep', current: v1, differs: true });
		expect(currentVersion(kept, november.key)).toEqual({ latest: frozenCopy, corrected: false, original: frozenCopy });

		// Recomputing with unchanged facts is no difference, whenever it is done.
		expect(decideSnapshot(kept, communityReport(reportFixture(), november, later), later)).toMatchObject({ action: 'keep', differs: false });

		const v2 = correctionVersion(kept, recomputed, '  住户h1划归二网格，台账更正  ', 'admin-1', later);
		expect(v2).toEqual({ version: 2, frozenAt: later, report: recomputed, correction: { reason: '住户h1划归二网格，台账更正', by: 'admin-1' } });
		kept.push(v2);
		const current = currentVersion(kept, november.key)!;
		expect(current.latest).toBe(v2);
		expect(current.corrected).toBe(true);
		expect(current.original).toEqual(frozenCopy);
		expect(v1).toEqual(frozenCopy);
		expect(correctionVersion(kept, recomputed, 'again', 'admin-1', later + 1).version).toBe(3);
	});

	it('refuses a correction without a frozen version or a reason', () => {
		const report = communityReport(reportFixture(), november, due);
		expect(() => correctionVersion([], report, 'why', 'a', due)).toThrow(/not frozen/);
		expect(() => correctionVersion([freezeIfDue([], report, due)!], report, '  ', 'a', due)).toThrow(/reason/);
	});

	it('keeps the versions of each period apart, in order', () => {
		const oct = communityReport(reportFixture(), periodByKey('2026-10')!, due);
		const nov = communityReport(reportFixture(), november, due);
		const list: ReportVersion[] = [
			{ version: 2, frozenAt: 3, report: nov, correction: { reason: 'r', by: 'b' } },
			{ version: 1, frozenAt: 1, report: oct },
			{ version: 1, frozenAt: 2, report: nov }
		];
		expect(versionsOf(list, november.key).map((v) => v.version)).toEqual([1, 2]);
		expect(currentVersion(list, '2026-10')).toMatchObject({ corrected: false, latest: { version: 1 } });
		expect(currentVersion(list, '2026-09')).toBeNull();
	});
});

describe('what to publish', () => {
	const now = cst('2026-12-02 12:00');
	const keys = (ps: Period[]) => ps.map((p) => p.key);

	it('on the first publication: every period since the earliest fact', () => {
		const ps = periodsToPublish(cst('2026-10-10 10:00'), now);
		expect(keys(ps.filter((p) => p.kind === 'month'))).toEqual(['2026-10', '2026-11', '2026-12']);
		expect(keys(ps.filter((p) => p.kind === 'quarter'))).toEqual(['2026-Q4']);
		const weeks = keys(ps.filter((p) => p.kind === 'week'));
		expect(weeks[0]).toBe('2026-W41');
		expect(weeks.at(-1)).toBe('2026-W49');
		expect(weeks).toHaveLength(9);
		// Chronological.
		expect(ps.map((p) => p.from)).toEqual([...ps.map((p) => p.from)].sort((a, b) => a - b));
	});

	it('afterwards: the open periods, those in their grace time, and closed ones never frozen', () => {
		const report = communityReport(reportFixture(), november, now);
		const frozen = ['2026-10', '2026-W41', '2026-W42', '2026-W43', '2026-W45', '2026-W46', '2026-W47', '2026-W48'].map(
			(key): ReportVersion => ({ version: 1, frozenAt: 0, report: { ...report, period: periodByKey(key)! } })
		);
		// W44 was never frozen (the relay was down): it is computed and frozen now. November is in its grace time.
		// Ordered by start (a quarter before the month and week it holds).
		expect(keys(periodsToPublish(cst('2026-10-10 10:00'), now, DEFAULT_GRACE_MS, frozen))).toEqual(['2026-Q4', '2026-W44', '2026-11', '2026-W49', '2026-12']);
	});

	it('without facts: the open periods and those in their grace time', () => {
		expect(keys(periodsToPublish(null, now))).toEqual(['2026-Q4', '2026-11', '2026-W49', '2026-12']);
		expect(keys(periodsToPublish(null, cst('2026-12-05 12:00')))).toEqual(['2026-Q4', '2026-W49', '2026-12']);
	});

	it('goes back three years at most', () => {
		const ps = periodsToPublish(cst('2015-03-01 00:00'), now);
		const quarters = keys(ps.filter((p) => p.kind === 'quarter'));
		expect(quarters[0]).toBe('2023-Q4');
		expect(quarters).toHaveLength(13);
		expect(ps.filter((p) => p.kind === 'month')).toHaveLength(39);
		expect(ps.filter((p) => p.kind === 'week').length).toBe(periodsBetween('week', periodByKey('2023-Q4')!.from, now + 1).length);
	});
});
