import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { newId } from '../domain/ids';
import { entry, facilitator as projectFacilitator, pledge, rating, receipt, resident as projectResident } from '../domain/testing/projects';
import type { Household } from '../domain/household';
import { addBallot } from './ballots-doc';
import { writeCommunity } from './community-doc';
import { writeHouseholds } from './households-doc';
import { createMeeting } from './meeting-doc';
import { checkIn, createMinutes, setAttendeeRemoved } from './minutes-doc';
import { addClosure, createPoll } from './poll-doc';
import { addEntry, addPledge, createProject, rate, recordReceipt, withdrawPledge } from './project-doc';
import { appendEvent, createProposal } from './proposal-doc';
import {
	communityLayout,
	gridFacts,
	gridOfHousehold,
	isCommunityDoc,
	meetingFacts,
	pollFacts,
	projectFacts,
	proposalFacts,
	topicFacts
} from './report-facts-of';
import { addToTopic, createTopic } from './topic-doc';
import { addVisit } from './visits-doc';
import { ballot as ballotOf, building, communityFixture, facilitatorActor, grid, gridWorkerActor, occupied, pollDraft, residentActor } from '../domain/testing';

const resident = residentActor({ name: '王阿姨' });
const facilitator = facilitatorActor({ name: '李社工' });
const gridWorker = gridWorkerActor();

function community(): Y.Doc {
	const doc = new Y.Doc();
	writeCommunity(
		doc,
		communityFixture({ name: '幸福里社区', street: 's1', district: 'd1', grids: [grid('g1'), grid('g2')], buildings: [building('b1', 'g1', { units: 2 }), building('b2', 'g2', { units: 2 })] })
	);
	return doc;
}

const household = (id: string, inBuilding: string, area = 80): Household => occupied(id, { building: inBuilding, area });

function transition(doc: Y.Doc, from: string, to: string, by: Actor, at: number, extra: Record<string, unknown> = {}) {
	appendEvent(doc, { id: newId(), type: 'transition', from, to, at, by, channel: 'app', ...extra } as never);
}

describe('community layout', () => {
	it('lists grids and maps buildings to grids', () => {
		const c = community();
		const layout = communityLayout(c);
		expect(layout.grids).toEqual([
			{ id: 'g1', name: '第一网格' },
			{ id: 'g2', name: '第二网格' }
		]);
		expect(gridOfHousehold(layout.buildings, 'b2-1-301')).toBe('g2');
		expect(gridOfHousehold(layout.buildings, 'b9-1-301')).toBe('');
		expect(gridOfHousehold(layout.buildings, undefined)).toBe('');
		expect(isCommunityDoc(c)).toBe(true);
		expect(isCommunityDoc(new Y.Doc())).toBe(false);
	});
});

describe('proposal facts', () => {
	const draft = { title: '单元门更换', description: '门禁坏了。', category: 'safety' as const, kind: 'individual' as const, channel: 'visit' as const };

	it('takes applied steps with the level after each, and the filing time of a submitted creation', () => {
		const { buildings } = communityLayout(community());
		const doc = new Y.Doc();
		createProposal(doc, { ...draft, household: 'b1-1-101' }, { id: 'p1', actor: gridWorker, now: 1000, status: 'submitted', level: 'grid' });
		transition(doc, 'submitted', 'escalated', gridWorker, 2000, { reason: '需社区协调' });
		// Made against a status already changed: superseded, not a fact.
		transition(doc, 'submitted', 'settled', gridWorker, 2500, { reason: '已解决' });
		transition(doc, 'escalated', 'accepted', facilitator, 3000);
		const got = proposalFacts('demo:proposal:p1', doc, buildings);
		expect(got?.household).toBe('b1-1-101');
		expect(got?.facts).toEqual({
			doc: 'demo:proposal:p1',
			grid: 'g1',
			channel: 'visit',
			category: 'safety',
			kind: 'individual',
			filed: 1000,
			status: 'accepted',
			level: 'community',
			steps: [
				{ at: 2000, to: 'escalated', level: 'community' },
				{ at: 3000, to: 'accepted', level: 'community' }
			]
		});
	});

	it('files a draft at its step to submitted, and keeps the negative-list item of a rejection', () => {
		const { buildings } = communityLayout(community());
		const doc = new Y.Doc();
		createProposal(doc, { ...draft, channel: 'app', household: 'b2-2-502' }, { id: 'p2', actor: resident, now: 1000, status: 'draft' });
		expect(proposalFacts('demo:proposal:p2', doc, buildings)?.facts).toMatchObject({ filed: null, status: 'draft', steps: [], grid: 'g2' });
		transition(doc, 'draft', 'submitted', resident, 5000);
		transition(doc, 'submitted', 'rejected', facilitator, 6000, { reason: '属于负面清单', negativeItem: 3 });
		const facts = proposalFacts('demo:proposal:p2', doc, buildings)?.facts;
		expect(facts).toMatchObject({ filed: 5000, status: 'rejected', level: 'community', channel: 'app' });
		expect(facts?.steps).toEqual([
			{ at: 5000, to: 'submitted', level: 'community' },
			{ at: 6000, to: 'rejected', level: 'community', negativeItem: 3 }
		]);
	});

	it('has no grid without a household, and nothing for an empty document', () => {
		const doc = new Y.Doc();
		createProposal(doc, draft, { id: 'p3', actor: facilitator, now: 1, status: 'submitted' });
		expect(proposalFacts('demo:proposal:p3', doc, new Map())?.facts.grid).toBe('');
		expect(proposalFacts('demo:proposal:p4', new Y.Doc(), new Map())).toBeNull();
	});
});

