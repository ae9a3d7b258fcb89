/**
 * The DocStore contract (store.ts) as one test suite that every implementation runs: MemoryStore and SqliteStore
 * in their specs, PgStore in tests/integration/postgres-store.test.ts against a real server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type DocStore, StaleWrite } from './store';

export interface OpenedStore {
	/** A store on empty storage. */
	store: DocStore;
	/** Another store on the same storage (after `store` was closed), if the implementation persists. */
	reopen?: () => Promise<DocStore>;
	/** Another store on the same storage while `store` is open, as another relay process has (MemoryStore: itself). */
	alongside: () => Promise<DocStore>;
	/** Removes the storage (the stores are closed by the suite). */
	cleanup: () => Promise<void> | void;
}

/** `n` successive updates of one document's text, each with one more character. */
export function textEdits(n: number): Uint8Array[] {
	const doc = new Y.Doc();
	const out: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => out.push(u));
	for (let i = 0; i < n; i++) doc.getText('t').insert(i, String(i % 10));
	return out;
}

const bytesOf = (list: readonly Uint8Array[]) => list.reduce((n, x) => n + x.length, 0);

export function docStoreContract(name: string, open: () => Promise<OpenedStore>): void {
	describe(`DocStore contract: ${name}`, () => {
		const opened: Array<{ stores: DocStore[]; cleanup: OpenedStore['cleanup'] }> = [];
		afterEach(async () => {
			for (const o of opened.splice(0)) {
				for (const s of o.stores) await s.close();
				await o.cleanup();
			}
		});

		async function fresh(): Promise<OpenedStore> {
			const o = await open();
			opened.push({ stores: [o.store], cleanup: o.cleanup });
			return o;
		}

		async function reopened(o: OpenedStore): Promise<DocStore | null> {
			if (!o.reopen) return null;
			await o.store.close();
			const again = await o.reopen();
			opened.at(-1)?.stores.push(again);
			return again;
		}

		it('starts empty', async () => {
			const { store } = await fresh();
			expect(await store.headSeq()).toBe(0);
			expect(await store.docCount()).toBe(0);
			expect(await store.changesSince(0, 10)).toEqual({ headSeq: 0, entries: [] });
			expect(await store.appendUpdates([])).toEqual([]);
			expect(await store.rowCount('demo:proposal:none')).toBe(0);
			expect(await store.compact('demo:proposal:none')).toEqual({ before: 0, after: 0 });
		});

		it('appends a batch with increasing seqs, row counts and bytes', async () => {
			const { store } = await fresh();
			const [a, b, c] = textEdits(3) as [Uint8Array, Uint8Array, Uint8Array];
			const result = await store.appendUpdates([
				{ doc: 'demo:proposal:a', data: a },
				{ doc: 'demo:proposal:b', data: b },
				{ doc: 'demo:proposal:a', data: c }
			]);
			expect(result).toEqual([
				{ doc: 'demo:proposal:a', seq: 1, rows: 1, bytes: a.length },
				{ doc: 'demo:proposal:b', seq: 2, rows: 1, bytes: b.length },
				{ doc: 'demo:proposal:a', seq: 3, rows: 2, bytes: a.length + c.length }
			]);
			expect(await store.docBytes('demo:proposal:a')).toBe(a.length + c.length);
			expect(await store.docBytes('demo:proposal:none')).toBe(0);
			expect(await store.rowCount('demo:proposal:a')).toBe(2);
			expect(await store.headSeq()).toBe(3);
			expect(await store.docCount()).toBe(2);
			expect((await store.loadUpdates('demo:proposal:a')).map((u) => [...u])).toEqual([[...a], [...c]]);
			expect(await store.loadUpdates('demo:proposal:none')).toEqual([]);
		});

		it('stores bytes exactly, including views into larger buffers', async () => {
			const { store } = await fresh();
			const backing = new Uint8Array([9, 9, 0, 255, 0, 1, 9]);
			const view = backing.subarray(2, 6);
			const [appended] = await store.appendUpdates([{ doc: 'demo:proposal:raw', data: view }]);
			expect(appended).toEqual({ doc: 'demo:proposal:raw', seq: 1, rows: 1, bytes: 4 });
			expect((await store.loadUpdates('demo:proposal:raw')).map((u) => [...u])).toEqual([[0, 255, 0, 1]]);
		});

		it('lists each changed document once with its latest seq', async () => {
			const { store } = await fresh();
			const u = textEdits(4);
			await store.appendUpdates(u.map((data, i) => ({ doc: `demo:proposal:${i % 2}`, data })));
			expect(await store.changesSince(0, 10)).toEqual({
				headSeq: 4,
				entries: [
					{ doc: 'demo:proposal:0', seq: 3 },
					{ doc: 'demo:proposal:1', seq: 4 }
				]
			});
			expect((await store.changesSince(3, 10)).entries).toEqual([{ doc: 'demo:proposal:1', seq: 4 }]);
			expect(await store.changesSince(0, 1)).toEqual({ headSeq: 4, entries: [{ doc: 'demo:proposal:0', seq: 3 }] });
			expect(await store.changesSince(4, 10)).toEqual({ headSeq: 4, entries: [] });
		});

		it('gives concurrent batches distinct seqs and every row', async () => {
			const { store } = await fresh();
			const u = textEdits(40);
			const batches = [0, 1, 2, 3].map((b) => u.slice(b * 10, b * 10 + 10).map((data, i) => ({ doc: `demo:proposal:${i % 3}`, data })));
			const results = (await Promise.all(batches.map((batch) => store.appendUpdates(batch)))).flat();
			expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
			expect(await store.headSeq()).toBe(40);
			for (const doc of ['demo:proposal:0', 'demo:proposal:1', 'demo:proposal:2']) {
				const mine = results.filter((r) => r.doc === doc);
				expect(await store.rowCount(doc)).toBe(mine.length);
				expect(Math.max(...mine.map((r) => r.rows))).toBe(mine.length);
				expect(await store.docBytes(doc)).toBe(bytesOf(await store.loadUpdates(doc)));
			}
			const d = new Y.Doc();
			for (const doc of ['demo:proposal:0', 'demo:proposal:1', 'demo:proposal:2']) {
				for (const x of await store.loadUpdates(doc)) Y.applyUpdate(d, x);
			}
			expect(d.getText('t').length).toBe(40);
		});

		it('compacts into one row with the same content, keeping last_seq', async () => {
			const { store } = await fresh();
			const u = textEdits(50);
			await store.appendUpdates(u.map((data) => ({ doc: 'demo:proposal:c', data })));
			await store.appendUpdates([{ doc: 'demo:proposal:other', data: textEdits(1)[0] as Uint8Array }]);
			expect(await store.compact('demo:proposal:c')).toEqual({ before: 50, after: 1 });
			expect(await store.rowCount('demo:proposal:c')).toBe(1);
			const [merged] = await store.loadUpdates('demo:proposal:c');
			expect(await store.docBytes('demo:proposal:c')).toBe(merged?.length);
			expect(merged?.length).toBeLessThan(bytesOf(u));
			const d = new Y.Doc();
			for (const x of await store.loadUpdates('demo:proposal:c')) Y.applyUpdate(d, x);
			expect(d.getText('t').length).toBe(50);
			expect((await store.changesSince(0, 10)).entries).toEqual([
				{ doc: 'demo:proposal:c', seq: 50 },
				{ doc: 'demo:proposal:other', seq: 51 }
			]);
			expect(await store.compact('demo:proposal:c')).toEqual({ before: 1, after: 1 });
			const [next] = await store.appendUpdates([{ doc: 'demo:proposal:c', data: textEdits(1)[0] as Uint8Array }]);
			expect(next).toMatchObject({ seq: 52, rows: 2 });
			expect(await store.docBytes('demo:proposal:c')).toBe(bytesOf(await store.loadUpdates('demo:proposal:c')));
			expect(await store.docCount()).toBe(2);
		});

		it('stores a conditional update while its document has not moved on, and refuses the whole batch when it has', async () => {
			const { store } = await fresh();
			const [a1, a2, a3, b1, b2, c1, c2] = textEdits(7) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
			await store.appendUpdates([
				{ doc: 'demo:proposal:a', data: a1 },
				{ doc: 'demo:proposal:b', data: b1 }
			]);
			// Judged at seq 1, the last of a: stored. A new document is unchanged since 0.
			expect(await store.appendUpdates([{ doc: 'demo:proposal:a', data: a2, unchangedSince: 1 }])).toEqual([
				{ doc: 'demo:proposal:a', seq: 3, rows: 2, bytes: a1.length + a2.length }
			]);
			expect(await store.appendUpdates([{ doc: 'demo:proposal:c', data: c1, unchangedSince: 0 }])).toMatchObject([{ seq: 4 }]);
			// a moved on to 3 since 1: nothing of the batch is stored, and the refusal names the stale update.
			const refused = store.appendUpdates([
				{ doc: 'demo:proposal:b', data: b2 },
				{ doc: 'demo:proposal:a', data: a3, unchangedSince: 1 },
				{ doc: 'demo:proposal:c', data: c2, unchangedSince: 4 }
			]);
			await expect(refused).rejects.toBeInstanceOf(StaleWrite);
			await expect(refused).rejects.toMatchObject({ stale: [1] });
			expect(await store.headSeq()).toBe(4);
			expect(await store.rowCount('demo:proposal:b')).toBe(1);
			expect(await store.rowCount('demo:proposal:a')).toBe(2);
			expect(await store.rowCount('demo:proposal:c')).toBe(1);
			expect(await store.docBytes('demo:proposal:b')).toBe(b1.length);
			expect((await store.changesSince(0, 10)).entries).toEqual([
				{ doc: 'demo:proposal:b', seq: 2 },
				{ doc: 'demo:proposal:a', seq: 3 },
				{ doc: 'demo:proposal:c', seq: 4 }
			]);
			// An existing document is not unchanged since 0; an earlier update of the batch moves its document on too.
			await expect(store.appendUpdates([{ doc: 'demo:proposal:b', data: b2, unchangedSince: 0 }])).rejects.toMatchObject({ stale: [0] });
			await expect(
				store.appendUpdates([
					{ doc: 'demo:proposal:c', data: c2 },
					{ doc: 'demo:proposal:c', data: a3, unchangedSince: 4 }
				])
			).rejects.toMatchObject({ stale: [1] });
			// A stale update is not stored, so it does not move its document on for a later one of the batch.
			await expect(
				store.appendUpdates([
					{ doc: 'demo:proposal:c', data: c2, unchangedSince: 0 },
					{ doc: 'demo:proposal:c', data: a3, unchangedSince: 4 }
				])
			).rejects.toMatchObject({ stale: [0] });
			// Without the stale ones the rest goes through, conditions that hold included.
			expect(
				await store.appendUpdates([
					{ doc: 'demo:proposal:b', data: b2 },
					{ doc: 'demo:proposal:c', data: c2, unchangedSince: 4 },
					{ doc: 'demo:proposal:a', data: a3, unchangedSince: 3 }
				])
			).toEqual([
				{ doc: 'demo:proposal:b', seq: 5, rows: 2, bytes: b1.length + b2.length },
				{ doc: 'demo:proposal:c', seq: 6, rows: 2, bytes: c1.length + c2.length },
				{ doc: 'demo:proposal:a', seq: 7, rows: 3, bytes: a1.length + a2.length + a3.length }
			]);
			expect(await store.headSeq()).toBe(7);
		});

		it('conditional appends racing on one document from two stores on the same storage: exactly one wins each round', async () => {
			const o = await fresh();
			const other = await o.alongside();
			if (other !== o.store) opened.at(-1)?.stores.push(other);
			const doc = 'demo:households:cas';
			const [first] = await o.store.appendUpdates([{ doc, data: textEdits(1)[0] as Uint8Array }]);
			let last = first?.seq ?? 0;
			const rounds = 12;
			for (let round = 0; round < rounds; round++) {
				// Both judged at the same position; each also writes an unrelated document in the same batch.
				const attempt = (store: DocStore, who: string) =>
					store.appendUpdates([
						{ doc: `demo:households:${who}${round}`, data: new Uint8Array([round]) },
						{ doc, data: new Uint8Array([round, who === 'x' ? 1 : 2]), unchangedSince: last }
					]);
				const results = await Promise.allSettled([attempt(o.store, 'x'), attempt(other, 'y')]);
				const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
				const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
				expect(won).toHaveLength(1);
				expect(lost).toHaveLength(1);
				expect(lost[0]).toBeInstanceOf(StaleWrite);
				expect((lost[0] as StaleWrite).stale).toEqual([1]);
				last = won[0]?.[1]?.seq ?? 0;
			}
			expect(await other.rowCount(doc)).toBe(rounds + 1);
			expect(await o.store.rowCount(doc)).toBe(rounds + 1);
			expect(await other.docBytes(doc)).toBe(bytesOf(await other.loadUpdates(doc)));
			// The loser's unrelated document was not stored either.
			expect(await o.store.docCount()).toBe(1 + rounds);
		});

		it('reopens with its head, content and counts (persistent stores)', async () => {
			const o = await fresh();
			const u = textEdits(5);
			await o.store.appendUpdates(u.map((data) => ({ doc: 'demo:proposal:r', data })));
			await o.store.compact('demo:proposal:r');
			await o.store.appendUpdates([{ doc: 'demo:proposal:s', data: textEdits(1)[0] as Uint8Array }]);
			const again = await reopened(o);
			if (!again) {
				expect(o.reopen).toBeUndefined();
				return;
			}
			expect(await again.headSeq()).toBe(6);
			expect(await again.rowCount('demo:proposal:r')).toBe(1);
			expect(await again.docBytes('demo:proposal:r')).toBe(bytesOf(await again.loadUpdates('demo:proposal:r')));
			expect((await again.changesSince(0, 10)).entries).toEqual([
				{ doc: 'demo:proposal:r', seq: 5 },
				{ doc: 'demo:proposal:s', seq: 6 }
			]);
			const [next] = await again.appendUpdates([{ doc: 'demo:proposal:r', data: textEdits(1)[0] as Uint8Array }]);
			expect(next?.seq).toBe(7);
		});
	});
}
