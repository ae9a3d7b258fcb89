import { describe, expect, it } from 'vitest';
import { BatchStatus, CloseCode, decodeAwarenessUpdate, decodeFrame, encodeFrame, type Frame, MAX_BATCH_ENTRIES, MuxMessage, ProtocolError } from './messages';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';

const bytes = (...n: number[]) => new Uint8Array(n);

const frames: Frame[] = [
	{ kind: MuxMessage.Doc, doc: 'demo:proposal:a', payload: bytes(0, 0, 1, 0) },
	{ kind: MuxMessage.BatchSync, requestId: 7, entries: [{ doc: 'demo:proposal:a', stateVector: bytes(0) }, { doc: 'demo:proposal:b', stateVector: bytes(1, 5, 3) }] },
	{ kind: MuxMessage.BatchSyncReply, requestId: 7, entries: [{ doc: 'demo:proposal:a', status: BatchStatus.Missing, diff: bytes(0, 0), serverStateVector: bytes(0) }] },
	{ kind: MuxMessage.Subscribe, doc: '院落:x' },
	{ kind: MuxMessage.Unsubscribe, doc: 'd' },
	{ kind: MuxMessage.Update, requestId: 2 ** 31, doc: 'd', update: bytes(1, 2, 3) },
	{ kind: MuxMessage.Ack, requestId: 9, doc: 'd' },
	{ kind: MuxMessage.ListChanges, sinceSeq: 123456 },
	{ kind: MuxMessage.Changes, headSeq: 99, entries: [{ doc: 'd', seq: 98 }] },
	{ kind: MuxMessage.DocError, doc: 'd', code: CloseCode.Forbidden, reason: '无权访问', requestId: 0 },
	{ kind: MuxMessage.PresenceError, doc: 'd', code: CloseCode.Forbidden, reason: 'read-only: your presence is not shared' },
	{ kind: MuxMessage.AwarenessSubscribe, doc: 'demo:minutes:m1' },
	{ kind: MuxMessage.AwarenessUnsubscribe, doc: 'demo:minutes:m1' },
	{ kind: MuxMessage.Awareness, doc: 'demo:minutes:m1', update: bytes(1, 7, 2, 4, 110, 117, 108, 108) },
	{ kind: MuxMessage.AwarenessQuery, doc: 'demo:minutes:m1' }
];

/** An awareness update as y-protocols encodes it, with `write` building the raw bytes when given. */
function awarenessBytes(write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
}

describe('wire protocol', () => {
	it.each(frames.map((f) => [MuxMessage[f.kind], f] as const))('round-trips %s', (_name, frame) => {
		expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
	});

	it('rejects unknown kinds, truncation, trailing bytes and absurd counts', () => {
		expect(() => decodeFrame(bytes(42))).toThrow(ProtocolError);
		expect(() => decodeFrame(bytes())).toThrow(ProtocolError);
		const update = encodeFrame(frames[5]!);
		expect(() => decodeFrame(update.slice(0, update.length - 1))).toThrow(ProtocolError);
		expect(() => decodeFrame(new Uint8Array([...encodeFrame(frames[6]!), 0]))).toThrow(/trailing/);
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MuxMessage.BatchSync);
		encoding.writeVarUint(e, 1);
		encoding.writeVarUint(e, MAX_BATCH_ENTRIES + 1);
		expect(() => decodeFrame(encoding.toUint8Array(e))).toThrow(/too many/);
		expect(() => decodeFrame(bytes(MuxMessage.Doc, 1, 65))).toThrow(/empty/);
	});

	it('reads the entries of a y-protocols awareness update, removals included', () => {
		const doc = new Y.Doc();
		const awareness = new awarenessProtocol.Awareness(doc);
		awareness.setLocalStateField('user', { name: '周敏' });
		const [entry] = decodeAwarenessUpdate(awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
		expect(entry).toMatchObject({ clientID: doc.clientID, clock: 1 });
		expect(JSON.parse(entry!.state)).toEqual({ user: { name: '周敏' } });
		awareness.setLocalState(null);
		expect(decodeAwarenessUpdate(awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]))[0]?.state).toBe('null');
		awareness.destroy();
	});

	it.each([
		['a truncated entry', bytes(1, 5, 1), /malformed awareness update/],
		['an absurd count', bytes(0x7f, 1, 1), /exceeds/],
		['a state that is not JSON', awarenessBytes((e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint(e, 5), encoding.writeVarUint(e, 1), encoding.writeVarString(e, '{"user":'))), /malformed awareness update/],
		['a state that is not an object', awarenessBytes((e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint(e, 5), encoding.writeVarUint(e, 1), encoding.writeVarString(e, '42'))), /not an object/],
		['trailing bytes', bytes(0, 9), /trailing/]
	])('refuses an awareness update with %s', (_name, update, reason) => {
		expect(() => decodeAwarenessUpdate(update)).toThrow(ProtocolError);
		expect(() => decodeAwarenessUpdate(update)).toThrow(reason);
	});
});
