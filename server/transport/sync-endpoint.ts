/**
 * `/sync`: the app's multiplexed endpoint (frames in src/lib/protocol/messages.ts).
 *
 * - BatchSync → BatchSyncReply computed from storage without loading rooms; a document whose stored rows cannot
 *   be read gets BatchStatus.Unavailable and the others are answered as usual. A reply larger than
 *   limits.maxReplyBytes (4 MiB) is split into several BatchSyncReply frames with the same requestId, in request
 *   order; a client is done once it has an entry for every document it asked about.
 * - Update → validated, stored durably (group commit), then Ack to the sender, the update to the document's
 *   subscribers, and Changes to every other /sync connection. A malformed update gets DocError(Malformed), a
 *   read-only or forbidden one DocError(Forbidden); neither closes the connection.
 * - Subscribe/Unsubscribe and Doc frames: the stock y-protocols exchange per document, as on /ws/<doc>.
 *   Doc frames for a document not subscribed get DocError(NotFound).
 * - Presence: AwarenessSubscribe(doc) after Subscribe(doc) → the document's awareness states, then every change,
 *   as Awareness frames (the same room and rules as /ws: /ws and /sync clients see each other, and with other
 *   relay processes the room's fan-out carries them). Awareness(doc) frames set this connection's own states;
 *   AwarenessQuery(doc) → one Awareness frame of every state; AwarenessUnsubscribe(doc), Unsubscribe(doc) or
 *   closing removes the states it set. A malformed awareness update gets PresenceError(4400 Malformed), a
 *   presence frame for a document not subscribed PresenceError(NotFound); the connection goes on. A 'read'
 *   connection's Awareness frames are dropped with one PresenceError(Forbidden) per document. Presence refusals
 *   come as PresenceError, never DocError, so a client does not take them for refusals of the document.
 * - ListChanges(since) → one Changes frame of at most limits.changesPageSize (10,000) entries in seq order. Its
 *   headSeq is the cursor to resume from: the relay's head when the listing is complete, otherwise the seq of the
 *   last entry. A full page (10,000 entries) means: ask again with ListChanges(headSeq).
 * - Changes are also pushed after every committed batch, headSeq being the new head; a connection is not told
 *   about its own writes.
 * Access per document (auth.ts): 'none' gets BatchStatus.Forbidden or DocError(Forbidden) and no byte of the
 * document, and is left out of the change feed; 'read' gets BatchStatus.ReadOnly, and its Update, sync step 2
 * and awareness inside Doc frames are dropped with one DocError(Forbidden) per document. Awareness for a client
 * id another connection holds is dropped with one PresenceError(4409 Conflict) per document (room.ts).
 * Malformed frames close the connection with 4400; a client too slow to take broadcasts, over its rate limit or
 * with too many requests in flight is closed with 4429; a BatchSync over limits.maxBatchDocs closes it with 4430,
 * a Subscribe beyond limits.maxSubscriptions gets DocError(4430). A missing, invalid, expired or revoked
 * credential closes it with 4401, also while it is open.
 * Budgets (budgets.ts, limits.ts), each refusal leaving the connection open: an update over the device's write
 * budget gets DocError(4429, "rate limited: … try again in N s"), one that would take its document past its
 * kind's size cap DocError(4413, "too large: …"); a Subscribe beyond limits.maxSubscriptionsPerCredential (all
 * the device's sockets) DocError(4430). A device or address over its socket cap is closed with 4429.
 * A subscription to a document with no stored rows holds no room (hub.subscribe): it is greeted as an empty
 * document, and gets the whole document as an update once someone creates it.
 */
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
	type BatchSyncReplyEntry,
	CloseCode,
	decodeAwarenessUpdate,
	decodeFrame,
	encodeFrame,
	type Frame,
	MuxMessage,
	ProtocolError,
	YMessage
} from '../../src/lib/protocol/messages';
import { parseDocName } from '../../src/lib/schema/doc-names';
import type { Access, Authorizer, Principal } from '../auth/auth';
import { Connection } from './connection';
import { handleDocMessage } from './doc-messages';
import { type ChangedDoc, type FeedListener, GuardRefusal, type Hub, LimitRefusal } from '../core/hub';
import type { Room, Subscriber } from '../core/room';
import { type WriteCheck, writeGuard } from '../core/write-guard';
import { awarenessMessage, checkIncomingUpdate, checkStateVector, EMPTY_SYNC_STEP1, syncStep1Message, updateMessage } from './y-messages';

