/**
 * PostgreSQL document storage (DATABASE_URL=postgres://…), the same contract and semantics as SqliteStore, for
 * several relay processes sharing one database. Schema: migrations/0001_documents.sql.
 *
 * Sequence numbers come from the one-row table `feed_head`: an append transaction takes them with
 * `UPDATE feed_head SET seq = seq + n … RETURNING seq`, which holds that row's lock until COMMIT. A second writer
 * (in any process) waits on the lock until the first has committed and is visible, so transactions commit in
 * the order of their sequence numbers. Hence every snapshot sees a prefix of the sequence: if seq N is visible,
 * every seq below N is too, and a change-feed reader whose cursor passed N can never later meet a smaller seq
 * committing (what a plain SEQUENCE, handed out outside the commit order, would allow). Appends therefore
 * serialise on that row. To keep that short, a batch (core/group-commit.ts gathers each process's writes) is
 * one statement: the head, the update rows (arrays, unnest) and the documents' rows, then COMMIT.
 *
 * Compaction takes no feed_head lock, so it never holds up the feed: it locks the rows it reads (FOR UPDATE),
 * merges exactly those, deletes exactly their seqs and rewrites the last one with the merged update; appends
 * that commit meanwhile add new rows it does not touch. Its change to docs.rows/bytes is relative
 * (rows − merged + 1) for the same reason, and last_seq stays.
 *
 * A conditional append (store.ts) takes the feed head's lock first, with BEGIN, and only then reads the documents'
 * last_seq: every append takes that lock, so what committed before is visible to the read (READ COMMITTED takes
 * a snapshot per statement) and nothing can commit between the read and this transaction's COMMIT. A statement
 * that waited for the lock would still read from the snapshot it took before waiting: hence a statement of its
 * own. Unconditional batches keep the one-statement path.
 */
import pg from 'pg';
import * as Y from 'yjs';
import { parseDocName } from '../../../src/lib/schema/doc-names';
import { type AppendedUpdate, type ChangePage, type CompactResult, type DocStore, isConditional, type PendingUpdate, StaleWrite, staleUpdates } from '../store';
import { openPostgres, type Postgres, type PostgresOptions, transaction } from './db';

/** How long a health probe may take before storage counts as failing (a hung server must not hang /api/health). */
const PROBE_TIMEOUT_MS = 5_000;

