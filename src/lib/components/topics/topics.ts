/** Topics and proposal summaries for the deliberation list, from the Dexie index (no document opened). */
import type { ProposalSummary, Topic } from '$lib/domain/topic';
import type { IndexEntry } from '$lib/schema/index-entry';
import { parseDocName } from '$lib/schema/doc-names';

export function topicFromEntry(e: IndexEntry): Topic {
	return {
		id: parseDocName(e.doc)?.id ?? e.doc,
		doc: e.doc,
		title: e.title,
		category: e.category,
		level: 'community',
		createdAt: e.created ?? e.updated,
		createdBy: null,
		proposals: e.members ?? []
	};
}

export function summaryFromEntry(e: IndexEntry): ProposalSummary {
	return {
		doc: e.doc,
		title: e.title,
		status: e.status || 'submitted',
		...(e.household ? { household: e.household } : {}),
		coSigners: e.coSigners ?? [],
		supporters: e.supporters ?? []
	};
}

export function summaries(entries: readonly IndexEntry[]): Map<string, ProposalSummary> {
	return new Map(entries.map((e) => [e.doc, summaryFromEntry(e)]));
}
