/**
 * The relay judges every write against the credential (src/lib/schema/write-rules.ts), on both endpoints: the
 * forgeries a hostile resident and a hostile grid worker tried against proposals and projects are refused with
 * their reason, never stored nor forwarded; honest writes before and after land; the connection stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { foldTimeline, type TimelineEvent } from '../../src/lib/domain/proposal';
import { CloseCode, MuxMessage, YMessage } from '../../src/lib/protocol/messages';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import { addEntry, addUpdate, createProject, recordReceipt, voidEntry } from '../../src/lib/schema/project-doc';
import { addCoSigner, addSupporter, appendEvent, createProposal, readProposal } from '../../src/lib/schema/proposal-doc';
import { building, communityFixture, grid } from '../../src/lib/domain/testing';
import { provider, removeDir, startTestRelay, waitFor, whenSynced } from './helpers';
import { relayJudge } from './relay-judge';

const PROPOSAL = 'demo:proposal:doors';
const REJECTED = 'demo:proposal:feud';
const PROJECT = 'demo:project:seats';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { devices, join, stored, seed, updateFrom, send } = relayJudge(() => relay);
let requests = 0;

const event = (by: Actor, over: Partial<TimelineEvent>): TimelineEvent => ({ id: `e${++requests}`, at: Date.now(), by, channel: 'app', ...over }) as TimelineEvent;

beforeAll(async () => {
	relay = await startTestRelay();
	await join('liu', { role: 'resident', community: 'demo', household: 'b03-1-401' }, '刘阿姨');
	await join('zhang', { role: 'resident', community: 'demo', household: 'b03-1-402' }, '张大爷');
	await join('grid', { role: 'grid_worker', community: 'demo', grids: ['g1'] }, '网格员小陈');
	await join('fac', { role: 'facilitator', community: 'demo' }, '周敏');
	await seed('demo:community:main', (d) =>
		writeCommunity(d, communityFixture({ grids: [grid('g1', '一网格'), grid('g2', '二网格')], buildings: [building('b03', 'g1', { units: 2 }), building('b09', 'g2', { units: 2 })] }))
	);
	const liu = devices.liu!.actor;
	const fac = devices.fac!.actor;
	await seed(PROPOSAL, (d) =>
		createProposal(
			d,
			{ title: '单元门更换', description: '门禁坏了三个月。', category: 'safety', kind: 'joint', channel: 'app', household: 'b03-1-401' },
			{ id: 'doors', actor: liu, now: Date.now(), status: 'submitted' }
		)
	);
	await seed(REJECTED, (d) => {
		createProposal(
			d,
			{ title: '邻居装修噪音', description: '楼上每天装修。', category: '', kind: 'individual', channel: 'app', household: 'b03-1-402' },
			{ id: 'feud', actor: devices.zhang!.actor, now: Date.now() - 10_000, status: 'submitted' }
		);
		appendEvent(d, event(fac, { type: 'transition', from: 'submitted', to: 'rejected', reason: '私人纠纷', negativeItem: 3 }));
	});
	await seed(PROJECT, (d) => {
		createProject(d, { id: 'seats', title: '楼道座椅', topic: 'demo:topic:seats', target: 8_600_000 }, fac, Date.now());
		recordReceipt(d, { pledge: 'p1', amount: 500_000, date: '2026-11-01', at: Date.now(), by: fac });
		addEntry(d, { id: 'e1', type: 'spending', amount: 120_000, date: '2026-11-02', description: '座椅五张', photos: [], at: Date.now(), by: fac });
	});
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

const refusal = { kind: MuxMessage.DocError, code: CloseCode.Forbidden, reason: expect.stringMatching(/^refused: /) };

describe('proposals: a hostile resident over /sync', () => {
	it.each([
		['a timeline event claiming a facilitator accepted it', PROPOSAL, 'liu', (d: Y.Doc) =>
			appendEvent(d, event({ ...devices.liu!.actor, role: 'facilitator' }, { type: 'transition', from: 'submitted', to: 'accepted' }))],
		['an acceptance in their own name', PROPOSAL, 'liu', (d: Y.Doc) => appendEvent(d, event(devices.liu!.actor, { type: 'transition', from: 'submitted', to: 'accepted' }))],
		['deleting the rejection to reopen it', REJECTED, 'zhang', (d: Y.Doc) => d.getArray('timeline').delete(1, 1)],
		['a co-signature for another household', PROPOSAL, 'zhang', (d: Y.Doc) =>
			addCoSigner(d, { household: 'b03-1-403', name: '王', at: Date.now(), by: devices.zhang!.actor, channel: 'app' })],
		["a co-signature under another device's actor", PROPOSAL, 'zhang', (d: Y.Doc) =>
			addCoSigner(d, { household: 'b03-1-402', name: '张', at: Date.now(), by: devices.liu!.actor, channel: 'app' })],
		['support for another household', PROPOSAL, 'zhang', (d: Y.Doc) => addSupporter(d, { id: 'b03-1-403', at: Date.now(), by: devices.zhang!.actor })],
		["overwriting a neighbour's title", PROPOSAL, 'zhang', (d: Y.Doc) => d.getMap('meta').set('title', '不用修了')],
		["wiping a neighbour's description", PROPOSAL, 'zhang', (d: Y.Doc) => d.getText('description').delete(0, d.getText('description').length)]
	])('%s is refused with a reason and never stored', async (_what, doc, who, forge) => {
		const before = await stored(doc);
		const reply = await send(who, doc, await updateFrom(doc, forge));
		expect(reply).toMatchObject(refusal);
		expect(Y.encodeStateVector(await stored(doc))).toEqual(Y.encodeStateVector(before));
	});

	it('refuses a malformed record every time it is sent, so a resend cannot slip a forgery through', async () => {
		const before = await stored(PROPOSAL);
		const forged = await updateFrom(PROPOSAL, (d) => {
			d.getMap('coSigners').set('aaa', null);
			d.getMap('coSigners').set('b03-1-499', { household: 'b03-1-499', name: '假', at: Date.now(), by: devices.zhang!.actor, channel: 'app' });
		});
		for (let i = 0; i < 2; i++) expect(await send('zhang', PROPOSAL, forged)).toMatchObject(refusal);
		expect(Y.encodeStateVector(await stored(PROPOSAL))).toEqual(Y.encodeStateVector(before));
	});

	it('leaves the true status and lets honest writes through before and after', async () => {
		expect((await send('zhang', PROPOSAL, await updateFrom(PROPOSAL, (d) => addSupporter(d, { id: 'b03-1-402', at: Date.now(), by: devices.zhang!.actor })))).kind).toBe(
			MuxMessage.Ack
		);
		const comment = await updateFrom(PROPOSAL, (d) => appendEvent(d, event(devices.zhang!.actor, { type: 'comment', text: '支持' })));
		expect((await send('zhang', PROPOSAL, comment)).kind).toBe(MuxMessage.Ack);
		const accept = await updateFrom(PROPOSAL, (d) => appendEvent(d, event(devices.fac!.actor, { type: 'transition', from: 'submitted', to: 'accepted' })));
		expect((await send('fac', PROPOSAL, accept)).kind).toBe(MuxMessage.Ack);
		expect(readProposal(await stored(PROPOSAL)).timeline.status).toBe('accepted');
		expect(readProposal(await stored(REJECTED)).timeline.status).toBe('rejected');
		expect(foldTimeline(readProposal(await stored(PROPOSAL)).timeline.events).status).toBe('accepted');
	});
});

describe("proposals: a resident's channel is the app", () => {
	const BOXED = 'demo:proposal:boxed';
	const file = (channel: 'box' | 'app', who: string) => (d: Y.Doc) =>
		createProposal(
			d,
			{ title: '北门路灯', description: '晚上看不清台阶。', category: 'safety', kind: 'individual', channel, household: 'b03-1-402' },
			{ id: 'boxed', actor: devices[who]!.actor, now: Date.now(), status: 'submitted' }
		);

	it('refuses a resident filing through the suggestion box, or co-signing "at the door", and stores nothing', async () => {
		expect(await send('zhang', BOXED, await updateFrom(BOXED, file('box', 'zhang')))).toMatchObject(refusal);
		expect((await stored(BOXED)).getMap('meta').size).toBe(0);
		const before = await stored(PROPOSAL);
		const doorSign = await updateFrom(PROPOSAL, (d) =>
			addCoSigner(d, { household: 'b03-1-402', name: '张', at: Date.now(), by: devices.zhang!.actor, channel: 'visit' })
		);
		expect(await send('zhang', PROPOSAL, doorSign)).toMatchObject({ ...refusal, reason: expect.stringMatching(/in the app/) });
		expect(Y.encodeStateVector(await stored(PROPOSAL))).toEqual(Y.encodeStateVector(before));
	});

	it('lets the same resident file in the app, and staff transcribe a box note', async () => {
		expect((await send('zhang', BOXED, await updateFrom(BOXED, file('app', 'zhang')))).kind).toBe(MuxMessage.Ack);
		expect(readProposal(await stored(BOXED)).channel).toBe('app');
		const NOTE = 'demo:proposal:note';
		const note = await updateFrom(NOTE, (d) =>
			createProposal(
				d,
				{ title: '北门路灯', description: '纸条：路灯坏了。', category: 'safety', kind: 'individual', channel: 'box', source: '北门意见箱' },
				{ id: 'note', actor: devices.fac!.actor, now: Date.now(), status: 'submitted' }
			)
		);
		expect((await send('fac', NOTE, note)).kind).toBe(MuxMessage.Ack);
		expect(readProposal(await stored(NOTE)).channel).toBe('box');
	});
});

describe('projects: money is staff business', () => {
	it.each([
		['a receipt "by" a facilitator for ¥50,000', (d: Y.Doc) =>
			recordReceipt(d, { pledge: 'p2', amount: 5_000_000, date: '2026-11-03', at: Date.now(), by: devices.fac!.actor })],
		['voiding a ledger entry', (d: Y.Doc) => voidEntry(d, { entry: 'e1', reason: '作废', at: Date.now(), by: devices.grid!.actor })],
		['deleting a receipt', (d: Y.Doc) => d.getMap('receipts').delete('p1')]
	])('a grid worker: %s is refused', async (_what, forge) => {
		const before = await stored(PROJECT);
		expect(await send('grid', PROJECT, await updateFrom(PROJECT, forge))).toMatchObject(refusal);
		expect(Y.encodeStateVector(await stored(PROJECT))).toEqual(Y.encodeStateVector(before));
	});

	it('a grid worker reports progress; a facilitator cannot delete a receipt either', async () => {
		const progress = await updateFrom(PROJECT, (d) => addUpdate(d, { id: 'u1', task: 't1', text: '座椅已安装两张', photos: [], at: Date.now(), by: devices.grid!.actor }));
		expect((await send('grid', PROJECT, progress)).kind).toBe(MuxMessage.Ack);
		expect(await send('fac', PROJECT, await updateFrom(PROJECT, (d) => d.getMap('receipts').delete('p1')))).toMatchObject(refusal);
		expect((await stored(PROJECT)).getMap('receipts').size).toBe(1);
	});
});

describe('over /ws, a stock client', () => {
	it('gets a forged status change refused, keeps its connection, and its honest comment lands', async () => {
		const watcherDoc = new Y.Doc();
		const watcher = provider(relay.url, REJECTED, watcherDoc, { token: devices.fac!.token });
		const local = new Y.Doc();
		const p = provider(relay.url, REJECTED, local, { token: devices.zhang!.token });
		const denials: string[] = [];
		(p.ws as unknown as WebSocket).on('message', (data: ArrayBuffer) => {
			const bytes = new Uint8Array(data);
			if (bytes[0] === YMessage.Auth) denials.push(new TextDecoder().decode(bytes));
		});
		try {
			await Promise.all([whenSynced(p), whenSynced(watcher)]);
			local.getArray<TimelineEvent>('timeline').push([event({ ...devices.zhang!.actor, role: 'community_admin' }, { type: 'transition', from: 'rejected', to: 'accepted' })]);
			await waitFor(() => denials.some((d) => d.includes('refused')), { what: 'the refusal' });
			expect(p.wsconnected).toBe(true);
			expect(readProposal(watcherDoc).timeline.status).toBe('rejected');
			expect(readProposal(await stored(REJECTED)).timeline.status).toBe('rejected');
		} finally {
			p.destroy();
		}
		// A fresh, honest device of the same household still writes.
		const comment = await updateFrom(REJECTED, (d) => appendEvent(d, event(devices.zhang!.actor, { type: 'comment', text: '那我去找调解' })));
		expect((await send('zhang', REJECTED, comment)).kind).toBe(MuxMessage.Ack);
		await waitFor(() => readProposal(watcherDoc).timeline.events.some((e) => e.type === 'comment'), { what: 'the comment at the facilitator' });
		watcher.destroy();
	});
});
