/**
 * The state of a report page (the report itself and its printable page): the scope, kind and period from the
 * address, the report documents this device holds for the credential (its community's, or every overseen
 * community's for a street admin), and the view, trend and comparison computed from them. Call during
 * component initialisation.
 */
import { page } from '$app/state';
import { courtyard } from '$lib/client/courtyard.svelte';
import { periodByKey, periodOf } from '$lib/domain/periods';
import { FIGURES } from '$lib/domain/report-dictionary';
import { PERIOD_KINDS, type Period, type PeriodKind } from '$lib/domain/report-facts';
import { readCommunity } from '$lib/schema/community-doc';
import { communityDocName, reportDocName } from '$lib/schema/doc-names';
import { readReportDoc, type ReportDoc } from '$lib/schema/report-doc';
import { accessTo } from '../access/access';
import { liveDocs } from '../live-doc.svelte';
import { KEY_FIGURES, periodsBack, reportView, scopesFor, TREND_LENGTH, trendSeries, type ReportSources, type ScopeNames } from './view';

export interface LoadedReports {
	docs: Map<string, ReportDoc>;
	names: ScopeNames;
	/** Grid ids of the credential's own community, from its community document (staff of a community). */
	gridIds: string[];
}

/**
 * The report documents (`which`: staff's 'main' or the residents' 'public') of `communities`, with the names
 * from their community documents. Documents the credential may not read are not opened.
 */
export function liveReports(communities: () => readonly string[] | null, which: 'main' | 'public' = 'main') {
	const app = courtyard();
	let opened: string[] = [];
	return liveDocs<LoadedReports>(
		() => {
			const grant = app.device?.grant;
			const list = (communities() ?? []).filter((c) => accessTo(grant, reportDocName(c, which)) !== 'none');
			opened = list;
			if (list.length === 0) return null;
			// Every role that reads a community's report reads its community document (names of it and its grids).
			return [...list.map((c) => reportDocName(c, which)), ...list.map((c) => communityDocName(c))];
		},
		(docs) => {
			const list = opened;
			const out: LoadedReports = { docs: new Map(), names: { communities: {}, grids: {} }, gridIds: [] };
			list.forEach((c, i) => {
				out.docs.set(c, readReportDoc(docs[i]!));
				const community = readCommunity(docs[list.length + i]!);
				if (community.name) out.names.communities![c] = community.name;
				if (community.street && !out.names.street) out.names.street = community.street;
				for (const g of community.grids) {
					out.names.grids![g.id] = g.name;
					if (i === 0) out.gridIds.push(g.id);
				}
			});
			return out;
		}
	);
}

const isKind = (k: string | null): k is PeriodKind => PERIOD_KINDS.includes(k as PeriodKind);

export class ReportPage {
	readonly app = courtyard();
	readonly grant = $derived(this.app.device?.grant ?? null);
	readonly role = $derived(this.grant?.role ?? null);
	readonly isStreet = $derived(this.role === 'street_admin');
	/** Communities whose reports are read: every overseen one for a street admin, else the credential's own. */
	readonly communities = $derived(this.grant ? (this.grant.role === 'street_admin' ? (this.grant.communities ?? []) : [this.grant.community]) : []);
	readonly live = liveReports(() => this.communities);

	readonly now = Date.now();
	readonly kind = $derived.by(() => {
		const k = page.url.searchParams.get('kind');
		return isKind(k) ? k : this.defaultKind;
	});
	readonly current = $derived(periodOf(this.kind, this.now));
	/** The period named in the address when it is of the kind and not in the future; else the current one. */
	readonly period = $derived.by((): Period => {
		const p = periodByKey(page.url.searchParams.get('period') ?? '');
		return p && p.kind === this.kind && p.from <= this.current.from ? p : this.current;
	});
	readonly isCurrent = $derived(this.period.key === this.current.key);
	/** The periods offered in the picker: the last year or so of the kind, newest first (and the chosen one). */
	readonly periodChoices = $derived.by(() => {
		const list = periodsBack(this.current, { week: 13, month: 12, quarter: 8 }[this.kind]).reverse();
		return list.some((p) => p.key === this.period.key) ? list : [...list, this.period];
	});

	readonly loaded = $derived(this.live.value);
	readonly scopes = $derived(scopesFor(this.grant, this.loaded?.gridIds ?? [], this.loaded?.names ?? {}));
	readonly scope = $derived(this.scopes.find((s) => s.value === page.url.searchParams.get('scope')) ?? this.scopes[0] ?? null);
	readonly sources = $derived<ReportSources>({
		docs: this.loaded?.docs ?? new Map(),
		names: this.loaded?.names ?? {},
		...(this.isStreet ? { communities: this.communities } : {}),
		...(this.role === 'grid_worker' ? { grids: this.grant?.grids ?? [] } : {})
	});
	readonly view = $derived(this.scope ? reportView(this.scope, this.period, this.sources) : null);
	/** Key figures that exist at the scope's level, charted over time and compared. */
	readonly keyFigures = $derived(this.scope ? KEY_FIGURES.filter((id) => FIGURES.find((d) => d.id === id)?.levels.includes(this.scope!.level)) : []);
	readonly trend = $derived(this.scope ? trendSeries(this.scope, this.period, TREND_LENGTH[this.kind], this.sources, this.keyFigures) : null);

	constructor(private readonly defaultKind: PeriodKind = 'month') {}

	/** The address of this page (or `path`) with some parameters changed. */
	href(change: { scope?: string; kind?: PeriodKind; period?: string | null }, path = page.url.pathname): string {
		const url = new URL(page.url);
		url.pathname = path;
		if (change.scope !== undefined) url.searchParams.set('scope', change.scope);
		if (change.kind !== undefined) {
			url.searchParams.set('kind', change.kind);
			url.searchParams.delete('period');
		}
		if (change.period === null) url.searchParams.delete('period');
		else if (change.period) url.searchParams.set('period', change.period);
		return url.pathname + url.search;
	}

	/** The printable page of what is shown. */
	get printHref(): string {
		const q = new URLSearchParams();
		if (this.scope) q.set('scope', this.scope.value);
		q.set('kind', this.kind);
		q.set('period', this.period.key);
		return `/reports/print?${q}`;
	}
}
