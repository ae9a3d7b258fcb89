import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor, Channel, Role } from '../domain/actor';
import { newId } from '../domain/ids';
import type { Ballot } from '../domain/poll';
import { addBallot } from './ballots-doc';
import { addListVersion, writeCommunity } from './community-doc';
import { putHousehold } from './households-doc';
import { appendVersion, createMeeting } from './meeting-doc';
import { createMinutes } from './minutes-doc';
import { writePublicTally } from './poll-doc';
import { addEntry, addUpdate, createProject, recordReceipt, voidEntry } from './project-doc';
import { addCoSigner, addSupporter, appendEvent, createProposal, editProposal } from './proposal-doc';
import { addToTopic, createTopic } from './topic-doc';
import { addVisit } from './visits-doc';
import { buildingGrids, gridLookup, judgeWrite, type Writer } from './write-rules';
import type { Household } from '../domain/household';
import { redemptionCode, type Transfer } from '../domain/points';
import { addApproval, addHandover, addResolution, addTransfer, setBoardChoice } from './passbook-doc';
import { addRestock, putActivity, putItem, setPointsSettings, writePointsBoard } from './points-doc';
import { putPerson, putSkill } from './talents-doc';
import { ballot as ballotOf, building, communityFixture, household as registered, pointsAward } from '../domain/testing';

const writers = {
	liu: { device: 'dev-liu', role: 'resident', household: 'b03-1-401', grids: [] },
	zhang: { device: 'dev-zhang', role: 'resident', household: 'b03-1-402', grids: [] },
	grid1: { device: 'dev-grid1', role: 'grid_worker', household: null, grids: ['g1'] },
	facilitator: { device: 'dev-fac', role: 'facilitator', household: null, grids: [] },
	facilitator2: { device: 'dev-fac2', role: 'facilitator', household: null, grids: [] },
	admin: { device: 'dev-admin', role: 'community_admin', household: null, grids: [] }
} satisfies Record<string, Writer>;
type Who = keyof typeof writers;

const actor = (who: Who, over: Partial<Actor> = {}): Actor => ({ id: writers[who].device, name: who, role: writers[who].role as Role, ...over });

// b03 and b04 are in grid g1, b09 in grid g2.
const lookup = gridLookup(new Map([['b03', 'g1'], ['b04', 'g1'], ['b09', 'g2']]));

/** The verdict on `who` making `change` to `name` whose stored state `base` built. */
function judge(name: string, who: Who, base: (doc: Y.Doc) => void, change: (doc: Y.Doc) => void) {
	const stored = new Y.Doc();
	base(stored);
	const device = new Y.Doc();
	Y.applyUpdate(device, Y.encodeStateAsUpdate(stored));
	const sv = Y.encodeStateVector(device);
	change(device);
	return judgeWrite(name, writers[who], lookup, stored, Y.encodeStateAsUpdate(device, sv));
	// (judgeWrite applies the update to `stored`: it is this test's own copy.)
}
const nothing = () => {};
const ok = { ok: true };
const refused = (reason: RegExp) => ({ ok: false, retry: false, reason: expect.stringMatching(reason) });

const PROPOSAL = 'demo:proposal:p1';
/** Liu's submitted proposal. */
const liusProposal = (doc: Y.Doc) =>
	createProposal(
		doc,
		{ title: '单元门更换', description: '门禁坏了三个月。', category: 'safety', kind: 'joint', channel: 'app', household: 'b03-1-401' },
		{ id: 'p1', actor: actor('liu'), now: 1000, status: 'submitted' }
	);
const transition = (by: Actor, from: string, to: string) => (doc: Y.Doc) =>
	appendEvent(doc, { id: newId(), type: 'transition', at: 2000, by, channel: 'app', from: from as never, to: to as never, reason: '属于私人纠纷' });

