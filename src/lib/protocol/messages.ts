/**
 * The Courtyard wire protocol, shared by the app and the relay.
 *
 * Two endpoints speak it:
 * - `/ws/<docName>`: the stock y-websocket protocol, one document per socket, so any y-websocket client works.
 * - `/sync`: the app's multiplexed endpoint. Every binary frame starts with a `MuxMessage` kind (varUint).
 *   `Doc` frames wrap a standard y-protocols message behind the document name (as Hocuspocus does); the other
 *   kinds batch many documents in one frame so a device catches up on thousands of documents at once.
 *
 * Frame layouts (lib0 encoding; `str` = varString, `bytes` = varUint8Array, `n` = varUint):
 *   Doc            : n kind, str doc, <y-protocols message: n type (0 sync | 1 awareness), ...>
 *   BatchSync      : n kind, n requestId, n count, count × (str doc, bytes stateVector)
 *   BatchSyncReply : n kind, n requestId, n count, count × (str doc, n status, bytes diff, bytes serverStateVector)
 *   Subscribe      : n kind, str doc            (server answers with Doc(sync step 1) and awareness states)
 *   Unsubscribe    : n kind, str doc
 *   Update         : n kind, n requestId, str doc, bytes update      (acknowledged once durably stored)
 *   Ack            : n kind, n requestId, str doc
 *   ListChanges    : n kind, n sinceSeq
 *   Changes        : n kind, n headSeq, n count, count × (str doc, n seq)   (reply, and pushed live)
 *   DocError       : n kind, str doc, n code (a CloseCode), str reason, n requestId (0 when none)
 *   AwarenessSubscribe   : n kind, str doc   (after Subscribe: the doc's presence comes as Awareness frames)
 *   AwarenessUnsubscribe : n kind, str doc   (this connection's presence in the doc is removed)
 *   Awareness      : n kind, str doc, bytes update   (a y-protocols awareness update, both ways)
 *   AwarenessQuery : n kind, str doc            (answered with one Awareness frame of every state, maybe none)
 *   PresenceError  : n kind, str doc, n code (a CloseCode), str reason   (a presence frame was refused)
 *
 * Presence (cursors, names) rides the same socket: a client sends Subscribe then AwarenessSubscribe for the
 * document on screen, and Awareness frames for its own states. A malformed awareness update, one for a
 * document not subscribed, one from a read-only device or one for a client id another connection holds gets a
 * PresenceError, and the connection goes on: it says nothing about the document itself, so a client must not
 * take it for a DocError. (Awareness inside Doc frames, the y-protocols way, is still understood; refusals of
 * those, but for a client id another connection holds, come as DocError as any Doc frame's do.)
 *
 * A document is "synced" on the client only once a BatchSyncReply (or sync step 2) carrying the server's
 * full state for it has been applied and stored locally.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export enum MuxMessage {
	Doc = 0,
	BatchSync = 1,
	BatchSyncReply = 2,
	Subscribe = 3,
	Unsubscribe = 4,
	Update = 5,
	Ack = 6,
	ListChanges = 7,
	Changes = 8,
	DocError = 9,
	AwarenessSubscribe = 10,
	AwarenessUnsubscribe = 11,
	Awareness = 12,
	AwarenessQuery = 13,
	PresenceError = 14
}

/** The y-protocols message types carried inside a `Doc` frame or a stock y-websocket frame. */
export enum YMessage {
	Sync = 0,
	Awareness = 1,
	Auth = 2,
	QueryAwareness = 3
}

/** Per-document result inside a BatchSyncReply. */
export enum BatchStatus {
	Ok = 0,
	/** The document does not exist on the relay yet; diff is empty and the client should push its state. */
	Missing = 1,
	Forbidden = 2,
	/** The client may read but not write: it must not push local changes. */
	ReadOnly = 3,
	/**
	 * The relay could not read this document's stored state (a storage fault); diff is empty. The document is not
	 * synced: keep local changes and ask again later. The other documents of the reply are unaffected.
	 */
	Unavailable = 4
}

/** WebSocket close codes (4000–4999 are application codes) and DocError codes. */
export enum CloseCode {
	Normal = 1000,
	GoingAway = 1001,
	Malformed = 4400,
	Unauthorized = 4401,
	Forbidden = 4403,
	NotFound = 4404,
	/** Presence (awareness) for a client id that another connection controls was dropped. */
	Conflict = 4409,
	TooLarge = 4413,
	RateLimited = 4429,
	TooManyDocuments = 4430,
	ServerError = 4500,
	ShuttingDown = 4503
}

export interface BatchSyncEntry {
	doc: string;
	stateVector: Uint8Array;
}

export interface BatchSyncReplyEntry {
	doc: string;
	status: BatchStatus;
	diff: Uint8Array;
	serverStateVector: Uint8Array;
}

export interface ChangeEntry {
	doc: string;
	seq: number;
}

