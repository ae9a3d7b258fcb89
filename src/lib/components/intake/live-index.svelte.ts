/**
 * Live lists from the Dexie index for the pages of a proposal's first half (screening, topics, intake, search,
 * "mine"): every index entry of one kind in this device's community, re-read whenever the index changes.
 * Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import type { IndexEntry } from '$lib/schema/index-entry';

class LiveIndex {
	/** Null until the first read. */
	entries = $state.raw<IndexEntry[] | null>(null);
}

export function liveIndex(kind: 'proposal' | 'topic'): LiveIndex {
	const app = courtyard();
	const live = new LiveIndex();
	$effect(() => {
		const community = app.community;
		const me = app.actor.id;
		const sub = app
			.live(() =>
				app.db.index
					.where('kind')
					.equals(kind)
					// Others' drafts are private to their author.
					.filter((e) => e.community === community && (e.status !== 'draft' || e.createdBy === me))
					.toArray()
			)
			.subscribe({
				next: (list) => {
					live.entries = list;
				},
				error: (err) => {
					app.storageError = err;
					live.entries = [];
				}
			});
		return () => sub.unsubscribe();
	});
	return live;
}

/** When an entry was filed: `created` (index version 2), else its last change. */
export const createdAt = (e: IndexEntry): number => e.created || e.updated;