describe('write rules: proposals', () => {
	it('lets a resident file, edit, co-sign, support and comment on their own proposal', () => {
		expect(judge(PROPOSAL, 'liu', nothing, liusProposal)).toEqual(ok);
		expect(judge(PROPOSAL, 'liu', liusProposal, (d) => editProposal(d, { title: '单元门禁更换', description: '坏了' }, actor('liu'), 'app', 3000))).toEqual(ok);
		expect(judge(PROPOSAL, 'liu', liusProposal, (d) => addCoSigner(d, { household: 'b03-1-401', name: '刘', at: 1, by: actor('liu'), channel: 'app' }))).toEqual(ok);
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => addCoSigner(d, { household: 'b03-1-402', name: '张', at: 1, by: actor('zhang'), channel: 'app' }))).toEqual(ok);
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => addSupporter(d, { id: 'b03-1-402', at: 1, by: actor('zhang') }))).toEqual(ok);
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => appendEvent(d, { id: 'c1', type: 'comment', at: 1, by: actor('zhang'), channel: 'app', text: '同意' }))).toEqual(ok);
	});

	it('refuses a status change the role may not make, and one that claims another role or device', () => {
		// A resident claiming a facilitator accepted the proposal: the role is not the credential's.
		expect(judge(PROPOSAL, 'liu', liusProposal, transition(actor('liu', { role: 'facilitator' }), 'submitted', 'accepted'))).toEqual(refused(/author/));
		// ... or another device's actor id.
		expect(judge(PROPOSAL, 'liu', liusProposal, transition(actor('facilitator'), 'submitted', 'accepted'))).toEqual(refused(/author/));
		// ... or in their own name: residents do not screen.
		expect(judge(PROPOSAL, 'liu', liusProposal, transition(actor('liu'), 'submitted', 'accepted'))).toEqual(refused(/may not move/));
		// A grid worker handles their own grids' matters only (b03 is in g1; whether it sits at the grid level is
		// the fold's to judge); a facilitator screens any.
		expect(judge(PROPOSAL, 'grid1', liusProposal, transition(actor('grid1'), 'submitted', 'settled'))).toEqual(ok);
		const otherGrid = (doc: Y.Doc) => {
			liusProposal(doc);
			doc.getMap('meta').set('household', 'b09-1-101');
		};
		expect(judge(PROPOSAL, 'grid1', otherGrid, transition(actor('grid1'), 'submitted', 'settled'))).toEqual(refused(/own grids/));
		expect(judge(PROPOSAL, 'grid1', liusProposal, transition(actor('grid1'), 'accepted', 'topic'))).toEqual(refused(/may not move/));
		expect(judge(PROPOSAL, 'facilitator', liusProposal, transition(actor('facilitator'), 'submitted', 'rejected'))).toEqual(ok);
		// A resident never answers a referral; community staff may (a grid's referral: the fold checks the level).
		expect(judge(PROPOSAL, 'liu', liusProposal, transition(actor('liu'), 'escalated', 'accepted'))).toEqual(refused(/may not move/));
		expect(judge(PROPOSAL, 'admin', liusProposal, transition(actor('admin'), 'escalated', 'accepted'))).toEqual(ok);
	});

	it('keeps the timeline append-only: a rejection cannot be deleted to reopen the proposal', () => {
		const rejected = (d: Y.Doc) => {
			liusProposal(d);
			transition(actor('facilitator'), 'submitted', 'rejected')(d);
		};
		expect(judge(PROPOSAL, 'liu', rejected, (d) => d.getArray('timeline').delete(1, 1))).toEqual(refused(/append-only/));
		expect(judge(PROPOSAL, 'facilitator', rejected, (d) => d.getArray('timeline').delete(1, 1))).toEqual(refused(/append-only/));
		// A second 'created' event dated earlier would restart the status fold.
		expect(
			judge(PROPOSAL, 'liu', rejected, (d) => appendEvent(d, { id: 'x', type: 'created', at: 1, by: actor('liu'), channel: 'app', status: 'submitted' }))
		).toEqual(refused(/created once/));
	});

	it("refuses a neighbour's edits, and co-signatures or support for other households", () => {
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => editProposal(d, { title: '改掉' }, actor('zhang'), 'app', 3000))).toEqual(refused(/proposer/));
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => d.getText('description').delete(0, 3))).toEqual(refused(/proposer/));
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => d.getMap('meta').set('createdBy', actor('zhang')))).toEqual(refused(/never changes/));
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => addCoSigner(d, { household: 'b03-1-403', name: '假', at: 1, by: actor('zhang'), channel: 'app' }))).toEqual(
			refused(/another household/)
		);
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => addCoSigner(d, { household: 'b03-1-402', name: '张', at: 1, by: actor('liu'), channel: 'app' }))).toEqual(
			refused(/author/)
		);
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => addSupporter(d, { id: 'b04-1-101', at: 1, by: actor('zhang') }))).toEqual(refused(/own household/));
		// Staff close matters and record decisions; residents do not.
		expect(
			judge(PROPOSAL, 'zhang', liusProposal, (d) =>
				appendEvent(d, { id: 'd', type: 'decision', at: 1, by: actor('zhang'), channel: 'meeting', meeting: 'demo:meeting:m1', text: '通过' })
			)
		).toEqual(refused(/staff/));
	});

	it('refuses a resident claiming a channel staff record through (box, door, meeting, group); staff may', () => {
		const filed = (channel: Channel) => (d: Y.Doc) =>
			createProposal(
				d,
				{ title: '楼道灯', description: '不亮', category: 'safety', kind: 'individual', channel, household: 'b03-1-401' },
				{ id: 'p1', actor: actor('liu'), now: 1, status: 'submitted' }
			);
		for (const channel of ['box', 'visit', 'meeting', 'online_group'] as const) {
			expect(judge(PROPOSAL, 'liu', nothing, filed(channel))).toEqual(refused(/resident records in the app/));
		}
		expect(judge(PROPOSAL, 'liu', liusProposal, (d) => editProposal(d, { channel: 'box' }, actor('liu'), 'app', 3000))).toEqual(refused(/in the app/));
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => addCoSigner(d, { household: 'b03-1-402', name: '张', at: 1, by: actor('zhang'), channel: 'visit' }))).toEqual(
			refused(/in the app/)
		);
		expect(judge(PROPOSAL, 'zhang', liusProposal, (d) => appendEvent(d, { id: 'c2', type: 'comment', at: 1, by: actor('zhang'), channel: 'meeting', text: '同意' }))).toEqual(
			refused(/in the app/)
		);
		const boxed = (d: Y.Doc) =>
			createProposal(d, { title: '路灯', description: '纸条', category: 'safety', kind: 'individual', channel: 'box' }, { id: 'p1', actor: actor('facilitator'), now: 1, status: 'submitted' });
		expect(judge(PROPOSAL, 'facilitator', nothing, boxed)).toEqual(ok);
	});

	it("lets a grid worker file and co-sign at the door for households of their own grids only", () => {
		const filed = (household: string) => (d: Y.Doc) =>
			createProposal(d, { title: '路灯', description: '', category: 'safety', kind: 'joint', channel: 'visit', household }, { id: 'p1', actor: actor('grid1'), now: 1, status: 'submitted' });
		expect(judge(PROPOSAL, 'grid1', nothing, filed('b04-2-301'))).toEqual(ok);
		expect(judge(PROPOSAL, 'grid1', nothing, filed('b09-1-101'))).toEqual(refused(/not in your grids/));
		const doorSign = (household: string) => (d: Y.Doc) => addCoSigner(d, { household, name: '门口', at: 1, by: actor('grid1'), channel: 'visit' });
		expect(judge(PROPOSAL, 'grid1', liusProposal, doorSign('b03-1-405'))).toEqual(ok);
		expect(judge(PROPOSAL, 'grid1', liusProposal, doorSign('b09-1-101'))).toEqual(refused(/not in your grids/));
	});

	it('refuses roots, shapes and fields a proposal does not have', () => {
		expect(judge(PROPOSAL, 'liu', liusProposal, (d) => d.getMap('secrets').set('a', 1))).toEqual(refused(/no "secrets"/));
		expect(judge(PROPOSAL, 'liu', liusProposal, (d) => d.getMap('meta').set('status', 'accepted'))).toEqual(refused(/no field "status"/));
		expect(judge(PROPOSAL, 'liu', liusProposal, (d) => d.getMap('coSigners').set('b03-1-401', new Y.Map()))).toEqual(refused(/record/));
	});
});

