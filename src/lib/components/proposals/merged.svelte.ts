/**
 * A proposal page's view of what was merged into it (domain/merge.ts), live: the local index says which proposals
 * were merged into it (directly or in a chain), and their documents, opened from the device, give the households
 * and the merge steps. Works offline with whatever the device holds. Call during component initialisation.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { mergedProposals } from '$lib/client/proposals';
import { mergedClosure, mergedView, type MergeParty, type MergedView } from '$lib/domain/merge';
import { parseDocName, proposalDocName } from '$lib/schema/doc-names';
import { isProposalDoc, readProposal, type Proposal } from '$lib/schema/proposal-doc';
import { liveDocs } from '../live-doc.svelte';

export function liveMerged(docName: () => string | null, proposal: () => Proposal | null): { readonly view: MergedView | null } {
	const app = courtyard();
	let links = $state.raw<{ doc: string; mergedInto?: string }[]>([]);
	$effect(() => {
		const name = docName();
		const community = name ? parseDocName(name)?.community : undefined;
		if (!community) return;
		const sub = app
			.live(() => mergedProposals(app, community))
			.subscribe({ next: (list) => (links = list.map((e) => ({ doc: e.doc, mergedInto: e.mergedInto }))) });
		return () => sub.unsubscribe();
	});
	const sources = $derived.by(() => {
		const name = docName();
		return name ? mergedClosure(name, links) : [];
	});
	const docs = liveDocs(
		() => (sources.length > 0 ? sources : null),
		(ds) =>
			ds.flatMap((d): MergeParty[] => {
				if (!isProposalDoc(d)) return [];
				const p = readProposal(d);
				const community = parseDocName(docName() ?? '')?.community ?? '';
				return [{ ...p, doc: proposalDocName(community, p.id) }];
			})
	);
	const view = $derived.by(() => {
		const name = docName();
		const p = proposal();
		return name && p ? mergedView({ ...p, doc: name }, docs.value ?? []) : null;
	});
	return {
		get view() {
			return view;
		}
	};
}
