/**
 * Photo metadata in courtyard.db beside the documents (the embedded default), on its own connection (WAL,
 * synchronous=FULL):
 *
 *   photos(sha PK, type, size, created_at, device, community, removing_since)
 *   photo_links(sha, doc, created_at)   PK (sha, doc)
 *
 * `link` and `beginRemoval` run in immediate transactions: they take the write lock before looking, so a quota
 * check and the row it admits, or a removal's check for links and its mark, cannot interleave with another
 * process on the same file (the admin CLI collecting while the relay runs).
 */
import type Database from 'better-sqlite3';
import {
	checkQuota,
	type LinkOutcome,
	linkFromRow,
	mayBeginRemoval,
	type PhotoLink,
	type PhotoMetaStore,
	type PhotoOwner,
	type PhotoRecord,
	type PhotoRow,
	type PhotoUsage
} from './photo-meta';
import { dbFileIn, openSqlite } from './sqlite-store';

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
 * Columns added after the first release; older databases get them on open. Photos stored before quotas count for
 * their community (of the first document they were linked to) but for no device, which is not known.
 */
const MIGRATIONS: Array<[column: string, sql: string]> = [
	['device', 'ALTER TABLE photos ADD COLUMN device TEXT'],
	[
		'community',
		`ALTER TABLE photos ADD COLUMN community TEXT;
		 UPDATE photos SET community = (
			SELECT substr(doc, 1, instr(doc, ':') - 1) FROM photo_links l WHERE l.sha = photos.sha ORDER BY created_at LIMIT 1
		 )`
	],
	// Set while the photo's bytes are being deleted (photo-meta.ts): links wait for the removal to end.
	['removing_since', 'ALTER TABLE photos ADD COLUMN removing_since INTEGER']
];
const INDEXES = `
CREATE INDEX IF NOT EXISTS photos_device ON photos (device);
CREATE INDEX IF NOT EXISTS photos_community ON photos (community);
-- The collector walks links by document (one read per document) from a cursor.
CREATE INDEX IF NOT EXISTS photo_links_doc ON photo_links (doc, sha);
`;

export class SqlitePhotoMeta implements PhotoMetaStore {
	private readonly db: Database.Database;
	private readonly stmt;
	private readonly linkTx: (sha: string, photo: PhotoRecord, doc: string, owner: PhotoOwner | null, now: number) => LinkOutcome;
	private readonly beginRemovalTx: (sha: string, before: number, now: number, staleBefore: number) => { size: number; since: number } | null;

	/** In `<dataDir>/courtyard.db`. */
	static open(dataDir: string): SqlitePhotoMeta {
		return new SqlitePhotoMeta(dbFileIn(dataDir));
	}

