/**
 * Several relay processes serving the same documents (REDIS_URL; fanout/cluster.ts).
 *
 * - In one process: two relays on one MemoryStore, linked by the in-memory fan-out, where messages can be lost
 *   and links cut on purpose: lost commits are repaired from the store, a process that goes silent has its
 *   presence removed.
 * - In one process too: what runs on one process only (the photo collection) or is shared (the join limit), and
 *   report corrections posted to a process that does not run the report publisher (asked over the fan-out).
 * - With the admin CLI on real PostgreSQL and Redis: its revocation reaches every process at once.
 * - Spawned: two `node server/main.ts` processes on one PostgreSQL and one Redis: stock clients converge (updates
 *   and presence), /sync catch-up is complete through either process, kill -9 loses no acknowledged update, a
 *   revocation on one closes sockets on the other, and a Redis restart loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { FanoutKind } from '../../server/fanout/fanout';
import { MemoryBus, MemoryFanout } from '../../server/fanout/memory-fanout';
import { type RelayOptions, startRelay } from '../../server/relay';
import { MemoryStore } from '../../server/storage/memory-store';
import { silentLogger } from '../../server/core/log';
import pg from 'pg';
import { spawn } from 'node:child_process';
import { REPORT_CORRECTION_PATH } from '../../src/lib/protocol/api';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import { communityDocName, proposalDocName, reportDocName } from '../../src/lib/schema/doc-names';
import { createProposal } from '../../src/lib/schema/proposal-doc';
import { readReportDoc } from '../../src/lib/schema/report-doc';
import { RedisFanout } from '../../server/fanout/redis-fanout';
import { MemoryPhotoMeta, type PhotoMetaStore } from '../../server/storage/photo-meta';
import { Credentials } from '../../server/auth/credentials';
import { openPostgres } from '../../server/storage/postgres/db';
import { PgAccessStore } from '../../server/storage/postgres/access-pg';
import { type PostgresService, type Service, startPostgres, startRedis } from '../services/services';
import { communityFixture, grid } from '../../src/lib/domain/testing';
import { batchSync, type ChildRelay, docUrl, ROOT, provider, RawClient, removeDir, sleep, spawnRelay, SyncClient, tempDir, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach, killAfterTest } from './helpers-lifecycle';
import { ackedIds, crash, lostUpdates, sendPacedUpdates } from './helpers-durability';

const cleanup = cleanupAfterEach();

/** A stock client of `doc` on `url`, synced; destroyed after the test. */
async function stock(url: string, doc: string, params: Record<string, string> = {}): Promise<{ ydoc: Y.Doc; p: WebsocketProvider }> {
	const ydoc = new Y.Doc();
	const p = provider(url, doc, ydoc, params);
	cleanup.push(() => p.destroy());
	await whenSynced(p);
	return { ydoc, p };
}

const nameOf = (p: WebsocketProvider, id: number) => (p.awareness.getStates().get(id) as { user?: { name?: string } } | undefined)?.user?.name;