const PROJECT = 'demo:project:t1';
const project = (d: Y.Doc) => createProject(d, { id: 't1', title: '楼道座椅', topic: 'demo:topic:t1', target: 86_000_00 }, actor('facilitator'), 1);
const receipt = (by: Actor, amount = 5_000_000) => ({ pledge: 'p1', amount, date: '2026-01-01', at: 2, by });

describe('write rules: projects', () => {
	it('keeps money, tasks and acceptance for staff, with their real role', () => {
		// A grid worker may report progress, but not record money, even "by" a facilitator.
		expect(judge(PROJECT, 'grid1', project, (d) => recordReceipt(d, receipt(actor('facilitator'))))).toEqual(refused(/author|may not change/));
		expect(judge(PROJECT, 'grid1', project, (d) => recordReceipt(d, receipt(actor('grid1'))))).toEqual(refused(/grid_worker may not change "receipts"/));
		expect(
			judge(PROJECT, 'grid1', project, (d) => addUpdate(d, { id: 'u1', task: 'k1', text: '座椅已到货', photos: [], at: 3, by: actor('grid1') }))
		).toEqual(ok);
		expect(judge(PROJECT, 'facilitator', project, (d) => recordReceipt(d, receipt(actor('facilitator'))))).toEqual(ok);
		// A facilitator records money in their own name only.
		expect(judge(PROJECT, 'facilitator2', project, (d) => recordReceipt(d, receipt(actor('facilitator'))))).toEqual(refused(/author/));
	});

	it('never deletes or rewrites money records: mistakes are voided', () => {
		const withMoney = (d: Y.Doc) => {
			project(d);
			recordReceipt(d, receipt(actor('facilitator')));
			addEntry(d, { id: 'e1', type: 'spending', amount: 100, date: '2026-01-02', description: '螺丝', photos: [], at: 3, by: actor('facilitator') });
		};
		expect(judge(PROJECT, 'admin', withMoney, (d) => d.getMap('receipts').delete('p1'))).toEqual(refused(/never deleted/));
		expect(
			judge(PROJECT, 'facilitator', withMoney, (d) =>
				d.getMap('entries').set('e1', { id: 'e1', type: 'income', amount: 50_000_000, date: '2026-01-02', description: '', photos: [], at: 3, by: actor('facilitator') })
			)
		).toEqual(refused(/never change/));
		expect(judge(PROJECT, 'facilitator', withMoney, (d) => voidEntry(d, { entry: 'e1', reason: '录错', at: 4, by: actor('facilitator') }))).toEqual(ok);
		expect(judge(PROJECT, 'grid1', withMoney, (d) => voidEntry(d, { entry: 'e1', reason: '录错', at: 4, by: actor('grid1') }))).toEqual(refused(/may not change "voids"/));
	});
});

