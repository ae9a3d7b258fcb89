/** Compaction merges a document's rows without changing its content or its change-feed seq; idle rooms unload. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MuxMessage } from '../../src/lib/protocol/messages';
import { provider, sleep, SyncClient, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach, relayForTest } from './helpers-lifecycle';

const cleanup = cleanupAfterEach();

const DOC = 'demo:proposal:compact';

async function changeSeq(url: string, doc: string): Promise<{ seq: number; head: number }> {
	const c = await SyncClient.connect(url);
	c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
	const changes = await c.waitFrame(MuxMessage.Changes);
	c.close();
	return { seq: changes.entries.find((e) => e.doc === doc)?.seq ?? -1, head: changes.headSeq };
}

describe('compaction', () => {
	it('keeps rows bounded while a document is written, with identical content', async () => {
		const r = await relayForTest(cleanup, { auth: 'open', limits: { compactThreshold: 20 }, idleUnloadMs: 60_000 });
		const doc = new Y.Doc();
		const p = provider(r.url, DOC, doc);
		cleanup.push(() => p.destroy());
		await whenSynced(p);
		const text = doc.getText('description');
		let maxRows = 0;
		for (let i = 0; i < 150; i++) {
			text.insert(text.length, `${i},`);
			if (i % 3 === 0) text.delete(0, 1);
			// Separate socket reads, so separate rows.
			await sleep(1);
			maxRows = Math.max(maxRows, await r.store.rowCount(DOC));
		}
		await waitFor(async () => (await r.hub.stats()).headSeq >= 200, { what: 'all writes stored' });
		await waitFor(async () => (await r.store.rowCount(DOC)) <= 21, { what: 'compacted' });
		expect(maxRows).toBeLessThanOrEqual(30);

		const fresh = new Y.Doc();
		const p2 = provider(r.url, DOC, fresh);
		cleanup.push(() => p2.destroy());
		await whenSynced(p2);
		expect(fresh.getText('description').toString()).toBe(text.toString());
	});

	it('merges a document into one row when its room unloads, keeping its seq', async () => {
		const r = await relayForTest(cleanup, { auth: 'open', idleUnloadMs: 30 });
		const doc = new Y.Doc();
		const p = provider(r.url, DOC, doc);
		await whenSynced(p);
		for (let i = 0; i < 40; i++) {
			doc.getMap('meta').set('n', i);
			await sleep(1);
		}
		await waitFor(async () => (await r.hub.stats()).headSeq >= 40, { what: 'stored' });
		const rowsBefore = await r.store.rowCount(DOC);
		const before = await changeSeq(r.url, DOC);
		expect(rowsBefore).toBeGreaterThan(10);
		p.destroy();

		await waitFor(() => !r.hub.rooms.has(DOC), { what: 'room unloaded' });
		await waitFor(async () => (await r.store.rowCount(DOC)) === 1, { what: 'one row' });
		expect(await changeSeq(r.url, DOC)).toEqual(before);

		// A new write still gets a higher seq than the compacted row.
		const again = new Y.Doc();
		const p2 = provider(r.url, DOC, again);
		cleanup.push(() => p2.destroy());
		await whenSynced(p2);
		expect(again.getMap('meta').get('n')).toBe(39);
		again.getMap('meta').set('n', 40);
		await waitFor(async () => (await changeSeq(r.url, DOC)).seq > before.seq, { what: 'a newer seq' });
	});
});

describe('idle rooms', () => {
	it('unload after the last subscriber leaves and load again on demand', async () => {
		const r = await relayForTest(cleanup, { auth: 'open', idleUnloadMs: 30 });
		const doc = new Y.Doc();
		const p = provider(r.url, 'demo:proposal:idle', doc);
		await whenSynced(p);
		doc.getText('t').insert(0, 'kept');
		// The first stored update creates the room.
		await waitFor(() => r.hub.rooms.has('demo:proposal:idle'), { what: 'room created' });

		// A /sync subscriber keeps the room loaded too.
		const c = await SyncClient.connect(r.url);
		cleanup.push(() => c.close());
		c.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:idle' });
		await c.waitFrame(MuxMessage.Doc);
		p.destroy();
		await sleep(100);
		expect(r.hub.rooms.has('demo:proposal:idle')).toBe(true);

		c.sendFrame({ kind: MuxMessage.Unsubscribe, doc: 'demo:proposal:idle' });
		await waitFor(() => r.hub.rooms.size === 0, { what: 'unloaded' });

		const back = new Y.Doc();
		const p2 = provider(r.url, 'demo:proposal:idle', back);
		cleanup.push(() => p2.destroy());
		await whenSynced(p2);
		expect(back.getText('t').toString()).toBe('kept');
		expect(r.hub.rooms.has('demo:proposal:idle')).toBe(true);
	});
});