describe('topic facts', () => {
	it('counts the proposals gathered', () => {
		const doc = new Y.Doc();
		createTopic(doc, { id: 't1', title: '单元门', category: 'safety', level: 'community' }, facilitator, 4000);
		addToTopic(doc, 'demo:proposal:p1', facilitator, 4001);
		addToTopic(doc, 'demo:proposal:p2', facilitator, 4002);
		addToTopic(doc, 'demo:proposal:p1', facilitator, 4003);
		expect(topicFacts('demo:topic:t1', doc)).toEqual({ doc: 'demo:topic:t1', created: 4000, category: 'safety', proposals: 2 });
		expect(topicFacts('demo:topic:t2', new Y.Doc())).toBeNull();
	});
});

describe('meeting facts', () => {
	it('counts active check-ins by capacity from the minutes', () => {
		const meeting = new Y.Doc();
		createMeeting(
			meeting,
			{ kind: 'bench', title: '板凳会', day: '2026-03-05', time: '19:30', durationMin: 60, place: '3栋楼下', facilitator: '李社工', agenda: [], invitees: [] },
			{ id: 'm1', actor: facilitator, now: 1 }
		);
		expect(meetingFacts('demo:meeting:m1', meeting, null)).toEqual({
			doc: 'demo:meeting:m1',
			kind: 'bench',
			at: Date.UTC(2026, 2, 5, 11, 30),
			held: false,
			attendance: {}
		});
		const minutes = new Y.Doc();
		createMinutes(minutes, { meetingId: 'm1', title: '板凳会', sections: [] });
		checkIn(minutes, { id: 'a1', name: '张桂英', capacity: 'building_head', at: 1, by: facilitator });
		checkIn(minutes, { id: 'a2', name: '李建国', capacity: 'resident', at: 2, by: facilitator });
		checkIn(minutes, { id: 'a3', name: '误签', capacity: 'resident', at: 3, by: facilitator });
		setAttendeeRemoved(minutes, 'a3', true);
		expect(meetingFacts('demo:meeting:m1', meeting, minutes)).toMatchObject({ held: true, attendance: { building_head: 1, resident: 1 } });
		expect(meetingFacts('demo:meeting:m2', new Y.Doc(), minutes)).toBeNull();
	});
});

