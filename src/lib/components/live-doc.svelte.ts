/**
 * Opens Yjs documents for as long as the calling component is mounted (and their names stay the same) and keeps
 * `value` re-read from them: another device's change arriving through the sync re-renders the page.
 * Call during component initialisation.
 */
import type * as Y from 'yjs';
import { courtyard } from '$lib/client/courtyard.svelte';
import { accessTo } from './access/access';

export type OpenHandle = Awaited<ReturnType<ReturnType<typeof courtyard>['open']>>;

class LiveDoc<T> {
	/** The first document named (a page's own document). */
	handle = $state.raw<OpenHandle | null>(null);
	value = $state.raw<T | null>(null);
	/** True until the local copy has been read (it may still be empty if the document has not synced yet). */
	loading = $state(true);
	error = $state.raw<unknown>(null);
}

export function liveDoc<T>(name: () => string | null, read: (doc: Y.Doc) => T | null): LiveDoc<T> {
	return liveDocs(
		() => {
			const n = name();
			return n ? [n] : null;
		},
		([doc]) => read(doc!)
	);
}

/** Several documents read together (a project and its participation): `read` gets them in the order named. */
export function liveDocs<T>(names: () => readonly string[] | null, read: (docs: Y.Doc[]) => T | null): LiveDoc<T> {
	const app = courtyard();
	const live = new LiveDoc<T>();
	// Derived on the joined names, so that a new object carrying the same names (a list re-query) does not
	// reopen the documents and flash "loading".
	const current = $derived(names()?.join('\n') ?? '');
	$effect(() => {
		const docNames = current ? current.split('\n') : [];
		live.loading = true;
		live.value = null;
		live.handle = null;
		live.error = null;
		if (docNames.length === 0) {
			live.loading = false;
			return;
		}
		let disposed = false;
		let cleanup = () => {};
		Promise.allSettled(docNames.map((n) => app.open(n))).then((results) => {
			const handles = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
			const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
			if (disposed || failed) {
				for (const h of handles) h.close();
				if (!disposed && failed) {
					live.error = failed.reason;
					live.loading = false;
				}
				return;
			}
			const refresh = () => {
				live.value = read(handles.map((h) => h.doc));
			};
			for (const h of handles) h.doc.on('update', refresh);
			cleanup = () => {
				for (const h of handles) {
					h.doc.off('update', refresh);
					h.close();
				}
			};
			refresh();
			live.handle = handles[0] ?? null;
			live.loading = false;
		});
		return () => {
			disposed = true;
			cleanup();
		};
	});
	return live;
}

/**
 * One of the community's own documents (`nameOf(community)`: its rooms, register, points config …), live while
 * this device's grant may read it; nothing is opened for a role that may not.
 */
export function liveCommunityDoc<T>(nameOf: (community: string) => string, read: (doc: Y.Doc) => T | null): LiveDoc<T> {
	const app = courtyard();
	return liveDoc(() => {
		const name = nameOf(app.community);
		return accessTo(app.device?.grant, name) !== 'none' ? name : null;
	}, read);
}
