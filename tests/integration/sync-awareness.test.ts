/**
 * Presence over `/sync` against the real relay: the app's sync engine (joinAwareness) and raw /sync clients
 * (AwarenessSubscribe, Awareness, AwarenessQuery frames) share one room's presence with stock y-websocket clients
 * on /ws/<doc>, by the same rules: a read-only device's presence is dropped, a socket's states go when it closes
 * or its credential is revoked, a malformed update gets a PresenceError and the connection goes on, and two relay
 * processes linked by a fan-out carry it across.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import { joinAwareness } from '../../src/lib/client/awareness-channel';
import { MemoryLocalStore } from '../../src/lib/client/memory-local-store';
import { SyncEngine, type WebSocketLike } from '../../src/lib/client/sync-engine';
import { CloseCode, MuxMessage, SYNC_PATH, TOKEN_PARAM } from '../../src/lib/protocol/messages';
import { setNotes } from '../../src/lib/schema/minutes-doc';
import { silentLogger } from '../../server/core/log';
import { MemoryBus, MemoryFanout } from '../../server/fanout/memory-fanout';
import { startRelay } from '../../server/relay';
import { MemoryStore } from '../../server/storage/memory-store';
import { deviceOf, mintToken, provider, removeDir, startTestRelay, SyncClient, waitFor, whenSynced, wsUrl } from './helpers';

const FACILITATOR: Grant = { role: 'facilitator', community: 'demo' };
/** Reads the minutes, may not write them. */
const GRID_WORKER: Grant = { role: 'grid_worker', community: 'demo', grids: ['g1'] };

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
	relay = await startTestRelay();
});

