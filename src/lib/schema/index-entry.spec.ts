import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addCoSigner, addSupporter, appendEvent, createProposal } from './proposal-doc';
import { addToTopic, createTopic } from './topic-doc';
import { indexEntry } from './index-entry';
import { redemptionCode, type Transfer } from '../domain/points';
import { addHandover, addTransfer, setBoardChoice } from './passbook-doc';
import { putItem } from './points-doc';
import { putPerson } from './talents-doc';
import { facilitatorActor, residentActor } from '../domain/testing';

const actor = residentActor();

describe('indexEntry (version 2 fields)', () => {
	it('a proposal carries its description, filing time, household, co-signers and supporters', () => {
		const doc = new Y.Doc();
		createProposal(
			doc,
			{ title: '楼道清理', description: '2单元楼道堆满杂物', category: 'cleanup', kind: 'joint', channel: 'app', household: 'b01-1-101' },
			{ id: 'p1', actor, now: 1000, status: 'submitted' }
		);
		addCoSigner(doc, { household: 'b01-1-102', name: '乙', at: 2000, by: actor, channel: 'app' });
		addSupporter(doc, { id: 'b01-1-103', at: 3000, by: actor });
		const e = indexEntry('demo:proposal:p1', doc)!;
		expect(e.text).toBe('2单元楼道堆满杂物');
		expect(e.created).toBe(1000);
		expect(e.household).toBe('b01-1-101');
		expect(e.coSigners).toEqual(['b01-1-102']);
		expect(e.supporters).toEqual(['b01-1-103']);
	});

	it('a merged proposal names the proposal it joined, once the merge took effect (version 5)', () => {
		const doc = new Y.Doc();
		createProposal(
			doc,
			{ title: '楼道清理', description: '重复', category: 'cleanup', kind: 'individual', channel: 'app', household: 'b01-1-104' },
			{ id: 'p2', actor, now: 1000, status: 'submitted' }
		);
		expect(indexEntry('demo:proposal:p2', doc)!.mergedInto).toBeUndefined();
		const fac = facilitatorActor();
		appendEvent(doc, { id: 'm1', type: 'transition', at: 2000, by: fac, channel: 'app', from: 'submitted', to: 'merged', target: 'demo:proposal:p1' });
		expect(indexEntry('demo:proposal:p2', doc)!.mergedInto).toBe('demo:proposal:p1');
	});

	it('a topic carries its member proposals', () => {
		const doc = new Y.Doc();
		createTopic(doc, { id: 't1', title: '楼道', category: 'cleanup', level: 'community' }, actor, 5000);
		addToTopic(doc, 'demo:proposal:p1', actor, 6000);
		const e = indexEntry('demo:topic:t1', doc)!;
		expect(e.members).toEqual(['demo:proposal:p1']);
		expect(e.created).toBe(5000);
	});
});

describe('indexEntry: points passbooks, config and the register of talents', () => {
	const staff = facilitatorActor();
	const transfer = (id: string, kind: 'award' | 'redeem', at: number): Transfer =>
		kind === 'award'
			? { id, kind, household: 'b01-1-101', amount: 10, at, by: staff, channel: 'activity', note: '清扫' }
			: { id, kind, household: 'b01-1-101', amount: 5, at, by: staff, channel: 'counter', note: '', item: 'rice', quantity: 1, code: redemptionCode(id) };

	it('a passbook carries its household and parsed records, counted by transfers', () => {
		const doc = new Y.Doc();
		addTransfer(doc, transfer('t1', 'award', 1000));
		addTransfer(doc, transfer('t2', 'redeem', 2000));
		addHandover(doc, { transfer: 't2', at: 2500, by: staff });
		doc.getMap('transfers').set('junk', { id: 'junk' });
		const e = indexEntry('demo:passbook:b01-1-101', doc)!;
		expect(e).toMatchObject({ kind: 'passbook', household: 'b01-1-101', count: 2, updated: 2500 });
		expect(e.passbook).toEqual({ transfers: [transfer('t1', 'award', 1000), transfer('t2', 'redeem', 2000)], approvals: [], resolutions: [], handovers: ['t2'] });
	});

	it("a resident's board choice alone makes a passbook with no transfers", () => {
		const doc = new Y.Doc();
		setBoardChoice(doc, { show: true, name: '1栋王家', at: 700, by: actor });
		expect(indexEntry('demo:passbook:b01-1-101', doc)).toMatchObject({ household: 'b01-1-101', count: 0, updated: 700, passbook: { transfers: [] } });
	});

	it('the points config and the register get plain entries, counting items and people', () => {
		const points = new Y.Doc();
		putItem(points, { id: 'rice', name: '大米', price: 30, unit: '袋', at: 10, by: staff });
		expect(indexEntry('demo:points:main', points)).toMatchObject({ kind: 'points', title: '', count: 1, updated: 10 });
		const talents = new Y.Doc();
		putPerson(talents, { id: 'p1', name: '王师傅', skills: [], availability: '', consent: false, roles: [], at: 20, by: staff });
		expect(indexEntry('demo:talents:main', talents)).toMatchObject({ kind: 'talents', title: '', count: 1, updated: 20 });
	});
});

describe('indexEntry: room bookings', () => {
	it("a household's bookings carry their parsed records, so staff fold every household's without opening each", async () => {
		const { addBookings, addDecision } = await import('./bookings-doc');
		const doc = new Y.Doc();
		expect(indexEntry('demo:bookings:b01-1-101', doc)).toBeNull();
		const booking = {
			id: 'bk1',
			room: 'activity-room',
			household: 'b01-1-101',
			start: 1_000 * 60_000,
			end: 1_060 * 60_000,
			purpose: '读书会',
			people: 6,
			by: actor,
			at: 500,
			channel: 'app' as const
		};
		addBookings(doc, 'b01-1-101', [booking]);
		addDecision(doc, 'b01-1-101', { id: 'd1', kind: 'confirm', booking: 'bk1', by: { id: 'f1', name: '周敏', role: 'facilitator' }, at: 900, note: '' });
		const e = indexEntry('demo:bookings:b01-1-101', doc)!;
		expect(e).toMatchObject({ kind: 'bookings', household: 'b01-1-101', count: 1, updated: 900 });
		expect(e.bookings?.bookings).toEqual([booking]);
		expect(e.bookings?.decisions.map((d) => d.id)).toEqual(['d1']);
	});
});
