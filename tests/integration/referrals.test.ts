/**
 * Three levels against the real relay with real y-websocket clients: a grid worker files a grid matter and refers
 * it up, the community refers it to the street, the street admin answers from the referrals document (a redacted
 * copy: it may not open the proposal), and the relay records each answer in the proposal's timeline, where the
 * proposer and the community see it. A stale answer is kept and marked superseded; a forged one is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { newId } from '../../src/lib/domain/ids';
import type { ProposalStatus } from '../../src/lib/domain/proposal';
import { CloseCode } from '../../src/lib/protocol/messages';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import { communityDocName, proposalDocName, referralsDocName } from '../../src/lib/schema/doc-names';
import { addCoSigner, appendEvent, createProposal, readProposal } from '../../src/lib/schema/proposal-doc';
import { addAnswer, readReferrals } from '../../src/lib/schema/referrals-doc';
import { building, communityFixture } from '../../src/lib/domain/testing';
import { relayDevices } from './helpers-devices';
import { docUrl, provider, RawClient, removeDir, startTestRelay, waitFor, whenSynced } from './helpers';

const C = 'east';
const STREET = 'qingliu-street';
let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { devices: who, join } = relayDevices(() => relay);
const open: { destroy(): void }[] = [];

/** A live, synced copy of `name` as `key` sees it. */
async function live(key: string, name: string): Promise<Y.Doc> {
	const doc = new Y.Doc();
	const p = provider(relay.url, name, doc, { token: who[key]?.token as string });
	open.push(p);
	await whenSynced(p);
	return doc;
}

const step = (by: Actor, from: ProposalStatus, to: ProposalStatus, reason?: string) => ({
	id: newId(),
	type: 'transition' as const,
	at: Date.now(),
	by,
	channel: 'app' as const,
	from,
	to,
	...(reason ? { reason } : {})
});

beforeAll(async () => {
	relay = await startTestRelay();
	await join('grid', { role: 'grid_worker', community: C, grids: ['g1'] }, '网格员小周');
	await join('fac', { role: 'facilitator', community: C }, '李社工');
	await join('resident', { role: 'resident', community: C, household: 'b01-1-301' }, '王阿姨');
	await join('street', { role: 'street_admin', community: STREET, communities: [C] }, '街道办小陈');
	await join('admin', { role: 'community_admin', community: C }, '社区管理员');
	const community = await live('admin', communityDocName(C));
	writeCommunity(community, communityFixture({ id: C, name: '东园社区', street: '青柳街道', district: '临江区', buildings: [building('b01', 'g1', { units: 2 })] }));
	await waitFor(async () => (await relay.store.loadUpdates(communityDocName(C))).length > 0, { what: 'the community stored' });
});

afterAll(async () => {
	for (const p of open) p.destroy();
	await relay.close();
	removeDir(relay.dataDir);
});

