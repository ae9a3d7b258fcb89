/**
 * Handles one y-protocols message from a subscriber of a ready room, the same way on /ws/<doc> and inside /sync
 * `Doc` frames: sync step 1 is answered from the room; step 2 and updates go through the durable write path (the
 * room's doc changes only once they are stored); awareness is applied and broadcast. A 'read' subscriber's
 * updates and awareness are dropped (neither stored nor broadcast) and `denied` is called; its awareness is
 * echoed to it alone, because stock y-websocket clients reconnect when they hear nothing for 30 s.
 * A document with no stored rows has no room (hub.subscribe): it is answered as an empty document, and awareness
 * is echoed to the sender alone until the first update creates the room. Every write is charged to the writer's
 * budget first (`charge`); an update over a budget is reported through `limited` and never stored.
 * Awareness entries for client ids another connection holds are dropped (room.ts) and reported once through
 * `presenceRefused`.
 */
import * as Y from 'yjs';
import { ProtocolError } from '../../src/lib/protocol/messages';
import type { Access } from '../auth/auth';
import { GuardRefusal, type Hub, LimitRefusal } from '../core/hub';
import type { Room, Subscriber } from '../core/room';
import type { WriteCheck } from '../core/write-guard';
import { checkIncomingUpdate, parseYMessage, syncStep2Message } from './y-messages';

/** The whole state of a document with no stored rows. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

export interface DocMessageContext {
	hub: Hub;
	/** The document's name; its room, or null while it has no stored rows. */
	doc: string;
	room: Room | null;
	sub: Subscriber;
	access: Access;
	reply(message: Uint8Array): void;
	/** A read-only subscriber tried to change the document. */
	denied(): void;
	/** The write guard for this subscriber's updates (write-guard.ts), if its kind and role have one. */
	guard: WriteCheck | null;
	/** The guard refused an update; `retry` when it only lacked changes the relay does not hold yet. */
	refused(reason: string, retry: boolean): void;
	/** Awareness entries for client ids another connection controls were dropped (told once per subscription). */
	presenceRefused(reason: string): void;
	/** Charges an update of `bytes` to the writer's budget; false if it is refused (the client has been told). */
	charge(bytes: number): boolean;
	/** A budget refused a stored update: 4413 its document would pass its kind's size cap. */
	limited(error: LimitRefusal): void;
}

export function handleDocMessage(ctx: DocMessageContext, payload: Uint8Array): void {
	const { hub, room, sub, access } = ctx;
	const msg = parseYMessage(payload);
	switch (msg.type) {
		case 'sync-step1':
			ctx.reply(syncStep2Message(room ? Y.encodeStateAsUpdate(room.doc, msg.stateVector) : EMPTY_UPDATE));
			return;
		case 'sync-update':
			// Clients answer our step 1 with their state even when they have nothing new: drop those quietly.
			if (checkIncomingUpdate(room?.doc ?? null, msg.update)) return;
			if (access === 'write' && !ctx.charge(msg.update.length)) return;
			if (access !== 'write') ctx.denied();
			else if (ctx.guard) {
				hub.submitGuarded(ctx.doc, msg.update, sub, ctx.guard, (error) => {
					if (error instanceof GuardRefusal) ctx.refused(error.message, error.retry);
					else if (error instanceof LimitRefusal) ctx.limited(error);
				});
			} else {
				hub.submit(ctx.doc, msg.update, sub, (error) => {
					if (error instanceof LimitRefusal) ctx.limited(error);
				});
			}
			return;
		case 'awareness':
			if (access !== 'write' || !room) {
				if (access !== 'write') ctx.denied();
				ctx.reply(payload);
				return;
			}
			let refused: number[];
			try {
				refused = room.applyAwareness(msg.update, sub);
			} catch (err) {
				if (err instanceof ProtocolError) throw err;
				throw new ProtocolError(`malformed awareness update: ${(err as Error).message}`);
			}
			if (refused.length > 0 && room.firstPresenceRefusal(sub)) {
				ctx.presenceRefused(`presence refused: client id ${refused.join(', ')} belongs to another connection`);
			}
			return;
		case 'query-awareness': {
			const states = room?.awarenessStates();
			if (states) ctx.reply(states);
			return;
		}
		case 'auth':
			return;
	}
}
