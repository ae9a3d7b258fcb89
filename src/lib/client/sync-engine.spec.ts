/**
 * The sync engine with no browser and no IndexedDB stand-in: the in-memory local store, the in-memory transport
 * to a small relay speaking the `/sync` protocol (protocol/messages.ts), and a clock moved by hand.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
	BatchStatus,
	type BatchSyncReplyEntry,
	CloseCode,
	decodeAwarenessUpdate,
	decodeFrame,
	encodeFrame,
	type Frame,
	MuxMessage
} from '../protocol/messages';
import { joinAwareness } from './awareness-channel';
import { ManualClock } from './clock';
import { CURSOR_KEY, LAST_SYNCED_KEY } from './local-store';
import { MemoryLocalStore } from './memory-local-store';
import { MemoryPeer, MemoryTransport } from './memory-transport';
import { Outbox } from './outbox';
import { type ConnectionState, SyncEngine, type SyncEngineOptions, type SyncStatus } from './sync-engine';

/**
 * The relay's presence in memory, by the same rules as room.ts: a peer sets its own states, the others subscribed
 * to the document's presence hear them, and a peer's states are removed when it leaves or its socket closes.
 */
class FakePresence {
	readonly rooms = new Map<string, { awareness: awarenessProtocol.Awareness; peers: Map<MemoryPeer, Set<number>>; listening: Set<MemoryPeer> }>();

	room(doc: string) {
		let room = this.rooms.get(doc);
		if (!room) {
			const awareness = new awarenessProtocol.Awareness(new Y.Doc());
			awareness.setLocalState(null);
			room = { awareness, peers: new Map(), listening: new Set() };
			this.rooms.set(doc, room);
			const current = room;
			awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
				const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [...added!, ...updated!, ...removed!]);
				for (const peer of current.listening) if (peer !== origin) peer.send(encodeFrame({ kind: MuxMessage.Awareness, doc, update }));
			});
		}
		return room;
	}

	/** The user names present in `doc`, as the relay holds them. */
	names(doc: string): string[] {
		const states = [...(this.rooms.get(doc)?.awareness.getStates().values() ?? [])];
		return states.map((s) => (s.user as { name?: string } | undefined)?.name ?? '?').sort();
	}

	receive(peer: MemoryPeer, frame: Frame): void {
		switch (frame.kind) {
			case MuxMessage.Subscribe:
				this.room(frame.doc).peers.set(peer, this.room(frame.doc).peers.get(peer) ?? new Set());
				break;
			case MuxMessage.Unsubscribe:
				this.release(peer, frame.doc, true);
				break;
			case MuxMessage.AwarenessSubscribe: {
				const room = this.room(frame.doc);
				room.listening.add(peer);
				const update = awarenessProtocol.encodeAwarenessUpdate(room.awareness, [...room.awareness.getStates().keys()]);
				peer.send(encodeFrame({ kind: MuxMessage.Awareness, doc: frame.doc, update }));
				break;
			}
			case MuxMessage.AwarenessUnsubscribe:
				this.release(peer, frame.doc, false);
				break;
			case MuxMessage.Awareness: {
				const room = this.room(frame.doc);
				for (const e of decodeAwarenessUpdate(frame.update)) room.peers.get(peer)?.add(e.clientID);
				awarenessProtocol.applyAwarenessUpdate(room.awareness, frame.update, peer);
				break;
			}
			default:
				break;
		}
	}

	closed(peer: MemoryPeer): void {
		for (const doc of this.rooms.keys()) this.release(peer, doc, true);
	}

	private release(peer: MemoryPeer, doc: string, leaving: boolean): void {
		const room = this.rooms.get(doc);
		if (!room) return;
		room.listening.delete(peer);
		const ids = [...(room.peers.get(peer) ?? [])];
		room.peers.get(peer)?.clear();
		if (leaving) room.peers.delete(peer);
		awarenessProtocol.removeAwarenessStates(room.awareness, ids, 'relay');
	}

	destroy(): void {
		for (const room of this.rooms.values()) room.awareness.destroy();
	}
}