describe('two relays on one store, linked by the in-memory fan-out', () => {
	async function pair(cluster: RelayOptions['cluster'] = {}) {
		const store = new MemoryStore();
		const bus = new MemoryBus();
		const timings = { heartbeatMs: 50, peerTimeoutMs: 400, gapWaitMs: 30, checkEveryMs: 200, leaseTtlMs: 600, ...cluster };
		const start = (id: string) =>
			startRelay({ store, auth: 'open', fanout: new MemoryFanout(bus, id), cluster: timings, logger: silentLogger, staticDir: '/nonexistent' });
		const a = await start('a');
		const b = await start('b');
		cleanup.push(() => b.close(), () => a.close());
		return { a, b, bus, store };
	}

	it('runs the publishers on exactly one process, and hands them over when it stops', async () => {
		const store = new MemoryStore();
		const bus = new MemoryBus();
		const leads: string[] = [];
		const start = (id: string) =>
			startRelay({
				store,
				auth: 'open',
				fanout: new MemoryFanout(bus, id),
				cluster: { heartbeatMs: 50, peerTimeoutMs: 400, leaseTtlMs: 300 },
				logger: { warn: () => {}, info: (m: string) => void (m.includes('runs the publishers') && leads.push(id)) },
				staticDir: '/nonexistent'
			});
		const a = await start('a');
		const b = await start('b');
		cleanup.push(() => b.close());
		await waitFor(() => leads.length === 1, { what: 'a leader' });
		await sleep(400);
		expect(leads).toEqual(['a']);
		await a.close();
		await waitFor(() => leads.length === 2, { what: 'the takeover' });
		expect(leads).toEqual(['a', 'b']);
	});

	it('stock clients on each converge: updates, presence and its removal', async () => {
		const { a, b } = await pair();
		const doc = 'demo:minutes:m1';
		const x = await stock(a.url, doc);
		const y = await stock(b.url, doc);
		x.ydoc.getText('notes').insert(0, 'from a');
		y.ydoc.getText('notes').insert(0, 'from b; ');
		await waitFor(() => x.ydoc.getText('notes').toString() === y.ydoc.getText('notes').toString() && y.ydoc.getText('notes').length === 14, {
			what: 'convergence'
		});
		x.p.awareness.setLocalStateField('user', { name: 'X' });
		y.p.awareness.setLocalStateField('user', { name: 'Y' });
		await waitFor(() => nameOf(y.p, x.ydoc.clientID) === 'X' && nameOf(x.p, y.ydoc.clientID) === 'Y', { what: 'presence across' });
		// A client joining later on b gets a's presence at once (b asked a for it when the room loaded: it was loaded).
		const z = await stock(b.url, doc);
		await waitFor(() => nameOf(z.p, x.ydoc.clientID) === 'X', { what: "x's presence at a late joiner" });
		x.p.destroy();
		await waitFor(() => !y.p.awareness.getStates().has(x.ydoc.clientID), { what: "x's removal at b" });
		expect(y.ydoc.getText('notes').toString()).toMatch(/from a/);
	});

	it('repairs lost commit messages from the store: BatchSync at once, loaded rooms soon after', async () => {
		// No periodic check and no gap repair: only the catch-up before a BatchSync can bring it.
		const { a, b, bus } = await pair({ checkEveryMs: 0, gapWaitMs: 60_000 });
		const doc = 'demo:proposal:lost';
		const watcher = await stock(b.url, doc);
		// Every commit message is lost from now on.
		bus.drop = (m) => m.kind === FanoutKind.Commits;
		const writer = await stock(a.url, doc);
		writer.ydoc.getMap('meta').set('title', 'written on a');
		await waitFor(async () => (await a.store.headSeq()) >= 1, { what: 'stored on a' });
		// b's room never heard of it; a BatchSync through b still answers with it (b catches up first).
		const seen = await batchSync(b.url, [doc]);
		expect(seen.get(doc)?.getMap('meta').get('title')).toBe('written on a');
		// And the stock client on b gets it too, from b's catch-up.
		await waitFor(() => watcher.ydoc.getMap('meta').get('title') === 'written on a', { what: 'repaired at b' });
	});

	it('repairs a gap as soon as a later message shows it, without waiting for the periodic check', async () => {
		const { a, b, bus } = await pair({ checkEveryMs: 0 });
		const doc = 'demo:proposal:gap';
		const watcher = await stock(b.url, doc);
		let lose = true;
		bus.drop = (m) => lose && m.kind === FanoutKind.Commits;
		const writer = await stock(a.url, doc);
		writer.ydoc.getMap('meta').set('first', 1);
		await waitFor(async () => (await a.store.headSeq()) >= 1, { what: 'first stored' });
		await sleep(50);
		expect(watcher.ydoc.getMap('meta').get('first')).toBeUndefined();
		lose = false;
		const other = await stock(a.url, 'demo:proposal:elsewhere');
		other.ydoc.getMap('meta').set('x', 1);
		await waitFor(() => watcher.ydoc.getMap('meta').get('first') === 1, { what: 'gap repaired' });
	});

	it('removes the presence of a process whose link dropped, and catches it up when it is back', async () => {
		const { a, b, bus } = await pair();
		const doc = 'demo:minutes:m2';
		const x = await stock(a.url, doc);
		// Presence lives in rooms, and a document nobody wrote has none (hub.ts): write it first.
		x.ydoc.getText('notes').insert(0, '.');
		const y = await stock(b.url, doc);
		await waitFor(() => y.ydoc.getText('notes').length === 1, { what: 'the first write at b' });
		x.p.awareness.setLocalStateField('user', { name: 'X' });
		await waitFor(() => nameOf(y.p, x.ydoc.clientID) === 'X', { what: 'presence across' });
		bus.disconnect('a');
		await waitFor(() => !y.p.awareness.getStates().has(x.ydoc.clientID), { what: "a's presence removed at b" });
		// Written while cut off: nothing of it reaches b through the fan-out.
		x.ydoc.getText('notes').insert(0, 'while cut off');
		y.ydoc.getText('notes').insert(0, 'b side; ');
		bus.reconnect('a');
		await waitFor(() => x.ydoc.getText('notes').toString() === y.ydoc.getText('notes').toString() && y.ydoc.getText('notes').length === 22, {
			what: 'convergence after the link is back'
		});
		await waitFor(() => nameOf(y.p, x.ydoc.clientID) === 'X', { what: 'presence back at b' });
		expect(x.ydoc.getText('notes').toString()).toBe(y.ydoc.getText('notes').toString());
	});

	it('a loaded room on another process answers a new subscriber with everything stored, even with messages lost', async () => {
		// No periodic check and no gap repair: only the catch-up before answering a subscriber can bring it.
		const { a, b, bus } = await pair({ checkEveryMs: 0, gapWaitMs: 60_000 });
		const doc = 'demo:proposal:loaded';
		const writer = await stock(a.url, doc);
		writer.ydoc.getMap('m').set('k0', 0);
		const watcher = await stock(b.url, doc);
		await waitFor(() => watcher.ydoc.getMap('m').get('k0') === 0, { what: "b's room holds the first write" });
		bus.drop = (m) => m.kind === FanoutKind.Commits;
		for (let i = 1; i < 20; i++) writer.ydoc.getMap('m').set(`k${i}`, i);
		await waitFor(async () => (await a.store.headSeq()) >= 20, { what: 'stored on a' });
		expect(watcher.ydoc.getMap('m').size).toBe(1);
		const late = await stock(b.url, doc);
		// At "synced" it has everything stored before it subscribed.
		expect(late.ydoc.getMap('m').size).toBe(20);
		// And the room's other subscribers got it too.
		await waitFor(() => watcher.ydoc.getMap('m').size === 20, { what: 'the watcher caught up' });
	});
});