interface Subscription {
	/** Null while the document has no stored rows (a vacancy in the hub). */
	room: Room | null;
	access: Access;
	/** Doc frames received while the room loads; null once it is ready. */
	pending: Uint8Array[] | null;
	deniedSent: boolean;
	/** Subscribed to the document's presence (AwarenessSubscribe): awareness comes as Awareness frames. */
	presence: boolean;
	/** An AwarenessQuery that came while the room loaded, answered once it is ready. */
	queried: boolean;
	presenceDeniedSent: boolean;
}


/** A BatchSync reply yields to other connections once it has worked this long without a break. */
const YIELD_AFTER_MS = 4;

/** A y-protocols message in `doc`'s Doc frame (through its room when there is one, which caches the header). */
function frameFor(doc: string, room: Room | null, message: Uint8Array): Uint8Array {
	return room ? room.frame(message) : encodeFrame({ kind: MuxMessage.Doc, doc, payload: message });
}

/** Encoded Changes frames shared by all connections that see a batch unfiltered. */
const sharedChanges = new WeakMap<readonly ChangedDoc[], Uint8Array[]>();

export class SyncConnection extends Connection implements Subscriber, FeedListener {
	readonly muxed = true;
	/** The device, for presence: its connections may take over each other's awareness ids (room.ts). */
	get owner(): string | null {
		return this.principal?.grant ? this.principal.deviceId : null;
	}
	private principal: Principal | null = null;
	private readonly subs = new Map<string, Subscription>();
	private readonly accessCache = new Map<string, Access>();
	/** Storage-backed requests run one at a time, so a client cannot make the relay build many replies at once. */
	private requests: Promise<void> = Promise.resolve();
	private pendingRequests = 0;

	constructor(
		ws: WebSocket,
		private readonly hub: Hub,
		token: string | null,
		private readonly authorizer: Authorizer
	) {
		super(ws, hub.limits, hub.logger, CloseCode.RateLimited);
		void this.open(token).catch((error: unknown) => this.fail(error));
	}

	private async open(token: string | null): Promise<void> {
		const principal = await this.authenticate(this.authorizer, token, this.hub.budgets);
		if (!principal) return;
		this.principal = principal;
		this.hub.addFeedListener(this);
		this.start();
	}

	private access(doc: string): Access {
		let access = this.accessCache.get(doc);
		if (access === undefined) {
			access = this.principal && parseDocName(doc) ? this.authorizer.access(this.principal, doc) : 'none';
			if (this.accessCache.size > 100_000) this.accessCache.clear();
			this.accessCache.set(doc, access);
		}
		return access;
	}

	/** The write guard for this connection's updates to `doc`, if its kind and role have one. */
	private guard(doc: string): WriteCheck | null {
		return this.principal ? writeGuard(doc, this.principal) : null;
	}

	protected handle(data: Uint8Array): void | Promise<void> {
		const frame = decodeFrame(data);
		switch (frame.kind) {
			case MuxMessage.Doc:
				return this.onDoc(frame.doc, frame.payload);
			case MuxMessage.BatchSync:
				if (frame.entries.length > this.limits.maxBatchDocs) {
					this.close(CloseCode.TooManyDocuments, `too many documents in one request: ${frame.entries.length}, max ${this.limits.maxBatchDocs}`);
					return;
				}
				return this.serially(() => this.onBatchSync(frame));
			case MuxMessage.Subscribe:
				return this.onSubscribe(frame.doc);
			case MuxMessage.Unsubscribe:
				return this.onUnsubscribe(frame.doc);
			case MuxMessage.Update:
				return this.onUpdate(frame.requestId, frame.doc, frame.update);
			case MuxMessage.ListChanges:
				return this.serially(() => this.onListChanges(frame.sinceSeq));
			case MuxMessage.AwarenessSubscribe:
				return this.onAwarenessSubscribe(frame.doc);
			case MuxMessage.AwarenessUnsubscribe:
				return this.onAwarenessUnsubscribe(frame.doc);
			case MuxMessage.Awareness:
				return this.onAwareness(frame.doc, frame.update);
			case MuxMessage.AwarenessQuery:
				return this.onAwarenessQuery(frame.doc);
			default:
				throw new ProtocolError(`unexpected ${MuxMessage[frame.kind]} frame from a client`);
		}
	}

