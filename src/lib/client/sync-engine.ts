/**
 * Background sync of every local document over ONE WebSocket to the relay's multiplexed `/sync` endpoint.
 *
 * On each (re)connect:
 *   1. ListChanges(cursor) asks which documents changed on the relay since the last complete catch-up.
 *   2. Those, plus every document with unacknowledged local changes or never fully synced, go out as
 *      BatchSync frames (their state vectors, in chunks for visible progress); each reply carries the diffs.
 *   3. Diffs are stored; where the device holds more than the relay, it pushes an Update, acknowledged by
 *      the relay only after it is durable. The cursor moves only once the whole catch-up is stored.
 * While connected, local changes are pushed at once, pushed `Changes` trigger a batch pull, and open
 * documents are subscribed for live updates. A document on screen in an editor also gets its presence
 * (cursors, names) over the same socket: `attachPresence`, used by awareness-channel.ts.
 *
 * It depends on three contracts only: the local store (local-store.ts), the transport to `/sync`
 * (sync-transport.ts) and a clock (clock.ts); its retries follow the app's one policy (outbox.ts). Specs run it
 * with the in-memory store and transport and a manual clock.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
	BatchStatus,
	type BatchSyncReplyEntry,
	CloseCode,
	decodeFrame,
	encodeFrame,
	type Frame,
	MuxMessage,
	YMessage
} from '../protocol/messages';
import { type Clock, systemClock, type TimerId } from './clock';
import { CURSOR_KEY, EMPTY_SV, LAST_SYNCED_KEY, type LocalStore, REMOTE } from './local-store';
import { type Outbox, RECONNECT_POLICY, retryDelay } from './outbox';
import { type SyncConnection, type SyncTransport, webSocketTransport, type WebSocketLike } from './sync-transport';

export type { WebSocketLike } from './sync-transport';
export { CURSOR_KEY } from './local-store';

export type ConnectionState = 'offline' | 'connecting' | 'online';

export interface SyncStatus {
	connection: ConnectionState;
	/** Documents with changes the relay has not acknowledged yet. */
	pending: number;
	/** Progress of the current catch-up: documents done of total (0/0 when idle). */
	done: number;
	total: number;
	lastSynced: number | null;
	/** Why the relay refused us last (close reason), if it did. */
	error: string | null;
	/**
	 * Set when the relay refused the credential itself (close 4401: missing, forged, expired or revoked).
	 * The engine stops reconnecting until `start()` is called again with a new credential; local data stays.
	 */
	refusal: { code: number; reason: string } | null;
}

/** The status before the engine has started: offline, nothing pending, never synced. */
export function idleStatus(): SyncStatus {
	return { connection: 'offline', pending: 0, done: 0, total: 0, lastSynced: null, error: null, refusal: null };
}

/** A document's presence as the engine drives it (awareness-channel.ts). */
export interface PresenceSink {
	/** The socket is open: subscribe to the presence and announce this device's state. */
	connected(): void;
	disconnected(link: 'connecting' | 'disconnected'): void;
	/** An Awareness frame from the relay. */
	receive(update: Uint8Array): void;
	/** The relay refused this device's presence in the document (a PresenceError); the document is not affected. */
	refused(code: CloseCode, reason: string): void;
}

/** What a presence sink sends through, and how it leaves. */
export interface PresencePort {
	/** The socket now: the sink hears of every later change. */
	state(): 'connected' | 'connecting' | 'disconnected';
	/** Sends a frame if the socket is open (and the sink still attached); false otherwise. */
	send(frame: Frame): boolean;
	detach(): void;
}

