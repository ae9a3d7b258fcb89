/**
 * The shape of a published report: aggregates only, never a household, a name or a room. The relay computes
 * them (report.ts) and writes them into the community's report document; the street level combines the
 * communities' published reports. Shared by the relay, the report pages and the exports.
 */
import type { Period } from './report-facts';

/** Median and 90th percentile of a list of durations in days; null when there is none. */
export interface DurationStats {
	count: number;
	median: number | null;
	p90: number | null;
	/** The durations themselves (days, one decimal, ascending): a street combines them exactly. */
	days: number[];
}

/** A count over a whole: `rate` is part / whole, null when the whole is 0. */
export interface Ratio {
	part: number;
	whole: number;
	rate: number | null;
}

export interface Figures {
	intake: { total: number; byChannel: Record<string, number>; byCategory: Record<string, number> };
	/** Screening decisions made in the period, by outcome, and the negative-list items rejections cited. */
	screening: { decisions: number; byOutcome: Record<string, number>; negativeItems: Record<string, number> };
	topics: { formed: number };
	meetings: { held: number; byKind: Record<string, number>; attendance: number; byCapacity: Record<string, number> };
	/** Polls closed in the period: households who voted over households entitled. */
	polls: { closed: number; participation: Ratio };
	/** Visits in the period; coverage is households visited over households in the register. */
	visits: { visits: number; coverage: Ratio; needsByTag: Record<string, number> };
	/** Projects by stage at the end of the period (or now, for a period still open). */
	projects: { total: number; byStage: Record<string, number> };
	/** Money in fen, by the time of pledge or ledger entry. */
	money: { pledged: number; received: number; spent: number };
	toDecision: DurationStats;
	toCompletion: DurationStats;
	/** Of the matters accepted for handling by the period's end, those resolved by then. */
	resolution: Ratio;
	/** Ratings in the period that are satisfied (4 or 5) over all ratings. */
	satisfaction: Ratio;
}

/** One community's report for one period: its figures, and the same figures per grid. */
export interface CommunityReport {
	community: string;
	period: Period;
	/** When it was computed (ms). */
	computedAt: number;
	figures: Figures;
	/** Grid id → the grid's figures (figures that have no grid are zero there; see the data dictionary). */
	grids: Record<string, Figures>;
	/** Grid id → name, as it was when computed. */
	gridNames: Record<string, string>;
}

/** A street's report: the communities' figures combined, and each community's. */
export interface StreetReport {
	street: string;
	period: Period;
	figures: Figures;
	communities: Record<string, Figures>;
	/** Communities whose report for the period was not available (not yet published or not synced). */
	missing: string[];
}

/**
 * A closed period's report as kept: snapshots are appended, never rewritten. Version 1 is frozen when the period
 * closes; a later correction is version 2, 3, … with its reason.
 */
export interface ReportVersion {
	version: number;
	frozenAt: number;
	report: CommunityReport;
	correction?: { reason: string; by: string };
}
