/**
 * The photo outbox of the local store: each photo's record (upload state, documents, next attempt) and its bytes.
 * The upload queue (photos.ts) reads and changes it only through this contract. Two implementations pass one
 * contract suite (photo-records.contract.ts): over the Dexie tables `photos` and `photoData`, and in memory.
 */
import type { CourtyardDB, PhotoMeta, PhotoState } from './db';

/** What to do with one record: put it (with its bytes when `blob` is given), delete it and its bytes, or leave it. */
export type PhotoChange = { meta: PhotoMeta; blob?: Blob } | 'delete' | undefined;

export interface PhotoRecords {
	get(sha: string): Promise<PhotoMeta | undefined>;
	getMany(shas: readonly string[]): Promise<(PhotoMeta | undefined)[]>;
	/** Records in any of the given states, oldest first. */
	inStates(states: readonly PhotoState[]): Promise<PhotoMeta[]>;
	bytes(sha: string): Promise<Blob | undefined>;
	/**
	 * Read-modify-write of the given photos in one transaction: `change` sees each stored record (undefined when
	 * there is none). Resolves with the records as they are afterwards.
	 */
	change(shas: readonly string[], change: (meta: PhotoMeta | undefined, sha: string) => PhotoChange): Promise<(PhotoMeta | undefined)[]>;
	/** change() over every record in the given states, in one transaction; resolves with how many changed. */
	changeInStates(states: readonly PhotoState[], change: (meta: PhotoMeta) => PhotoChange): Promise<number>;
	clear(): Promise<void>;
}

export function idbPhotoRecords(db: CourtyardDB): PhotoRecords {
	const apply = async (sha: string, meta: PhotoMeta | undefined, next: PhotoChange): Promise<PhotoMeta | undefined> => {
		if (next === undefined) return meta;
		if (next === 'delete') {
			await db.photos.delete(sha);
			await db.photoData.delete(sha);
			return undefined;
		}
		await db.photos.put(next.meta);
		if (next.blob) await db.photoData.put({ sha, blob: next.blob });
		return next.meta;
	};
	return {
		get: (sha) => db.photos.get(sha),
		getMany: (shas) => db.photos.bulkGet([...shas]),
		inStates: (states) => db.photos.where('state').anyOf([...states]).sortBy('addedAt'),
		bytes: async (sha) => (await db.photoData.get(sha))?.blob,
		change: (shas, change) =>
			db.transaction('rw', db.photos, db.photoData, async () => {
				const out: (PhotoMeta | undefined)[] = [];
				for (const sha of shas) {
					const meta = await db.photos.get(sha);
					out.push(await apply(sha, meta, change(meta, sha)));
				}
				return out;
			}),
		changeInStates: (states, change) =>
			db.transaction('rw', db.photos, db.photoData, async () => {
				let changed = 0;
				for (const meta of await db.photos.where('state').anyOf([...states]).toArray()) {
					const next = change(meta);
					if (next === undefined) continue;
					await apply(meta.sha, meta, next);
					changed++;
				}
				return changed;
			}),
		clear: () =>
			db.transaction('rw', db.photos, db.photoData, async () => {
				await db.photos.clear();
				await db.photoData.clear();
			})
	};
}

const copy = (meta: PhotoMeta): PhotoMeta => ({ ...meta, docs: [...meta.docs], uploaded: [...meta.uploaded] });

export class MemoryPhotoRecords implements PhotoRecords {
	private readonly metas = new Map<string, PhotoMeta>();
	private readonly blobs = new Map<string, Blob>();

	async get(sha: string): Promise<PhotoMeta | undefined> {
		const m = this.metas.get(sha);
		return m && copy(m);
	}

	async getMany(shas: readonly string[]): Promise<(PhotoMeta | undefined)[]> {
		return Promise.all(shas.map((s) => this.get(s)));
	}

	async inStates(states: readonly PhotoState[]): Promise<PhotoMeta[]> {
		return [...this.metas.values()].filter((m) => states.includes(m.state)).sort((a, b) => a.addedAt - b.addedAt).map(copy);
	}

	async bytes(sha: string): Promise<Blob | undefined> {
		return this.blobs.get(sha);
	}

	private apply(sha: string, next: PhotoChange): void {
		if (next === undefined) return;
		if (next === 'delete') {
			this.metas.delete(sha);
			this.blobs.delete(sha);
			return;
		}
		this.metas.set(sha, copy(next.meta));
		if (next.blob) this.blobs.set(sha, next.blob);
	}

	async change(shas: readonly string[], change: (meta: PhotoMeta | undefined, sha: string) => PhotoChange): Promise<(PhotoMeta | undefined)[]> {
		const out: (PhotoMeta | undefined)[] = [];
		for (const sha of shas) {
			this.apply(sha, change(await this.get(sha), sha));
			out.push(await this.get(sha));
		}
		return out;
	}

	async changeInStates(states: readonly PhotoState[], change: (meta: PhotoMeta) => PhotoChange): Promise<number> {
		let changed = 0;
		for (const meta of await this.inStates(states)) {
			const next = change(meta);
			if (next === undefined) continue;
			this.apply(meta.sha, next);
			changed++;
		}
		return changed;
	}

	async clear(): Promise<void> {
		this.metas.clear();
		this.blobs.clear();
	}
}
