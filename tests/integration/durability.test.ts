/** What was acknowledged survives: a graceful restart (SIGTERM) and a kill -9. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { batchSync, type ChildRelay, provider, removeDir, spawnRelay, SyncClient, tempDir, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach, killAfterTest } from './helpers-lifecycle';
import { ackedIds, crash, sendPacedUpdates } from './helpers-durability';

const cleanup = cleanupAfterEach();

const killOnCleanup = (relay: ChildRelay) => killAfterTest(cleanup, relay);

describe('durability', () => {
	it('keeps content across a graceful restart; SIGTERM closes clients with 4503 and exits 0', async () => {
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		const first = killOnCleanup(await spawnRelay(dataDir, { COURTYARD_AUTH: 'open' }));
		const doc = new Y.Doc();
		const p = provider(first.url, 'demo:proposal:restart', doc);
		cleanup.push(() => p.destroy());
		await whenSynced(p);
		const closeCode = new Promise<number>((resolve) => p.on('connection-close', (event) => resolve(event?.code ?? -1)));
		doc.getText('description').insert(0, '楼道加装折叠座椅');
		doc.getMap('meta').set('title', 'seats');
		// /ws has no acks: wait until the relay reports the writes as stored.
		await waitFor(async () => ((await (await fetch(`${first.url}/api/health`)).json()) as { headSeq: number }).headSeq >= 2, {
			what: 'writes stored'
		});
		first.child.kill('SIGTERM');
		expect(await first.exited).toBe(0);
		expect(await closeCode).toBe(CloseCode.ShuttingDown);
		p.destroy();

		const second = killOnCleanup(await spawnRelay(dataDir, { COURTYARD_AUTH: 'open' }));
		const again = new Y.Doc();
		const p2 = provider(second.url, 'demo:proposal:restart', again);
		cleanup.push(() => p2.destroy());
		await whenSynced(p2);
		expect(again.getText('description').toString()).toBe('楼道加装折叠座椅');
		expect(again.getMap('meta').get('title')).toBe('seats');
	});

	it('loses no acknowledged update to kill -9', async () => {
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		const first = killOnCleanup(await spawnRelay(dataDir, { COURTYARD_AUTH: 'open' }));
		const client = await SyncClient.connect(first.url);
		cleanup.push(() => client.close());

		const docs = Array.from({ length: 5 }, (_, i) => `demo:households:g${i}`);
		const total = 300;
		const { sent, sending } = sendPacedUpdates(client, first, docs, total);
		// Crash while later updates may still be in flight.
		await waitFor(() => client.frames.filter((f) => f.kind === MuxMessage.Ack).length >= total / 2, { what: 'half the acks' });
		await crash(first, sending);
		const acked = ackedIds(client);
		expect(acked.length).toBeGreaterThanOrEqual(total / 2);

		const second = killOnCleanup(await spawnRelay(dataDir, { COURTYARD_AUTH: 'open' }));
		const restored = await batchSync(second.url, docs);
		for (const id of acked) {
			const { doc, key } = sent.get(id) as { doc: string; key: string };
			expect(restored.get(doc)?.getMap('households').has(key), `acknowledged update ${key} in ${doc}`).toBe(true);
		}
	});
});
