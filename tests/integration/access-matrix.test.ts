/**
 * The whole role × document-kind matrix of the product design §2 against the real relay, with real credentials and real
 * clients on both endpoints. Every cell is checked as specified:
 *   none  → /ws closes 4403 before sending a single byte; /sync answers Forbidden with an empty diff, DocError on
 *           Subscribe and Update, no Doc frame, and leaves the document out of the change feed;
 *   read  → the client receives the document (stock y-websocket provider on /ws, BatchSync on /sync); its writes
 *           and awareness are answered with a denial and never reach storage nor a subscribed bystander;
 *   write → its write (a record of the kind that the role may add, in its own name: see probe()) is stored and
 *           reaches the bystander. What a writer may not add is tested in write-rules.test.ts and
 *           participation-guard.test.ts.
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
import type { Actor, Role } from '../../src/lib/domain/actor';
import { BatchStatus, CloseCode, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { type DocName, parseBallotsId, parseDocName } from '../../src/lib/schema/doc-names';
import { ballot, grantsByRole, household as registered, visit } from '../../src/lib/domain/testing';
import { docUrl, provider, RawClient, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';

const GRANTS: Record<Role, Grant> = grantsByRole({ street_admin: { community: 'qingliu-street' } });
const ROLES = Object.keys(GRANTS) as Role[];

const N = 'none' as const;
const R = 'read' as const;
const W = 'write' as const;
type Cell = Access;
/** doc → access per role, in the order resident, grid worker (grid g1), facilitator, community admin, street admin. */
const TABLE: Record<string, [Cell, Cell, Cell, Cell, Cell]> = {
	'demo:community:main': [R, R, R, W, R],
	// Matters name households (proposers, co-signers, attendees): the street level receives none of them.
	'demo:proposal:p1': [W, W, W, W, N],
	'demo:topic:t1': [R, R, W, W, N],
	'demo:households:g1': [N, W, R, W, N], // the grid worker's own grid
	'demo:households:g2': [N, N, R, W, N], // another grid
	'demo:visits:g1': [N, W, R, W, N],
	'demo:visits:g2': [N, N, R, W, N],
	'demo:ballots:g1_poll1': [N, W, W, W, N], // votes cast by the grid worker's own grid
	'demo:ballots:g2_poll1': [N, N, W, W, N],
	'demo:poll:poll1': [R, R, W, W, N],
	'demo:meeting:m1': [R, R, W, W, N],
	'demo:minutes:m1': [N, R, W, W, N], // drafts and private notes
	'demo:project:x1': [R, W, W, W, N], // money, tasks and acceptance: staff records
	'demo:participation:x1': [W, W, W, W, N], // residents' pledges, sign-offs and ratings: their own only
	'demo:notice:n1': [R, R, W, W, R], // posted publicly
	'demo:report:main': [N, R, R, R, R], // aggregates, written by the relay alone
	'demo:report:public': [R, R, R, R, R], // the residents' quarterly version
	'demo:referrals:main': [N, N, R, R, W], // matters referred to the street, without names; the street answers
	'demo:passbook:b01-1-101': [W, N, W, W, N], // the resident's own household: it writes only its board choice
	'demo:passbook:b01-1-102': [N, N, W, W, N], // another household's points
	'demo:points:main': [R, R, W, W, N], // settings, activities and the catalogue
	'demo:points:public': [R, R, R, R, R], // the public board, written by the relay alone
	'demo:talents:main': [N, W, W, W, N], // the register of talents: contact details
	'qingliu-street:topic:s1': [N, N, N, N, W], // the street office's own matters
	'qingliu-street:meeting:s1': [N, N, N, N, W],
	'qingliu-street:poll:s1': [N, N, N, N, W],
	'qingliu-street:proposal:s1': [N, N, N, N, N], // a street office files no proposals of its own
	'other:community:main': [N, N, N, N, N], // another community
	'other:proposal:p1': [N, N, N, N, N],
	'other:households:g1': [N, N, N, N, N],
	'other:referrals:main': [N, N, N, N, N],
	'demo:unknown:x': [N, N, N, N, N] // not a document kind
};
const DOCS = Object.keys(TABLE);
const expected = (doc: string, role: Role): Cell => TABLE[doc]?.[ROLES.indexOf(role)] as Cell;

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const tokens = {} as Record<Role, string>;
const actors = {} as Record<Role, Actor>;
/** Per document, the device that watches it and writes its fences (keeperOf). */
const keepers = new Map<string, { token: string; actor: Actor }>();

