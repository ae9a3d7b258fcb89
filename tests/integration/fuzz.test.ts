/**
 * A seeded, bounded fuzz of both endpoints of the real relay (a child process on loopback). Frames are built
 * from valid ones and mutated: valid prefixes, flipped and inserted bytes, wrong lengths, unknown message
 * types, frames glued together, text, empty and oversized frames, plus the valid frames themselves. The
 * attacker is a resident (read-only on the community document, no access to registers, write on proposals).
 *
 * Throughout: the relay stays up and never answers with an internal error (4500), a bystander pair of stock
 * y-websocket clients keeps syncing. Afterwards: the documents the attacker may not write are byte-for-byte
 * what they were, the one it may write still loads cleanly, and everything syncs to a fresh device.
 *
 * FUZZ_SEED=<n> reproduces a run; FUZZ_FRAMES=<n> changes the count (default 2,000, at most 20 s).
 */
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import { BatchStatus, CloseCode, encodeFrame, type Frame, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { Credentials } from '../../server/auth/credentials';
import { DEFAULT_LIMITS } from '../../server/core/limits';
import { SqliteStore } from '../../server/storage/sqlite-store';
import { prng } from '../../src/lib/domain/prng';
import { type ChildRelay, docUrl, provider, RawClient, removeDir, spawnRelay, SyncClient, tempDir, waitFor, whenSynced, wsUrl } from './helpers';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed1);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 2_000);
const TIME_BUDGET_MS = 20_000;

const PROTECTED = ['demo:community:main', 'demo:households:g1', 'demo:topic:t1'];
const WRITABLE = 'demo:proposal:fuzz';
const LIVE = 'demo:proposal:live';
const DOCS = [...PROTECTED, WRITABLE, LIVE, 'demo:proposal:unknown', 'other:proposal:x'];
/** Close codes a misbehaving client may be given; 4500 (an internal error) is not among them. */
const EXPECTED_CLOSES = new Set([
	CloseCode.Malformed,
	CloseCode.TooLarge,
	CloseCode.RateLimited,
	CloseCode.TooManyDocuments,
	CloseCode.Forbidden,
	1009, // beyond the hard frame ceiling, cut off by ws itself
	1002, // protocol error detected by ws (e.g. a bad frame header) — not produced here, but legitimate
	1013 // too slow (/ws)
]);

/** A seeded generator with the helpers the mutations use (reproducible from the seed). */
function seeded(seed: number) {
	const next = prng(seed);
	const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
	return { next, int, pick: <T>(list: readonly T[]): T => list[int(0, list.length - 1)] as T };
}
type Rng = ReturnType<typeof seeded>;

function yMessage(write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
}

let dataDir: string;
let relay: ChildRelay;
let resident: string;
let admin: string;
const initial = new Map<string, Uint8Array>();
let a: { doc: Y.Doc; p: WebsocketProvider };
let b: { doc: Y.Doc; p: WebsocketProvider };

async function storedState(doc: string): Promise<Uint8Array> {
	const store = SqliteStore.open(dataDir);
	try {
		const rows = await store.loadUpdates(doc);
		return rows.length === 0 ? new Uint8Array() : Y.mergeUpdates(rows);
	} finally {
		await store.close();
	}
}

/** Content in a canonical form (map keys sorted: their order depends on the order updates arrived in). */
const content = (d: Y.Doc) => {
	const meta = d.getMap('meta').toJSON();
	return JSON.stringify({ meta: Object.fromEntries(Object.keys(meta).sort().map((k) => [k, meta[k]])), text: d.getText('description').toString() });
};
const contentOf = (update: Uint8Array) => {
	const d = new Y.Doc();
	Y.applyUpdate(d, update);
	return content(d);
};

beforeAll(async () => {
	dataDir = tempDir('courtyard-fuzz-');
	// Prepared before the relay starts: its documents, and credentials signed with the key it will load.
	const store = SqliteStore.open(dataDir);
	await store.appendUpdates(
		[...PROTECTED, WRITABLE, LIVE].map((doc) => {
			const d = new Y.Doc();
			d.getMap('meta').set('title', `seeded ${doc}`);
			d.getText('description').insert(0, 'original text');
			const data = Y.encodeStateAsUpdate(d);
			initial.set(doc, data);
			return { doc, data };
		})
	);
	await store.close();
	const credentials = await Credentials.open(dataDir);
	const issue = async (grant: Grant) => (await credentials.issue(grant, `${grant.role} (fuzz)`)).token;
	resident = await issue({ role: 'resident', community: 'demo', household: 'h1' });
	admin = await issue({ role: 'community_admin', community: 'demo' });
	await credentials.close();

	relay = await spawnRelay(dataDir);
	a = { doc: new Y.Doc(), p: null as unknown as WebsocketProvider };
	b = { doc: new Y.Doc(), p: null as unknown as WebsocketProvider };
	a.p = provider(relay.url, LIVE, a.doc, { token: admin });
	b.p = provider(relay.url, LIVE, b.doc, { token: admin });
	await Promise.all([whenSynced(a.p), whenSynced(b.p)]);
}, 30_000);