	private serially(task: () => Promise<void>): Promise<void> | void {
		if (this.pendingRequests >= this.limits.maxPendingRequests) {
			this.close(CloseCode.RateLimited, `too many requests in flight (max ${this.limits.maxPendingRequests})`);
			return;
		}
		this.pendingRequests++;
		const run = this.requests.then(() => (this.closed ? undefined : task()));
		this.requests = run.catch(() => {}).finally(() => this.pendingRequests--);
		return run;
	}

	private docError(doc: string, code: CloseCode, reason: string, requestId = 0): void {
		this.send(encodeFrame({ kind: MuxMessage.DocError, doc, code, reason, requestId }));
	}

	private presenceError(doc: string, code: CloseCode, reason: string): void {
		this.send(encodeFrame({ kind: MuxMessage.PresenceError, doc, code, reason }));
	}

	private onDoc(doc: string, payload: Uint8Array): void {
		const sub = this.subs.get(doc);
		if (!sub) {
			this.docError(doc, CloseCode.NotFound, 'not subscribed: send Subscribe first');
			return;
		}
		if (sub.pending) {
			if (sub.pending.length >= this.limits.maxQueuedMessages) {
				this.close(CloseCode.RateLimited, 'too many messages before the document was ready');
				return;
			}
			sub.pending.push(payload.slice());
			return;
		}
		this.handleDoc(doc, sub, payload);
	}

	private handleDoc(doc: string, sub: Subscription, payload: Uint8Array): void {
		handleDocMessage(
			{
				hub: this.hub,
				doc,
				room: sub.room,
				sub: this,
				access: sub.access,
				reply: (message) => this.send(frameFor(doc, sub.room, message)),
				denied: () => {
					if (sub.deniedSent) return;
					sub.deniedSent = true;
					this.docError(doc, CloseCode.Forbidden, 'read-only: your changes are not accepted');
				},
				guard: this.guard(doc),
				refused: (reason, retry) => {
					if (retry) this.docError(doc, CloseCode.ServerError, `not stored, send again later: ${reason}`);
					else this.docError(doc, CloseCode.Forbidden, `refused: ${reason}`);
				},
				presenceRefused: (reason) => this.presenceError(doc, CloseCode.Conflict, reason),
				charge: (bytes) => {
					const charge = this.hub.budgets.chargeWrite(this.budgetKey, bytes);
					if (!charge.ok) this.docError(doc, CloseCode.RateLimited, charge.reason);
					return charge.ok;
				},
				limited: (error) => this.docError(doc, error.code, error.message)
			},
			payload
		);
	}

	private onSubscribe(doc: string): void {
		const access = this.access(doc);
		if (access === 'none') {
			this.docError(doc, CloseCode.Forbidden, parseDocName(doc) ? 'forbidden' : 'forbidden: not a document name');
			return;
		}
		const existing = this.subs.get(doc);
		if (existing) {
			if (!existing.pending) this.greet(doc, existing.room);
			return;
		}
		if (this.subs.size >= this.limits.maxSubscriptions) {
			this.docError(doc, CloseCode.TooManyDocuments, `at most ${this.limits.maxSubscriptions} subscriptions`);
			return;
		}
		if (!this.hub.budgets.subscribe(this.budgetKey)) {
			const max = this.limits.maxSubscriptionsPerCredential;
			this.docError(doc, CloseCode.TooManyDocuments, `at most ${max} subscriptions for this device, across its connections`);
			return;
		}
		const sub: Subscription = { room: null, access, pending: [], deniedSent: false, presence: false, queried: false, presenceDeniedSent: false };
		this.subs.set(doc, sub);
		this.hub.subscribe(doc, this, (room, error) => {
			const answered = sub.pending === null;
			sub.room = room;
			if (this.closed || this.subs.get(doc) !== sub) return;
			if (error) {
				this.subs.delete(doc);
				this.hub.leave(room ?? doc, this);
				this.hub.budgets.unsubscribe(this.budgetKey);
				this.docError(doc, CloseCode.ServerError, 'could not load the document');
				return;
			}
			if (answered) {
				// The document was created after this subscription: send what is stored.
				if (room) this.sendBroadcast(room.frame(updateMessage(Y.encodeStateAsUpdate(room.doc))));
				return;
			}
			this.greet(doc, room);
			const pending = sub.pending ?? [];
			sub.pending = null;
			for (const payload of pending) {
				if (this.closed) return;
				try {
					this.handleDoc(doc, sub, payload);
				} catch (err) {
					this.fail(err);
					return;
				}
			}
		});
	}

