/**
 * Budgets against the real relay: the size cap per document kind, the write budget per credential (shared by its
 * sockets on both endpoints), caps on subscriptions and sockets per credential and per address, subscriptions to
 * documents that do not exist (no room until someone writes them), and time bounds on HTTP and authentication.
 */
import net from 'node:net';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import type { Authorizer } from '../../server/auth/auth';
import type { RelayOptions } from '../../server/relay';
import { syncStep1Message, updateMessage } from '../../server/transport/y-messages';
import {
	type Closed,
	docUrl,
	mintToken,
	provider,
	RawClient,
	sleep,
	subscriberCount,
	SyncClient,
	waitFor,
	whenSynced,
	wsUrl
} from './helpers';
import { cleanupAfterEach, relayForTest } from './helpers-lifecycle';

const cleanup = cleanupAfterEach();

const relayWith = (options: RelayOptions) => relayForTest(cleanup, options);

const admin = (r: Awaited<ReturnType<typeof relayWith>>) => mintToken(r, { role: 'community_admin', community: 'demo' });

async function connect(url: string, token: string): Promise<SyncClient> {
	const c = await SyncClient.connect(url, token);
	cleanup.push(() => c.close());
	return c;
}

/** An update writing `text` into a proposal's description (which staff may change), or another text root. */
function textUpdate(text: string, root = 'description'): Uint8Array {
	const d = new Y.Doc();
	d.getText(root).insert(0, text);
	return Y.encodeStateAsUpdate(d);
}

/** Sends an Update frame and waits for its Ack or DocError. */
async function write(c: SyncClient, doc: string, update: Uint8Array) {
	const requestId = c.requestId();
	c.sendFrame({ kind: MuxMessage.Update, requestId, doc, update });
	return waitFor(
		() => c.frames.find((f) => (f.kind === MuxMessage.Ack || f.kind === MuxMessage.DocError) && f.requestId === requestId),
		{ what: `an answer to request ${requestId}` }
	);
}

async function storedText(r: Awaited<ReturnType<typeof relayWith>>, doc: string): Promise<string> {
	const d = new Y.Doc();
	for (const u of await r.store.loadUpdates(doc)) Y.applyUpdate(d, u);
	return d.getText('description').toString();
}

/** The reason of a y-protocols permission-denied message, or null for any other message. */
function permissionDenied(message: Uint8Array): string | null {
	const d = decoding.createDecoder(message);
	if (decoding.readVarUint(d) !== 2 || decoding.readVarUint(d) !== 0) return null;
	return decoding.readVarString(d);
}

describe('size cap per document kind', () => {
	it('refuses an update that would take a proposal past its cap with 4413, stores and forwards nothing, and goes on', async () => {
		const r = await relayWith({ limits: { maxDocBytes: { proposal: 4_096 } } });
		const token = await admin(r);
		const writer = await connect(r.url, token);
		const watcher = await connect(r.url, await admin(r));
		const doc = 'demo:proposal:capped';
		expect(await write(writer, doc, textUpdate('a'.repeat(1_000)))).toMatchObject({ kind: MuxMessage.Ack, doc });
		watcher.sendFrame({ kind: MuxMessage.Subscribe, doc });
		await watcher.waitFrame(MuxMessage.Doc, (f) => f.doc === doc);
		const before = await r.store.docBytes(doc);
		const framesBefore = watcher.frames.length;

		const refused = await write(writer, doc, textUpdate('b'.repeat(5_000)));
		expect(refused).toMatchObject({ kind: MuxMessage.DocError, code: CloseCode.TooLarge, doc });
		expect(refused?.kind === MuxMessage.DocError && refused.reason).toMatch(/^too large: demo:proposal:capped would hold \d+ bytes, a proposal may hold 4096$/);
		expect(await r.store.docBytes(doc)).toBe(before);
		expect(await storedText(r, doc)).not.toContain('b');

		// The connection stays open and an honest write after it lands, and reaches the watcher.
		expect(await write(writer, doc, textUpdate('c'.repeat(100)))).toMatchObject({ kind: MuxMessage.Ack });
		await waitFor(() => watcher.frames.length > framesBefore, { what: 'the honest update forwarded' });
		expect(await storedText(r, doc)).toContain('c'.repeat(100));
		expect(await storedText(r, doc)).not.toContain('b');
		// Other kinds keep their own, larger cap.
		expect(await write(writer, 'demo:minutes:big', textUpdate('d'.repeat(5_000), 'content'))).toMatchObject({
			kind: MuxMessage.Ack,
			doc: 'demo:minutes:big'
		});
	});

	it('merges a document before refusing: many small rows that fit once compacted are accepted', async () => {
		const r = await relayWith({ auth: 'open', limits: { maxDocBytes: { proposal: 2_048 }, compactThreshold: 100_000 } });
		const c = await connect(r.url, '');
		const doc = 'demo:proposal:rows';
		const d = new Y.Doc();
		const updates: Uint8Array[] = [];
		d.on('update', (u: Uint8Array) => updates.push(u));
		for (let i = 0; i < 150; i++) d.getText('description').insert(i, 'x');
		for (const u of updates) c.sendFrame({ kind: MuxMessage.Update, requestId: c.requestId(), doc, update: u });
		await waitFor(() => c.frames.filter((f) => f.kind === MuxMessage.Ack || f.kind === MuxMessage.DocError).length === 150, {
			what: '150 answers'
		});
		expect(c.frames.filter((f) => f.kind === MuxMessage.DocError).slice(0, 3)).toEqual([]);
		expect(updates.reduce((n, u) => n + u.length, 0)).toBeGreaterThan(2_048);
		expect(await storedText(r, doc)).toBe('x'.repeat(150));
		// Stored as 150 rows; merged, well within the cap.
		await r.store.compact(doc);
		expect(await r.store.docBytes(doc)).toBeLessThan(2_048);
	});

	it('answers a stock /ws client past the cap with permission-denied and keeps its socket', async () => {
		const r = await relayWith({ limits: { maxDocBytes: { proposal: 4_096 } } });
		const token = await admin(r);
		const doc = 'demo:proposal:wscap';
		const raw = new RawClient(docUrl(r.url, doc, token));
		cleanup.push(() => raw.close());
		await raw.opened;
		await waitFor(() => raw.received.length > 0, { what: 'greeting' });
		raw.send(updateMessage(textUpdate('e'.repeat(5_000))));
		const reason = await waitFor(() => raw.received.map(permissionDenied).find((x) => x !== null), { what: 'permission denied' });
		expect(reason).toMatch(/^too large: demo:proposal:wscap would hold/);
		expect(raw.ws.readyState).toBe(WebSocket.OPEN);
		raw.send(updateMessage(textUpdate('f'.repeat(50))));
		await waitFor(async () => (await storedText(r, doc)) === 'f'.repeat(50), { what: 'the small update stored' });
	});
});

