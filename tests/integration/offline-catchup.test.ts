/** A client that was offline for a while catches up, and its own offline edits reach the others. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BatchStatus, MuxMessage } from '../../src/lib/protocol/messages';
import { provider, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach } from './helpers-lifecycle';

const cleanup = cleanupAfterEach();

async function relay() {
	const r = await startTestRelay({ auth: 'open', idleUnloadMs: 50 });
	cleanup.push(() => removeDir(r.dataDir));
	cleanup.push(() => r.close());
	return r;
}

describe('offline catch-up', () => {
	it('a stock provider reconnects and converges with edits made on both sides meanwhile', async () => {
		const r = await relay();
		const a = new Y.Doc();
		const b = new Y.Doc();
		const pa = provider(r.url, 'demo:proposal:offline', a);
		const pb = provider(r.url, 'demo:proposal:offline', b);
		cleanup.push(() => pa.destroy(), () => pb.destroy());
		await Promise.all([whenSynced(pa), whenSynced(pb)]);
		a.getText('description').insert(0, 'base.');
		await waitFor(() => b.getText('description').toString() === 'base.', { what: 'base text' });

		pb.disconnect();
		for (let i = 0; i < 50; i++) a.getText('description').insert(a.getText('description').length, ` a${i}`);
		b.getText('description').insert(0, '[offline edit]');
		// The relay has seen b leave.
		await waitFor(() => r.hub.rooms.size === 1 && (r.hub.rooms.get('demo:proposal:offline')?.subscribers.size ?? 0) === 1, {
			what: 'b gone'
		});

		pb.connect();
		await whenSynced(pb);
		await waitFor(() => a.getText('description').toString() === b.getText('description').toString(), { what: 'convergence' });
		const text = b.getText('description').toString();
		expect(text).toContain('[offline edit]');
		expect(text).toContain(' a49');
	});

	it('a /sync device catches up through ListChanges and BatchSync', async () => {
		const r = await relay();
		const device = await SyncClient.connect(r.url);
		cleanup.push(() => device.close());
		const writer = await SyncClient.connect(r.url);
		cleanup.push(() => writer.close());

		// The device knows the feed up to some cursor, then goes offline.
		device.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		const first = await device.waitFrame(MuxMessage.Changes);
		const cursor = first.headSeq;
		device.close();
		await device.closed;

		const docs = ['demo:proposal:x1', 'demo:proposal:x2', 'demo:proposal:x3'];
		for (const [i, doc] of docs.entries()) {
			const d = new Y.Doc();
			d.getMap('meta').set('title', `matter ${i}`);
			writer.sendFrame({ kind: MuxMessage.Update, requestId: i + 1, doc, update: Y.encodeStateAsUpdate(d) });
		}
		await waitFor(() => writer.frames.filter((f) => f.kind === MuxMessage.Ack).length === 3, { what: 'acks' });

		const back = await SyncClient.connect(r.url);
		cleanup.push(() => back.close());
		back.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: cursor });
		const changes = await back.waitFrame(MuxMessage.Changes);
		expect(changes.entries.map((e) => e.doc).sort()).toEqual(docs);
		back.sendFrame({
			kind: MuxMessage.BatchSync,
			requestId: 7,
			entries: changes.entries.map((e) => ({ doc: e.doc, stateVector: Y.encodeStateVector(new Y.Doc()) }))
		});
		const reply = await back.waitFrame(MuxMessage.BatchSyncReply, (f) => f.requestId === 7);
		const titles = reply.entries.map((e) => {
			expect(e.status).toBe(BatchStatus.Ok);
			const d = new Y.Doc();
			Y.applyUpdate(d, e.diff);
			return d.getMap('meta').get('title');
		});
		expect(titles.sort()).toEqual(['matter 0', 'matter 1', 'matter 2']);
	});
});
