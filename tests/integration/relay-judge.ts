/**
 * Judging real devices' writes against a real relay: join devices with real credentials, seed the durable state
 * as the relay itself, send one update over /sync and read the relay's answer, and check what it stored.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { type startTestRelay, SyncClient, waitFor } from './helpers';
import { relayDevices, seedDoc, storedDoc } from './helpers-devices';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

export function relayJudge(relay: () => TestRelay) {
	const { devices, join, who } = relayDevices(relay);
	let requests = 0;

	/** What the relay holds durably for `doc`. */
	const stored = (doc: string) => storedDoc(relay(), doc, { flush: true });
	/** Writes as the relay itself (the durable starting state of a test). */
	const seed = (doc: string, change: (d: Y.Doc) => void) => seedDoc(relay(), doc, change);

	/** The update `change` makes on top of what the relay holds now, from a device in sync. */
	async function updateFrom(doc: string, change: (d: Y.Doc) => void): Promise<Uint8Array> {
		const d = new Y.Doc();
		Y.applyUpdate(d, Y.encodeStateAsUpdate(await stored(doc)));
		const sv = Y.encodeStateVector(d);
		change(d);
		return Y.encodeStateAsUpdate(d, sv);
	}

	/** Sends one update over /sync as `key` and returns the relay's answer to it (Ack or DocError). */
	async function send(key: string, doc: string, update: Uint8Array) {
		const c = await SyncClient.connect(relay().url, who(key).token);
		try {
			const requestId = ++requests;
			c.sendFrame({ kind: MuxMessage.Update, requestId, doc, update });
			return await waitFor(
				() => c.frames.find((f) => (f.kind === MuxMessage.Ack || f.kind === MuxMessage.DocError) && f.requestId === requestId),
				{ what: `the answer to request ${requestId}` }
			);
		} finally {
			c.close();
		}
	}

	/** Sends `change` as `key` and expects it refused, with a reason matching `reason`, and nothing stored. */
	async function expectRefused(key: string, doc: string, change: (d: Y.Doc) => void, reason: RegExp) {
		const before = Y.encodeStateVector(await stored(doc));
		const reply = await send(key, doc, await updateFrom(doc, change));
		expect(reply).toMatchObject({ kind: MuxMessage.DocError, code: CloseCode.Forbidden, reason: expect.stringMatching(reason) });
		expect(Y.encodeStateVector(await stored(doc))).toEqual(before);
	}

	async function expectAccepted(key: string, doc: string, change: (d: Y.Doc) => void) {
		expect((await send(key, doc, await updateFrom(doc, change))).kind).toBe(MuxMessage.Ack);
	}

	return { devices, join, who, stored, seed, updateFrom, send, expectRefused, expectAccepted };
}