	private greet(doc: string, room: Room | null): void {
		this.send(frameFor(doc, room, room ? syncStep1Message(room.doc) : EMPTY_SYNC_STEP1));
		const sub = this.subs.get(doc);
		if (sub && (sub.presence || sub.queried)) {
			sub.queried = false;
			this.sendAwarenessStates(doc, room);
			return;
		}
		const states = room?.awarenessStates();
		if (room && states) this.send(room.frame(states));
	}

	wantsAwarenessFrames(doc: string): boolean {
		return this.subs.get(doc)?.presence === true;
	}

	/** One Awareness frame with every state of `doc` (none while it has no room). */
	private sendAwarenessStates(doc: string, room: Room | null): void {
		const ids = room ? [...room.awareness.getStates().keys()] : [];
		const update = room ? awarenessProtocol.encodeAwarenessUpdate(room.awareness, ids) : new Uint8Array([0]);
		this.send(encodeFrame({ kind: MuxMessage.Awareness, doc, update }));
	}

	/** The subscription of `doc`, or null after telling the client it has none (presence needs Subscribe first). */
	private presenceSubscription(doc: string): Subscription | null {
		const sub = this.subs.get(doc);
		if (!sub) this.presenceError(doc, CloseCode.NotFound, 'not subscribed: send Subscribe first');
		return sub ?? null;
	}

	private onAwarenessSubscribe(doc: string): void {
		const sub = this.presenceSubscription(doc);
		if (!sub || sub.presence) return;
		sub.presence = true;
		// While the room loads, its greeting brings the states.
		if (!sub.pending) this.sendAwarenessStates(doc, sub.room);
	}

	private onAwarenessUnsubscribe(doc: string): void {
		const sub = this.subs.get(doc);
		if (!sub) return;
		sub.presence = false;
		// Left before its room loaded: its queued states must not be applied once it has.
		if (sub.pending) sub.pending = sub.pending.filter((payload) => payload[0] !== YMessage.Awareness);
		sub.room?.releasePresence(this);
	}

	private onAwarenessQuery(doc: string): void {
		const sub = this.presenceSubscription(doc);
		if (!sub) return;
		if (sub.pending) sub.queried = true;
		else this.sendAwarenessStates(doc, sub.room);
	}

	private onAwareness(doc: string, update: Uint8Array): void {
		const sub = this.presenceSubscription(doc);
		if (!sub) return;
		try {
			decodeAwarenessUpdate(update);
		} catch (err) {
			if (!(err instanceof ProtocolError)) throw err;
			this.presenceError(doc, CloseCode.Malformed, err.message);
			return;
		}
		if (sub.access !== 'write') {
			if (sub.presenceDeniedSent) return;
			sub.presenceDeniedSent = true;
			this.presenceError(doc, CloseCode.Forbidden, 'read-only: your presence is not shared');
			return;
		}
		// A document with no stored rows has no room to share presence in (the shared path would echo it back).
		if (!sub.pending && !sub.room) return;
		// Checked already: the shared path (doc-messages.ts) applies it once the room is ready, with its rules.
		this.onDoc(doc, awarenessMessage(update));
	}

	private onUnsubscribe(doc: string): void {
		const sub = this.subs.get(doc);
		if (!sub) return;
		this.subs.delete(doc);
		this.hub.leave(sub.room ?? doc, this);
		this.hub.budgets.unsubscribe(this.budgetKey);
	}

	private onUpdate(requestId: number, doc: string, update: Uint8Array): void {
		const access = this.access(doc);
		if (access !== 'write') {
			const reason = access === 'read' ? 'read-only: your changes are not accepted' : 'forbidden';
			this.docError(doc, CloseCode.Forbidden, reason, requestId);
			return;
		}
		// Charged before any decoding, so that refusing a flooding device costs next to nothing.
		const charge = this.hub.budgets.chargeWrite(this.budgetKey, update.length);
		if (!charge.ok) {
			this.docError(doc, CloseCode.RateLimited, charge.reason, requestId);
			return;
		}
		const room = this.hub.rooms.get(doc);
		let nothingNew: boolean;
		try {
			nothingNew = checkIncomingUpdate(room?.ready ? room.doc : null, update);
		} catch (err) {
			if (!(err instanceof ProtocolError)) throw err;
			this.docError(doc, CloseCode.Malformed, err.message, requestId);
			return;
		}
		if (nothingNew) {
			// Already durable: the loaded room holds only stored content.
			this.send(encodeFrame({ kind: MuxMessage.Ack, requestId, doc }));
			return;
		}
		const done = (error: Error | null) => {
			if (error instanceof LimitRefusal) this.docError(doc, error.code, error.message, requestId);
			else if (error instanceof GuardRefusal && !error.retry) this.docError(doc, CloseCode.Forbidden, `refused: ${error.message}`, requestId);
			else if (error) this.docError(doc, CloseCode.ServerError, 'not stored, send again later', requestId);
			else this.send(encodeFrame({ kind: MuxMessage.Ack, requestId, doc }));
		};
		const guard = this.guard(doc);
		if (guard) this.hub.submitGuarded(doc, update, this, guard, done);
		else this.hub.submit(doc, update, this, done);
	}