describe('a matter referred from grid to community to street', () => {
	const id = 'lift';
	const name = proposalDocName(C, id);

	it('reaches the street without a name or a room, and the street answer reaches the proposer', async () => {
		// The grid worker files a grid matter for 王阿姨's household at the door, with a co-signer.
		const gridDoc = await live('grid', name);
		const g = who.grid?.actor as Actor;
		createProposal(
			gridDoc,
			{ title: '加装电梯', description: '1栋老人多，上下楼困难。', category: 'facilities', kind: 'individual', channel: 'visit', household: 'b01-1-301' },
			{ id, actor: g, now: Date.now(), status: 'submitted', level: 'grid' }
		);
		addCoSigner(gridDoc, { household: 'b01-2-502', name: '赵大爷', at: Date.now(), by: g, channel: 'visit' });
		appendEvent(gridDoc, step(g, 'submitted', 'escalated', '需要社区统筹'));
		const facDoc = await live('fac', name);
		await waitFor(() => readProposal(facDoc).level === 'community', { what: 'the matter at the community' });
		expect(readProposal(facDoc).timeline.status).toBe('escalated');
		// Nothing reached the street yet: only matters at the street level are copied.
		const refs = await live('street', referralsDocName(C));
		expect(readReferrals(refs).cases).toHaveLength(0);

		appendEvent(facDoc, step(who.fac?.actor as Actor, 'escalated', 'escalated', '超出社区能力，需街道协调'));
		const card = await waitFor(() => readReferrals(refs).cases.find((c) => c.id === id), { what: 'the case at the street' });
		expect(card.status).toBe('escalated');
		expect(card.level).toBe('street');
		expect(card.coSigners).toBe(1);
		expect(card.steps.map((s) => s.to)).toEqual(['escalated', 'escalated']);
		expect(card.steps[1]?.reason).toBe('超出社区能力，需街道协调');
		// No household id, room, or resident's name anywhere in the street's copy.
		const everything = JSON.stringify(refs.toJSON());
		for (const personal of ['b01-1-301', 'b01-2-502', '赵大爷', '王阿姨', '网格员小周', '李社工', '301']) expect(everything).not.toContain(personal);

		// The street admin may not open the proposal itself.
		const refused = new RawClient(docUrl(relay.url, name, who.street?.token));
		expect((await refused.closed).code).toBe(CloseCode.Forbidden);

		// It answers: accepted at the street. The relay records it in the proposal, in the street admin's name.
		const answer = { id: newId(), case: id, from: 'escalated' as const, to: 'accepted' as const, at: Date.now(), by: who.street?.actor as Actor };
		addAnswer(refs, answer);
		await waitFor(() => readReferrals(refs).applied.get(answer.id)?.result === 'applied', { what: 'the receipt' });
		const residentDoc = await live('resident', name);
		await waitFor(() => readProposal(residentDoc).timeline.status === 'accepted', { what: 'the answer at the proposer' });
		const p = readProposal(residentDoc);
		expect(p.level).toBe('street');
		const last = p.timeline.events.at(-1);
		expect(last?.type === 'transition' && last.by.role).toBe('street_admin');
		await waitFor(() => readReferrals(refs).cases.find((c) => c.id === id)?.status === 'accepted', { what: 'the case follows' });
	});

	it('refuses an answer to a status the matter has left, one dated in the past, and answers from anyone but the street', async () => {
		const refs = await live('street', referralsDocName(C));
		const storedAnswers = async () => {
			await relay.hub.flush();
			const stored = new Y.Doc();
			for (const u of await relay.store.loadUpdates(referralsDocName(C))) Y.applyUpdate(stored, u);
			return readReferrals(stored).answers.map((a) => a.id);
		};
		// The matter was accepted: an answer made against 'escalated' (a second device, offline) is refused.
		const stale = { id: newId(), case: id, from: 'escalated' as const, to: 'rejected' as const, reason: '不属于街道职责', at: 1, by: who.street?.actor as Actor };
		addAnswer(refs, stale);
		expect(await storedAnswers()).not.toContain(stale.id);

		// An honest answer dated long ago is recorded at the relay's time, after everything that happened.
		const again = await live('street', referralsDocName(C));
		const late = { id: newId(), case: id, from: 'accepted' as const, to: 'topic' as const, target: 'qingliu-street:topic:t1', targetTitle: '加装电梯', at: 1, by: who.street?.actor as Actor };
		addAnswer(again, late);
		await waitFor(() => readReferrals(again).applied.get(late.id)?.result === 'applied', { what: 'the receipt' });
		const facDoc = await live('fac', name);
		await waitFor(() => readProposal(facDoc).timeline.status === 'topic', { what: 'the topic step' });
		const events = readProposal(facDoc).timeline.events;
		expect(events.at(-1)?.id).toBe(late.id);
		expect(events.at(-1)?.at).toBeGreaterThan(events.at(-2)?.at ?? 0);

		// A facilitator reads the referrals but cannot answer in the street's name or its own.
		const facRefs = await live('fac', referralsDocName(C));
		const forged = { id: newId(), case: id, from: 'topic' as const, to: 'settled' as const, reason: '已解决', at: Date.now(), by: who.fac?.actor as Actor };
		addAnswer(facRefs, forged);
		expect(await storedAnswers()).not.toContain(forged.id);
	});

	it('returns a matter to the community with guidance, and refuses a return without it', async () => {
		const back = 'bins';
		const facDoc = await live('fac', proposalDocName(C, back));
		const f = who.fac?.actor as Actor;
		createProposal(
			facDoc,
			{ title: '垃圾分类亭', description: '希望增设分类亭。', category: 'cleanup', kind: 'individual', channel: 'app' },
			{ id: back, actor: f, now: Date.now(), status: 'submitted' }
		);
		appendEvent(facDoc, step(f, 'submitted', 'escalated', '需街道审批用地'));
		const refs = await live('street', referralsDocName(C));
		await waitFor(() => readReferrals(refs).cases.find((c) => c.id === back), { what: 'the second case' });
		const bare = { id: newId(), case: back, from: 'escalated' as const, to: 'submitted' as const, at: Date.now(), by: who.street?.actor as Actor };
		addAnswer(refs, bare);
		// A refused write stays on the device that made it (the app checks first); the answer is given again, with guidance.
		const again = await live('street', referralsDocName(C));
		const guided = { ...bare, id: newId(), reason: '用地可在小区内解决，请社区与物业协商' };
		addAnswer(again, guided);
		await waitFor(() => readProposal(facDoc).timeline.status === 'submitted', { what: 'the return at the community' });
		const p = readProposal(facDoc);
		expect(p.level).toBe('community');
		const returned = p.timeline.events.at(-1);
		expect(returned?.type === 'transition' && returned.reason).toBe('用地可在小区内解决，请社区与物业协商');
		expect(p.timeline.events.some((e) => e.id === bare.id)).toBe(false);
	});
});
