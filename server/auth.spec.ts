import { describe, expect, it } from 'vitest';
import { OpenAuthorizer, type Principal, roleAccess } from './auth';

const p = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({ id: 'x', role, community: 'demo', ...extra });

describe('access', () => {
	it('open: everyone writes every well-formed name, nothing else', async () => {
		const open = new OpenAuthorizer();
		const principal = await open.authenticate(null);
		expect(open.access(principal, 'demo:proposal:a')).toBe('write');
		expect(open.access(principal, 'demo:unknown:a')).toBe('none');
		expect(open.access(principal, '../x')).toBe('none');
	});

	it('role matrix of DESIGN.md §2', () => {
		expect(roleAccess(p('resident'), 'demo:households:g1')).toBe('none');
		expect(roleAccess(p('resident'), 'demo:community:main')).toBe('read');
		expect(roleAccess(p('resident'), 'demo:proposal:a')).toBe('write');
		expect(roleAccess(p('grid_worker', { grids: ['g1'] }), 'demo:households:g1')).toBe('write');
		expect(roleAccess(p('grid_worker', { grids: ['g1'] }), 'demo:households:g2')).toBe('none');
		expect(roleAccess(p('community_admin'), 'demo:community:main')).toBe('write');
		expect(roleAccess(p('street_admin'), 'demo:households:g1')).toBe('none');
		expect(roleAccess(p('street_admin'), 'other:proposal:a')).toBe('read');
		expect(roleAccess(p('community_admin'), 'other:proposal:a')).toBe('none');
		expect(roleAccess(p(null), 'demo:proposal:a')).toBe('none');
	});
});
