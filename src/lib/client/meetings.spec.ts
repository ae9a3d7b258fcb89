import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { addDays, cstDay } from '../domain/calendar';
import { richPlainText } from '../domain/meeting';
import { meetingDraft, pollDraft } from '../domain/testing';
import { readBallots } from '../schema/ballots-doc';
import { readMeeting } from '../schema/meeting-doc';
import { readMinutes } from '../schema/minutes-doc';
import { readPoll } from '../schema/poll-doc';
import { createProposal, readProposal } from '../schema/proposal-doc';
import { addToTopic, createTopic } from '../schema/topic-doc';
import { DocStore } from './doc-store';
import {
	addAction,
	addDecision,
	addPollVote,
	addVote,
	ApprovalRefusedError,
	approveMinutes,
	checkIn,
	createMeeting,
	DateReasonRequiredError,
	InvalidMeetingInputError,
	type MeetingsApp,
	openSession,
	recordChoice,
	recordHands,
	saveNotes,
	setConfirmed
} from './meetings';
import { createPoll } from './polls';
import { specStores } from './spec-stores';

const zhou: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };

let n = 0;
const openStore = specStores();
function device(actor: Actor): MeetingsApp {
	const id = `meetings-${++n}`;
	const store = openStore(id, `${id}/`);
	return { store, community: 'demo', device: { id: `dev-${actor.id}` }, actorSnapshot: () => actor };
}

async function withDoc<T>(app: MeetingsApp, name: string, fn: (h: Awaited<ReturnType<DocStore['openDoc']>>) => T | Promise<T>): Promise<T> {
	const h = await app.store.openDoc(name);
	try {
		return await fn(h);
	} finally {
		h.release();
	}
}

const read = <T>(app: MeetingsApp, name: string, fn: (doc: Y.Doc) => T) => withDoc(app, name, (h) => fn(h.doc));

const draft = meetingDraft({ title: '3栋楼道爱心椅板凳会' });
const sections = [{ title: '一、楼道爱心椅' }, { title: '二、其他事项' }];

async function proposal(app: MeetingsApp, id: string) {
	await withDoc(app, `demo:proposal:${id}`, async (h) => {
		createProposal(h.doc, { title: id, description: 'x', category: 'facilities', kind: 'individual', channel: 'app' }, { id, actor: zhou, now: 1, status: 'submitted' });
		await h.saved();
	});
}

