import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from 'y-prosemirror';
import { attendanceSummary, richPlainText, sanitizeRich, voteResult } from '../domain/meeting';
import { minutesSchema } from '../components/minutes/schema';
import { minutesDocName } from './doc-names';
import { indexEntry } from './index-entry';
import {
	checkIn,
	createMinutes,
	MINUTES_CONTENT,
	putDecision,
	readMinutes,
	readMinutesContent,
	recordChoice,
	recordHands,
	addVote,
	setAttendeeRemoved,
	setNotes
} from './minutes-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { facilitatorActor, secondFacilitatorActor } from '../domain/testing';

const zhou = facilitatorActor();
const lin = secondFacilitatorActor();
const sections = [{ title: '一、楼道爱心椅' }, { title: '二、其他事项' }];

describe('minutes template', () => {
	it('is what the ProseMirror editor reads: a heading and an empty paragraph per section', () => {
		const doc = new Y.Doc();
		createMinutes(doc, { meetingId: 'm1', title: '3栋板凳会', sections });
		const pm = yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(MINUTES_CONTENT));
		// The schema accepts it as a document (throws otherwise).
		minutesSchema.nodeFromJSON(pm).check();
		expect(readMinutesContent(doc)).toEqual({
			type: 'doc',
			content: [
				{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: '一、楼道爱心椅' }] },
				{ type: 'paragraph' },
				{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: '二、其他事项' }] },
				{ type: 'paragraph' }
			]
		});
	});

	it('made on two devices offline merges into one copy', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		createMinutes(a, { meetingId: 'series-20250520', title: '周二说事', sections });
		createMinutes(b, { meetingId: 'series-20250520', title: '周二说事', sections });
		sync(a, b);
		expect(readMinutesContent(a)).toEqual(readMinutesContent(b));
		expect(a.getXmlFragment(MINUTES_CONTENT).length).toBe(4);
	});

	it('two different templates both stay, and the devices still converge', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		createMinutes(a, { meetingId: 'm1', title: 't', sections });
		createMinutes(b, { meetingId: 'm1', title: 't', sections: [{ title: '临时议题' }] });
		sync(a, b);
		expect(a.getXmlFragment(MINUTES_CONTENT).length).toBe(6);
		expect(readMinutesContent(a)).toEqual(readMinutesContent(b));
	});
});

describe('minutes content', () => {
	it('reads marks, lists and headings as the editor wrote them', () => {
		const json = {
			type: 'doc',
			content: [
				{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: '议程' }] },
				{
					type: 'paragraph',
					content: [
						{ type: 'text', text: '物业', marks: [{ type: 'strong' }] },
						{ type: 'text', text: '同意出资，' },
						{ type: 'text', text: '详见公告', marks: [{ type: 'link', attrs: { href: 'https://example.org/n/1', title: null } }] }
					]
				},
				{ type: 'bullet_list', content: [{ type: 'list_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: '3栋先行' }] }] }] }
			]
		};
		const doc = new Y.Doc();
		prosemirrorJSONToYXmlFragment(minutesSchema, json, doc.getXmlFragment(MINUTES_CONTENT));
		expect(sanitizeRich(readMinutesContent(doc))).toEqual(sanitizeRich(json));
		expect(richPlainText(readMinutesContent(doc))).toBe('议程\n物业同意出资，详见公告\n3栋先行');
	});
});

describe('minutes records', () => {
	it('check-ins, hand counts, choices and decisions from two devices merge', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		createMinutes(a, { meetingId: 'm1', title: '板凳会', sections });
		sync(a, b);
		checkIn(a, { id: 'p1', name: '张桂英', capacity: 'building_head', at: 1, by: zhou });
		checkIn(b, { id: 'p2', name: '李建国', capacity: 'resident_rep', at: 2, by: lin });
		checkIn(b, { id: 'p3', name: '误签', capacity: 'resident', at: 3, by: lin });
		setAttendeeRemoved(b, 'p3', true);
		addVote(a, { id: 'v1', question: '加装？', options: [{ id: 'yes', label: '同意' }, { id: 'no', label: '不同意' }], mode: 'hands', at: 4, by: zhou });
		sync(a, b);
		recordHands(a, { id: 'h1', vote: 'v1', counts: { yes: 1 }, at: 5, by: zhou });
		recordHands(b, { id: 'h2', vote: 'v1', counts: { yes: 2 }, at: 6, by: lin });
		putDecision(b, { id: 'd1', text: '加装', proposals: ['demo:proposal:p1'], at: 7, by: lin });
		recordChoice(a, { vote: 'v1', attendee: 'p1', option: 'yes', at: 8, by: zhou });
		setNotes(a, '物业代表迟到。');
		sync(a, b);
		const m = readMinutes(b);
		expect(attendanceSummary(m.attendees)).toMatchObject({ total: 2, byCapacity: { building_head: 1, resident_rep: 1 } });
		const r = voteResult(m.votes[0]!, m.hands, m.choices, m.attendees);
		expect(r.options.map((o) => o.count)).toEqual([2, 0]);
		expect(r.carried).toBe('yes');
		expect(m.decisions.map((d) => d.id)).toEqual(['d1']);
		expect(m.choices).toHaveLength(1);
		expect(m.notes).toBe('物业代表迟到。');
	});

	it('private notes merge character-wise', () => {
		const a = new Y.Doc();
		createMinutes(a, { meetingId: 'm1', title: 't', sections: [] });
		setNotes(a, '开头。结尾。');
		const b = new Y.Doc();
		sync(a, b);
		setNotes(a, '开头。甲补充。结尾。');
		setNotes(b, '开头。结尾。乙补充。');
		sync(a, b);
		expect(readMinutes(a).notes).toBe('开头。甲补充。结尾。乙补充。');
	});

	it('ignores damaged records', () => {
		const doc = new Y.Doc();
		createMinutes(doc, { meetingId: 'm1', title: 't', sections: [] });
		doc.getMap('attendance').set('x', { id: 'x', name: 'x', capacity: 'king', at: 1, by: zhou });
		doc.getMap('decisions').set('y', { id: 'y', text: 5 });
		const m = readMinutes(doc);
		expect(m.attendees).toEqual([]);
		expect(m.decisions).toEqual([]);
	});

	it('is indexed under its meeting title with the attendance count', () => {
		const doc = new Y.Doc();
		expect(indexEntry(minutesDocName('demo', 'm1'), doc)).toBeNull();
		createMinutes(doc, { meetingId: 'm1', title: '3栋板凳会', sections });
		checkIn(doc, { id: 'p1', name: '张桂英', capacity: 'building_head', at: 50, by: zhou });
		expect(indexEntry(minutesDocName('demo', 'm1'), doc)).toMatchObject({ kind: 'minutes', title: '3栋板凳会', count: 1, updated: 50 });
	});
});
