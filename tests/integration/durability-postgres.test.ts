/**
 * With DATABASE_URL the relay keeps documents in PostgreSQL, and what it acknowledged survives kill -9: a new
 * process on the same database serves every acknowledged update. Also: close() releases the pool, and a
 * PostgreSQL that is gone shows as failing storage in /api/health.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MuxMessage } from '../../src/lib/protocol/messages';
import { type PostgresService, startPostgres } from '../services/services';
import { cleanupAfterEach, killAfterTest, serviceForFile } from './helpers-lifecycle';
import { batchSync, type ChildRelay, provider, removeDir, spawnRelay, startTestRelay, SyncClient, tempDir, waitFor, whenSynced } from './helpers';
import { ackedIds, crash, lostUpdates, sendPacedUpdates } from './helpers-durability';

let server: PostgresService;
serviceForFile(startPostgres, (s) => (server = s), 60_000);
const cleanup = cleanupAfterEach();

const killOnCleanup = (relay: ChildRelay) => killAfterTest(cleanup, relay);

async function connectionsTo(url: string): Promise<number> {
	const db = new URL(url).pathname.slice(1);
	const admin = new pg.Client({ connectionString: server.url });
	await admin.connect();
	try {
		const { rows } = await admin.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [db]);
		return rows[0]?.n ?? 0;
	} finally {
		await admin.end();
	}
}

describe('durability with PostgreSQL', () => {
	it('loses no acknowledged update to kill -9', async () => {
		const databaseUrl = await server.freshDatabase();
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		const env = { COURTYARD_AUTH: 'open', DATABASE_URL: databaseUrl };
		const first = killOnCleanup(await spawnRelay(dataDir, env));
		const client = await SyncClient.connect(first.url);
		cleanup.push(() => client.close());

		// A stock y-websocket client: /ws has no acks, so its writes count as acknowledged once the feed head passed them.
		const stock = new Y.Doc();
		const p = provider(first.url, 'demo:proposal:stock', stock);
		cleanup.push(() => p.destroy());
		await whenSynced(p);
		stock.getText('description').insert(0, '楼道加装折叠座椅');
		stock.getMap('meta').set('title', 'seats');
		await waitFor(async () => ((await (await fetch(`${first.url}/api/health`)).json()) as { headSeq: number }).headSeq >= 2, {
			what: 'stock writes stored'
		});

		const docs = Array.from({ length: 5 }, (_, i) => `demo:households:g${i}`);
		const total = 300;
		const { sent, sending } = sendPacedUpdates(client, first, docs, total);
		await waitFor(() => client.frames.filter((f) => f.kind === MuxMessage.Ack).length >= total / 2, { what: 'half the acks', timeout: 15_000 });
		await crash(first, sending);
		p.destroy();
		const acked = ackedIds(client);
		expect(acked.length).toBeGreaterThanOrEqual(total / 2);

		// A new process on the same database (and a fresh data directory: nothing of the documents is on disk).
		const secondDir = tempDir();
		cleanup.push(() => removeDir(secondDir));
		const second = killOnCleanup(await spawnRelay(secondDir, env));
		const restored = await batchSync(second.url, [...docs, 'demo:proposal:stock']);
		const lost = lostUpdates(sent, acked, restored);
		expect(lost).toEqual([]);
		expect(restored.get('demo:proposal:stock')?.getText('description').toString()).toBe('楼道加装折叠座椅');
		expect(restored.get('demo:proposal:stock')?.getMap('meta').get('title')).toBe('seats');
	});

	it('close() releases every connection of the pool', async () => {
		const databaseUrl = await server.freshDatabase();
		const relay = await startTestRelay({ databaseUrl, auth: 'open' });
		cleanup.push(() => removeDir(relay.dataDir));
		await relay.store.appendUpdates([{ doc: 'demo:proposal:a', data: new Uint8Array([0, 0]) }]);
		expect(await relay.store.headSeq()).toBe(1);
		expect(await connectionsTo(databaseUrl)).toBeGreaterThan(0);
		await relay.close();
		await waitFor(async () => (await connectionsTo(databaseUrl)) === 0, { what: 'the pool closed' });
		expect(await connectionsTo(databaseUrl)).toBe(0);
	});

	// Last: it stops the server.
	it('reports failing storage in /api/health once PostgreSQL is gone', async () => {
		const databaseUrl = await server.freshDatabase();
		const relay = await startTestRelay({ databaseUrl, auth: 'open' });
		cleanup.push(() => removeDir(relay.dataDir));
		cleanup.push(() => relay.close());
		// Health probes storage at most every few seconds, so the first /api/health comes after the crash.
		await relay.store.appendUpdates([{ doc: 'demo:proposal:a', data: new Uint8Array([0, 0]) }]);
		await server.stop({ hard: true });
		const failing = await fetch(`${relay.url}/api/health`);
		expect(failing.status).toBe(503);
		expect(await failing.json()).toMatchObject({ ok: false, storage: { reads: 'failing' }, lastFailure: { what: 'probe' } });
	});
});