export interface SyncEngineOptions {
	/** `ws(s)://host/sync`, with the credential as a query parameter once there is one. */
	url: string | (() => string);
	store: LocalStore;
	/** The link to the relay (default: a WebSocket, `WebSocket` if given). */
	transport?: SyncTransport;
	WebSocket?: new (url: string) => WebSocketLike;
	/** Documents per BatchSync frame. */
	batchSize?: number;
	clock?: Clock;
	/** 0–1, for the reconnect jitter. */
	random?: () => number;
	/** The app's outbox: told how many documents wait to be pushed. */
	outbox?: Outbox;
	/** How long to wait before sending again what the relay could not take for now (default UNAVAILABLE_RETRY_MS). */
	retryMs?: number;
	onStatus?: (status: SyncStatus) => void;
	/**
	 * False when the device is known to have no network (default: navigator.onLine). The engine still tries (the
	 * flag can be wrong) but says offline: in an offline browser an attempt may hang for long, and "connecting"
	 * on a device that is plainly offline misleads.
	 */
	isOnline?: () => boolean;
}

/**
 * How long to wait before asking again for documents the relay could not read (BatchStatus.Unavailable) or take
 * for now (over this device's write budget, or not stored).
 */
export const UNAVAILABLE_RETRY_MS = 60_000;
/** Entries per Changes frame at most (the relay's page size). */
const CHANGES_PAGE = 10_000;
/** How long local changes and pushed `Changes` gather before a pull. */
const PULL_DELAY_MS = 30;

export class SyncEngine {
	private conn: SyncConnection | null = null;
	private stopped = true;
	/** Failed connection attempts in a row. */
	private failures = 0;
	private retryTimer: TimerId | null = null;
	private nextRequestId = 1;
	/** Pending BatchSync requests; the relay may split a large reply into several frames. */
	private batchReplies = new Map<number, { expected: number; entries: BatchSyncReplyEntry[]; resolve: (e: BatchSyncReplyEntry[]) => void }>();
	private changeWaiters: ((f: Extract<Frame, { kind: MuxMessage.Changes }> | null) => void)[] = [];
	/** requestId → document and the local sequence number it carried. */
	private inflight = new Map<number, { doc: string; localSeq: number }>();
	/** Last state vector the relay told us it holds, per document. */
	private serverSV = new Map<string, Uint8Array>();
	private readOnly = new Set<string>();
	private subscribed = new Set<string>();
	/** Presence channels by document (awareness-channel.ts). */
	private presence = new Map<string, PresenceSink>();
	private queued = new Set<string>();
	private pullTimer: TimerId | null = null;
	/** Documents the relay could not read, asked for again once unavailableTimer fires. */
	private unavailable = new Set<string>();
	private unavailableTimer: TimerId | null = null;
	private catchingUp: Promise<void> | null = null;
	private unlisten: () => void;
	readonly status: SyncStatus = idleStatus();

	private readonly clock: Clock;
	private readonly transport: SyncTransport;

	constructor(private readonly opts: SyncEngineOptions) {
		this.clock = opts.clock ?? systemClock;
		this.transport = opts.transport ?? webSocketTransport(opts.WebSocket);
		this.unlisten = opts.store.onLocalChange((name, update, seq) => this.pushLocal(name, update, seq));
	}

	private get store(): LocalStore {
		return this.opts.store;
	}

	private now(): number {
		return this.clock.now();
	}

	private emit(patch: Partial<SyncStatus>): void {
		Object.assign(this.status, patch);
		if (patch.connection && patch.connection !== 'online') {
			for (const sink of this.presence.values()) sink.disconnected(patch.connection === 'offline' ? 'disconnected' : 'connecting');
		}
		if ('pending' in patch) this.opts.outbox?.report('documents', this.status.pending);
		this.opts.onStatus?.({ ...this.status });
	}

	private clearTimer(timer: TimerId | null): null {
		if (timer !== null) this.clock.clearTimeout(timer);
		return null;
	}

	async refreshPending(): Promise<void> {
		this.emit({ pending: await this.store.dirtyCount() });
	}

	start(): void {
		if (!this.stopped) return;
		this.stopped = false;
		this.emit({ refusal: null });
		this.background(this.refreshPending());
		this.background(
			this.store.getSetting(LAST_SYNCED_KEY).then((value) => {
				if (typeof value === 'number') this.emit({ lastSynced: value });
			})
		);
		this.connect();
	}