export type Frame =
	| { kind: MuxMessage.Doc; doc: string; payload: Uint8Array }
	| { kind: MuxMessage.BatchSync; requestId: number; entries: BatchSyncEntry[] }
	| { kind: MuxMessage.BatchSyncReply; requestId: number; entries: BatchSyncReplyEntry[] }
	| { kind: MuxMessage.Subscribe; doc: string }
	| { kind: MuxMessage.Unsubscribe; doc: string }
	| { kind: MuxMessage.Update; requestId: number; doc: string; update: Uint8Array }
	| { kind: MuxMessage.Ack; requestId: number; doc: string }
	| { kind: MuxMessage.ListChanges; sinceSeq: number }
	| { kind: MuxMessage.Changes; headSeq: number; entries: ChangeEntry[] }
	| { kind: MuxMessage.DocError; doc: string; code: CloseCode; reason: string; requestId: number }
	| { kind: MuxMessage.AwarenessSubscribe; doc: string }
	| { kind: MuxMessage.AwarenessUnsubscribe; doc: string }
	| { kind: MuxMessage.Awareness; doc: string; update: Uint8Array }
	| { kind: MuxMessage.AwarenessQuery; doc: string }
	| { kind: MuxMessage.PresenceError; doc: string; code: CloseCode; reason: string };

export class ProtocolError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProtocolError';
	}
}

/** A list as the batch frames carry it: its length, then each entry as `write` puts it. */
function writeList<T>(e: encoding.Encoder, list: readonly T[], write: (entry: T) => void): void {
	encoding.writeVarUint(e, list.length);
	for (const entry of list) write(entry);
}

export function encodeFrame(frame: Frame): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, frame.kind);
	switch (frame.kind) {
		case MuxMessage.Doc:
			encoding.writeVarString(e, frame.doc);
			encoding.writeUint8Array(e, frame.payload);
			break;
		case MuxMessage.BatchSync:
			encoding.writeVarUint(e, frame.requestId);
			writeList(e, frame.entries, (entry) => {
				encoding.writeVarString(e, entry.doc);
				encoding.writeVarUint8Array(e, entry.stateVector);
			});
			break;
		case MuxMessage.BatchSyncReply:
			encoding.writeVarUint(e, frame.requestId);
			writeList(e, frame.entries, (entry) => {
				encoding.writeVarString(e, entry.doc);
				encoding.writeVarUint(e, entry.status);
				encoding.writeVarUint8Array(e, entry.diff);
				encoding.writeVarUint8Array(e, entry.serverStateVector);
			});
			break;
		case MuxMessage.Subscribe:
		case MuxMessage.Unsubscribe:
		case MuxMessage.AwarenessSubscribe:
		case MuxMessage.AwarenessUnsubscribe:
		case MuxMessage.AwarenessQuery:
			encoding.writeVarString(e, frame.doc);
			break;
		case MuxMessage.Awareness:
			encoding.writeVarString(e, frame.doc);
			encoding.writeVarUint8Array(e, frame.update);
			break;
		case MuxMessage.Update:
			encoding.writeVarUint(e, frame.requestId);
			encoding.writeVarString(e, frame.doc);
			encoding.writeVarUint8Array(e, frame.update);
			break;
		case MuxMessage.Ack:
			encoding.writeVarUint(e, frame.requestId);
			encoding.writeVarString(e, frame.doc);
			break;
		case MuxMessage.ListChanges:
			encoding.writeVarUint(e, frame.sinceSeq);
			break;
		case MuxMessage.Changes:
			encoding.writeVarUint(e, frame.headSeq);
			writeList(e, frame.entries, (entry) => {
				encoding.writeVarString(e, entry.doc);
				encoding.writeVarUint(e, entry.seq);
			});
			break;
		case MuxMessage.DocError:
		case MuxMessage.PresenceError:
			encoding.writeVarString(e, frame.doc);
			encoding.writeVarUint(e, frame.code);
			encoding.writeVarString(e, frame.reason);
			if (frame.kind === MuxMessage.DocError) encoding.writeVarUint(e, frame.requestId);
			break;
	}
	return encoding.toUint8Array(e);
}

/** Upper bound on entries in one batch frame, so a hostile count cannot make us loop or allocate forever. */
export const MAX_BATCH_ENTRIES = 10_000;

/** Decodes one frame; throws ProtocolError on anything malformed (unknown kind, truncation, trailing bytes). */
export function decodeFrame(data: Uint8Array): Frame {
	const d = decoding.createDecoder(data);
	try {
		const frame = readFrame(d);
		if (frame.kind !== MuxMessage.Doc && decoding.hasContent(d)) {
			throw new ProtocolError('trailing bytes after frame');
		}
		return frame;
	} catch (err) {
		if (err instanceof ProtocolError) throw err;
		throw new ProtocolError(`malformed frame: ${(err as Error).message}`);
	}
}

