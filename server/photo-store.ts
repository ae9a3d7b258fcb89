/**
 * Photo storage: content-addressed bytes plus the documents each photo was uploaded for (the relay serves a
 * photo only to a credential that may read one of them).
 *
 * DiskPhotoStore keeps the bytes in `<dataDir>/photos/<first 2 hex>/<sha256>` and the links in courtyard.db
 * (its own connection, WAL, synchronous=FULL):
 *
 *   photos(sha PK, type, size, created_at)
 *   photo_links(sha, doc, created_at)   PK (sha, doc)
 *
 * A photo is acknowledged only once durable: bytes to a temp file, fsync, rename, fsync the directory, then the
 * link rows commit. A crash in between leaves at worst a file without links, which serves nobody until a
 * re-upload adds its link. MemoryPhotoStore has the same contract for relays without a data directory.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { PhotoType } from '../src/lib/protocol/photos';
import { DB_FILE } from './sqlite-store';

export interface StoredPhoto {
	type: PhotoType;
	bytes: Uint8Array;
}

export interface PhotoStore {
	/** Stores the bytes unless already stored and links the photo to `doc`, durably. True if the bytes were new. */
	put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string): Promise<boolean>;
	/** Documents the photo was uploaded for; empty for an unknown photo. */
	docs(sha: string): Promise<string[]>;
	read(sha: string): Promise<StoredPhoto | null>;
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

const TEMP_SUFFIX = '.tmp';

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
	private readonly linkTx: (sha: string, type: PhotoType, size: number, doc: string) => void;

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
		this.stmt = {
			insertPhoto: this.db.prepare<[string, string, number, number]>(
				'INSERT OR IGNORE INTO photos (sha, type, size, created_at) VALUES (?, ?, ?, ?)'
			),
			insertLink: this.db.prepare<[string, string, number]>('INSERT OR IGNORE INTO photo_links (sha, doc, created_at) VALUES (?, ?, ?)'),
			photo: this.db.prepare<[string], { type: PhotoType; size: number }>('SELECT type, size FROM photos WHERE sha = ?'),
			links: this.db.prepare<[string], { doc: string }>('SELECT doc FROM photo_links WHERE sha = ? ORDER BY created_at, doc')
		};
		this.linkTx = this.db.transaction((sha: string, type: PhotoType, size: number, doc: string) => {
			const now = Date.now();
			this.stmt.insertPhoto.run(sha, type, size, now);
			this.stmt.insertLink.run(sha, doc, now);
		});
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

	async put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string): Promise<boolean> {
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
		this.linkTx(sha, type, bytes.length, doc);
		return isNew;
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
	private readonly photos = new Map<string, StoredPhoto>();
	private readonly links = new Map<string, Set<string>>();

	async put(sha: string, bytes: Uint8Array, type: PhotoType, doc: string): Promise<boolean> {
		const isNew = !this.photos.has(sha);
		if (isNew) this.photos.set(sha, { type, bytes: bytes.slice() });
		let docs = this.links.get(sha);
		if (!docs) this.links.set(sha, (docs = new Set()));
		docs.add(doc);
		return isNew;
	}

	async docs(sha: string): Promise<string[]> {
		return [...(this.links.get(sha) ?? [])];
	}

	async read(sha: string): Promise<StoredPhoto | null> {
		return this.photos.get(sha) ?? null;
	}

	async close(): Promise<void> {}
}

/** Photos on disk beside the documents, or in memory for a relay without a data directory (tests, benches). */
export function openPhotoStore(dataDir: string | null): PhotoStore {
	return dataDir === null ? new MemoryPhotoStore() : DiskPhotoStore.open(dataDir);
}
