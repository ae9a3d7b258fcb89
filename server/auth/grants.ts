/**
 * Checks and normalises a Grant before it is put into an invitation or a credential: a known role, ids that are
 * valid document-name segments, and exactly the scope fields the role uses (a grid worker's grids, a resident's
 * household, a street admin's communities), nothing else.
 */
import type { Grant } from '../../src/lib/domain/access';
import { isRole, type Role } from '../../src/lib/domain/actor';
import { isNameSegment } from '../../src/lib/domain/ids';
import { grantScope, MAX_SCOPE_IDS } from '../../src/lib/domain/invitation';

export const ROLE_LABELS: Record<Role, string> = {
	resident: 'resident (居民)',
	grid_worker: 'grid worker (网格员)',
	facilitator: 'facilitator (主持人/社工)',
	community_admin: 'community admin (社区管理员)',
	street_admin: 'street admin (街道管理员)'
};

/** Accepts `community-admin` as well as `community_admin`. */
export function parseRole(value: unknown): Role | null {
	const role = typeof value === 'string' ? value.trim().replace(/-/g, '_') : value;
	return isRole(role) ? role : null;
}

export class GrantError extends Error {}

function ids(value: unknown, what: string): string[] {
	if (value === undefined || value === null) throw new GrantError(`${what} are required for this role`);
	const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
	if (!Array.isArray(list) || list.length === 0) throw new GrantError(`${what} must be a non-empty list of ids`);
	if (list.length > MAX_SCOPE_IDS) throw new GrantError(`at most ${MAX_SCOPE_IDS} ${what}`);
	for (const id of list) if (!isNameSegment(id)) throw new GrantError(`invalid id in ${what}: ${String(id)}`);
	return [...new Set(list as string[])];
}

function id(value: unknown, what: string): string {
	if (value === undefined || value === null) throw new GrantError(`${what} is required for this role`);
	if (!isNameSegment(value)) throw new GrantError(`${what} must be an id (letters, digits, _ and -)`);
	return value;
}

/** Throws GrantError with a message fit for an API error or the CLI. */
export function normalizeGrant(input: {
	role: unknown;
	community: unknown;
	communities?: unknown;
	grids?: unknown;
	household?: unknown;
}): Grant {
	const role = parseRole(input.role);
	if (!role) throw new GrantError(`role must be one of resident, grid_worker, facilitator, community_admin, street_admin`);
	const community = id(input.community, 'community');
	switch (grantScope(role)) {
		case 'grids':
			return { role, community, grids: ids(input.grids, 'grids') };
		case 'household':
			return { role, community, household: id(input.household, 'household') };
		case 'communities':
			return { role, community, communities: ids(input.communities, 'communities') };
		case null:
			return { role, community };
	}
}

/** Same check for a grant read back from a credential: null when it is not one we could have issued. */
export function parseGrant(value: unknown): Grant | null {
	if (!value || typeof value !== 'object') return null;
	try {
		return normalizeGrant(value as Parameters<typeof normalizeGrant>[0]);
	} catch {
		return null;
	}
}

/** "grid worker (网格员), community demo, grids g1" */
export function describeGrant(grant: Grant): string {
	const scope = [grant.role === 'street_admin' ? `street office ${grant.community}` : `community ${grant.community}`];
	if (grant.grids) scope.push(`grids ${grant.grids.join(', ')}`);
	if (grant.household) scope.push(`household ${grant.household}`);
	if (grant.communities) scope.push(`over ${grant.communities.join(', ')}`);
	return `${ROLE_LABELS[grant.role]}, ${scope.join(', ')}`;
}
