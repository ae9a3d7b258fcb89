/**
 * Handles one y-protocols message from a subscriber of a ready room, the same way on /ws/<doc> and inside /sync
 * `Doc` frames: sync step 1 is answered from the room; step 2 and updates go through the durable write path (the
 * room's doc changes only once they are stored); awareness is applied and broadcast. A 'read' subscriber's
 * updates and awareness are dropped (neither stored nor broadcast) and `denied` is called; its awareness is
 * echoed to it alone, because stock y-websocket clients reconnect when they hear nothing for 30 s.
 */
import * as Y from 'yjs';
import { ProtocolError } from '../src/lib/protocol/messages';
import type { Access } from './auth';
import { GuardRefusal, type Hub } from './hub';
import type { Room, Subscriber } from './room';
import type { WriteCheck } from './write-guard';
import { changesNothing, checkUpdate, parseYMessage, syncStep2Message } from './y-messages';

export interface DocMessageContext {
	hub: Hub;
	room: Room;
	sub: Subscriber;
	access: Access;
	reply(message: Uint8Array): void;
	/** A read-only subscriber tried to change the document. */
	denied(): void;
	/** The write guard for this subscriber's updates (write-guard.ts), if its kind and role have one. */
	guard: WriteCheck | null;
	/** The guard refused an update; `retry` when it only lacked changes the relay does not hold yet. */
	refused(reason: string, retry: boolean): void;
}

export function handleDocMessage(ctx: DocMessageContext, payload: Uint8Array): void {
	const { hub, room, sub, access } = ctx;
	const msg = parseYMessage(payload);
	switch (msg.type) {
		case 'sync-step1':
			ctx.reply(syncStep2Message(Y.encodeStateAsUpdate(room.doc, msg.stateVector)));
			return;
		case 'sync-update':
			checkUpdate(msg.update);
			// Clients answer our step 1 with their state even when they have nothing new: drop those quietly.
			if (changesNothing(room.doc, msg.update)) return;
			if (access !== 'write') ctx.denied();
			else if (ctx.guard) {
				hub.submitGuarded(room.name, msg.update, sub, ctx.guard, (error) => {
					if (error instanceof GuardRefusal) ctx.refused(error.message, error.retry);
				});
			} else hub.submit(room.name, msg.update, sub);
			return;
		case 'awareness':
			if (access !== 'write') {
				ctx.denied();
				ctx.reply(payload);
				return;
			}
			try {
				room.applyAwareness(msg.update, sub);
			} catch (err) {
				throw new ProtocolError(`malformed awareness update: ${(err as Error).message}`);
			}
			return;
		case 'query-awareness': {
			const states = room.awarenessStates();
			if (states) ctx.reply(states);
			return;
		}
		case 'auth':
			return;
	}
}
