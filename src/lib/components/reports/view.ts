/**
 * What a report page shows, computed from the report documents on this device (pure, no Svelte): the scopes a
 * credential may look at, the figures of the chosen scope and period, its status (open, frozen, corrected, late
 * changes), the columns of the tables (the scope, then its grids or communities) and the series of the charts.
 * Street figures are combined by the domain's streetReport, never here.
 */
import type { Grant } from '$lib/domain/access';
import { periodOf, previousPeriod } from '$lib/domain/periods';
import { streetReport } from '$lib/domain/report';
import { valueOf, type FigureLevel } from '$lib/domain/report-dictionary';
import type { Period, PeriodKind } from '$lib/domain/report-facts';
import { versionsOf } from '$lib/domain/report-snapshots';
import type { CommunityReport, Figures, ReportVersion } from '$lib/domain/report-types';
import { reportFor, reportKey, type ReportDoc } from '$lib/schema/report-doc';

/** A scope to report on: 'street', 'community:<id>' or 'grid:<id>'. */
export interface Scope {
	value: string;
	level: FigureLevel;
	/** The community (for a grid: its community; for the street: the street office id). */
	community: string;
	grid?: string;
	name: string;
}

/** Names known on this device: communities (street admins) and grids, by id. */
export interface ScopeNames {
	street?: string;
	communities?: Record<string, string>;
	grids?: Record<string, string>;
}

/** The scopes a credential may choose, broadest first; none for residents (they read the public report). */
export function scopesFor(grant: Grant | null | undefined, gridIds: readonly string[], names: ScopeNames = {}): Scope[] {
	if (!grant) return [];
	const community = (id: string) => names.communities?.[id] || id;
	const grid = (id: string): Scope => ({ value: `grid:${id}`, level: 'grid', community: grant.community, grid: id, name: names.grids?.[id] || id });
	switch (grant.role) {
		case 'street_admin':
			return [
				{ value: 'street', level: 'street', community: grant.community, name: names.street || grant.community },
				...(grant.communities ?? []).map((c): Scope => ({ value: `community:${c}`, level: 'community', community: c, name: community(c) }))
			];
		case 'facilitator':
		case 'community_admin':
			return [{ value: `community:${grant.community}`, level: 'community', community: grant.community, name: community(grant.community) }, ...gridIds.map(grid)];
		case 'grid_worker':
			return (grant.grids ?? []).map(grid);
		default:
			return [];
	}
}

/** The report kept for a period, with what its status line needs. */
export interface Resolved {
	report: CommunityReport;
	/** The version shown; null while the period is open (not frozen). */
	version: ReportVersion | null;
	/** Version 1: when the period was frozen. */
	original: ReportVersion | null;
	/** Changes that arrived after freezing. */
	late: number;
}

export function resolve(doc: ReportDoc | null | undefined, period: Period): Resolved | null {
	if (!doc) return null;
	const found = reportFor(doc, period.kind, period.key);
	if (!found) return null;
	const versions = versionsOf(
		doc.closed.filter((v) => v.report.period.kind === period.kind),
		period.key
	);
	return { report: found.report, version: found.version, original: versions[0] ?? null, late: doc.late.get(reportKey(period.kind, period.key)) ?? 0 };
}

export type Status =
	| { state: 'none' }
	| { state: 'open'; computedAt: number }
	| { state: 'frozen'; frozenAt: number; late: number }
	| { state: 'corrected'; frozenAt: number; version: number; at: number; reason: string; late: number }
	/** A street's combined figures: how many of its communities have a report for the period. */
	| { state: 'street'; count: number; total: number };

export function statusOf(r: Resolved | null): Status {
	if (!r) return { state: 'none' };
	if (!r.version) return { state: 'open', computedAt: r.report.computedAt };
	const frozenAt = r.original?.frozenAt ?? r.version.frozenAt;
	if (r.version.version > 1 || r.version.correction) {
		return { state: 'corrected', frozenAt, version: r.version.version, at: r.version.frozenAt, reason: r.version.correction?.reason ?? '', late: r.late };
	}
	return { state: 'frozen', frozenAt, late: r.late };
}

/** A column of the tables: a scope's figures (null when its report is missing). */
export interface Column {
	id: string;
	name: string;
	figures: Figures | null;
	/** The column's level: a figure that does not exist there (e.g. money in a grid) has no value in it. */
	level?: FigureLevel;
}

export interface ReportView {
	scope: Scope;
	period: Period;
	/** The chosen scope's figures; null when there is no report for it. */
	figures: Figures | null;
	/** The scope first, then each grid (community level) or community (street level). */
	columns: Column[];
	/** The parts compared by the comparison chart (the columns after the first). */
	parts: Column[];
	status: Status;
	/** Street level: each community's status, and those without a report. */
	communities: { id: string; name: string; status: Status }[];
	missing: string[];
}

