/**
 * Live upload state of photos for the UI, re-read whenever the photos table changes (an add, an upload, a
 * refusal). Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { heldPhotos, type PhotoMeta, type PhotoState } from '$lib/client/photo-queue';
import type { PhotoErrorCode } from '$lib/client/photos';
import { t } from '$lib/i18n';

const NONE: ReadonlyMap<string, PhotoMeta> = new Map();

class LiveStates {
	/** sha → its record on this device (absent: not held here, e.g. another device's photo not yet shown). */
	value = $state.raw(NONE);
}

export function livePhotoStates(shas: () => readonly string[]): LiveStates {
	const app = courtyard();
	const live = new LiveStates();
	$effect(() => {
		const list = [...shas()];
		if (list.length === 0) {
			live.value = NONE;
			return;
		}
		const sub = app.live(() => heldPhotos(app, list)).subscribe({
			next: (metas) => {
				live.value = new Map(metas.map((m) => [m.sha, m]));
			},
			error: (err) => {
				app.storageError = err;
			}
		});
		return () => sub.unsubscribe();
	});
	return live;
}

export const photoStateLabel = (state: PhotoState) => t(`photo.state.${state}`);

/** What went wrong with a photo, for a person. */
export function photoErrorMessage(error: unknown): string {
	const code = (error as { code?: PhotoErrorCode } | null)?.code;
	return t(`photo.error.${code ?? 'storage'}`);
}