/** A list written by writeList, each entry as `read` takes it; a count over MAX_BATCH_ENTRIES is refused first. */
function readList<T>(d: decoding.Decoder, read: () => T): T[] {
	const count = decoding.readVarUint(d);
	if (count > MAX_BATCH_ENTRIES) throw new ProtocolError(`too many entries: ${count}`);
	const list: T[] = [];
	for (let i = 0; i < count; i++) list.push(read());
	return list;
}

function readFrame(d: decoding.Decoder): Frame {
	const kind = decoding.readVarUint(d);
	switch (kind) {
		case MuxMessage.Doc: {
			const doc = decoding.readVarString(d);
			const payload = decoding.readTailAsUint8Array(d);
			if (payload.length === 0) throw new ProtocolError('empty document message');
			return { kind, doc, payload };
		}
		case MuxMessage.BatchSync: {
			const requestId = decoding.readVarUint(d);
			const entries = readList<BatchSyncEntry>(d, () => ({ doc: decoding.readVarString(d), stateVector: decoding.readVarUint8Array(d) }));
			return { kind, requestId, entries };
		}
		case MuxMessage.BatchSyncReply: {
			const requestId = decoding.readVarUint(d);
			const entries = readList<BatchSyncReplyEntry>(d, () => ({
				doc: decoding.readVarString(d),
				status: decoding.readVarUint(d) as BatchStatus,
				diff: decoding.readVarUint8Array(d),
				serverStateVector: decoding.readVarUint8Array(d)
			}));
			return { kind, requestId, entries };
		}
		case MuxMessage.Subscribe:
		case MuxMessage.Unsubscribe:
		case MuxMessage.AwarenessSubscribe:
		case MuxMessage.AwarenessUnsubscribe:
		case MuxMessage.AwarenessQuery:
			return { kind, doc: decoding.readVarString(d) };
		case MuxMessage.Awareness:
			return { kind, doc: decoding.readVarString(d), update: decoding.readVarUint8Array(d) };
		case MuxMessage.Update:
			return {
				kind,
				requestId: decoding.readVarUint(d),
				doc: decoding.readVarString(d),
				update: decoding.readVarUint8Array(d)
			};
		case MuxMessage.Ack:
			return { kind, requestId: decoding.readVarUint(d), doc: decoding.readVarString(d) };
		case MuxMessage.ListChanges:
			return { kind, sinceSeq: decoding.readVarUint(d) };
		case MuxMessage.Changes: {
			const headSeq = decoding.readVarUint(d);
			const entries = readList<ChangeEntry>(d, () => ({ doc: decoding.readVarString(d), seq: decoding.readVarUint(d) }));
			return { kind, headSeq, entries };
		}
		case MuxMessage.DocError:
			return {
				kind,
				doc: decoding.readVarString(d),
				code: decoding.readVarUint(d) as CloseCode,
				reason: decoding.readVarString(d),
				requestId: decoding.readVarUint(d)
			};
		case MuxMessage.PresenceError:
			return { kind, doc: decoding.readVarString(d), code: decoding.readVarUint(d) as CloseCode, reason: decoding.readVarString(d) };
		default:
			throw new ProtocolError(`unknown message kind ${kind}`);
	}
}

export interface AwarenessEntry {
	clientID: number;
	clock: number;
	/** The state as JSON; 'null' removes the client's presence. */
	state: string;
}

/**
 * The entries of a y-protocols awareness update, checked in full: counts, varints, every state JSON (an object or
 * null), nothing after the last entry. Throws ProtocolError ("malformed awareness update: …") otherwise; the
 * frame around it was fine, so a relay answers with a PresenceError and keeps the connection.
 */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
	try {
		const d = decoding.createDecoder(update);
		const count = decoding.readVarUint(d);
		if (count > update.length) throw new Error(`entry count ${count} exceeds the update's length`);
		const entries: AwarenessEntry[] = [];
		for (let i = 0; i < count; i++) {
			const clientID = decoding.readVarUint(d);
			const clock = decoding.readVarUint(d);
			const state = decoding.readVarString(d);
			const parsed: unknown = JSON.parse(state);
			if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`the state of client ${clientID} is not an object`);
			entries.push({ clientID, clock, state });
		}
		if (decoding.hasContent(d)) throw new Error('trailing bytes');
		return entries;
	} catch (err) {
		throw new ProtocolError(`malformed awareness update: ${(err as Error).message}`);
	}
}

/** The y-protocols awareness update holding `entries` (decodeAwarenessUpdate's inverse). */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
	const e = encoding.createEncoder();
	writeList(e, entries, (entry) => {
		encoding.writeVarUint(e, entry.clientID);
		encoding.writeVarUint(e, entry.clock);
		encoding.writeVarString(e, entry.state);
	});
	return encoding.toUint8Array(e);
}

/** Paths of the relay's endpoints. */
export const SYNC_PATH = '/sync';
export const DOC_PATH_PREFIX = '/ws/';
/** Query parameter carrying the device credential on both endpoints (y-websocket passes `params` as a query). */
export const TOKEN_PARAM = 'token';