/** A relay in memory: documents, a change feed, and the refusals a test asks for. */
class FakeRelay {
	readonly docs = new Map<string, Y.Doc>();
	private readonly feed: { doc: string; seq: number }[] = [];
	private readonly peers = new Set<MemoryPeer>();
	readonly forbidden = new Set<string>();
	readonly readOnly = new Set<string>();
	/** Documents whose stored state cannot be read, for as many BatchSync replies as the count says. */
	readonly unavailable = new Map<string, number>();
	/** Updates refused with a DocError code, for as many updates as the count says. */
	readonly refuseUpdates = new Map<string, { code: CloseCode; reason: string; times: number }>();
	/** Entries per BatchSyncReply frame (a relay splits large replies). */
	replyFrameSize = 1_000;
	/** When set, the connection drops after this many reply frames (as a lost signal does mid-reply). */
	dropAfterReplyFrames: number | null = null;
	/** How the next connection attempts go: accepted, refused with a close code, or never answered. */
	admission: { kind: 'open' } | { kind: 'refuse'; code: number; reason: string } | { kind: 'unreachable' } | { kind: 'hang' } = {
		kind: 'open'
	};
	connections = 0;
	readonly received: Frame[] = [];
	readonly presence = new FakePresence();

	readonly transport = new MemoryTransport((peer) => this.accept(peer));

	private accept(peer: MemoryPeer): void {
		this.connections++;
		const admission = this.admission;
		if (admission.kind === 'hang') return;
		if (admission.kind === 'unreachable') {
			peer.close(1006, '');
			return;
		}
		peer.open();
		if (admission.kind === 'refuse') {
			peer.close(admission.code, admission.reason);
			return;
		}
		this.peers.add(peer);
		let replyFrames = 0;
		peer.onClose = () => {
			this.peers.delete(peer);
			this.presence.closed(peer);
		};
		peer.onMessage = (data) => {
			const frame = decodeFrame(data);
			this.received.push(frame);
			const send = (f: Frame) => peer.send(encodeFrame(f));
			switch (frame.kind) {
				case MuxMessage.ListChanges: {
					const latest = new Map<string, number>();
					for (const e of this.feed) if (e.seq > frame.sinceSeq) latest.set(e.doc, e.seq);
					send({ kind: MuxMessage.Changes, headSeq: this.feed.length, entries: [...latest].map(([doc, seq]) => ({ doc, seq })) });
					break;
				}
				case MuxMessage.BatchSync: {
					const entries = frame.entries.map((e) => this.replyEntry(e.doc, e.stateVector));
					for (let i = 0; i < entries.length; i += this.replyFrameSize) {
						if (this.dropAfterReplyFrames !== null && replyFrames >= this.dropAfterReplyFrames) {
							this.dropAfterReplyFrames = null;
							peer.close(1006, '');
							return;
						}
						replyFrames++;
						send({ kind: MuxMessage.BatchSyncReply, requestId: frame.requestId, entries: entries.slice(i, i + this.replyFrameSize) });
					}
					break;
				}
				case MuxMessage.Update: {
					const refusal = this.refuseUpdates.get(frame.doc);
					if (refusal && refusal.times > 0) {
						refusal.times--;
						send({ kind: MuxMessage.DocError, doc: frame.doc, code: refusal.code, reason: refusal.reason, requestId: frame.requestId });
						break;
					}
					if (this.forbidden.has(frame.doc) || this.readOnly.has(frame.doc)) {
						send({ kind: MuxMessage.DocError, doc: frame.doc, code: CloseCode.Forbidden, reason: 'forbidden', requestId: frame.requestId });
						break;
					}
					Y.applyUpdate(this.doc(frame.doc), frame.update);
					this.feed.push({ doc: frame.doc, seq: this.feed.length + 1 });
					send({ kind: MuxMessage.Ack, requestId: frame.requestId, doc: frame.doc });
					for (const other of this.peers) {
						if (other !== peer) other.send(encodeFrame({ kind: MuxMessage.Changes, headSeq: this.feed.length, entries: [{ doc: frame.doc, seq: this.feed.length }] }));
					}
					break;
				}
				case MuxMessage.Awareness:
					// As the relay does: a read-only device's presence is dropped, with a refusal of the presence alone.
					if (this.readOnly.has(frame.doc)) send({ kind: MuxMessage.PresenceError, doc: frame.doc, code: CloseCode.Forbidden, reason: 'read-only: your presence is not shared' });
					else this.presence.receive(peer, frame);
					break;
				default:
					this.presence.receive(peer, frame);
					break;
			}
		};
	}

