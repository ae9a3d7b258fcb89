import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { cstInstant, type MeetingDraft, type MinutesVersion } from '../domain/meeting';
import { meetingDocName } from './doc-names';
import { indexEntry } from './index-entry';
import { addAgendaItem, appendVersion, createMeeting, editMeeting, readMeeting } from './meeting-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { facilitatorActor, secondFacilitatorActor } from '../domain/testing';

const zhou = facilitatorActor();
const lin = secondFacilitatorActor();

const draft: MeetingDraft = {
	kind: 'deliberation',
	title: '加装电梯议事会',
	day: '2025-05-28',
	time: '19:30',
	durationMin: 90,
	place: '邻里茶馆',
	facilitator: '周敏',
	agenda: [{ title: '5栋加装电梯', topic: 'demo:topic:t1' }, { title: '其他事项' }],
	invitees: [
		{ name: '王律师', capacity: 'legal_adviser' },
		{ name: '物业经理', capacity: 'property_company' }
	]
};

function version(id: string, at: number, by = zhou): MinutesVersion {
	return {
		id,
		at,
		by,
		content: { type: 'doc' },
		attendance: { total: 3, byCapacity: { resident: 3 } },
		confirmed: 1,
		votes: [],
		decisions: [],
		actions: []
	};
}

describe('meeting document', () => {
	it('reads back the meeting with its agenda in order and its invitees', () => {
		const doc = new Y.Doc();
		createMeeting(doc, draft, { id: 'm1', actor: zhou, now: 1000 });
		const m = readMeeting(doc);
		expect(m).toMatchObject({
			id: 'm1',
			kind: 'deliberation',
			title: '加装电梯议事会',
			startsAt: cstInstant('2025-05-28', '19:30'),
			durationMin: 90,
			place: '邻里茶馆',
			facilitator: '周敏',
			recurrence: null,
			status: 'draft',
			createdBy: zhou
		});
		expect(m.agenda.map((a) => [a.title, a.topic])).toEqual([
			['5栋加装电梯', 'demo:topic:t1'],
			['其他事项', undefined]
		]);
		expect(m.invitees.map((i) => i.capacity).sort()).toEqual(['legal_adviser', 'property_company']);
	});

	it('keeps a talk day weekly slot only on a talk day', () => {
		const doc = new Y.Doc();
		createMeeting(doc, { ...draft, kind: 'talk_day', title: '周二说事', recurrence: { weekday: 2, time: '09:00' } }, { id: 's1', actor: zhou, now: 1 });
		expect(readMeeting(doc).recurrence).toEqual({ weekday: 2, time: '09:00' });
		editMeeting(doc, { ...draft, kind: 'bench', recurrence: { weekday: 2, time: '09:00' } });
		expect(readMeeting(doc).recurrence).toBeNull();
	});

	it('agenda items added on two devices both stay, and two approvals offline are numbered alike', () => {
		const a = new Y.Doc();
		createMeeting(a, draft, { id: 'm1', actor: zhou, now: 1000 });
		const b = new Y.Doc();
		sync(a, b);
		addAgendaItem(a, { id: 'x', title: '停车', order: 3 });
		addAgendaItem(b, { id: 'y', title: '垃圾分类', order: 3 });
		appendVersion(a, version('va', 5000));
		appendVersion(b, version('vb', 4000, lin));
		sync(a, b);
		const ma = readMeeting(a);
		expect(ma.agenda.map((i) => i.title)).toEqual(['5栋加装电梯', '其他事项', '停车', '垃圾分类']);
		expect(ma.versions.map((v) => [v.id, v.number, v.correction])).toEqual([
			['vb', 1, false],
			['va', 2, true]
		]);
		expect(ma.status).toBe('corrected');
		expect(readMeeting(b).versions).toEqual(ma.versions);
	});

	it('is indexed with what the meetings list shows', () => {
		const doc = new Y.Doc();
		const name = meetingDocName('demo', 'm1');
		expect(indexEntry(name, doc)).toBeNull();
		createMeeting(doc, draft, { id: 'm1', actor: zhou, now: 1000 });
		expect(indexEntry(name, doc)).toMatchObject({
			kind: 'meeting',
			title: '加装电梯议事会',
			meetingKind: 'deliberation',
			startsAt: cstInstant('2025-05-28', '19:30'),
			place: '邻里茶馆',
			minutes: 'draft',
			members: ['demo:topic:t1'],
			createdBy: 'f1'
		});
		appendVersion(doc, version('v1', 9000));
		expect(indexEntry(name, doc)).toMatchObject({ minutes: 'approved', updated: 9000 });
	});

	it('leaves out a damaged version', () => {
		const doc = new Y.Doc();
		createMeeting(doc, draft, { id: 'm1', actor: zhou, now: 1000 });
		doc.getArray('versions').push([{ id: 'bad' }]);
		expect(readMeeting(doc).versions).toEqual([]);
	});
});