	stop(): void {
		this.stopped = true;
		this.retryTimer = this.clearTimer(this.retryTimer);
		this.unavailableTimer = this.clearTimer(this.unavailableTimer);
		this.pullTimer = this.clearTimer(this.pullTimer);
		const conn = this.conn;
		this.conn = null;
		conn?.close(CloseCode.Normal, 'client stopped');
		this.emit({ connection: 'offline', done: 0, total: 0 });
	}

	destroy(): void {
		this.stop();
		this.unlisten();
	}

	/**
	 * Work started by an event rather than awaited by a caller: a failure is reported in the status, and once the
	 * engine is stopped (the store may be closing) it is dropped rather than left as an unhandled rejection.
	 */
	private background(work: Promise<unknown>): void {
		work.catch((err: unknown) => {
			if (!this.stopped) this.emit({ error: String(err) });
		});
	}

	/** Reconnect now instead of waiting for the back-off (the browser said it is online again). */
	reconnectNow(): void {
		if (this.stopped || this.conn?.isOpen) return;
		// An attempt started while offline may hang: start afresh.
		if (this.conn) this.wentOffline();
		this.retryTimer = this.clearTimer(this.retryTimer);
		this.failures = 0;
		this.connect();
	}

	get connected(): boolean {
		return !!this.conn?.isOpen && this.status.connection === 'online';
	}

	/**
	 * The browser says the network is gone: drop the socket at once, as if it had closed, rather than wait for a
	 * connecting attempt or a dead socket's close, either of which can take minutes.
	 */
	wentOffline(): void {
		const conn = this.conn;
		if (this.stopped || !conn) return;
		// From here on the engine hears nothing more of this connection (closed() checks it is the current one).
		this.closed(conn, 1006, 'offline');
		conn.close();
	}

	private isOnline(): boolean {
		return this.opts.isOnline ? this.opts.isOnline() : typeof navigator === 'undefined' || navigator.onLine !== false;
	}

	private connect(): void {
		const url = typeof this.opts.url === 'function' ? this.opts.url() : this.opts.url;
		this.emit({ connection: this.isOnline() ? 'connecting' : 'offline' });
		let conn: SyncConnection | null = null;
		try {
			conn = this.transport.connect(url, {
				onOpen: () => {
					if (this.conn !== conn) return;
					this.failures = 0;
					this.emit({ connection: 'online', error: null });
					for (const doc of new Set([...this.subscribed, ...this.presence.keys()])) this.sendSubscribe(doc);
					for (const sink of this.presence.values()) sink.connected();
					this.background(this.catchUp());
				},
				onMessage: (data) => {
					if (this.conn === conn) this.background(this.receive(data));
				},
				onClose: (code, reason) => {
					if (conn) this.closed(conn, code, reason);
				}
			});
		} catch (err) {
			this.emit({ error: (err as Error).message });
			this.scheduleReconnect();
			return;
		}
		this.conn = conn;
	}

	/** The connection is gone (closed by either side, or dropped as offline): settle what waited on it. */
	private closed(conn: SyncConnection, code: number, reason: string): void {
		if (this.conn !== conn) return;
		this.conn = null;
		this.inflight.clear();
		for (const pending of this.batchReplies.values()) pending.resolve([]);
		this.batchReplies.clear();
		// A catch-up waiting for its ListChanges reply must end too, or it would block every later catch-up.
		for (const waiter of this.changeWaiters) waiter(null);
		this.changeWaiters = [];
		this.serverSV.clear();
		this.pullTimer = this.clearTimer(this.pullTimer);
		const refused = code >= 4000 ? reason || `closed (${code})` : null;
		this.emit({ connection: 'offline', done: 0, total: 0, ...(refused ? { error: refused } : {}) });
		if (code === CloseCode.Unauthorized) {
			// Retrying with the same credential cannot succeed; wait for a new one.
			this.stopped = true;
			this.emit({ refusal: { code, reason } });
			return;
		}
		this.scheduleReconnect();
	}

	private scheduleReconnect(): void {
		if (this.stopped || this.retryTimer !== null) return;
		this.failures++;
		const delay = retryDelay(RECONNECT_POLICY, this.failures, this.opts.random);
		this.retryTimer = this.clock.setTimeout(() => {
			this.retryTimer = null;
			if (!this.stopped && !this.conn) this.connect();
		}, delay);
	}

