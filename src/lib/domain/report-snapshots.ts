/**
 * Frozen periods (pure): a closed period's report is kept as appended versions, never rewritten. Version 1 is
 * frozen once the period has been closed for a grace time (offline devices bring late data: a visit recorded
 * on Sunday evening may reach the relay on Tuesday); after that, new facts do not change it. A correction is a
 * new version with its reason, and readers are told they are reading a correction.
 *
 * The relay's loop: periodsToPublish → communityReports → decideSnapshot for each; 'live' reports are
 * provisional (rewritten on every change), 'freeze' appends version 1, a frozen period is left alone.
 */
import { comparePeriods, DAY_MS, isClosed, periodOf, periodsBetween } from './periods';
import { PERIOD_KINDS, type Period } from './report-facts';
import type { CommunityReport, ReportVersion } from './report-types';

/** How long after its end a period stays open to late data before it is frozen. */
export const DEFAULT_GRACE_MS = 2 * DAY_MS;
/** How far back the first publication goes. */
export const BACKFILL_YEARS = 3;

/** A period is frozen once it ended at least `graceMs` ago. */
export function isFrozen(period: Period, now: number, graceMs = DEFAULT_GRACE_MS): boolean {
	return isClosed(period, now - graceMs);
}

/** The versions kept for one period, in order (version 1 first). */
export function versionsOf(versions: readonly ReportVersion[], periodKey: string): ReportVersion[] {
	// Ties (two writers numbering alike) keep the earlier freeze first, so version 1 is always the same one.
	return versions.filter((v) => v.report.period.key === periodKey).sort((a, b) => a.version - b.version || a.frozenAt - b.frozenAt);
}

export interface CurrentVersion {
	/** The latest version: what is shown. */
	latest: ReportVersion;
	/** The latest is a correction of the frozen figures (version > 1). */
	corrected: boolean;
	/** The frozen original (version 1). */
	original: ReportVersion;
}

/** What to show for a frozen period: its latest version, flagged when it is a correction; null when none is kept. */
export function currentVersion(versions: readonly ReportVersion[], periodKey: string): CurrentVersion | null {
	const list = versionsOf(versions, periodKey);
	const original = list[0];
	const latest = list.at(-1);
	if (!original || !latest) return null;
	return { latest, corrected: latest.version > 1 || !!latest.correction, original };
}

/** Version 1 of the report's period, when it is due for freezing and not frozen yet; otherwise null. */
export function freezeIfDue(
	versions: readonly ReportVersion[],
	report: CommunityReport,
	now: number,
	graceMs = DEFAULT_GRACE_MS
): ReportVersion | null {
	if (!isFrozen(report.period, now, graceMs)) return null;
	if (versionsOf(versions, report.period.key).length) return null;
	return { version: 1, frozenAt: now, report };
}

export type SnapshotDecision =
	/** Not frozen yet: keep it as the period's provisional report, replaced on the next change. */
	| { action: 'live'; report: CommunityReport }
	/** Due: append this version 1. */
	| { action: 'freeze'; version: ReportVersion }
	/** Frozen already: nothing is stored. `differs` says whether late facts changed the figures (a correction may be due). */
	| { action: 'keep'; current: ReportVersion; differs: boolean };

/** What to store for a freshly computed report, given the versions already kept. */
export function decideSnapshot(
	versions: readonly ReportVersion[],
	report: CommunityReport,
	now: number,
	graceMs = DEFAULT_GRACE_MS
): SnapshotDecision {
	const current = currentVersion(versions, report.period.key);
	if (current) return { action: 'keep', current: current.latest, differs: !sameFigures(current.latest.report, report) };
	const version = freezeIfDue(versions, report, now, graceMs);
	return version ? { action: 'freeze', version } : { action: 'live', report };
}

/** Whether two reports of a period have the same figures (community and grids), whenever they were computed. */
export function sameFigures(a: CommunityReport, b: CommunityReport): boolean {
	return JSON.stringify([a.figures, a.grids]) === JSON.stringify([b.figures, b.grids]);
}

/**
 * A correction of a frozen period: the next version, with its reason and who made it. Throws when the period
 * has no frozen version (an open period is simply recomputed) or the reason is empty.
 */
export function correctionVersion(
	versions: readonly ReportVersion[],
	report: CommunityReport,
	reason: string,
	by: string,
	now: number
): ReportVersion {
	const list = versionsOf(versions, report.period.key);
	const last = list.at(-1);
	if (!last) throw new Error(`period ${report.period.key} is not frozen: nothing to correct`);
	const why = reason.trim();
	if (!why) throw new Error('a correction needs a reason');
	return { version: last.version + 1, frozenAt: now, report, correction: { reason: why, by } };
}

/**
 * The periods (every kind) whose reports need computing now: the open ones, the closed ones still in their
 * grace time, and every closed one without a kept version since the earliest fact — on the first publication
 * that is every past period, capped at BACKFILL_YEARS. Ordered chronologically.
 */
export function periodsToPublish(
	earliestFact: number | null,
	now: number,
	graceMs = DEFAULT_GRACE_MS,
	versions: readonly ReportVersion[] = []
): Period[] {
	const kept = new Set(versions.map((v) => v.report.period.key));
	const floor = cstYearsBefore(now, BACKFILL_YEARS);
	// Periods still in their grace time are recomputed even without facts in them (they publish zeros).
	const from = Math.max(floor, Math.min(earliestFact ?? now, now - graceMs));
	const out: Period[] = [];
	for (const kind of PERIOD_KINDS) {
		// `now + 1`: the period containing `now` is open even when it starts exactly at `now`.
		for (const p of periodsBetween(kind, from, now + 1)) if (!kept.has(p.key) || !isFrozen(p, now, graceMs)) out.push(p);
	}
	return out.sort(comparePeriods);
}

/** Start of the quarter `years` years before the one containing `now`, so a backfill covers whole quarters. */
function cstYearsBefore(now: number, years: number): number {
	let p = periodOf('quarter', now);
	for (let i = 0; i < years * 4; i++) p = periodOf('quarter', p.from - 1);
	return p.from;
}
