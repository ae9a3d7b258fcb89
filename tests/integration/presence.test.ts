/**
 * Presence is authenticated: a connection sets awareness only for its own client ids. Against the real relay,
 * with stock y-websocket clients: B (another facilitator's device) sends awareness entries under A's client id,
 * on /ws and inside /sync Doc frames; they are dropped, B is told once, and a third client keeps seeing A's
 * name on the minutes cursor while B's own presence still works.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import { setNotes } from '../../src/lib/schema/minutes-doc';
import { CloseCode, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { docUrl, mintToken, provider, RawClient, removeDir, sleep, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
const FACILITATOR: Grant = { role: 'facilitator', community: 'demo' };
const opened: WebsocketProvider[] = [];

/** What stock y-websocket clients print when the relay denies them something (it logs with console.warn). */
const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

beforeAll(async () => {
	relay = await startTestRelay();
});

afterAll(async () => {
	// Honest stock clients echo every state they hear back to the relay; that is never answered with a denial.
	expect(warn.mock.calls.filter(([m]) => String(m).startsWith('Permission denied'))).toEqual([]);
	warn.mockRestore();
	for (const p of opened) p.destroy();
	await relay.close();
	removeDir(relay.dataDir);
});

/** A stock client of `doc` with its own device credential, synced. */
async function client(doc: string, name: string): Promise<{ ydoc: Y.Doc; p: WebsocketProvider }> {
	const ydoc = new Y.Doc();
	const p = provider(relay.url, doc, ydoc, { token: await mintToken(relay, FACILITATOR, { name }) });
	opened.push(p);
	await whenSynced(p);
	return { ydoc, p };
}

/** An awareness update that claims `clientID` with `state`, at a clock far ahead of the real one. */
/** A facilitator A on a stored minutes document, with a name in it, seen by a second client C. */
async function presentA(doc: string) {
	const a = await client(doc, 'A');
	setNotes(a.ydoc, 'agenda');
	await stored(doc);
	a.p.awareness.setLocalStateField('user', { name: 'A' });
	const c = await client(doc, 'C');
	const aId = a.ydoc.clientID;
	await waitFor(() => nameOf(c.p, aId) === 'A', { what: "A's presence at C" });
	return { a, c, aId };
}

function forgedAwareness(clientID: number, state: unknown, clock = 1_000): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 1);
	encoding.writeVarUint(e, clientID);
	encoding.writeVarUint(e, clock);
	encoding.writeVarString(e, JSON.stringify(state));
	return encoding.toUint8Array(e);
}

function awarenessMessage(update: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, YMessage.Awareness);
	encoding.writeVarUint8Array(e, update);
	return encoding.toUint8Array(e);
}

/** The reasons of y-protocols permission-denied messages among raw messages. */
function denials(messages: readonly Uint8Array[]): string[] {
	return messages.flatMap((m) => {
		const d = decoding.createDecoder(m);
		if (decoding.readVarUint(d) !== YMessage.Auth || decoding.readVarUint(d) !== 0) return [];
		return [decoding.readVarString(d)];
	});
}

/** Waits until the document has stored content (the relay keeps presence only in a stored document's room). */
const stored = (doc: string) => waitFor(async () => (await relay.store.loadUpdates(doc)).length > 0, { what: `${doc} stored` });

const nameOf = (p: WebsocketProvider, clientID: number) => (p.awareness.getStates().get(clientID) as { user?: { name?: string } } | undefined)?.user?.name;