	private replyEntry(doc: string, stateVector: Uint8Array): BatchSyncReplyEntry {
		const empty = { diff: new Uint8Array([0, 0]), serverStateVector: new Uint8Array([0]) };
		if (this.forbidden.has(doc)) return { doc, status: BatchStatus.Forbidden, ...empty };
		const faults = this.unavailable.get(doc) ?? 0;
		if (faults > 0) {
			this.unavailable.set(doc, faults - 1);
			return { doc, status: BatchStatus.Unavailable, ...empty };
		}
		const held = this.docs.get(doc);
		if (!held) return { doc, status: BatchStatus.Missing, ...empty };
		return {
			doc,
			status: this.readOnly.has(doc) ? BatchStatus.ReadOnly : BatchStatus.Ok,
			diff: Y.encodeStateAsUpdate(held, stateVector),
			serverStateVector: Y.encodeStateVector(held)
		};
	}

	doc(name: string): Y.Doc {
		let d = this.docs.get(name);
		if (!d) this.docs.set(name, (d = new Y.Doc()));
		return d;
	}

	/** A change made on another device and stored by the relay. */
	write(name: string, key: string, value: unknown): void {
		this.doc(name).getMap('m').set(key, value);
		this.feed.push({ doc: name, seq: this.feed.length + 1 });
	}

	/** Drops every open connection without a close frame (the relay sees them go, as the real one does). */
	dropAll(): void {
		for (const p of [...this.peers]) {
			p.close(1006, '');
			this.peers.delete(p);
			this.presence.closed(p);
		}
	}

	sentOf(kind: MuxMessage): Frame[] {
		return this.received.filter((f) => f.kind === kind);
	}
}

/** Lets queued microtasks and store work run until `check` holds; fails if it never does (no wall time involved). */
async function until(check: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
	for (let i = 0; i < 2_000; i++) {
		if (await check()) return;
		await new Promise((r) => setImmediate(r));
	}
	throw new Error(`never reached: ${what}`);
}

/** Lets everything already queued run. */
async function settle(): Promise<void> {
	for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

const engines: SyncEngine[] = [];
afterEach(() => {
	for (const e of engines.splice(0)) e.destroy();
});

function device(relay: FakeRelay, clock: ManualClock, opts: Partial<SyncEngineOptions> = {}) {
	const store = new MemoryLocalStore();
	const statuses: SyncStatus[] = [];
	const engine = new SyncEngine({
		url: 'mem://relay/sync',
		store,
		transport: relay.transport,
		clock,
		random: () => 1,
		retryMs: 60_000,
		onStatus: (s) => statuses.push(s),
		...opts
	});
	engines.push(engine);
	return { store, engine, statuses };
}

async function write(store: MemoryLocalStore, name: string, key: string, value: unknown): Promise<void> {
	const h = await store.openDoc(name);
	await h.change((doc) => doc.getMap('m').set(key, value));
	h.release();
}

const dirty = async (store: MemoryLocalStore, name: string) => (await store.syncStates([name]))[0]?.dirty;
const state = async (store: MemoryLocalStore, name: string) => (await store.syncStates([name]))[0];
async function content(store: MemoryLocalStore, name: string): Promise<Record<string, unknown>> {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, await store.readState(name));
	return doc.getMap('m').toJSON();
}

