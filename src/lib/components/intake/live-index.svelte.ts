/**
 * Live lists from the device's index: every index entry of one kind in this device's community (optionally
 * filtered), re-read whenever the index changes, without opening a document. Other devices' proposal drafts
 * are private to their author and never listed. Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { entriesOfKind } from '$lib/client/index-reads';
import type { DocKind } from '$lib/schema/doc-names';
import type { IndexEntry } from '$lib/schema/index-entry';

class LiveIndex<T> {
	/** Null until the first read. */
	entries = $state.raw<T[] | null>(null);
}

export function liveIndex<T extends IndexEntry = IndexEntry>(kind: DocKind, filter: (e: T) => boolean = () => true): LiveIndex<T> {
	const app = courtyard();
	const live = new LiveIndex<T>();
	$effect(() => {
		const community = app.community;
		const me = app.actor.id;
		const sub = app
			.live(() =>
				entriesOfKind(app, kind, (e) => e.community === community && (e.status !== 'draft' || e.kind !== 'proposal' || e.createdBy === me) && filter(e as T))
			)
			.subscribe({
				next: (list) => {
					live.entries = list as T[];
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
