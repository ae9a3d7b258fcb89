import { describe, expect, it } from 'vitest';
import { parseDuration } from '../core/duration';
import { describeGrant, GrantError, normalizeGrant, parseGrant } from './grants';

describe('normalizeGrant', () => {
	it('keeps exactly the scope a role uses', () => {
		expect(normalizeGrant({ role: 'grid-worker', community: 'demo', grids: 'g1, g2', household: 'x' })).toEqual({
			role: 'grid_worker',
			community: 'demo',
			grids: ['g1', 'g2']
		});
		expect(normalizeGrant({ role: 'facilitator', community: 'demo', grids: ['g1'] })).toEqual({ role: 'facilitator', community: 'demo' });
		expect(normalizeGrant({ role: 'street_admin', community: 'st', communities: ['demo', 'east'] })).toEqual({
			role: 'street_admin',
			community: 'st',
			communities: ['demo', 'east']
		});
	});

	it('refuses unknown roles, missing scope and ids that are not document-name segments', () => {
		expect(() => normalizeGrant({ role: 'mayor', community: 'demo' })).toThrow(GrantError);
		expect(() => normalizeGrant({ role: 'resident', community: 'demo' })).toThrow(/household/);
		expect(() => normalizeGrant({ role: 'grid_worker', community: 'demo', grids: [] })).toThrow(/grids/);
		expect(() => normalizeGrant({ role: 'facilitator', community: 'de:mo' })).toThrow(/community/);
		expect(() => normalizeGrant({ role: 'street_admin', community: 'st' })).toThrow(/communities/);
		expect(parseGrant({ role: 'resident', community: 'demo' })).toBeNull();
		expect(parseGrant('admin')).toBeNull();
	});

	it('describes a grant for people', () => {
		expect(describeGrant({ role: 'grid_worker', community: 'demo', grids: ['g1'] })).toBe('grid worker (网格员), community demo, grids g1');
	});
});

describe('parseDuration', () => {
	it('reads s, m, h, d and w', () => {
		expect(parseDuration('90s')).toBe(90_000);
		expect(parseDuration('7d')).toBe(7 * 86_400_000);
		expect(parseDuration('1.5h')).toBe(5_400_000);
		expect(() => parseDuration('7')).toThrow(/duration/);
		expect(() => parseDuration('0d')).toThrow(/positive/);
	});

	it('takes a zero wait only where one is allowed', () => {
		expect(parseDuration('0s', { allowZero: true })).toBe(0);
		expect(() => parseDuration('0s')).toThrow(/positive/);
	});
});
