/**
 * The y-protocols messages the relay reads and writes (sync step 1/2, update, awareness, query-awareness), with
 * strict parsing: anything malformed throws ProtocolError so the endpoint closes that one connection with 4400.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { ProtocolError, YMessage } from '../../src/lib/protocol/messages';

export type YIncoming =
	| { type: 'sync-step1'; stateVector: Uint8Array }
	| { type: 'sync-update'; update: Uint8Array }
	| { type: 'awareness'; update: Uint8Array }
	| { type: 'query-awareness' }
	| { type: 'auth' };

export function parseYMessage(payload: Uint8Array): YIncoming {
	if (payload.length === 0) throw new ProtocolError('empty message');
	const d = decoding.createDecoder(payload);
	try {
		const type = decoding.readVarUint(d);
		switch (type) {
			case YMessage.Sync: {
				const sub = decoding.readVarUint(d);
				const body = decoding.readVarUint8Array(d);
				if (sub === syncProtocol.messageYjsSyncStep1) {
					checkStateVector(body);
					return { type: 'sync-step1', stateVector: body };
				}
				if (sub === syncProtocol.messageYjsSyncStep2 || sub === syncProtocol.messageYjsUpdate) {
					return { type: 'sync-update', update: body };
				}
				throw new ProtocolError(`unknown sync message type ${sub}`);
			}
			case YMessage.Awareness:
				return { type: 'awareness', update: decoding.readVarUint8Array(d) };
			case YMessage.QueryAwareness:
				return { type: 'query-awareness' };
			case YMessage.Auth:
				return { type: 'auth' };
			default:
				throw new ProtocolError(`unknown message type ${type}`);
		}
	} catch (err) {
		if (err instanceof ProtocolError) throw err;
		throw new ProtocolError(`malformed y-protocols message: ${(err as Error).message}`);
	}
}

/** Throws ProtocolError unless `sv` is a well-formed encoded state vector. */
export function checkStateVector(sv: Uint8Array): void {
	try {
		const d = decoding.createDecoder(sv);
		const n = decoding.readVarUint(d);
		if (n > sv.length) throw new Error('entry count exceeds length');
		for (let i = 0; i < n; i++) {
			decoding.readVarUint(d);
			decoding.readVarUint(d);
		}
		if (decoding.hasContent(d)) throw new Error('trailing bytes');
	} catch (err) {
		throw new ProtocolError(`malformed state vector: ${(err as Error).message}`);
	}
}

/** True for the encoding of an empty state vector (a fresh client): the diff is then the whole state. */
export function isEmptyStateVector(sv: Uint8Array): boolean {
	return sv.length === 1 && sv[0] === 0;
}

/**
 * Throws ProtocolError unless `update` applies cleanly to a fresh document. A scratch document (not the live one)
 * so that a bad update can neither half-apply nor become visible before it is durable.
 */
export function checkUpdate(update: Uint8Array): void {
	checkDecoded(update);
}

/**
 * checkUpdate and changesNothing on one decoding of `update`, as an incoming update needs both: throws
 * ProtocolError unless it applies cleanly, and returns true when applying it to `doc` would change nothing (with
 * no document: when it is empty).
 */
export function checkIncomingUpdate(doc: Y.Doc | null, update: Uint8Array): boolean {
	const decoded = checkDecoded(update);
	if (!doc) return isEmptyUpdate(update);
	// Not decodable without applying (an odd Skip encoding): treated as new, the write path applies it.
	return decoded !== null && changesNothingDecoded(doc, decoded);
}

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/** checkUpdate, returning the decoded update (null when only applying could read it). */
function checkDecoded(update: Uint8Array): DecodedUpdate | null {
	if (update.length === 0) throw new ProtocolError('empty update');
	let decoded: DecodedUpdate | null = null;
	try {
		decoded = Y.decodeUpdate(update);
	} catch {
		// Y.decodeUpdate refuses a few odd Skip encodings that applying accepts: apply to know.
	}
	if (decoded && continuesHistory(decoded)) return decoded;
	// A fixed guid: generating a random one (lib0 uuidv4) costs ~0.2 ms, more than the whole check.
	const scratch = new Y.Doc({ guid: 'scratch', gc: false });
	try {
		Y.applyUpdate(scratch, update);
	} catch (err) {
		throw new ProtocolError(`malformed update: ${(err as Error).message}`);
	} finally {
		scratch.destroy();
	}
	return decoded;
}

