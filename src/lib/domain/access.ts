/**
 * Who may read or write which document (DESIGN.md §2). The relay enforces this per document; the UI only
 * reflects it. Pure data and one function, so the whole role × kind matrix is testable in one table.
 */
import type { Role } from './actor';

export type Access = 'write' | 'read' | 'none';

/** What a device credential grants: a role within a scope. */
export interface Grant {
	role: Role;
	/** The community of every role but the street admin, for whom it is the street office's id. */
	community: string;
	/** Communities a street admin oversees. */
	communities?: string[];
	/** Grid ids a grid worker canvasses. */
	grids?: string[];
	/** Household id of a resident device. */
	household?: string;
}

/** The document being asked for (the parsed name). */
export interface DocRef {
	community: string;
	kind: string;
	id: string;
}

type Rule = Access | ((grant: Grant, doc: DocRef) => Access);

const ownGrid = (access: Access): Rule => (grant, doc) => (grant.grids?.includes(doc.id) ? access : 'none');

/**
 * The matrix. Household registers hold personal data: a resident never sees one, a grid worker only those of
 * their own grids, and a street admin none at all (aggregates only). Unknown kinds are refused.
 */
export const ACCESS_MATRIX: Readonly<Record<string, Readonly<Record<Role, Rule>>>> = {
	community: { resident: 'read', grid_worker: 'read', facilitator: 'read', community_admin: 'write', street_admin: 'read' },
	proposal: { resident: 'write', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'read' },
	topic: { resident: 'read', grid_worker: 'read', facilitator: 'write', community_admin: 'write', street_admin: 'read' },
	households: {
		resident: 'none',
		grid_worker: ownGrid('write'),
		facilitator: 'read',
		community_admin: 'write',
		street_admin: 'none'
	}
};

export function accessFor(grant: Grant, doc: DocRef): Access {
	const inScope =
		grant.role === 'street_admin' ? (grant.communities ?? []).includes(doc.community) : grant.community === doc.community;
	if (!inScope) return 'none';
	const rule = ACCESS_MATRIX[doc.kind]?.[grant.role];
	if (rule === undefined) return 'none';
	return typeof rule === 'function' ? rule(grant, doc) : rule;
}

/** Kinds that hold personal data, which must be deleted from a shared device on sign-out. */
export const PERSONAL_KINDS: ReadonlySet<string> = new Set(['households']);