describe('write budget per credential', () => {
	it('is shared by all sockets of a device, refuses with 4429 and its reason, and lets writes land after the window', async () => {
		const r = await relayWith({ limits: { writeBurstUpdates: 4, writeUpdatesPerMinute: 300 } });
		const token = await admin(r);
		const [a, b] = [await connect(r.url, token), await connect(r.url, token)];
		const other = await connect(r.url, await admin(r));
		for (let i = 0; i < 2; i++) expect(await write(a, `demo:proposal:a${i}`, textUpdate(`a${i}`))).toMatchObject({ kind: MuxMessage.Ack });
		for (let i = 0; i < 2; i++) expect(await write(b, `demo:proposal:b${i}`, textUpdate(`b${i}`))).toMatchObject({ kind: MuxMessage.Ack });

		// The fifth write of the device, on either socket, is over budget.
		const refused = await write(b, 'demo:proposal:over', textUpdate('over'));
		expect(refused).toMatchObject({ kind: MuxMessage.DocError, code: CloseCode.RateLimited, doc: 'demo:proposal:over' });
		expect(refused?.kind === MuxMessage.DocError && refused.reason).toMatch(/^rate limited: write budget of this device spent .* try again in 1 s$/);
		expect(await r.store.rowCount('demo:proposal:over')).toBe(0);
		// The same device on /ws is over budget too: closed with the transient 1013, so a stock client comes back.
		const ws = new RawClient(docUrl(r.url, 'demo:proposal:overws', token));
		await ws.opened;
		await waitFor(() => ws.received.length > 0, { what: 'greeting' });
		ws.send(updateMessage(textUpdate('ws')));
		const closed: Closed = await ws.closed;
		expect(closed.code).toBe(1013);
		expect(closed.reason).toMatch(/^rate limited: write budget/);

		// Another device is not starved, and both sockets of the first stay open.
		expect(await write(other, 'demo:proposal:other', textUpdate('other'))).toMatchObject({ kind: MuxMessage.Ack });
		expect([a.ws.readyState, b.ws.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);

		// 300 updates a minute: one more every 200 ms.
		await sleep(250);
		expect(await write(a, 'demo:proposal:over', textUpdate('later'))).toMatchObject({ kind: MuxMessage.Ack });
		expect(await storedText(r, 'demo:proposal:over')).toBe('later');
	});

	it('holds a day of offline work: thousands of small documents in one go', async () => {
		const r = await relayWith({});
		const c = await connect(r.url, await admin(r));
		// As the app does, the device asks what changed first, so its credential has been checked before it sends
		// its work (until then the relay holds at most maxQueuedMessages frames from it).
		c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		await c.waitFrame(MuxMessage.Changes);
		const n = 2_000;
		for (let i = 0; i < n; i++) c.sendFrame({ kind: MuxMessage.Update, requestId: i + 1, doc: `demo:proposal:day${i}`, update: textUpdate(`visit ${i}`) });
		const started = Date.now();
		await waitFor(() => {
			// Says how far it got when it times out.
			const answered = c.frames.filter((f) => f.kind === MuxMessage.Ack || f.kind === MuxMessage.DocError).length;
			if (answered < n) throw new Error(`${answered} answered after ${Date.now() - started} ms`);
			return true;
		}, {
			what: `${n} answers`,
			timeout: 25_000,
			interval: 100
		});
		expect(c.frames.filter((f) => f.kind === MuxMessage.DocError).slice(0, 3)).toEqual([]);
	});
});

describe('caps on subscriptions and sockets', () => {
	it('caps documents subscribed per device across its sockets with 4430', async () => {
		const r = await relayWith({ limits: { maxSubscriptionsPerCredential: 3 } });
		const token = await admin(r);
		const [a, b] = [await connect(r.url, token), await connect(r.url, token)];
		for (const doc of ['demo:proposal:s0', 'demo:proposal:s1']) a.sendFrame({ kind: MuxMessage.Subscribe, doc });
		b.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:s2' });
		await b.waitFrame(MuxMessage.Doc, (f) => f.doc === 'demo:proposal:s2');
		b.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:s3' });
		const refused = await b.waitFrame(MuxMessage.DocError);
		expect(refused).toMatchObject({ doc: 'demo:proposal:s3', code: CloseCode.TooManyDocuments });
		expect(refused.reason).toBe('at most 3 subscriptions for this device, across its connections');
		// A /ws socket is one more document: refused with 4430.
		const ws = new RawClient(docUrl(r.url, 'demo:proposal:s4', token));
		expect(await ws.closed).toEqual({ code: CloseCode.TooManyDocuments, reason: 'too many documents for this device (max 3)' });
		// Another device is not affected; freeing one makes room.
		const other = await connect(r.url, await admin(r));
		other.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:s3' });
		await other.waitFrame(MuxMessage.Doc, (f) => f.doc === 'demo:proposal:s3');
		a.sendFrame({ kind: MuxMessage.Unsubscribe, doc: 'demo:proposal:s0' });
		b.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:s3' });
		await b.waitFrame(MuxMessage.Doc, (f) => f.doc === 'demo:proposal:s3');
		// Closing a socket gives back what it held.
		a.close();
		await a.closed;
		await waitFor(() => subscriberCount(r, 'demo:proposal:s1') === 0, { what: 'a left' });
		const ws2 = new RawClient(docUrl(r.url, 'demo:proposal:s5', token));
		cleanup.push(() => ws2.close());
		await waitFor(() => ws2.received.length > 0, { what: '/ws greeted' });
	});

	it('caps sockets per device with 4429 and a reason', async () => {
		const r = await relayWith({ limits: { maxSocketsPerCredential: 2 } });
		const token = await admin(r);
		const first = await connect(r.url, token);
		const second = new RawClient(docUrl(r.url, 'demo:proposal:x', token));
		cleanup.push(() => second.close());
		await waitFor(() => second.received.length > 0, { what: 'second socket greeted' });
		const third = new SyncClient(r.url, token);
		expect(await third.closed).toEqual({ code: CloseCode.RateLimited, reason: 'too many connections for this device (max 2)' });
		const otherDevice = await connect(r.url, await admin(r));
		otherDevice.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		await otherDevice.waitFrame(MuxMessage.Changes);
		first.close();
		await first.closed;
		await waitFor(() => r.openConnections() === 2, { what: 'first gone' });
		const again = await connect(r.url, token);
		again.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		await again.waitFrame(MuxMessage.Changes);
	});

	it('caps sockets per client address (behind a trusted proxy, per X-Forwarded-For) with 4429', async () => {
		const r = await relayWith({ trustProxy: true, limits: { maxSocketsPerAddress: 2 } });
		const token = await admin(r);
		const open = (address: string) => {
			const ws = new WebSocket(`${wsUrl(r.url)}/sync?token=${token}`, { headers: { 'X-Forwarded-For': address } });
			ws.on('error', () => {});
			cleanup.push(() => ws.terminate());
			const closed = new Promise<Closed>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
			const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
			return { ws, closed, opened };
		};
		const a = open('10.0.0.1');
		const b = open('10.0.0.1');
		await Promise.all([a.opened, b.opened]);
		const c = open('10.0.0.1');
		expect(await c.closed).toEqual({ code: CloseCode.RateLimited, reason: 'too many connections from this address (max 2)' });
		const d = open('10.0.0.2');
		await d.opened;
		await sleep(100);
		expect([a.ws.readyState, b.ws.readyState, d.ws.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN, WebSocket.OPEN]);
		a.ws.close();
		await a.closed;
		await sleep(50);
		const e = open('10.0.0.1');
		await e.opened;
		await sleep(100);
		expect(e.ws.readyState).toBe(WebSocket.OPEN);
	});
});

describe('subscriptions to documents that do not exist', () => {
	it('hold no room, yet receive the document once someone creates it', async () => {
		const r = await relayWith({});
		const token = await admin(r);
		const c = await connect(r.url, token);
		const names = Array.from({ length: 300 }, (_, i) => `demo:proposal:invented${i}`);
		for (const doc of names) c.sendFrame({ kind: MuxMessage.Subscribe, doc });
		await waitFor(() => new Set(c.frames.filter((f) => f.kind === MuxMessage.Doc).map((f) => f.doc)).size === 300, { what: 'greetings' });
		expect(r.hub.rooms.size).toBe(0);
		expect(r.hub.vacancies.size).toBe(300);
		// Greeted as an empty document: sync step 1 with an empty state vector.
		const greeting = c.frames.find((f) => f.kind === MuxMessage.Doc && f.doc === names[7]);
		expect(greeting?.kind === MuxMessage.Doc && [...greeting.payload]).toEqual([...syncStep1Message(new Y.Doc())]);

		// A stock client on one of them syncs (empty) without a room too.
		const stockDoc = new Y.Doc();
		const stock = provider(r.url, names[7] as string, stockDoc, { token });
		cleanup.push(() => stock.destroy());
		await whenSynced(stock);
		expect(r.hub.rooms.size).toBe(0);

		// Another device creates it over /sync: both subscribers get it, and it has a room from now on.
		const creator = await connect(r.url, await admin(r));
		expect(await write(creator, names[7] as string, textUpdate('created later'))).toMatchObject({ kind: MuxMessage.Ack });
		await waitFor(() => stockDoc.getText('description').toString() === 'created later', { what: 'stock client received it' });
		const mirror = new Y.Doc();
		await waitFor(
			() => {
				for (const f of c.frames) {
					if (f.kind !== MuxMessage.Doc || f.doc !== names[7]) continue;
					const d = decoding.createDecoder(f.payload);
					if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 2) Y.applyUpdate(mirror, decoding.readVarUint8Array(d));
				}
				return mirror.getText('description').toString() === 'created later';
			},
			{ what: '/sync subscriber received it' }
		);
		expect(r.hub.rooms.size).toBe(1);
		expect(r.hub.vacancies.size).toBe(299);
		// Later changes are broadcast as usual.
		stockDoc.getText('description').insert(0, '» ');
		await waitFor(async () => (await storedText(r, names[7] as string)) === '» created later', { what: 'edit stored' });

		// Unsubscribing and closing leaves nothing behind.
		c.close();
		await c.closed;
		await waitFor(() => r.hub.vacancies.size === 0, { what: 'vacancies released' });
	});
});