afterAll(async () => {
	a?.p.destroy();
	b?.p.destroy();
	if (relay && relay.child.exitCode === null) {
		relay.child.kill('SIGTERM');
		await relay.exited;
	}
	removeDir(dataDir);
});

let edits = 0;
async function bystandersStillSync(): Promise<void> {
	const mark = `<${edits++}>`;
	a.doc.getText('description').insert(0, mark);
	await waitFor(() => b.doc.getText('description').toString().includes(mark), { what: `bystander edit ${mark}`, timeout: 5_000 });
}

// ---- frame generators ----

function validUpdate(rng: Rng): Uint8Array {
	const d = new Y.Doc();
	if (rng.next() < 0.5) d.getMap('meta').set(`k${rng.int(0, 50)}`, rng.int(0, 1e6));
	else d.getText('description').insert(0, 'x'.repeat(rng.int(1, 40)));
	return Y.encodeStateAsUpdate(d);
}

function awarenessUpdate(rng: Rng): Uint8Array {
	const d = new Y.Doc();
	const aw = new awarenessProtocol.Awareness(d);
	aw.setLocalState({ user: `fuzz${rng.int(0, 9)}`, cursor: rng.int(0, 100) });
	const u = awarenessProtocol.encodeAwarenessUpdate(aw, [d.clientID]);
	aw.destroy();
	return u;
}

/** A valid y-protocols message (what a stock client sends on /ws and inside Doc frames). */
function validYMessage(rng: Rng): Uint8Array {
	switch (rng.int(0, 5)) {
		case 0:
			return yMessage((e) => {
				encoding.writeVarUint(e, YMessage.Sync);
				syncProtocol.writeSyncStep1(e, new Y.Doc());
			});
		case 1:
			return yMessage((e) => {
				encoding.writeVarUint(e, YMessage.Sync);
				syncProtocol.writeSyncStep2(e, new Y.Doc());
			});
		case 2:
			return yMessage((e) => {
				encoding.writeVarUint(e, YMessage.Sync);
				syncProtocol.writeUpdate(e, validUpdate(rng));
			});
		case 3:
			return yMessage((e) => {
				encoding.writeVarUint(e, YMessage.Awareness);
				encoding.writeVarUint8Array(e, awarenessUpdate(rng));
			});
		case 4:
			return new Uint8Array([YMessage.QueryAwareness]);
		default:
			return yMessage((e) => {
				encoding.writeVarUint(e, YMessage.Auth);
				encoding.writeVarUint(e, 0);
				encoding.writeVarString(e, 'let me in');
			});
	}
}

function validSyncFrame(rng: Rng): Uint8Array {
	const doc = rng.pick(DOCS);
	const frames: Array<() => Frame> = [
		() => ({ kind: MuxMessage.BatchSync, requestId: rng.int(0, 1e6), entries: DOCS.map((d) => ({ doc: d, stateVector: new Uint8Array([0]) })) }),
		() => ({ kind: MuxMessage.Subscribe, doc }),
		() => ({ kind: MuxMessage.Unsubscribe, doc }),
		() => ({ kind: MuxMessage.Update, requestId: rng.int(0, 1e6), doc, update: validUpdate(rng) }),
		() => ({ kind: MuxMessage.Doc, doc, payload: validYMessage(rng) }),
		() => ({ kind: MuxMessage.ListChanges, sinceSeq: rng.int(0, 20) })
	];
	return encodeFrame(rng.pick(frames)());
}

/** Mutations of a valid frame; `oversized` frames are rare (they are megabytes). */
function mutate(rng: Rng, valid: Uint8Array, another: () => Uint8Array): Uint8Array | string {
	const copy = () => valid.slice();
	const choice = rng.int(0, 99);
	if (choice < 25) return valid; // valid frames interleaved keep deeper code paths busy
	if (choice < 40) return valid.subarray(0, rng.int(0, Math.max(0, valid.length - 1))); // a valid prefix
	if (choice < 55) {
		const out = copy();
		for (let i = rng.int(1, 4); i > 0 && out.length > 0; i--) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
		return out;
	}
	if (choice < 62) {
		// A wrong length: a huge or shifted varuint where a length or count stands.
		const out = copy();
		const at = rng.int(0, Math.max(0, out.length - 1));
		const bogus = rng.pick([[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x7f], [0x00]]);
		return new Uint8Array([...out.subarray(0, at), ...bogus, ...out.subarray(at + 1)]);
	}
	if (choice < 70) {
		const out = copy();
		const extra = Array.from({ length: rng.int(1, 16) }, () => rng.int(0, 255));
		const at = rng.int(0, out.length);
		return new Uint8Array([...out.subarray(0, at), ...extra, ...out.subarray(at)]);
	}
	if (choice < 78) {
		const out = copy();
		if (out.length > 0) out[0] = rng.int(10, 255); // unknown message kind / type
		return out;
	}
	if (choice < 84) return new Uint8Array([...valid, ...another()]); // two frames glued together
	if (choice < 90) return new Uint8Array(Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255)));
	if (choice < 93) return new Uint8Array(0);
	if (choice < 96) return rng.pick(['hello', '{"type":"sync"}', '\u0000\u0001']);
	if (choice < 99) return valid.subarray(0, 0);
	// Oversized: just over the accepted size, or beyond the hard ceiling.
	return new Uint8Array(rng.next() < 0.7 ? DEFAULT_LIMITS.maxFrameBytes + rng.int(1, 1024) : DEFAULT_LIMITS.hardFrameBytes + 1);
}

