/**
 * Each role's home: the few tasks of its working day first, in the order they come up, then every other place
 * the role may go. A place appears once, in one of the two lists, and only where the permissions let the role
 * do what it is for (e.g. door ballots for those who may write their grid's ballots).
 */
import type { Role } from './actor';
import { roleCan } from './permissions';

export type HomePlace =
	| 'visits'
	| 'coverage'
	| 'ballots'
	| 'intake'
	| 'box'
	| 'screening'
	| 'meetings'
	| 'projects'
	| 'notices'
	| 'topics'
	| 'polls'
	| 'reports'
	| 'publicReport'
	| 'points'
	| 'board'
	| 'passbook'
	| 'talents'
	| 'lists'
	| 'mine'
	| 'search'
	| 'rooms'
	| 'conventions'
	| 'street';

export interface RoleHome {
	/** The daily tasks, shown first as large rows. */
	daily: readonly HomePlace[];
	/** Everything else the role may open, shown below them. */
	more: readonly HomePlace[];
}

const HOMES: Readonly<Record<Role, RoleHome>> = {
	// What a household does: follow its own proposals, vote, read notices, look at its points.
	resident: {
		daily: ['mine', 'polls', 'notices', 'passbook'],
		more: ['rooms', 'conventions', 'search', 'topics', 'meetings', 'projects', 'board', 'publicReport']
	},
	// A canvassing day: doors to visit, how far the round has got, ballots taken at the door, the week's intake.
	grid_worker: {
		daily: ['visits', 'coverage', 'ballots', 'intake'],
		more: ['box', 'screening', 'mine', 'search', 'topics', 'meetings', 'projects', 'notices', 'reports', 'talents', 'board', 'rooms', 'conventions']
	},
	// Screening what came in, running meetings, following the projects they decided.
	facilitator: {
		daily: ['screening', 'meetings', 'projects', 'topics'],
		more: ['intake', 'box', 'polls', 'notices', 'rooms', 'conventions', 'points', 'reports', 'coverage', 'talents', 'search', 'mine', 'board']
	},
	// Reports, the points desk and the registers; invitations and households have their own tabs.
	community_admin: {
		daily: ['reports', 'points', 'talents', 'lists'],
		more: ['screening', 'intake', 'box', 'meetings', 'projects', 'topics', 'polls', 'notices', 'rooms', 'conventions', 'coverage', 'search', 'mine', 'board']
	},
	// No household personal data: its communities' matters and aggregated reports.
	street_admin: {
		daily: ['street', 'reports'],
		more: ['topics', 'polls', 'meetings', 'notices']
	}
};

/** Whether the role may record households' ballots (at the door, or at a meeting). */
export function recordsDoorBallots(role: Role): boolean {
	return roleCan(role, 'record-ballot');
}

export function roleHome(role: Role): RoleHome {
	const home = HOMES[role];
	// Door ballots only for a role the access rules let record them.
	const allowed = (p: HomePlace) => p !== 'ballots' || recordsDoorBallots(role);
	return { daily: home.daily.filter(allowed), more: home.more.filter(allowed) };
}
