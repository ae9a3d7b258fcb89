/**
 * SQLite storage: `<dataDir>/courtyard.db`, WAL with synchronous=FULL so that a committed transaction has been
 * fsynced; the relay acknowledges an update only after its transaction commits, so kill -9 loses nothing
 * acknowledged.
 *
 *   updates(seq PK AUTOINCREMENT, doc, data)    the log; index (doc, seq)
 *   docs(name PK, community, kind, last_seq, updated_at, rows, bytes)
 *
 * `rows` counts a document's update rows so that compaction needs no COUNT(*); `bytes` is the running size of
 * those rows, so the per-kind size cap reads one row instead of summing the log. Compaction re-inserts the merged
 * update under the seq of the last row it replaces, so it consumes no sequence number and last_seq never moves.
 *
 * A conditional append (store.ts) reads the documents' last_seq inside its transaction, begun IMMEDIATE so that it
 * holds the write lock before it reads: another connection to the file cannot commit in between.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { type AppendedUpdate, type ChangePage, type CompactResult, type DocStore, isConditional, type PendingUpdate, StaleWrite, staleUpdates } from './store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS updates (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	doc TEXT NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_doc ON updates (doc, seq);
CREATE TABLE IF NOT EXISTS docs (
	name TEXT PRIMARY KEY,
	community TEXT NOT NULL,
	kind TEXT NOT NULL,
	last_seq INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	rows INTEGER NOT NULL DEFAULT 0,
	bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS docs_last_seq ON docs (last_seq);
`;

export const DB_FILE = 'courtyard.db';

/** `<dataDir>/courtyard.db`, the file the documents, the access database and the photo metadata share. */
export function dbFileIn(dataDir: string): string {
	fs.mkdirSync(dataDir, { recursive: true });
	return path.join(dataDir, DB_FILE);
}

/**
 * A connection to the relay's SQLite file, set up as every connection to it is: WAL and synchronous=FULL (an
 * acknowledged write is on disk; neither applies to an in-memory database), waiting up to 5 s for a write lock
 * another connection or process holds.
 */
export function openSqlite(file: string): Database.Database {
	const db = new Database(file);
	if (file !== ':memory:') {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = FULL');
	}
	db.pragma('busy_timeout = 5000');
	return db;
}

export class SqliteStore implements DocStore {
	private readonly db: Database.Database;
	private head: number;
	private readonly stmt;
	private readonly appendTx: Database.Transaction<(batch: readonly PendingUpdate[]) => AppendedUpdate[]>;
	private readonly compactTx: (doc: string) => CompactResult;

	static open(dataDir: string): SqliteStore {
		return new SqliteStore(dbFileIn(dataDir));
	}