	constructor(dbFile: string) {
		this.db = openSqlite(dbFile);
		this.db.exec(SCHEMA);
		const columns = new Set(this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('photos')").all().map((c) => c.name));
		for (const [column, sql] of MIGRATIONS) if (!columns.has(column)) this.db.transaction(() => this.db.exec(sql))();
		this.db.exec(INDEXES);
		this.stmt = {
			insertPhoto: this.db.prepare<[string, string, number, number, string | null, string | null]>(
				'INSERT INTO photos (sha, type, size, created_at, device, community) VALUES (?, ?, ?, ?, ?, ?)'
			),
			insertLink: this.db.prepare<[string, string, number]>('INSERT OR IGNORE INTO photo_links (sha, doc, created_at) VALUES (?, ?, ?)'),
			photo: this.db.prepare<[string], PhotoRow>('SELECT type, size, created_at, removing_since FROM photos WHERE sha = ?'),
			links: this.db.prepare<[string], { doc: string }>('SELECT doc FROM photo_links WHERE sha = ? ORDER BY created_at, doc'),
			hasLink: this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM photo_links WHERE sha = ? LIMIT 1'),
			deviceUsage: this.db.prepare<[string], { n: number | null }>('SELECT SUM(size) AS n FROM photos WHERE device = ?'),
			communityUsage: this.db.prepare<[string], { n: number | null }>('SELECT SUM(size) AS n FROM photos WHERE community = ?'),
			linksBefore: this.db.prepare<[string, string, number, number], { sha: string; doc: string; created_at: number }>(
				'SELECT sha, doc, created_at FROM photo_links WHERE (doc, sha) > (?, ?) AND created_at < ? ORDER BY doc, sha LIMIT ?'
			),
			unlink: this.db.prepare<[string, string]>('DELETE FROM photo_links WHERE sha = ? AND doc = ?'),
			unlinkedBefore: this.db.prepare<[number, number], { sha: string }>(
				'SELECT sha FROM photos p WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM photo_links l WHERE l.sha = p.sha) LIMIT ?'
			),
			mark: this.db.prepare<[number, string]>('UPDATE photos SET removing_since = ? WHERE sha = ?'),
			endRemoval: this.db.prepare<[string, number]>('DELETE FROM photos WHERE sha = ? AND removing_since = ?')
		};
		const linkTx = this.db.transaction((sha: string, photo: PhotoRecord, doc: string, owner: PhotoOwner | null, now: number): LinkOutcome => {
			const row = this.stmt.photo.get(sha);
			if (row && row.removing_since !== null) return { linked: false, removingSince: row.removing_since };
			if (!row) {
				if (owner) checkQuota(owner, this.usageNow(owner.device, owner.community), photo.size);
				this.stmt.insertPhoto.run(sha, photo.type, photo.size, now, owner?.device ?? null, owner?.community ?? null);
			}
			this.stmt.insertLink.run(sha, doc, now);
			return { linked: true, isNew: !row };
		});
		this.linkTx = (...args) => linkTx.immediate(...args);
		const beginRemovalTx = this.db.transaction((sha: string, before: number, now: number, staleBefore: number) => {
			const row = this.stmt.photo.get(sha);
			if (!row || this.stmt.hasLink.get(sha) || !mayBeginRemoval(row.created_at, row.removing_since, before, staleBefore)) return null;
			this.stmt.mark.run(now, sha);
			return { size: row.size, since: now };
		});
		this.beginRemovalTx = (...args) => beginRemovalTx.immediate(...args);
	}

	async link(sha: string, photo: PhotoRecord, doc: string, owner: PhotoOwner | null, now: number): Promise<LinkOutcome> {
		return this.linkTx(sha, photo, doc, owner, now);
	}

	async get(sha: string): Promise<PhotoRecord | null> {
		const row = this.stmt.photo.get(sha);
		return row && row.removing_since === null ? { type: row.type, size: row.size } : null;
	}

	async docs(sha: string): Promise<string[]> {
		return this.stmt.links.all(sha).map((r) => r.doc);
	}

	async usage(device: string, community: string): Promise<PhotoUsage> {
		return this.usageNow(device, community);
	}

	private usageNow(device: string, community: string): PhotoUsage {
		return { device: this.stmt.deviceUsage.get(device)?.n ?? 0, community: this.stmt.communityUsage.get(community)?.n ?? 0 };
	}

	async linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]> {
		return this.stmt.linksBefore
			.all(cursor?.doc ?? '', cursor?.sha ?? '', before, limit)
			.map(linkFromRow);
	}

	async unlink(sha: string, doc: string): Promise<void> {
		this.stmt.unlink.run(sha, doc);
	}

	async unlinkedBefore(before: number, limit: number): Promise<string[]> {
		return this.stmt.unlinkedBefore.all(before, limit).map((r) => r.sha);
	}

	async beginRemoval(sha: string, before: number, now: number, staleBefore: number): Promise<{ size: number; since: number } | null> {
		return this.beginRemovalTx(sha, before, now, staleBefore);
	}

	async endRemoval(sha: string, since: number): Promise<boolean> {
		return this.stmt.endRemoval.run(sha, since).changes > 0;
	}

	async close(): Promise<void> {
		if (this.db.open) this.db.close();
	}
}
