/**
 * Who may read or write which document (product design §2). The relay enforces this per document; the UI only
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
/** Ballot documents are named `<grid>_<poll>`; grid ids never contain '_'. */
const ownGridBallots = (access: Access): Rule => (grant, doc) => {
	const grid = doc.id.slice(0, Math.max(0, doc.id.indexOf('_')));
	return grid && grant.grids?.includes(grid) ? access : 'none';
};

/** Grid-scoped personal data: households and visits of a grid, and the ballots its households cast. */
const personal = (gridRule: Rule): Readonly<Record<Role, Rule>> => ({
	resident: 'none',
	grid_worker: gridRule,
	facilitator: 'read',
	community_admin: 'write',
	street_admin: 'none'
});
/** A public matter that facilitators run and everyone in the community reads. */
const runByFacilitators: Readonly<Record<Role, Rule>> = {
	resident: 'read',
	grid_worker: 'read',
	facilitator: 'write',
	community_admin: 'write',
	street_admin: 'read'
};

/**
 * The matrix. Household registers, visits and ballots hold personal data: a resident never sees one, a grid
 * worker only those of their own grids, and a street admin none at all (aggregates only). A resident votes
 * through the relay's ballot endpoint, which writes into their grid's ballots document for them.
 * Meeting minutes are worked on privately (`minutes`) and published into the public `meeting` document only
 * once approved. Unknown kinds are refused.
 */
export const ACCESS_MATRIX: Readonly<Record<string, Readonly<Record<Role, Rule>>>> = {
	community: { resident: 'read', grid_worker: 'read', facilitator: 'read', community_admin: 'write', street_admin: 'read' },
	proposal: { resident: 'write', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'read' },
	topic: runByFacilitators,
	households: personal(ownGrid('write')),
	visits: personal(ownGrid('write')),
	ballots: { ...personal(ownGridBallots('write')), facilitator: 'write' },
	poll: runByFacilitators,
	meeting: runByFacilitators,
	minutes: { resident: 'none', grid_worker: 'read', facilitator: 'write', community_admin: 'write', street_admin: 'none' },
	// Money, tasks, tenders and acceptance are staff records (grid workers report progress): a resident device
	// can never add a receipt or a ledger entry, whatever role it writes into the record.
	project: { ...runByFacilitators, grid_worker: 'write' },
	// What residents bring to a project (pledges, sign-offs, ratings, disclosure requests) lives beside it.
	participation: { resident: 'write', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'read' },
	notice: runByFacilitators
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
export const PERSONAL_KINDS: ReadonlySet<string> = new Set(['households', 'visits', 'ballots', 'minutes']);
