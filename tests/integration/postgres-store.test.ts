/**
 * PgStore against a real PostgreSQL: the DocStore contract suite, and what only several writers show — the change
 * feed's cursor under concurrent writers in separate pools (as separate relay processes have), and compaction
 * racing appends. Each case gets a database of its own on one server.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prng } from '../../src/lib/domain/prng';
import { docStoreContract } from '../../server/storage/doc-store.contract';
import { PgStore } from '../../server/storage/postgres/pg-store';
import { monitorStore, StorageHealth } from '../../server/storage/storage-health';
import type { AppendedUpdate } from '../../server/storage/store';
import { type PostgresService, startPostgres } from '../services/services';
import { serviceForFile } from './helpers-lifecycle';
import { waitFor } from './helpers';

let server: PostgresService;
serviceForFile(startPostgres, (s) => (server = s), 60_000);

docStoreContract('PgStore', async () => {
	const url = await server.freshDatabase();
	return { store: await PgStore.open(url), reopen: () => PgStore.open(url), alongside: () => PgStore.open(url), cleanup: () => {} };
});

/** Follows the change feed the way Hub.listChanges does: cursor = last entry, or the head after a short page. */
class FeedReader {
	cursor = 0;
	readonly seen: Array<{ doc: string; seq: number }> = [];

	constructor(
		private readonly store: PgStore,
		private readonly pageSize: () => number
	) {}

