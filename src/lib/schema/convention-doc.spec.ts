import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	anchorPassage,
	CONVENTION_CONTENT,
	plainText,
	putRatification,
	putResult,
	putSuggestion,
	putVerdict,
	putVersion,
	readConvention,
	resolveAnchor,
	startConvention
} from './convention-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { facilitatorActor, residentActor } from '../domain/testing';

const ZHOU = facilitatorActor({ id: 'staff-zhou' });
const WANG = residentActor({ id: 'dev-wang', name: '王阿姨' });

function draft(): Y.Doc {
	const doc = new Y.Doc();
	startConvention(doc, { id: 'c1', title: '活动室使用公约', scope: { kind: 'room', room: 'room-1' }, by: ZHOU, at: 1 }, '一、开放时间：早八点到晚上九点。');
	const p = new Y.XmlElement('paragraph');
	p.insert(0, [new Y.XmlText('二、用后请关灯、关窗、打扫干净。')]);
	doc.getXmlFragment(CONVENTION_CONTENT).push([p]);
	return doc;
}
const firstText = (doc: Y.Doc, i: number) => (doc.getXmlFragment(CONVENTION_CONTENT).get(i) as Y.XmlElement).get(0) as Y.XmlText;

describe('suggestion anchors', () => {
	it('quote the passage and find it again after edits before, inside the paragraph and above it', () => {
		const doc = draft();
		const text = plainText(doc);
		expect(text).toBe('一、开放时间：早八点到晚上九点。\n二、用后请关灯、关窗、打扫干净。');
		const anchor = anchorPassage(doc, 0, 11, 14)!;
		expect(anchor.quote).toBe('晚上九');
		// Text typed before the passage, and a new paragraph above it.
		firstText(doc, 0).insert(0, '【试行】');
		const top = new Y.XmlElement('paragraph');
		top.insert(0, [new Y.XmlText('为了大家方便，制定本公约。')]);
		doc.getXmlFragment(CONVENTION_CONTENT).insert(0, [top]);
		// Text typed in place of the whole passage stays in it; text typed before it stays out.
		const moved = resolveAnchor(doc, anchor)!;
		expect(moved).toMatchObject({ paragraph: 1, text: '晚上九' });
		firstText(doc, 1).insert(moved.from, '（注）');
		expect(resolveAnchor(doc, anchor)?.text).toBe('晚上九');
		const at = resolveAnchor(doc, anchor)!.from;
		firstText(doc, 1).delete(at, 3);
		firstText(doc, 1).insert(at, '夜里十');
		expect(resolveAnchor(doc, anchor)?.text).toBe('夜里十');
	});

	it('survive a concurrent edit merged from another device', () => {
		const a = draft();
		const b = new Y.Doc();
		sync(a, b);
		const anchor = anchorPassage(a, 1, 5, 7)!;
		expect(anchor.quote).toBe('关灯');
		firstText(b, 1).insert(2, '每次');
		firstText(b, 0).delete(0, 2);
		sync(a, b);
		expect(resolveAnchor(a, anchor)?.text).toBe('关灯');
		expect(resolveAnchor(b, anchor)?.text).toBe('关灯');
	});

	it('resolve to nothing when the passage is deleted, or when corrupt', () => {
		const doc = draft();
		const anchor = anchorPassage(doc, 1, 5, 7)!;
		firstText(doc, 1).delete(6, 1);
		expect(resolveAnchor(doc, anchor)?.text).toBe('关');
		firstText(doc, 1).delete(3, 4);
		expect(resolveAnchor(doc, anchor)).toBeNull();
		expect(resolveAnchor(doc, { start: '!!', end: 'AAAA' })).toBeNull();
		expect(anchorPassage(doc, 9, 0, 1)).toBeNull();
		expect(anchorPassage(doc, 0, 3, 3)).toBeNull();
	});
});

describe('the convention document', () => {
	it('folds records written on several devices', () => {
		const staff = draft();
		const resident = new Y.Doc();
		sync(staff, resident);
		const anchor = anchorPassage(resident, 0, 12, 16)!;
		putSuggestion(resident, { id: 's1', kind: 'change', anchor, quote: anchor.quote, replacement: '晚上八点半', comment: '老人睡得早', by: WANG, at: 10 });
		sync(staff, resident);
		putVerdict(staff, { suggestion: 's1', verdict: 'accepted', by: ZHOU, at: 20, note: '' });
		putVersion(staff, { n: 1, text: plainText(staff), rules: null, accepted: ['s1'], by: ZHOU, at: 30, note: '' });
		putRatification(staff, { id: 'r1', version: 1, poll: 'p1', rule: 'civil_code', by: ZHOU, at: 40 });
		putResult(staff, { ratification: 'r1', outcome: 'carried', day: '2026-12-20', by: ZHOU, at: 50 });
		sync(staff, resident);
		const state = readConvention(resident)!;
		expect(state.meta.title).toBe('活动室使用公约');
		expect(state.suggestions[0]?.verdict?.verdict).toBe('accepted');
		expect(state.inForce).toMatchObject({ since: '2026-12-20', version: { n: 1 } });
		expect(readConvention(new Y.Doc())).toBeNull();
	});
});
