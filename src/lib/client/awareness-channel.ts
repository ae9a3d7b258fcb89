/**
 * Presence (cursors, names, colours) of one document over the sync engine's one socket to `/sync`: a y-protocols
 * Awareness whose own state goes out as Awareness frames and whose others' states come from the relay
 * (protocol/messages.ts). It attaches to the engine (sync-engine.ts, `attachPresence`), which tells it when the
 * socket opens and closes; an editor binds to `awareness` as it would to a y-websocket provider's. This module
 * loads with the editor, so y-protocols' Awareness stays out of the app shell.
 *
 * - On every (re)connect it subscribes to the document's presence and announces its state again under a new
 *   clock: the relay removed the old one when the previous socket closed, and ignores a state at a clock it
 *   has seen.
 * - When the socket closes, the others' states are dropped here (they would be stale); the relay sends them
 *   again on reconnect.
 * - A channel that does not share (a read-only viewer) sees the others and announces nothing; nor does one
 *   whose presence the relay refused as read-only (its role changed while the page was open).
 * - `leave()` sends the removal of its state and ends the subscription.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { CloseCode, MuxMessage } from '../protocol/messages';
import type { PresencePort, PresenceSink, SyncEngine } from './sync-engine';

export type PresenceLink = 'connecting' | 'connected' | 'disconnected';

/** Origin of the states the relay sent, so they are not sent back. */
export const RELAY_PRESENCE = Symbol('relay presence');

/**
 * Joins `doc`'s presence over `engine`'s socket, bound to `ydoc` (the open document, whose client id the
 * awareness shares). `share` false: see the others only (a viewer who may not write it: the relay would drop its
 * presence). Call `leave()` once done.
 */
export function joinAwareness(engine: Pick<SyncEngine, 'attachPresence'>, doc: string, ydoc: Y.Doc, { share = true }: { share?: boolean } = {}): AwarenessChannel {
	return new AwarenessChannel(engine, doc, ydoc, share);
}

export class AwarenessChannel implements PresenceSink {
	readonly awareness: awarenessProtocol.Awareness;
	private linkState: PresenceLink = 'connecting';
	private readonly listeners = new Set<(link: PresenceLink) => void>();
	private readonly port: PresencePort;
	private open = false;
	private gone = false;
	/** Whether this device's state goes out: `share`, until the relay refuses it as read-only. */
	private sharing: boolean;

	constructor(
		engine: Pick<SyncEngine, 'attachPresence'>,
		readonly doc: string,
		ydoc: Y.Doc,
		readonly share: boolean
	) {
		this.sharing = share;
		this.awareness = new awarenessProtocol.Awareness(ydoc);
		if (!share) this.awareness.setLocalState(null);
		this.awareness.on('update', this.onUpdate);
		this.port = engine.attachPresence(doc, this);
		const state = this.port.state();
		if (state === 'connected') this.connected();
		else this.disconnected(state);
	}

	/** Whether the channel reaches the relay now (as y-websocket's provider status). */
	get link(): PresenceLink {
		return this.linkState;
	}

	/** Calls `listener` on every change of `link`; returns the function that stops it. */
	onLink(listener: (link: PresenceLink) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** The engine's socket is open (again): subscribe and announce this device's state. */
	connected(): void {
		if (this.gone) return;
		this.open = true;
		if (!this.port.send({ kind: MuxMessage.AwarenessSubscribe, doc: this.doc })) return;
		// The relay ignores a repeated subscription (a channel replacing another one on this socket): ask for the states.
		this.port.send({ kind: MuxMessage.AwarenessQuery, doc: this.doc });
		const state = this.awareness.getLocalState();
		// A new clock: the sending happens in onUpdate.
		if (this.sharing && state !== null) this.awareness.setLocalState(state);
		this.setLink('connected');
	}

	/** The engine is connecting, or its socket closed. */
	disconnected(link: Exclude<PresenceLink, 'connected'>): void {
		if (this.gone) return;
		this.open = false;
		const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.awareness.clientID);
		awarenessProtocol.removeAwarenessStates(this.awareness, others, RELAY_PRESENCE);
		this.setLink(link);
	}

	/** An Awareness frame from the relay. */
	receive(update: Uint8Array): void {
		if (!this.gone) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, RELAY_PRESENCE);
	}

	/**
	 * The relay refused a presence frame. Read-only: stop announcing (the relay drops it anyway). Other refusals
	 * (a client id another connection holds, a frame before the subscription) leave the channel as it is.
	 */
	refused(code: CloseCode, reason: string): void {
		if (code !== CloseCode.Forbidden || !this.sharing) return;
		this.sharing = false;
		console.warn(`presence in ${this.doc} not shared: ${reason}`);
	}

	/** Removes this device's presence for the others and ends the subscription (the engine's part too). */
	leave(): void {
		if (this.gone) return;
		if (this.awareness.getLocalState() !== null) this.awareness.setLocalState(null);
		this.gone = true;
		this.port.send({ kind: MuxMessage.AwarenessUnsubscribe, doc: this.doc });
		this.awareness.off('update', this.onUpdate);
		this.awareness.destroy();
		this.listeners.clear();
		this.port.detach();
	}

	private setLink(link: PresenceLink): void {
		if (link === this.linkState) return;
		this.linkState = link;
		for (const listener of this.listeners) listener(link);
	}

	private readonly onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
		const own = this.awareness.clientID;
		if (!this.sharing || !this.open || this.gone) return;
		if (!added.includes(own) && !updated.includes(own) && !removed.includes(own)) return;
		// The relay removed this device's state (it timed out there): y-protocols keeps it under a higher clock,
		// and it goes out again. Other states (the relay's, or timed out here) are never sent back.
		if (origin === RELAY_PRESENCE && this.awareness.getLocalState() === null) return;
		this.port.send({ kind: MuxMessage.Awareness, doc: this.doc, update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [own]) });
	};
}
