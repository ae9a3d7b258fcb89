/**
 * Test factories for who acts: an actor (as records carry it) and a grant (what a credential allows) per role,
 * with sensible defaults and per-test overrides. Imported by specs and integration tests only.
 */
import type { Grant } from '../access';
import { type Actor, type Role, ROLES } from '../actor';

/** The community most fixtures live in, as the relay's demo seed names it. */
export const COMMUNITY = 'demo';

/** Ids and names each role's actor has unless a test says otherwise. */
const DEFAULTS: Readonly<Record<Role, Omit<Actor, 'role'>>> = {
	resident: { id: 'r1', name: '刘阿姨' },
	grid_worker: { id: 'g1', name: '王海涛' },
	facilitator: { id: 'f1', name: '周敏' },
	community_admin: { id: 'a1', name: '李强' },
	street_admin: { id: 's1', name: '街道' }
};

export const actor = (role: Role, over: Partial<Actor> = {}): Actor => ({ ...DEFAULTS[role], role, ...over });

export const residentActor = (over: Partial<Actor> = {}) => actor('resident', over);
export const gridWorkerActor = (over: Partial<Actor> = {}) => actor('grid_worker', over);
export const facilitatorActor = (over: Partial<Actor> = {}) => actor('facilitator', over);
/** A second facilitator, for edits two staff devices make concurrently. */
export const secondFacilitatorActor = (over: Partial<Actor> = {}) => actor('facilitator', { id: 'f2', name: '林晓燕', ...over });
export const adminActor = (over: Partial<Actor> = {}) => actor('community_admin', over);
export const streetAdminActor = (over: Partial<Actor> = {}) => actor('street_admin', over);

/**
 * A credential's grant for `role` in `community`: a resident's names a household, a grid worker's its grids,
 * a street admin's the communities it oversees (its own `community` is then the street office's id).
 */
export function grant(role: Role, over: Partial<Grant> = {}, community = COMMUNITY): Grant {
	switch (role) {
		case 'resident':
			return { role, community, household: 'b01-1-101', ...over };
		case 'grid_worker':
			return { role, community, grids: ['g1'], ...over };
		case 'street_admin':
			return { role, community: 'street1', communities: [community], ...over };
		default:
			return { role, community, ...over };
	}
}

/** One grant per role, as grant() makes them, with per-role overrides (a street admin's office id, say). */
export const grantsByRole = (over: Partial<Record<Role, Partial<Grant>>> = {}, community = COMMUNITY): Record<Role, Grant> =>
	Object.fromEntries(ROLES.map((role) => [role, grant(role, over[role], community)])) as Record<Role, Grant>;
