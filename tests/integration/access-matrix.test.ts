/**
 * The whole role × document-kind matrix of the product design §2 against the real relay, with real credentials and real
 * clients on both endpoints. Every cell is checked as specified:
 *   none  → /ws closes 4403 before sending a single byte; /sync answers Forbidden with an empty diff, DocError on
 *           Subscribe and Update, no Doc frame, and leaves the document out of the change feed;
 *   read  → the client receives the document (stock y-websocket provider on /ws, BatchSync on /sync); its writes
 *           and awareness are answered with a denial and never reach storage nor a subscribed bystander;
 *   write → its write is stored and reaches the bystander;
 *   guarded → write access under a write guard: the probe is not a record the writer may add, so it is refused
 *           with a reason and never stored (the records it may add are tested in participation-guard.test.ts).
 * The table below is written out by hand from the product design §2 and first checked against the domain's accessFor, so a
 * drift of either shows up here.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { type Access, accessFor, type Grant } from '../../src/lib/domain/access';
import type { Role } from '../../src/lib/domain/actor';
import { BatchStatus, CloseCode, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { docUrl, mintToken, provider, RawClient, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';

const GRANTS: Record<Role, Grant> = {
	resident: { role: 'resident', community: 'demo', household: 'b01-1-101' },
	grid_worker: { role: 'grid_worker', community: 'demo', grids: ['g1'] },
	facilitator: { role: 'facilitator', community: 'demo' },
	community_admin: { role: 'community_admin', community: 'demo' },
	street_admin: { role: 'street_admin', community: 'qingliu-street', communities: ['demo'] }
};
const ROLES = Object.keys(GRANTS) as Role[];

const N = 'none' as const;
const R = 'read' as const;
const W = 'write' as const;
/** Write access under a write guard (write-guard.ts): the probe, a settings key, is not a record the writer may add. */
const G = 'guarded' as const;
type Cell = Access | typeof G;
/** doc → access per role, in the order resident, grid worker (grid g1), facilitator, community admin, street admin. */
const TABLE: Record<string, [Cell, Cell, Cell, Cell, Cell]> = {
	'demo:community:main': [R, R, R, W, R],
	'demo:proposal:p1': [W, W, W, W, R],
	'demo:topic:t1': [R, R, W, W, R],
	'demo:households:g1': [N, W, R, W, N], // the grid worker's own grid
	'demo:households:g2': [N, N, R, W, N], // another grid
	'demo:visits:g1': [N, W, R, W, N],
	'demo:visits:g2': [N, N, R, W, N],
	'demo:ballots:g1_poll1': [N, W, W, W, N], // votes cast by the grid worker's own grid
	'demo:ballots:g2_poll1': [N, N, W, W, N],
	'demo:poll:poll1': [R, R, W, W, R],
	'demo:meeting:m1': [R, R, W, W, R],
	'demo:minutes:m1': [N, R, W, W, N], // drafts and private notes
	'demo:project:x1': [R, W, W, W, R], // money, tasks and acceptance: staff records
	'demo:participation:x1': [G, W, W, W, R], // residents' pledges, sign-offs and ratings: their own only
	'demo:notice:n1': [R, R, W, W, R],
	'other:community:main': [N, N, N, N, N], // another community
	'other:proposal:p1': [N, N, N, N, N],
	'other:households:g1': [N, N, N, N, N],
	'demo:unknown:x': [N, N, N, N, N] // not a document kind
};
const DOCS = Object.keys(TABLE);
const expected = (doc: string, role: Role): Cell => TABLE[doc]?.[ROLES.indexOf(role)] as Cell;

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const tokens = {} as Record<Role, string>;
/** Per document, a stock provider with write access that must never see a refused or read-only write. */
const bystanders = new Map<string, { doc: Y.Doc; provider: WebsocketProvider }>();
let fences = 0;

const adminOf = (community: string): Grant => ({ role: 'community_admin', community });
const communityOf = (doc: string) => doc.split(':')[0] as string;

beforeAll(async () => {
	relay = await startTestRelay();
	for (const role of ROLES) tokens[role] = await mintToken(relay, GRANTS[role]);
	const seeds = DOCS.filter((d) => parseDocName(d)).map((doc) => {
		const d = new Y.Doc();
		d.getMap('meta').set('title', `seeded ${doc}`);
		return { doc, data: Y.encodeStateAsUpdate(d) };
	});
	await relay.store.appendUpdates(seeds);
	for (const { doc: name } of seeds) {
		const doc = new Y.Doc();
		const p = provider(relay.url, name, doc, { token: await mintToken(relay, adminOf(communityOf(name))) });
		await whenSynced(p);
		bystanders.set(name, { doc, provider: p });
	}
});

afterAll(async () => {
	for (const { provider: p } of bystanders.values()) p.destroy();
	await relay.close();
	removeDir(relay.dataDir);
});

