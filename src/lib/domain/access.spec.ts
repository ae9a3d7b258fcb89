import { describe, expect, it } from 'vitest';
import { accessFor, type Grant } from './access';

const g = (role: Grant['role'], extra: Partial<Grant> = {}): Grant => ({ role, community: 'demo', communities: ['demo'], ...extra });
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

	it('lets a street admin read the communities of the street and no household data', () => {
		const street = { role: 'street_admin' as const, community: 'jinxiu-street', communities: ['demo', 'east'] };
		expect(accessFor(street, doc('proposal', 'x', 'east'))).toBe('read');
		expect(accessFor(street, doc('proposal', 'x', 'west'))).toBe('none');
		expect(accessFor(street, doc('households', 'g1', 'demo'))).toBe('none');
	});

	it('refuses other communities and unknown kinds', () => {
		expect(accessFor(g('community_admin'), doc('proposal', 'x', 'other'))).toBe('none');
		expect(accessFor(g('community_admin'), doc('secrets'))).toBe('none');
	});
});