	private send(frame: Frame): boolean {
		const conn = this.conn;
		if (!conn?.isOpen) return false;
		conn.send(encodeFrame(frame));
		return true;
	}

	/** Live updates for a document on screen (presence: attachPresence). */
	subscribe(doc: string): void {
		this.subscribed.add(doc);
		if (this.connected) this.sendSubscribe(doc);
	}

	unsubscribe(doc: string): void {
		// A presence channel keeps its document subscribed until it leaves.
		if (this.subscribed.delete(doc) && !this.presence.has(doc)) this.send({ kind: MuxMessage.Unsubscribe, doc });
	}

	/**
	 * Carries `doc`'s presence for `sink` over this engine's socket (Awareness frames), keeping the document
	 * subscribed until it detaches; the sink hears when the socket opens and closes (`state` says how it is now).
	 * One sink per document: a new one replaces the last. The sink's code (awareness-channel.ts, y-protocols'
	 * Awareness) loads with the editor that uses it, so none of it reaches the app shell.
	 */
	attachPresence(doc: string, sink: PresenceSink): PresencePort {
		const previous = this.presence.get(doc);
		this.presence.set(doc, sink);
		previous?.disconnected('disconnected');
		if (this.connected && !previous && !this.subscribed.has(doc)) this.sendSubscribe(doc);
		return {
			state: () => (this.connected ? 'connected' : this.status.connection === 'offline' ? 'disconnected' : 'connecting'),
			send: (frame) => this.presence.get(doc) === sink && this.send(frame),
			detach: () => {
				if (this.presence.get(doc) !== sink) return;
				this.presence.delete(doc);
				if (!this.subscribed.has(doc)) this.send({ kind: MuxMessage.Unsubscribe, doc });
			}
		};
	}

