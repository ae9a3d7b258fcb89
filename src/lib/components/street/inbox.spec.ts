import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '$lib/domain/actor';
import type { ProposalStatus } from '$lib/domain/proposal';
import { referralsDocName, topicDocName } from '$lib/schema/doc-names';
import { addAnswer, readReferrals, type ReferralCase, setCase, setReceipt, type StreetAnswer } from '$lib/schema/referrals-doc';
import { gridLookup, judgeWrite, type Writer } from '$lib/schema/write-rules';
import { answerIssues, answerOptions, answerState, buildAnswer, citedReason, inbox, mayAnswer, waitingCount, type AnswerDraft } from './inbox';

const STREET = 'qingliu';
const street: Writer = { device: 'dev-street', role: 'street_admin', household: null, grids: [] };
const me: Actor = { id: 'dev-street', name: '街道办小陈', role: 'street_admin' };

const kase = (over: Partial<ReferralCase> = {}): ReferralCase => ({
	id: 'lift',
	doc: 'east:proposal:lift',
	community: 'east',
	title: '加装电梯',
	description: '1栋老人多。',
	category: 'facilities',
	kind: 'joint',
	coSigners: 3,
	supporters: 5,
	filed: 1_000,
	referredAt: 5_000,
	status: 'escalated',
	level: 'street',
	steps: [
		{ at: 2_000, from: 'submitted', to: 'escalated', role: 'facilitator', level: 'street', reason: '超出社区能力' }
	],
	...over
});

/** A referrals document as the relay holds it: the cases it copied there. */
function stored(...cases: ReferralCase[]): Y.Doc {
	const doc = new Y.Doc();
	for (const c of cases) setCase(doc, c);
	return doc;
}

/** The relay's verdict on the street admin adding `answer` to the document `cases` built. */
function judge(answer: StreetAnswer, ...cases: ReferralCase[]) {
	const relay = stored(...cases);
	const device = new Y.Doc();
	Y.applyUpdate(device, Y.encodeStateAsUpdate(relay));
	const sv = Y.encodeStateVector(device);
	addAnswer(device, answer);
	return judgeWrite(referralsDocName('east'), street, gridLookup(new Map()), relay, Y.encodeStateAsUpdate(device, sv));
}

const draft = (to: ProposalStatus, reason = '', extra: Partial<AnswerDraft> = {}): AnswerDraft => ({ to, reason, ...extra });
let n = 0;
const meta = () => ({ id: `a${++n}`, by: me, at: 10_000 + n });