describe('presence', () => {
	it("on /ws: B cannot overwrite or remove A's awareness entry; a third client keeps seeing A", async () => {
		const doc = 'demo:minutes:m-presence-ws';
		const { a, c, aId } = await presentA(doc);

		const b = new RawClient(docUrl(relay.url, doc, await mintToken(relay, FACILITATOR, { name: 'B' })));
		await b.opened;
		await waitFor(() => b.received.length > 0, { what: 'the relay greeting B' });
		b.send(awarenessMessage(forgedAwareness(aId, { user: { name: 'Mallory' } })));
		b.send(awarenessMessage(forgedAwareness(aId, null, 1_001)));
		// B's own presence, under an id nobody holds, is accepted and reaches C.
		const bId = aId + 1;
		b.send(awarenessMessage(forgedAwareness(bId, { user: { name: 'B' } })));
		await waitFor(() => nameOf(c.p, bId) === 'B', { what: "B's own presence at C" });

		await waitFor(() => denials(b.received).length > 0, { what: 'the denial sent to B' });
		expect(denials(b.received)).toEqual([`presence refused: client id ${aId} belongs to another connection`]);
		expect(nameOf(c.p, aId)).toBe('A');
		// A keeps updating its own entry.
		a.p.awareness.setLocalStateField('user', { name: 'A (moved)' });
		await waitFor(() => nameOf(c.p, aId) === 'A (moved)', { what: "A's next presence at C" });
		// A forged entry sent after that is dropped again, and B is told only once.
		b.send(awarenessMessage(forgedAwareness(aId, { user: { name: 'Mallory' } }, 5_000)));
		await sleep(200);
		expect(nameOf(c.p, aId)).toBe('A (moved)');
		expect(denials(b.received)).toHaveLength(1);
		b.close();
	});

	it('on /sync: a forged entry is dropped with one PresenceError, and the connection stays usable', async () => {
		const doc = 'demo:minutes:m-presence-sync';
		const { a, c, aId } = await presentA(doc);

		const b = await SyncClient.connect(relay.url, await mintToken(relay, FACILITATOR, { name: 'B' }));
		b.sendFrame({ kind: MuxMessage.Subscribe, doc });
		await b.waitFrame(MuxMessage.Doc, (f) => f.doc === doc);
		for (const clock of [2_000, 2_001]) {
			b.sendFrame({ kind: MuxMessage.Doc, doc, payload: awarenessMessage(forgedAwareness(aId, { user: { name: 'Mallory' } }, clock)) });
		}
		const error = await b.waitFrame(MuxMessage.PresenceError, (f) => f.doc === doc);
		expect(error.code).toBe(CloseCode.Conflict);
		expect(error.reason).toContain(String(aId));
		await sleep(200);
		expect(b.frames.filter((f) => f.kind === MuxMessage.PresenceError)).toHaveLength(1);
		expect(b.frames.filter((f) => f.kind === MuxMessage.DocError)).toHaveLength(0);
		expect(nameOf(c.p, aId)).toBe('A');

		// Its own presence still goes through.
		const own = new Y.Doc();
		const awareness = new awarenessProtocol.Awareness(own);
		awareness.setLocalStateField('user', { name: 'B' });
		b.sendFrame({ kind: MuxMessage.Doc, doc, payload: awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, [own.clientID])) });
		await waitFor(() => nameOf(c.p, own.clientID) === 'B', { what: "B's own presence at C" });
		awareness.destroy();
		b.close();
	});

	it("releases a connection's ids when it leaves to its own device only, which comes back under the same id", async () => {
		const doc = 'demo:minutes:m-presence-release';
		const { a, c, aId } = await presentA(doc);
		// A edits while the room is loaded: the relay notes whose client id that is.
		setNotes(a.ydoc, 'agenda, item 1');
		await waitFor(async () => (await relay.store.loadUpdates(doc)).length > 1, { what: "A's edit stored" });
		a.p.disconnect();
		await waitFor(() => !c.p.awareness.getStates().has(aId), { what: "A's presence removed at C" });
		// While A is away its id stays A's: A changed the document under it.
		const b = new RawClient(docUrl(relay.url, doc, await mintToken(relay, FACILITATOR, { name: 'B' })));
		await b.opened;
		await waitFor(() => b.received.length > 0, { what: 'the relay greeting B' });
		b.send(awarenessMessage(forgedAwareness(aId, { user: { name: 'Mallory' } }, 9_000)));
		await waitFor(() => denials(b.received).length > 0, { what: 'the denial sent to B' });
		expect(c.p.awareness.getStates().has(aId)).toBe(false);
		b.close();
		a.p.connect();
		a.p.awareness.setLocalStateField('user', { name: 'A again' });
		await waitFor(() => nameOf(c.p, aId) === 'A again', { what: "A's presence back at C" });
		expect(nameOf(c.p, aId)).toBe('A again');
	});
});
