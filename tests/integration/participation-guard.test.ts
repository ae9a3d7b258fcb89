/**
 * A project's participation document against the real relay: a resident adds their own household's pledges,
 * sign-offs and ratings, as their own device, and nothing else. Forged records (another household, another
 * device, a staff role, a deletion) are refused with a reason on both endpoints, never stored nor forwarded,
 * and the relay goes on serving the resident and everyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import type { Pledge } from '../../src/lib/domain/funding';
import { CloseCode, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { addPledge, rate } from '../../src/lib/schema/project-doc';
import { mintToken, provider, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';

const DOC = 'demo:participation:seats';
const HOME = 'b03-1-401';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let resident: { token: string; actor: Actor };
/** A facilitator's stock client, which must see every accepted record and never a refused one. */
const staffDoc = new Y.Doc();
let staff: ReturnType<typeof provider>;

const pledge = (id: string, over: Partial<Pledge> = {}): Pledge => ({
	id,
	source: 'residents',
	kind: 'money',
	name: '3栋 刘阿姨',
	household: HOME,
	amount: 5000,
	at: Date.now(),
	by: resident.actor,
	channel: 'app',
	...over
});

/** The update that `change` makes on top of what the relay holds now (as a device that is in sync). */
function updateFrom(base: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
	const sv = Y.encodeStateVector(doc);
	change(doc);
	return Y.encodeStateAsUpdate(doc, sv);
}

async function stored(): Promise<Y.Doc> {
	await relay.hub.flush();
	const d = new Y.Doc();
	for (const u of await relay.store.loadUpdates(DOC)) Y.applyUpdate(d, u);
	return d;
}

let requests = 0;
async function sendOverSync(update: Uint8Array) {
	const c = await SyncClient.connect(relay.url, resident.token);
	try {
		const requestId = ++requests;
		c.sendFrame({ kind: MuxMessage.Update, requestId, doc: DOC, update });
		// The answer is an Ack or a DocError for this request.
		return await waitFor(() => c.frames.find((f) => (f.kind === MuxMessage.Ack || f.kind === MuxMessage.DocError) && f.requestId === requestId), {
			what: `the answer to request ${requestId}`
		});
	} finally {
		c.close();
	}
}

beforeAll(async () => {
	relay = await startTestRelay();
	const issued = await relay.credentials.issue({ role: 'resident', community: 'demo', household: HOME }, '刘阿姨');
	resident = { token: issued.token, actor: { id: issued.device.id, name: '刘阿姨', role: 'resident' } };
	staff = provider(relay.url, DOC, staffDoc, { token: await mintToken(relay, { role: 'facilitator', community: 'demo' }) });
	await whenSynced(staff);
});

afterAll(async () => {
	staff.destroy();
	await relay.close();
	removeDir(relay.dataDir);
});

describe('a resident writing a participation document', () => {
	it('over /sync: their own pledge and rating are stored and reach the facilitator', async () => {
		const own = updateFrom(await stored(), (d) => {
			addPledge(d, pledge('p-own'));
			rate(d, { household: HOME, score: 5, comment: '很好', at: Date.now(), by: resident.actor, channel: 'app' }, resident.actor.id);
		});
		expect((await sendOverSync(own)).kind).toBe(MuxMessage.Ack);
		await waitFor(() => staffDoc.getMap('pledges').has('p-own') && staffDoc.getMap('ratings').size === 1, { what: 'the records at the facilitator' });
	});

	it.each([
		['a rating for another household', (d: Y.Doc) => rate(d, { household: 'b03-1-402', score: 1, comment: '', at: 1, by: resident.actor, channel: 'app' }, resident.actor.id)],
		['a pledge claiming a facilitator', (d: Y.Doc) => addPledge(d, pledge('p-staff', { by: { ...resident.actor, role: 'facilitator' } }))],
		['a pledge as another device', (d: Y.Doc) => addPledge(d, pledge('p-other', { by: { ...resident.actor, id: 'd_someone' } }))],
		['a receipt', (d: Y.Doc) => d.getMap('receipts').set('p-own', { pledge: 'p-own', amount: 5000, date: '2026-11-24', at: 1, by: resident.actor })],
		['deleting its own pledge', (d: Y.Doc) => d.getMap('pledges').delete('p-own')],
		['rewriting its own pledge (the amount a receipt would show)', (d: Y.Doc) => addPledge(d, pledge('p-own', { amount: 1 }))]
	])('over /sync: %s is refused with a reason and never stored', async (_what, forge) => {
		const before = await stored();
		const reply = await sendOverSync(updateFrom(before, forge));
		expect(reply).toMatchObject({ kind: MuxMessage.DocError, code: CloseCode.Forbidden, reason: expect.stringMatching(/^refused: /) });
		const after = await stored();
		expect(Y.encodeStateVector(after)).toEqual(Y.encodeStateVector(before));
		expect(staffDoc.getMap('pledges').size).toBe(1);
		expect(staffDoc.getMap('receipts').size).toBe(0);
	});

	it('over /ws: a stock client gets its own pledge stored and a forged one refused, and keeps its connection', async () => {
		const local = new Y.Doc();
		const p = provider(relay.url, DOC, local, { token: resident.token });
		const denials: string[] = [];
		(p.ws as unknown as WebSocket).on('message', (data: ArrayBuffer) => {
			const bytes = new Uint8Array(data);
			if (bytes[0] === YMessage.Auth) denials.push(new TextDecoder().decode(bytes));
		});
		try {
			await whenSynced(p);
			addPledge(local, pledge('p-ws'));
			await waitFor(() => staffDoc.getMap('pledges').has('p-ws'), { what: 'the /ws pledge at the facilitator' });
			rate(local, { household: 'b03-1-402', score: 1, comment: '', at: 1, by: resident.actor, channel: 'app' }, resident.actor.id);
			await waitFor(() => denials.some((d) => d.includes('refused')), { what: 'the refusal' });
			expect((await stored()).getMap('ratings').size).toBe(1);
			expect(staffDoc.getMap('ratings').size).toBe(1);
			expect(p.wsconnected).toBe(true);
		} finally {
			p.destroy();
		}
		// The relay still takes the resident's honest writes.
		const again = updateFrom(await stored(), (d) => addPledge(d, pledge('p-later')));
		expect((await sendOverSync(again)).kind).toBe(MuxMessage.Ack);
	});
});
