import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deliberationList, type ProposalSummary } from './topic';
import { addToTopic, createTopic, readTopic } from '../schema/topic-doc';
import { facilitatorActor } from './testing';

const actor = facilitatorActor({ name: '李社工' });

describe('topics and the deliberation list', () => {
	it('gathers proposals once each, in joining order', () => {
		const doc = new Y.Doc();
		createTopic(doc, { id: 't1', title: '单元门改造', category: 'safety', level: 'community' }, actor, 1);
		addToTopic(doc, 'demo:proposal:a', actor, 2);
		addToTopic(doc, 'demo:proposal:b', actor, 3);
		addToTopic(doc, 'demo:proposal:a', actor, 4);
		expect(readTopic(doc, 'demo:topic:t1')).toMatchObject({ title: '单元门改造', proposals: ['demo:proposal:b', 'demo:proposal:a'] });
	});

	it('counts supporters and distinct households concerned', () => {
		const p = (doc: string, household: string, coSigners: string[], supporters: string[]): ProposalSummary => ({
			doc, title: doc, status: 'topic', household, coSigners, supporters
		});
		const proposals = new Map([
			['a', p('a', 'h1', ['h2', 'h3'], ['h4'])],
			['b', p('b', 'h2', [], ['h5', 'h1'])]
		]);
		const topic = { id: 't', doc: 'd', title: 't', category: '' as const, level: 'community' as const, createdAt: 1, createdBy: null };
		const [row] = deliberationList([{ ...topic, proposals: ['a', 'b', 'missing'] }], proposals);
		expect(row!.proposals.map((x) => x.doc)).toEqual(['a', 'b']);
		expect(row!.supporters).toBe(3);
		expect(row!.households).toBe(5);
	});
});
