/** Bad input closes only the connection that sent it, with a clear code and reason; everyone else carries on. */
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, encodeFrame, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { type Closed, provider, RawClient, removeDir, startTestRelay, SyncClient, waitFor, whenSynced, wsUrl } from './helpers';

const DOC = 'demo:proposal:stable';
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let a: Y.Doc;
let b: Y.Doc;
let pa: WebsocketProvider;
let pb: WebsocketProvider;
let edits = 0;

beforeAll(async () => {
	relay = await startTestRelay({ auth: 'open' });
	a = new Y.Doc();
	b = new Y.Doc();
	pa = provider(relay.url, DOC, a);
	pb = provider(relay.url, DOC, b);
	await Promise.all([whenSynced(pa), whenSynced(pb)]);
});

afterAll(async () => {
	pa.destroy();
	pb.destroy();
	await relay.close();
	removeDir(relay.dataDir);
});

/** The well-behaved pair still syncs through the relay. */
async function stillSyncing(): Promise<void> {
	const mark = `<${edits++}>`;
	a.getText('t').insert(a.getText('t').length, mark);
	await waitFor(() => b.getText('t').toString().includes(mark), { what: `edit ${mark} to arrive` });
	expect(pa.wsconnected && pb.wsconnected).toBe(true);
}

async function sendAndClose(client: RawClient, data: Uint8Array | string): Promise<Closed> {
	await client.opened;
	client.send(data);
	return client.closed;
}

const docSocket = () => new RawClient(`${wsUrl(relay.url)}/ws/${DOC}`);
const syncSocket = () => new RawClient(`${wsUrl(relay.url)}/sync`);

/** What is sent, the close code and reason it earns. */
type MalformedCase = [name: string, data: () => Uint8Array | string, code: number, reason: RegExp];

/** One test per case: the socket is closed with the case's code and reason, and the relay still syncs. */
function closesOn(socket: () => RawClient, cases: readonly MalformedCase[]): void {
	for (const [name, data, code, reason] of cases) {
		it(`closes on ${name} with ${code}`, async () => {
			const closed = await sendAndClose(socket(), data());
			expect(closed.code).toBe(code);
			expect(closed.reason).toMatch(reason);
			await stillSyncing();
		});
	}
}

function yMessage(write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
}

const badUpdate = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
const validBatch = encodeFrame({
	kind: MuxMessage.BatchSync,
	requestId: 1,
	entries: [{ doc: DOC, stateVector: Y.encodeStateVector(new Y.Doc()) }]
});

describe('malformed input on /sync', () => {
	const cases: MalformedCase[] = [
		['garbage bytes', () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), CloseCode.Malformed, /malformed|unknown/],
		['a truncated frame', () => validBatch.subarray(0, validBatch.length - 3), CloseCode.Malformed, /malformed frame/],
		['an unknown kind', () => new Uint8Array([42]), CloseCode.Malformed, /unknown message kind 42/],
		['a server-only kind', () => encodeFrame({ kind: MuxMessage.Ack, requestId: 1, doc: DOC }), CloseCode.Malformed, /unexpected Ack frame/],
		['a text frame', () => 'hello', CloseCode.Malformed, /text frames/],
		['a bad state vector', () => encodeFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: [{ doc: DOC, stateVector: new Uint8Array([5]) }] }), CloseCode.Malformed, /state vector/],
		['a frame over the size limit', () => new Uint8Array(3 * 1024 * 1024), CloseCode.TooLarge, /message too large/]
	];
	closesOn(syncSocket, cases);

	it('closes on a bad y-protocols message inside a Doc frame', async () => {
		const client = await SyncClient.connect(relay.url);
		client.sendFrame({ kind: MuxMessage.Subscribe, doc: DOC });
		await client.waitFrame(MuxMessage.Doc);
		const bad = yMessage((e) => {
			encoding.writeVarUint(e, YMessage.Sync);
			encoding.writeVarUint(e, 2);
			encoding.writeVarUint8Array(e, badUpdate);
		});
		client.sendFrame({ kind: MuxMessage.Doc, doc: DOC, payload: bad });
		const closed = await client.closed;
		expect(closed.code).toBe(CloseCode.Malformed);
		expect(closed.reason).toMatch(/malformed update/);
		await stillSyncing();
	});

	it('answers a malformed Update with DocError(Malformed) and keeps the connection', async () => {
		const client = await SyncClient.connect(relay.url);
		client.sendFrame({ kind: MuxMessage.Update, requestId: 9, doc: DOC, update: badUpdate });
		const error = await client.waitFrame(MuxMessage.DocError, (f) => f.requestId === 9);
		expect(error.code).toBe(CloseCode.Malformed);
		expect(error.reason).toMatch(/malformed update/);
		const good = new Y.Doc();
		good.getMap('m').set('k', 1);
		client.sendFrame({ kind: MuxMessage.Update, requestId: 10, doc: 'demo:proposal:other', update: Y.encodeStateAsUpdate(good) });
		await client.waitFrame(MuxMessage.Ack, (f) => f.requestId === 10);
		expect(client.ws.readyState).toBe(client.ws.OPEN);
		client.close();
	});

	it('answers an invalid document name with DocError(Forbidden)', async () => {
		const client = await SyncClient.connect(relay.url);
		client.sendFrame({ kind: MuxMessage.Subscribe, doc: '../../etc/passwd' });
		const error = await client.waitFrame(MuxMessage.DocError);
		expect(error.code).toBe(CloseCode.Forbidden);
		client.close();
	});
});

