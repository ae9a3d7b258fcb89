/** The multiplexed /sync endpoint: BatchSync, Update → Ack after durability, the change feed. */
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BatchStatus, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { MemoryStore } from '../../server/storage/memory-store';
import type { DocStore, PendingUpdate } from '../../server/storage/store';
import { provider, removeDir, sleep, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach } from './helpers-lifecycle';
import { demoFirstStart } from '../../server/demo/invitations';

const cleanup = cleanupAfterEach();

async function relay(options: Parameters<typeof startTestRelay>[0] = {}) {
	const r = await startTestRelay({ auth: 'open', ...options });
	cleanup.push(() => removeDir(r.dataDir));
	cleanup.push(() => r.close());
	return r;
}

async function client(url: string): Promise<SyncClient> {
	const c = await SyncClient.connect(url);
	cleanup.push(() => c.close());
	return c;
}

/** A document of roughly 2 KB. */
function makeDoc(i: number): Y.Doc {
	const doc = new Y.Doc();
	doc.getMap('meta').set('title', `matter ${i}`);
	doc.getText('description').insert(0, `#${i} 议事协商 `.padEnd(1_900, 'deliberation '));
	return doc;
}

const emptySV = () => Y.encodeStateVector(new Y.Doc());

describe('/sync BatchSync', () => {
	it('returns the diffs of 1,000 documents in one reply', async () => {
		const r = await relay();
		const names = Array.from({ length: 1_000 }, (_, i) => `demo:proposal:p${i}`);
		const docs = names.map((_, i) => makeDoc(i));
		await r.store.appendUpdates(names.map((doc, i) => ({ doc, data: Y.encodeStateAsUpdate(docs[i] as Y.Doc) })));

		// The client already holds an old copy of p0 and nothing else; p-missing does not exist; one name is invalid.
		const partial = new Y.Doc();
		Y.applyUpdate(partial, Y.encodeStateAsUpdate(docs[0] as Y.Doc));
		(docs[0] as Y.Doc).getMap('meta').set('title', 'changed since');
		await r.store.appendUpdates([{ doc: names[0] as string, data: Y.encodeStateAsUpdate(docs[0] as Y.Doc, Y.encodeStateVector(partial)) }]);

		const c = await client(r.url);
		c.sendFrame({
			kind: MuxMessage.BatchSync,
			requestId: 1,
			entries: [
				{ doc: names[0] as string, stateVector: Y.encodeStateVector(partial) },
				...names.slice(1).map((doc) => ({ doc, stateVector: emptySV() })),
				{ doc: 'demo:proposal:missing', stateVector: emptySV() },
				{ doc: 'not a doc', stateVector: emptySV() }
			]
		});
		const reply = await c.waitFrame(MuxMessage.BatchSyncReply, (f) => f.requestId === 1);
		await sleep(50);
		expect(c.frames.filter((f) => f.kind === MuxMessage.BatchSyncReply)).toHaveLength(1);
		expect(reply.entries).toHaveLength(1_002);

		const first = reply.entries[0];
		expect(first?.status).toBe(BatchStatus.Ok);
		// Only what the client lacked, not the whole document again.
		expect(first?.diff.length).toBeLessThan(200);
		Y.applyUpdate(partial, first?.diff as Uint8Array);
		expect(partial.getMap('meta').get('title')).toBe('changed since');
		expect(Y.encodeStateVector(partial)).toEqual(first?.serverStateVector);

		for (const [i, entry] of reply.entries.slice(1, 1_000).entries()) {
			expect(entry.status).toBe(BatchStatus.Ok);
			const d = new Y.Doc();
			Y.applyUpdate(d, entry.diff);
			expect(d.getText('description').toString()).toBe((docs[i + 1] as Y.Doc).getText('description').toString());
		}
		expect(reply.entries[1_000]).toMatchObject({ doc: 'demo:proposal:missing', status: BatchStatus.Missing });
		expect(reply.entries[1_000]?.diff).toHaveLength(0);
		expect(reply.entries[1_001]).toMatchObject({ doc: 'not a doc', status: BatchStatus.Forbidden });
	});

	it('splits a reply beyond maxReplyBytes into several replies with the same requestId', async () => {
		const r = await relay({ limits: { maxReplyBytes: 50_000 } });
		const names = Array.from({ length: 100 }, (_, i) => `demo:proposal:s${i}`);
		await r.store.appendUpdates(names.map((doc, i) => ({ doc, data: Y.encodeStateAsUpdate(makeDoc(i)) })));
		const c = await client(r.url);
		c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 3, entries: names.map((doc) => ({ doc, stateVector: emptySV() })) });
		await waitFor(() => c.frames.flatMap((f) => (f.kind === MuxMessage.BatchSyncReply ? f.entries : [])).length === 100, {
			what: 'all entries'
		});
		const replies = c.frames.filter((f) => f.kind === MuxMessage.BatchSyncReply);
		expect(replies.length).toBeGreaterThan(2);
		expect(replies.every((f) => f.requestId === 3)).toBe(true);
		expect(replies.flatMap((f) => f.entries.map((e) => e.doc))).toEqual(names);
	});

	it('answers loaded rooms from memory with the same content', async () => {
		const r = await relay();
		const live = new Y.Doc();
		const p = provider(r.url, 'demo:proposal:live', live);
		cleanup.push(() => p.destroy());
		await whenSynced(p);
		live.getText('description').insert(0, 'typed live');
		await waitFor(async () => (await r.hub.stats()).headSeq >= 1, { what: 'stored' });
		const c = await client(r.url);
		c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 2, entries: [{ doc: 'demo:proposal:live', stateVector: emptySV() }] });
		const reply = await c.waitFrame(MuxMessage.BatchSyncReply);
		const d = new Y.Doc();
		Y.applyUpdate(d, reply.entries[0]?.diff as Uint8Array);
		expect(d.getText('description').toString()).toBe('typed live');
	});
});