	private async onBatchSync(frame: Extract<Frame, { kind: MuxMessage.BatchSync }>): Promise<void> {
		// Validate every state vector before any work, so a bad request gets no partial reply.
		for (const e of frame.entries) {
			try {
				checkStateVector(e.stateVector);
			} catch (err) {
				throw new ProtocolError(`${(err as Error).message} (${e.doc})`);
			}
		}
		// With other relay processes, loaded rooms first take in what they committed (hub.caughtUp): "synced" must
		// mean everything stored before this request.
		await this.hub.caughtUp();
		let entries: BatchSyncReplyEntry[] = [];
		let size = 0;
		let slice = performance.now();
		for (const e of frame.entries) {
			if (this.closed) return;
			// Storage reads and merges run synchronously: let other connections in between documents.
			if (performance.now() - slice > YIELD_AFTER_MS) {
				await new Promise((resolve) => setImmediate(resolve));
				slice = performance.now();
				if (this.closed) return;
			}
			const r = await this.hub.syncEntry(e, this.access(e.doc));
			const entrySize = r.doc.length * 3 + r.diff.length + r.serverStateVector.length + 16;
			if (entries.length > 0 && size + entrySize > this.limits.maxReplyBytes) {
				await this.sendPaced(encodeFrame({ kind: MuxMessage.BatchSyncReply, requestId: frame.requestId, entries }));
				entries = [];
				size = 0;
			}
			entries.push(r);
			size += entrySize;
		}
		await this.sendPaced(encodeFrame({ kind: MuxMessage.BatchSyncReply, requestId: frame.requestId, entries }));
	}

	private async onListChanges(sinceSeq: number): Promise<void> {
		const { headSeq, entries } = await this.hub.listChanges(sinceSeq, (doc) => this.access(doc) !== 'none');
		this.send(encodeFrame({ kind: MuxMessage.Changes, headSeq, entries }));
	}

	onChanges(headSeq: number, changed: readonly ChangedDoc[]): void {
		if (!this.isOpen) return;
		const mine = (c: ChangedDoc) => c.origins.size === 1 && c.origins.has(this);
		const visible = changed.filter((c) => !mine(c) && this.access(c.doc) !== 'none');
		if (visible.length === 0) return;
		let frames: Uint8Array[] | undefined;
		if (visible.length === changed.length) {
			frames = sharedChanges.get(changed);
			if (!frames) {
				frames = encodeChanges(headSeq, changed, this.limits.changesPageSize);
				sharedChanges.set(changed, frames);
			}
		} else {
			frames = encodeChanges(headSeq, visible, this.limits.changesPageSize);
		}
		for (const frame of frames) this.sendBroadcast(frame);
	}

	protected cleanup(): void {
		this.hub.removeFeedListener(this);
		for (const [doc, sub] of this.subs) this.hub.leave(sub.room ?? doc, this);
		this.hub.budgets.unsubscribe(this.budgetKey, this.subs.size);
		this.subs.clear();
	}
}

/** Changes frames of at most `pageSize` entries (the decoder's bound); all but the last carry their own last seq. */
function encodeChanges(headSeq: number, docs: readonly ChangedDoc[], pageSize: number): Uint8Array[] {
	const frames: Uint8Array[] = [];
	for (let i = 0; i < docs.length; i += pageSize) {
		const page = docs.slice(i, i + pageSize);
		const last = i + pageSize >= docs.length;
		const entries = page.map(({ doc, seq }) => ({ doc, seq }));
		frames.push(encodeFrame({ kind: MuxMessage.Changes, headSeq: last ? headSeq : (page.at(-1)?.seq ?? headSeq), entries }));
	}
	return frames;
}