describe('time bounds', () => {
	it('closes a WebSocket whose credential is not verified in time with 4401', async () => {
		const stuck: Authorizer = {
			authenticate: () => new Promise(() => {}),
			access: () => 'write',
			watch: () => () => {}
		};
		const r = await relayWith({ authorizer: stuck, limits: { authTimeoutMs: 200 } });
		const c = new RawClient(`${wsUrl(r.url)}/sync?token=x`);
		expect(await c.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'authentication timed out' });
	});

	it('drops an HTTP client that sends its headers too slowly, and one whose body stalls', async () => {
		const r = await relayWith({ limits: { httpHeadersTimeoutMs: 300, httpIdleTimeoutMs: 500 } });
		const hold = async (data: string) => {
			const socket = net.connect(r.port, '127.0.0.1');
			cleanup.push(() => void socket.destroy());
			let answer = '';
			socket.on('data', (d) => (answer += d.toString()));
			const t0 = Date.now();
			await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
			socket.write(data);
			await new Promise<void>((resolve) => socket.once('close', () => resolve()));
			return { ms: Date.now() - t0, answer };
		};
		// Closed (with 408 when the headers timeout fires first), not held for Node's default minute.
		const slowHeaders = await hold('GET /api/health HTTP/1.1\r\nHost: x\r\n');
		expect(slowHeaders.ms).toBeLessThan(5_000);
		expect(slowHeaders.answer).not.toMatch(/^HTTP\/1\.1 200/);
		const stalledBody = await hold('POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"code":');
		expect(stalledBody.ms).toBeLessThan(5_000);
	});
});