describe('write rules: registers', () => {
	const household = (id: string, inBuilding: string): Household => registered(id, { building: inBuilding });
	const ballot = (over: Partial<Ballot> = {}): Ballot => ballotOf({ id: newId(), household: 'b03-1-401', option: 'a', at: 1, by: actor('grid1'), device: 'dev-grid1', ...over });

	it("keeps a grid worker's register to their grid's buildings, under the grid's own name", () => {
		expect(judge('demo:households:g1', 'grid1', nothing, (d) => putHousehold(d, 'g1', household('b03-1-401', 'b03')))).toEqual(ok);
		expect(judge('demo:households:g1', 'grid1', nothing, (d) => putHousehold(d, 'g1', household('b09-1-101', 'b09')))).toEqual(refused(/not in grid g1/));
		expect(judge('demo:households:g1', 'grid1', nothing, (d) => putHousehold(d, 'g2', household('b03-1-401', 'b03')))).toEqual(refused(/grid must be g1/));
	});

	it('keeps visits as recorded, by their recorder', () => {
		const visit = (by: Actor) => ({
			id: 'v1',
			household: 'b03-1-401',
			grid: 'g1',
			building: 'b03',
			at: 1,
			by,
			channel: 'visit' as const,
			outcome: 'talked' as const,
			needs: { tags: [], text: '' },
			photos: []
		});
		expect(judge('demo:visits:g1', 'grid1', nothing, (d) => addVisit(d, visit(actor('grid1'))))).toEqual(ok);
		expect(judge('demo:visits:g1', 'grid1', nothing, (d) => addVisit(d, visit(actor('admin'))))).toEqual(refused(/author/));
		expect(
			judge('demo:visits:g1', 'admin', (d) => addVisit(d, visit(actor('grid1'))), (d) => d.getMap('visits').set('v1', { ...visit(actor('admin')), outcome: 'declined' }))
		).toEqual(refused(/never change/));
	});

	it('records ballots at the door for own-grid households, as this device, never as an app ballot', () => {
		const name = 'demo:ballots:g1_poll1';
		expect(judge(name, 'grid1', nothing, (d) => addBallot(d, 'g1', 'poll1', ballot()))).toEqual(ok);
		expect(judge(name, 'grid1', nothing, (d) => addBallot(d, 'g1', 'poll1', ballot({ household: 'b09-1-101' })))).toEqual(refused(/not in grid g1/));
		expect(judge(name, 'grid1', nothing, (d) => addBallot(d, 'g1', 'poll1', ballot({ device: 'dev-fac' })))).toEqual(refused(/this device/));
		expect(judge(name, 'grid1', nothing, (d) => addBallot(d, 'g1', 'poll1', ballot({ channel: 'app' })))).toEqual(refused(/relay/));
	});
});

