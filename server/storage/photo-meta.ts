/**
 * Photo metadata: which documents each photo was uploaded for (the relay serves a photo only to a credential that
 * may read one of them), who stored it and for which community (quotas), and what the collector needs. The bytes
 * live in a BlobStore (blob-store.ts); photo-store.ts puts the two together.
 *
 * Implementations: MemoryPhotoMeta (here), SqlitePhotoMeta (photo-meta-sqlite.ts, the embedded default) and
 * PgPhotoMeta (postgres/photos-pg.ts). One suite (photo-meta.contract.ts) runs them all.
 *
 * Removal is a two-step protocol because the bytes are elsewhere: `beginRemoval` marks a photo without links,
 * after which `link` refuses it (`removingSince`) until `endRemoval` deletes its row. So bytes are deleted only
 * while no upload can link the photo, and an upload that links it never races a deletion of its bytes.
 */
import type { PhotoType } from '../../src/lib/protocol/photos';

/** Who stores new bytes, and what they may hold at most (bytes; Infinity for no limit). */
export interface PhotoOwner {
	device: string;
	community: string;
	deviceQuota: number;
	communityQuota: number;
}

/** New bytes would take the device or the community past its photo quota. */
export class PhotoQuotaError extends Error {
	constructor(
		readonly quota: 'device' | 'community',
		readonly limit: number,
		readonly used: number
	) {
		super(
			quota === 'device'
				? `this device's photo quota is used up: ${used} of ${limit} bytes stored (photo quota per device)`
				: `the community's photo quota is used up: ${used} of ${limit} bytes stored (photo quota per community)`
		);
		this.name = 'PhotoQuotaError';
	}
}

export interface PhotoUsage {
	device: number;
	community: number;
}

export interface PhotoLink {
	sha: string;
	doc: string;
	createdAt: number;
}

export interface PhotoRecord {
	type: PhotoType;
	size: number;
}

/** A link was added (or was there), or the photo is being removed since `removingSince` and was not linked. */
export type LinkOutcome = { linked: true; isNew: boolean } | { linked: false; removingSince: number };

export interface PhotoMetaStore {
	/**
	 * Links the photo to `doc`, first adding the photo (stored at `now`, counting against `owner`) if it is not
	 * known; `isNew` then. Throws PhotoQuotaError, adding nothing, when a new photo does not fit the owner's
	 * quotas; concurrent calls cannot pass a quota together. Adds nothing while a removal holds the photo.
	 */
	link(sha: string, photo: PhotoRecord, doc: string, owner: PhotoOwner | null, now: number): Promise<LinkOutcome>;
	/** The photo, or null when unknown or being removed. */
	get(sha: string): Promise<PhotoRecord | null>;
	/** Documents the photo was uploaded for, oldest link first; empty for an unknown photo. */
	docs(sha: string): Promise<string[]>;
	/** Bytes of photos stored by the device and for the community (photos being removed still count). */
	usage(device: string, community: string): Promise<PhotoUsage>;
	/** Links created before `before`, ordered by (doc, sha) after `cursor`, at most `limit`. */
	linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]>;
	/** Removes one link; the photo stays until it is removed. */
	unlink(sha: string, doc: string): Promise<void>;
	/** Photos without links stored before `before` (also those being removed, so a crashed removal resumes). */
	unlinkedBefore(before: number, limit: number): Promise<string[]>;
	/**
	 * Marks the photo as being removed (since `now`) if it has no link, was stored before `before` and is not
	 * already being removed by a removal that began at or after `staleBefore`. Its size and the mark, or null.
	 */
	beginRemoval(sha: string, before: number, now: number, staleBefore: number): Promise<{ size: number; since: number } | null>;
	/** Deletes the photo if it is still marked by the removal that began at `since`; whether it did. */
	endRemoval(sha: string, since: number): Promise<boolean>;
	close(): Promise<void>;
}

/** The photo columns the SQL stores read back. */
export interface PhotoRow {
	type: PhotoType;
	size: number;
	created_at: number;
	removing_since: number | null;
}

export const linkFromRow = (r: { sha: string; doc: string; created_at: number }): PhotoLink => ({ sha: r.sha, doc: r.doc, createdAt: r.created_at });

