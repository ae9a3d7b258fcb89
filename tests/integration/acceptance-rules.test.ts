/**
 * The relay judges acceptance (验收): only a household staff chose as a representative signs a project's
 * acceptance from its own device, and only for itself; residents can neither choose representatives, nor
 * override the project's conditions, nor mark anything accepted. Stock y-websocket clients over /ws, and the
 * multiplexed /sync endpoint, against the real relay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { projectState } from '../../src/lib/domain/project';
import { CloseCode, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import {
	addChecklistItem,
	addSignoff,
	addTask,
	createProject,
	overrideAcceptance,
	readProject,
	recordReceipt,
	setCheck,
	setRepresentative
} from '../../src/lib/schema/project-doc';
import { building, communityFixture, grid } from '../../src/lib/domain/testing';
import { provider, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';
import { relayJudge } from './relay-judge';

const PROJECT = 'demo:project:roof';
const PARTICIPATION = 'demo:participation:roof';
const TODAY = '2026-12-03';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { join, who, stored, seed, updateFrom, send } = relayJudge(() => relay);

const refusal = (reason: RegExp = /./) => ({ kind: MuxMessage.DocError, code: CloseCode.Forbidden, reason: expect.stringMatching(reason) });
const signoffOf = (key: string, household = who(key).household!) => ({
	id: household,
	name: who(key).actor.name,
	household,
	agree: true,
	at: Date.now(),
	by: who(key).actor
});

/** A stock y-websocket client of `who` on the participation document, with the relay's refusals it receives. */
function residentClient(key: string) {
	const doc = new Y.Doc();
	const p = provider(relay.url, PARTICIPATION, doc, { token: who(key).token });
	const denials: string[] = [];
	(p.ws as unknown as WebSocket).on('message', (data: ArrayBuffer) => {
		const bytes = new Uint8Array(data);
		if (bytes[0] === YMessage.Auth) denials.push(new TextDecoder().decode(bytes));
	});
	return { doc, p, denials };
}