describe('write rules: documents staff run', () => {
	it('leaves the public tally to the relay', () => {
		expect(
			judge('demo:poll:q1', 'facilitator', nothing, (d) => writePublicTally(d, { at: 1 } as never))
		).toEqual(refused(/facilitator may not change "public"/));
	});

	it('keeps approved minutes versions and list versions append-only', () => {
		const meeting = (d: Y.Doc) => {
			createMeeting(
				d,
				{ kind: 'bench', title: '板凳会', day: '2026-01-01', time: '09:00', durationMin: 60, place: '3栋', facilitator: '李', agenda: [], invitees: [], recurrence: null } as never,
				{ id: 'm1', actor: actor('facilitator'), now: 1 }
			);
			appendVersion(d, { id: 'v1', at: 2, by: actor('facilitator') } as never);
		};
		expect(judge('demo:meeting:m1', 'facilitator', meeting, (d) => d.getArray('versions').delete(0, 1))).toEqual(refused(/append-only/));
		// A list version names its author by id.
		const community = (d: Y.Doc) => addListVersion(d, { version: 1, at: 1, by: 'dev-admin', encouraged: [], negative: [] });
		expect(judge('demo:community:main', 'admin', community, (d) => d.getArray('lists').delete(0, 1))).toEqual(refused(/append-only/));
		expect(judge('demo:community:main', 'admin', community, (d) => addListVersion(d, { version: 2, at: 2, by: 'dev-admin', encouraged: [], negative: [] }))).toEqual(ok);
		expect(judge('demo:community:main', 'admin', community, (d) => addListVersion(d, { version: 2, at: 2, by: 'dev-other', encouraged: [], negative: [] }))).toEqual(
			refused(/author/)
		);
	});

	it('lets staff co-edit the minutes text, and refuses a forged topic creator', () => {
		expect(judge('demo:minutes:m1', 'facilitator', nothing, (d) => createMinutes(d, { meetingId: 'm1', title: '板凳会', sections: [{ title: '议程一' }] }))).toEqual(ok);
		expect(judge('demo:topic:t1', 'facilitator', nothing, (d) => createTopic(d, { id: 't1', title: '座椅', category: '', level: 'community' }, actor('admin'), 1))).toEqual(
			refused(/createdBy/)
		);
		const topic = (d: Y.Doc) => createTopic(d, { id: 't1', title: '座椅', category: '', level: 'community' }, actor('facilitator'), 1);
		expect(judge('demo:topic:t1', 'facilitator2', topic, (d) => addToTopic(d, PROPOSAL, actor('facilitator2'), 2))).toEqual(ok);
	});
});

describe('write rules: the community document', () => {
	it("lets an admin write it under the community's own id", () => {
		const community = (id: string) => (d: Y.Doc) =>
			writeCommunity(d, communityFixture({ id, grids: [], buildings: [] }));
		expect(judge('demo:community:main', 'admin', nothing, community('demo'))).toEqual(ok);
		expect(judge('demo:community:main', 'admin', nothing, community('other'))).toEqual(refused(/id must be/));
	});
});

describe('building grids from the community document', () => {
	it('maps each household to the grid of its building', () => {
		const doc = new Y.Doc();
		writeCommunity(doc, communityFixture({ buildings: [building('b03', 'g1', { units: 2 })] }));
		const grids = gridLookup(buildingGrids(doc));
		expect(grids.gridOf('b03-1-401')).toBe('g1');
		expect(grids.gridOf('b04-1-401')).toBeNull();
		expect(grids.gridOf('nonsense')).toBeNull();
	});
});

describe('write rules: lists of plain values', () => {
	it('takes a poll created with its options and the matters it decides (a list of document names)', () => {
		const poll = (d: Y.Doc) => {
			d.getMap('meta').set('id', 'q1');
			d.getMap('meta').set('createdBy', actor('facilitator'));
			d.getArray('options').push([{ id: 'a', label: '同意' }]);
			d.getArray('matters').push(['demo:proposal:p1', 'demo:proposal:p2']);
		};
		expect(judge('demo:poll:q1', 'facilitator', nothing, poll)).toEqual(ok);
		expect(judge('demo:poll:q1', 'facilitator', poll, (d) => d.getArray('matters').delete(0, 1))).toEqual(refused(/append-only/));
		// Text where the schema keeps a list is refused.
		expect(judge('demo:poll:q1', 'facilitator', nothing, (d) => d.getText('matters').insert(0, 'x'))).toEqual(refused(/whole records, not text/));
	});
});