/** Throws PhotoQuotaError when `size` new bytes do not fit beside what the owner `used` before them. */
export function checkQuota(owner: PhotoOwner, used: PhotoUsage, size: number): void {
	if (used.device + size > owner.deviceQuota) throw new PhotoQuotaError('device', owner.deviceQuota, used.device);
	if (used.community + size > owner.communityQuota) throw new PhotoQuotaError('community', owner.communityQuota, used.community);
}

/**
 * Whether a removal may mark a photo (without links) stored at `storedAt`: stored before `before`, and not held by
 * a removal that began at or after `staleBefore`.
 */
export function mayBeginRemoval(storedAt: number, removingSince: number | null, before: number, staleBefore: number): boolean {
	return storedAt < before && (removingSince === null || removingSince < staleBefore);
}

/** Orders links as the SQL stores do (by doc, then sha; byte order for the ASCII names used). */
export function compareLinks(a: { doc: string; sha: string }, b: { doc: string; sha: string }): number {
	if (a.doc !== b.doc) return a.doc < b.doc ? -1 : 1;
	return a.sha < b.sha ? -1 : a.sha > b.sha ? 1 : 0;
}

interface MemoryPhoto extends PhotoRecord {
	at: number;
	device: string | null;
	community: string | null;
	removingSince: number | null;
	/** doc → when linked, in insertion order. */
	links: Map<string, number>;
}

/** For tests and relays without a data directory; every method runs without yielding, so each is atomic. */
export class MemoryPhotoMeta implements PhotoMetaStore {
	private readonly photos = new Map<string, MemoryPhoto>();

	async link(sha: string, photo: PhotoRecord, doc: string, owner: PhotoOwner | null, now: number): Promise<LinkOutcome> {
		let row = this.photos.get(sha);
		if (row?.removingSince != null) return { linked: false, removingSince: row.removingSince };
		const isNew = !row;
		if (!row) {
			if (owner) checkQuota(owner, this.usageNow(owner.device, owner.community), photo.size);
			row = { ...photo, at: now, device: owner?.device ?? null, community: owner?.community ?? null, removingSince: null, links: new Map() };
			this.photos.set(sha, row);
		}
		if (!row.links.has(doc)) row.links.set(doc, now);
		return { linked: true, isNew };
	}

	async get(sha: string): Promise<PhotoRecord | null> {
		const row = this.photos.get(sha);
		return row && row.removingSince === null ? { type: row.type, size: row.size } : null;
	}

	async docs(sha: string): Promise<string[]> {
		const links = this.photos.get(sha)?.links;
		return links ? [...links].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([doc]) => doc) : [];
	}

	async usage(device: string, community: string): Promise<PhotoUsage> {
		return this.usageNow(device, community);
	}

	private usageNow(device: string, community: string): PhotoUsage {
		const used = { device: 0, community: 0 };
		for (const p of this.photos.values()) {
			if (p.device === device) used.device += p.size;
			if (p.community === community) used.community += p.size;
		}
		return used;
	}

	async linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]> {
		const links: PhotoLink[] = [];
		for (const [sha, p] of this.photos) {
			for (const [doc, createdAt] of p.links) {
				if (createdAt < before && (!cursor || compareLinks({ doc, sha }, cursor) > 0)) links.push({ sha, doc, createdAt });
			}
		}
		return links.sort(compareLinks).slice(0, limit);
	}

	async unlink(sha: string, doc: string): Promise<void> {
		this.photos.get(sha)?.links.delete(doc);
	}

	async unlinkedBefore(before: number, limit: number): Promise<string[]> {
		const found: string[] = [];
		for (const [sha, p] of this.photos) {
			if (found.length >= limit) break;
			if (p.at < before && p.links.size === 0) found.push(sha);
		}
		return found;
	}

	async beginRemoval(sha: string, before: number, now: number, staleBefore: number): Promise<{ size: number; since: number } | null> {
		const row = this.photos.get(sha);
		if (!row || row.links.size > 0 || !mayBeginRemoval(row.at, row.removingSince, before, staleBefore)) return null;
		row.removingSince = now;
		return { size: row.size, since: now };
	}

	async endRemoval(sha: string, since: number): Promise<boolean> {
		const row = this.photos.get(sha);
		if (!row || row.removingSince !== since) return false;
		this.photos.delete(sha);
		return true;
	}

	async close(): Promise<void> {}
}
