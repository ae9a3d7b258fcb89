import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';
import { MemoryStore } from '../storage/memory-store';
import type { PendingUpdate } from '../storage/store';

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
