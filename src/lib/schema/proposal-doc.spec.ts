import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addCoSigner, appendEvent, createProposal, editProposal, readProposal } from './proposal-doc';
import { docName, parseDocName } from './doc-names';
import { indexEntry } from './index-entry';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { facilitatorActor, residentActor } from '../domain/testing';

const resident = residentActor({ name: '王阿姨' });
const facilitator = facilitatorActor({ name: '李社工' });

function newProposal() {
	const doc = new Y.Doc();
	createProposal(
		doc,
		{ title: '单元门更换', description: '门禁坏了三个月。', category: 'safety', kind: 'joint', channel: 'visit', household: 'h1' },
		{ id: 'p1', actor: resident, now: 1000, status: 'submitted' }
	);
	return doc;
}

describe('document names', () => {
	it('round-trips and rejects malformed names', () => {
		expect(parseDocName(docName('demo', 'proposal', 'abc_1'))).toEqual({ community: 'demo', kind: 'proposal', id: 'abc_1' });
		for (const bad of ['demo:proposal', 'demo:secret:1', 'de mo:proposal:1', 'a:proposal:b:c', '', `demo:proposal:${'x'.repeat(65)}`]) {
			expect(parseDocName(bad)).toBeNull();
		}
		expect(() => docName('demo', 'proposal', 'a/b')).toThrow();
	});
});

describe('proposal document', () => {
	it('reads back what was created', () => {
		const p = readProposal(newProposal());
		expect(p).toMatchObject({ id: 'p1', title: '单元门更换', category: 'safety', kind: 'joint', channel: 'visit', household: 'h1' });
		expect(p.timeline.status).toBe('submitted');
		expect(p.createdBy).toEqual(resident);
	});

	it('merges concurrent edits of different fields and of the description text', () => {
		const a = newProposal();
		const b = new Y.Doc();
		sync(a, b);
		editProposal(a, { title: '更换三单元单元门' }, resident, 'app', 2000);
		editProposal(b, { description: '门禁坏了三个月，老人进出不便。' }, facilitator, 'meeting', 2001);
		editProposal(a, { description: '单元门禁坏了三个月。' }, resident, 'app', 2002);
		sync(a, b);
		const pa = readProposal(a);
		expect(pa).toEqual(readProposal(b));
		expect(pa.title).toBe('更换三单元单元门');
		expect(pa.description).toBe('单元门禁坏了三个月，老人进出不便。');
		expect(pa.timeline.events.filter((e) => e.type === 'edited')).toHaveLength(3);
	});

	it('keeps both offline screening decisions, showing one and superseding the other', () => {
		const a = newProposal();
		const b = new Y.Doc();
		sync(a, b);
		appendEvent(a, { id: 'x1', type: 'transition', at: 3000, by: facilitator, channel: 'app', from: 'submitted', to: 'accepted' });
		appendEvent(b, { id: 'x2', type: 'transition', at: 3500, by: { ...facilitator, id: 'f2' }, channel: 'app', from: 'submitted', to: 'rejected', reason: '重复', negativeItem: 11 });
		sync(a, b);
		const t = readProposal(a).timeline;
		expect(t.status).toBe('accepted');
		expect(t.superseded.has('x2')).toBe(true);
		expect(readProposal(b).timeline.status).toBe('accepted');
	});

	it('counts one co-signature per household however often it is recorded', () => {
		const doc = newProposal();
		addCoSigner(doc, { household: 'h2', name: '赵', at: 1, by: resident, channel: 'app' });
		addCoSigner(doc, { household: 'h2', name: '赵', at: 2, by: facilitator, channel: 'visit' });
		addCoSigner(doc, { household: 'h3', name: '钱', at: 3, by: resident, channel: 'app' });
		expect(readProposal(doc).coSigners.map((c) => c.household)).toEqual(['h2', 'h3']);
	});

	it('derives the index entry', () => {
		const entry = indexEntry('demo:proposal:p1', newProposal());
		expect(entry).toMatchObject({ kind: 'proposal', title: '单元门更换', status: 'submitted', category: 'safety', createdBy: 'r1' });
		expect(indexEntry('demo:proposal:p2', new Y.Doc())).toBeNull();
	});
});