describe('meeting actions', () => {
	it('schedules a meeting and its private minutes with the template, both on disk and pending', async () => {
		const app = device(zhou);
		const name = await createMeeting(app, draft, sections);
		const id = name.split(':')[2]!;
		expect(await app.store.db.index.get(name)).toMatchObject({ kind: 'meeting', title: draft.title, meetingKind: 'bench', minutes: 'draft' });
		expect(await app.store.db.syncState.get(`demo:minutes:${id}`)).toMatchObject({ dirty: 1 });
		const minutes = await read(app, `demo:minutes:${id}`, readMinutes);
		expect(richPlainText(minutes.content)).toBe('一、楼道爱心椅\n\n二、其他事项\n');
		await expect(createMeeting(app, { ...draft, place: '' }, sections)).rejects.toThrow(InvalidMeetingInputError);
	});

	it('opens one session of a talk day however often it is opened', async () => {
		const app = device(zhou);
		const seriesName = await createMeeting(app, { ...draft, kind: 'talk_day', title: '周二说事', recurrence: { weekday: 2, time: '09:00' } }, sections);
		const series = await read(app, seriesName, readMeeting);
		const a = await openSession(app, { doc: seriesName, meeting: series }, '2025-05-27', sections);
		const b = await openSession(app, { doc: seriesName, meeting: series }, '2025-05-27', sections);
		expect(a).toBe(b);
		expect(a).toBe(`${seriesName}-20250527`);
		const session = await read(app, a, readMeeting);
		expect(session).toMatchObject({ kind: 'talk_day', title: '周二说事', series: seriesName, recurrence: null });
		const minutes = await read(app, `demo:minutes:${a.split(':')[2]}`, readMinutes);
		expect(richPlainText(minutes.content).match(/其他事项/g)).toHaveLength(1);
	});

	it('approval publishes the minutes and puts each decision into its proposals’ timelines; a correction adds what changed', async () => {
		const app = device(zhou);
		await proposal(app, 'p1');
		await proposal(app, 'p2');
		await withDoc(app, 'demo:topic:t1', async (h) => {
			createTopic(h.doc, { id: 't1', title: '爱心椅', category: 'facilities', level: 'community' }, zhou, 1);
			addToTopic(h.doc, 'demo:proposal:p1', zhou, 2);
			await h.saved();
		});
		const name = await createMeeting(app, draft, sections);
		const minutesName = `demo:minutes:${name.split(':')[2]}`;
		const meeting = await app.store.openDoc(name);
		const minutes = await app.store.openDoc(minutesName);
		try {
			await expect(approveMinutes(app, meeting, minutes)).rejects.toThrow(ApprovalRefusedError);
			const a = await checkIn(app, minutes, { name: '张桂英', capacity: 'building_head' });
			await checkIn(app, minutes, { name: '李建国', capacity: 'resident_rep' });
			await checkIn(app, minutes, { name: '物业小陈', capacity: 'property_company' });
			const vote = await addVote(app, minutes, {
				question: '是否加装？',
				options: [
					{ id: 'yes', label: '同意' },
					{ id: 'no', label: '不同意' }
				],
				mode: 'hands'
			});
			await recordHands(app, minutes, vote, { yes: 3, no: 0 });
			const d = await addDecision(app, minutes, { text: '3栋加装折叠椅', topic: 'demo:topic:t1', proposals: ['demo:proposal:p2'], vote: vote.id });
			expect(d.proposals.sort()).toEqual(['demo:proposal:p1', 'demo:proposal:p2']);
			await addAction(app, minutes, { task: '采购折叠椅', owner: '物业公司', due: '2025-06-10', decision: d.id });
			await saveNotes(minutes, '私下：物业预算偏紧。');
			await setConfirmed(app, minutes, a.id, true);

			const { version, proposals } = await approveMinutes(app, meeting, minutes);
			expect(proposals.sort()).toEqual(['demo:proposal:p1', 'demo:proposal:p2']);
			expect(version.attendance).toEqual({ total: 3, byCapacity: { building_head: 1, resident_rep: 1, property_company: 1 } });
			expect(version.votes[0]).toMatchObject({ carried: 'yes', total: 3 });
			expect(JSON.stringify(version)).not.toContain('物业预算偏紧');
			expect(readMeeting(meeting.doc)).toMatchObject({ status: 'approved' });
			expect(await app.store.db.index.get(name)).toMatchObject({ minutes: 'approved' });

			const events = await read(app, 'demo:proposal:p1', (doc) => readProposal(doc).timeline.events);
			expect(events.at(-1)).toMatchObject({
				type: 'decision',
				meeting: name,
				text: '3栋加装折叠椅',
				channel: 'meeting',
				actions: [{ task: '采购折叠椅', owner: '物业公司', due: '2025-06-10' }]
			});

			// Nothing changed: no correction; a changed action with a note is one.
			await expect(approveMinutes(app, meeting, minutes, '无')).rejects.toThrow(/unchanged/);
			await addAction(app, minutes, { task: '张贴使用须知', owner: '楼长张桂英', decision: d.id });
			const second = await approveMinutes(app, meeting, minutes, '补记一项行动');
			expect(second.proposals.sort()).toEqual(['demo:proposal:p1', 'demo:proposal:p2']);
			expect(readMeeting(meeting.doc).versions.map((v) => [v.number, v.correction, v.note])).toEqual([
				[1, false, undefined],
				[2, true, '补记一项行动']
			]);
			const after = await read(app, 'demo:proposal:p2', (doc) => readProposal(doc).timeline.events.filter((e) => e.type === 'decision'));
			expect(after.map((e) => e.type === 'decision' && !!e.correction)).toEqual([false, true]);
		} finally {
			meeting.release();
			minutes.release();
		}
	});

	it('a roll call on a poll question casts the ballot of each attendee checked in with their household', async () => {
		const app = device(zhou);
		const poll = await createPoll(app, pollDraft({ title: '楼道加装爱心椅', opensAt: Date.now() - 1000 }, Date.now()));
		const name = await createMeeting(app, draft, sections);
		await withDoc(app, `demo:minutes:${name.split(':')[2]}`, async (minutes) => {
			const vote = await addPollVote(app, minutes, poll, 'roll');
			const owner = await checkIn(app, minutes, { name: '张桂英', capacity: 'building_head', household: { id: 'b03-1-201', grid: 'g1' } });
			const guest = await checkIn(app, minutes, { name: '物业小陈', capacity: 'property_company' });
			expect(await recordChoice(app, minutes, vote, owner, 'yes')).toBe(true);
			expect(await recordChoice(app, minutes, vote, guest, 'no')).toBe(false);
			expect(readMinutes(minutes.doc).choices.map((c) => c.option).sort()).toEqual(['no', 'yes']);
		});
		const ballots = await read(app, `demo:ballots:g1_${poll.split(':')[2]}`, readBallots);
		expect(ballots).toMatchObject([{ household: 'b03-1-201', option: 'yes', channel: 'meeting', by: zhou }]);
	});

	it('a show of hands on a poll question feeds the poll as this meeting’s hand count', async () => {
		const app = device(zhou);
		const poll = await createPoll(app, pollDraft({ title: '楼道加装爱心椅', opensAt: Date.now() - 1000 }, Date.now()));
		const name = await createMeeting(app, draft, sections);
		await withDoc(app, `demo:minutes:${name.split(':')[2]}`, async (minutes) => {
			const vote = await addPollVote(app, minutes, poll, 'hands');
			expect(vote).toMatchObject({ question: '楼道加装爱心椅', poll, options: [{ id: 'yes' }, { id: 'no' }] });
			await recordHands(app, minutes, vote, { yes: 7, no: 2 });
			await recordHands(app, minutes, vote, { yes: 8, no: 2 });
		});
		const counts = await read(app, poll, (doc) => readPoll(doc).handCounts);
		expect(counts.map((c) => [c.session, c.counts])).toEqual([
			[name, { yes: 7, no: 2 }],
			[name, { yes: 8, no: 2 }]
		]);
	});

	it('refuses a check-in, a count or an approval before the meeting\'s day without a reason, and keeps the reason given', async () => {
		const app = device(zhou);
		const later = { ...draft, day: addDays(cstDay(Date.now()), 6), agenda: [] };
		const name = await createMeeting(app, later, sections);
		const meeting = await app.store.openDoc(name);
		const minutes = await app.store.openDoc(`demo:minutes:${name.split(':')[2]}`);
		try {
			const dated = { meeting: readMeeting(meeting.doc) };
			await expect(checkIn(app, minutes, { name: '张桂英', capacity: 'building_head' }, dated)).rejects.toThrow(DateReasonRequiredError);
			await expect(checkIn(app, minutes, { name: '张桂英', capacity: 'building_head' }, { ...dated, reason: ' ' })).rejects.toThrow(DateReasonRequiredError);
			expect(readMinutes(minutes.doc).attendees).toEqual([]);
			const a = await checkIn(app, minutes, { name: '张桂英', capacity: 'building_head' }, { ...dated, reason: '补录纸质签到表' });
			expect(readMinutes(minutes.doc).attendees.map((x) => x.reason)).toEqual(['补录纸质签到表']);
			const vote = await addVote(app, minutes, { question: '是否加装？', mode: 'hands', options: [{ id: 'yes', label: '同意' }, { id: 'no', label: '不同意' }] });
			await expect(recordHands(app, minutes, vote, { yes: 1 }, dated)).rejects.toThrow(DateReasonRequiredError);
			await recordHands(app, minutes, vote, { yes: 1 }, { ...dated, reason: '补录' });
			expect(readMinutes(minutes.doc).hands.map((h) => h.reason)).toEqual(['补录']);
			await addDecision(app, minutes, { text: '加装。', proposals: [] });
			await setConfirmed(app, minutes, a.id, true);
			await expect(approveMinutes(app, meeting, minutes)).rejects.toThrow(/date_reason/);
			const { version } = await approveMinutes(app, meeting, minutes, '', '会议提前举行');
			expect(readMeeting(meeting.doc).versions.map((v) => v.reason)).toEqual(['会议提前举行']);
			expect(version.reason).toBe('会议提前举行');
		} finally {
			meeting.release();
			minutes.release();
		}
	});
});