describe('the street inbox', () => {
	it('lists every community\'s cases newest first, waiting apart from handled', () => {
		const east = stored(kase({ id: 'old', referredAt: 1_000 }), kase({ id: 'done', status: 'rejected', referredAt: 9_000 }));
		const west = stored(kase({ id: 'new', community: 'west', doc: 'west:proposal:new', referredAt: 7_000 }));
		const { waiting, handled } = inbox([
			{ id: 'east', name: '东园社区', referrals: readReferrals(east) },
			{ id: 'west', name: '', referrals: readReferrals(west) }
		]);
		expect(waiting.map((i) => i.case.id)).toEqual(['new', 'old']);
		expect(waiting[0]?.community).toBe('west');
		expect(handled.map((i) => i.case.id)).toEqual(['done']);
		expect(waitingCount(readReferrals(east))).toBe(1);
		// A matter returned to the community no longer waits for the street.
		expect(waitingCount(readReferrals(stored(kase({ status: 'submitted', level: 'community' }))))).toBe(0);
	});

	it('offers the answers the status machine allows from where the case stands', () => {
		expect(answerOptions(kase()).sort()).toEqual(['accepted', 'rejected', 'settled', 'submitted', 'topic']);
		expect(answerOptions(kase({ status: 'accepted' })).sort()).toEqual(['settled', 'topic']);
		// In a street topic: deliberated (at a street meeting), decided, carried out and closed from here.
		expect(answerOptions(kase({ status: 'topic' }))).toEqual(['deliberating']);
		expect(answerOptions(kase({ status: 'decided' })).sort()).toEqual(['funding', 'in_progress']);
		expect(answerOptions(kase({ status: 'rejected' }))).toEqual([]);
		expect(answerOptions(kase({ status: 'submitted', level: 'community' }))).toEqual([]);
	});

	it('builds answers the relay takes, for every answer offered', () => {
		const c = kase();
		const topic = topicDocName(STREET, 't1');
		const drafts: Record<string, AnswerDraft> = {
			accepted: draft('accepted'),
			rejected: draft('rejected', citedReason('请向区住建部门反映。', '【负面清单第6条】')),
			submitted: draft('submitted', '请社区先与物业协商。'),
			settled: draft('settled', '已协调电梯公司上门检修。'),
			topic: draft('topic', '', { target: topic, targetTitle: '老旧小区加装电梯' })
		};
		for (const to of answerOptions(c)) {
			const d = drafts[to] as AnswerDraft;
			expect(answerIssues(c, d), to).toEqual([]);
			const answer = buildAnswer(c, d, meta());
			expect(answer.from).toBe('escalated');
			expect(judge(answer, c), to).toEqual({ ok: true });
		}
		const joined = buildAnswer(c, drafts.topic as AnswerDraft, meta());
		expect(joined).toMatchObject({ target: topic, targetTitle: '老旧小区加装电梯' });
	});

	it('catches in the form what the relay would refuse', () => {
		const c = kase();
		for (const to of ['rejected', 'submitted', 'settled'] as const) {
			expect(answerIssues(c, draft(to, '  ')), to).toEqual(['reason']);
			expect(judge(buildAnswer(c, draft(to, '  '), meta()), c), to).toMatchObject({ ok: false, reason: expect.stringMatching(/needs a reason/) });
		}
		expect(answerIssues(c, draft('topic'))).toEqual(['target']);
		expect(answerIssues(c, draft('topic', '', { target: 'east:proposal:x', targetTitle: 'x' }))).toEqual(['target']);
		expect(answerIssues(kase({ status: 'accepted' }), draft('rejected', '理由'))).toEqual(['option']);
		// A case the document does not hold is refused.
		expect(judge(buildAnswer(kase({ id: 'ghost' }), draft('accepted'), meta()), c)).toMatchObject({ ok: false });
		// Another role's actor in the answer is refused too: the form always writes this device's actor.
		expect(judge({ ...buildAnswer(c, draft('accepted'), meta()), by: { ...me, role: 'facilitator' } }, c)).toMatchObject({ ok: false });
	});

	it('says what became of an answer, and when a case takes a new one', () => {
		const c = kase();
		const doc = stored(c);
		const answer = buildAnswer(c, draft('accepted'), meta());
		addAnswer(doc, answer);
		const item = () => inbox([{ id: 'east', name: '东园社区', referrals: readReferrals(doc) }]).waiting[0]!;
		expect(item().answer?.id).toBe(answer.id);
		expect(answerState(item().receipt, true)).toBe('queued');
		expect(answerState(item().receipt, false)).toBe('waiting');
		expect(mayAnswer(item())).toBe(false);

		// Applied, but the relay has not brought the case up to date yet: still no second answer.
		setReceipt(doc, answer.id, { at: 20_000, result: 'applied' });
		expect(answerState(item().receipt, false)).toBe('applied');
		expect(mayAnswer(item())).toBe(false);
		// The case follows: accepted at the street, which takes a topic or a settlement next.
		setCase(doc, { ...c, status: 'accepted' });
		expect(mayAnswer(item())).toBe(true);

		// An answer against a status that had moved on is superseded; the case is open to a new answer.
		const stale = buildAnswer(c, draft('rejected', '不属于街道职责'), { ...meta(), at: 30_000 });
		addAnswer(doc, stale);
		setReceipt(doc, stale.id, { at: 31_000, result: 'superseded' });
		expect(item().answer?.id).toBe(stale.id);
		expect(answerState(item().receipt, false)).toBe('superseded');
		expect(mayAnswer(item())).toBe(true);
	});

	it('records a cited negative-list item in the reason', () => {
		expect(citedReason('  理由 ', '【第6条】')).toBe('【第6条】 理由');
		expect(citedReason('', '【第6条】')).toBe('【第6条】');
		expect(citedReason(' 理由 ', '')).toBe('理由');
	});
});
