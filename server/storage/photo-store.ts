/**
 * Photo storage: content-addressed bytes plus the documents each photo was uploaded for (the relay serves a
 * photo only to a credential that may read one of them).
 *
 * DiskPhotoStore keeps the bytes in `<dataDir>/photos/<first 2 hex>/<sha256>` and the links in courtyard.db
 * (its own connection, WAL, synchronous=FULL):
 *
 *   photos(sha PK, type, size, created_at, device, community)
 *   photo_links(sha, doc, created_at)   PK (sha, doc)
 *
 * A photo is acknowledged only once durable: bytes to a temp file, fsync, rename, fsync the directory, then the
 * link rows commit. A crash in between leaves at worst a file without links, which serves nobody until a
 * re-upload adds its link. MemoryPhotoStore has the same contract for relays without a data directory.
 *
 * Quotas: the bytes of a photo count once, against the device that first stored them and the community of the
 * document they were stored for (`usage`); a re-upload of stored bytes costs nothing. `put` checks the quota in
 * the same transaction that adds the photo row, so concurrent uploads cannot overshoot it together.
 *
 * Garbage collection (photo-gc.ts) removes links that their document does not reference (`unlink`) and then the
 * photos left without links (`removeIfUnlinked`). Deleting a file and re-linking its bytes both run inside an
 * immediate SQLite transaction and look at the file there, so a photo is never left linked without its bytes,
 * even when the admin CLI collects while the relay runs.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { PhotoType } from '../../src/lib/protocol/photos';
import { DB_FILE } from './sqlite-store';

export interface StoredPhoto {
	type: PhotoType;
	bytes: Uint8Array;
}

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

export interface PhotoStore {
	/**
	 * Stores the bytes unless already stored and links the photo to `doc`, durably. True if the bytes were new.
	 * New bytes count against `owner`'s quotas; throws PhotoQuotaError (storing nothing) when they do not fit.
	 */
	put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string, owner?: PhotoOwner): Promise<boolean>;
	/** Documents the photo was uploaded for; empty for an unknown photo. */
	docs(sha: string): Promise<string[]>;
	read(sha: string): Promise<StoredPhoto | null>;
	/** Whether the bytes are stored (a re-upload of them costs no quota). */
	has(sha: string): Promise<boolean>;
	/** Bytes of photos stored by the device and for the community. */
	usage(device: string, community: string): Promise<PhotoUsage>;
	/** Links created before `before`, by document, at most `limit`, after `cursor` (doc, sha) in that order. */
	linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]>;
	/** Removes one link; the photo stays until removeIfUnlinked. */
	unlink(sha: string, doc: string): Promise<void>;
	/** Photos without any link that were stored before `before`, at most `limit`. */
	unlinkedBefore(before: number, limit: number): Promise<string[]>;
	/** Deletes the photo's bytes and row if it still has no link and was stored before `before`; its size if so. */
	removeIfUnlinked(sha: string, before: number): Promise<number | null>;
	close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS photos (
	sha TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	size INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS photo_links (
	sha TEXT NOT NULL,
	doc TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (sha, doc)
) WITHOUT ROWID;
`;

/**
 * Added for quotas; older databases get them on open. Photos stored before count for their community (of the
 * first document they were linked to) but for no device, which is not known.
 */
const MIGRATIONS: Array<[column: string, sql: string]> = [
	['device', 'ALTER TABLE photos ADD COLUMN device TEXT'],
	[
		'community',
		`ALTER TABLE photos ADD COLUMN community TEXT;
		 UPDATE photos SET community = (
			SELECT substr(doc, 1, instr(doc, ':') - 1) FROM photo_links l WHERE l.sha = photos.sha ORDER BY created_at LIMIT 1
		 )`
	]
];
const INDEXES = `
CREATE INDEX IF NOT EXISTS photos_device ON photos (device);
CREATE INDEX IF NOT EXISTS photos_community ON photos (community);
-- The collector walks links by document (one read per document) from a cursor.
CREATE INDEX IF NOT EXISTS photo_links_doc ON photo_links (doc, sha);
`;

const TEMP_SUFFIX = '.tmp';

/** Inside the link transaction: the bytes put() saw are gone (collected meanwhile). */
class BytesGone extends Error {}

function fileHasSize(file: string, size: number): boolean {
	try {
		return fs.statSync(file).size === size;
	} catch {
		return false;
	}
}

/** fsync a directory so a rename or a new entry in it survives a crash (not possible on Windows: skipped). */
async function syncDir(dir: string): Promise<void> {
	let handle: fs.promises.FileHandle | null = null;
	try {
		handle = await fs.promises.open(dir, 'r');
		await handle.sync();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
	} finally {
		await handle?.close();
	}
}

export class DiskPhotoStore implements PhotoStore {
	private readonly db: Database.Database;
	private readonly root: string;
	private readonly stmt;
	private readonly linkTx: (sha: string, type: PhotoType, size: number, doc: string, owner: PhotoOwner | null) => void;
	private readonly removeTx: (sha: string, before: number) => number | null;

	static open(dataDir: string): DiskPhotoStore {
		fs.mkdirSync(dataDir, { recursive: true });
		return new DiskPhotoStore(path.join(dataDir, DB_FILE), path.join(dataDir, 'photos'));
	}

	constructor(dbFile: string, root: string) {
		this.root = root;
		fs.mkdirSync(root, { recursive: true });
		this.removeTempFiles();
		this.db = new Database(dbFile);
		this.db.pragma('journal_mode = WAL');
		this.db.pragma('synchronous = FULL');
		this.db.pragma('busy_timeout = 5000');
		this.db.exec(SCHEMA);
		const columns = new Set(this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('photos')").all().map((c) => c.name));
		for (const [column, sql] of MIGRATIONS) if (!columns.has(column)) this.db.transaction(() => this.db.exec(sql))();
		this.db.exec(INDEXES);
		this.stmt = {
			insertPhoto: this.db.prepare<[string, string, number, number, string | null, string | null]>(
				'INSERT OR IGNORE INTO photos (sha, type, size, created_at, device, community) VALUES (?, ?, ?, ?, ?, ?)'
			),
			insertLink: this.db.prepare<[string, string, number]>('INSERT OR IGNORE INTO photo_links (sha, doc, created_at) VALUES (?, ?, ?)'),
			photo: this.db.prepare<[string], { type: PhotoType; size: number }>('SELECT type, size FROM photos WHERE sha = ?'),
			links: this.db.prepare<[string], { doc: string }>('SELECT doc FROM photo_links WHERE sha = ? ORDER BY created_at, doc'),
			deviceUsage: this.db.prepare<[string], { n: number | null }>('SELECT SUM(size) AS n FROM photos WHERE device = ?'),
			communityUsage: this.db.prepare<[string], { n: number | null }>('SELECT SUM(size) AS n FROM photos WHERE community = ?'),
			linksBefore: this.db.prepare<[string, string, number, number], { sha: string; doc: string; created_at: number }>(
				'SELECT sha, doc, created_at FROM photo_links WHERE (doc, sha) > (?, ?) AND created_at < ? ORDER BY doc, sha LIMIT ?'
			),
			unlink: this.db.prepare<[string, string]>('DELETE FROM photo_links WHERE sha = ? AND doc = ?'),
			unlinkedBefore: this.db.prepare<[number, number], { sha: string }>(
				'SELECT sha FROM photos p WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM photo_links l WHERE l.sha = p.sha) LIMIT ?'
			),
			removeUnlinked: this.db.prepare<[string, number, string], { size: number }>(
				'DELETE FROM photos WHERE sha = ? AND created_at < ? AND NOT EXISTS (SELECT 1 FROM photo_links WHERE sha = ?) RETURNING size'
			)
		};
		const linkTx = this.db.transaction((sha: string, type: PhotoType, size: number, doc: string, owner: PhotoOwner | null) => {
			// Collection may have deleted the bytes since put() looked: have put() write them again.
			if (!fileHasSize(this.file(sha), size)) throw new BytesGone();
			const now = Date.now();
			if (owner && !this.stmt.photo.get(sha)) {
				const device = this.stmt.deviceUsage.get(owner.device)?.n ?? 0;
				if (device + size > owner.deviceQuota) throw new PhotoQuotaError('device', owner.deviceQuota, device);
				const community = this.stmt.communityUsage.get(owner.community)?.n ?? 0;
				if (community + size > owner.communityQuota) throw new PhotoQuotaError('community', owner.communityQuota, community);
			}
			this.stmt.insertPhoto.run(sha, type, size, now, owner?.device ?? null, owner?.community ?? null);
			this.stmt.insertLink.run(sha, doc, now);
		});
		// Immediate: takes the write lock before looking, so a concurrent put() in another process waits for it.
		this.linkTx = (...args) => linkTx.immediate(...args);
		const removeTx = this.db.transaction((sha: string, before: number): number | null => {
			const row = this.stmt.removeUnlinked.get(sha, before, sha);
			if (!row) return null;
			fs.rmSync(this.file(sha), { force: true });
			return row.size;
		});
		this.removeTx = (sha, before) => removeTx.immediate(sha, before);
	}

	private file(sha: string): string {
		return path.join(this.root, sha.slice(0, 2), sha);
	}

	/** Leftovers of writes a crash interrupted; never acknowledged, so nothing is lost by removing them. */
	private removeTempFiles(): void {
		for (const shard of fs.readdirSync(this.root)) {
			const dir = path.join(this.root, shard);
			if (!fs.statSync(dir).isDirectory()) continue;
			for (const name of fs.readdirSync(dir)) if (name.endsWith(TEMP_SUFFIX)) fs.rmSync(path.join(dir, name), { force: true });
		}
	}

	private async exists(file: string, size: number): Promise<boolean> {
		try {
			return (await fs.promises.stat(file)).size === size;
		} catch {
			return false;
		}
	}

	async put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string, owner?: PhotoOwner): Promise<boolean> {
		for (let attempt = 0; ; attempt++) {
			try {
				return await this.putOnce(sha, bytes, type, doc, owner ?? null);
			} catch (error) {
				if (!(error instanceof BytesGone) || attempt >= 3) throw error;
			}
		}
	}

	private async putOnce(sha: string, bytes: Uint8Array, type: PhotoType, doc: string, owner: PhotoOwner | null): Promise<boolean> {
		const target = this.file(sha);
		// Same name, same bytes: a stored photo is never rewritten, only linked to one more document.
		const isNew = !(await this.exists(target, bytes.length));
		if (isNew) {
			const dir = path.dirname(target);
			if (await fs.promises.mkdir(dir, { recursive: true })) await syncDir(this.root);
			const temp = path.join(dir, `.${sha}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
			const handle = await fs.promises.open(temp, 'wx');
			try {
				await handle.writeFile(bytes);
				await handle.sync();
			} finally {
				await handle.close();
			}
			await fs.promises.rename(temp, target);
			await syncDir(dir);
		}
		try {
			this.linkTx(sha, type, bytes.length, doc, owner);
		} catch (error) {
			// Bytes written for a refused upload would serve nobody and count for nobody.
			if (error instanceof PhotoQuotaError && isNew && !this.stmt.photo.get(sha)) await fs.promises.rm(target, { force: true });
			throw error;
		}
		return isNew;
	}

	async has(sha: string): Promise<boolean> {
		return this.stmt.photo.get(sha) !== undefined;
	}

	async usage(device: string, community: string): Promise<PhotoUsage> {
		return { device: this.stmt.deviceUsage.get(device)?.n ?? 0, community: this.stmt.communityUsage.get(community)?.n ?? 0 };
	}

	async linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]> {
		return this.stmt.linksBefore
			.all(cursor?.doc ?? '', cursor?.sha ?? '', before, limit)
			.map((r) => ({ sha: r.sha, doc: r.doc, createdAt: r.created_at }));
	}

	async unlink(sha: string, doc: string): Promise<void> {
		this.stmt.unlink.run(sha, doc);
	}

	async unlinkedBefore(before: number, limit: number): Promise<string[]> {
		return this.stmt.unlinkedBefore.all(before, limit).map((r) => r.sha);
	}

	async removeIfUnlinked(sha: string, before: number): Promise<number | null> {
		return this.removeTx(sha, before);
	}

	async docs(sha: string): Promise<string[]> {
		return this.stmt.links.all(sha).map((r) => r.doc);
	}

	async read(sha: string): Promise<StoredPhoto | null> {
		const row = this.stmt.photo.get(sha);
		if (!row) return null;
		try {
			return { type: row.type, bytes: await fs.promises.readFile(this.file(sha)) };
		} catch {
			return null;
		}
	}

	async close(): Promise<void> {
		if (this.db.open) this.db.close();
	}
}