const toBuffer = (data: Uint8Array) => (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

export class PgStore implements DocStore {
	private closed = false;

	/**
	 * A store on `pool`. With `owned`, close() ends the connection too (PgStore.open); otherwise whoever opened
	 * the pool (the relay, which shares it with the access database and photo metadata) closes it.
	 */
	constructor(
		private readonly pool: pg.Pool,
		private readonly owned: Postgres | null = null
	) {}

	/** Connects (migrating the schema) with a pool of its own, ended by close(). */
	static async open(url: string, options: PostgresOptions = {}): Promise<PgStore> {
		const postgres = await openPostgres(url, options);
		return new PgStore(postgres.pool, postgres);
	}

	async loadUpdates(doc: string): Promise<Uint8Array[]> {
		const { rows } = await this.pool.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 ORDER BY seq', [doc]);
		return rows.map((r) => r.data);
	}

	async appendUpdates(batch: readonly PendingUpdate[]): Promise<AppendedUpdate[]> {
		if (batch.length === 0) return [];
		// One docs row per document (ON CONFLICT may touch a row only once per statement): the batch index of its
		// last update, and the rows and bytes this batch adds. In name order, so that two writers' row locks on docs
		// could never form a cycle even without the feed head serialising them.
		const perDoc = new Map<string, { last: number; rows: number; bytes: number }>();
		for (const [i, { doc, data }] of batch.entries()) {
			const d = perDoc.get(doc) ?? { last: 0, rows: 0, bytes: 0 };
			d.last = i + 1;
			d.rows += 1;
			d.bytes += data.length;
			perDoc.set(doc, d);
		}
		const names = [...perDoc.keys()].sort();
		const parsed = names.map((name) => parseDocName(name));
		const docs = names.map((name) => perDoc.get(name) as { last: number; rows: number; bytes: number });
		const conditional = isConditional(batch);
		// One statement between BEGIN and COMMIT, so the feed head's lock is held for one execution and the commit
		// (a conditional batch takes it with BEGIN and checks first: see the file comment).
		const { rows } = await transaction(
			this.pool,
			async (client) => {
				if (conditional) await this.refuseStale(client, batch);
				return client.query<{ base: number; name: string; rows: number; bytes: number }>(
					`WITH head AS (
					   UPDATE feed_head SET seq = seq + $1 WHERE id = 1 RETURNING seq - $1 AS base
					 ), appended AS (
					   INSERT INTO updates (seq, doc, data)
					   SELECT head.base + u.i, u.doc, u.data FROM head, unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS u(doc, data, i)
					 ), totals AS (
					   INSERT INTO docs (name, community, kind, last_seq, updated_at, rows, bytes)
					   SELECT d.name, d.community, d.kind, head.base + d.last, $4, d.rows, d.bytes
					   FROM head, unnest($5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::bigint[]) AS d(name, community, kind, last, rows, bytes)
					   ORDER BY d.name
					   ON CONFLICT (name) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at,
					     rows = docs.rows + excluded.rows, bytes = docs.bytes + excluded.bytes
					   RETURNING name, rows, bytes
					 )
					 SELECT head.base, totals.name, totals.rows, totals.bytes FROM head, totals`,
					[
						batch.length,
						batch.map((u) => u.doc),
						batch.map((u) => toBuffer(u.data)),
						Date.now(),
						names,
						parsed.map((p) => p?.community ?? ''),
						parsed.map((p) => p?.kind ?? ''),
						docs.map((d) => d.last),
						docs.map((d) => d.rows),
						docs.map((d) => d.bytes)
					]
				);
			},
			conditional ? { first: 'SELECT seq FROM feed_head WHERE id = 1 FOR UPDATE' } : {}
		);
		const base = rows[0]?.base;
		if (base === undefined) throw new Error('append wrote no document row');
		// The docs row holds the totals after the whole batch; walk backwards to get each input's own.
		const after = new Map(rows.map((r) => [r.name, { rows: r.rows, bytes: r.bytes }]));
		const result: AppendedUpdate[] = new Array(batch.length);
		for (let i = batch.length - 1; i >= 0; i--) {
			const { doc, data } = batch[i] as PendingUpdate;
			const totals = after.get(doc) as { rows: number; bytes: number };
			result[i] = { doc, seq: base + i + 1, rows: totals.rows, bytes: totals.bytes };
			totals.rows -= 1;
			totals.bytes -= data.length;
		}
		return result;
	}

	/** Throws StaleWrite if a conditional update's document moved on; run with the feed head locked. */
	private async refuseStale(client: pg.PoolClient, batch: readonly PendingUpdate[]): Promise<void> {
		const names = [...new Set(batch.filter((u) => u.unchangedSince !== undefined).map((u) => u.doc))];
		const { rows } = await client.query<{ name: string; last_seq: number }>('SELECT name, last_seq FROM docs WHERE name = ANY($1::text[])', [names]);
		const last = new Map(rows.map((r) => [r.name, r.last_seq]));
		const stale = staleUpdates(batch, (doc) => last.get(doc) ?? 0);
		if (stale.length > 0) throw new StaleWrite(stale);
	}

	async changesSince(seq: number, limit: number): Promise<ChangePage> {
		// One statement, one snapshot: the head and the entries agree, so a reader that moves its cursor to the head
		// after a short page cannot pass a document committed between two reads.
		const { rows } = await this.pool.query<{ head: number; name: string | null; last_seq: number | null }>(
			`SELECT h.seq AS head, p.name, p.last_seq FROM feed_head h
			 LEFT JOIN LATERAL (SELECT name, last_seq FROM docs WHERE last_seq > $1 ORDER BY last_seq LIMIT $2) p ON true
			 WHERE h.id = 1 ORDER BY p.last_seq`,
			[seq, limit]
		);
		const entries = rows.flatMap((r) => (r.name === null || r.last_seq === null ? [] : [{ doc: r.name, seq: r.last_seq }]));
		return { headSeq: rows[0]?.head ?? 0, entries };
	}

	async headSeq(): Promise<number> {
		const { rows } = await this.pool.query<{ seq: number }>('SELECT seq FROM feed_head WHERE id = 1');
		return rows[0]?.seq ?? 0;
	}

	async compact(doc: string): Promise<CompactResult> {
		return transaction(this.pool, async (client) => {
			// Compactions of one document (from any process) take turns, so each starts from the previous one's result.
			await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [doc]);
			const { rows } = await client.query<{ seq: number; data: Buffer }>(
				'SELECT seq, data FROM updates WHERE doc = $1 ORDER BY seq FOR UPDATE',
				[doc]
			);
			const last = rows.at(-1);
			if (rows.length <= 1 || !last) return { before: rows.length, after: rows.length };
			const merged = toBuffer(Y.mergeUpdates(rows.map((r) => r.data)));
			const oldBytes = rows.reduce((n, r) => n + r.data.length, 0);
			// Exactly the seqs read: rows appended after the read are not among them, whatever their seq.
			await client.query('DELETE FROM updates WHERE seq = ANY($1::bigint[])', [rows.slice(0, -1).map((r) => r.seq)]);
			await client.query('UPDATE updates SET data = $2 WHERE seq = $1', [last.seq, merged]);
			await client.query('UPDATE docs SET rows = rows - $2, bytes = bytes - $3 + $4 WHERE name = $1', [
				doc,
				rows.length - 1,
				oldBytes,
				merged.length
			]);
			return { before: rows.length, after: 1 };
		});
	}

	async docCount(): Promise<number> {
		const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM docs');
		return rows[0]?.n ?? 0;
	}

	async rowCount(doc: string): Promise<number> {
		const { rows } = await this.pool.query<{ rows: number }>('SELECT rows FROM docs WHERE name = $1', [doc]);
		return rows[0]?.rows ?? 0;
	}

	async docBytes(doc: string): Promise<number> {
		const { rows } = await this.pool.query<{ bytes: number }>('SELECT bytes FROM docs WHERE name = $1', [doc]);
		return rows[0]?.bytes ?? 0;
	}

	/** Reads the feed head, the newest update row and document: what the next append touches. */
	async probe(): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`postgres did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
		});
		try {
			await Promise.race([
				this.pool.query(
					`SELECT (SELECT seq FROM feed_head WHERE id = 1) AS h,
					   (SELECT octet_length(data) FROM updates ORDER BY seq DESC LIMIT 1) AS u,
					   (SELECT rows FROM docs ORDER BY last_seq DESC LIMIT 1) AS d`
				),
				timeout
			]);
		} finally {
			clearTimeout(timer);
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.owned?.close();
	}
}
