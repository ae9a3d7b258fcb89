/**
 * A loaded document: its Y.Doc, awareness and subscribers (stock /ws connections and /sync connections).
 *
 * The room is created in the `loading` state and becomes `ready` once every stored update is applied. Nothing is
 * answered from a loading room: endpoints queue a client's messages until `onReady` fires, so sync step 2 always
 * carries the full stored state (the stock server with persistence answers from an empty doc while loading).
 * Only committed (durable) updates are ever applied to the room's doc; updates committed while it is loading are
 * held and applied after the stored state.
 */
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { MuxMessage } from '../src/lib/protocol/messages';
import { awarenessMessage } from './y-messages';

export interface Subscriber {
	/** /sync connections get messages wrapped in Doc frames; stock /ws connections get them raw. */
	readonly muxed: boolean;
	/** Sends a broadcast; the subscriber applies its own backpressure policy. */
	sendBroadcast(bytes: Uint8Array): void;
}

type RoomState = 'loading' | 'ready' | 'failed' | 'closed';

export class Room {
	readonly doc: Y.Doc;
	readonly awareness: awarenessProtocol.Awareness;
	/** Subscriber → awareness client ids it controls (removed when it leaves). */
	readonly subscribers = new Map<Subscriber, Set<number>>();
	/** Pending idle-unload timer, if any. */
	idleTimer: NodeJS.Timeout | null = null;
	private state: RoomState = 'loading';
	private failure: Error | null = null;
	private waiting: Array<(error: Error | null) => void> = [];
	private committedWhileLoading: Uint8Array[] = [];
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
	applyCommitted(update: Uint8Array): void {
		if (this.state === 'loading') this.committedWhileLoading.push(update);
		else if (this.state === 'ready') Y.applyUpdate(this.doc, update, this);
	}

	add(sub: Subscriber): void {
		if (!this.subscribers.has(sub)) this.subscribers.set(sub, new Set());
	}

	/** Removes a subscriber and the awareness states it controlled (which other subscribers then see removed). */
	remove(sub: Subscriber): void {
		const controlled = this.subscribers.get(sub);
		if (!controlled) return;
		this.subscribers.delete(sub);
		if (controlled.size > 0 && this.state === 'ready') {
			awarenessProtocol.removeAwarenessStates(this.awareness, [...controlled], null);
		}
	}

	applyAwareness(update: Uint8Array, origin: Subscriber): void {
		awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin);
	}

	/** The awareness message for all current states, or null when there are none. */
	awarenessStates(): Uint8Array | null {
		const clients = [...this.awareness.getStates().keys()];
		if (clients.length === 0) return null;
		return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
	}

	/** Sends a y-protocols message to every subscriber but `except`. */
	broadcast(message: Uint8Array, except: unknown = null): void {
		let framed: Uint8Array | null = null;
		for (const sub of this.subscribers.keys()) {
			if (sub === except) continue;
			if (sub.muxed) {
				framed ??= this.frame(message);
				sub.sendBroadcast(framed);
			} else {
				sub.sendBroadcast(message);
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
			for (const id of added) controlled.add(id);
			for (const id of removed) controlled.delete(id);
		}
		const changed = [...added, ...updated, ...removed];
		// Echoed to the sender too, as the stock server does: y-websocket's liveness check counts on it.
		this.broadcast(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)));
	};
}
