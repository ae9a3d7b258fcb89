import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor, Role } from '../domain/actor';
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
	const household = (id: string, building: string): Household => ({ id, building, unit: 1, room: id.split('-')[2] as string, area: 80, members: [], tags: [] });
	const ballot = (over: Partial<Ballot> = {}): Ballot => ({
		id: newId(),
		household: 'b03-1-401',
		option: 'a',
		at: 1,
		channel: 'visit',
		by: actor('grid1'),
		device: 'dev-grid1',
		...over
	});

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
			writeCommunity(d, { id, name: '锦绣里', street: '', district: '', grids: [], buildings: [], rules: { minCoSigners: 3 } });
		expect(judge('demo:community:main', 'admin', nothing, community('demo'))).toEqual(ok);
		expect(judge('demo:community:main', 'admin', nothing, community('other'))).toEqual(refused(/id must be/));
	});
});

describe('building grids from the community document', () => {
	it('maps each household to the grid of its building', () => {
		const doc = new Y.Doc();
		writeCommunity(doc, {
			id: 'demo',
			name: '锦绣里',
			street: '',
			district: '',
			grids: [{ id: 'g1', name: '一网格' }],
			buildings: [{ id: 'b03', grid: 'g1', name: '3栋', units: 2, floors: 6, roomsPerFloor: 2 }],
			rules: { minCoSigners: 3 }
		});
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
