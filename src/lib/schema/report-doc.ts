/**
 * The report document of a community, written by the relay alone (`<community>:report:main`, and the residents'
 * version `<community>:report:public`). Root keys:
 *   meta    Y.Map   schema, community, updated (ms of the last publication)
 *   open    Y.Map   period key ('month:2026-12') → CommunityReport, for periods still open or not yet frozen;
 *                   replaced on every publication
 *   closed  Y.Array ReportVersion, append-only: a closed period's frozen snapshot (version 1) and corrections
 *   late    Y.Map   period key → number of changes to the community's documents that arrived after the period
 *                   was frozen (data a correction would take in)
 * Aggregates only: never a household, a name or a room (domain/report-types.ts).
 */
import type * as Y from 'yjs';
import type { PeriodKind } from '../domain/report-facts';
import type { CommunityReport, ReportVersion } from '../domain/report-types';
import { SCHEMA_VERSION } from './doc-names';

/** The key of a period in the report document: its kind and its own key, e.g. 'quarter:2026-Q4'. */
export const reportKey = (kind: PeriodKind, key: string) => `${kind}:${key}`;

export interface ReportDoc {
	community: string;
	updated: number;
	/** Open (not frozen) periods' reports, by reportKey. */
	open: Map<string, CommunityReport>;
	/** Every frozen version, oldest first. */
	closed: ReportVersion[];
	late: Map<string, number>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isReport = (v: unknown): v is CommunityReport => isRecord(v) && isRecord(v.period) && isRecord(v.figures) && isRecord(v.grids);
const isVersion = (v: unknown): v is ReportVersion => isRecord(v) && typeof v.version === 'number' && isReport(v.report);

export function readReportDoc(doc: Y.Doc): ReportDoc {
	const meta = doc.getMap<unknown>('meta');
	const open = new Map<string, CommunityReport>();
	for (const [key, value] of doc.getMap<unknown>('open')) if (isReport(value)) open.set(key, value);
	const late = new Map<string, number>();
	for (const [key, value] of doc.getMap<unknown>('late')) if (typeof value === 'number') late.set(key, value);
	return {
		community: String(meta.get('community') ?? ''),
		updated: Number(meta.get('updated') ?? 0),
		open,
		closed: doc.getArray<unknown>('closed').toArray().filter(isVersion),
		late
	};
}

/** The report of a period as the document holds it now: the latest frozen version, else the open one. */
export function reportFor(r: ReportDoc, kind: PeriodKind, key: string): { report: CommunityReport; version: ReportVersion | null } | null {
	const versions = r.closed.filter((v) => v.report.period.kind === kind && v.report.period.key === key);
	const latest = versions.reduce<ReportVersion | null>((a, v) => (a === null || v.version > a.version ? v : a), null);
	if (latest) return { report: latest.report, version: latest };
	const open = r.open.get(reportKey(kind, key));
	return open ? { report: open, version: null } : null;
}

/**
 * Writes a publication: open periods replaced, new frozen versions appended (never rewritten), late counts set.
 * Values are compared first, so republishing the same figures adds nothing to the document.
 */
export function writeReportDoc(
	doc: Y.Doc,
	community: string,
	now: number,
	change: { open: Map<string, CommunityReport>; frozen: ReportVersion[]; late?: Map<string, number> }
): void {
	doc.transact(() => {
		const meta = doc.getMap<unknown>('meta');
		if (meta.get('schema') !== SCHEMA_VERSION) meta.set('schema', SCHEMA_VERSION);
		if (meta.get('community') !== community) meta.set('community', community);
		const open = doc.getMap<unknown>('open');
		let changed = false;
		for (const [key, report] of change.open) {
			const current = open.get(key) as CommunityReport | undefined;
			if (current && sameFigures(current, report)) continue;
			open.set(key, report);
			changed = true;
		}
		for (const key of [...open.keys()]) {
			if (!change.open.has(key)) {
				open.delete(key);
				changed = true;
			}
		}
		if (change.frozen.length > 0) {
			doc.getArray<ReportVersion>('closed').push(change.frozen);
			changed = true;
		}
		const late = doc.getMap<number>('late');
		for (const [key, n] of change.late ?? []) {
			if (late.get(key) !== n) {
				late.set(key, n);
				changed = true;
			}
		}
		if (changed) meta.set('updated', now);
	});
}

/** Same period, figures and grids (the computation time aside). */
export function sameFigures(a: CommunityReport, b: CommunityReport): boolean {
	return JSON.stringify({ ...a, computedAt: 0 }) === JSON.stringify({ ...b, computedAt: 0 });
}