	private sendSubscribe(doc: string): void {
		this.send({ kind: MuxMessage.Subscribe, doc });
		const loaded = this.store.loaded(doc);
		if (loaded) {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, YMessage.Sync);
			syncProtocol.writeSyncStep1(e, loaded);
			this.send({ kind: MuxMessage.Doc, doc, payload: encoding.toUint8Array(e) });
		}
	}

	/** Sends every document in `docs` plus anything pending; resolves when all of it is stored. */
	async syncNow(docs: Iterable<string> = []): Promise<void> {
		for (const d of docs) this.queued.add(d);
		await this.catchUp();
	}

	private catchUp(): Promise<void> {
		if (!this.catchingUp) {
			this.catchingUp = this.runCatchUp().finally(() => {
				this.catchingUp = null;
			});
		}
		return this.catchingUp;
	}

	private async runCatchUp(): Promise<void> {
		if (!this.connected) return;
		const cursor = await this.store.getSetting(CURSOR_KEY);
		const since = typeof cursor === 'number' ? cursor : 0;
		const names = new Set<string>();
		let headSeq = since;
		// The relay lists at most a page of changes per frame; a full page means there is more.
		for (;;) {
			const changes = await this.requestChanges(headSeq);
			if (!changes) return;
			for (const e of changes.entries) names.add(e.doc);
			headSeq = changes.headSeq;
			if (changes.entries.length < CHANGES_PAGE) break;
		}
		const local = await this.store.unsyncedDocs();
		for (const name of [...local, ...this.queued]) names.add(name);
		this.queued.clear();
		const ok = await this.pull([...names]);
		if (ok && this.connected) {
			await this.store.putSetting(CURSOR_KEY, headSeq);
			const at = this.now();
			await this.store.putSetting(LAST_SYNCED_KEY, at);
			this.emit({ lastSynced: at });
		}
		// Anything that arrived while we were busy.
		if (ok && this.queued.size > 0 && this.connected) {
			const more = [...this.queued];
			this.queued.clear();
			await this.pull(more);
		}
	}

	private requestChanges(sinceSeq: number): Promise<Extract<Frame, { kind: MuxMessage.Changes }> | null> {
		return new Promise((resolve) => {
			this.changeWaiters.push(resolve);
			if (!this.send({ kind: MuxMessage.ListChanges, sinceSeq })) {
				this.changeWaiters = this.changeWaiters.filter((w) => w !== resolve);
				resolve(null);
			}
		});
	}

	/** BatchSync of the given documents in chunks; true when every chunk was answered and stored. */
	private async pull(names: string[]): Promise<boolean> {
		const size = this.opts.batchSize ?? 500;
		this.emit({ done: 0, total: names.length });
		let done = 0;
		for (let i = 0; i < names.length; i += size) {
			const chunk = names.slice(i, i + size);
			const states = await this.store.syncStates(chunk);
			const requestId = this.nextRequestId++;
			const reply = new Promise<BatchSyncReplyEntry[]>((resolve) =>
				this.batchReplies.set(requestId, { expected: chunk.length, entries: [], resolve })
			);
			const sent = this.send({
				kind: MuxMessage.BatchSync,
				requestId,
				entries: chunk.map((doc, j) => ({ doc, stateVector: states[j]?.stateVector ?? EMPTY_SV }))
			});
			if (!sent) {
				this.batchReplies.delete(requestId);
				return false;
			}
			const entries = await reply;
			if (entries.length === 0 && chunk.length > 0) return false;
			await this.applyBatch(entries);
			done += chunk.length;
			this.emit({ done, total: names.length });
		}
		this.emit({ done: 0, total: 0 });
		await this.refreshPending();
		return true;
	}

	private async applyBatch(entries: BatchSyncReplyEntry[]): Promise<void> {
		const synced: string[] = [];
		for (const entry of entries) {
			if (entry.status === BatchStatus.Forbidden) {
				await this.store.markError(entry.doc, 'forbidden');
				continue;
			}
			if (entry.status === BatchStatus.Unavailable) {
				// A storage fault on the relay for this document alone: it is not synced, local changes stay pending,
				// and it is asked for again later (and on every catch-up, being unsynced).
				await this.store.markError(entry.doc, 'the relay could not read this document; trying again later');
				await this.store.markUnsynced(entry.doc);
				this.retryLater(entry.doc);
				continue;
			}
			if (entry.diff.length > 2) await this.store.applyRemote(entry.doc, entry.diff);
			this.serverSV.set(entry.doc, entry.serverStateVector);
			if (entry.status === BatchStatus.ReadOnly) this.readOnly.add(entry.doc);
			else {
				this.readOnly.delete(entry.doc);
				await this.pushMissing(entry.doc, entry.serverStateVector);
			}
			synced.push(entry.doc);
		}
		await this.store.markSynced(synced, this.now());
	}

	private retryLater(doc: string): void {
		this.unavailable.add(doc);
		if (this.unavailableTimer !== null || this.stopped) return;
		// The relay's own "not now": a fixed wait (its retry-after), not a backoff.
		this.unavailableTimer = this.clock.setTimeout(() => {
			this.unavailableTimer = null;
			for (const d of this.unavailable) this.queued.add(d);
			this.unavailable.clear();
			this.schedulePull();
		}, this.opts.retryMs ?? UNAVAILABLE_RETRY_MS);
	}

	/** Pushes what this device holds beyond the relay's state vector, if anything. */
	private async pushMissing(doc: string, serverSV: Uint8Array): Promise<void> {
		const [state] = await this.store.syncStates([doc]);
		if (!state || !hasMore(state.stateVector, serverSV)) {
			if (state?.dirty) await this.store.acknowledge(doc, state.localSeq);
			return;
		}
		const full = await this.store.readState(doc);
		const diff = Y.diffUpdate(full, serverSV);
		this.sendUpdate(doc, diff, state.localSeq);
	}

	private pushLocal(doc: string, update: Uint8Array, localSeq: number): void {
		this.background(this.refreshPending());
		if (this.readOnly.has(doc)) return;
		// Without a state vector from the relay, a catch-up will send the full diff instead.
		if (!this.serverSV.has(doc)) {
			this.queued.add(doc);
			this.schedulePull();
			return;
		}
		this.sendUpdate(doc, update, localSeq);
	}

	private sendUpdate(doc: string, update: Uint8Array, localSeq: number): void {
		const requestId = this.nextRequestId++;
		if (this.send({ kind: MuxMessage.Update, requestId, doc, update })) {
			this.inflight.set(requestId, { doc, localSeq });
		}
	}

	private schedulePull(): void {
		if (this.pullTimer !== null || !this.connected) return;
		this.pullTimer = this.clock.setTimeout(() => {
			this.pullTimer = null;
			this.background(
				this.catchUp().then(() => {
					if (this.queued.size > 0) this.schedulePull();
				})
			);
		}, PULL_DELAY_MS);
	}

	private async receive(data: Uint8Array): Promise<void> {
		const frame = decodeFrame(data);
		switch (frame.kind) {
			case MuxMessage.BatchSyncReply: {
				const pending = this.batchReplies.get(frame.requestId);
				if (!pending) break;
				pending.entries.push(...frame.entries);
				if (pending.entries.length >= pending.expected) {
					this.batchReplies.delete(frame.requestId);
					pending.resolve(pending.entries);
				}
				break;
			}
			case MuxMessage.Changes: {
				const waiter = this.changeWaiters.shift();
				if (waiter) waiter(frame);
				else {
					// Pushed by the relay: something changed elsewhere.
					for (const e of frame.entries) if (!this.subscribed.has(e.doc)) this.queued.add(e.doc);
					this.schedulePull();
				}
				break;
			}
			case MuxMessage.Ack: {
				const sent = this.inflight.get(frame.requestId);
				this.inflight.delete(frame.requestId);
				if (sent) {
					await this.store.acknowledge(sent.doc, sent.localSeq);
					await this.refreshPending();
				}
				break;
			}
			case MuxMessage.PresenceError:
				this.presence.get(frame.doc)?.refused(frame.code, frame.reason);
				break;
			case MuxMessage.DocError: {
				// A relay older than PresenceError refused presence this way; the document is fine.
				if (frame.code === CloseCode.Conflict) break;
				this.inflight.delete(frame.requestId);
				await this.store.markError(frame.doc, frame.reason);
				if (frame.code === CloseCode.Forbidden) this.readOnly.add(frame.doc);
				// Over this device's write budget, or not stored for now: the change stays pending and goes again later.
				else if (frame.code === CloseCode.RateLimited || frame.code === CloseCode.ServerError) this.retryLater(frame.doc);
				this.emit({ error: `${frame.doc}: ${frame.reason}` });
				break;
			}
			case MuxMessage.Doc:
				await this.receiveDocMessage(frame.doc, frame.payload);
				break;
			case MuxMessage.Awareness:
				this.presence.get(frame.doc)?.receive(frame.update);
				break;
			default:
				break;
		}
	}

	private async receiveDocMessage(doc: string, payload: Uint8Array): Promise<void> {
		const decoder = decoding.createDecoder(payload);
		const type = decoding.readVarUint(decoder);
		if (type !== YMessage.Sync) return; // presence comes in Awareness frames (attachPresence)
		const loaded = this.store.loaded(doc);
		if (!loaded) {
			// Not open (any more): an update goes straight to storage; sync steps are the catch-up's job.
			const sub = decoding.readVarUint(decoder);
			if (sub === syncProtocol.messageYjsUpdate || sub === syncProtocol.messageYjsSyncStep2) {
				await this.store.applyRemote(doc, decoding.readVarUint8Array(decoder));
			}
			return;
		}
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, YMessage.Sync);
		syncProtocol.readSyncMessage(decoder, encoder, loaded, REMOTE);
		if (encoding.length(encoder) > 1) {
			this.send({ kind: MuxMessage.Doc, doc, payload: encoding.toUint8Array(encoder) });
		}
	}
}

/** True when state vector `a` has a clock ahead of `b` for some client. */
export function hasMore(a: Uint8Array, b: Uint8Array): boolean {
	const sb = Y.decodeStateVector(b);
	for (const [client, clock] of Y.decodeStateVector(a)) {
		if (clock > (sb.get(client) ?? 0)) return true;
	}
	return false;
}
