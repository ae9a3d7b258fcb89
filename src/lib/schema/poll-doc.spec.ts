import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { closedAt, latestClosure, type PollDraft, pollStatus, RULES, summarize, tallyPoll } from '../domain/poll';
import { indexEntry } from './index-entry';
import { addClosure, createPoll, isPollDoc, readPoll, readPublicTally, recordHandCount, writePublicTally } from './poll-doc';
import { facilitatorActor, yesNoAbstain } from '../domain/testing';
import { syncDocs as sync } from '../domain/testing/ydocs';

const zhou = facilitatorActor();
const lin = facilitatorActor({ id: 'f2', name: '林晓燕' });

const draft: PollDraft = {
	title: ' 小游园加建凉亭 ',
	description: '居民自筹加物业补贴',
	options: yesNoAbstain('abs'),
	electorate: { scope: 'grid', ids: ['g1', 'g2'] },
	rule: RULES.civil_code,
	opensAt: 1_000,
	closesAt: 100_000,
	hideResults: true,
	matters: ['demo:proposal:pavilion', 'demo:proposal:pavilion']
};

describe('poll document', () => {
	it('round-trips a created poll', () => {
		const doc = new Y.Doc();
		expect(isPollDoc(doc)).toBe(false);
		createPoll(doc, draft, { id: 'p1', actor: zhou, now: 500 });
		const p = readPoll(doc);
		expect(isPollDoc(doc)).toBe(true);
		expect(p).toMatchObject({
			id: 'p1',
			title: '小游园加建凉亭',
			rule: RULES.civil_code,
			electorate: { scope: 'grid', ids: ['g1', 'g2'] },
			opensAt: 1_000,
			closesAt: 100_000,
			hideResults: true,
			matters: ['demo:proposal:pavilion'],
			createdBy: zhou
		});
		expect(p.options.map((o) => o.abstain ?? false)).toEqual([false, false, true]);
	});

	it('keeps both closings made offline: the earliest closes, the latest statement stands', () => {
		const a = new Y.Doc();
		createPoll(a, draft, { id: 'p1', actor: zhou, now: 500 });
		const b = new Y.Doc();
		sync(a, b);
		addClosure(a, { id: 'c-a', at: 50_000, by: zhou, outcome: '通过' });
		addClosure(b, { id: 'c-b', at: 60_000, by: lin, outcome: '通过，另需公示七天' });
		sync(a, b);
		for (const doc of [a, b]) {
			const p = readPoll(doc);
			expect(p.closures).toHaveLength(2);
			expect(closedAt(p)).toBe(50_000);
			expect(latestClosure(p)?.outcome).toBe('通过，另需公示七天');
			expect(pollStatus(p, 55_000)).toBe('closed');
		}
	});

	it('is listed in the index with its title, matters, and closed once a facilitator closes it', () => {
		const doc = new Y.Doc();
		expect(indexEntry('demo:poll:p1', doc)).toBeNull();
		createPoll(doc, draft, { id: 'p1', actor: zhou, now: 500 });
		expect(indexEntry('demo:poll:p1', doc)).toMatchObject({ kind: 'poll', title: '小游园加建凉亭', status: 'voting', created: 500, members: ['demo:proposal:pavilion'] });
		addClosure(doc, { id: 'c', at: 9_000, by: zhou, outcome: '通过' });
		expect(indexEntry('demo:poll:p1', doc)).toMatchObject({ status: 'closed', updated: 9_000 });
	});

	it('stores hand counts and the relay-written public tally', () => {
		const doc = new Y.Doc();
		createPoll(doc, { ...draft, rule: RULES.simple_majority }, { id: 'p1', actor: zhou, now: 500 });
		recordHandCount(doc, { id: 'h1', session: '院坝会', at: 2_000, by: zhou, counts: { yes: 12, no: 3 } });
		doc.getMap('handCounts').set('junk', { id: 'junk', counts: { yes: -4 } });
		const p = readPoll(doc);
		expect(p.handCounts.map((h) => h.id)).toEqual(['h1']);
		const tally = { ...summarize(tallyPoll(p, [{ id: 'x', area: 1 }], [])), at: 3_000, final: false };
		expect(tally.participants.hands).toBe(15);
		expect(readPublicTally(doc)).toBeNull();
		writePublicTally(doc, tally);
		expect(readPublicTally(doc)).toEqual(tally);
	});

	it('falls back to the strictest rule when the stored rule is damaged', () => {
		const doc = new Y.Doc();
		createPoll(doc, draft, { id: 'p1', actor: zhou, now: 500 });
		doc.getMap('meta').set('rule', { kind: 'simple_majority' });
		expect(readPoll(doc).rule).toEqual(RULES.civil_code_major);
	});
});