describe('SyncEngine: catch-up', () => {
	it('pushes changes made offline once connected, and another device pulls them', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		const a = device(relay, clock);
		await write(a.store, 'demo:proposal:p1', 'title', '楼道灯不亮');
		await a.engine.refreshPending();
		expect(a.engine.status.pending).toBe(1);

		a.engine.start();
		await until(async () => (await dirty(a.store, 'demo:proposal:p1')) === 0, 'acknowledged');
		await until(() => a.engine.status.pending === 0, 'nothing pending');
		expect(relay.doc('demo:proposal:p1').getMap('m').get('title')).toBe('楼道灯不亮');
		expect(await a.store.getSetting(LAST_SYNCED_KEY)).toBe(clock.now());

		const b = device(relay, clock);
		b.engine.start();
		await until(async () => (await content(b.store, 'demo:proposal:p1')).title === '楼道灯不亮', 'pulled');
		await until(async () => (await state(b.store, 'demo:proposal:p1'))?.synced === true, 'synced');
		expect(await b.store.getSetting(CURSOR_KEY)).toBe(1);
	});

	it('waits for every frame of a split reply and shows progress per chunk', async () => {
		const relay = new FakeRelay();
		relay.replyFrameSize = 1;
		const clock = new ManualClock();
		for (let i = 0; i < 5; i++) relay.write(`demo:proposal:s${i}`, 'n', i);
		const d = device(relay, clock, { batchSize: 2 });
		d.engine.start();
		await until(async () => (await d.store.getSetting(CURSOR_KEY)) === 5, 'cursor moved');
		for (let i = 0; i < 5; i++) expect(await content(d.store, `demo:proposal:s${i}`)).toEqual({ n: i });
		expect(relay.sentOf(MuxMessage.BatchSync)).toHaveLength(3);
		const progress = d.statuses.filter((s) => s.total === 5).map((s) => s.done);
		expect(progress).toEqual([0, 2, 4, 5]);
	});

	it('keeps the cursor when the connection drops mid-reply, and finishes after reconnecting', async () => {
		const relay = new FakeRelay();
		relay.replyFrameSize = 1;
		relay.dropAfterReplyFrames = 2;
		const clock = new ManualClock();
		for (let i = 0; i < 4; i++) relay.write(`demo:proposal:d${i}`, 'n', i);
		const d = device(relay, clock);
		d.engine.start();
		await until(() => d.engine.status.connection === 'offline' && relay.connections === 1, 'dropped');
		await settle();
		expect(await d.store.getSetting(CURSOR_KEY)).toBeUndefined();
		expect(await d.store.getSetting(LAST_SYNCED_KEY)).toBeUndefined();
		// Nothing of the cut reply counts as synced: it was never applied as a whole.
		expect(await d.store.unsyncedDocs()).toEqual([]);
		expect(await state(d.store, 'demo:proposal:d0')).toBeUndefined();

		clock.advance(500);
		await until(async () => (await d.store.getSetting(CURSOR_KEY)) === 4, 'caught up');
		expect(relay.connections).toBe(2);
		for (let i = 0; i < 4; i++) expect((await state(d.store, `demo:proposal:d${i}`))?.synced).toBe(true);
	});

	it('pulls what the relay pushes as changed while connected', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		const a = device(relay, clock);
		const b = device(relay, clock);
		a.engine.start();
		b.engine.start();
		await until(() => a.engine.connected && b.engine.connected, 'both online');
		await settle();
		await write(a.store, 'demo:proposal:live', 'v', 1);
		// Without the relay's state vector yet, the change waits for a pull gathered over a few ms.
		clock.advance(30);
		await until(async () => relay.docs.get('demo:proposal:live')?.getMap('m').get('v') === 1, 'pushed');
		await settle();
		clock.advance(30);
		await until(async () => (await content(b.store, 'demo:proposal:live')).v === 1, 'pulled by b');
		expect(await dirty(b.store, 'demo:proposal:live')).toBe(0);
	});
});