/** A store whose commits wait for `release()`, to observe what happens before an update is durable. */
class GatedStore extends MemoryStore {
	private gate: Promise<void> = Promise.resolve();
	private open: () => void = () => {};
	committed = 0;
	hold(): void {
		this.gate = new Promise((resolve) => (this.open = resolve));
	}
	release(): void {
		this.open();
	}
	override async appendUpdates(batch: readonly PendingUpdate[]) {
		await this.gate;
		const result = await super.appendUpdates(batch);
		this.committed += batch.length;
		return result;
	}
}

describe('/sync Update', () => {
	it('acknowledges and broadcasts only after the update is durable', async () => {
		const store = new GatedStore();
		const r = await relay({ store: store as DocStore });
		const watcher = new Y.Doc();
		const p = provider(r.url, 'demo:proposal:gated', watcher);
		cleanup.push(() => p.destroy());
		await whenSynced(p);
		const sender = await client(r.url);
		const other = await client(r.url);

		store.hold();
		const d = new Y.Doc();
		d.getMap('meta').set('title', 'durable first');
		sender.sendFrame({ kind: MuxMessage.Update, requestId: 5, doc: 'demo:proposal:gated', update: Y.encodeStateAsUpdate(d) });
		await sleep(150);
		expect(sender.frames.some((f) => f.kind === MuxMessage.Ack)).toBe(false);
		expect(watcher.getMap('meta').get('title')).toBeUndefined();
		expect(other.frames.some((f) => f.kind === MuxMessage.Changes)).toBe(false);

		store.release();
		const ack = await sender.waitFrame(MuxMessage.Ack, (f) => f.requestId === 5);
		expect(ack.doc).toBe('demo:proposal:gated');
		expect(store.committed).toBe(1);
		await waitFor(() => watcher.getMap('meta').get('title') === 'durable first', { what: 'broadcast to /ws' });

		// The change feed reaches the other connection, not the sender.
		const changes = await other.waitFrame(MuxMessage.Changes);
		expect(changes.entries).toEqual([{ doc: 'demo:proposal:gated', seq: changes.headSeq }]);
		await sleep(50);
		expect(sender.frames.some((f) => f.kind === MuxMessage.Changes)).toBe(false);
	});

	it('groups updates that arrive together into one commit', async () => {
		let transactions = 0;
		class CountingStore extends MemoryStore {
			override appendUpdates(batch: readonly PendingUpdate[]) {
				transactions++;
				return super.appendUpdates(batch);
			}
		}
		const r = await relay({ store: new CountingStore() });
		const c = await client(r.url);
		const frames = Array.from({ length: 100 }, (_, i) => {
			const d = new Y.Doc();
			d.getMap('m').set(`k${i}`, i);
			return { kind: MuxMessage.Update as const, requestId: i + 1, doc: `demo:proposal:g${i % 7}`, update: Y.encodeStateAsUpdate(d) };
		});
		for (const f of frames) c.sendFrame(f);
		await waitFor(() => c.frames.filter((f) => f.kind === MuxMessage.Ack).length === 100, { what: '100 acks' });
		// Sent back to back, they arrive in a handful of socket reads: far fewer transactions than updates.
		expect(transactions).toBeLessThan(20);
	});

	it('pushes Changes and delivers Doc frames to /sync subscribers', async () => {
		const r = await relay();
		const a = await client(r.url);
		const b = await client(r.url);
		b.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:sub' });
		await b.waitFrame(MuxMessage.Doc);
		const d = new Y.Doc();
		d.getText('description').insert(0, 'via Update');
		a.sendFrame({ kind: MuxMessage.Update, requestId: 1, doc: 'demo:proposal:sub', update: Y.encodeStateAsUpdate(d) });
		await a.waitFrame(MuxMessage.Ack);
		const got = new Y.Doc();
		await waitFor(
			() => {
				for (const f of b.frames) {
					if (f.kind !== MuxMessage.Doc) continue;
					const dec = decoding.createDecoder(f.payload);
					if (decoding.readVarUint(dec) !== YMessage.Sync || decoding.readVarUint(dec) !== 2) continue;
					Y.applyUpdate(got, decoding.readVarUint8Array(dec));
				}
				return got.getText('description').toString() === 'via Update';
			},
			{ what: 'update delivered to the subscriber' }
		);
		expect(got.getText('description').toString()).toBe('via Update');
	});
});

