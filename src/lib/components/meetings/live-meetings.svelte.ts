/**
 * The community's meetings from the Dexie index (no document opened), kept live. Meeting entries carry the
 * list fields (MeetingIndexFields). Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import type { MeetingIndexEntry } from '$lib/schema/meeting-doc';
import type { IndexEntry } from '$lib/schema/index-entry';

class LiveEntries<T> {
	/** Null until the first read. */
	entries = $state.raw<T[] | null>(null);
}

function liveKind<T extends IndexEntry>(kind: 'meeting' | 'poll' | 'topic'): LiveEntries<T> {
	const app = courtyard();
	const live = new LiveEntries<T>();
	$effect(() => {
		const community = app.community;
		const sub = app
			.live(() =>
				app.db.index
					.where('kind')
					.equals(kind)
					.filter((e) => e.community === community)
					.toArray()
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

export const liveMeetings = () => liveKind<MeetingIndexEntry>('meeting');
/** Topics, for building an agenda from the deliberation list. */
export const liveTopics = () => liveKind<IndexEntry>('topic');
/** Household polls, for a meeting vote that feeds one. */
export const livePolls = () => liveKind<IndexEntry>('poll');
