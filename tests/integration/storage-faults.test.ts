/**
 * Storage faults are contained and visible, against the real relay and its real SQLite files:
 * - one unreadable update row fails its document alone: a batch catch-up carries every other document and
 *   BatchStatus.Unavailable for that one, the app's sync engine keeps it unsynced, and /api/health says so;
 * - a bad row or record in the community document answers a resident's ballot with a clear 503, or not at all;
 * - a damaged database page or signing key stops start-up with an error naming the file;
 * - /api/health turns 503 while writes fail, and shows counts only to an admin.
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { openDatabase } from '../../src/lib/client/db';
import { DocStore as DeviceStore } from '../../src/lib/client/doc-store';
import { SyncEngine, type WebSocketLike } from '../../src/lib/client/sync-engine';
import type { Grant } from '../../src/lib/domain/access';
import { pollBallotPath } from '../../src/lib/domain/poll';
import { BatchStatus, MuxMessage } from '../../src/lib/protocol/messages';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import { communityDocName, householdsDocName, pollDocName } from '../../src/lib/schema/doc-names';
import { writeHouseholds } from '../../src/lib/schema/households-doc';
import { createPoll } from '../../src/lib/schema/poll-doc';
import { KEY_FILE, KEYS_DIR } from '../../server/auth/keys';
import type { Relay, RelayOptions } from '../../server/relay';
import { DB_FILE, SqliteStore } from '../../server/storage/sqlite-store';
import type { DocStore } from '../../server/storage/store';
import { communityFixture, facilitatorActor, occupied, pollDraft } from '../../src/lib/domain/testing';
import { mintToken, removeDir, spawnRelay, startTestRelay, SyncClient, tempDir } from './helpers';
import { cleanupAfterEach } from './helpers-lifecycle';
import { demoFirstStart } from '../../server/demo/invitations';

type TestRelay = Relay & { dataDir: string };
const cleanup = cleanupAfterEach();

const ADMIN: Grant = { role: 'community_admin', community: 'demo' };
const EMPTY_SV = new Uint8Array([0]);

async function start(options: RelayOptions = {}): Promise<TestRelay> {
	const relay = await startTestRelay(options);
	cleanup.push(() => relay.close());
	if (!options.dataDir) cleanup.push(() => removeDir(relay.dataDir));
	return relay;
}

/** Stores an update through the relay's durable write path. */
function write(relay: Relay, doc: string, edit: (d: Y.Doc) => void, base?: Y.Doc): Promise<void> {
	const ydoc = base ?? new Y.Doc();
	const before = Y.encodeStateVector(ydoc);
	edit(ydoc);
	return new Promise((resolve, reject) =>
		relay.hub.submit(doc, Y.encodeStateAsUpdate(ydoc, before), null, (error) => (error ? reject(error) : resolve()))
	);
}

/** With the relay stopped: replaces the newest stored row of `doc` with bytes that are no Yjs update. */
function corruptNewestRow(dataDir: string, doc: string): void {
	const db = new Database(path.join(dataDir, DB_FILE));
	const changed = db
		.prepare('UPDATE updates SET data = ? WHERE seq = (SELECT MAX(seq) FROM updates WHERE doc = ?)')
		.run(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02, 0x03]), doc).changes;
	db.close();
	expect(changed).toBe(1);
}

