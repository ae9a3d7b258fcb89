/**
 * The shared contract suite of LocalStore: every implementation runs it (memory-local-store.spec.ts, and
 * idb-local-store.spec.ts for DocStore over fake-indexeddb).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createProposal } from '../schema/proposal-doc';
import type { LocalStore } from './local-store';

export interface LocalStoreHarness {
	store: LocalStore;
	close(): Promise<void> | void;
}

const actor = { id: 'u1', name: '测试', role: 'resident' as const };

function proposalUpdate(id: string, title: string): Uint8Array {
	const doc = new Y.Doc();
	createProposal(doc, { title, description: 'd', category: 'culture', kind: 'individual', channel: 'app' }, { id, actor, now: 5, status: 'submitted' });
	return Y.encodeStateAsUpdate(doc);
}

export function localStoreContract(name: string, make: () => LocalStoreHarness | Promise<LocalStoreHarness>): void {
	describe(`LocalStore contract: ${name}`, () => {
		const open: LocalStoreHarness[] = [];
		afterEach(async () => {
			for (const h of open.splice(0)) await h.close();
		});
		async function fresh(): Promise<LocalStore> {
			const h = await make();
			open.push(h);
			return h.store;
		}

		it('holds nothing of a document it never saw', async () => {
			const store = await fresh();
			const state = await store.readState('demo:proposal:none');
			const doc = new Y.Doc();
			Y.applyUpdate(doc, state);
			expect(doc.share.size).toBe(0);
			expect(await store.syncStates(['demo:proposal:none'])).toEqual([undefined]);
			expect(await store.dirtyCount()).toBe(0);
			expect(await store.unsyncedDocs()).toEqual([]);
			expect(store.loaded('demo:proposal:none')).toBeUndefined();
		});

		it('records a local change as dirty, with its sequence number and state vector, and tells the listeners', async () => {
			const store = await fresh();
			const heard: [string, number][] = [];
			const stop = store.onLocalChange((doc, _update, seq) => heard.push([doc, seq]));
			const h = await store.openDoc('demo:proposal:p1');
			expect(store.loaded('demo:proposal:p1')).toBe(h.doc);
			await h.change((doc) => doc.getMap('m').set('a', 1));
			await h.change((doc) => doc.getMap('m').set('b', 2));
			expect(heard).toEqual([
				['demo:proposal:p1', 1],
				['demo:proposal:p1', 2]
			]);
			const [state] = await store.syncStates(['demo:proposal:p1']);
			expect(state).toMatchObject({ doc: 'demo:proposal:p1', dirty: 1, localSeq: 2, synced: false, error: null });
			expect(state!.stateVector).toEqual(Y.encodeStateVector(h.doc));
			expect(await store.dirtyDocs()).toEqual(['demo:proposal:p1']);
			expect(await store.dirtyCount()).toBe(1);
			expect(await store.unsyncedDocs()).toEqual(['demo:proposal:p1']);
			h.release();
			stop();
			const copy = new Y.Doc();
			Y.applyUpdate(copy, await store.readState('demo:proposal:p1'));
			expect(copy.getMap('m').toJSON()).toEqual({ a: 1, b: 2 });
		});

		it('clears dirty on an acknowledgement only if nothing changed since the send', async () => {
			const store = await fresh();
			const h = await store.openDoc('demo:proposal:p2');
			await h.change((doc) => doc.getMap('m').set('a', 1));
			await h.change((doc) => doc.getMap('m').set('a', 2));
			await store.acknowledge('demo:proposal:p2', 1);
			expect((await store.syncStates(['demo:proposal:p2']))[0]!.dirty).toBe(1);
			await store.acknowledge('demo:proposal:p2', 2);
			expect((await store.syncStates(['demo:proposal:p2']))[0]!.dirty).toBe(0);
			expect(await store.dirtyCount()).toBe(0);
			h.release();
		});

		it("stores the relay's updates without marking them local, open or not", async () => {
			const store = await fresh();
			const heard: string[] = [];
			store.onLocalChange((doc) => heard.push(doc));
			await store.applyRemote('demo:proposal:r1', proposalUpdate('r1', '楼道灯'));
			const [closed] = await store.syncStates(['demo:proposal:r1']);
			expect(closed).toMatchObject({ dirty: 0, localSeq: 0, synced: false });
			const h = await store.openDoc('demo:proposal:r1');
			expect(h.doc.getMap('meta').size).toBeGreaterThan(0);
			const other = new Y.Doc();
			other.getMap('extra').set('k', 'v');
			await store.applyRemote('demo:proposal:r1', Y.encodeStateAsUpdate(other));
			expect(h.doc.getMap('extra').get('k')).toBe('v');
			const [open] = await store.syncStates(['demo:proposal:r1']);
			expect(open!.dirty).toBe(0);
			expect(open!.stateVector).toEqual(Y.encodeStateVector(h.doc));
			expect(heard).toEqual([]);
			h.release();
		});

		it('derives the index entry of a stored document', async () => {
			const store = await fresh();
			await store.applyRemote('demo:proposal:i1', proposalUpdate('i1', '健身器材'));
			const [entry, none] = await store.indexEntries(['demo:proposal:i1', 'demo:proposal:none']);
			expect(entry).toMatchObject({ doc: 'demo:proposal:i1', kind: 'proposal', title: '健身器材' });
			expect(none).toBeUndefined();
		});

		it('marks documents synced, unsynced again, and keeps the last error until a sync', async () => {
			const store = await fresh();
			await store.applyRemote('demo:proposal:s1', proposalUpdate('s1', 'a'));
			await store.applyRemote('demo:proposal:s2', proposalUpdate('s2', 'b'));
			await store.markError('demo:proposal:s2', 'forbidden');
			expect((await store.syncStates(['demo:proposal:s2']))[0]!.error).toBe('forbidden');
			await store.markSynced(['demo:proposal:s1', 'demo:proposal:s2'], 1234);
			expect(await store.unsyncedDocs()).toEqual([]);
			const states = await store.syncStates(['demo:proposal:s1', 'demo:proposal:s2']);
			for (const s of states) expect(s).toMatchObject({ synced: true, lastSynced: 1234, error: null });
			await store.markUnsynced('demo:proposal:s1');
			expect(await store.unsyncedDocs()).toEqual(['demo:proposal:s1']);
			// An error for a document never stored still shows.
			await store.markError('demo:proposal:ghost', 'too large');
			expect((await store.syncStates(['demo:proposal:ghost']))[0]).toMatchObject({ error: 'too large', dirty: 0 });
		});

		it('keeps settings by key', async () => {
			const store = await fresh();
			expect(await store.getSetting('sync.cursor')).toBeUndefined();
			await store.putSetting('sync.cursor', 42);
			await store.putSetting('x', { a: [1, 2] });
			expect(await store.getSetting('sync.cursor')).toBe(42);
			expect(await store.getSetting('x')).toEqual({ a: [1, 2] });
		});

		it('keeps outbox records per queue, and changes one in a single step', async () => {
			const store = await fresh();
			await store.putOutbox('ballot', 'demo:poll:1', { n: 1 });
			await store.putOutbox('ballot', 'demo:poll:2', { n: 2 });
			await store.putOutbox('other', 'demo:poll:1', { n: 9 });
			const entries = await store.outboxEntries<{ n: number }>('ballot');
			expect(entries.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
				{ key: 'demo:poll:1', value: { n: 1 } },
				{ key: 'demo:poll:2', value: { n: 2 } }
			]);
			expect(await store.getOutbox('other', 'demo:poll:1')).toEqual({ n: 9 });
			const next = await store.updateOutbox<{ n: number }>('ballot', 'demo:poll:1', (cur) => cur && { n: cur.n + 10 });
			expect(next).toEqual({ n: 11 });
			// Returning undefined leaves the record as it is.
			expect(await store.updateOutbox('ballot', 'demo:poll:2', () => undefined)).toEqual({ n: 2 });
			expect(await store.updateOutbox('ballot', 'missing', (cur) => cur)).toBeUndefined();
			await store.deleteOutbox('ballot', 'demo:poll:1');
			expect(await store.getOutbox('ballot', 'demo:poll:1')).toBeUndefined();
			expect((await store.outboxEntries('ballot')).map((e) => e.key)).toEqual(['demo:poll:2']);
			expect(await store.outboxEntries('none')).toEqual([]);
		});

		it('forgets an open document once released', async () => {
			const store = await fresh();
			const a = await store.openDoc('demo:proposal:o1');
			const b = await store.openDoc('demo:proposal:o1');
			expect(b.doc).toBe(a.doc);
			a.release();
			expect(store.loaded('demo:proposal:o1')).toBe(b.doc);
			await b.change((doc) => doc.getMap('m').set('x', 1));
			b.release();
			expect(store.loaded('demo:proposal:o1')).toBeUndefined();
			const again = await store.openDoc('demo:proposal:o1');
			expect(again.doc.getMap('m').get('x')).toBe(1);
			again.release();
		});
	});
}
