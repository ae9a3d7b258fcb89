/**
 * Opens a Yjs document for as long as the calling component is mounted (and its name stays the same) and keeps
 * `value` re-read from it: another device's change arriving through the sync re-renders the page.
 * Call during component initialisation.
 */
import type * as Y from 'yjs';
import { courtyard } from '$lib/client/courtyard.svelte';

export type OpenHandle = Awaited<ReturnType<ReturnType<typeof courtyard>['open']>>;

class LiveDoc<T> {
	handle = $state.raw<OpenHandle | null>(null);
	value = $state.raw<T | null>(null);
	/** True until the local copy has been read (it may still be empty if the document has not synced yet). */
	loading = $state(true);
	error = $state.raw<unknown>(null);
}

export function liveDoc<T>(name: () => string | null, read: (doc: Y.Doc) => T | null): LiveDoc<T> {
	const app = courtyard();
	const live = new LiveDoc<T>();
	// Derived so that a new object carrying the same name (a list re-query) does not reopen and flash "loading".
	const current = $derived(name());
	$effect(() => {
		const docName = current;
		live.loading = true;
		live.value = null;
		live.handle = null;
		live.error = null;
		if (!docName) {
			live.loading = false;
			return;
		}
		let disposed = false;
		let cleanup = () => {};
		app.open(docName).then(
			(handle) => {
				if (disposed) {
					handle.close();
					return;
				}
				const refresh = () => {
					live.value = read(handle.doc);
				};
				handle.doc.on('update', refresh);
				cleanup = () => {
					handle.doc.off('update', refresh);
					handle.close();
				};
				refresh();
				live.handle = handle;
				live.loading = false;
			},
			(err) => {
				if (disposed) return;
				live.error = err;
				live.loading = false;
			}
		);
		return () => {
			disposed = true;
			cleanup();
		};
	});
	return live;
}