async function storedMeta(doc: string): Promise<Y.Map<unknown>> {
	const d = new Y.Doc();
	for (const u of await relay.store.loadUpdates(doc)) Y.applyUpdate(d, u);
	return d.getMap('meta');
}

/**
 * Once every earlier write is durable and a later write (the fence) has reached the bystander, whatever the
 * relay accepted before has reached it too: commits are delivered in order.
 */
async function settle(doc: string): Promise<void> {
	await relay.hub.flush();
	const bystander = bystanders.get(doc);
	if (!bystander) return;
	const fence = `fence${fences++}`;
	const writer = await SyncClient.connect(relay.url, await mintToken(relay, adminOf(communityOf(doc))));
	const d = new Y.Doc();
	d.getMap('meta').set(fence, true);
	writer.sendFrame({ kind: MuxMessage.Update, requestId: 1, doc, update: Y.encodeStateAsUpdate(d) });
	await writer.waitFrame(MuxMessage.Ack);
	writer.close();
	await waitFor(() => bystander.doc.getMap('meta').get(fence) === true, { what: `fence on ${doc}` });
}

async function expectNotWritten(doc: string, key: string): Promise<void> {
	await settle(doc);
	if (!parseDocName(doc)) return;
	expect((await storedMeta(doc)).has(key), `${key} stored in ${doc}`).toBe(false);
	expect(bystanders.get(doc)?.doc.getMap('meta').has(key), `${key} reached the bystander of ${doc}`).toBe(false);
}

async function expectWritten(doc: string, key: string): Promise<void> {
	await waitFor(async () => (await storedMeta(doc)).get(key) === true, { what: `${key} stored in ${doc}` });
	await waitFor(() => bystanders.get(doc)?.doc.getMap('meta').get(key) === true, { what: `${key} at the bystander of ${doc}` });
}

const updateSetting = (key: string): Uint8Array => {
	const d = new Y.Doc();
	d.getMap('meta').set(key, true);
	return Y.encodeStateAsUpdate(d);
};

function yMessage(write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
}

const awarenessUpdate = (name: string): Uint8Array => {
	const d = new Y.Doc();
	const a = new awarenessProtocol.Awareness(d);
	a.setLocalState({ user: name });
	const update = awarenessProtocol.encodeAwarenessUpdate(a, [d.clientID]);
	a.destroy();
	return update;
};

/** The JSON states for `clientID` in a raw awareness message. */
function awarenessStates(message: Uint8Array, clientID: number): string[] {
	const d = decoding.createDecoder(message);
	decoding.readVarUint(d);
	const u = decoding.createDecoder(decoding.readVarUint8Array(d));
	const states: string[] = [];
	for (let n = decoding.readVarUint(u); n > 0; n--) {
		const id = decoding.readVarUint(u);
		decoding.readVarUint(u);
		const state = decoding.readVarString(u);
		if (id === clientID) states.push(state);
	}
	return states;
}

const CELLS = DOCS.flatMap((doc) => ROLES.map((role) => ({ doc, role, access: expected(doc, role) })));

it('the hand-written table is the domain matrix', () => {
	for (const { doc, role, access } of CELLS) {
		const ref = parseDocName(doc);
		expect(ref ? accessFor(GRANTS[role], ref) : 'none', `${role} on ${doc}`).toBe(access === G ? W : access);
	}
});

describe('/ws/<doc> (stock y-websocket clients)', () => {
	it.each(CELLS)('$role on $doc: $access', async ({ doc, role, access }) => {
		const key = `ws-${role}`;
		if (access === 'none') {
			const c = new RawClient(docUrl(relay.url, doc, tokens[role]));
			const closed = await c.closed;
			expect(closed.code).toBe(CloseCode.Forbidden);
			expect(closed.reason).toMatch(/forbidden/);
			expect(c.received).toHaveLength(0);
			await expectNotWritten(doc, key);
			return;
		}
		const local = new Y.Doc();
		const p = provider(relay.url, doc, local, { token: tokens[role] });
		// Attached before the socket opens: a read-only client's first awareness message already earns the denial.
		const denials: Uint8Array[] = [];
		const echoes: string[] = [];
		(p.ws as unknown as WebSocket).on('message', (data: ArrayBuffer) => {
			const bytes = new Uint8Array(data);
			if (bytes[0] === YMessage.Auth) denials.push(bytes);
			if (bytes[0] === YMessage.Awareness) echoes.push(...awarenessStates(bytes, local.clientID));
		});
		try {
			await whenSynced(p);
			expect(local.getMap('meta').get('title')).toBe(`seeded ${doc}`);
			if (access === 'read') {
				local.getMap('meta').set(key, true);
				p.awareness.setLocalStateField('user', key);
				// The relay echoes a read-only client's awareness to it alone; once this echo is back, the write sent
				// before it on the same socket has been handled too.
				await waitFor(() => echoes.some((s) => s.includes(key)), { what: 'the echo of our awareness' });
				expect(denials).toHaveLength(1);
				await expectNotWritten(doc, key);
				const bystander = bystanders.get(doc)?.provider;
				const heard = [...(bystander?.awareness.getStates().values() ?? [])].some((s) => s.user === key);
				expect(heard, 'awareness of a read-only client reached the bystander').toBe(false);
				expect(p.wsconnected).toBe(true);
			} else if (access === G) {
				local.getMap('meta').set(key, true);
				await waitFor(() => denials.length > 0, { what: 'the refusal' });
				expect(new TextDecoder().decode(denials[0])).toMatch(/refused/);
				await expectNotWritten(doc, key);
			} else {
				local.getMap('meta').set(key, true);
				await expectWritten(doc, key);
			}
		} finally {
			p.destroy();
		}
	});
});