const PASSBOOK = 'demo:passbook:b03-1-401';
const award = (id: string, by: Actor, over: Partial<Transfer> = {}): Transfer => pointsAward({ id, at: 1000, by, ...over });
const redemption = (id: string, by: Actor, over: Partial<Transfer> = {}): Transfer => ({
	id,
	kind: 'redeem',
	household: 'b03-1-401',
	amount: 30,
	at: 2000,
	by,
	channel: 'counter',
	note: '',
	item: 'rice',
	quantity: 1,
	code: redemptionCode(id),
	...over
});
/** Liu's passbook with an award of 80 points recorded by the facilitator and a redemption. */
const liusBook = (d: Y.Doc) => {
	addTransfer(d, award('t1', actor('facilitator'), { amount: 80 }));
	addTransfer(d, redemption('r1', actor('facilitator')));
};

describe('write rules: the points passbook', () => {
	it('refuses a resident awarding their own household points, or recording a redemption', () => {
		expect(judge(PASSBOOK, 'liu', nothing, (d) => addTransfer(d, award('t9', actor('liu'))))).toEqual(refused(/resident may not change "transfers" of a passbook/));
		expect(judge(PASSBOOK, 'liu', nothing, (d) => addTransfer(d, award('t9', actor('facilitator'))))).toEqual(refused(/author|may not change/));
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => addTransfer(d, redemption('r9', actor('liu'))))).toEqual(refused(/resident may not change "transfers"/));
		// Nor approve, resolve or hand over anything.
		expect(
			judge(PASSBOOK, 'liu', liusBook, (d) => addApproval(d, { id: 'a', transfer: 't1', decision: 'approve', note: '', at: 3, by: actor('liu') }))
		).toEqual(refused(/may not change "approvals"/));
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => addHandover(d, { transfer: 'r1', at: 3, by: actor('liu') }))).toEqual(refused(/may not change "handovers"/));
	});

	it("lets a resident choose how their own household appears on the board, and create the passbook's meta with it", () => {
		const choice = { show: true, name: '3栋刘阿姨', at: 3000, by: actor('liu') };
		expect(judge(PASSBOOK, 'liu', nothing, (d) => setBoardChoice(d, choice))).toEqual(ok);
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => setBoardChoice(d, choice))).toEqual(ok);
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => setBoardChoice(d, { ...choice, by: actor('facilitator') }))).toEqual(refused(/author/));
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => d.getMap('board').set('choice', { ...choice, name: '' }))).toEqual(refused(/board choice/));
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => d.getMap('board').set('rank', 1))).toEqual(refused(/only the household's choice/));
		// The meta names this household, once.
		expect(judge(PASSBOOK, 'liu', nothing, (d) => d.getMap('meta').set('household', 'b03-1-402'))).toEqual(refused(/household must be/));
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => d.getMap('meta').set('schema', 99))).toEqual(refused(/only creates the meta/));
		expect(judge(PASSBOOK, 'liu', liusBook, (d) => d.getMap('meta').set('balance', 9999))).toEqual(refused(/no field "balance"/));
	});

	it('keeps a transfer to its passbook: parsed, under its id, of this household, never changed', () => {
		expect(judge(PASSBOOK, 'facilitator', nothing, liusBook)).toEqual(ok);
		expect(judge(PASSBOOK, 'facilitator', liusBook, (d) => d.getMap('transfers').set('t2', award('t2', actor('facilitator'), { household: 'b03-1-402' })))).toEqual(
			refused(/names household b03-1-401/)
		);
		expect(judge(PASSBOOK, 'facilitator', nothing, (d) => addTransfer(d, award('t2', actor('facilitator'), { household: 'b03-1-402' })))).toEqual(
			refused(/household must be the document's/)
		);
		expect(judge(PASSBOOK, 'facilitator', nothing, (d) => d.getMap('transfers').set('t2', award('t3', actor('facilitator'))))).toEqual(refused(/under its id/));
		expect(judge(PASSBOOK, 'facilitator', nothing, (d) => d.getMap('transfers').set('t2', { ...award('t2', actor('facilitator')), amount: -5 }))).toEqual(
			refused(/not a valid transfer/)
		);
		expect(judge(PASSBOOK, 'facilitator', nothing, (d) => addTransfer(d, redemption('r2', actor('facilitator'), { code: 'AAAAAA' })))).toEqual(
			refused(/redemption's code/)
		);
		expect(judge(PASSBOOK, 'admin', liusBook, (d) => d.getMap('transfers').set('t1', award('t1', actor('admin'), { amount: 8 })))).toEqual(refused(/never change/));
		expect(judge(PASSBOOK, 'admin', liusBook, (d) => d.getMap('transfers').delete('r1'))).toEqual(refused(/never deleted/));
		// A grid worker keeps no books.
		expect(judge(PASSBOOK, 'grid1', nothing, (d) => addTransfer(d, award('t2', actor('grid1'))))).toEqual(refused(/grid_worker may not change/));
	});

	it('lets a reversal undo only a transfer of this passbook', () => {
		const reversal = (reverses: string, amount = 80) => award('v1', actor('admin'), { kind: 'reverse', reverses, note: '录错', hours: undefined, amount });
		expect(judge(PASSBOOK, 'admin', liusBook, (d) => addTransfer(d, reversal('t1')))).toEqual(ok);
		expect(judge(PASSBOOK, 'admin', liusBook, (d) => addTransfer(d, reversal('elsewhere')))).toEqual(refused(/reverses a transfer of this passbook/));
		// It moves back exactly what was moved, so the recorded amounts agree with the books.
		expect(judge(PASSBOOK, 'admin', liusBook, (d) => addTransfer(d, reversal('t1', 800)))).toEqual(refused(/moves back the points/));
	});

	it("takes an approval from anyone but the award's recorder", () => {
		const approval = (who: Who, transfer = 't1') => (d: Y.Doc) => addApproval(d, { id: newId(), transfer, decision: 'approve', note: '', at: 3000, by: actor(who) });
		expect(judge(PASSBOOK, 'facilitator2', liusBook, approval('facilitator2'))).toEqual(ok);
		expect(judge(PASSBOOK, 'facilitator', liusBook, approval('facilitator'))).toEqual(refused(/someone other than the one who recorded it/));
		expect(judge(PASSBOOK, 'admin', liusBook, approval('admin', 'nope'))).toEqual(refused(/names an award of this passbook/));
		expect(judge(PASSBOOK, 'admin', liusBook, approval('admin', 'r1'))).toEqual(refused(/names an award of this passbook/));
		expect(
			judge(PASSBOOK, 'admin', liusBook, (d) => d.getMap('approvals').set('t1:someone', { id: 'a', transfer: 't1', decision: 'approve', note: '', at: 1, by: actor('admin') }))
		).toEqual(refused(/under its transfer and approver/));
	});

	it('takes a resolution of a flag raised by a transfer of this passbook, and a handover of its redemptions', () => {
		const resolution = (flag: string) => (d: Y.Doc) => addResolution(d, { flag, action: 'allow', note: '', transfers: [], at: 3000, by: actor('admin') });
		expect(judge(PASSBOOK, 'admin', liusBook, resolution('overdraft:r1'))).toEqual(ok);
		expect(judge(PASSBOOK, 'admin', liusBook, resolution('overdraft:r7'))).toEqual(refused(/flag raised by a transfer/));
		expect(judge(PASSBOOK, 'admin', liusBook, resolution('whatever:r1'))).toEqual(refused(/flag raised by a transfer/));
		expect(judge(PASSBOOK, 'facilitator', liusBook, (d) => addHandover(d, { transfer: 'r1', at: 3000, by: actor('facilitator') }))).toEqual(ok);
		expect(judge(PASSBOOK, 'facilitator', liusBook, (d) => addHandover(d, { transfer: 't1', at: 3000, by: actor('facilitator') }))).toEqual(
			refused(/against a redemption/)
		);
		const handedOver = (d: Y.Doc) => {
			liusBook(d);
			addHandover(d, { transfer: 'r1', at: 3000, by: actor('facilitator') });
		};
		expect(judge(PASSBOOK, 'admin', handedOver, (d) => d.getMap('handovers').delete('r1'))).toEqual(refused(/never deleted/));
	});

	it('is named by a household id', () => {
		expect(judge('demo:passbook:nobody', 'facilitator', nothing, (d) => d.getMap('meta').set('schema', 1))).toEqual(refused(/household id/));
	});
});

