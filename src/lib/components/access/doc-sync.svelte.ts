/**
 * The sync state of one document as runes state: whether the relay refused it ('forbidden', 'read-only: …').
 * Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';

class DocSync {
	/** The relay's last refusal or error for the document, null when none. */
	error = $state<string | null>(null);
	/** True once the relay's full state for the document is stored on this device. */
	synced = $state(false);
}

export function docSync(name: () => string | null): DocSync {
	const app = courtyard();
	const state = new DocSync();
	$effect(() => {
		const doc = name();
		state.error = null;
		state.synced = false;
		if (!doc) return;
		const sub = app
			.live(async () => (await app.store.syncStates([doc]))[0])
			.subscribe({
				next: (s) => {
					state.error = s?.error ?? null;
					state.synced = s?.synced ?? false;
				},
				error: (err) => {
					app.storageError = err;
				}
			});
		return () => sub.unsubscribe();
	});
	return state;
}
