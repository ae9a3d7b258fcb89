/**
 * Who may do what (product design §2): one table, read by the app to show or hide an action and by the relay's
 * write rules (schema/write-rules.ts) and API to accept or refuse it. The access matrix (access.ts) says which
 * documents a device reads or writes at all; this says which of the community's acts its role performs there.
 *
 * A role's permission is either unconditional or held within a scope, and the scope is checked against the
 * subject when one is given:
 * - `grids`: a grid worker acts for the households of their own grids (subject.grid);
 * - `household`: a resident acts for their own household (subject.household);
 * - `office`: a street admin runs matters in the street office's own documents (subject.community), never in a
 *   community's.
 * Asked without a subject, a scoped permission answers for the holder's own scope: a grid worker with at least one
 * grid, a resident with a household. A street office's documents are always named, so `office` needs the subject.
 */
import type { Role } from './actor';

export type Action =
	// Proposals
	| 'screen-proposal'
	| 'edit-any-proposal'
	| 'record-decision'
	| 'record-for-household'
	| 'record-via-channel'
	| 'support-proposal'
	// Topics, meetings, polls, notices
	| 'gather-topic'
	| 'run-meeting'
	| 'run-poll'
	| 'see-live-tally'
	| 'record-ballot'
	| 'cast-own-ballot'
	| 'post-notice'
	// Projects
	| 'manage-project'
	| 'keep-project-money'
	| 'report-progress'
	// Registers and the community
	| 'keep-register'
	| 'edit-community'
	| 'issue-invitation'
	| 'manage-devices'
	| 'correct-report'
	| 'read-relay-health'
	// Points and talents
	| 'keep-points'
	| 'set-points-rules'
	| 'choose-board-name'
	| 'keep-talents'
	| 'keep-skill-list'
	// Rooms and bookings
	| 'manage-rooms'
	| 'request-booking'
	| 'confirm-booking'
	// Conventions
	| 'suggest-amendment'
	| 'edit-convention'
	| 'judge-suggestion'
	| 'consolidate-convention'
	| 'ratify-convention'
	// The street office
	| 'answer-referral';

/** How far a role's permission reaches (see the header). */
export type Scope = 'any' | 'grids' | 'household' | 'office';

type Policy = Readonly<Partial<Record<Role, Scope>>>;

/** The subject an action concerns, where scope matters. */
export interface Subject {
	/** The community (or street office) whose document it is. */
	community?: string;
	/** The grid of the household concerned; null when its building is not known. */
	grid?: string | null;
	/** The household concerned. */
	household?: string;
	/** For 'issue-invitation': the role the invitation grants. */
	role?: Role;
}

/** What `can` needs of a credential: a Grant, the relay's Writer, or (role only) an Actor. */
export interface Holder {
	role: Role;
	community?: string;
	grids?: readonly string[];
	household?: string | null;
}

/** The community's staff: facilitators (社工/主持人) and the community admins. */
const STAFF: Policy = { facilitator: 'any', community_admin: 'any' };
/** Staff and, for the households of their grids, grid workers. */
const FIELD: Policy = { grid_worker: 'grids', ...STAFF };
/** Matters staff run, which a street office also runs in its own documents. */
const RUNNERS: Policy = { ...STAFF, street_admin: 'office' };
const ADMIN: Policy = { community_admin: 'any' };

