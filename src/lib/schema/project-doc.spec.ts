import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { projectState } from '../domain/project';
import { facilitator, facilitator2, pledge, rating, resident, resident2 } from '../domain/testing/projects';
import { indexEntry } from './index-entry';
import {
	addChecklistItem,
	addEntry,
	addPledge,
	addRequest,
	addSelection,
	addSignoff,
	addTask,
	addTender,
	addUpdate,
	createProject,
	overrideAcceptance,
	rate,
	readProject,
	recordReceipt,
	representativeHouseholds,
	setCheck,
	setMinRepresentatives,
	setRepresentative,
	setTarget,
	withdrawPledge
} from './project-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';

const TODAY = '2024-05-20';

function twoDevices() {
	const a = new Y.Doc();
	createProject(a, { id: 'stair-seats', title: '3栋楼道加装折叠座椅', topic: 'demo:topic:stair-seats' }, facilitator, 100);
	setTarget(a, 240000, facilitator, 110);
	const b = new Y.Doc();
	sync(a, b);
	return [a, b] as const;
}

describe('project document', () => {
	it('reads back what was written', () => {
		const [a] = twoDevices();
		const p = readProject(a);
		expect(p).toMatchObject({ id: 'stair-seats', title: '3栋楼道加装折叠座椅', topic: 'demo:topic:stair-seats', target: 240000, minRepresentatives: 3 });
		expect(p.targetSet?.by).toEqual(facilitator);
		expect(() => setTarget(a, 12.5, facilitator, 1)).toThrow(RangeError);
	});

	it('two devices marking the same pledge received offline produce one income after the merge', () => {
		const [a, b] = twoDevices();
		const p = pledge({ amount: 20030 });
		addPledge(a, p);
		sync(a, b);
		// Both offline: each facilitator marks the pledge received on their own device.
		expect(recordReceipt(a, { pledge: p.id, amount: 20030, date: '2024-05-02', at: 500, by: facilitator })).toBe(true);
		expect(recordReceipt(b, { pledge: p.id, amount: 20030, date: '2024-05-03', at: 501, by: facilitator2 })).toBe(true);
		// Marking it again on the same device is refused.
		expect(recordReceipt(a, { pledge: p.id, amount: 20030, date: '2024-05-02', at: 502, by: facilitator })).toBe(false);
		sync(a, b);
		for (const doc of [a, b]) {
			const f = projectState(readProject(doc), TODAY).funding;
			expect(f.lines.filter((l) => l.kind === 'income')).toHaveLength(1);
			expect(f.income).toBe(20030);
			expect(f.balance).toBe(20030);
		}
		// Both devices settle on the same receipt.
		expect(readProject(a).receipts).toEqual(readProject(b).receipts);
	});

	it('keeps every pledge and entry made offline on either device, with exact totals', () => {
		const [a, b] = twoDevices();
		const pa = pledge({ amount: 435, id: 'pa' });
		const pb = pledge({ amount: 115, id: 'pb', household: 'b03-2-101' });
		addPledge(a, pa);
		addPledge(b, pb);
		recordReceipt(a, { pledge: pa.id, amount: 435, date: '2024-05-02', at: 600, by: facilitator });
		addEntry(b, { id: 'e1', type: 'spending', amount: 330, date: '2024-05-04', description: '螺丝', photos: [], at: 700, by: facilitator2 });
		sync(a, b);
		recordReceipt(b, { pledge: pb.id, amount: 115, date: '2024-05-03', at: 650, by: facilitator2 });
		sync(a, b);
		const f = projectState(readProject(a), TODAY).funding;
		expect(f.lines.map((l) => [l.kind, l.amount, l.balance])).toEqual([
			['income', 435, 435],
			['income', 115, 550],
			['spending', 330, 220]
		]);
		expect(projectState(readProject(b), TODAY).funding).toEqual(f);
	});

	it('a withdrawal is refused once received, and a receipt racing a withdrawal still counts', () => {
		const [a, b] = twoDevices();
		const p = pledge({ amount: 900 });
		addPledge(a, p);
		sync(a, b);
		expect(withdrawPledge(a, p.id, resident, 800)).toBe(true);
		recordReceipt(b, { pledge: p.id, amount: 900, date: '2024-05-02', at: 801, by: facilitator });
		sync(a, b);
		expect(projectState(readProject(a), TODAY).funding.pledges[0]?.status).toBe('received');
		expect(withdrawPledge(a, p.id, resident, 900)).toBe(false);
	});

	it('two devices of one household rating offline: one counted rating, both kept', () => {
		const [a, b] = twoDevices();
		rate(a, rating({ household: 'b03-1-401', score: 2, comment: '太慢', at: 1000, by: resident }), 'device-phone');
		rate(b, rating({ household: 'b03-1-401', score: 4, at: 1001, by: resident2 }), 'device-tablet');
		sync(a, b);
		const s = projectState(readProject(a), TODAY).satisfaction;
		expect(s.count).toBe(1);
		expect(s.households[0]?.current.score).toBe(4);
		expect(s.households[0]?.earlier.map((r) => r.score)).toEqual([2]);
		expect(s.households[0]?.conflict).toBe(true);
		// Re-rating from the same device replaces its own rating.
		rate(a, rating({ household: 'b03-1-401', score: 5, at: 1002, by: resident }), 'device-phone');
		expect(readProject(a).ratings).toHaveLength(2);
	});

	it('task status follows progress merged from two devices', () => {
		const [a, b] = twoDevices();
		addTask(a, { id: 't1', title: '安装座椅', responsible: '物业工程部', due: '2024-05-15', at: 200, by: facilitator });
		sync(a, b);
		addUpdate(a, { id: 'u1', task: 't1', text: '已装好', photos: [], mark: 'done', at: 300, by: facilitator });
		addUpdate(b, { id: 'u2', task: 't1', text: '二楼一把松动', photos: [], mark: 'reopened', at: 310, by: facilitator2 });
		sync(a, b);
		const w = projectState(readProject(b), TODAY).work;
		expect(w.tasks[0]?.updates.map((u) => u.id)).toEqual(['u1', 'u2']);
		expect(w.tasks[0]?.status).toBe('in_progress');
		expect(w.overdue).toBe(1);
	});

	it('ignores malformed records from another device instead of failing', () => {
		const [a] = twoDevices();
		a.getMap('pledges').set('junk', { id: 'junk' });
		a.getMap('tasks').set('t', 'not a task');
		addTender(a, { id: 'd1', vendor: '恒安', price: 100, model: '', at: 1, by: facilitator });
		addSelection(a, { id: 's1', tender: 'd1', reason: '最低价', at: 2, by: facilitator });
		const p = readProject(a);
		expect(p.pledges).toEqual([]);
		expect(p.tasks).toEqual([]);
		expect(projectState(p, TODAY).tender.selected?.tender.vendor).toBe('恒安');
	});

	it('counts from the participation document only what residents may bring: their pledges, sign-offs, ratings and requests', () => {
		const [project] = twoDevices();
		const participation = new Y.Doc();
		const own = pledge({ id: 'own', amount: 5000 });
		addPledge(participation, own);
		// A tampered resident device writes money facts into the document it may write, claiming a facilitator.
		addPledge(participation, pledge({ id: 'forged', source: 'property', name: '物业公司', household: undefined, amount: 900000, by: facilitator }));
		recordReceipt(participation, { pledge: 'own', amount: 5000, date: '2024-05-02', at: 900, by: facilitator });
		addEntry(participation, { id: 'e9', type: 'income', amount: 100000, date: '2024-05-02', description: '假收入', photos: [], at: 901, by: facilitator });
		addTask(participation, { id: 't9', title: '假任务', responsible: '无', due: '2024-05-01', at: 902, by: facilitator });
		addSignoff(participation, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, at: 903, by: resident });
		rate(participation, rating({ household: 'b03-1-401', score: 5, at: 904, by: resident }), 'device-phone');
		addRequest(participation, { id: 'q1', question: '合同能公开吗？', at: 905, by: resident });

		const p = readProject(project, participation);
		expect(p.pledges.map((x) => x.id)).toEqual(['own']);
		expect(p.receipts).toEqual([]);
		expect(p.entries).toEqual([]);
		expect(p.tasks).toEqual([]);
		expect(p.signoffs.map((x) => x.id)).toEqual(['b03-1-401']);
		expect(p.ratings).toHaveLength(1);
		expect(p.requests.map((x) => x.id)).toEqual(['q1']);
		const f = projectState(p, TODAY).funding;
		expect([f.pledged, f.income, f.balance]).toEqual([5000, 0, 0]);

		// The receipt that counts is the one staff record in the project; the giver can no longer withdraw.
		recordReceipt(project, { pledge: 'own', amount: 5000, date: '2024-05-03', at: 910, by: facilitator });
		expect(projectState(readProject(project, participation), TODAY).funding.income).toBe(5000);
		expect(withdrawPledge(participation, 'own', resident, 920, project)).toBe(false);
	});

	it("a household's latest sign-off counts, whether from its device or staff's paper record", () => {
		const [project] = twoDevices();
		const participation = new Y.Doc();
		setRepresentative(project, { household: 'b03-1-401', label: '3栋 1单元 401', at: 800, by: facilitator });
		const paper = { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, paper: true, photos: ['a'.repeat(64)], at: 900, by: facilitator };
		addSignoff(project, paper);
		addSignoff(participation, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: false, at: 901, by: resident });
		const p = readProject(project, participation);
		expect(p.representatives.map((r) => r.household)).toEqual(['b03-1-401']);
		expect(projectState(p, TODAY).acceptance.signoffs.map((x) => [x.id, x.agree])).toEqual([['b03-1-401', false]]);
		addSignoff(project, { ...paper, at: 950 });
		expect(projectState(readProject(project, participation), TODAY).acceptance.signoffs.map((x) => [x.id, x.agree])).toEqual([['b03-1-401', true]]);
	});

	it('reads the override and the chosen households the relay judges sign-offs by', () => {
		const [project] = twoDevices();
		setRepresentative(project, { household: 'b03-1-401', label: '3栋 1单元 401', at: 800, by: facilitator });
		setRepresentative(project, { household: 'b03-1-402', label: '3栋 1单元 402', at: 801, by: facilitator });
		setRepresentative(project, { household: 'b03-1-402', label: '3栋 1单元 402', at: 802, by: facilitator, removed: { at: 802, by: facilitator } });
		expect([...representativeHouseholds(project)]).toEqual(['b03-1-401']);
		expect(() => overrideAcceptance(project, { reason: ' ', waived: ['tasks'], at: 900, by: facilitator })).toThrow(RangeError);
		overrideAcceptance(project, { reason: '材料由居民捐赠，任务已由志愿者完成', waived: ['tasks'], at: 900, by: facilitator });
		expect(readProject(project).acceptanceOverride).toMatchObject({ waived: ['tasks'], by: facilitator });
	});

	it('indexes the stage with residents’ sign-offs from the participation document', () => {
		const [project] = twoDevices();
		const participation = new Y.Doc();
		setMinRepresentatives(project, 1);
		addTask(project, { id: 't1', title: '安装', responsible: '物业', due: '2024-05-25', at: 200, by: facilitator });
		addUpdate(project, { id: 'u1', task: 't1', text: '装好了', photos: [], mark: 'done', at: 300, by: facilitator });
		addChecklistItem(project, { id: 'i1', text: '座椅牢固', at: 400, by: facilitator });
		setCheck(project, { item: 'i1', result: 'pass', at: 410, by: facilitator });
		setRepresentative(project, { household: 'b03-1-401', label: '3栋 1单元 401', at: 420, by: facilitator });
		// Nothing raised of the target yet: staff accept it anyway, with the reason on record.
		overrideAcceptance(project, { reason: '座椅由物业捐赠，不再筹款', waived: ['funds'], at: 430, by: facilitator });
		expect(indexEntry('demo:project:stair-seats', project, participation)).toMatchObject({ stage: 'awaiting_acceptance' });
		addSignoff(participation, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, at: 903, by: resident });
		expect(indexEntry('demo:project:stair-seats', project, participation)).toMatchObject({ stage: 'accepted', status: 'inspected' });
		expect(indexEntry('demo:participation:stair-seats', participation)).toBeNull();
	});

	it('indexes its stage, open tasks, earliest due day and topic', () => {
		const [a] = twoDevices();
		addTask(a, { id: 't1', title: '采购', responsible: '周敏', due: '2024-06-01', at: 200, by: facilitator });
		addTask(a, { id: 't2', title: '安装', responsible: '物业', due: '2024-05-25', at: 210, by: facilitator });
		const e = indexEntry('demo:project:stair-seats', a) as Record<string, unknown> | null;
		expect(e).toMatchObject({ kind: 'project', title: '3栋楼道加装折叠座椅', status: 'funding', stage: 'funding', count: 2, due: '2024-05-25', topic: 'demo:topic:stair-seats' });
		expect(indexEntry('demo:project:empty', new Y.Doc())).toBeNull();
	});
});
