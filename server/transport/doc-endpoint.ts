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
 * 4400 malformed, 4413 too large, 4429 rate limited or too many sockets for the device or address, 4430 too
 * many documents subscribed by the device, 1013 too slow or write budget spent (a transient code, so stock
 * clients reconnect and send again what the relay lacks), 4503 shutting down. An update that would take the
 * document past its kind's size cap gets a permission-denied message ("too large: …") and the socket stays open:
 * a stock client stops for good on 4400–4499 and would no longer receive anyone's changes.
 * A document with no stored rows is served as an empty one without a room; once someone writes it, the
 * client gets the whole document as an update.
 */
import type { WebSocket } from 'ws';
import { CloseCode } from '../../src/lib/protocol/messages';
import { parseDocName } from '../../src/lib/schema/doc-names';
import type { Access, Authorizer } from '../auth/auth';
import { Connection } from './connection';
import { handleDocMessage } from './doc-messages';
import { type WriteCheck, writeGuard } from '../core/write-guard';
import type { Hub } from '../core/hub';
import type { Room, Subscriber } from '../core/room';
import * as Y from 'yjs';
import { EMPTY_SYNC_STEP1, permissionDeniedMessage, syncStep1Message, updateMessage } from './y-messages';


/** WebSocket "try again later": y-websocket reconnects on it, whereas 4400–4499 stop it for good. */
export const TRY_AGAIN_LATER = 1013;

export class DocConnection extends Connection implements Subscriber {
	readonly muxed = false;
	private room: Room | null = null;
	private access: Access = 'none';
	private deniedSent = false;
	private guard: WriteCheck | null = null;
	/** Subscribed through the hub (maybe to a vacancy: `room` null); answered once. */
	private joined = false;
	private answered = false;
	/** The device, for presence: its connections may take over each other's awareness ids (room.ts). */
	owner: string | null = null;

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
		const principal = await this.authenticate(authorizer, token, this.hub.budgets);
		if (!principal) return;
		this.access = authorizer.access(principal, this.docName);
		this.owner = principal.grant ? principal.deviceId : null;
		this.guard = writeGuard(this.docName, principal);
		if (this.access === 'none') {
			this.close(CloseCode.Forbidden, `forbidden: no access to ${this.docName}${principal.grant ? ` as ${principal.grant.role}` : ''}`);
			return;
		}
		if (!this.hub.budgets.subscribe(this.budgetKey)) {
			this.close(CloseCode.TooManyDocuments, `too many documents for this device (max ${this.limits.maxSubscriptionsPerCredential})`);
			return;
		}
		this.joined = true;
		this.hub.subscribe(this.docName, this, (room, error) => {
			// Runs synchronously inside subscribe() when the room is already loaded: set the room before start()
			// dispatches the messages queued until now, or they would find no room and be dropped.
			this.room = room;
			if (this.closed) return;
			if (error) {
				this.close(CloseCode.ServerError, 'could not load the document');
				return;
			}
			if (this.answered) {
				// The document was created after this client subscribed: send it what is stored.
				if (room) this.sendBroadcast(updateMessage(Y.encodeStateAsUpdate(room.doc)));
				return;
			}
			this.answered = true;
			this.send(room ? syncStep1Message(room.doc) : EMPTY_SYNC_STEP1);
			const states = room?.awarenessStates();
			if (states) this.send(states);
			this.start();
		});
	}

	protected handle(data: Uint8Array): void {
		if (!this.answered) return;
		handleDocMessage(
			{
				hub: this.hub,
				doc: this.docName,
				room: this.room,
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
				},
				charge: (bytes) => {
					const charge = this.hub.budgets.chargeWrite(this.budgetKey, bytes);
					// Reconnecting later resends what the relay lacks: the stock client's way to "try again".
					if (!charge.ok) this.close(TRY_AGAIN_LATER, charge.reason);
					return charge.ok;
				},
				limited: (error) => this.send(permissionDeniedMessage(error.message)),
				presenceRefused: (reason) => this.send(permissionDeniedMessage(reason))
			},
			data
		);
	}

	protected cleanup(): void {
		if (this.joined) {
			this.hub.leave(this.room ?? this.docName, this);
			this.hub.budgets.unsubscribe(this.budgetKey);
		}
		this.joined = false;
		this.room = null;
	}
}