export interface ReportSources {
	/** Report documents by community id (street admins: each overseen community; others: their own). */
	docs: ReadonlyMap<string, ReportDoc>;
	names: ScopeNames;
	/** Street admins: the overseen communities, in order. */
	communities?: readonly string[];
	/** Grid worker: restrict comparisons to these grids. */
	grids?: readonly string[];
}

const gridName = (r: CommunityReport, id: string, names: ScopeNames) => r.gridNames[id] || names.grids?.[id] || id;

/** The grids of a community report, in the order the report names them (its gridNames), then any others. */
function gridIds(r: CommunityReport): string[] {
	return [...new Set([...Object.keys(r.gridNames), ...Object.keys(r.grids)])];
}

/** The view of one scope in one period. */
export function reportView(scope: Scope, period: Period, src: ReportSources): ReportView {
	if (scope.level === 'street') {
		const list = src.communities ?? [];
		const resolved = list.map((c) => resolve(src.docs.get(c), period));
		const street = streetReport(
			scope.community,
			period,
			resolved.map((r) => r?.report ?? null),
			list
		);
		const communities = list.map((c, i) => ({ id: c, name: src.names.communities?.[c] || c, status: statusOf(resolved[i] ?? null) }));
		const parts = list.map((c): Column => ({ id: c, name: src.names.communities?.[c] || c, figures: street.communities[c] ?? null, level: 'community' }));
		const figures = list.length > street.missing.length ? street.figures : null;
		return {
			scope,
			period,
			figures,
			columns: [{ id: 'street', name: scope.name, figures, level: 'street' }, ...parts],
			parts,
			status: figures ? { state: 'street', count: list.length - street.missing.length, total: list.length } : { state: 'none' },
			communities,
			missing: street.missing
		};
	}
	const r = resolve(src.docs.get(scope.community), period);
	const status = statusOf(r);
	if (scope.level === 'grid') {
		const own = src.grids ?? (scope.grid ? [scope.grid] : []);
		const figures = r && scope.grid ? (r.report.grids[scope.grid] ?? null) : null;
		// A grid worker compares the grids they work in (when more than one); never other grids.
		const parts = r && own.length > 1 ? own.map((g): Column => ({ id: g, name: gridName(r.report, g, src.names), figures: r.report.grids[g] ?? null, level: 'grid' })) : [];
		return { scope, period, figures, columns: [{ id: scope.grid ?? '', name: scope.name, figures, level: 'grid' }], parts, status, communities: [], missing: [] };
	}
	const parts = r && !src.communities ? gridIds(r.report).map((g): Column => ({ id: g, name: gridName(r.report, g, src.names), figures: r.report.grids[g] ?? null, level: 'grid' })) : [];
	const figures = r?.report.figures ?? null;
	return { scope, period, figures, columns: [{ id: scope.community, name: scope.name, figures, level: 'community' }, ...parts], parts, status, communities: [], missing: [] };
}

/** The `count` periods ending with `period`, oldest first. */
export function periodsBack(period: Period, count: number): Period[] {
	const out: Period[] = [period];
	while (out.length < count) out.unshift(previousPeriod(out[0]!));
	return out;
}

/** A figure's number in some figures: the rate of a ratio, a count; null when absent or not a number. */
export function numberOf(f: Figures | null | undefined, id: string): number | null {
	if (!f) return null;
	const v = valueOf(f, id);
	return typeof v === 'number' ? v : null;
}

/** Trend: the figure in the scope over the last `count` periods ending at `period`. */
export function trendSeries(scope: Scope, period: Period, count: number, src: ReportSources, ids: readonly string[]): { periods: Period[]; values: Record<string, (number | null)[]> } {
	const periods = periodsBack(period, count);
	const views = periods.map((p) => reportView(scope, p, src).figures);
	const values: Record<string, (number | null)[]> = {};
	for (const id of ids) values[id] = views.map((f) => numberOf(f, id));
	return { periods, values };
}

/** How many periods a trend shows for each kind. */
export const TREND_LENGTH: Readonly<Record<PeriodKind, number>> = { week: 8, month: 6, quarter: 4 };

/** The figures charted over time and compared (those of them that exist at the level). */
export const KEY_FIGURES: readonly string[] = ['intake.total', 'resolution', 'satisfaction', 'visits.coverage'];

/** The current period of a kind, for the default. */
export const currentPeriod = (kind: PeriodKind, now = Date.now()) => periodOf(kind, now);
