/** A stock y-websocket WebsocketProvider works against /ws/<doc>, and `sync` means it holds the server's state. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SqliteStore } from '../../server/storage/sqlite-store';
import { removeDir, provider, SlowLoadStore, startTestRelay, tempDir, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach } from './helpers-lifecycle';
import type { WebsocketProvider } from 'y-websocket';

const cleanup = cleanupAfterEach();

function track(p: WebsocketProvider): WebsocketProvider {
	cleanup.push(() => p.destroy());
	return p;
}

describe('stock y-websocket provider on /ws', () => {
	it('two clients converge on a Y.Text', async () => {
		const relay = await startTestRelay({ auth: 'open' });
		cleanup.push(() => removeDir(relay.dataDir));
		cleanup.push(() => relay.close());
		const a = new Y.Doc();
		const b = new Y.Doc();
		const pa = track(provider(relay.url, 'demo:proposal:converge', a));
		const pb = track(provider(relay.url, 'demo:proposal:converge', b));
		a.getText('description').insert(0, 'hello ');
		b.getText('description').insert(0, 'world');
		await waitFor(() => pa.synced && pb.synced, { what: 'both synced' });
		await waitFor(() => a.getText('description').toString() === b.getText('description').toString() && a.getText('description').length === 11, {
			what: 'convergence'
		});
		a.getText('description').insert(0, '>');
		await waitFor(() => b.getText('description').toString().startsWith('>'), { what: 'live update' });
		expect(b.getText('description').toString()).toBe(a.getText('description').toString());
	});

	it('reports synced only once it holds the full stored state, even while the room loads', async () => {
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		let relay = await startTestRelay({ auth: 'open', dataDir });
		const writer = new Y.Doc();
		const pw = provider(relay.url, 'demo:proposal:many', writer);
		await whenSynced(pw);
		const text = writer.getText('description');
		for (let i = 0; i < 500; i++) text.insert(text.length, `${i % 10}`);
		await waitFor(async () => (await relay.hub.stats()).headSeq >= 500, { what: '500 updates stored', timeout: 10_000 });
		pw.destroy();
		await relay.close();

		// A fresh relay whose storage takes 300 ms to load a document: the stock server with persistence would
		// answer sync step 1 from the still-empty document here and the client would report synced too early.
		relay = await startTestRelay({ auth: 'open', dataDir, store: new SlowLoadStore(SqliteStore.open(dataDir), 300), idleUnloadMs: 20 });
		cleanup.push(() => relay.close());
		const expected = text.toString();
		for (let round = 0; round < 3; round++) {
			const fresh = new Y.Doc();
			const p = track(provider(relay.url, 'demo:proposal:many', fresh));
			const atSync = await new Promise<string>((resolve) => p.once('sync', () => resolve(fresh.getText('description').toString())));
			expect(atSync).toBe(expected);
			expect(atSync.length).toBe(500);
			p.destroy();
			// Let the room unload so the next round loads it (slowly) again.
			await waitFor(() => relay.hub.rooms.size === 0, { what: 'room unloaded' });
		}
	});
});