describe('SyncEngine: reconnecting', () => {
	it('backs off exponentially up to the cap, and starts afresh when told the network is back', async () => {
		const relay = new FakeRelay();
		relay.admission = { kind: 'unreachable' };
		const clock = new ManualClock();
		const d = device(relay, clock);
		d.engine.start();
		const delays: number[] = [];
		for (let i = 0; i < 8; i++) {
			await until(() => clock.pending.length === 1, 'a reconnect timer');
			delays.push(clock.pending[0]!);
			clock.advance(clock.pending[0]!);
		}
		expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
		expect(relay.connections).toBe(9);

		relay.admission = { kind: 'open' };
		d.engine.reconnectNow();
		await until(() => d.engine.connected, 'online');
		expect(clock.pending).toEqual([]);
		// A later drop starts the backoff from the beginning again.
		relay.dropAll();
		await until(() => clock.pending.length === 1, 'a reconnect timer');
		expect(clock.pending).toEqual([500]);
	});

	it('stops for good on a refused credential (revoked), keeping local changes, until started again', async () => {
		const relay = new FakeRelay();
		relay.admission = { kind: 'refuse', code: CloseCode.Unauthorized, reason: 'credential revoked' };
		const clock = new ManualClock();
		const d = device(relay, clock);
		await write(d.store, 'demo:proposal:mine', 'v', 1);
		d.engine.start();
		await until(() => d.engine.status.refusal !== null, 'refused');
		expect(d.engine.status.refusal).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
		expect(d.engine.status.error).toBe('credential revoked');
		expect(clock.pending).toEqual([]);
		clock.advance(10 * 60_000);
		expect(relay.connections).toBe(1);
		expect(await dirty(d.store, 'demo:proposal:mine')).toBe(1);

		relay.admission = { kind: 'open' };
		d.engine.start();
		expect(d.engine.status.refusal).toBeNull();
		await until(async () => (await dirty(d.store, 'demo:proposal:mine')) === 0, 'pushed with the new credential');
	});

	it('retries other refusals of the connection (too many documents, shutting down) with backoff', async () => {
		const relay = new FakeRelay();
		relay.admission = { kind: 'refuse', code: CloseCode.ShuttingDown, reason: 'relay restarting' };
		const clock = new ManualClock();
		const d = device(relay, clock);
		d.engine.start();
		await until(() => clock.pending.length === 1, 'a reconnect timer');
		expect(d.engine.status).toMatchObject({ connection: 'offline', error: 'relay restarting', refusal: null });
		relay.admission = { kind: 'open' };
		clock.advance(500);
		await until(() => d.engine.connected, 'online again');
		expect(d.engine.status.error).toBeNull();
	});

	it('says offline, not connecting, while the device has no network and an attempt hangs', () => {
		const relay = new FakeRelay();
		relay.admission = { kind: 'hang' };
		const states: ConnectionState[] = [];
		const d = device(relay, new ManualClock(), { isOnline: () => false, onStatus: (s) => states.push(s.connection) });
		d.engine.start();
		expect(relay.connections).toBe(1);
		expect(d.engine.status.connection).toBe('offline');
		expect(states).not.toContain('connecting');
	});

	it('starts afresh when the network returns, and drops a hanging attempt when it goes', () => {
		const relay = new FakeRelay();
		relay.admission = { kind: 'hang' };
		const online = { value: false };
		const d = device(relay, new ManualClock(), { isOnline: () => online.value });
		d.engine.start();
		online.value = true;
		d.engine.reconnectNow();
		expect(d.engine.status.connection).toBe('connecting');
		expect(relay.connections).toBe(2);
		online.value = false;
		d.engine.wentOffline();
		expect(d.engine.status.connection).toBe('offline');
	});
});

