import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../domain/actor';
import type { ProposalStatus } from '../domain/proposal';
import { newId } from '../domain/ids';
import { createProject, readProject, setRepresentative } from '../schema/project-doc';
import { appendEvent, createProposal, readProposal } from '../schema/proposal-doc';
import { addToTopic, createTopic } from '../schema/topic-doc';
import { DocStore } from './doc-store';
import { carryProposals, markReceived, pledge, type ProjectsApp, rate, reportProgress, signOff } from './projects';
import { specDevices } from './spec-stores';

const zhou: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };
const liu: Actor = { id: 'r1', name: '刘阿姨', role: 'resident' };
const PROJECT = 'demo:project:seats';
const PARTICIPATION = 'demo:participation:seats';
const TOPIC = 'demo:topic:seats';
const PROPOSAL = 'demo:proposal:seats';

/** The parts of the app the project actions use, on one device with its own IndexedDB, checked as in the app. */
const device = specDevices('projects');
const facilitatorDevice = () => device(zhou, { role: 'facilitator', community: 'demo' });
const residentDevice = () => device(liu, { role: 'resident', community: 'demo', household: 'b03-1-401' });

async function edit<T>(app: ProjectsApp, name: string, fn: (h: Awaited<ReturnType<DocStore['openDoc']>>) => T): Promise<T> {
	const h = await app.store.openDoc(name);
	try {
		const out = fn(h);
		await h.saved();
		return out;
	} finally {
		h.release();
	}
}

/** A decided proposal gathered in a topic, and the project carrying the topic out. */
async function decidedMatter(app: ProjectsApp) {
	await edit(app, PROPOSAL, (h) => {
		createProposal(h.doc, { title: '楼道座椅', description: '老人歇脚', category: 'facilities', kind: 'individual', channel: 'app' }, { id: 'seats', actor: liu, now: 1000, status: 'submitted' });
		let from: ProposalStatus = 'submitted';
		for (const [i, to] of (['accepted', 'topic', 'deliberating', 'decided'] as const).entries()) {
			appendEvent(h.doc, { id: newId(), type: 'transition', at: 2000 + i, by: zhou, channel: 'app', from, to });
			from = to;
		}
	});
	await edit(app, TOPIC, (h) => {
		createTopic(h.doc, { id: 'seats', title: '楼道座椅', category: 'facilities', level: 'community' }, zhou, 1500);
		addToTopic(h.doc, PROPOSAL, zhou, 1500);
	});
	await edit(app, PROJECT, (h) => createProject(h.doc, { id: 'seats', title: '楼道座椅', topic: TOPIC }, zhou, 3000));
}

const statusOf = (app: ProjectsApp) => edit(app, PROPOSAL, (h) => readProposal(h.doc).timeline.status);

describe('project actions', () => {
	it("moves the topic's proposals along with the project's stage, each step once, on a screener's device only", async () => {
		const app = facilitatorDevice();
		await decidedMatter(app);
		expect(await carryProposals(app, { id: 'seats', topic: TOPIC }, 'in_progress')).toEqual([PROPOSAL]);
		expect(await statusOf(app)).toBe('in_progress');
		// Two stages seen in quick succession are carried in order, and nothing twice.
		const [a, b] = await Promise.all([
			carryProposals(app, { id: 'seats', topic: TOPIC }, 'inspected'),
			carryProposals(app, { id: 'seats', topic: TOPIC }, 'inspected')
		]);
		expect([a, b]).toEqual([[PROPOSAL], []]);
		const timeline = await edit(app, PROPOSAL, (h) => readProposal(h.doc).timeline);
		expect(timeline.status).toBe('inspected');
		const carried = timeline.events.filter((e) => e.type === 'transition' && e.target === PROJECT);
		expect(carried.map((e) => (e.type === 'transition' ? e.to : ''))).toEqual(['in_progress', 'inspected']);
		expect(timeline.superseded.size).toBe(0);

		const resident = residentDevice();
		await decidedMatter(resident);
		expect(await carryProposals(resident, { id: 'seats', topic: TOPIC }, 'in_progress')).toEqual([]);
		expect(await statusOf(resident)).toBe('decided');
	});

	it("puts a resident's pledge, sign-off and rating into the participation document, and staff records into the project", async () => {
		const resident = residentDevice();
		await edit(resident, PROJECT, (h) => {
			createProject(h.doc, { id: 'seats', title: '楼道座椅' }, zhou, 3000);
			// Staff chose the household to sign: without that the relay, and so the device, refuses its sign-off.
			setRepresentative(h.doc, { household: 'b03-1-401', label: '3栋 1单元 401', at: 3000, by: zhou });
		});
		const project = await resident.store.openDoc(PROJECT);
		try {
			await pledge(resident, project, { source: 'residents', kind: 'money', name: '3栋 刘阿姨', household: 'b03-1-401', amount: 5000 });
			await signOff(resident, project, { name: '刘阿姨', household: 'b03-1-401', agree: true });
			await rate(resident, project, 'b03-1-401', 5, '很好');
			expect(project.doc.getMap('pledges').size + project.doc.getMap('signoffs').size + project.doc.getMap('ratings').size).toBe(0);
			const both = await edit(resident, PARTICIPATION, (h) => readProject(project.doc, h.doc));
			expect([both.pledges.length, both.signoffs.length, both.ratings.length]).toEqual([1, 1, 1]);
			// A change the relay would refuse is refused here, before anything is written: it would otherwise sit in
			// the document and hold up every later change of it.
			await expect(rate(resident, project, 'b03-1-402', 1, '')).rejects.toThrow(/rating/);
			expect((await edit(resident, PARTICIPATION, (h) => readProject(project.doc, h.doc))).ratings).toHaveLength(1);
		} finally {
			project.release();
		}

		const staff = facilitatorDevice();
		await edit(staff, PROJECT, (h) => createProject(h.doc, { id: 'seats', title: '楼道座椅' }, zhou, 3000));
		const own = await staff.store.openDoc(PROJECT);
		try {
			await pledge(staff, own, { source: 'property', kind: 'money', name: '物业公司', amount: 120000 });
			await signOff(staff, own, { name: '王建国', household: 'b03-1-402', agree: true, paperPhotos: ['a'.repeat(64)] });
			expect([own.doc.getMap('pledges').size, own.doc.getMap('signoffs').size]).toEqual([1, 1]);
			// Ratings are residents' voices even when staff take them down at the door.
			await rate(staff, own, 'b03-1-402', 4, '');
			expect(own.doc.getMap('ratings').size).toBe(0);
		} finally {
			own.release();
		}
	});

	it("refuses on the device what the relay would refuse: money recorded by a grid worker, or in someone else's name", async () => {
		const worker = device({ id: 'g1-device', name: '小陈', role: 'grid_worker' }, { role: 'grid_worker', community: 'demo', grids: ['g1'] });
		await edit(worker, PROJECT, (h) => createProject(h.doc, { id: 'seats', title: '楼道座椅' }, zhou, 3000));
		const project = await worker.store.openDoc(PROJECT);
		try {
			await expect(markReceived(worker, project, 'p1', 5000, '2026-11-01')).rejects.toThrow(/refused: a grid_worker may not change "receipts"/);
			expect(project.doc.getMap('receipts').size).toBe(0);
			// Progress, with its photos, is the grid worker's to report.
			await reportProgress(worker, project, 't1', '座椅到货', []);
			expect(project.doc.getMap('updates').size).toBe(1);
		} finally {
			project.release();
		}
	});
});