export class MemoryPhotoStore implements PhotoStore {
	private readonly photos = new Map<string, StoredPhoto & { at: number; device: string | null; community: string | null }>();
	/** sha → doc → when linked. */
	private readonly links = new Map<string, Map<string, number>>();

	async put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string, owner?: PhotoOwner): Promise<boolean> {
		const isNew = !this.photos.has(sha);
		if (isNew) {
			if (owner) {
				const used = await this.usage(owner.device, owner.community);
				if (used.device + bytes.length > owner.deviceQuota) throw new PhotoQuotaError('device', owner.deviceQuota, used.device);
				if (used.community + bytes.length > owner.communityQuota) {
					throw new PhotoQuotaError('community', owner.communityQuota, used.community);
				}
			}
			this.photos.set(sha, { type, bytes: bytes.slice(), at: Date.now(), device: owner?.device ?? null, community: owner?.community ?? null });
		}
		let docs = this.links.get(sha);
		if (!docs) this.links.set(sha, (docs = new Map()));
		if (!docs.has(doc)) docs.set(doc, Date.now());
		return isNew;
	}

	async docs(sha: string): Promise<string[]> {
		return [...(this.links.get(sha)?.keys() ?? [])];
	}

	async read(sha: string): Promise<StoredPhoto | null> {
		const photo = this.photos.get(sha);
		return photo ? { type: photo.type, bytes: photo.bytes } : null;
	}

	async has(sha: string): Promise<boolean> {
		return this.photos.has(sha);
	}

	async usage(device: string, community: string): Promise<PhotoUsage> {
		const used = { device: 0, community: 0 };
		for (const p of this.photos.values()) {
			if (p.device === device) used.device += p.bytes.length;
			if (p.community === community) used.community += p.bytes.length;
		}
		return used;
	}

	async linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]> {
		const after = (l: PhotoLink) => !cursor || l.doc > cursor.doc || (l.doc === cursor.doc && l.sha > cursor.sha);
		return [...this.links]
			.flatMap(([sha, docs]) => [...docs].map(([doc, createdAt]) => ({ sha, doc, createdAt })))
			.filter((l) => l.createdAt < before && after(l))
			.sort((a, b) => (a.doc === b.doc ? (a.sha < b.sha ? -1 : 1) : a.doc < b.doc ? -1 : 1))
			.slice(0, limit);
	}

	async unlink(sha: string, doc: string): Promise<void> {
		const docs = this.links.get(sha);
		docs?.delete(doc);
		if (docs?.size === 0) this.links.delete(sha);
	}

	async unlinkedBefore(before: number, limit: number): Promise<string[]> {
		return [...this.photos]
			.filter(([sha, p]) => p.at < before && !this.links.has(sha))
			.map(([sha]) => sha)
			.slice(0, limit);
	}

	async removeIfUnlinked(sha: string, before: number): Promise<number | null> {
		const photo = this.photos.get(sha);
		if (!photo || photo.at >= before || this.links.has(sha)) return null;
		this.photos.delete(sha);
		return photo.bytes.length;
	}

	async close(): Promise<void> {}
}

/** Photos on disk beside the documents, or in memory for a relay without a data directory (tests, benches). */
export function openPhotoStore(dataDir: string | null): PhotoStore {
	return dataDir === null ? new MemoryPhotoStore() : DiskPhotoStore.open(dataDir);
}
