/**
 * What a street admin may read of each community it oversees, kept live: the community document (name, grids,
 * lists), the referrals document and, when asked, the published report. All of them are opened together so
 * the inbox can order every community's cases as one list. Call during component initialisation.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { type Community, readCommunity } from '$lib/schema/community-doc';
import { communityDocName, parseDocName, referralsDocName, reportDocName } from '$lib/schema/doc-names';
import { readReferrals, type Referrals } from '$lib/schema/referrals-doc';
import { readReportDoc, type ReportDoc } from '$lib/schema/report-doc';
import { liveDocs } from '../live-doc.svelte';

export interface StreetCommunity {
	id: string;
	/** Null until its community document has synced (it has no name yet). */
	community: Community | null;
	referrals: Referrals;
	report: ReportDoc | null;
}

/** The communities this device's street admin credential oversees ([] for any other credential). */
export function overseen(): string[] {
	const grant = courtyard().device?.grant;
	return grant?.role === 'street_admin' ? [...(grant.communities ?? [])] : [];
}

export function liveStreet(opts: { reports?: boolean } = {}) {
	const per = opts.reports ? 3 : 2;
	return liveDocs(
		() => {
			const ids = overseen();
			return ids.length ? ids.flatMap((c) => [communityDocName(c), referralsDocName(c), ...(opts.reports ? [reportDocName(c)] : [])]) : null;
		},
		(docs) =>
			Array.from({ length: Math.floor(docs.length / per) }, (_, i): StreetCommunity => {
				const [community, referrals, report] = docs.slice(i * per, i * per + per);
				const c = community ? readCommunity(community) : null;
				return {
					// A document's guid is its name (DocStore), so the id always matches the documents read.
					id: parseDocName(community?.guid ?? '')?.community ?? '',
					community: c && c.name ? c : null,
					referrals: referrals ? readReferrals(referrals) : { cases: [], answers: [], applied: new Map() },
					report: report ? readReportDoc(report) : null
				};
			})
	);
}
