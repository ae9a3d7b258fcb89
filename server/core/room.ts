/**
 * A loaded document: its Y.Doc, awareness and subscribers (stock /ws connections and /sync connections).
 *
 * The room is created in the `loading` state and becomes `ready` once every stored update is applied. Nothing is
 * answered from a loading room: endpoints queue a client's messages until `onReady` fires, so sync step 2 always
 * carries the full stored state (the stock server with persistence answers from an empty doc while loading).
 * Only committed (durable) updates are ever applied to the room's doc; updates committed while it is loading are
 * held and applied after the stored state.
 *
 * Presence is authenticated per connection: the first subscriber to set an awareness client id claims it, and
 * entries for an id another subscriber controls are dropped (applyAwareness returns them), so nobody can change
 * or remove someone else's cursor and name. Another connection of the same device may take over its ids (a
 * reconnect while the old socket has not timed out yet). A subscriber's ids are released when it leaves, but an
 * id under which another device wrote changes to the document (while the room is loaded) is never claimed.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type AwarenessEntry, decodeAwarenessUpdate, encodeAwarenessEntries, encodeFrame, MuxMessage } from '../../src/lib/protocol/messages';
import { awarenessMessage } from '../transport/y-messages';

/** Origin of awareness changes that came from another relay process (they are not published again). */
export const REMOTE_PRESENCE = Symbol('another relay process');

export interface Subscriber {
	/** /sync connections get messages wrapped in Doc frames; stock /ws connections get them raw. */
	readonly muxed: boolean;
	/** The device behind the subscriber, if known: it may take over awareness ids its other connections hold. */
	readonly owner?: string | null;
	/** A /sync connection that subscribed to `doc`'s presence: it gets awareness as Awareness frames, not in Doc frames. */
	wantsAwarenessFrames?(doc: string): boolean;
	/**
	 * Sends a broadcast; the subscriber applies its own backpressure policy. `shared` is the same object for every
	 * subscriber getting these bytes: a transport keeps its encoding of them there (`wire`), made once.
	 */
	sendBroadcast(bytes: Uint8Array, shared?: SharedBroadcast): void;
}

/** One broadcast's bytes as a transport sends them (e.g. a WebSocket frame), shared by its subscribers. */
export interface SharedBroadcast {
	wire?: Uint8Array;
}

type RoomState = 'loading' | 'ready' | 'failed' | 'closed';

/** Client ids whose writer a room remembers; beyond, claims are judged by connection alone. */
const MAX_WRITERS = 10_000;

/**
 * The Yjs client ids whose structs an update carries. An update of one client (nearly all of them) says so in
 * its first bytes; parsing the whole update, content included, cost a visible share of every commit.
 */
function structClients(update: Uint8Array): Iterable<number> {
	try {
		const d = decoding.createDecoder(update);
		const clients = decoding.readVarUint(d);
		if (clients === 0) return [];
		if (clients === 1) {
			const structs = decoding.readVarUint(d);
			return structs === 0 ? [] : [decoding.readVarUint(d)];
		}
	} catch {
		// Read in full below.
	}
	return Y.parseUpdateMeta(update).to.keys();
}

export class Room {
	readonly doc: Y.Doc;
	readonly awareness: awarenessProtocol.Awareness;
	/** Subscriber → awareness client ids it controls (removed when it leaves). */
	readonly subscribers = new Map<Subscriber, Set<number>>();
	/** Awareness client id → the subscriber controlling it (the reverse of `subscribers`). */
	private readonly controllers = new Map<number, Subscriber>();
	/** Yjs client id → the device whose committed changes used it, while the room is loaded (presence claims). */
	private readonly writers = new Map<number, string>();
	/** Subscribers already told that some of their presence was refused (they are told once). */
	private readonly presenceWarned = new WeakSet<Subscriber>();
	/** Pending idle-unload timer, if any. */
	idleTimer: NodeJS.Timeout | null = null;
	private state: RoomState = 'loading';
	private failure: Error | null = null;
	private waiting: Array<(error: Error | null) => void> = [];
	private committedWhileLoading: Uint8Array[] = [];
	/** With other relay processes: told of every awareness change of this process's subscribers (fanout/cluster.ts). */
	onLocalAwareness: ((update: Uint8Array) => void) | null = null;
	/** Awareness ids whose states came from another relay process → that process (dropped when it goes away). */
	readonly remotePresence = new Map<number, string>();
	/**
	 * Clock offsets of remote ids whose states were dropped here when their process went silent: clients saw the
	 * removal at a higher clock, so when that process sends the states again (same clocks), they are shifted
	 * above it, and so are that id's later updates.
	 */
	private readonly remoteClockShift = new Map<number, number>();
	private readonly orphaned = new Set<number>();
	/** `Doc` frame header for this document, so a broadcast is wrapped once for all /sync subscribers. */
	private readonly framePrefix: Uint8Array;