async function health(relay: Relay, token?: string) {
	const res = await fetch(`${relay.url}/api/health`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Why the relay refused to start on `dataDir` (null, and it is stopped, if it started). */
function startFailure(dataDir: string): Promise<string | null> {
	return spawnRelay(dataDir).then(
		(child) => {
			child.child.kill('SIGKILL');
			return null;
		},
		(error: Error) => error.message
	);
}

describe('an unreadable update row', () => {
	it('fails its document alone in a batch catch-up, over the wire and in the app', async () => {
		const first = await start();
		const dataDir = first.dataDir;
		cleanup.push(() => removeDir(dataDir));
		const broken = new Y.Doc();
		await write(first, 'demo:proposal:ok-1', (d) => d.getMap('meta').set('title', 'one'));
		await write(first, 'demo:proposal:broken', (d) => d.getMap('meta').set('title', 'two'), broken);
		await write(first, 'demo:proposal:broken', (d) => d.getMap('meta').set('status', 'submitted'), broken);
		await write(first, 'demo:proposal:ok-2', (d) => d.getMap('meta').set('title', 'three'));
		await first.close();
		corruptNewestRow(dataDir, 'demo:proposal:broken');

		const relay = await start({ dataDir });
		const token = await mintToken(relay, ADMIN);
		const client = await SyncClient.connect(relay.url, token);
		cleanup.push(() => client.close());
		const docs = ['demo:proposal:ok-1', 'demo:proposal:broken', 'demo:proposal:ok-2', 'demo:proposal:none'];
		client.sendFrame({ kind: MuxMessage.BatchSync, requestId: 7, entries: docs.map((doc) => ({ doc, stateVector: EMPTY_SV })) });
		const reply = await client.waitFrame(MuxMessage.BatchSyncReply, (f) => f.requestId === 7);
		expect(reply.entries.map((e) => [e.doc, e.status])).toEqual([
			['demo:proposal:ok-1', BatchStatus.Ok],
			['demo:proposal:broken', BatchStatus.Unavailable],
			['demo:proposal:ok-2', BatchStatus.Ok],
			['demo:proposal:none', BatchStatus.Missing]
		]);
		const ok = new Y.Doc();
		Y.applyUpdate(ok, reply.entries[2]!.diff);
		expect(ok.getMap('meta').get('title')).toBe('three');
		expect(reply.entries[1]!.diff).toHaveLength(0);
		// The connection is still open and answering.
		client.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		expect((await client.waitFrame(MuxMessage.Changes)).entries.map((e) => e.doc)).toContain('demo:proposal:broken');

		// Health says reads are failing; a stranger learns nothing more, an admin gets counts and the failure.
		const stranger = await health(relay);
		expect(stranger).toEqual({ status: 503, body: { ok: false, storage: { reads: 'failing', writes: 'ok' } } });
		const admin = await health(relay, token);
		expect(admin.status).toBe(503);
		expect(admin.body).toMatchObject({ ok: false, docs: 3, rooms: expect.any(Number), headSeq: expect.any(Number) });
		expect(JSON.stringify(admin.body.lastFailure)).toContain('demo:proposal:broken');
		// A resident's credential is no admin's.
		const resident = await health(relay, await mintToken(relay, { role: 'resident', community: 'demo', household: 'h1' }));
		expect(Object.keys(resident.body).sort()).toEqual(['ok', 'storage']);

		// The app's sync engine stores the readable documents and keeps the broken one unsynced, for later.
		const store = new DeviceStore(openDatabase('courtyard-fault-device'), 'fault/');
		const engine = new SyncEngine({
			url: `ws://127.0.0.1:${relay.port}/sync?token=${encodeURIComponent(token)}`,
			store,
			WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike
		});
		cleanup.push(() => engine.destroy());
		engine.start();
		await expect.poll(async () => (await store.db.syncState.get('demo:proposal:ok-2'))?.synced, { timeout: 10_000 }).toBe(true);
		await engine.syncNow(['demo:proposal:broken']);
		const state = await store.db.syncState.get('demo:proposal:broken');
		expect(state?.synced).toBe(false);
		expect(state?.error).toMatch(/could not read/);
		expect(engine.status.connection).toBe('online');
		expect((await store.db.syncState.get('demo:proposal:ok-1'))?.synced).toBe(true);
	});
});

describe("a bad row in the community document and residents' ballots", () => {
	const C = 'demo';
	async function pollRelay() {
		const relay = await start();
		cleanup.push(() => removeDir(relay.dataDir));
		const community = new Y.Doc();
		await write(
			relay,
			communityDocName(C),
			(d) =>
				writeCommunity(d, communityFixture({ id: C, name: '测试社区' })),
			community
		);
		const h = occupied('b01-1-101');
		await write(relay, householdsDocName(C, 'g1'), (d) => writeHouseholds(d, 'g1', [h]));
		const now = Date.now();
		const draft = pollDraft({ closesAt: now + 3_600_000 }, now);
		for (const id of ['p1', 'p2']) {
			await write(relay, pollDocName(C, id), (d) => createPoll(d, draft, { id, actor: facilitatorActor(), now }));
		}
		const token = await mintToken(relay, { role: 'resident', community: C, household: 'b01-1-101' });
		const vote = async (r: Relay, poll: string, id: string) => {
			const res = await fetch(`${r.url}${pollBallotPath(poll)}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
				body: JSON.stringify({ id, option: 'yes' })
			});
			return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
		};
		return { relay, community, vote, token };
	}

	it('still takes ballots when a grid or building record is malformed', async () => {
		const { relay, community, vote } = await pollRelay();
		await write(
			relay,
			communityDocName(C),
			(d) => {
				d.getMap('grids').set('bad', null);
				d.getMap('buildings').set('b99', { id: 'b99', grid: 'not a grid', name: 42 });
			},
			community
		);
		expect((await vote(relay, 'p1', 'ballot-after-bad-record')).status).toBe(201);
	});

	it('answers 503 naming what it cannot read when a stored row of the community document is unreadable', async () => {
		const { relay, community, vote, token } = await pollRelay();
		await write(relay, communityDocName(C), (d) => d.getMap('meta').set('name', '改名'), community);
		const dataDir = relay.dataDir;
		await relay.close();
		corruptNewestRow(dataDir, communityDocName(C));
		const again = await start({ dataDir });
		const refused = await vote(again, 'p1', 'ballot-while-broken');
		expect(refused.status).toBe(503);
		expect(refused.body.error).toBe('unavailable');
		expect(refused.body.message).toMatch(/cannot read this poll or the community/);
		// Loading the document failed, and health says so.
		expect(await health(again)).toEqual({ status: 503, body: { ok: false, storage: { reads: 'failing', writes: 'ok' } } });
		// Not a 500, and the relay keeps serving: the resident's other requests work.
		const me = await fetch(`${again.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
		expect(me.status).toBe(200);
	});
});

describe('start-up integrity check', () => {
	/** A stopped relay's data directory holding the demo community. */
	async function seededDataDir(): Promise<string> {
		const relay = await startTestRelay({ seed: demoFirstStart, bootstrapInvitations: false });
		const dataDir = relay.dataDir;
		cleanup.push(() => removeDir(dataDir));
		await relay.close();
		return dataDir;
	}

	it('refuses to start on a database with a damaged page, naming the file', async () => {
		const dataDir = await seededDataDir();
		const file = path.join(dataDir, DB_FILE);
		const db = new Database(file);
		db.pragma('wal_checkpoint(TRUNCATE)');
		const pageSize = db.pragma('page_size', { simple: true }) as number;
		const pages = db.prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = 'updates' AND pagetype = 'leaf' ORDER BY pageno").all();
		db.close();
		expect(pages.length).toBeGreaterThan(2);
		// A page in the middle of the file, overwritten as a failing disk or a torn copy would leave it.
		const page = pages[Math.floor(pages.length / 2)]!.pageno;
		const fd = fs.openSync(file, 'r+');
		fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
		fs.closeSync(fd);

		const failure = await startFailure(dataDir);
		expect(failure).toMatch(/relay exited with 1/);
		expect(failure).toContain(`${path.resolve(file)} is damaged`);
		expect(failure).not.toMatch(/\n\s+at /);
	});

	it('refuses to start on a damaged signing key file, naming the file', async () => {
		const dataDir = await seededDataDir();
		const keyFile = path.join(dataDir, KEYS_DIR, KEY_FILE);
		const text = fs.readFileSync(keyFile, 'utf8');
		fs.writeFileSync(keyFile, text.slice(0, Math.floor(text.length / 2)));
		const failure = await startFailure(dataDir);
		expect(failure).toMatch(/relay exited with 1/);
		expect(failure).toContain(`${path.resolve(keyFile)} is damaged`);
		// Not replaced by a new key: every credential issued so far depends on it.
		expect(fs.readFileSync(keyFile, 'utf8')).toBe(text.slice(0, Math.floor(text.length / 2)));
	});

	it('starts on an intact database', async () => {
		const dataDir = await seededDataDir();
		const child = await spawnRelay(dataDir);
		const res = await fetch(`${child.url}/api/health`);
		expect(await res.json()).toEqual({ ok: true, storage: { reads: 'ok', writes: 'ok' } });
		child.child.kill('SIGTERM');
		const code = await child.exited;
		expect(child.stderr()).not.toMatch(/damaged|failed/);
		expect(code).toBe(0);
	});
});

describe('/api/health while writes fail', () => {
	it('answers 503 with writes failing, and ok again once a write succeeds', async () => {
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		let failing = false;
		const sqlite = SqliteStore.open(dataDir);
		// The real store, with appends failing as a damaged table page makes them fail (SQLITE_CORRUPT).
		const store = new Proxy(sqlite, {
			get(target, prop) {
				const value = Reflect.get(target, prop) as unknown;
				if (prop === 'appendUpdates') {
					return async (...args: Parameters<DocStore['appendUpdates']>) => {
						if (failing) throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
						return target.appendUpdates(...args);
					};
				}
				return typeof value === 'function' ? value.bind(target) : value;
			}
		});
		const relay = await start({ dataDir, store });
		const token = await mintToken(relay, ADMIN);
		expect(await health(relay)).toEqual({ status: 200, body: { ok: true, storage: { reads: 'ok', writes: 'ok' } } });

		failing = true;
		await expect(write(relay, 'demo:notice:n1', (d) => d.getMap('meta').set('title', 'lost'))).rejects.toThrow(/malformed/);
		expect(await health(relay)).toEqual({ status: 503, body: { ok: false, storage: { reads: 'ok', writes: 'failing' } } });
		const admin = await health(relay, token);
		expect(admin.body).toMatchObject({ ok: false, lastFailure: { what: 'appendUpdates', message: 'database disk image is malformed' } });

		failing = false;
		await write(relay, 'demo:notice:n1', (d) => d.getMap('meta').set('title', 'kept'));
		expect(await health(relay)).toEqual({ status: 200, body: { ok: true, storage: { reads: 'ok', writes: 'ok' } } });
	});
});