/** The case seeded into every referrals document, for a street admin's answer to name. */
const SEEDED_CASE = 'c1';

/** Buildings of grid g1 and g2, so that a grid worker's records can be told to be of their grid. */
const BUILDING: Record<string, string> = { g1: 'b01', g2: 'b02' };

/**
 * A record that `actor` may add to `doc` under the write rules (src/lib/schema/write-rules.ts), marked by `key`,
 * and the check that it is there. Whether the cell lets it in is the access matrix's business.
 */
function probe(name: string, key: string, actor: Actor): { write(d: Y.Doc): void; has(d: Y.Doc): boolean } {
	const ref = parseDocName(name) as DocName;
	const at = Date.now();
	const inMap = (root: string, id: string, record: unknown) => ({
		write: (d: Y.Doc) => d.getMap(root).set(id, record),
		has: (d: Y.Doc) => d.getMap(root).has(id)
	});
	const grid = ref.kind === 'ballots' ? (parseBallotsId(ref.id)?.grid ?? 'g1') : ref.id;
	const household = `${BUILDING[grid] ?? 'b01'}-1-${key.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
	switch (ref.kind) {
		case 'proposal':
			return {
				write: (d) => d.getArray('timeline').push([{ id: key, type: 'comment', at, by: actor, channel: 'app', text: key }]),
				has: (d) => d.getArray<{ id: string }>('timeline').toArray().some((e) => e.id === key)
			};
		case 'households':
			return inMap('households', household, registered(household));
		case 'visits':
			return inMap('visits', key, visit({ id: key, household, grid, building: household.split('-')[0], at, by: actor }));
		case 'ballots':
			return inMap('ballots', key, ballot({ id: key, household, option: 'a', at, by: actor }));
		case 'project':
			return inMap('updates', key, { id: key, task: 't1', text: key, photos: [], at, by: actor });
		case 'participation':
			return inMap('requests', key, { id: key, question: key, at, by: actor, ...(actor.role === 'resident' ? { household: GRANTS.resident.household } : {}) });
		case 'referrals':
			return inMap('answers', key, { id: key, case: SEEDED_CASE, from: 'escalated', to: 'accepted', at, by: actor });
		case 'passbook':
			// Staff record transfers; a resident writes only its board choice (one key: marked by the name shown).
			if (actor.role !== 'resident') return inMap('transfers', key, { id: key, kind: 'award', household: ref.id, amount: 1, at, by: actor, channel: 'activity', note: key });
			return {
				write: (d) => d.getMap('board').set('choice', { show: true, name: key, at, by: actor }),
				has: (d) => (d.getMap('board').get('choice') as { name?: unknown } | undefined)?.name === key
			};
		case 'points':
			return inMap('items', key, { id: key, name: key, price: 1, unit: '袋', at, by: actor });
		case 'talents':
			return inMap('people', key, { id: key, name: key, skills: [], availability: '', consent: false, roles: [], at, by: actor });
		default:
			return { write: (d) => d.getMap('meta').set(key, true), has: (d) => d.getMap('meta').get(key) === true };
	}
}
/** Per document, a stock provider with write access that must never see a refused or read-only write. */
const bystanders = new Map<string, { doc: Y.Doc; provider: WebsocketProvider }>();
let fences = 0;

const communityOf = (doc: string) => doc.split(':')[0] as string;
/**
 * The device that watches a document and writes its fences: the community's admin, or for a street office's
 * documents and the referrals the street answers in, a street admin (of that street, over the community).
 */
function keeperOf(doc: string): Grant {
	const community = communityOf(doc);
	if (community === GRANTS.street_admin.community) return GRANTS.street_admin;
	if (parseDocName(doc)?.kind === 'referrals') return { role: 'street_admin', community: 'keeper-street', communities: [community] };
	return { role: 'community_admin', community };
}
/** Report documents and the public points board are written by the relay alone: their fences are too. */
const relayWritten = (doc: string) => {
	const ref = parseDocName(doc);
	return ref?.kind === 'report' || (ref?.kind === 'points' && ref.id === 'public');
};

beforeAll(async () => {
	relay = await startTestRelay();
	for (const role of ROLES) {
		const issued = await relay.credentials.issue(GRANTS[role], `${role} test device`);
		tokens[role] = issued.token;
		actors[role] = { id: issued.device.id, name: `${role} test device`, role };
	}
	const seeds = DOCS.filter((d) => parseDocName(d)).map((doc) => {
		const d = new Y.Doc();
		d.getMap('meta').set('title', `seeded ${doc}`);
		if (parseDocName(doc)?.kind === 'community') {
			for (const [grid, id] of Object.entries(BUILDING)) d.getMap('buildings').set(id, { id, grid, name: id, units: 2, floors: 6, roomsPerFloor: 2 });
		}
		if (parseDocName(doc)?.kind === 'referrals') {
			d.getMap('cases').set(SEEDED_CASE, { id: SEEDED_CASE, doc: 'demo:proposal:c1', status: 'escalated', level: 'street', steps: [] });
		}
		return { doc, data: Y.encodeStateAsUpdate(d) };
	});
	await relay.store.appendUpdates(seeds);
	for (const { doc: name } of seeds) {
		const grant = keeperOf(name);
		const issued = await relay.credentials.issue(grant, `keeper of ${name}`);
		keepers.set(name, { token: issued.token, actor: { id: issued.device.id, name: `keeper of ${name}`, role: grant.role } });
	}
	for (const { doc: name } of seeds) {
		// A document nobody may read (a street office's proposal) has no bystander: storage alone is checked.
		if (accessFor(keeperOf(name), parseDocName(name) as DocName) === 'none') continue;
		const doc = new Y.Doc();
		const p = provider(relay.url, name, doc, { token: keepers.get(name)?.token as string });
		await whenSynced(p);
		bystanders.set(name, { doc, provider: p });
	}
});

afterAll(async () => {
	for (const { provider: p } of bystanders.values()) p.destroy();
	await relay.close();
	removeDir(relay.dataDir);
});

async function storedDoc(doc: string): Promise<Y.Doc> {
	const d = new Y.Doc();
	for (const u of await relay.store.loadUpdates(doc)) Y.applyUpdate(d, u);
	return d;
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
	const keeper = keepers.get(doc);
	const marker = probe(doc, fence, keeper?.actor as Actor);
	if (relayWritten(doc)) {
		await new Promise<void>((resolve, reject) => relay.hub.submit(doc, updateWith(marker.write), null, (e) => (e ? reject(e) : resolve())));
	} else {
		const writer = await SyncClient.connect(relay.url, keeper?.token);
		writer.sendFrame({ kind: MuxMessage.Update, requestId: 1, doc, update: updateWith(marker.write) });
		await writer.waitFrame(MuxMessage.Ack);
		writer.close();
	}
	await waitFor(() => marker.has(bystander.doc), { what: `fence on ${doc}` });
}

async function expectNotWritten(doc: string, key: string, role: Role): Promise<void> {
	await settle(doc);
	if (!parseDocName(doc)) return;
	const { has } = probe(doc, key, actors[role]);
	expect(has(await storedDoc(doc)), `${key} stored in ${doc}`).toBe(false);
	const bystander = bystanders.get(doc)?.doc;
	expect(!!bystander && has(bystander), `${key} reached the bystander of ${doc}`).toBe(false);
}

async function expectWritten(doc: string, key: string, role: Role): Promise<void> {
	const { has } = probe(doc, key, actors[role]);
	await waitFor(async () => has(await storedDoc(doc)), { what: `${key} stored in ${doc}` });
	await waitFor(() => has(bystanders.get(doc)?.doc as Y.Doc), { what: `${key} at the bystander of ${doc}` });
}

function updateWith(write: (d: Y.Doc) => void): Uint8Array {
	const d = new Y.Doc();
	write(d);
	return Y.encodeStateAsUpdate(d);
}

/**
 * The probe as a device in sync with the relay sends it: a record under a fixed key (a passbook's board choice)
 * then replaces the stored one instead of racing it as a concurrent write.
 */
async function probeUpdateInSync(doc: string, key: string, role: Role): Promise<Uint8Array> {
	const d = await storedDoc(doc);
	const sv = Y.encodeStateVector(d);
	probe(doc, key, actors[role]).write(d);
	return Y.encodeStateAsUpdate(d, sv);
}

/** The probe of `role` in `doc` as one update (for a document name that is not one, an arbitrary setting). */
const probeUpdate = (doc: string, key: string, role: Role): Uint8Array =>
	updateWith(parseDocName(doc) ? probe(doc, key, actors[role]).write : (d) => d.getMap('meta').set(key, true));

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
		expect(ref ? accessFor(GRANTS[role], ref) : 'none', `${role} on ${doc}`).toBe(access);
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
			await expectNotWritten(doc, key, role);
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
				probe(doc, key, actors[role]).write(local);
				p.awareness.setLocalStateField('user', key);
				// The relay echoes a read-only client's awareness to it alone; once this echo is back, the write sent
				// before it on the same socket has been handled too.
				await waitFor(() => echoes.some((s) => s.includes(key)), { what: 'the echo of our awareness' });
				expect(denials).toHaveLength(1);
				await expectNotWritten(doc, key, role);
				const bystander = bystanders.get(doc)?.provider;
				const heard = [...(bystander?.awareness.getStates().values() ?? [])].some((s) => s.user === key);
				expect(heard, 'awareness of a read-only client reached the bystander').toBe(false);
				expect(p.wsconnected).toBe(true);
			} else {
				probe(doc, key, actors[role]).write(local);
				await expectWritten(doc, key, role);
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
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: probeUpdate(doc, key, role) });
				expect((await c.waitFrame(MuxMessage.DocError, (f) => f.requestId === 2)).code).toBe(CloseCode.Forbidden);
				expect(c.frames.some((f) => f.kind === MuxMessage.Doc), 'a Doc frame for a refused document').toBe(false);
				await expectNotWritten(doc, key, role);
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
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: probeUpdate(doc, key, role) });
				const denied = await c.waitFrame(MuxMessage.DocError, (f) => f.requestId === 2);
				expect(denied.code).toBe(CloseCode.Forbidden);
				expect(denied.reason).toMatch(/read-only/);
				// The same write and awareness as y-protocols messages inside Doc frames: one DocError, nothing kept.
				const update = yMessage((e) => {
					encoding.writeVarUint(e, YMessage.Sync);
					syncProtocol.writeUpdate(e, probeUpdate(doc, `${key}-doc`, role));
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
				await expectNotWritten(doc, key, role);
				await expectNotWritten(doc, `${key}-doc`, role);
				const heard = [...(bystanders.get(doc)?.provider.awareness.getStates().values() ?? [])].some((s) => s.user === key);
				expect(heard, 'awareness of a read-only client reached the bystander').toBe(false);
				expect(c.frames.filter((f) => f.kind === MuxMessage.DocError && f.requestId === 0)).toHaveLength(1);
			} else {
				expect(entry?.status).toBe(BatchStatus.Ok);
				c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc, update: await probeUpdateInSync(doc, key, role) });
				await c.waitFrame(MuxMessage.Ack, (f) => f.requestId === 2);
				await expectWritten(doc, key, role);
			}
		} finally {
			c.close();
		}
	});
});