describe('/sync change feed', () => {
	it('ListChanges since 0 lists the seeded and written documents', async () => {
		const r = await relay({ seed: demoFirstStart });
		const c = await client(r.url);
		const d = new Y.Doc();
		d.getMap('meta').set('title', 'new');
		c.sendFrame({ kind: MuxMessage.Update, requestId: 1, doc: 'demo:proposal:fresh', update: Y.encodeStateAsUpdate(d) });
		await c.waitFrame(MuxMessage.Ack);
		c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		const changes = await c.waitFrame(MuxMessage.Changes);
		const docs = changes.entries.map((e) => e.doc);
		expect(docs).toContain('demo:community:main');
		expect(docs).toContain('demo:households:g1');
		expect(docs).toContain('demo:proposal:stair-seats');
		expect(docs).toContain('demo:proposal:fresh');
		expect(new Set(docs).size).toBe(docs.length);
		expect(changes.headSeq).toBe(Math.max(...changes.entries.map((e) => e.seq)));
	});

	it('pages a long listing: a full page ends at a cursor to resume from', async () => {
		const r = await relay({ limits: { changesPageSize: 5 } });
		await r.store.appendUpdates(
			Array.from({ length: 12 }, (_, i) => {
				const d = new Y.Doc();
				d.getMap('m').set('i', i);
				return { doc: `demo:proposal:page${i}`, data: Y.encodeStateAsUpdate(d) };
			})
		);
		const c = await client(r.url);
		const seen: string[] = [];
		let cursor = 0;
		for (let round = 0; round < 5; round++) {
			const before = c.frames.length;
			c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: cursor });
			const page = await c.waitFrame(MuxMessage.Changes, (f) => c.frames.indexOf(f) >= before);
			seen.push(...page.entries.map((e) => e.doc));
			cursor = page.headSeq;
			if (page.entries.length < 5) break;
		}
		expect(seen).toHaveLength(12);
		expect(new Set(seen).size).toBe(12);
		expect(cursor).toBe(12);
	});
});
