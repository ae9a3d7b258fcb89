import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addCoSigner, addSupporter, createProposal } from './proposal-doc';
import { addToTopic, createTopic } from './topic-doc';
import { indexEntry } from './index-entry';

const actor = { id: 'r1', name: '刘阿姨', role: 'resident' as const };

describe('indexEntry (version 2 fields)', () => {
	it('a proposal carries its description, filing time, household, co-signers and supporters', () => {
		const doc = new Y.Doc();
		createProposal(
			doc,
			{ title: '楼道清理', description: '2单元楼道堆满杂物', category: 'cleanup', kind: 'joint', channel: 'app', household: 'b01-1-101' },
			{ id: 'p1', actor, now: 1000, status: 'submitted' }
		);
		addCoSigner(doc, { household: 'b01-1-102', name: '乙', at: 2000, by: actor, channel: 'app' });
		addSupporter(doc, { id: 'b01-1-103', at: 3000, by: actor });
		const e = indexEntry('demo:proposal:p1', doc)!;
		expect(e.text).toBe('2单元楼道堆满杂物');
		expect(e.created).toBe(1000);
		expect(e.household).toBe('b01-1-101');
		expect(e.coSigners).toEqual(['b01-1-102']);
		expect(e.supporters).toEqual(['b01-1-103']);
	});

	it('a topic carries its member proposals', () => {
		const doc = new Y.Doc();
		createTopic(doc, { id: 't1', title: '楼道', category: 'cleanup', level: 'community' }, actor, 5000);
		addToTopic(doc, 'demo:proposal:p1', actor, 6000);
		const e = indexEntry('demo:topic:t1', doc)!;
		expect(e.members).toEqual(['demo:proposal:p1']);
		expect(e.created).toBe(5000);
	});
});