	constructor(file: string) {
		this.db = openSqlite(file);
		this.db.exec(SCHEMA);
		this.addBytesColumn();
		this.stmt = {
			load: this.db.prepare<[string], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? ORDER BY seq'),
			loadWithSeq: this.db.prepare<[string], { seq: number; data: Buffer }>(
				'SELECT seq, data FROM updates WHERE doc = ? ORDER BY seq'
			),
			insert: this.db.prepare<[string, Uint8Array]>('INSERT INTO updates (doc, data) VALUES (?, ?)'),
			insertAt: this.db.prepare<[number, string, Uint8Array]>('INSERT INTO updates (seq, doc, data) VALUES (?, ?, ?)'),
			deleteUpTo: this.db.prepare<[string, number]>('DELETE FROM updates WHERE doc = ? AND seq <= ?'),
			upsertDoc: this.db.prepare<[string, string, string, number, number, number, number], { rows: number; bytes: number }>(
				`INSERT INTO docs (name, community, kind, last_seq, updated_at, rows, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)
				 ON CONFLICT (name) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at,
				 rows = rows + excluded.rows, bytes = bytes + excluded.bytes
				 RETURNING rows, bytes`
			),
			setBytes: this.db.prepare<[number, string]>('UPDATE docs SET bytes = ? WHERE name = ?'),
			bytes: this.db.prepare<[string], { bytes: number }>('SELECT bytes FROM docs WHERE name = ?'),
			setRows: this.db.prepare<[number, string]>('UPDATE docs SET rows = ? WHERE name = ?'),
			rows: this.db.prepare<[string], { rows: number }>('SELECT rows FROM docs WHERE name = ?'),
			lastSeq: this.db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM docs WHERE name = ?'),
			changes: this.db.prepare<[number, number], { name: string; last_seq: number }>(
				'SELECT name, last_seq FROM docs WHERE last_seq > ? ORDER BY last_seq LIMIT ?'
			),
			head: this.db.prepare<[], { head: number | null }>('SELECT MAX(last_seq) AS head FROM docs'),
			count: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM docs'),
			probe: this.db.prepare<[], unknown>(
				'SELECT (SELECT length(data) FROM updates ORDER BY seq DESC LIMIT 1) AS u, (SELECT rows FROM docs ORDER BY last_seq DESC LIMIT 1) AS d'
			)
		};
		this.head = this.stmt.head.get()?.head ?? 0;

		this.appendTx = this.db.transaction((batch: readonly PendingUpdate[]) => {
			if (isConditional(batch)) {
				const stale = staleUpdates(batch, (doc) => this.stmt.lastSeq.get(doc)?.last_seq ?? 0);
				// Thrown inside the transaction: rolled back, nothing written.
				if (stale.length > 0) throw new StaleWrite(stale);
			}
			const now = Date.now();
			// One docs upsert per document per batch, not per row: a batch holds several updates of a document.
			const seqs = batch.map(({ doc, data }) => Number(this.stmt.insert.run(doc, data).lastInsertRowid));
			const perDoc = new Map<string, { last: number; rows: number; bytes: number }>();
			batch.forEach(({ doc, data }, i) => {
				const d = perDoc.get(doc);
				if (d) {
					d.last = i;
					d.rows++;
					d.bytes += data.length;
				} else perDoc.set(doc, { last: i, rows: 1, bytes: data.length });
			});
			const after = new Map<string, { rows: number; bytes: number }>();
			for (const [doc, d] of perDoc) {
				const parsed = parseDocName(doc);
				const row = this.stmt.upsertDoc.get(doc, parsed?.community ?? '', parsed?.kind ?? '', seqs[d.last]!, now, d.rows, d.bytes);
				after.set(doc, row ?? { rows: d.rows, bytes: d.bytes });
			}
			// Each entry reports the document as it stood after it: walk back from the batch's end.
			const result = new Array<AppendedUpdate>(batch.length);
			for (let i = batch.length - 1; i >= 0; i--) {
				const { doc, data } = batch[i]!;
				const a = after.get(doc)!;
				result[i] = { doc, seq: seqs[i]!, rows: a.rows, bytes: a.bytes };
				a.rows--;
				a.bytes -= data.length;
			}
			return result;
		});

		this.compactTx = this.db.transaction((doc: string): CompactResult => {
			const rows = this.stmt.loadWithSeq.all(doc);
			const last = rows.at(-1);
			if (rows.length <= 1 || !last) return { before: rows.length, after: rows.length };
			const merged = Y.mergeUpdates(rows.map((r) => r.data));
			this.stmt.deleteUpTo.run(doc, last.seq);
			this.stmt.insertAt.run(last.seq, doc, merged);
			this.stmt.setRows.run(1, doc);
			this.stmt.setBytes.run(merged.length, doc);
			return { before: rows.length, after: 1 };
		});
	}

	async loadUpdates(doc: string): Promise<Uint8Array[]> {
		return this.stmt.load.all(doc).map((r) => r.data);
	}

	async appendUpdates(batch: readonly PendingUpdate[]): Promise<AppendedUpdate[]> {
		if (batch.length === 0) return [];
		const result = isConditional(batch) ? this.appendTx.immediate(batch) : this.appendTx(batch);
		const last = result.at(-1);
		if (last) this.head = Math.max(this.head, last.seq);
		return result;
	}

	async changesSince(seq: number, limit: number): Promise<ChangePage> {
		const entries = this.stmt.changes.all(seq, limit).map((r) => ({ doc: r.name, seq: r.last_seq }));
		return { headSeq: this.head, entries };
	}

	async headSeq(): Promise<number> {
		return this.head;
	}

	async compact(doc: string): Promise<CompactResult> {
		return this.compactTx(doc);
	}

	async docCount(): Promise<number> {
		return this.stmt.count.get()?.n ?? 0;
	}

	async rowCount(doc: string): Promise<number> {
		return this.stmt.rows.get(doc)?.rows ?? 0;
	}

	async docBytes(doc: string): Promise<number> {
		return this.stmt.bytes.get(doc)?.bytes ?? 0;
	}

	/** Databases made before `docs.bytes` existed get the column, filled once from the log. */
	private addBytesColumn(): void {
		const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(docs)').all();
		if (columns.some((c) => c.name === 'bytes')) return;
		this.db.transaction(() => {
			this.db.exec('ALTER TABLE docs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0');
			this.db.exec('UPDATE docs SET bytes = (SELECT COALESCE(SUM(length(data)), 0) FROM updates WHERE updates.doc = docs.name)');
		})();
	}

	/** Reads the newest update row and document: the b-tree pages the next append will write. */
	async probe(): Promise<void> {
		this.stmt.probe.get();
	}

	async close(): Promise<void> {
		if (this.db.open) this.db.close();
	}
}
