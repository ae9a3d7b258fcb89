/**
 * Photos: content-addressed bytes in a BlobStore (blob-store.ts: disk by default, or S3-compatible) and their
 * metadata in a PhotoMetaStore (photo-meta.ts: SQLite by default, PostgreSQL with DATABASE_URL, or memory):
 * the documents each photo was uploaded for (the relay serves a photo only to a credential that may read one of
 * them), who stored it and for which community (quotas).
 *
 * An upload is acknowledged only once durable: the link commits (adding the photo within its owner's quotas if
 * new: concurrent uploads cannot overshoot them together), then the bytes are stored unless already there. A
 * crash in between leaves a link without bytes, which serves nobody (404) until the unacknowledged upload is
 * retried; refused uploads store nothing.
 *
 * Quotas: the bytes of a photo count once, against the device that first stored them and the community of the
 * document they were stored for (`usage`); a re-upload of stored bytes costs nothing.
 *
 * Garbage collection (photo-gc.ts) removes links that their document does not reference (`unlink`) and then the
 * photos left without links (`removeIfUnlinked`): mark (no link may be added meanwhile), delete the bytes,
 * delete the row. An upload meeting a mark waits for the removal to end and then stores the photo anew; a mark
 * older than STALE_REMOVAL_MS (its collector died) is taken over. So a linked photo never loses its bytes, also
 * when the admin CLI or another relay process collects while this one serves.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PhotoType } from '../../src/lib/protocol/photos';
import type { BlobStore } from './blob-store';
import { MemoryBlobStore } from './blob-store';
import { DiskBlobStore } from './blob-store-disk';
import { MemoryPhotoMeta, type PhotoLink, type PhotoMetaStore, type PhotoOwner, type PhotoUsage } from './photo-meta';
import { SqlitePhotoMeta } from './photo-meta-sqlite';

export { type PhotoLink, type PhotoOwner, PhotoQuotaError, type PhotoUsage } from './photo-meta';

export interface StoredPhoto {
	type: PhotoType;
	bytes: Uint8Array;
}

export interface PhotoStore {
	/**
	 * Links the photo to `doc` and stores the bytes unless already stored, durably. True if the photo was new.
	 * A new photo counts against `owner`'s quotas; throws PhotoQuotaError (storing nothing) when it does not fit.
	 */
	put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string, owner?: PhotoOwner): Promise<boolean>;
	/** Documents the photo was uploaded for; empty for an unknown photo. */
	docs(sha: string): Promise<string[]>;
	read(sha: string): Promise<StoredPhoto | null>;
	/** Whether the photo is stored (a re-upload of it costs no quota). */
	has(sha: string): Promise<boolean>;
	/** Bytes of photos stored by the device and for the community. */
	usage(device: string, community: string): Promise<PhotoUsage>;
	/** Links created before `before`, by document, at most `limit`, after `cursor` (doc, sha) in that order. */
	linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]>;
	/** Removes one link; the photo stays until removeIfUnlinked. */
	unlink(sha: string, doc: string): Promise<void>;
	/** Photos without any link that were stored before `before`, at most `limit`. */
	unlinkedBefore(before: number, limit: number): Promise<string[]>;
	/** Deletes the photo's bytes and metadata if it still has no link and was stored before `before`; its size if so. */
	removeIfUnlinked(sha: string, before: number): Promise<number | null>;
	close(): Promise<void>;
}

/** A removal's mark older than this belongs to a collector that died: an upload takes it over. */
export const STALE_REMOVAL_MS = 60_000;
/** Waits of an upload for a running removal (about 3 s in all) before it gives up. */
const REMOVAL_WAITS_MS = [20, 50, 100, 200, 400, 800, 1_500];

export class PhotoRemovalBusyError extends Error {
	constructor(sha: string) {
		super(`photo ${sha} is being removed; upload it again in a moment`);
		this.name = 'PhotoRemovalBusyError';
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class BlobPhotoStore implements PhotoStore {
	constructor(
		readonly meta: PhotoMetaStore,
		readonly blobs: BlobStore,
		private readonly now: () => number = Date.now
	) {}

	async put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string, owner?: PhotoOwner): Promise<boolean> {
		for (let attempt = 0; ; attempt++) {
			const outcome = await this.meta.link(sha, { type, size: bytes.length }, doc, owner ?? null, this.now());
			if (outcome.linked) {
				// The link holds off every removal: once written here, the bytes stay.
				await this.blobs.put(sha, bytes);
				return outcome.isNew;
			}
			if (outcome.removingSince < this.now() - STALE_REMOVAL_MS) {
				await this.meta.endRemoval(sha, outcome.removingSince);
			} else {
				const wait = REMOVAL_WAITS_MS[attempt];
				if (wait === undefined) throw new PhotoRemovalBusyError(sha);
				await sleep(wait);
			}
		}
	}

	async docs(sha: string): Promise<string[]> {
		return this.meta.docs(sha);
	}

	async read(sha: string): Promise<StoredPhoto | null> {
		const photo = await this.meta.get(sha);
		if (!photo) return null;
		const bytes = await this.blobs.get(sha);
		return bytes ? { type: photo.type, bytes } : null;
	}

	async has(sha: string): Promise<boolean> {
		return (await this.meta.get(sha)) !== null;
	}

	async usage(device: string, community: string): Promise<PhotoUsage> {
		return this.meta.usage(device, community);
	}

	async linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]> {
		return this.meta.linksBefore(before, limit, cursor);
	}

	async unlink(sha: string, doc: string): Promise<void> {
		await this.meta.unlink(sha, doc);
	}

	async unlinkedBefore(before: number, limit: number): Promise<string[]> {
		return this.meta.unlinkedBefore(before, limit);
	}

	async removeIfUnlinked(sha: string, before: number): Promise<number | null> {
		const now = this.now();
		const removal = await this.meta.beginRemoval(sha, before, now, now - STALE_REMOVAL_MS);
		if (!removal) return null;
		await this.blobs.delete(sha);
		await this.meta.endRemoval(sha, removal.since);
		return removal.size;
	}

	async close(): Promise<void> {
		await this.meta.close();
		await this.blobs.close();
	}
}

/** Metadata in `<dataDir>/courtyard.db`, bytes in `<dataDir>/photos/<first 2 hex>/<sha256>`: the embedded default. */
export const DiskPhotoStore = {
	open(dataDir: string): BlobPhotoStore {
		fs.mkdirSync(dataDir, { recursive: true });
		return new BlobPhotoStore(SqlitePhotoMeta.open(dataDir), new DiskBlobStore(path.join(dataDir, 'photos')));
	}
};

export class MemoryPhotoStore extends BlobPhotoStore {
	constructor() {
		super(new MemoryPhotoMeta(), new MemoryBlobStore());
	}
}

/**
 * The relay's photos: the given stores, or beside the documents in `dataDir` (SQLite metadata, bytes on disk),
 * or in memory for a relay without a data directory (tests, benches).
 */
export function openPhotoStore(dataDir: string | null, stores: { meta?: PhotoMetaStore; blobs?: BlobStore } = {}): BlobPhotoStore {
	const meta = stores.meta ?? (dataDir === null ? new MemoryPhotoMeta() : SqlitePhotoMeta.open(dataDir));
	const blobs = stores.blobs ?? (dataDir === null ? new MemoryBlobStore() : new DiskBlobStore(path.join(dataDir, 'photos')));
	return new BlobPhotoStore(meta, blobs);
}