afterEach(async () => {
	for (const fn of cleanup.splice(0).reverse()) await fn();
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

type User = { user?: { name?: string } } | undefined;
const names = (awareness: awarenessProtocol.Awareness) =>
	[...awareness.getStates()]
		.filter(([id]) => id !== awareness.clientID)
		.map(([, s]) => (s as User)?.user?.name ?? '?')
		.sort();

/** The app's client: a sync engine with the document open and its presence joined as `name` (null: a viewer). */
async function appDevice(relayUrl: string, doc: string, name: string | null, token?: string) {
	const store = new MemoryLocalStore();
	const engine = new SyncEngine({
		url: `${wsUrl(relayUrl)}${SYNC_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`,
		store,
		WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike
	});
	const handle = await store.openDoc(doc);
	engine.subscribe(doc);
	const presence = joinAwareness(engine, doc, handle.doc, { share: name !== null });
	if (name) presence.awareness.setLocalStateField('user', { name });
	engine.start();
	cleanup.push(() => {
		presence.leave();
		engine.destroy();
	});
	await waitFor(() => presence.link === 'connected', { what: `${name ?? 'viewer'} connected` });
	return { engine, store, handle, presence, seen: () => names(presence.awareness) };
}

/** A stock y-websocket client of `doc` on /ws, synced, with `name` in its presence. */
async function stockClient(relayUrl: string, doc: string, name: string, params: Record<string, string> = {}) {
	const ydoc = new Y.Doc();
	const p = provider(relayUrl, doc, ydoc, params);
	cleanup.push(() => p.destroy());
	await whenSynced(p);
	p.awareness.setLocalStateField('user', { name });
	return { ydoc, p, seen: () => names(p.awareness) };
}

/** A stored minutes document (presence lives in a stored document's room). */
async function storedMinutes(id: string, token: string): Promise<{ doc: string; writer: { ydoc: Y.Doc; p: WebsocketProvider } }> {
	const doc = `demo:minutes:${id}`;
	const writer = await stockClient(relay.url, doc, '写入者', { token });
	setNotes(writer.ydoc, 'agenda');
	await waitFor(async () => (await relay.store.loadUpdates(doc)).length > 0, { what: `${doc} stored` });
	// Said again now that the room exists: before, the relay had only echoed it back.
	writer.p.awareness.setLocalStateField('user', { name: '写入者' });
	return { doc, writer };
}

/** A raw /sync client subscribed to `doc` and its presence. */
async function rawPresence(doc: string, token: string): Promise<SyncClient> {
	const c = await SyncClient.connect(relay.url, token);
	cleanup.push(() => c.close());
	c.sendFrame({ kind: MuxMessage.Subscribe, doc });
	c.sendFrame({ kind: MuxMessage.AwarenessSubscribe, doc });
	await c.waitFrame(MuxMessage.Awareness, (f) => f.doc === doc);
	return c;
}

/** An awareness update of a fresh client id with `state`. */
function ownUpdate(state: unknown): { id: number; update: Uint8Array } {
	const d = new Y.Doc();
	const a = new awarenessProtocol.Awareness(d);
	a.setLocalState(state as Record<string, unknown>);
	const update = awarenessProtocol.encodeAwarenessUpdate(a, [d.clientID]);
	a.destroy();
	return { id: d.clientID, update };
}

/** The names in the Awareness frames `c` received for `doc`, applied in order. */
function rawSeen(c: SyncClient, doc: string): string[] {
	const a = new awarenessProtocol.Awareness(new Y.Doc());
	a.setLocalState(null);
	for (const f of c.frames) if (f.kind === MuxMessage.Awareness && f.doc === doc) awarenessProtocol.applyAwarenessUpdate(a, f.update, 'relay');
	const seen = names(a);
	a.destroy();
	return seen;
}

describe('presence over /sync', () => {
	it('two app devices see each other over their one socket, and a stock /ws client sees them and is seen', async () => {
		const token = await mintToken(relay, FACILITATOR, { name: '周敏' });
		const { doc } = await storedMinutes('aw-both', token);
		const zhou = await appDevice(relay.url, doc, '周敏', token);
		const lin = await appDevice(relay.url, doc, '林晓燕', await mintToken(relay, FACILITATOR, { name: '林晓燕' }));
		const wang = await stockClient(relay.url, doc, '王芳', { token: await mintToken(relay, FACILITATOR, { name: '王芳' }) });

		await waitFor(() => zhou.seen().join() === '写入者,林晓燕,王芳'.split(',').sort().join(), { what: "the others at 周敏's" });
		await waitFor(() => lin.seen().includes('周敏') && lin.seen().includes('王芳'), { what: "the others at 林晓燕's" });
		await waitFor(() => wang.seen().includes('周敏') && wang.seen().includes('林晓燕'), { what: 'the /sync devices at the /ws client' });
		expect(lin.seen()).toEqual(['写入者', '周敏', '王芳'].sort());

		// A change of state (a cursor moving) reaches both kinds of client.
		zhou.presence.awareness.setLocalStateField('user', { name: '周敏 (主持)' });
		await waitFor(() => lin.seen().includes('周敏 (主持)') && wang.seen().includes('周敏 (主持)'), { what: 'the new state' });

		// 周敏's device goes away: its socket closes, and the relay removes its presence for everyone.
		zhou.engine.stop();
		await waitFor(() => !lin.seen().includes('周敏 (主持)') && !wang.seen().includes('周敏 (主持)'), { what: "周敏's removal" });
		// The stock client leaving is seen by the /sync device too.
		wang.p.destroy();
		await waitFor(() => !lin.seen().includes('王芳'), { what: "王芳's removal at 林晓燕's" });
		expect(lin.seen()).toEqual(['写入者']);
	});

	it('leaving the presence removes it while the socket stays; revoking the credential closes it and removes it', async () => {
		const token = await mintToken(relay, FACILITATOR, { name: '周敏' });
		const { doc } = await storedMinutes('aw-leave', token);
		const watcher = await stockClient(relay.url, doc, '旁观', { token });
		const zhou = await appDevice(relay.url, doc, '周敏', token);
		await waitFor(() => watcher.seen().includes('周敏'), { what: "周敏 at the watcher's" });
		zhou.presence.leave();
		await waitFor(() => !watcher.seen().includes('周敏'), { what: "周敏's removal after leaving" });
		expect(zhou.engine.connected).toBe(true);

		const linToken = await mintToken(relay, FACILITATOR, { name: '林晓燕' });
		const lin = await appDevice(relay.url, doc, '林晓燕', linToken);
		await waitFor(() => watcher.seen().includes('林晓燕'), { what: "林晓燕 at the watcher's" });
		await relay.credentials.revoke(deviceOf(linToken));
		await waitFor(() => lin.engine.status.refusal?.code === CloseCode.Unauthorized, { what: 'the revoked socket closed' });
		await waitFor(() => !watcher.seen().includes('林晓燕'), { what: "林晓燕's removal on revocation" });
	});

	it("drops a read-only device's presence with one PresenceError, while it still sees the others", async () => {
		const token = await mintToken(relay, FACILITATOR, { name: '周敏' });
		const { doc } = await storedMinutes('aw-read', token);
		const zhou = await appDevice(relay.url, doc, '周敏', token);
		const reader = await rawPresence(doc, await mintToken(relay, GRID_WORKER, { name: '网格员' }));
		await waitFor(() => rawSeen(reader, doc).includes('周敏'), { what: "周敏 at the reader's" });

		for (const name of ['网格员', '网格员 again']) reader.sendFrame({ kind: MuxMessage.Awareness, doc, update: ownUpdate({ user: { name } }).update });
		const error = await reader.waitFrame(MuxMessage.PresenceError, (f) => f.doc === doc);
		expect(error.code).toBe(CloseCode.Forbidden);
		expect(error.reason).toMatch(/read-only/);
		// The app's viewer sends nothing at all.
		const viewer = await appDevice(relay.url, doc, null, await mintToken(relay, GRID_WORKER, { name: '另一网格员' }));
		await waitFor(() => viewer.seen().includes('周敏'), { what: "周敏 at the viewer's" });
		// Whatever the relay does next for 周敏 shows the reader's presence was never relayed.
		zhou.presence.awareness.setLocalStateField('user', { name: '周敏 (后)' });
		await waitFor(() => rawSeen(reader, doc).includes('周敏 (后)'), { what: "周敏's change at the reader's" });
		expect(zhou.seen()).toEqual(['写入者']);
		expect(reader.frames.filter((f) => f.kind === MuxMessage.PresenceError)).toHaveLength(1);
		// The refusal is of the presence alone: nothing says the document was refused.
		expect(reader.frames.filter((f) => f.kind === MuxMessage.DocError)).toHaveLength(0);
	});

	it('answers a malformed awareness update or one for a document not subscribed with a PresenceError, and goes on serving', async () => {
		const token = await mintToken(relay, FACILITATOR, { name: '周敏' });
		const { doc } = await storedMinutes('aw-malformed', token);
		const watcher = await stockClient(relay.url, doc, '旁观', { token });
		const c = await rawPresence(doc, await mintToken(relay, FACILITATOR, { name: '林晓燕' }));

		c.sendFrame({ kind: MuxMessage.Awareness, doc, update: new Uint8Array([1, 5, 1, 9, 123, 34]) });
		const malformed = await c.waitFrame(MuxMessage.PresenceError, (f) => f.code === CloseCode.Malformed);
		expect(malformed.reason).toMatch(/malformed awareness update/);
		c.sendFrame({ kind: MuxMessage.Awareness, doc: 'demo:minutes:never-subscribed', update: ownUpdate({ user: { name: 'x' } }).update });
		const notFound = await c.waitFrame(MuxMessage.PresenceError, (f) => f.code === CloseCode.NotFound);
		expect(notFound.reason).toMatch(/Subscribe first/);

		// Still open and served: its presence goes through, a query is answered, and the document still syncs.
		const own = ownUpdate({ user: { name: '林晓燕' } });
		c.sendFrame({ kind: MuxMessage.Awareness, doc, update: own.update });
		await waitFor(() => watcher.seen().includes('林晓燕'), { what: "林晓燕 at the watcher's" });
		const before = c.frames.length;
		c.sendFrame({ kind: MuxMessage.AwarenessQuery, doc });
		await waitFor(() => c.frames.slice(before).some((f) => f.kind === MuxMessage.Awareness), { what: 'the answer to the query' });
		expect(rawSeen(c, doc)).toContain('旁观');
		const requestId = c.requestId();
		const edit = new Y.Doc();
		setNotes(edit, 'still served');
		c.sendFrame({ kind: MuxMessage.Update, requestId, doc: 'demo:minutes:aw-malformed-2', update: Y.encodeStateAsUpdate(edit) });
		await c.waitFrame(MuxMessage.Ack, (f) => f.requestId === requestId);
		expect(c.ws.readyState).toBe(c.ws.OPEN);
	});
});

describe('presence over /sync across relay processes', () => {
	it('reaches a /sync device and a /ws client on the other process, and its removal too', async () => {
		const store = new MemoryStore();
		const bus = new MemoryBus();
		const cluster = { heartbeatMs: 50, peerTimeoutMs: 400, gapWaitMs: 30, checkEveryMs: 200, leaseTtlMs: 600 };
		const start = (id: string) => startRelay({ store, auth: 'open', fanout: new MemoryFanout(bus, id), cluster, logger: silentLogger, staticDir: '/nonexistent' });
		const a = await start('a');
		const b = await start('b');
		cleanup.push(
			() => a.close(),
			() => b.close()
		);
		const doc = 'demo:minutes:aw-cluster';
		const writer = await stockClient(a.url, doc, '写入者');
		setNotes(writer.ydoc, 'agenda');
		await waitFor(async () => (await store.loadUpdates(doc)).length > 0, { what: 'stored' });
		writer.p.awareness.setLocalStateField('user', { name: '写入者' });

		const onA = await appDevice(a.url, doc, '周敏');
		const onB = await appDevice(b.url, doc, '林晓燕');
		const stockOnB = await stockClient(b.url, doc, '王芳');
		await waitFor(() => onB.seen().includes('周敏') && stockOnB.seen().includes('周敏'), { what: "a's /sync device at b" });
		await waitFor(() => onA.seen().includes('林晓燕') && onA.seen().includes('王芳'), { what: "b's clients at a's /sync device" });
		expect(onB.seen()).toEqual(['写入者', '周敏', '王芳'].sort());
		onA.engine.stop();
		await waitFor(() => !onB.seen().includes('周敏') && !stockOnB.seen().includes('周敏'), { what: 'the removal at b' });
		expect(onB.seen()).toEqual(['写入者', '王芳'].sort());
	});
});