describe('write rules: the points config and board', () => {
	const POINTS = 'demo:points:main';
	const item = (by: Actor) => ({ id: 'rice', name: '大米', price: 30, unit: '袋', at: 1, by });

	it('keeps the settings for community admins: a facilitator cannot lower the approval threshold', () => {
		const settings = { approvalAbove: 0, expiryMonths: 36, floor: 0, ceiling: null };
		expect(judge(POINTS, 'facilitator', nothing, (d) => setPointsSettings(d, settings))).toEqual(refused(/facilitator may not change "settings"/));
		expect(judge(POINTS, 'admin', nothing, (d) => setPointsSettings(d, settings))).toEqual(ok);
		expect(judge(POINTS, 'admin', nothing, (d) => setPointsSettings(d, { ...settings, floor: 10 }))).toEqual(refused(/invalid points settings: floor/));
	});

	it('lets staff keep activities and the catalogue (never deleted) and record restocks once', () => {
		expect(judge(POINTS, 'facilitator', nothing, (d) => putActivity(d, { id: 'sweep', name: '楼道清扫', points: 10, hours: 2, at: 1, by: actor('facilitator') }))).toEqual(ok);
		expect(judge(POINTS, 'facilitator', nothing, (d) => putItem(d, item(actor('facilitator'))))).toEqual(ok);
		expect(judge(POINTS, 'facilitator', nothing, (d) => putItem(d, { ...item(actor('facilitator')), price: 0 }))).toEqual(refused(/not a valid catalogue item/));
		const stocked = (d: Y.Doc) => {
			putItem(d, item(actor('facilitator')));
			addRestock(d, { id: 's1', item: 'rice', quantity: 20, note: '', at: 2, by: actor('facilitator') });
		};
		expect(judge(POINTS, 'admin', stocked, (d) => d.getMap('items').delete('rice'))).toEqual(refused(/never deleted/));
		expect(judge(POINTS, 'admin', stocked, (d) => putItem(d, { ...item(actor('admin')), retired: true }))).toEqual(ok);
		expect(
			judge(POINTS, 'admin', stocked, (d) => d.getMap('restocks').set('s1', { id: 's1', item: 'rice', quantity: 2000, note: '', at: 2, by: actor('admin') }))
		).toEqual(refused(/never change/));
		// Residents and grid workers read the catalogue; the access matrix keeps them out, and so do the rules.
		expect(judge(POINTS, 'liu', nothing, (d) => putItem(d, item(actor('liu'))))).toEqual(refused(/resident may not change/));
		expect(judge(POINTS, 'liu', (d) => putItem(d, item(actor('facilitator'))), (d) => putItem(d, item(actor('liu'))))).toEqual(
			refused(/resident may not change "items"/)
		);
	});

	it('leaves the public board to the relay, whoever writes', () => {
		const board = (d: Y.Doc) =>
			writePointsBoard(d, {
				updated: 1,
				figures: { households: 0, earned: 0, hours: 0, redemptions: 0, names: [] },
				stock: [],
				talents: { bySkill: [], activists: 0, buildingHeads: 0, total: 0 }
			});
		for (const who of ['liu', 'facilitator', 'admin'] as const) expect(judge('demo:points:public', who, nothing, board)).toEqual(refused(/relay alone/));
		expect(judge('demo:points:public', 'admin', nothing, (d) => putItem(d, item(actor('admin'))))).toEqual(refused(/relay alone/));
		expect(judge('demo:points:other', 'admin', nothing, (d) => putItem(d, item(actor('admin'))))).toEqual(refused(/points:main/));
	});
});

