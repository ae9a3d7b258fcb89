/**
 * The part of the photo queue the app shell needs: what is still waiting (for the status bar and sign-out), and
 * the options the app starts its photo library with. The library itself (compression, uploads, the local cache,
 * photos.ts) loads after the first page: the queue is the `photos` table, so nothing waits on it meanwhile.
 */
import type { CourtyardDB, PhotoMeta } from './db';
import type { PhotoLibraryOptions } from './photos';

export type { PhotoMeta, PhotoState } from './db';

let registered: PhotoLibraryOptions | null = null;

/** The app's options for its photo library, set on start (before any page can show or add a photo). */
export function registerPhotoOptions(options: PhotoLibraryOptions): void {
	registered = options;
}
export const registeredPhotoOptions = (): PhotoLibraryOptions | null => registered;

/** Documents with photos still to upload, with their titles, merged into `docs` (unsynced documents) once each. */
export async function withPendingPhotos(
	db: CourtyardDB,
	docs: { doc: string; title: string }[]
): Promise<{ doc: string; title: string }[]> {
	const waiting = new Set<string>();
	await db.photos
		.where('state')
		.anyOf('pending', 'failed')
		.each((p) => p.docs.filter((d) => !p.uploaded.includes(d)).forEach((d) => waiting.add(d)));
	const extra = [...waiting].filter((doc) => !docs.some((d) => d.doc === doc));
	const entries = await db.index.bulkGet(extra);
	return [...docs, ...extra.map((doc, i) => ({ doc, title: entries[i]?.title ?? doc }))];
}

/** What a photo read needs of the app: the photos table (`courtyard()` in the browser, a bare database in tests). */
export interface PhotoReader {
	readonly db: Pick<CourtyardDB, 'photos'>;
}

/** The records of those of `shas` this device holds (its own photos, and copies downloaded to show). */
export async function heldPhotos(app: PhotoReader, shas: readonly string[]): Promise<PhotoMeta[]> {
	return (await app.db.photos.bulkGet([...shas])).filter((m): m is PhotoMeta => !!m);
}

/** Photos waiting for the relay, and those it refused, for a status line. */
export async function photoUploadCounts(db: Pick<CourtyardDB, 'photos'>): Promise<{ pending: number; failed: number }> {
	const [pending, failed] = await Promise.all([
		db.photos.where('state').equals('pending').count(),
		db.photos.where('state').equals('failed').count()
	]);
	return { pending, failed };
}

/** Deletes every photo record and its bytes. */
export function clearPhotoTables(db: CourtyardDB): Promise<void> {
	return db.transaction('rw', db.photos, db.photoData, async () => {
		await db.photos.clear();
		await db.photoData.clear();
	});
}