describe('poll facts', () => {
	function setup() {
		const c = community();
		const r1 = new Y.Doc();
		writeHouseholds(r1, 'g1', [household('b1-1-101', 'b1'), household('b1-1-102', 'b1')]);
		const r2 = new Y.Doc();
		writeHouseholds(r2, 'g2', [household('b2-1-101', 'b2')]);
		const poll = new Y.Doc();
		createPoll(poll, pollDraft({ title: '加装电梯', electorate: { scope: 'grid', ids: ['g1'] }, opensAt: 1000, closesAt: 10_000 }), { id: 'q1', actor: facilitator, now: 900 });
		const b1 = new Y.Doc();
		const b2 = new Y.Doc();
		const ballot = (id: string, h: string, option: string | null, at: number) => ballotOf({ id, household: h, option, at, by: gridWorker, device: 'dev1' });
		addBallot(b1, 'g1', 'q1', ballot('ballot01', 'b1-1-101', 'yes', 2000));
		// Withdrawn: not counted as voted.
		addBallot(b1, 'g1', 'q1', ballot('ballot02', 'b1-1-102', 'no', 2000));
		addBallot(b1, 'g1', 'q1', ballot('ballot03', 'b1-1-102', null, 3000));
		// Outside the electorate.
		addBallot(b2, 'g2', 'q1', ballot('ballot04', 'b2-1-101', 'yes', 2000));
		return { poll, sources: { community: c, registers: [r1, r2], ballots: new Map([['g1', b1], ['g2', b2]]) } };
	}

	it('gives the electorate and the households whose ballot counts; closed once its end passed', () => {
		const { poll, sources } = setup();
		expect(pollFacts('demo:poll:q1', poll, sources, 5000)).toEqual({ doc: 'demo:poll:q1', created: 900, closed: null, electorate: 2, voted: 1 });
		expect(pollFacts('demo:poll:q1', poll, sources, 20_000)?.closed).toBe(10_000);
	});

	it('is closed at a facilitator’s earlier closing', () => {
		const { poll, sources } = setup();
		addClosure(poll, { id: 'c1', at: 6000, by: facilitator, outcome: '通过' });
		expect(pollFacts('demo:poll:q1', poll, sources, 7000)?.closed).toBe(6000);
	});
});

describe('grid facts', () => {
	it('counts the register and lists the visits', () => {
		const register = new Y.Doc();
		writeHouseholds(register, 'g1', [household('b1-1-101', 'b1'), household('b1-1-102', 'b1')]);
		const visits = new Y.Doc();
		addVisit(visits, {
			id: 'v1',
			household: 'b1-1-101',
			grid: 'g1',
			building: 'b1',
			at: 5000,
			by: gridWorker,
			channel: 'visit',
			outcome: 'talked',
			needs: { tags: ['repair'], text: '水管漏水' },
			photos: []
		});
		expect(gridFacts('g1', register, visits)).toEqual({
			grid: 'g1',
			households: 2,
			visits: [{ household: 'b1-1-101', at: 5000, outcome: 'talked', tags: ['repair'] }]
		});
		expect(gridFacts('g2', null, null)).toEqual({ grid: 'g2', households: 0, visits: [] });
	});
});

describe('project facts', () => {
	it('gives stage, money by pledge time and ledger date, and each household’s counted rating', () => {
		const doc = new Y.Doc();
		const participation = new Y.Doc();
		createProject(doc, { id: 't1', title: '加装座椅', target: 100_000 }, projectFacilitator, 100);
		const kept = pledge({ id: 'pl1', amount: 20_000, at: 1000 });
		const gone = pledge({ id: 'pl2', amount: 5_000, at: 1100 });
		addPledge(participation, kept);
		addPledge(participation, gone);
		withdrawPledge(participation, 'pl2', projectResident, 1200, doc);
		recordReceipt(doc, receipt('pl1', { amount: 18_000, date: '2026-03-02' }));
		addEntry(doc, entry({ id: 'e1', type: 'spending', amount: 7_000, date: '2026-03-04' }));
		rate(participation, rating({ household: 'h1', score: 2, at: 9000 }), 'dev-a');
		rate(participation, rating({ household: 'h1', score: 5, at: 9500 }), 'dev-b');
		rate(participation, rating({ household: 'h2', score: 4, at: 9100 }), 'dev-c');
		const facts = projectFacts('demo:project:t1', doc, participation, Date.UTC(2026, 2, 10));
		expect(facts).toMatchObject({ doc: 'demo:project:t1', stage: 'funding' });
		expect(facts?.pledged).toEqual([{ at: 1000, amount: 20_000 }]);
		expect(facts?.received).toEqual([{ at: Date.UTC(2026, 2, 1, 16), amount: 18_000 }]);
		expect(facts?.spent).toEqual([{ at: Date.UTC(2026, 2, 3, 16), amount: 7_000 }]);
		expect(facts?.ratings.map((r) => r.score).sort()).toEqual([4, 5]);
		expect(projectFacts('demo:project:t2', new Y.Doc(), null, 0)).toBeNull();
	});
});
