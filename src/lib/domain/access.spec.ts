import { describe, expect, it } from 'vitest';
import { accessFor, type Grant, PERSONAL_KINDS } from './access';

const g = (role: Grant['role'], extra: Partial<Grant> = {}): Grant =>
	role === 'street_admin' ? { role, community: 'street', communities: ['demo'], ...extra } : { role, community: 'demo', ...extra };
const doc = (kind: string, id = 'x', community = 'demo') => ({ community, kind, id });

describe('access matrix', () => {
	it.each([
		['resident', 'households', 'none'],
		['resident', 'proposal', 'write'],
		['resident', 'community', 'read'],
		['facilitator', 'households', 'read'],
		['community_admin', 'households', 'write'],
		['community_admin', 'community', 'write'],
		['street_admin', 'households', 'none'],
		['street_admin', 'community', 'read']
	] as const)('%s on %s is %s', (role, kind, expected) => {
		expect(accessFor(g(role), doc(kind))).toBe(expected);
	});

	it('gives grid workers their own grids only', () => {
		const worker = g('grid_worker', { grids: ['g1'] });
		expect(accessFor(worker, doc('households', 'g1'))).toBe('write');
		expect(accessFor(worker, doc('households', 'g2'))).toBe('none');
		expect(accessFor(g('grid_worker'), doc('households', 'g1'))).toBe('none');
	});

	it('lets a street admin read aggregates and referrals of its communities, and nothing that names a household', () => {
		const street = { role: 'street_admin' as const, community: 'jinxiu-street', communities: ['demo', 'east'] };
		for (const kind of ['community', 'report', 'notice']) expect(accessFor(street, doc(kind, 'main', 'east'))).toBe('read');
		expect(accessFor(street, doc('referrals', 'main', 'east'))).toBe('write');
		for (const kind of ['proposal', 'participation', 'topic', 'meeting', 'minutes', 'poll', 'project', 'households', 'visits', 'ballots', 'passbook', 'talents', 'rooms', 'bookings', 'convention']) {
			expect(accessFor(street, doc(kind, 'x', 'demo')), kind).toBe('none');
		}
		expect(accessFor(street, doc('report', 'main', 'west'))).toBe('none');
	});

	it("gives a street admin the street office's own topics, meetings and polls, and nobody else", () => {
		const street = { role: 'street_admin' as const, community: 'jinxiu-street', communities: ['demo'] };
		for (const kind of ['topic', 'meeting', 'minutes', 'poll', 'notice']) expect(accessFor(street, doc(kind, 'x', 'jinxiu-street'))).toBe('write');
		expect(accessFor(street, doc('proposal', 'x', 'jinxiu-street'))).toBe('none');
		expect(accessFor(street, doc('topic', 'x', 'other-street'))).toBe('none');
		expect(accessFor(g('facilitator'), doc('topic', 'x', 'jinxiu-street'))).toBe('none');
	});

	it('lets residents read only the public version of reports', () => {
		expect(accessFor(g('resident'), doc('report', 'public'))).toBe('read');
		expect(accessFor(g('resident'), doc('report', 'main'))).toBe('none');
		expect(accessFor(g('grid_worker', { grids: ['g1'] }), doc('report', 'main'))).toBe('read');
		expect(accessFor(g('facilitator'), doc('referrals', 'main'))).toBe('read');
		expect(accessFor(g('resident'), doc('referrals', 'main'))).toBe('none');
	});

	it("keeps a household's passbook to that household and the staff who keep the books", () => {
		const own = g('resident', { household: 'b03-1-401' });
		expect(accessFor(own, doc('passbook', 'b03-1-401'))).toBe('write');
		expect(accessFor(own, doc('passbook', 'b03-1-402'))).toBe('none');
		// A resident device without a household reads no passbook at all.
		expect(accessFor(g('resident'), doc('passbook', 'b03-1-401'))).toBe('none');
		expect(accessFor(g('grid_worker', { grids: ['g1'] }), doc('passbook', 'b03-1-401'))).toBe('none');
		expect(accessFor(g('facilitator'), doc('passbook', 'b03-1-401'))).toBe('write');
		expect(accessFor(g('community_admin'), doc('passbook', 'b03-1-401'))).toBe('write');
		expect(accessFor(g('street_admin'), doc('passbook', 'b03-1-401'))).toBe('none');
	});

	it.each([
		['resident', 'read', 'read'],
		['grid_worker', 'read', 'read'],
		['facilitator', 'write', 'read'],
		['community_admin', 'write', 'read'],
		['street_admin', 'none', 'read']
	] as const)('gives a %s the points config as %s and the public points board as %s', (role, main, board) => {
		expect(accessFor(g(role), doc('points', 'main'))).toBe(main);
		expect(accessFor(g(role), doc('points', 'public'))).toBe(board);
	});

	it('keeps the register of talents (contact details) to staff', () => {
		expect(accessFor(g('resident', { household: 'b03-1-401' }), doc('talents', 'main'))).toBe('none');
		for (const role of ['grid_worker', 'facilitator', 'community_admin'] as const) expect(accessFor(g(role), doc('talents', 'main')), role).toBe('write');
		expect(accessFor(g('street_admin'), doc('talents', 'main'))).toBe('none');
	});

	it('counts passbooks and the register of talents as personal data', () => {
		for (const kind of ['passbook', 'talents', 'households', 'visits', 'ballots', 'minutes']) expect(PERSONAL_KINDS.has(kind), kind).toBe(true);
		for (const kind of ['points', 'report', 'proposal']) expect(PERSONAL_KINDS.has(kind), kind).toBe(false);
	});

	it("keeps a household's bookings to that household and the staff who run the rooms", () => {
		const own = g('resident', { household: 'b03-1-401' });
		expect(accessFor(own, doc('bookings', 'b03-1-401'))).toBe('write');
		expect(accessFor(own, doc('bookings', 'b03-1-402'))).toBe('none');
		expect(accessFor(g('grid_worker', { grids: ['g1'] }), doc('bookings', 'b03-1-401'))).toBe('none');
		for (const role of ['facilitator', 'community_admin'] as const) expect(accessFor(g(role), doc('bookings', 'b03-1-401')), role).toBe('write');
		expect(PERSONAL_KINDS.has('bookings')).toBe(true);
	});

	it.each([
		['resident', 'read', 'read', 'write'],
		['grid_worker', 'read', 'read', 'write'],
		['facilitator', 'write', 'read', 'write'],
		['community_admin', 'write', 'read', 'write'],
		['street_admin', 'none', 'none', 'none']
	] as const)('gives a %s the rooms as %s, their public calendar as %s and conventions as %s', (role, rooms, calendar, convention) => {
		expect(accessFor(g(role), doc('rooms', 'main'))).toBe(rooms);
		expect(accessFor(g(role), doc('rooms', 'public'))).toBe(calendar);
		expect(accessFor(g(role), doc('convention', 'c1'))).toBe(convention);
	});

	it('refuses other communities and unknown kinds', () => {
		expect(accessFor(g('community_admin'), doc('proposal', 'x', 'other'))).toBe('none');
		expect(accessFor(g('community_admin'), doc('secrets'))).toBe('none');
	});
});