describe('malformed input on /ws/<doc>', () => {
	const cases: MalformedCase[] = [
		['garbage bytes', () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), CloseCode.Malformed, /malformed|unknown/],
		['a truncated sync message', () => new Uint8Array([YMessage.Sync, 0, 9, 1]), CloseCode.Malformed, /malformed/],
		['an unknown message type', () => new Uint8Array([9, 1, 2]), CloseCode.Malformed, /unknown message type 9/],
		['an unknown sync message type', () => new Uint8Array([YMessage.Sync, 7, 0]), CloseCode.Malformed, /unknown sync message type 7/],
		['an empty message', () => new Uint8Array(0), CloseCode.Malformed, /empty/],
		[
			'an update that does not decode',
			() =>
				yMessage((e) => {
					encoding.writeVarUint(e, YMessage.Sync);
					encoding.writeVarUint(e, 2);
					encoding.writeVarUint8Array(e, badUpdate);
				}),
			CloseCode.Malformed,
			/malformed update/
		],
		[
			'an awareness update that does not decode',
			() =>
				yMessage((e) => {
					encoding.writeVarUint(e, YMessage.Awareness);
					encoding.writeVarUint8Array(e, new Uint8Array([1, 5, 1, 9, 123, 34]));
				}),
			CloseCode.Malformed,
			/malformed awareness/
		],
		['a text frame', () => 'hello', CloseCode.Malformed, /text frames/],
		['a message over the size limit', () => new Uint8Array(3 * 1024 * 1024), CloseCode.TooLarge, /message too large/]
	];
	closesOn(docSocket, cases);

	it('cuts off a message beyond the hard ceiling (1009) before buffering it whole', async () => {
		const closed = await sendAndClose(docSocket(), new Uint8Array(9 * 1024 * 1024));
		expect(closed.code).toBe(1009);
		await stillSyncing();
	});

	it('refuses a path that is not a document name with 4403', async () => {
		const client = new RawClient(`${wsUrl(relay.url)}/ws/not-a-doc`);
		const closed = await client.closed;
		expect(closed.code).toBe(CloseCode.Forbidden);
		expect(closed.reason).toMatch(/not a document name/);
		expect(client.received).toHaveLength(0);
	});
});

describe('after all of it', () => {
	it('the stored document is intact', async () => {
		await stillSyncing();
		const fresh = new Y.Doc();
		const p = provider(relay.url, DOC, fresh);
		await whenSynced(p);
		expect(fresh.getText('t').toString()).toBe(a.getText('t').toString());
		p.destroy();
	});
});