describe('SyncEngine: refusals of documents', () => {
	it('marks a forbidden document and syncs the rest of the batch', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		relay.write('demo:proposal:ok', 'v', 1);
		relay.write('demo:household:secret', 'v', 2);
		relay.forbidden.add('demo:household:secret');
		const d = device(relay, clock);
		await write(d.store, 'demo:household:secret', 'mine', true);
		d.engine.start();
		await until(async () => (await d.store.getSetting(CURSOR_KEY)) === 2, 'caught up');
		expect(await state(d.store, 'demo:household:secret')).toMatchObject({ error: 'forbidden', synced: false, dirty: 1 });
		expect(await state(d.store, 'demo:proposal:ok')).toMatchObject({ synced: true, error: null });
		expect(relay.sentOf(MuxMessage.Update)).toEqual([]);
	});

	it('never pushes local changes of a read-only document', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		relay.write('demo:config:c', 'v', 1);
		relay.readOnly.add('demo:config:c');
		const d = device(relay, clock);
		d.engine.start();
		await until(async () => (await state(d.store, 'demo:config:c'))?.synced === true, 'synced');
		await write(d.store, 'demo:config:c', 'local', true);
		clock.advance(30);
		await settle();
		expect(relay.sentOf(MuxMessage.Update)).toEqual([]);
		expect(await dirty(d.store, 'demo:config:c')).toBe(1);
	});

	it('keeps a change the relay finds too large pending, with the reason shown, and sends it on the next catch-up', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		relay.refuseUpdates.set('demo:proposal:big', { code: CloseCode.TooLarge, reason: 'update too large', times: 1 });
		const d = device(relay, clock);
		await write(d.store, 'demo:proposal:big', 'v', 'x'.repeat(100));
		d.engine.start();
		await until(() => d.engine.status.error === 'demo:proposal:big: update too large', 'refused');
		expect(await state(d.store, 'demo:proposal:big')).toMatchObject({ dirty: 1, error: 'update too large' });
		// Not retried on a timer: the same bytes would be refused again.
		expect(clock.pending).toEqual([]);
		relay.dropAll();
		await until(() => clock.pending.length === 1, 'reconnect timer');
		clock.advance(clock.pending[0]!);
		await until(async () => (await dirty(d.store, 'demo:proposal:big')) === 0, 'sent again');
	});

	it('sends again after the retry wait what was over the write budget', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		relay.refuseUpdates.set('demo:proposal:burst', { code: CloseCode.RateLimited, reason: 'rate limited: write budget', times: 1 });
		const d = device(relay, clock, { retryMs: 5_000 });
		await write(d.store, 'demo:proposal:burst', 'v', 1);
		d.engine.start();
		await until(() => /write budget/.test(d.engine.status.error ?? ''), 'rate limited');
		expect(await dirty(d.store, 'demo:proposal:burst')).toBe(1);
		expect(clock.pending).toEqual([5_000]);
		clock.advance(5_000);
		clock.advance(30);
		await until(async () => (await dirty(d.store, 'demo:proposal:burst')) === 0, 'accepted later');
	});

	it('asks again later for a document the relay could not read, leaving it unsynced meanwhile', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		relay.write('demo:proposal:u', 'v', 1);
		relay.write('demo:proposal:fine', 'v', 2);
		relay.unavailable.set('demo:proposal:u', 1);
		const d = device(relay, clock, { retryMs: 60_000 });
		d.engine.start();
		await until(async () => (await state(d.store, 'demo:proposal:fine'))?.synced === true, 'others synced');
		expect(await state(d.store, 'demo:proposal:u')).toMatchObject({ synced: false, error: expect.stringMatching(/could not read/) });
		expect(clock.pending).toEqual([60_000]);
		clock.advance(60_000);
		clock.advance(30);
		await until(async () => (await state(d.store, 'demo:proposal:u'))?.synced === true, 'synced later');
		expect(await content(d.store, 'demo:proposal:u')).toEqual({ v: 1 });
	});
});