describe('/sync (the multiplexed endpoint)', () => {
	it.each(CELLS)('$role on $doc: $access', async ({ doc, role, access }) => {
		const key = `sync-${role}`;
		const c = await SyncClient.connect(relay.url, tokens[role]);
		try {
			c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: [{ doc, stateVector: Y.encodeStateVector(new Y.Doc()) }] });
			const [entry] = (await c.waitFrame(MuxMessage.BatchSyncReply)).entries;
			c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
			const listed = (await c.waitFrame(MuxMessage.Changes)).entries.map((e) => e.doc);

			if (access === 'none') {
				expect(entry?.status).toBe(BatchStatus.Forbidden);
				expect(entry?.diff).toHaveLength(0);
				expect(listed).not.toContain(doc);
				c.sendFrame({ kind: MuxMessage.Subscribe, doc });
				expect((await c.waitFrame(MuxMessage.DocError, (f) => f.doc === doc)).code).toBe(CloseCode.Forbidden);
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: updateSetting(key) });
				expect((await c.waitFrame(MuxMessage.DocError, (f) => f.requestId === 2)).code).toBe(CloseCode.Forbidden);
				expect(c.frames.some((f) => f.kind === MuxMessage.Doc), 'a Doc frame for a refused document').toBe(false);
				await expectNotWritten(doc, key);
				return;
			}

			const received = new Y.Doc();
			Y.applyUpdate(received, entry?.diff ?? new Uint8Array());
			expect(received.getMap('meta').get('title')).toBe(`seeded ${doc}`);
			expect(listed).toContain(doc);
			c.sendFrame({ kind: MuxMessage.Subscribe, doc });
			await c.waitFrame(MuxMessage.Doc, (f) => f.doc === doc);

			if (access === 'read') {
				expect(entry?.status).toBe(BatchStatus.ReadOnly);
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: updateSetting(key) });
				const denied = await c.waitFrame(MuxMessage.DocError, (f) => f.requestId === 2);
				expect(denied.code).toBe(CloseCode.Forbidden);
				expect(denied.reason).toMatch(/read-only/);
				// The same write and awareness as y-protocols messages inside Doc frames: one DocError, nothing kept.
				const update = yMessage((e) => {
					encoding.writeVarUint(e, YMessage.Sync);
					syncProtocol.writeUpdate(e, updateSetting(`${key}-doc`));
				});
				c.sendFrame({ kind: MuxMessage.Doc, doc, payload: update });
				c.sendFrame({
					kind: MuxMessage.Doc,
					doc,
					payload: yMessage((e) => {
						encoding.writeVarUint(e, YMessage.Awareness);
						encoding.writeVarUint8Array(e, awarenessUpdate(key));
					})
				});
				await c.waitFrame(MuxMessage.DocError, (f) => f.doc === doc && f.requestId === 0);
				await expectNotWritten(doc, key);
				await expectNotWritten(doc, `${key}-doc`);
				const heard = [...(bystanders.get(doc)?.provider.awareness.getStates().values() ?? [])].some((s) => s.user === key);
				expect(heard, 'awareness of a read-only client reached the bystander').toBe(false);
				expect(c.frames.filter((f) => f.kind === MuxMessage.DocError && f.requestId === 0)).toHaveLength(1);
			} else if (access === G) {
				expect(entry?.status).toBe(BatchStatus.Ok);
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: updateSetting(key) });
				const refused = await c.waitFrame(MuxMessage.DocError, (f) => f.requestId === 2);
				expect(refused.code).toBe(CloseCode.Forbidden);
				expect(refused.reason).toMatch(/refused/);
				await expectNotWritten(doc, key);
			} else {
				expect(entry?.status).toBe(BatchStatus.Ok);
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: updateSetting(key) });
				await c.waitFrame(MuxMessage.Ack, (f) => f.requestId === 2);
				await expectWritten(doc, key);
			}
		} finally {
			c.close();
		}
	});
});
