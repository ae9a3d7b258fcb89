import { describe, expect, it } from 'vitest';
import type { Role } from './actor';
import { recordsDoorBallots, roleHome } from './home';

const ROLES: Role[] = ['resident', 'grid_worker', 'facilitator', 'community_admin', 'street_admin'];

describe('role homes', () => {
	it('lists each place once per role, with a few daily tasks first', () => {
		for (const role of ROLES) {
			const { daily, more } = roleHome(role);
			const all = [...daily, ...more];
			expect(new Set(all).size, role).toBe(all.length);
			expect(daily.length, role).toBeGreaterThanOrEqual(2);
			expect(daily.length, role).toBeLessThanOrEqual(4);
		}
	});

	it('puts each role\'s working day first', () => {
		expect(roleHome('grid_worker').daily).toEqual(['visits', 'coverage', 'ballots', 'intake']);
		expect(roleHome('facilitator').daily).toEqual(expect.arrayContaining(['screening', 'meetings', 'projects']));
		expect(roleHome('community_admin').daily).toEqual(expect.arrayContaining(['reports', 'points']));
		expect(roleHome('resident').daily).toEqual(['mine', 'polls', 'notices', 'passbook']);
	});

	it('offers door ballots only to roles the access rules let write a grid\'s ballots', () => {
		expect(recordsDoorBallots('grid_worker')).toBe(true);
		expect(recordsDoorBallots('facilitator')).toBe(true);
		expect(recordsDoorBallots('community_admin')).toBe(true);
		expect(recordsDoorBallots('resident')).toBe(false);
		expect(recordsDoorBallots('street_admin')).toBe(false);
		for (const role of ROLES) {
			const all = [...roleHome(role).daily, ...roleHome(role).more];
			expect(all.includes('ballots'), role).toBe(recordsDoorBallots(role) && role === 'grid_worker');
		}
	});

	it('never sends a street admin to places that name households', () => {
		const all = [...roleHome('street_admin').daily, ...roleHome('street_admin').more];
		for (const p of ['visits', 'coverage', 'mine', 'projects', 'passbook', 'talents', 'box', 'intake'] as const) expect(all).not.toContain(p);
	});
});