beforeAll(async () => {
	relay = await startTestRelay();
	await join('liu', { role: 'resident', community: 'demo', household: 'b05-1-401' }, '刘阿姨');
	await join('zhang', { role: 'resident', community: 'demo', household: 'b05-1-402' }, '张大爷');
	await join('wang', { role: 'resident', community: 'demo', household: 'b09-2-101' }, '王师傅');
	await join('grid', { role: 'grid_worker', community: 'demo', grids: ['g1'] }, '网格员小陈');
	await join('fac', { role: 'facilitator', community: 'demo' }, '周敏');
	await seed('demo:community:main', (d) =>
		writeCommunity(d, communityFixture({ grids: [grid('g1', '一网格')], buildings: [building('b05', 'g1', { units: 2 }), building('b09', 'g1', { units: 2 })] }))
	);
	const fac = who('fac').actor;
	// ¥500 of ¥86,000 raised and none of three tasks done: the project's conditions are not met.
	await seed(PROJECT, (d) => {
		createProject(d, { id: 'roof', title: '5栋屋面防水维修', topic: 'demo:topic:roof', target: 8_600_000 }, fac, Date.now());
		recordReceipt(d, { pledge: 'p1', amount: 50_000, date: '2026-11-01', at: Date.now(), by: fac });
		for (const title of ['勘察', '比选施工单位', '施工']) addTask(d, { id: title, title, responsible: '周敏', due: '2026-12-30', at: Date.now(), by: fac });
		addChecklistItem(d, { id: 'i1', text: '屋面闭水试验无渗漏', at: Date.now(), by: fac });
		setCheck(d, { item: 'i1', result: 'pass', at: Date.now(), by: fac });
		d.getMap('meta').set('minRepresentatives', 1);
		setRepresentative(d, { household: 'b05-1-401', label: '5栋 1单元 401', at: Date.now(), by: fac });
	});
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

describe('acceptance sign-off over /ws, stock clients', () => {
	it('a chosen household signs from its own device, and staff see it', async () => {
		const watcherDoc = new Y.Doc();
		const watcher = provider(relay.url, PARTICIPATION, watcherDoc, { token: who('fac').token });
		const liu = residentClient('liu');
		try {
			await Promise.all([whenSynced(liu.p), whenSynced(watcher)]);
			addSignoff(liu.doc, signoffOf('liu'));
			await waitFor(() => watcherDoc.getMap('signoffs').has('b05-1-401'), { what: "the chosen household's sign-off at the facilitator" });
			expect(liu.denials).toEqual([]);
		} finally {
			liu.p.destroy();
			watcher.destroy();
		}
		expect((await stored(PARTICIPATION)).getMap('signoffs').has('b05-1-401')).toBe(true);
	});

	it.each([
		['a household that is not a representative, for itself', 'zhang', undefined, /not a representative/],
		['a resident of another building, naming a chosen household', 'wang', 'b05-1-401', /another household|sign-off for this household/]
	])('%s is refused, never stored, and the connection stays open', async (_what, key, household, reason) => {
		const before = await stored(PARTICIPATION);
		const client = residentClient(key);
		try {
			await whenSynced(client.p);
			addSignoff(client.doc, signoffOf(key, household));
			await waitFor(() => client.denials.some((d) => reason.test(d)), { what: 'the refusal' });
			expect(client.p.wsconnected).toBe(true);
		} finally {
			client.p.destroy();
		}
		expect(Y.encodeStateVector(await stored(PARTICIPATION))).toEqual(Y.encodeStateVector(before));
		expect((await stored(PARTICIPATION)).getMap('signoffs').get('b05-1-401')).toMatchObject({ by: who('liu').actor });
	});
});

describe('what only staff decide, over /sync', () => {
	it.each([
		['choosing their own household as a representative', PROJECT, (d: Y.Doc) =>
			setRepresentative(d, { household: 'b05-1-402', label: '5栋 1单元 402', at: Date.now(), by: who('zhang').actor })],
		['overriding the unmet conditions', PROJECT, (d: Y.Doc) =>
			overrideAcceptance(d, { reason: '我说可以', waived: ['tasks', 'funds'], at: Date.now(), by: who('zhang').actor })],
		['marking the checklist passed', PROJECT, (d: Y.Doc) => setCheck(d, { item: 'i1', result: 'pass', at: Date.now(), by: who('zhang').actor })],
		['setting an accepted status', PROJECT, (d: Y.Doc) => d.getMap('meta').set('status', 'inspected')],
		['representatives in the participation document', PARTICIPATION, (d: Y.Doc) =>
			d.getMap('representatives').set('b05-1-402', { household: 'b05-1-402', label: '5栋 1单元 402', at: Date.now(), by: who('zhang').actor })],
		['an override in the participation document', PARTICIPATION, (d: Y.Doc) =>
			d.getMap('meta').set('acceptanceOverride', { reason: '我说可以', waived: ['tasks', 'funds'], at: Date.now(), by: who('zhang').actor })],
		['a "paper" sign-off in its own name', PARTICIPATION, (d: Y.Doc) =>
			addSignoff(d, { ...signoffOf('liu'), paper: true, photos: ['a'.repeat(64)] })]
	])('a resident: %s is refused and never stored', async (_what, doc, forge) => {
		const who = doc === PARTICIPATION && _what.includes('paper') ? 'liu' : 'zhang';
		const before = await stored(doc);
		expect(await send(who, doc, await updateFrom(doc, forge))).toMatchObject(refusal());
		expect(Y.encodeStateVector(await stored(doc))).toEqual(Y.encodeStateVector(before));
	});

	it('a grid worker cannot record a paper sign-off or an override either', async () => {
		const paper = { ...signoffOf('zhang'), paper: true, photos: ['a'.repeat(64)], by: who('grid').actor };
		expect(await send('grid', PROJECT, await updateFrom(PROJECT, (d) => addSignoff(d, paper)))).toMatchObject(refusal());
		const over = { reason: '赶工期', waived: ['tasks' as const], at: Date.now(), by: who('grid').actor };
		expect(await send('grid', PROJECT, await updateFrom(PROJECT, (d) => overrideAcceptance(d, over)))).toMatchObject(refusal());
	});

	it('the relay state: signed, yet not accepted while the conditions are unmet; staff override with a reason', async () => {
		let p = readProject(await stored(PROJECT), await stored(PARTICIPATION));
		expect(projectState(p, TODAY).acceptance).toMatchObject({ status: 'in_progress', agree: 1 });
		expect(projectState(p, TODAY).acceptance.blocked.map((c) => c.kind)).toEqual(['tasks', 'funds']);

		// Once staff choose the household, the same resident's sign-off is taken.
		const choose = await updateFrom(PROJECT, (d) => setRepresentative(d, { household: 'b05-1-402', label: '5栋 1单元 402', at: Date.now(), by: who('fac').actor }));
		expect((await send('fac', PROJECT, choose)).kind).toBe(MuxMessage.Ack);
		expect((await send('zhang', PARTICIPATION, await updateFrom(PARTICIPATION, (d) => addSignoff(d, signoffOf('zhang'))))).kind).toBe(MuxMessage.Ack);

		const over = { reason: '屋面漏水危及住户，街道同意先行验收应急部分', waived: ['tasks' as const, 'funds' as const], at: Date.now(), by: who('fac').actor };
		expect((await send('fac', PROJECT, await updateFrom(PROJECT, (d) => overrideAcceptance(d, over)))).kind).toBe(MuxMessage.Ack);
		p = readProject(await stored(PROJECT), await stored(PARTICIPATION));
		expect(projectState(p, TODAY).acceptance).toMatchObject({ status: 'passed', agree: 2, override: { reason: over.reason, by: who('fac').actor } });
	});
});