/** The policy. Roles not listed may not. */
export const PERMISSIONS: Readonly<Record<Action, Policy>> = {
	// Screening (甄选): facilitators and admins the community's queue, a grid worker their own grids'.
	'screen-proposal': FIELD,
	// A proposal's content is its proposer's; staff correct and complete it.
	'edit-any-proposal': STAFF,
	'record-decision': STAFF,
	// Filing, co-signing, rating or pledging on a household's behalf (at the door, the counter, a meeting).
	'record-for-household': FIELD,
	// The door, a meeting, the box, an online group: channels staff record through; a resident acts in the app.
	'record-via-channel': { grid_worker: 'any', facilitator: 'any', community_admin: 'any', street_admin: 'any' },
	// Support (附议) is a household's voice: the app offers it to residents, staff record co-signers instead. (The
	// relay's rule is only that a supporter record names the writer's own household or device.)
	'support-proposal': { resident: 'household' },

	'gather-topic': RUNNERS,
	'run-meeting': RUNNERS,
	'run-poll': RUNNERS,
	// The tally while it runs, even when residents see it only at the close.
	'see-live-tally': STAFF,
	// At the door (a grid worker's own grids) or at a meeting (staff); a resident votes through the relay.
	'record-ballot': FIELD,
	// A household's own vote in the app, through the relay's ballot endpoint.
	'cast-own-ballot': { resident: 'household' },
	'post-notice': RUNNERS,

	'manage-project': STAFF,
	// Pledges received, receipts, ledger entries and voids: never a resident's device, nor a grid worker's.
	'keep-project-money': STAFF,
	// Progress updates and photos; grid workers report what they see.
	'report-progress': { grid_worker: 'any', ...STAFF },

	// Household registers and visits: an admin, and a grid worker for their grids (facilitators read them).
	'keep-register': { grid_worker: 'grids', community_admin: 'any' },
	// Grids, buildings, settings and lists of the community document.
	'edit-community': ADMIN,
	// An admin invites every role of their community; street admins come from the relay's command line.
	'issue-invitation': ADMIN,
	'manage-devices': ADMIN,
	'correct-report': ADMIN,
	// The relay's counts and its storage's last failure (everyone else gets ok / not ok).
	'read-relay-health': { community_admin: 'any', street_admin: 'any' },

	// The points desk; its rules (threshold, expiry, floor, ceiling) only an admin sets, so a facilitator may
	// not lower the bar their own awards are held to.
	'keep-points': STAFF,
	'set-points-rules': ADMIN,
	// How a household appears on the public points board: its own choice, which staff may record at the counter.
	'choose-board-name': { resident: 'household', ...STAFF },
	// The register of talents holds contact details; the skill list is the community's vocabulary.
	'keep-talents': { grid_worker: 'any', ...STAFF },
	'keep-skill-list': STAFF,

	'manage-rooms': STAFF,
	// A household books for itself; staff book at the counter or by phone.
	'request-booking': { resident: 'household', ...STAFF },
	'confirm-booking': STAFF,

	'suggest-amendment': { resident: 'any', grid_worker: 'any', ...STAFF },
	'edit-convention': STAFF,
	'judge-suggestion': STAFF,
	'consolidate-convention': STAFF,
	'ratify-convention': STAFF,

	'answer-referral': { street_admin: 'any' }
};

export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** The roles an admin's invitation may grant: not a street admin (the relay's command line issues those). */
export const INVITABLE_ROLES: readonly Role[] = ['resident', 'grid_worker', 'facilitator', 'community_admin'];
const INVITABLE: ReadonlySet<Role> = new Set(INVITABLE_ROLES);

/** Whether `holder` may do `action`, on `subject` where its scope matters. */
export function can(holder: Holder | null | undefined, action: Action, subject?: Subject): boolean {
	if (!holder) return false;
	const scope = PERMISSIONS[action][holder.role];
	if (!scope) return false;
	if (action === 'issue-invitation' && subject?.role !== undefined && !INVITABLE.has(subject.role)) return false;
	switch (scope) {
		case 'any':
			return true;
		case 'grids': {
			const grids = holder.grids ?? [];
			if (!subject) return grids.length > 0;
			return typeof subject.grid === 'string' && grids.includes(subject.grid);
		}
		case 'household':
			if (!holder.household) return false;
			return !subject || subject.household === holder.household;
		case 'office':
			return !!subject?.community && subject.community === holder.community;
	}
}

/** The roles that may do `action` in some scope: the write rules' list of who may change a root at all. */
export function rolesThatCan(action: Action): readonly Role[] {
	return Object.keys(PERMISSIONS[action]) as Role[];
}

/** Whether `role` may ever do `action` (in some scope), for checks that know only the role. */
export const roleCan = (role: Role | null | undefined, action: Action): boolean => !!role && PERMISSIONS[action][role] !== undefined;

/**
 * How far `role`'s permission to do `action` reaches, null when it has none: for pages that differ by it (a grid
 * worker screens and records at the door for their own grids; a resident books and votes for their own household).
 */
export const scopeOf = (role: Role | null | undefined, action: Action): Scope | null => (role ? (PERMISSIONS[action][role] ?? null) : null);

/** The household a device acts for as itself: a resident's own (staff act for households, not as one). */
export const residentHousehold = (holder: Holder | null | undefined): string | null =>
	holder?.role === 'resident' ? (holder.household ?? null) : null;