describe('write rules: the register of talents', () => {
	const TALENTS = 'demo:talents:main';
	const person = (by: Actor) => ({ id: 'p1', name: '王师傅', skills: ['plumbing'], availability: '周末', consent: true, roles: ['activist' as const], at: 1, by });

	it('lets grid workers and staff keep people (marked removed, never deleted), and staff the skills', () => {
		expect(judge(TALENTS, 'grid1', nothing, (d) => putPerson(d, person(actor('grid1'))))).toEqual(ok);
		expect(judge(TALENTS, 'grid1', nothing, (d) => putPerson(d, person(actor('facilitator'))))).toEqual(refused(/author/));
		const registered = (d: Y.Doc) => putPerson(d, person(actor('grid1')));
		expect(judge(TALENTS, 'facilitator', registered, (d) => putPerson(d, { ...person(actor('facilitator')), removed: true }))).toEqual(ok);
		expect(judge(TALENTS, 'admin', registered, (d) => d.getMap('people').delete('p1'))).toEqual(refused(/never deleted/));
		expect(judge(TALENTS, 'grid1', nothing, (d) => d.getMap('people').set('p1', { ...person(actor('grid1')), roles: ['boss'] }))).toEqual(refused(/not a valid person/));
		expect(judge(TALENTS, 'facilitator', nothing, (d) => putSkill(d, { id: 'cooking', name: '烹饪', order: 20 }))).toEqual(ok);
		expect(judge(TALENTS, 'grid1', nothing, (d) => putSkill(d, { id: 'cooking', name: '烹饪', order: 20 }))).toEqual(refused(/grid_worker may not change "skills"/));
		expect(judge(TALENTS, 'liu', nothing, (d) => putPerson(d, person(actor('liu'))))).toEqual(refused(/resident may not change/));
		expect(judge('demo:talents:other', 'admin', nothing, (d) => putPerson(d, person(actor('admin'))))).toEqual(refused(/talents:main/));
	});
});
