/**
 * Runes state for the poll pages. Call during component initialisation, like liveDoc.
 *   livePolls    every poll of the community on this device (found through the index, read from the documents,
 *                since whether a poll is open depends on its times)
 *   liveBallots  the ballots of one poll in the given grids' ballots documents, kept live
 *   clock        the current time, ticking, so statuses change while a page stays open
 */
import * as Y from 'yjs';
import { courtyard } from '$lib/client/courtyard.svelte';
import { entriesOfKind } from '$lib/client/index-reads';
import type { Ballot, Poll } from '$lib/domain/poll';
import { readBallots } from '$lib/schema/ballots-doc';
import { ballotsDocName } from '$lib/schema/doc-names';
import { isPollDoc, readPoll } from '$lib/schema/poll-doc';
import { liveDocs } from '../live-doc.svelte';

export interface ListedPoll {
	doc: string;
	poll: Poll;
}

class LivePolls {
	/** Null until the first read. */
	polls = $state.raw<ListedPoll[] | null>(null);
}

export function livePolls(): LivePolls {
	const app = courtyard();
	const live = new LivePolls();
	$effect(() => {
		const community = app.community;
		const cache = new Map<string, { updated: number; poll: Poll }>();
		let round = 0;
		const sub = app
			.live(() => entriesOfKind(app, 'poll', (e) => e.community === community))
			.subscribe({
				next: (entries) => {
					const mine = ++round;
					void Promise.all(
						entries.map(async (e): Promise<ListedPoll | null> => {
							const hit = cache.get(e.doc);
							if (hit && hit.updated === e.updated) return { doc: e.doc, poll: hit.poll };
							const doc = new Y.Doc();
							try {
								Y.applyUpdate(doc, await app.store.readState(e.doc));
								if (!isPollDoc(doc)) return null;
								const poll = readPoll(doc);
								cache.set(e.doc, { updated: e.updated, poll });
								return { doc: e.doc, poll };
							} finally {
								doc.destroy();
							}
						})
					).then(
						(list) => {
							if (mine === round) live.polls = list.filter((p): p is ListedPoll => !!p);
						},
						(err) => {
							app.storageError = err;
						}
					);
				},
				error: (err) => {
					app.storageError = err;
					live.polls = [];
				}
			});
		return () => sub.unsubscribe();
	});
	return live;
}

export interface LiveBallots {
	readonly ballots: Ballot[];
	/** The same ballots by the grid whose document holds them (see ballotsOfOwnGrids). */
	readonly byGrid: ReadonlyMap<string, Ballot[]>;
	readonly loading: boolean;
}

/** Opens the ballots documents of `poll` for `grids` (only those this device may read) while mounted. */
export function liveBallots(poll: () => string | null, grids: () => string[]): LiveBallots {
	const app = courtyard();
	const gridList = $derived(poll() ? grids() : []);
	const docs = liveDocs(
		() => {
			const id = poll();
			return id ? gridList.map((g) => ballotsDocName(app.community, g, id)) : null;
		},
		(opened) => opened.map((d) => readBallots(d))
	);
	$effect(() => {
		if (docs.error) app.storageError = docs.error;
	});
	const ballots = $derived(docs.value?.flat() ?? []);
	const byGrid = $derived(new Map((docs.value ?? []).map((list, i) => [gridList[i] as string, list])));
	return {
		get ballots() {
			return ballots;
		},
		get byGrid() {
			return byGrid;
		},
		get loading() {
			return docs.loading;
		}
	};
}

class Clock {
	now = $state(Date.now());
}

/** The time, updated every `everyMs` while the component is mounted. */
export function clock(everyMs = 15_000): Clock {
	const c = new Clock();
	$effect(() => {
		const timer = setInterval(() => (c.now = Date.now()), everyMs);
		return () => clearInterval(timer);
	});
	return c;
}
