import { describe, expect, it } from 'vitest';
import { BatchStatus, CloseCode, decodeFrame, encodeFrame, type Frame, MAX_BATCH_ENTRIES, MuxMessage, ProtocolError } from './messages';
import * as encoding from 'lib0/encoding';

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
	{ kind: MuxMessage.DocError, doc: 'd', code: CloseCode.Forbidden, reason: '无权访问', requestId: 0 }
];

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
});
