/** A client that stops reading is closed instead of buffering without bound; the others keep receiving. */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MuxMessage } from '../../src/lib/protocol/messages';
import { provider, RawClient, subscriberCount, SyncClient, waitFor, whenSynced, wsUrl } from './helpers';
import { cleanupAfterEach, relayForTest } from './helpers-lifecycle';

const cleanup = cleanupAfterEach();

const DOC = 'demo:proposal:firehose';

describe('backpressure', () => {
	it('closes a subscriber that does not read, and only that one', async () => {
		// 15 MB into one proposal: far past its size cap, which is not what this test is about.
		const r = await relayForTest(cleanup, { auth: 'open', limits: { maxBufferedBytes: 256 * 1024, maxDocBytes: { proposal: 64 * 1024 * 1024 } } });

		const fastDoc = new Y.Doc();
		const fast = provider(r.url, DOC, fastDoc);
		cleanup.push(() => fast.destroy());
		await whenSynced(fast);

		const slow = new RawClient(`${wsUrl(r.url)}/ws/${DOC}`);
		cleanup.push(() => slow.ws.terminate());
		await slow.opened;
		await waitFor(() => slow.received.length > 0, { what: 'slow client greeted' });
		// Stop reading: the relay's send buffer for this client can only grow from here.
		(slow.ws as unknown as { _socket: Socket })._socket.pause();
		// The document does not exist yet: both wait on a vacancy, without a room.
		await waitFor(() => subscriberCount(r, DOC) === 2, { what: 'two subscribers' });

		const writer = await SyncClient.connect(r.url);
		cleanup.push(() => writer.close());
		const chunk = 'x'.repeat(50_000);
		const total = 300;
		for (let i = 0; i < total; i++) {
			const d = new Y.Doc();
			d.getMap('m').set(`k${i}`, chunk);
			writer.sendFrame({ kind: MuxMessage.Update, requestId: i + 1, doc: DOC, update: Y.encodeStateAsUpdate(d) });
			if (i % 20 === 0) await writer.waitFrame(MuxMessage.Ack, (f) => f.requestId === i + 1);
		}
		await writer.waitFrame(MuxMessage.Ack, (f) => f.requestId === total);

		await waitFor(() => r.hub.rooms.get(DOC)?.subscribers.size === 1, { what: 'slow subscriber dropped', timeout: 10_000 });
		await waitFor(() => fastDoc.getMap('m').size === total, { what: 'fast subscriber has everything', timeout: 10_000 });
		expect(fast.wsconnected).toBe(true);
	});
});
