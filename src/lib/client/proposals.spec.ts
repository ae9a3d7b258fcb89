import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../domain/actor';
import type { ProposalDraft } from '../domain/proposal';
import { readProject } from '../schema/project-doc';
import { readProposal } from '../schema/proposal-doc';
import { readTopic } from '../schema/topic-doc';
import { readVisits } from '../schema/visits-doc';
import { recordVisit } from './canvassing';
import { coSign, comment, createProposal, fileProposal, support, transition } from './proposals';
import { specDevices } from './spec-stores';
import { createTopic } from './topics';

const liu: Actor = { id: 'r1', name: '刘阿姨', role: 'resident' };
const li: Actor = { id: 'a1', name: '李主任', role: 'community_admin' };
const zhou: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };
const VISITS = 'demo:visits:g1';
const PROJECT = 'demo:project:seats';
const PARTICIPATION = 'demo:participation:seats';

/** One device with its own IndexedDB, checking each write against the relay's rules as the app does. */
const device = specDevices('proposals');
const draft = (over: Partial<ProposalDraft> = {}): ProposalDraft => ({
	title: '楼道灯不亮',
	description: '3栋2单元的楼道灯坏了一个月',
	category: 'facilities',
	kind: 'individual',
	channel: 'app',
	...over
});

const read = <T>(app: ReturnType<typeof device>, name: string, fn: (doc: import('yjs').Doc) => T) => app.store.withDoc(name, (h) => fn(h.doc));

describe('filing a proposal', () => {
	it('files it on disk, at the level asked, with who filed it', async () => {
		const admin = device(li, { role: 'community_admin', community: 'demo' });
		const doc = await fileProposal(admin, { draft: draft({ channel: 'visit', household: 'b01-1-101' }), status: 'submitted', level: 'grid' });
		const p = await read(admin, doc, readProposal);
		expect([p.title, p.level, p.timeline.status, p.createdBy?.id, p.household]).toEqual(['楼道灯不亮', 'grid', 'submitted', li.id, 'b01-1-101']);
		expect(await admin.store.dirtyDocs()).toEqual([doc]);
	});

	it('links the visit it was filed at, only when filed for the household visited', async () => {
		const admin = device(li, { role: 'community_admin', community: 'demo' });
		const knock = await recordVisit(admin, { grid: 'g1', household: { id: 'b01-1-101', building: 'b01' }, outcome: 'talked' });
		const visit = { grid: 'g1', id: knock.id, household: 'b01-1-101' };
		const other = await fileProposal(admin, { draft: draft({ channel: 'visit', household: 'b01-1-102' }), status: 'submitted', visit });
		expect((await read(admin, VISITS, readVisits))[0]?.proposal).toBeUndefined();
		const linked = await fileProposal(admin, { draft: draft({ channel: 'visit', household: 'b01-1-101' }), status: 'submitted', visit });
		expect(linked).not.toBe(other);
		expect((await read(admin, VISITS, readVisits))[0]?.proposal).toBe(linked);
	});

	it("records it as the follow-up of a project's rating, naming the project as its source", async () => {
		const resident = device(liu, { role: 'resident', community: 'demo', household: 'b03-1-401' });
		const doc = await fileProposal(resident, { draft: draft({ household: 'b03-1-401' }), status: 'submitted', followUp: { project: PROJECT, household: 'b03-1-401' } });
		expect((await read(resident, doc, readProposal)).source).toBe(PROJECT);
		const project = await read(resident, PARTICIPATION, (participation) => read(resident, PROJECT, (own) => readProject(own, participation)));
		expect(project.followUps).toEqual([expect.objectContaining({ proposal: doc, household: 'b03-1-401', by: liu })]);
	});

	it('keeps the proposal when a link cannot be made', async () => {
		const resident = device(liu, { role: 'resident', community: 'demo', household: 'b03-1-401' });
		// A resident may not write a grid's visits, and a topic is no project: both links fail, the proposal stays.
		const doc = await fileProposal(resident, {
			draft: draft({ household: 'b03-1-401' }),
			status: 'draft',
			followUp: { project: 'demo:topic:seats' },
			visit: { grid: 'g1', id: 'v1', household: 'b03-1-401' }
		});
		expect((await read(resident, doc, readProposal)).timeline.status).toBe('draft');
		expect(await resident.store.dirtyDocs()).toEqual([doc]);
	});
});

describe('proposal and topic actions', () => {
	it('co-signs, supports, comments and moves a proposal along; a topic takes the accepted ones', async () => {
		const resident = device(liu, { role: 'resident', community: 'demo', household: 'b03-1-401' });
		const staff = device(zhou, { role: 'facilitator', community: 'demo' });
		const name = await createProposal(staff, draft({ kind: 'joint' }), 'submitted');
		const handle = await staff.store.openDoc(name);
		try {
			await coSign(staff, handle, 'b03-1-402', '王建国', 'visit');
			await comment(staff, handle, '已转物业');
			const event = await transition(staff, handle, 'submitted', 'accepted', { reason: '属实' });
			const p = readProposal(handle.doc);
			expect(p.coSigners.map((c) => [c.household, c.channel])).toEqual([['b03-1-402', 'visit']]);
			expect(p.timeline.status).toBe('accepted');
			expect(p.timeline.events.find((e) => e.id === event)).toMatchObject({ type: 'transition', reason: '属实', by: zhou });
			expect(p.timeline.events.some((e) => e.type === 'comment' && e.text === '已转物业')).toBe(true);

			const topic = await createTopic(staff, '楼道照明', 'facilities', [{ handle, status: 'accepted' }]);
			expect((await read(staff, topic, (doc) => readTopic(doc, topic))).proposals).toEqual([name]);
			expect(readProposal(handle.doc).timeline.status).toBe('topic');
		} finally {
			handle.release();
		}

		// A resident supports with their household.
		const own = await createProposal(resident, draft(), 'submitted');
		await resident.store.withDoc(own, (h) => support(resident, h));
		expect((await read(resident, own, readProposal)).supporters.map((s) => s.id)).toEqual(['b03-1-401']);
	});
});
