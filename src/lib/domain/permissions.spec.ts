import { describe, expect, it } from 'vitest';
import type { Grant } from './access';
import { ROLES, type Role } from './actor';
import { grantsByRole } from './testing';
import { type Action, ACTIONS, can, INVITABLE_ROLES, residentHousehold, roleCan, rolesThatCan, type Scope, scopeOf } from './permissions';

const grants: Record<Role, Grant> = grantsByRole({ street_admin: { community: 'street' } });

/**
 * The policy, restated by hand: per action, what each role (resident, grid worker, facilitator, community admin,
 * street admin) holds. `-` never, `Y` always, `G` for their own grids, `H` for their own household, `O` in the
 * street office's own documents.
 */
const EXPECTED: Record<Action, string> = {
	'screen-proposal': '-GYY-',
	'edit-any-proposal': '--YY-',
	'record-decision': '--YY-',
	'record-for-household': '-GYY-',
	'record-via-channel': '-YYYY',
	'support-proposal': 'H----',
	'gather-topic': '--YYO',
	'run-meeting': '--YYO',
	'run-poll': '--YYO',
	'see-live-tally': '--YY-',
	'record-ballot': '-GYY-',
	'cast-own-ballot': 'H----',
	'post-notice': '--YYO',
	'manage-project': '--YY-',
	'keep-project-money': '--YY-',
	'report-progress': '-YYY-',
	'keep-register': '-G-Y-',
	'edit-community': '---Y-',
	'issue-invitation': '---Y-',
	'manage-devices': '---Y-',
	'correct-report': '---Y-',
	'read-relay-health': '---YY',
	'keep-points': '--YY-',
	'set-points-rules': '---Y-',
	'choose-board-name': 'H-YY-',
	'keep-talents': '-YYY-',
	'keep-skill-list': '--YY-',
	'manage-rooms': '--YY-',
	'request-booking': 'H-YY-',
	'confirm-booking': '--YY-',
	'suggest-amendment': 'YYYY-',
	'edit-convention': '--YY-',
	'judge-suggestion': '--YY-',
	'consolidate-convention': '--YY-',
	'ratify-convention': '--YY-',
	'answer-referral': '----Y'
};

const SCOPE_OF_CODE: Record<string, Scope | null> = { '-': null, Y: 'any', G: 'grids', H: 'household', O: 'office' };

/** A subject inside the holder's own scope, and one outside it. */
const inScope = { community: 'street', grid: 'g1', household: 'b01-1-101' };
const outOfScope = { community: 'demo', grid: 'g2', household: 'b02-1-101' };

describe('can', () => {
	it('lists every action in the expected table', () => {
		expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
	});

	for (const action of ACTIONS) {
		it.each(ROLES.map((role, i) => [role, EXPECTED[action][i]!] as const))(`${action}: %s holds "%s"`, (role, code) => {
			const grant = grants[role];
			const always = code === 'Y';
			expect(can(grant, action, inScope)).toBe(code !== '-');
			expect(can(grant, action, outOfScope)).toBe(always);
			// Without a subject: the holder's own scope (a street office's documents are always named).
			expect(can(grant, action)).toBe(always || code === 'G' || code === 'H');
			expect(roleCan(role, action)).toBe(code !== '-');
			expect(rolesThatCan(action).includes(role)).toBe(code !== '-');
			expect(scopeOf(role, action)).toBe(SCOPE_OF_CODE[code]);
		});
	}

	it('limits a grid worker without grids, and a resident without a household, to nothing', () => {
		expect(can({ role: 'grid_worker', community: 'demo', grids: [] }, 'screen-proposal')).toBe(false);
		expect(can({ role: 'grid_worker' }, 'record-for-household', { grid: 'g1' })).toBe(false);
		expect(can({ role: 'resident', community: 'demo' }, 'support-proposal')).toBe(false);
		expect(can(grants.grid_worker, 'record-for-household', { grid: null })).toBe(false);
	});

	it('answers no for a missing holder', () => {
		expect(can(null, 'run-poll')).toBe(false);
		expect(can(undefined, 'suggest-amendment')).toBe(false);
		expect(roleCan(undefined, 'suggest-amendment')).toBe(false);
		expect(scopeOf(null, 'run-poll')).toBe(null);
	});

	it('takes an actor (a role only) where the scope does not matter', () => {
		expect(can({ id: 'f1', name: '周敏', role: 'facilitator' } as { role: Role }, 'run-poll')).toBe(true);
		expect(can({ role: 'resident' }, 'run-poll')).toBe(false);
	});

	it('lets an admin invite every role but a street admin', () => {
		expect(INVITABLE_ROLES).toEqual(['resident', 'grid_worker', 'facilitator', 'community_admin']);
		for (const role of INVITABLE_ROLES) expect(can(grants.community_admin, 'issue-invitation', { role })).toBe(true);
		expect(can(grants.community_admin, 'issue-invitation', { role: 'street_admin' })).toBe(false);
		expect(can(grants.facilitator, 'issue-invitation', { role: 'resident' })).toBe(false);
	});

	it("names a resident's own household, and no other role's", () => {
		expect(residentHousehold(grants.resident)).toBe('b01-1-101');
		expect(residentHousehold({ role: 'resident', community: 'demo' })).toBe(null);
		expect(residentHousehold({ role: 'facilitator', household: 'b01-1-101' })).toBe(null);
		expect(residentHousehold(null)).toBe(null);
	});
});
