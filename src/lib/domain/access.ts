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
/** `<community>:points:public` and `rooms:public` are the relay's, read by all; `main` is as given. */
const publicBoard = (main: Access): Rule => (_grant, doc) => (doc.id === 'public' ? 'read' : main);
/**
 * A public matter that facilitators run and everyone in the community reads. Not the street admin: matters name
 * households (proposers, co-signers, attendees), and the street level receives aggregates and referrals only.
 */
const runByFacilitators: Readonly<Record<Role, Rule>> = {
	resident: 'read',
	grid_worker: 'read',
	facilitator: 'write',
	community_admin: 'write',
	street_admin: 'none'
};

/**
 * The matrix. Household registers, visits and ballots hold personal data: a resident never sees one, a grid
 * worker only those of their own grids, and a street admin none at all (aggregates only). A resident votes
 * through the relay's ballot endpoint, which writes into their grid's ballots document for them.
 * Meeting minutes are worked on privately (`minutes`) and published into the public `meeting` document only
 * once approved. A street admin reads a community's structure, its published report and the matters it referred
 * up (`referrals`, redacted by the relay), and nothing that names a household. A household's points passbook is
 * read by that household and the staff who keep the books; the register of talents by staff alone. Unknown kinds
 * are refused.
 */
export const ACCESS_MATRIX: Readonly<Record<string, Readonly<Record<Role, Rule>>>> = {
	community: { resident: 'read', grid_worker: 'read', facilitator: 'read', community_admin: 'write', street_admin: 'read' },
	proposal: { resident: 'write', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'none' },
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
	participation: { resident: 'write', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'none' },
	// Notices are posted publicly anyway; the street sees what its communities publish.
	notice: { ...runByFacilitators, street_admin: 'read' },
	// Aggregates the relay computes (`main`) and their public quarterly version (`public`); only the relay writes.
	report: {
		resident: (_grant, doc) => (doc.id === 'public' ? 'read' : 'none'),
		grid_worker: 'read',
		facilitator: 'read',
		community_admin: 'read',
		street_admin: 'read'
	},
	// Matters the community referred up, as the relay copies them for the street (no names, no rooms); the
	// street admin answers in it and the relay carries each answer back into the proposal.
	referrals: { resident: 'none', grid_worker: 'none', facilitator: 'read', community_admin: 'read', street_admin: 'write' },
	// A household's points passbook: its own device and the staff who keep the books. A resident writes only how
	// the household appears on the public board (the write rules keep transfers to staff).
	passbook: {
		resident: (grant, doc) => (grant.household && doc.id === grant.household ? 'write' : 'none'),
		grid_worker: 'none',
		facilitator: 'write',
		community_admin: 'write',
		street_admin: 'none'
	},
	// The points config (`main`: settings, activities, catalogue) everyone in the community reads; its public
	// board (`public`: aggregates and opted-in names) the relay alone writes, and the street reads too.
	points: {
		resident: 'read',
		grid_worker: 'read',
		facilitator: publicBoard('write'),
		community_admin: publicBoard('write'),
		street_admin: publicBoard('none')
	},
	// The register of talents and activists holds contact details: staff only (public views count by skill).
	talents: { resident: 'none', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'none' },
	// Bookable rooms and their rules (`main`), and their public calendar of busy slots (`public`, the relay's).
	rooms: {
		resident: 'read',
		grid_worker: 'read',
		facilitator: publicBoard('write'),
		community_admin: publicBoard('write'),
		street_admin: 'none'
	},
	// A household's bookings: its own device requests and cancels, staff confirm and settle conflicts.
	bookings: {
		resident: (grant, doc) => (grant.household && doc.id === grant.household ? 'write' : 'none'),
		grid_worker: 'none',
		facilitator: 'write',
		community_admin: 'write',
		street_admin: 'none'
	},
	// A convention is public in its community; residents write their suggestions into it (the write rules keep
	// the text, versions and ratification to staff).
	convention: { resident: 'write', grid_worker: 'write', facilitator: 'write', community_admin: 'write', street_admin: 'none' }
};

/**
 * The street office's own documents (named with the street office's id): topics gathering matters of several
 * communities, street-level meetings and polls, notices. Only its street admins read or write them.
 */
export const STREET_MATRIX: Readonly<Record<string, Access>> = {
	topic: 'write',
	meeting: 'write',
	minutes: 'write',
	poll: 'write',
	notice: 'write'
};

export function accessFor(grant: Grant, doc: DocRef): Access {
	if (grant.role === 'street_admin' && doc.community === grant.community) return STREET_MATRIX[doc.kind] ?? 'none';
	const inScope =
		grant.role === 'street_admin' ? (grant.communities ?? []).includes(doc.community) : grant.community === doc.community;
	if (!inScope) return 'none';
	const rule = ACCESS_MATRIX[doc.kind]?.[grant.role];
	if (rule === undefined) return 'none';
	return typeof rule === 'function' ? rule(grant, doc) : rule;
}

/** Kinds that hold personal data, which must be deleted from a shared device on sign-out. */
export const PERSONAL_KINDS: ReadonlySet<string> = new Set(['households', 'visits', 'ballots', 'minutes', 'passbook', 'talents', 'bookings']);