describe(`fuzz (seed ${SEED}, ${FRAMES} frames)`, () => {
	it('the relay stays up, bystanders keep syncing, stored documents stay intact', async () => {
		const rng = seeded(SEED);
		const closes = new Map<number, number>();
		let sent = 0;
		let connections = 0;
		let client: RawClient | null = null;
		let endpoint: 'sync' | 'ws' = 'sync';
		const started = Date.now();

		const connect = async (): Promise<RawClient> => {
			endpoint = rng.next() < 0.5 ? 'sync' : 'ws';
			const token = rng.next() < 0.95 ? resident : rng.pick(['', 'garbage', `${resident.slice(0, -3)}abc`]);
			const url = endpoint === 'sync' ? `${wsUrl(relay.url)}/sync?token=${encodeURIComponent(token)}` : docUrl(relay.url, rng.pick(DOCS), token);
			const c = new RawClient(url);
			connections++;
			void c.closed.then(({ code }) => closes.set(code, (closes.get(code) ?? 0) + 1));
			await c.opened.catch(() => {});
			return c;
		};

		while (sent < FRAMES && Date.now() - started < TIME_BUDGET_MS) {
			if (!client || client.ws.readyState !== client.ws.OPEN) {
				if (client) client.ws.terminate();
				client = await connect();
				continue;
			}
			const valid = endpoint === 'sync' ? validSyncFrame(rng) : validYMessage(rng);
			const frame = mutate(rng, valid, () => (endpoint === 'sync' ? validSyncFrame(rng) : validYMessage(rng)));
			client.send(frame);
			sent++;
			// Let the relay answer now and then, so that frames land on live connections as well as dying ones.
			if (sent % 8 === 0) await new Promise((r) => setTimeout(r, 1));
			if (sent % 250 === 0) {
				expect(relay.child.exitCode, 'the relay exited').toBeNull();
				await bystandersStillSync();
			}
		}
		client?.ws.terminate();
		const elapsed = Date.now() - started;
		console.info(`fuzz seed ${SEED}: ${sent} frames over ${connections} connections in ${elapsed} ms; closes ${JSON.stringify(Object.fromEntries(closes))}`);
		expect(sent).toBeGreaterThanOrEqual(Math.min(FRAMES, 1_000));

		// Alive and healthy.
		expect(relay.child.exitCode).toBeNull();
		const health = (await (await fetch(`${relay.url}/api/health`)).json()) as { ok: boolean };
		expect(health.ok).toBe(true);
		await bystandersStillSync();
		expect(a.p.wsconnected && b.p.wsconnected).toBe(true);

		// Only the closes a misbehaving client deserves; never an internal error.
		const unexpected = [...closes.keys()].filter((code) => code !== CloseCode.Unauthorized && code !== 1000 && code !== 1005 && code !== 1006 && !EXPECTED_CLOSES.has(code));
		expect(unexpected, `close codes ${JSON.stringify(Object.fromEntries(closes))}`).toEqual([]);
		expect(relay.stderr()).not.toMatch(/handler failed|internal error/);

		// Documents the attacker may not write are exactly what they were; the writable one still loads.
		for (const doc of PROTECTED) expect(contentOf(await storedState(doc)), doc).toBe(contentOf(initial.get(doc) as Uint8Array));
		const writable = contentOf(await storedState(WRITABLE));
		expect(JSON.parse(writable).meta.title).toBe(`seeded ${WRITABLE}`);

		// A fresh device gets every document in full.
		const fresh = await SyncClient.connect(relay.url, admin);
		fresh.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: [...PROTECTED, WRITABLE, LIVE].map((doc) => ({ doc, stateVector: new Uint8Array([0]) })) });
		const reply = await fresh.waitFrame(MuxMessage.BatchSyncReply);
		expect(reply.entries.map((e) => e.status)).toEqual(Array(5).fill(BatchStatus.Ok));
		for (const entry of reply.entries.slice(0, 3)) expect(contentOf(entry.diff)).toBe(contentOf(initial.get(entry.doc) as Uint8Array));
		expect(contentOf(reply.entries[4]?.diff ?? new Uint8Array())).toBe(content(b.doc));
		fresh.close();
		expect(elapsed).toBeLessThan(TIME_BUDGET_MS + 5_000);
	}, 60_000);
});