	/** One page; returns how many entries it held. */
	async step(): Promise<number> {
		const limit = this.pageSize();
		const page = await this.store.changesSince(this.cursor, limit);
		let previous = this.cursor;
		for (const entry of page.entries) {
			expect(entry.seq).toBeGreaterThan(previous);
			previous = entry.seq;
			this.seen.push(entry);
		}
		expect(page.headSeq).toBeGreaterThanOrEqual(previous);
		this.cursor = page.entries.length < limit ? Math.max(previous, page.headSeq) : previous;
		return page.entries.length;
	}
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('PgStore with several writers', () => {
	it('a seeded run of concurrent writers in separate pools: the feed reader skips no committed entry', async () => {
		const seed = 0x5eed17;
		const random = prng(seed);
		const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
		const url = await server.freshDatabase();
		const writers = await Promise.all([1, 2, 3].map(() => PgStore.open(url, { max: 3 })));
		const readerStore = await PgStore.open(url, { max: 1 });
		try {
			const hot = Array.from({ length: 6 }, (_, i) => `demo:proposal:hot${i}`);
			let unique = 0;
			const committed: AppendedUpdate[] = [];
			// Plans drawn up front from the seed: per writer, rounds of 1–3 concurrent batches of 1–6 updates, each to
			// a hot document (contended docs rows) or to a document written only once (its one entry must be seen).
			const plans = writers.map(() =>
				Array.from({ length: 25 }, () =>
					Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
						Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({
							doc: random() < 0.5 ? pick(hot) : `demo:proposal:once${++unique}`,
							data: new Uint8Array(Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)))
						}))
					)
				)
			);
			let writing = true;
			const writing$ = Promise.all(
				writers.map(async (store, w) => {
					for (const round of plans[w] ?? []) {
						const results = await Promise.all(round.map((batch) => store.appendUpdates(batch)));
						committed.push(...results.flat());
					}
				})
			).finally(() => {
				writing = false;
			});
			const reader = new FeedReader(readerStore, () => 1 + Math.floor(random() * 4));
			let steps = 0;
			while (writing) {
				await reader.step();
				steps += 1;
			}
			await writing$;
			while ((await reader.step()) > 0 || reader.cursor < (await readerStore.headSeq())) steps += 1;

			// Seqs are 1..N with no gap, each handed out once.
			const seqs = committed.map((c) => c.seq).sort((a, b) => a - b);
			expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
			expect(reader.cursor).toBe(seqs.length);
			// Every committed (doc, seq) reached the reader: as itself, or as a later entry of the same document.
			const latestSeen = new Map<string, number>();
			for (const { doc, seq } of reader.seen) latestSeen.set(doc, Math.max(seq, latestSeen.get(doc) ?? 0));
			const missed = committed.filter((c) => (latestSeen.get(c.doc) ?? 0) < c.seq);
			expect(missed).toEqual([]);
			// A document written once has exactly one entry, and the reader saw exactly it.
			const onceSeen = reader.seen.filter((e) => e.doc.includes(':once'));
			expect(onceSeen.sort((a, b) => a.seq - b.seq)).toEqual(
				committed.filter((c) => c.doc.includes(':once')).map(({ doc, seq }) => ({ doc, seq })).sort((a, b) => a.seq - b.seq)
			);
			expect(unique).toBeGreaterThan(100);
			expect(steps).toBeGreaterThan(1);
			for (const doc of hot) {
				expect(await readerStore.rowCount(doc)).toBe(committed.filter((c) => c.doc === doc).length);
			}
		} finally {
			for (const s of [...writers, readerStore]) await s.close();
		}
	});

	it('a writer waits while an earlier allocation is uncommitted, so the feed never shows a later seq first', async () => {
		const url = await server.freshDatabase();
		const store = await PgStore.open(url);
		const other = await PgStore.open(url);
		const early = new pg.Client({ connectionString: url });
		await early.connect();
		try {
			await store.appendUpdates([{ doc: 'demo:proposal:a', data: new Uint8Array([1]) }]);
			// An append in flight elsewhere: seq 2 taken, its docs row written, not yet committed.
			await early.query('BEGIN');
			await early.query('UPDATE feed_head SET seq = seq + 1 WHERE id = 1');
			await early.query(
				"INSERT INTO updates (seq, doc, data) VALUES (2, 'demo:proposal:b', '\\x02'); INSERT INTO docs (name, community, kind, last_seq, updated_at, rows, bytes) VALUES ('demo:proposal:b', 'demo', 'proposal', 2, 0, 1, 1)"
			);
			let later: AppendedUpdate[] | null = null;
			const appending = other.appendUpdates([{ doc: 'demo:proposal:c', data: new Uint8Array([3]) }]).then((r) => (later = r));
			// The second writer is blocked on the feed head's row lock (waited on as the holder's transaction id).
			await waitFor(
				async () =>
					(
						await early.query<{ n: number }>(
							"SELECT COUNT(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
						)
					).rows[0]?.n === 1,
				{ what: 'the second writer waiting on feed_head' }
			);
			expect(later).toBeNull();
			expect(await store.changesSince(1, 10)).toEqual({ headSeq: 1, entries: [] });
			await early.query('COMMIT');
			await appending;
			expect(later).toEqual([{ doc: 'demo:proposal:c', seq: 3, rows: 1, bytes: 1 }]);
			expect(await store.changesSince(1, 10)).toEqual({
				headSeq: 3,
				entries: [
					{ doc: 'demo:proposal:b', seq: 2 },
					{ doc: 'demo:proposal:c', seq: 3 }
				]
			});
		} finally {
			await early.end();
			await store.close();
			await other.close();
		}
	});

	it('compaction racing appends from another pool deletes only what it merged: every update survives', async () => {
		const url = await server.freshDatabase();
		const appender = await PgStore.open(url, { max: 4 });
		const compactor = await PgStore.open(url, { max: 2 });
		const doc = 'demo:households:race';
		try {
			const total = 240;
			// Independent writers, so each update's key can be checked on its own.
			const update = (i: number) => {
				const w = new Y.Doc();
				w.getMap('households').set(`h${i}`, i);
				return Y.encodeStateAsUpdate(w);
			};
			let appending = true;
			let compactions = 0;
			let merged = 0;
			const appends = (async () => {
				for (let i = 0; i < total; i += 4) {
					// Up to four appends in flight at once, some of them while a compaction holds its rows.
					await Promise.all([0, 1, 2, 3].map((k) => appender.appendUpdates([{ doc, data: update(i + k) }])));
					if (i % 20 === 0) await sleep(1);
				}
			})().finally(() => {
				appending = false;
			});
			const compacting = (async () => {
				while (appending) {
					const result = await compactor.compact(doc);
					compactions += 1;
					if (result.before > 1) merged += 1;
				}
			})();
			await Promise.all([appends, compacting]);
			expect(compactions).toBeGreaterThan(1);
			expect(merged).toBeGreaterThan(0);

			const d = new Y.Doc();
			for (const u of await compactor.loadUpdates(doc)) Y.applyUpdate(d, u);
			const keys = d.getMap('households');
			const lost = Array.from({ length: total }, (_, i) => `h${i}`).filter((k) => !keys.has(k));
			expect(lost).toEqual([]);
			// The running counts agree with the rows actually stored.
			const rows = await compactor.loadUpdates(doc);
			expect(await compactor.rowCount(doc)).toBe(rows.length);
			expect(await compactor.docBytes(doc)).toBe(rows.reduce((n, r) => n + r.length, 0));
			expect((await compactor.changesSince(0, 10)).entries).toEqual([{ doc, seq: total }]);
			await compactor.compact(doc);
			expect(await compactor.rowCount(doc)).toBe(1);
		} finally {
			await appender.close();
			await compactor.close();
		}
	});
});

describe('PgStore health', () => {
	// Last in the file: it stops the shared server.
	it('fails the probe, and storage health, once PostgreSQL is gone', async () => {
		const url = await server.freshDatabase();
		const store = await PgStore.open(url);
		const health = new StorageHealth();
		const monitored = monitorStore(store, health);
		try {
			await monitored.appendUpdates([{ doc: 'demo:proposal:h', data: new Uint8Array([1]) }]);
			expect(await health.check(monitored)).toEqual({ reads: 'ok', writes: 'ok', lastFailure: null });
			await server.stop({ hard: true });
			await expect(store.probe()).rejects.toThrow();
			await expect(monitored.appendUpdates([{ doc: 'demo:proposal:h', data: new Uint8Array([2]) }])).rejects.toThrow();
			const status = await new StorageHealth().check(monitored);
			expect(status).toMatchObject({ reads: 'failing', lastFailure: { what: 'probe' } });
			expect((await health.check(monitored)).writes).toBe('failing');
		} finally {
			await store.close();
		}
	});
});
