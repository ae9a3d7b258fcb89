/**
 * Demo meetings for the demo community (invented names, as in demo-seed.ts): a bench meeting held on the
 * stairwell seats with approved minutes, an upcoming deliberation meeting on EV charging with its minutes
 * template ready, and a weekly talk day (周二说事). Written with the schema writers, like the rest of the demo.
 *
 * `timeline` lists the decision events the approved minutes put into the proposals concerned; whoever seeds the
 * proposals appends them (appendEvent), so each proposal shows the meeting's decision.
 */
import * as Y from 'yjs';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import {
	type Attendee,
	cstInstant,
	decisionEvents,
	foldVersions,
	type MeetingDraft,
	type MinutesVersion,
	publication,
	weekdayOf
} from '../../src/lib/domain/meeting';
import type { TimelineEvent } from '../../src/lib/domain/proposal';
import { meetingDocName, minutesDocName, proposalDocName, topicDocName } from '../../src/lib/schema/doc-names';
import { appendVersion, createMeeting } from '../../src/lib/schema/meeting-doc';
import {
	addVote,
	checkIn,
	confirm,
	createMinutes,
	MINUTES_CONTENT,
	putAction,
	putDecision,
	readMinutes,
	recordHands,
	setNotes
} from '../../src/lib/schema/minutes-doc';
import { LIN, ZHOU } from './staff';

const COMMUNITY = 'demo';
const DAY = 86_400_000;

export interface DemoMeetingDoc {
	name: string;
	doc: Y.Doc;
}

export interface DemoMeetings {
	docs: DemoMeetingDoc[];
	/** Decision events for the proposals concerned, to append to their timelines. */
	timeline: { proposal: string; event: TimelineEvent }[];
}

const sections = (agenda: MeetingDraft['agenda']) =>
	[...agenda.map((a) => a.title), '其他事项'].map((title, i) => ({ title: `${i + 1}. ${title}` }));

/** Writes `text` into the empty paragraph under the template's section `index` (0-based). */
function fillSection(doc: Y.Doc, index: number, text: string): void {
	const paragraph = doc.getXmlFragment(MINUTES_CONTENT).get(index * 2 + 1);
	if (paragraph instanceof Y.XmlElement) paragraph.insert(0, [new Y.XmlText(text)]);
}

function benchMeeting(now: number): { docs: DemoMeetingDoc[]; timeline: DemoMeetings['timeline'] } {
	const id = 'bench-stair-seats';
	const day = cstDay(now - 100 * DAY);
	const draft: MeetingDraft = {
		kind: 'bench',
		title: '3栋楼道爱心座椅板凳会',
		day,
		time: '19:00',
		durationMin: 60,
		place: '3栋楼下院坝',
		facilitator: ZHOU.name,
		// The demo's topic of the stairwell-seats proposal (demo-projects.ts).
		agenda: [{ title: '楼道加装折叠座椅', topic: topicDocName(COMMUNITY, 'stair-seats') }, { title: '费用分担方式' }],
		invitees: [
			{ name: '王淑珍', capacity: 'building_head' },
			{ name: '物业 陈经理', capacity: 'property_company' },
			{ name: '刘建国', capacity: 'resident_rep' }
		]
	};
	const startsAt = cstInstant(day, draft.time);
	const meeting = new Y.Doc();
	createMeeting(meeting, draft, { id, actor: ZHOU, now: startsAt - 5 * DAY });
	const minutes = new Y.Doc();
	createMinutes(minutes, { meetingId: id, title: draft.title, sections: sections(draft.agenda) });
	fillSection(minutes, 0, '王淑珍介绍：3栋有17位70岁以上老人，住四楼以上的有9位。大家同意在每个单元二、四楼转角加装壁挂式折叠座椅，不占通道。');
	fillSection(minutes, 1, '物业陈经理表示可以补贴一半费用；其余由3栋居民自愿筹集。有居民担心座椅承重，物业答复选承重150公斤的款式。');
	fillSection(minutes, 2, '下次板凳会讨论楼道照明。');
	setNotes(minutes, '刘建国家对面的住户有顾虑，会后单独沟通。');

	const people: [string, Attendee['capacity']][] = [
		['王淑珍', 'building_head'],
		['赵凤英', 'building_head'],
		['刘建国', 'resident_rep'],
		['孙桂兰', 'resident_rep'],
		['马志文', 'resident_rep'],
		['物业 陈经理', 'property_company'],
		['郭德明', 'party_member'],
		['王海涛', 'grid_worker'],
		['何秀英', 'resident']
	];
	people.forEach(([name, capacity], i) =>
		checkIn(minutes, { id: `${id}-a${i + 1}`, name, capacity, at: startsAt + i * 60_000, by: ZHOU })
	);
	const voteAt = startsAt + 35 * 60_000;
	addVote(minutes, {
		id: `${id}-v1`,
		question: '是否同意在3栋各单元加装折叠座椅（物业补贴一半）？',
		options: [
			{ id: 'yes', label: '同意' },
			{ id: 'no', label: '不同意' },
			{ id: 'abstain', label: '弃权', abstain: true }
		],
		mode: 'hands',
		at: voteAt,
		by: ZHOU
	});
	recordHands(minutes, { id: `${id}-h1`, vote: `${id}-v1`, counts: { yes: 8, no: 0, abstain: 1 }, at: voteAt + 60_000, by: LIN });
	putDecision(minutes, {
		id: `${id}-d1`,
		text: '3栋各单元二、四楼加装壁挂式折叠座椅，物业补贴一半，其余居民自筹。',
		topic: topicDocName(COMMUNITY, 'stair-seats'),
		proposals: [proposalDocName(COMMUNITY, 'stair-seats')],
		vote: `${id}-v1`,
		at: voteAt + 5 * 60_000,
		by: ZHOU
	});
	putAction(minutes, { id: `${id}-x1`, task: '比选三家供应商并公示报价', owner: '物业公司', due: addDays(day, 14), decision: `${id}-d1`, at: voteAt + 6 * 60_000, by: ZHOU });
	putAction(minutes, { id: `${id}-x2`, task: '统计各户自愿出资', owner: '楼长王淑珍', due: addDays(day, 7), decision: `${id}-d1`, at: voteAt + 7 * 60_000, by: ZHOU });
	for (const a of [`${id}-a1`, `${id}-a3`, `${id}-a6`]) confirm(minutes, { attendee: a, at: startsAt + 2 * 3600_000, by: ZHOU });

	const version: MinutesVersion = { id: `${id}-ver1`, at: startsAt + DAY, by: ZHOU, ...publication(readMinutes(minutes)) };
	appendVersion(meeting, version);
	const [folded] = foldVersions([version]);
	const timeline = decisionEvents(folded!, null).map((e) => ({
		proposal: e.proposal,
		event: {
			id: e.id,
			type: 'decision',
			at: version.at,
			by: ZHOU,
			channel: 'meeting',
			meeting: meetingDocName(COMMUNITY, id),
			text: e.text,
			...(e.actions.length ? { actions: e.actions } : {})
		} satisfies TimelineEvent
	}));
	return {
		docs: [
			{ name: meetingDocName(COMMUNITY, id), doc: meeting },
			{ name: minutesDocName(COMMUNITY, id), doc: minutes }
		],
		timeline
	};
}