/**
 * True if a decoded update surely applies cleanly to a fresh document without applying it: every struct
 * continues its client's history (clock > 0) with a length, and every deleted range has one. On a fresh document
 * every client's state is 0, so yjs (integrateStructs) integrates none of these structs and none of the
 * deletions: applying is decoding, then re-encoding the decoded structs as pending, which cannot fail for such
 * structs. Most updates are of this kind (every change after a client's first); decoding costs a tenth of
 * applying. False means "apply to know".
 */
function continuesHistory(decoded: DecodedUpdate): boolean {
	for (const s of decoded.structs) if (s.id.clock === 0 || s.length === 0) return false;
	// Pending deletions are re-encoded too, and yjs refuses to encode an empty range.
	for (const ranges of decoded.ds.clients.values()) for (const r of ranges) if (r.len === 0) return false;
	return true;
}

/**
 * True if applying `update` to `doc` would change nothing: every struct is known and every deletion already
 * applied. Clients answer sync step 1 with such updates on every connect; storing them would add a row and a
 * change-feed entry (and so a re-sync on every device) per connection.
 */
export function changesNothing(doc: Y.Doc, update: Uint8Array): boolean {
	return changesNothingDecoded(doc, Y.decodeUpdate(update));
}

function changesNothingDecoded(doc: Y.Doc, { structs, ds }: DecodedUpdate): boolean {
	// A client's structs come in clock order: its last one ends where the update ends (Skips included, which
	// only errs towards "changes something").
	for (const s of structs) if (s.id.clock + s.length > Y.getState(doc.store, s.id.client)) return false;
	for (const [client, ranges] of ds.clients) {
		const known = doc.store.clients.get(client);
		if (!known) {
			if (ranges.length > 0) return false;
			continue;
		}
		const state = Y.getState(doc.store, client);
		for (const { clock, len } of ranges) {
			if (len === 0) continue;
			if (clock + len > state) return false;
			for (let i = Y.findIndexSS(known, clock); i < known.length; i++) {
				const struct = known[i] as Y.Item | Y.GC;
				if (struct.id.clock >= clock + len) break;
				if (!struct.deleted) return false;
			}
		}
	}
	return true;
}

/** True if `update` has neither structs nor deletions. */
export function isEmptyUpdate(update: Uint8Array): boolean {
	return update.length === 2 && update[0] === 0 && update[1] === 0;
}

function message(write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
}

export const syncStep1Message = (doc: Y.Doc): Uint8Array =>
	message((e) => {
		encoding.writeVarUint(e, YMessage.Sync);
		syncProtocol.writeSyncStep1(e, doc);
	});

/** Sync step 1 of a document with no stored rows (an empty state vector). */
export const EMPTY_SYNC_STEP1 = syncStep1Message(new Y.Doc({ guid: 'empty' }));

/**
 * `head` (one-byte varuints), the length of `payload` as a varuint, then `payload`: in one allocation, as the
 * broadcast path makes one per committed update and per presence change (a lib0 encoder allocates and copies more).
 */
function withLength(head: readonly number[], payload: Uint8Array): Uint8Array {
	let lengthBytes = 1;
	for (let n = payload.length; n > 0x7f; n = Math.floor(n / 0x80)) lengthBytes++;
	const out = new Uint8Array(head.length + lengthBytes + payload.length);
	let i = 0;
	for (const b of head) out[i++] = b;
	let n = payload.length;
	while (n > 0x7f) {
		out[i++] = 0x80 | (n & 0x7f);
		n = Math.floor(n / 0x80);
	}
	out[i++] = n;
	out.set(payload, i);
	return out;
}

const UPDATE_HEAD = [YMessage.Sync, syncProtocol.messageYjsUpdate];
const STEP2_HEAD = [YMessage.Sync, syncProtocol.messageYjsSyncStep2];
const AWARENESS_HEAD = [YMessage.Awareness];

export const updateMessage = (update: Uint8Array): Uint8Array => withLength(UPDATE_HEAD, update);

/** A whole state (or the diff a peer lacks) answering sync step 1. */
export const syncStep2Message = (update: Uint8Array): Uint8Array => withLength(STEP2_HEAD, update);

export const awarenessMessage = (awarenessUpdate: Uint8Array): Uint8Array => withLength(AWARENESS_HEAD, awarenessUpdate);

export const permissionDeniedMessage = (reason: string): Uint8Array =>
	message((e) => {
		encoding.writeVarUint(e, YMessage.Auth);
		authProtocol.writePermissionDenied(e, reason);
	});