describe('SyncEngine: clock jumps', () => {
	it('reconnects after the backoff even when the wall clock is set back, and records sync times from the clock', async () => {
		const relay = new FakeRelay();
		relay.admission = { kind: 'unreachable' };
		const clock = new ManualClock(Date.UTC(2026, 5, 1));
		const d = device(relay, clock);
		d.engine.start();
		await until(() => clock.pending.length === 1, 'reconnect timer');
		relay.admission = { kind: 'open' };
		// The phone's date is set back a day: the timer still fires after its delay.
		clock.jump(-24 * 60 * 60_000);
		clock.advance(500);
		await until(async () => (await d.store.getSetting(LAST_SYNCED_KEY)) !== undefined, 'synced');
		expect(await d.store.getSetting(LAST_SYNCED_KEY)).toBe(Date.UTC(2026, 4, 31) + 500);
		expect(d.engine.status.lastSynced).toBe(Date.UTC(2026, 4, 31) + 500);
	});

	it('catches up from the stored cursor whatever the wall clock says', async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		relay.write('demo:proposal:a', 'v', 1);
		const d = device(relay, clock);
		d.engine.start();
		await until(async () => (await d.store.getSetting(CURSOR_KEY)) === 1, 'first catch-up');
		d.engine.stop();
		relay.write('demo:proposal:b', 'v', 2);
		clock.jump(365 * 24 * 60 * 60_000);
		d.engine.start();
		await until(async () => (await d.store.getSetting(CURSOR_KEY)) === 2, 'second catch-up');
		const lists = relay.sentOf(MuxMessage.ListChanges) as Extract<Frame, { kind: MuxMessage.ListChanges }>[];
		expect(lists.map((f) => f.sinceSeq)).toEqual([0, 1]);
		const batches = relay.sentOf(MuxMessage.BatchSync) as Extract<Frame, { kind: MuxMessage.BatchSync }>[];
		expect(batches.at(-1)!.entries.map((e) => e.doc)).toEqual(['demo:proposal:b']);
	});
});

describe('SyncEngine and the outbox', () => {
	it("reports the documents waiting to be pushed as the outbox's pending work", async () => {
		const relay = new FakeRelay();
		const clock = new ManualClock();
		const outbox = new Outbox({ clock });
		const totals: number[] = [];
		outbox.onPending((n) => totals.push(n));
		outbox.report('ballots', 1);
		const d = device(relay, clock, { outbox });
		await write(d.store, 'demo:proposal:o', 'v', 1);
		await d.engine.refreshPending();
		expect(outbox.count('documents')).toBe(1);
		expect(outbox.pending).toBe(2);
		d.engine.start();
		await until(() => outbox.count('documents') === 0, 'pushed');
		expect(totals).toEqual([1, 2, 1]);
	});
});

