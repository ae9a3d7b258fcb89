import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';
import { MemoryStore } from '../storage/memory-store';
import { type PendingUpdate, StaleWrite } from '../storage/store';

class CountingStore extends MemoryStore {
	batches: number[] = [];
	fail = false;
	override async appendUpdates(batch: readonly PendingUpdate[]) {
		if (this.fail) throw new Error('disk full');
		this.batches.push(batch.length);
		return super.appendUpdates(batch);
	}
}

const data = new Uint8Array([0, 0]);

describe('GroupCommit', () => {
	it('writes updates submitted in the same tick in one transaction, then reports them in order', async () => {
		const store = new CountingStore();
		const seen: number[] = [];
		const commit = new GroupCommit<string>(store, (batch) => seen.push(...batch.map((b) => b.appended.seq)), () => {});
		const done: number[] = [];
		for (let i = 0; i < 10; i++) commit.submit({ doc: 'demo:proposal:a', data, origin: 'x', done: (_e, a) => done.push(a?.seq ?? -1) });
		await commit.flush();
		expect(store.batches).toEqual([10]);
		expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(done).toEqual(seen);
	});

	it('keeps one transaction in flight and batches what arrives meanwhile', async () => {
		const store = new CountingStore();
		const commit = new GroupCommit<null>(store, () => {}, () => {});
		commit.submit({ doc: 'd', data, origin: null });
		await new Promise((r) => setImmediate(r));
		for (let i = 0; i < 5; i++) commit.submit({ doc: 'd', data, origin: null });
		await commit.flush();
		expect(store.batches).toEqual([1, 5]);
	});

	it('refuses a stale conditional entry alone: the rest of its batch is stored and reported', async () => {
		const store = new CountingStore();
		await store.appendUpdates([{ doc: 'moved', data }]);
		const seen: string[] = [];
		const outcomes: Array<[string, unknown, number | null]> = [];
		const commit = new GroupCommit<string>(store, (batch) => seen.push(...batch.map((b) => b.entry.origin)), () => {});
		const entry = (origin: string, doc: string, unchangedSince?: number) =>
			commit.submit({ doc, data, origin, ...(unchangedSince === undefined ? {} : { unchangedSince }), done: (e, a) => outcomes.push([origin, e, a?.seq ?? null]) });
		entry('plain', 'other');
		entry('stale', 'moved', 0);
		entry('holds', 'moved', 1);
		await commit.flush();
		// Refused whole once, then written without the stale entry.
		expect(store.batches).toEqual([1, 3, 2]);
		expect(seen).toEqual(['plain', 'holds']);
		expect(outcomes).toEqual([
			['stale', expect.any(StaleWrite), null],
			['plain', null, 2],
			['holds', null, 3]
		]);
		expect(await store.rowCount('moved')).toBe(2);
	});

	it('reports a failed transaction to every entry and never to the batch listener', async () => {
		const store = new CountingStore();
		store.fail = true;
		let batches = 0;
		const errors: string[] = [];
		const commit = new GroupCommit<null>(store, () => batches++, () => {});
		for (let i = 0; i < 3; i++) commit.submit({ doc: 'd', data, origin: null, done: (e) => errors.push(e?.message ?? '') });
		await commit.flush();
		expect(batches).toBe(0);
		expect(errors).toEqual(['disk full', 'disk full', 'disk full']);
	});
});