function deliberationMeeting(now: number): DemoMeetingDoc[] {
	const id = 'ev-charging-deliberation';
	const draft: MeetingDraft = {
		kind: 'deliberation',
		title: '电动车集中充电点选址议事会',
		day: cstDay(now + 3 * DAY),
		time: '19:30',
		durationMin: 90,
		place: '邻里茶馆',
		facilitator: LIN.name,
		agenda: [{ title: '12栋与15栋之间空地建充电点' }, { title: '充电收费与管理办法' }],
		invitees: [
			{ name: '物业 陈经理', capacity: 'property_company' },
			{ name: '业委会 吴主任', capacity: 'owners_committee' },
			{ name: '区人大代表 黄女士', capacity: 'deputy' },
			{ name: '社区法律顾问 江律师', capacity: 'legal_adviser' },
			{ name: '12栋 楼长', capacity: 'building_head' },
			{ name: '15栋 楼长', capacity: 'building_head' },
			{ name: '充电服务商代表', capacity: 'third_party' }
		]
	};
	const meeting = new Y.Doc();
	createMeeting(meeting, draft, { id, actor: LIN, now: now - 2 * DAY });
	const minutes = new Y.Doc();
	createMinutes(minutes, { meetingId: id, title: draft.title, sections: sections(draft.agenda) });
	return [
		{ name: meetingDocName(COMMUNITY, id), doc: meeting },
		{ name: minutesDocName(COMMUNITY, id), doc: minutes }
	];
}

function talkDay(now: number): DemoMeetingDoc[] {
	const id = 'tuesday-talk';
	// Every Tuesday at 09:00; the series starts on the next Tuesday.
	let day = cstDay(now);
	while (weekdayOf(day) !== 2) day = addDays(day, 1);
	const draft: MeetingDraft = {
		kind: 'talk_day',
		title: '周二说事',
		day,
		time: '09:00',
		durationMin: 120,
		place: '党群服务站',
		facilitator: ZHOU.name,
		agenda: [{ title: '居民来访登记' }, { title: '上周事项回复' }],
		invitees: [],
		recurrence: { weekday: 2, time: '09:00' }
	};
	const meeting = new Y.Doc();
	createMeeting(meeting, draft, { id, actor: ZHOU, now: now - 30 * DAY });
	return [{ name: meetingDocName(COMMUNITY, id), doc: meeting }];
}

/** The demo meetings and the decision events for the proposals they concern; `now` anchors the dates. */
export function buildDemoMeetings(now = Date.now()): DemoMeetings {
	const bench = benchMeeting(now);
	return { docs: [...bench.docs, ...deliberationMeeting(now), ...talkDay(now)], timeline: bench.timeline };
}
