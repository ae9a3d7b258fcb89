/**
 * `/ws/<docName>`: the stock y-websocket protocol, one document per socket, so an unmodified y-websocket
 * WebsocketProvider(serverUrl + '/ws', docName) works against the relay.
 *
 * Unlike the stock server, nothing is sent before the room holds the full stored state: sync step 1 goes out once
 * the room is loaded and the client's own step 1 is queued until then, so `synced` on the client means it has
 * everything. Updates are broadcast only after they are durable. A read-only client receives the document; its
 * updates and awareness are dropped (it gets one y-protocols permission-denied message, and its own awareness
 * echoed back to it alone, which y-websocket's liveness check needs). Close codes: 4401 missing, invalid,
 * expired or revoked credential (also while open), 4403 no access (before any byte of the document is sent),
 * 4400 malformed, 4413 too large, 4429 rate limited, 1013 too slow (a transient code, so stock clients
 * reconnect), 4503 shutting down.
 */
import type { WebSocket } from 'ws';
import { CloseCode } from '../src/lib/protocol/messages';
import { parseDocName } from '../src/lib/schema/doc-names';
import type { Access, Authorizer } from './auth';
import { Connection } from './connection';
import { handleDocMessage } from './doc-messages';
import { type WriteCheck, writeGuard } from './write-guard';
import type { Hub } from './hub';
import type { Room, Subscriber } from './room';
import { permissionDeniedMessage, syncStep1Message } from './y-messages';

/** WebSocket "try again later": y-websocket reconnects on it, whereas 4400–4499 stop it for good. */
export const TRY_AGAIN_LATER = 1013;

export class DocConnection extends Connection implements Subscriber {
	readonly muxed = false;
	private room: Room | null = null;
	private access: Access = 'none';
	private deniedSent = false;
	private guard: WriteCheck | null = null;

	constructor(
		ws: WebSocket,
		private readonly hub: Hub,
		private readonly docName: string,
		token: string | null,
		authorizer: Authorizer
	) {
		super(ws, hub.limits, hub.logger, TRY_AGAIN_LATER);
		void this.open(token, authorizer).catch((error: unknown) => this.fail(error));
	}

	private async open(token: string | null, authorizer: Authorizer): Promise<void> {
		if (!parseDocName(this.docName)) {
			this.close(CloseCode.Forbidden, `forbidden: not a document name: ${this.docName}`);
			return;
		}
		const principal = await this.authenticate(authorizer, token);
		if (!principal) return;
		this.access = authorizer.access(principal, this.docName);
		this.guard = writeGuard(this.docName, principal);
		if (this.access === 'none') {
			this.close(CloseCode.Forbidden, `forbidden: no access to ${this.docName}${principal.grant ? ` as ${principal.grant.role}` : ''}`);
			return;
		}
		this.room = this.hub.join(this.docName, this, (room, error) => {
			// Runs synchronously inside join() when the room is already loaded: set the room before start()
			// dispatches the messages queued until now, or they would find no room and be dropped.
			this.room = room;
			if (this.closed) return;
			if (error) {
				this.close(CloseCode.ServerError, 'could not load the document');
				return;
			}
			this.send(syncStep1Message(room.doc));
			const states = room.awarenessStates();
			if (states) this.send(states);
			this.start();
		});
	}

	protected handle(data: Uint8Array): void {
		const room = this.room;
		if (!room) return;
		handleDocMessage(
			{
				hub: this.hub,
				room,
				sub: this,
				access: this.access,
				reply: (message) => this.send(message),
				denied: () => {
					if (this.deniedSent) return;
					this.deniedSent = true;
					this.send(permissionDeniedMessage('read-only: your changes are not accepted'));
				},
				guard: this.guard,
				refused: (reason, retry) => {
					// A stock client resends its whole state when it reconnects: the way to "send it again later".
					if (retry) this.close(TRY_AGAIN_LATER, reason);
					else this.send(permissionDeniedMessage(`refused: ${reason}`));
				}
			},
			data
		);
	}

	protected cleanup(): void {
		if (this.room) this.hub.leave(this.room, this);
		this.room = null;
	}
}