describe('one process at a time, and requests any process answers (in-memory fan-out)', () => {
	const C = 'demo';
	/** Wednesday 4 March 2026 (CST): January is long closed, so the first publication freezes it as version 1. */
	const T0 = Date.UTC(2026, 2, 4, 2);
	const JAN = Date.UTC(2026, 0, 14, 2);

	/** Two relays on one store and one data directory (devices, signing key, photos), `a` started first. */
	async function linked(extra: (id: string) => Partial<RelayOptions> = () => ({})) {
		const store = new MemoryStore();
		const bus = new MemoryBus();
		const dataDir = tempDir();
		const leads: string[] = [];
		const start = (id: string) =>
			startRelay({
				store,
				dataDir,
				fanout: new MemoryFanout(bus, id),
				cluster: { heartbeatMs: 50, peerTimeoutMs: 400, leaseTtlMs: 300 },
				logger: { warn: () => {}, info: (m: string) => void (m.includes('runs the publishers') && leads.push(id)) },
				staticDir: '/nonexistent',
				...extra(id)
			});
		const a = await start('a');
		await waitFor(() => leads.length === 1, { what: 'a leader' });
		const b = await start('b');
		cleanup.push(
			() => removeDir(dataDir),
			() => a.close(),
			() => b.close()
		);
		return { a, b, bus, store, leads };
	}

	it('corrects a report through a process that does not run the publisher: the holder appends it and answers with the version', async () => {
		const store = new MemoryStore();
		const community = new Y.Doc();
		writeCommunity(community, communityFixture({ id: C, street: 'street1', grids: [grid('g1', '一网格')] }));
		const matter = new Y.Doc();
		createProposal(
			matter,
			{ title: '旧事项', description: '说明', category: 'facilities', kind: 'individual', channel: 'box', household: 'b01-1-101' },
			{ id: 'old', actor: { id: 'dev-fac', name: '周敏', role: 'facilitator' }, now: JAN, status: 'submitted' }
		);
		await store.appendUpdates([
			{ doc: communityDocName(C), data: Y.encodeStateAsUpdate(community) },
			{ doc: proposalDocName(C, 'old'), data: Y.encodeStateAsUpdate(matter) }
		]);
		const reports = { now: () => T0, debounceMs: 30, graceMs: 3_600_000, checkEveryMs: 30, startDelayMs: 0 };
		const { a, b, bus, leads } = await linked(() => ({ store, reports }));
		expect(leads).toEqual(['a']);
		const januaryVersions = async () => {
			const doc = new Y.Doc();
			for (const u of await store.loadUpdates(reportDocName(C, 'main'))) Y.applyUpdate(doc, u);
			return readReportDoc(doc)
				.closed.filter((v) => v.report.period.key === '2026-01')
				.sort((x, y) => x.version - y.version);
		};
		await waitFor(async () => (await januaryVersions()).length === 1, { what: 'January frozen as version 1' });
		const { token } = await b.credentials.issue({ role: 'community_admin', community: C }, '社区管理员');
		const correct = async (relayUrl: string, reason: string) => {
			const res = await fetch(`${relayUrl}${REPORT_CORRECTION_PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
				body: JSON.stringify({ community: C, period: 'month:2026-01', reason })
			});
			return { status: res.status, body: (await res.json()) as { version?: number; error?: string; message?: string } };
		};
		// b does not run the publisher: it checks the request and asks a, which appends and answers.
		expect(await correct(b.url, '补录')).toEqual({ status: 201, body: { version: 2 } });
		expect((await januaryVersions()).map((v) => [v.version, v.correction])).toEqual([
			[1, undefined],
			[2, { reason: '补录', by: '社区管理员' }]
		]);
		expect(await correct(b.url, '再次核对')).toEqual({ status: 201, body: { version: 3 } });
		expect((await januaryVersions()).map((v) => v.version)).toEqual([1, 2, 3]);
		// The holder's refusals come back as they are: the open month is not frozen, so it is not corrected.
		const open = await fetch(`${b.url}${REPORT_CORRECTION_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify({ community: C, period: 'month:2026-03', reason: '未冻结' })
		});
		expect(open.status).toBe(400);
		expect(((await open.json()) as { message: string }).message).toMatch(/not frozen/);
		// What b checks itself never travels: a malformed request is refused on b.
		const bad = await fetch(`${b.url}${REPORT_CORRECTION_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify({ community: C, period: 'month:2026-13', reason: 'x' })
		});
		expect(bad.status).toBe(400);
		// Nobody answers (the request is lost): a clear refusal, not a hang.
		bus.drop = (m) => m.kind === FanoutKind.Request;
		const lost = await correct(b.url, '丢失');
		expect(lost.status).toBe(503);
		expect(lost.body.message).toMatch(/no relay process serving reports\.correct answered/);
		bus.drop = () => false;
		// And on the holder itself the API answers the same.
		expect(await correct(a.url, '在 a 上')).toEqual({ status: 201, body: { version: 4 } });
	});

	it('collects photos on the holder of the publishers lease only, and on the other once the holder stops', async () => {
		const shared = new MemoryPhotoMeta();
		const scans = { a: 0, b: 0 } as Record<string, number>;
		/** The shared metadata, counting each relay's collection passes (each starts by listing old links). */
		const counting = (id: string): PhotoMetaStore =>
			new Proxy(shared, {
				get(target, prop, receiver) {
					if (prop === 'linksBefore') {
						return (...args: Parameters<PhotoMetaStore['linksBefore']>) => {
							scans[id] = (scans[id] ?? 0) + 1;
							return target.linksBefore(...args);
						};
					}
					if (prop === 'close') return async () => {};
					const value = Reflect.get(target, prop, receiver) as unknown;
					return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
				}
			});
		const { a, leads } = await linked((id) => ({ auth: 'open', photoMeta: counting(id), limits: { photoGcIntervalMs: 30 } }));
		expect(leads).toEqual(['a']);
		await waitFor(() => (scans.a ?? 0) >= 3, { what: 'three passes on a' });
		expect(scans.b).toBe(0);
		await a.close();
		await waitFor(() => leads.length === 2, { what: 'the takeover' });
		const before = scans.a;
		await waitFor(() => (scans.b ?? 0) >= 3, { what: 'passes on b' });
		// a collects no more once it stopped.
		expect(scans.a).toBe(before);
	});

	it('counts invitation redemptions per address across processes', async () => {
		const { a, b } = await linked(() => ({ auth: 'open', joinsPerMinute: 3 }));
		const join = async (relayUrl: string) =>
			(
				await fetch(`${relayUrl}/api/join`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ code: 'not-a-code', deviceName: 'guess' })
				})
			).status;
		// Three guesses, wherever they land, use up the address's minute; counted per process b would allow three more.
		const first = [await join(a.url), await join(b.url), await join(a.url)];
		expect(first).not.toContain(429);
		expect(await join(b.url)).toBe(429);
		expect(await join(a.url)).toBe(429);
	});
});

describe('two relay processes on one PostgreSQL and one Redis', () => {
	let postgres: PostgresService;
	let redis: Service;

	beforeAll(async () => {
		[postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
	}, 60_000);

	afterAll(async () => {
		await Promise.all([postgres?.stop(), redis?.stop()]);
	});

	const killOnCleanup = (relay: ChildRelay) => killAfterTest(cleanup, relay);

	/** Two processes on a fresh database, sharing one data directory (the signing key) and the Redis. */
	async function cluster(auth: 'open' | 'credentials' = 'open') {
		const databaseUrl = await postgres.freshDatabase();
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		const env = { COURTYARD_AUTH: auth, DATABASE_URL: databaseUrl, REDIS_URL: redis.url };
		// One after the other: the first creates the signing key the second reads.
		const a = killOnCleanup(await spawnRelay(dataDir, env));
		const b = killOnCleanup(await spawnRelay(dataDir, env));
		return { a, b, databaseUrl, dataDir, env };
	}

	it('refuses to start with REDIS_URL but no DATABASE_URL', async () => {
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		await expect(spawnRelay(dataDir, { REDIS_URL: redis.url, DATABASE_URL: '' })).rejects.toThrow(/REDIS_URL .* needs DATABASE_URL/);
	});

	it('processes starting together on an empty store seed the demo once', async () => {
		const databaseUrl = await postgres.freshDatabase();
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		const env = { COURTYARD_AUTH: 'open', DATABASE_URL: databaseUrl, REDIS_URL: redis.url, SEED: '1' };
		const [a, b] = await Promise.all([spawnRelay(dataDir, env), spawnRelay(dataDir, env)]);
		killOnCleanup(a);
		killOnCleanup(b);
		const db = new pg.Client({ connectionString: databaseUrl });
		await db.connect();
		try {
			const { rows } = await db.query<{ docs: number; updates: number }>(
				'SELECT (SELECT COUNT(*)::int FROM docs) AS docs, (SELECT COUNT(*)::int FROM updates) AS updates'
			);
			expect(rows[0]?.docs).toBeGreaterThan(10);
			// Seeded twice, every document would hold two rows (two copies of its content).
			expect(rows[0]?.updates).toBe(rows[0]?.docs);
		} finally {
			await db.end();
		}
		// One of them printed the demo invitations: the one that seeded.
		expect([a, b].filter((r) => /invit/i.test(r.stdout().split('\n').slice(1).join('\n')))).toHaveLength(1);
	});

	it('stock clients on each process converge, updates and presence', async () => {
		const { a, b } = await cluster();
		const doc = 'demo:minutes:spawned';
		const x = await stock(a.url, doc);
		x.ydoc.getText('notes').insert(0, 'a');
		const y = await stock(b.url, doc);
		await waitFor(() => y.ydoc.getText('notes').toString() === 'a', { what: "a's write at b" });
		for (let i = 0; i < 20; i++) {
			x.ydoc.getText('notes').insert(0, 'x');
			y.ydoc.getText('notes').insert(0, 'y');
		}
		await waitFor(() => x.ydoc.getText('notes').length === 41 && y.ydoc.getText('notes').toString() === x.ydoc.getText('notes').toString(), {
			what: 'convergence'
		});
		x.p.awareness.setLocalStateField('user', { name: 'X' });
		y.p.awareness.setLocalStateField('user', { name: 'Y' });
		await waitFor(() => nameOf(y.p, x.ydoc.clientID) === 'X' && nameOf(x.p, y.ydoc.clientID) === 'Y', { what: 'presence across' });
		y.p.destroy();
		await waitFor(() => !x.p.awareness.getStates().has(y.ydoc.clientID), { what: "y's removal at a" });
		expect(x.ydoc.getText('notes').length).toBe(41);
	});

	it('/sync catch-up is complete at "synced" through either process', async () => {
		const { a, b } = await cluster();
		const docs = Array.from({ length: 40 }, (_, i) => `demo:households:g${i}`);
		// b holds some of them loaded (rooms that must not answer from a stale state).
		for (const doc of docs.slice(0, 5)) await stock(b.url, doc);
		const writer = await SyncClient.connect(a.url);
		cleanup.push(() => writer.close());
		const sent: number[] = [];
		for (let round = 0; round < 3; round++) {
			for (const [i, doc] of docs.entries()) {
				const d = new Y.Doc();
				d.getMap('households').set(`h${round}`, { room: `${i}-${round}` });
				const requestId = writer.requestId();
				sent.push(requestId);
				writer.sendFrame({ kind: MuxMessage.Update, requestId, doc, update: Y.encodeStateAsUpdate(d) });
			}
		}
		await waitFor(() => writer.frames.filter((f) => f.kind === MuxMessage.Ack).length === sent.length, { what: 'every ack', timeout: 15_000 });
		// Right after the last ack, through either process: a device that lists changes and pulls is complete.
		for (const relay of [b, a]) {
			const lister = await SyncClient.connect(relay.url);
			cleanup.push(() => lister.close());
			lister.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
			const changes = await lister.waitFrame(MuxMessage.Changes);
			expect(new Set(changes.entries.map((e) => e.doc))).toEqual(new Set(docs));
			const got = await batchSync(relay.url, docs);
			for (const doc of docs) expect([...(got.get(doc)?.getMap('households').keys() ?? [])].sort()).toEqual(['h0', 'h1', 'h2']);
		}
	});

	it('kill -9 of one process loses no acknowledged update; the other serves them all', async () => {
		const { a, b } = await cluster();
		const docs = Array.from({ length: 5 }, (_, i) => `demo:households:k${i}`);
		const watcher = await stock(b.url, docs[0] as string);
		const client = await SyncClient.connect(a.url);
		cleanup.push(() => client.close());
		const total = 300;
		const { sent, sending } = sendPacedUpdates(client, a, docs, total);
		await waitFor(() => client.frames.filter((f) => f.kind === MuxMessage.Ack).length >= total / 3, { what: 'a third of the acks', timeout: 15_000 });
		// Someone present on a's side, seen on b's.
		const present = await stock(a.url, docs[0] as string);
		present.p.awareness.setLocalStateField('user', { name: 'P' });
		await waitFor(() => nameOf(watcher.p, present.ydoc.clientID) === 'P', { what: 'presence across' });
		await crash(a, sending);
		const acked = ackedIds(client);
		expect(acked.length).toBeGreaterThanOrEqual(total / 3);
		const restored = await batchSync(b.url, docs);
		const lost = lostUpdates(sent, acked, restored);
		expect(lost).toEqual([]);
		// The stock client on the survivor converges on everything stored for its document.
		const want = restored.get(docs[0] as string)?.getMap('households').size ?? 0;
		await waitFor(() => watcher.ydoc.getMap('households').size === want, { what: 'the watcher on b converged' });
		// The dead process's presence goes once it stops beating (5 s), long before clients would time it out (30 s).
		await waitFor(() => !watcher.p.awareness.getStates().has(present.ydoc.clientID), { what: "the dead process's presence removed", timeout: 15_000 });
	});

	it('a revocation on one process closes the device\'s sockets on the other', async () => {
		const { a, b, databaseUrl, dataDir } = await cluster('credentials');
		const db = await openPostgres(databaseUrl);
		const credentials = await Credentials.open(dataDir, {}, silentLogger, new PgAccessStore(db.pool));
		cleanup.push(async () => {
			await credentials.close();
			await db.close();
		});
		const { token: admin } = await credentials.issue({ role: 'community_admin', community: 'demo' }, 'admin desk');
		const { token, device } = await credentials.issue({ role: 'grid_worker', community: 'demo', grids: ['g1'] }, 'lost phone');
		const doc = 'demo:proposal:p1';
		const sync = await SyncClient.connect(b.url, token);
		cleanup.push(() => sync.close());
		sync.sendFrame({ kind: MuxMessage.Subscribe, doc });
		await sync.waitFrame(MuxMessage.Doc);
		const ws = new RawClient(docUrl(b.url, doc, token));
		cleanup.push(() => ws.close());
		await waitFor(() => ws.received.length > 0, { what: '/ws greeted' });
		const started = performance.now();
		const res = await fetch(`${a.url}/api/devices/${device.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
		expect(res.status).toBe(200);
		for (const c of [sync, ws]) expect(await c.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
		// A figure for the report, not an assertion: the store poll (2 s) would close them too, only later.
		console.info(`revocation on a closed both sockets on b after ${(performance.now() - started).toFixed(0)} ms`);
	});

	it("the admin CLI's revocation closes the device's sockets on every process at once", async () => {
		const databaseUrl = await postgres.freshDatabase();
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		// In this test process, on the real services; their revocation poll is off for the test's span (10 min), so
		// only the CLI's message can close anything.
		const start = () =>
			startRelay({
				dataDir,
				databaseUrl,
				fanout: new RedisFanout(redis.url),
				credentials: { revocationPollMs: 600_000 },
				logger: silentLogger,
				staticDir: '/nonexistent'
			});
		const a = await start();
		cleanup.push(() => a.close());
		const b = await start();
		cleanup.push(() => b.close());
		const { token, device } = await a.credentials.issue({ role: 'grid_worker', community: 'demo', grids: ['g1'] }, 'lost phone');
		const sockets = [];
		for (const relay of [a, b]) {
			const sync = await SyncClient.connect(relay.url, token);
			cleanup.push(() => sync.close());
			sync.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:p1' });
			await sync.waitFrame(MuxMessage.Doc);
			sockets.push(sync);
		}
		const cli = spawn(process.execPath, ['--import', 'tsx', 'server/admin/cli.ts', 'revoke', device.id], {
			cwd: ROOT,
			env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: redis.url },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
		cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
		expect(await new Promise((resolve) => cli.on('exit', resolve))).toBe(0);
		expect(out).toMatch(/the running relays close its connections now/);
		const timeout = new Promise((resolve) => setTimeout(() => resolve('still open'), 5_000).unref());
		for (const c of sockets) expect(await Promise.race([c.closed, timeout])).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
	});

	it('loses nothing when Redis restarts: what was committed meanwhile reaches the other process', async () => {
		const { a, b } = await cluster();
		const doc = 'demo:proposal:redis-restart';
		const x = await stock(a.url, doc);
		x.ydoc.getMap('meta').set('before', 1);
		const y = await stock(b.url, doc);
		await waitFor(() => y.ydoc.getMap('meta').get('before') === 1, { what: 'before the restart' });
		await redis.stop({ hard: true });
		x.ydoc.getMap('meta').set('during', 1);
		await sleep(300);
		redis = await startRedis({ port: redis.port });
		await waitFor(() => y.ydoc.getMap('meta').get('during') === 1, { what: 'written during the restart, at b', timeout: 10_000 });
		// And the fan-out works again (presence goes only through it).
		x.p.awareness.setLocalStateField('user', { name: 'X' });
		await waitFor(() => nameOf(y.p, x.ydoc.clientID) === 'X', { what: 'presence after the restart', timeout: 10_000 });
		expect(b.child.exitCode).toBeNull();
	});
});