	constructor(readonly name: string) {
		// guid given: a random one costs ~0.2 ms (lib0 uuidv4), which adds up over thousands of rooms.
		this.doc = new Y.Doc({ guid: name, gc: true });
		this.awareness = new awarenessProtocol.Awareness(this.doc);
		this.awareness.setLocalState(null);
		this.awareness.on('update', this.onAwareness);
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MuxMessage.Doc);
		encoding.writeVarString(e, name);
		this.framePrefix = encoding.toUint8Array(e);
	}

	get ready(): boolean {
		return this.state === 'ready';
	}

	get closed(): boolean {
		return this.state === 'closed' || this.state === 'failed';
	}

	/** Loading failed: the stored updates could not be read or applied (not merely closed while loading). */
	get failed(): boolean {
		return this.state === 'failed';
	}

	/** Runs `cb` once the room is ready (at once if it is), or with the error if loading failed. */
	onReady(cb: (error: Error | null) => void): void {
		if (this.state === 'loading') this.waiting.push(cb);
		else cb(this.state === 'ready' ? null : (this.failure ?? new Error('room closed')));
	}

	loaded(stored: readonly Uint8Array[]): void {
		if (this.state !== 'loading') return;
		try {
			this.doc.transact(() => {
				if (stored.length === 1) Y.applyUpdate(this.doc, stored[0] as Uint8Array, this);
				else if (stored.length > 1) Y.applyUpdate(this.doc, Y.mergeUpdates(stored as Uint8Array[]), this);
				for (const update of this.committedWhileLoading) Y.applyUpdate(this.doc, update, this);
			}, this);
		} catch (error) {
			this.fail(error instanceof Error ? error : new Error(String(error)));
			return;
		}
		this.committedWhileLoading = [];
		this.state = 'ready';
		this.release(null);
	}

	fail(error: Error): void {
		this.state = 'failed';
		this.failure = error;
		this.release(error);
	}

	/** Applies an update that has been durably stored. Throws if Yjs rejects it. */
	applyCommitted(update: Uint8Array, writer?: unknown): void {
		if (this.state === 'loading') this.committedWhileLoading.push(update);
		else if (this.state === 'ready') Y.applyUpdate(this.doc, update, this);
		this.noteWriter(update, writer);
	}

	/** Remembers which device wrote under which Yjs client ids (awareness uses the same id as the document). */
	private noteWriter(update: Uint8Array, writer: unknown): void {
		const owner = (writer as Partial<Subscriber> | null | undefined)?.owner;
		if (!owner || this.writers.size >= MAX_WRITERS) return;
		for (const client of structClients(update)) if (!this.writers.has(client)) this.writers.set(client, owner);
	}

	add(sub: Subscriber): void {
		if (!this.subscribers.has(sub)) this.subscribers.set(sub, new Set());
	}

	/** Removes a subscriber and the awareness states it controlled (which other subscribers then see removed). */
	remove(sub: Subscriber): void {
		const controlled = this.subscribers.get(sub);
		if (!controlled) return;
		this.subscribers.delete(sub);
		for (const id of controlled) if (this.controllers.get(id) === sub) this.controllers.delete(id);
		if (controlled.size > 0 && this.state === 'ready') {
			awarenessProtocol.removeAwarenessStates(this.awareness, [...controlled], null);
		}
	}

	/**
	 * Applies the entries of an awareness update for client ids `origin` controls or claims now, and drops those
	 * for ids another subscriber controls. Entries that change nothing are dropped quietly: stock y-websocket
	 * clients send every state they receive back to the relay. Returns the refused ids. Throws when malformed.
	 */
	applyAwareness(update: Uint8Array, origin: Subscriber): number[] {
		const entries = decodeAwarenessUpdate(update);
		const controlled = this.subscribers.get(origin);
		const refused: number[] = [];
		const kept: AwarenessEntry[] = [];
		for (const entry of entries) {
			const id = entry.clientID;
			const known = this.awareness.meta.get(id);
			const removal = entry.state === 'null';
			// The same rule as applyAwarenessUpdate: only a newer clock, or a removal at the same clock, changes anything.
			const changes = !known || entry.clock > known.clock || (entry.clock === known.clock && removal && this.awareness.states.has(id));
			if (!changes) continue;
			const holder = this.controllers.get(id);
			if (holder && holder !== origin) {
				if (!origin.owner || holder.owner !== origin.owner) {
					refused.push(id);
					continue;
				}
				// The same device on a new connection (a reconnect before the old socket timed out) takes it over.
				this.subscribers.get(holder)?.delete(id);
				this.controllers.delete(id);
			}
			if (!this.controllers.has(id)) {
				// Removing a state nobody holds claims nothing.
				if (removal) continue;
				// Held by a client of another relay process (a device's sockets all land on one process).
				if (this.remotePresence.has(id)) {
					refused.push(id);
					continue;
				}
				// An id under which another device changed the document is that device's, even while it is away.
				const writer = this.writers.get(id);
				if (writer !== undefined && writer !== origin.owner) {
					refused.push(id);
					continue;
				}
				if (controlled) {
					controlled.add(id);
					this.controllers.set(id, origin);
				}
			}
			kept.push(entry);
		}
		if (kept.length > 0) {
			const filtered = kept.length === entries.length ? update : encodeAwarenessEntries(kept);
			awarenessProtocol.applyAwarenessUpdate(this.awareness, filtered, origin);
		}
		return refused;
	}

	/**
	 * Applies an awareness update another relay process published. Ids a subscriber here holds are left alone.
	 * Throws when malformed.
	 */
	applyRemoteAwareness(update: Uint8Array, from: string): void {
		const entries = decodeAwarenessUpdate(update).filter((e) => !this.controllers.has(e.clientID));
		if (entries.length === 0 || this.state !== 'ready') return;
		for (const e of entries) {
			const id = e.clientID;
			if (this.orphaned.delete(id) && e.state !== 'null') {
				const removedAt = this.awareness.meta.get(id)?.clock ?? 0;
				if (e.clock <= removedAt) this.remoteClockShift.set(id, removedAt + 1 - e.clock);
			}
			e.clock += this.remoteClockShift.get(id) ?? 0;
			if (e.state === 'null') this.remotePresence.delete(id);
			else this.remotePresence.set(id, from);
		}
		awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(entries), REMOTE_PRESENCE);
	}

	/** Removes the states another relay process (gone, or cut off) had published; `from` omitted: all of them. */
	dropRemotePresence(from?: string): void {
		const ids = [...this.remotePresence].filter(([, p]) => from === undefined || p === from).map(([id]) => id);
		if (ids.length === 0) return;
		for (const id of ids) {
			this.remotePresence.delete(id);
			this.orphaned.add(id);
		}
		if (this.state === 'ready') awarenessProtocol.removeAwarenessStates(this.awareness, ids, REMOTE_PRESENCE);
	}

	/** The awareness update of the states this process's subscribers hold, or null when there are none. */
	localAwarenessUpdate(): Uint8Array | null {
		const ids = [...this.awareness.getStates().keys()].filter((id) => !this.remotePresence.has(id));
		return ids.length === 0 ? null : awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids);
	}

	/**
	 * Removes the awareness states `sub` controls and releases its ids, which others then see removed; `sub` stays
	 * subscribed to the document (it left its presence only).
	 */
	releasePresence(sub: Subscriber): void {
		const controlled = this.subscribers.get(sub);
		if (!controlled || controlled.size === 0) return;
		const ids = [...controlled];
		controlled.clear();
		for (const id of ids) if (this.controllers.get(id) === sub) this.controllers.delete(id);
		if (this.state === 'ready') awarenessProtocol.removeAwarenessStates(this.awareness, ids, null);
	}

	/** True the first time it is asked for a subscriber: refusals of its presence are reported once. */
	firstPresenceRefusal(sub: Subscriber): boolean {
		if (this.presenceWarned.has(sub)) return false;
		this.presenceWarned.add(sub);
		return true;
	}

	/** The awareness message for all current states, or null when there are none. */
	awarenessStates(): Uint8Array | null {
		const clients = [...this.awareness.getStates().keys()];
		if (clients.length === 0) return null;
		return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
	}

	/**
	 * Sends an awareness update to every subscriber: raw on /ws, in a Doc frame on /sync, or as an Awareness frame to
	 * /sync presence subscribers, each encoding made once. Echoed to stock clients (y-websocket's liveness check
	 * counts on it) but not to a presence subscriber that sent it.
	 */
	private broadcastAwareness(update: Uint8Array, origin: unknown): void {
		const message = awarenessMessage(update);
		let framed: Uint8Array | null = null;
		let typed: Uint8Array | null = null;
		const raw: SharedBroadcast = {};
		const muxed: SharedBroadcast = {};
		const presence: SharedBroadcast = {};
		for (const sub of this.subscribers.keys()) {
			if (!sub.muxed) {
				sub.sendBroadcast(message, raw);
			} else if (sub.wantsAwarenessFrames?.(this.name)) {
				if (sub === origin) continue;
				typed ??= encodeFrame({ kind: MuxMessage.Awareness, doc: this.name, update });
				sub.sendBroadcast(typed, presence);
			} else {
				framed ??= this.frame(message);
				sub.sendBroadcast(framed, muxed);
			}
		}
	}

	/** Sends a y-protocols message to every subscriber but `except`. */
	broadcast(message: Uint8Array, except: unknown = null): void {
		let framed: Uint8Array | null = null;
		const raw: SharedBroadcast = {};
		const muxed: SharedBroadcast = {};
		for (const sub of this.subscribers.keys()) {
			if (sub === except) continue;
			if (sub.muxed) {
				framed ??= this.frame(message);
				sub.sendBroadcast(framed, muxed);
			} else {
				sub.sendBroadcast(message, raw);
			}
		}
	}

	/** Wraps a y-protocols message in this document's `Doc` frame. */
	frame(message: Uint8Array): Uint8Array {
		const out = new Uint8Array(this.framePrefix.length + message.length);
		out.set(this.framePrefix, 0);
		out.set(message, this.framePrefix.length);
		return out;
	}

	destroy(): void {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		if (this.state === 'loading') this.release(new Error('room closed'));
		this.state = 'closed';
		this.awareness.off('update', this.onAwareness);
		this.awareness.destroy();
		this.doc.destroy();
	}

	private release(error: Error | null): void {
		const waiting = this.waiting;
		this.waiting = [];
		for (const cb of waiting) cb(error);
	}

	private readonly onAwareness = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	): void => {
		const controlled = this.subscribers.get(origin as Subscriber);
		if (controlled) {
			// Ids stay claimed after their state is removed, so nobody else can take them over until it leaves.
			for (const id of added) {
				if (this.controllers.has(id)) continue;
				controlled.add(id);
				this.controllers.set(id, origin as Subscriber);
			}
		}
		const changed = [...added, ...updated, ...removed];
		const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
		// Echoed to a stock sender too, as the stock server does: y-websocket's liveness check counts on it.
		this.broadcastAwareness(update, origin);
		if (origin !== REMOTE_PRESENCE) this.onLocalAwareness?.(update);
	};
}