describe('SyncEngine: presence over the same socket', () => {
	const DOC = 'demo:minutes:m1';
	const relays: FakeRelay[] = [];
	afterEach(() => {
		for (const r of relays.splice(0)) r.presence.destroy();
	});

	/** A device on the relay with the document open and its presence joined under `name`. */
	async function present(relay: FakeRelay, clock: ManualClock, name: string | null) {
		const d = device(relay, clock);
		const h = await d.store.openDoc(DOC);
		d.engine.subscribe(DOC);
		const presence = joinAwareness(d.engine, DOC, h.doc, { share: name !== null });
		if (name) presence.awareness.setLocalStateField('user', { name });
		d.engine.start();
		await until(() => presence.link === 'connected', `${name ?? 'viewer'} connected`);
		const seen = () =>
			[...presence.awareness.getStates()]
				.filter(([id]) => id !== presence.awareness.clientID)
				.map(([, s]) => (s.user as { name?: string } | undefined)?.name ?? '?')
				.sort();
		return { ...d, h, presence, seen };
	}

	it('announces its state on the engine socket, sees the others, and announces again after a reconnect', async () => {
		const relay = new FakeRelay();
		relays.push(relay);
		const clock = new ManualClock();
		const zhou = await present(relay, clock, '周敏');
		const lin = await present(relay, clock, '林晓燕');
		await until(() => relay.presence.names(DOC).join() === '周敏,林晓燕'.split(',').sort().join(), 'both at the relay');
		await until(() => zhou.seen().join() === '林晓燕' && lin.seen().join() === '周敏', 'each sees the other');
		// One socket per device: presence opened none of its own.
		expect(relay.connections).toBe(2);
		const subscribeFirst = relay.received.findIndex((f) => f.kind === MuxMessage.Subscribe && f.doc === DOC);
		expect(relay.received.findIndex((f) => f.kind === MuxMessage.AwarenessSubscribe)).toBeGreaterThan(subscribeFirst);

		// Every socket drops: the relay removes their states, and each device forgets the others' until it is back.
		const links: string[] = [];
		zhou.presence.onLink((l) => links.push(l));
		relay.dropAll();
		await until(() => zhou.presence.link !== 'connected' && lin.presence.link !== 'connected', 'links down');
		expect(relay.presence.names(DOC)).toEqual([]);
		expect(zhou.seen()).toEqual([]);
		const announced = relay.sentOf(MuxMessage.Awareness).length;

		clock.advance(500);
		await until(() => relay.connections === 4 && zhou.presence.link === 'connected' && lin.presence.link === 'connected', 'reconnected');
		// Re-announced under a new clock (the relay ignores a clock it has seen), with no change made meanwhile.
		await until(() => relay.presence.names(DOC).length === 2, 'both announced again');
		expect(relay.sentOf(MuxMessage.Awareness).length).toBeGreaterThan(announced);
		await until(() => zhou.seen().join() === '林晓燕' && lin.seen().join() === '周敏', 'each sees the other again');
		expect(links).toEqual(['disconnected', 'connecting', 'connected']);
	});

	it('leaving removes its state for the others and ends the subscription it held', async () => {
		const relay = new FakeRelay();
		relays.push(relay);
		const clock = new ManualClock();
		const zhou = await present(relay, clock, '周敏');
		const lin = await present(relay, clock, '林晓燕');
		await until(() => lin.seen().join() === '周敏', "周敏 at 林晓燕's");

		// The page closes the document first; the presence channel keeps it subscribed until it leaves.
		zhou.engine.unsubscribe(DOC);
		await settle();
		expect(relay.sentOf(MuxMessage.Unsubscribe)).toHaveLength(0);
		zhou.presence.leave();
		await until(() => lin.seen().length === 0, "周敏 gone from 林晓燕's");
		expect(relay.presence.names(DOC)).toEqual(['林晓燕']);
		const last = relay.received.filter((f) => f.kind !== MuxMessage.ListChanges && f.kind !== MuxMessage.BatchSync).slice(-3);
		expect(last.map((f) => MuxMessage[f.kind])).toEqual(['Awareness', 'AwarenessUnsubscribe', 'Unsubscribe']);
		// Leaving twice, or a change to the left awareness, sends nothing more.
		const sent = relay.received.length;
		zhou.presence.leave();
		zhou.presence.awareness.setLocalStateField('user', { name: 'ghost' });
		await settle();
		expect(relay.received.length).toBe(sent);
	});

	it('a presence refusal leaves the document alone; refused as read-only, the device stops announcing', async () => {
		const relay = new FakeRelay();
		relays.push(relay);
		const clock = new ManualClock();
		relay.write(DOC, 'title', '议事会纪要');
		const lin = await present(relay, clock, '林晓燕');
		// The device's role changed while the minutes were open: the relay now holds the document read-only for it.
		relay.readOnly.add(DOC);
		const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const zhou = await present(relay, clock, '周敏');
		await until(() => zhou.seen().join() === '林晓燕', "林晓燕 at 周敏's");
		await until(() => warned.mock.calls.some(([m]) => String(m).includes('not shared')), 'the refusal heard');
		warned.mockRestore();
		await settle();
		const [state] = await zhou.store.syncStates([DOC]);
		expect(state?.error ?? null).toBeNull();
		expect(zhou.statuses.some((s) => s.error)).toBe(false);
		expect(relay.presence.names(DOC)).toEqual(['林晓燕']);
		// No further announcement after the refusal, whatever the page changes; it still sees the others.
		const announced = relay.sentOf(MuxMessage.Awareness).length;
		zhou.presence.awareness.setLocalStateField('user', { name: '周敏 (后)' });
		await settle();
		expect(relay.sentOf(MuxMessage.Awareness).length).toBe(announced);
		expect(zhou.seen()).toEqual(['林晓燕']);
	});

	it('a viewer who may not write sees the others and announces nothing', async () => {
		const relay = new FakeRelay();
		relays.push(relay);
		const clock = new ManualClock();
		await present(relay, clock, '周敏');
		const viewer = await present(relay, clock, null);
		await until(() => viewer.seen().join() === '周敏', "周敏 at the viewer's");
		const fromViewer = relay.presence.rooms.get(DOC)?.peers.get(relay.transport.last!);
		expect(fromViewer?.size).toBe(0);
		expect(relay.presence.names(DOC)).toEqual(['周敏']);
	});
});
