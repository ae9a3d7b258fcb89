/**
 * Document kinds and names. A name is `<community>:<kind>:<id>`; access rules (enforced by the relay) map
 * onto kinds, which is why registers are split per grid rather than kept in one community document.
 */
import { isNameSegment } from '../domain/ids';

export const SCHEMA_VERSION = 1;

export type DocKind =
	| 'community'
	| 'proposal'
	| 'topic'
	| 'households'
	| 'visits'
	| 'poll'
	| 'ballots'
	| 'meeting'
	| 'minutes'
	| 'project'
	| 'participation'
	| 'notice'
	| 'report'
	| 'referrals'
	| 'passbook'
	| 'points'
	| 'talents'
	| 'rooms'
	| 'bookings'
	| 'convention';
export const DOC_KINDS: readonly DocKind[] = [
	'community',
	'proposal',
	'topic',
	'households',
	'visits',
	'poll',
	'ballots',
	'meeting',
	'minutes',
	'project',
	'participation',
	'notice',
	'report',
	'referrals',
	'passbook',
	'points',
	'talents',
	'rooms',
	'bookings',
	'convention'
];

export interface DocName {
	community: string;
	kind: DocKind;
	/**
	 * Matter id (proposal, topic, poll, meeting, minutes, project, participation, notice), grid id (households, visits),
	 * `<grid>_<poll>` (ballots), household id (passbook, bookings), convention id (convention), 'main' (community,
	 * referrals, talents) or 'main' / 'public' (report, points, rooms).
	 */
	id: string;
}


export function docName(community: string, kind: DocKind, id: string): string {
	const name = `${community}:${kind}:${id}`;
	if (!parseDocName(name)) throw new Error(`invalid document name parts: ${name}`);
	return name;
}

/**
 * Parses a document name; null for anything that is not a well-formed name of a known kind. Memoised: the relay
 * parses the same few names several times per update (access, write rules, budgets, storage). The result is
 * frozen because it is shared.
 */
export function parseDocName(name: string): Readonly<DocName> | null {
	const cached = parsedNames.get(name);
	if (cached !== undefined) return cached;
	const parsed = parseDocNameUncached(name);
	// Bounded in count and size: names come from clients too. Clearing costs one re-parse per live name.
	if (name.length > MAX_CACHED_NAME) return parsed;
	if (parsedNames.size >= MAX_PARSED_NAMES) parsedNames.clear();
	parsedNames.set(name, parsed === null ? null : Object.freeze(parsed));
	return parsed;
}

const MAX_PARSED_NAMES = 4_096;
const MAX_CACHED_NAME = 160;
const parsedNames = new Map<string, Readonly<DocName> | null>();

function parseDocNameUncached(name: string): DocName | null {
	const parts = name.split(':');
	if (parts.length !== 3) return null;
	const [community, kind, id] = parts as [string, string, string];
	if (!isNameSegment(community) || !isNameSegment(id)) return null;
	if (!DOC_KINDS.includes(kind as DocKind)) return null;
	return { community, kind: kind as DocKind, id };
}

export const communityDocName = (community: string) => docName(community, 'community', 'main');
export const householdsDocName = (community: string, grid: string) => docName(community, 'households', grid);
export const proposalDocName = (community: string, id: string) => docName(community, 'proposal', id);
export const topicDocName = (community: string, id: string) => docName(community, 'topic', id);
export const visitsDocName = (community: string, grid: string) => docName(community, 'visits', grid);
export const pollDocName = (community: string, id: string) => docName(community, 'poll', id);
export const meetingDocName = (community: string, id: string) => docName(community, 'meeting', id);
export const minutesDocName = (community: string, meeting: string) => docName(community, 'minutes', meeting);
export const projectDocName = (community: string, id: string) => docName(community, 'project', id);
/** Residents' pledges, sign-offs, ratings and requests for a project: the one part of it residents write. */
export const participationDocName = (community: string, project: string) => docName(community, 'participation', project);
/**
 * Documents whose index entry is derived from two documents: a project's stage counts residents' sign-offs,
 * which live in its participation document. `entry` names the document the entry is for.
 */
export function indexPair(name: string): { entry: string; other: string } | null {
	const parsed = parseDocName(name);
	if (parsed?.kind === 'project') return { entry: name, other: participationDocName(parsed.community, parsed.id) };
	if (parsed?.kind === 'participation') return { entry: projectDocName(parsed.community, parsed.id), other: projectDocName(parsed.community, parsed.id) };
	return null;
}

export const noticeDocName = (community: string, id: string) => docName(community, 'notice', id);
/** The community's reports as the relay publishes them (staff and street); `public`: the residents' version. */
export const reportDocName = (community: string, which: 'main' | 'public' = 'main') => docName(community, 'report', which);
/** Matters the community referred to its street office, redacted (see domain/access.ts). */
export const referralsDocName = (community: string) => docName(community, 'referrals', 'main');
/** A household's points passbook (积分存折): its transfers, approvals, resolutions, handovers and board choice. */
export const passbookDocName = (community: string, household: string) => docName(community, 'passbook', household);
/** The community's points config: settings, activities, the catalogue and its restocks. */
export const pointsDocName = (community: string) => docName(community, 'points', 'main');
/** The public points board, written by the relay alone: totals, opted-in names, stock, talent counts. */
export const pointsBoardDocName = (community: string) => docName(community, 'points', 'public');
/** The register of talents and activists (contact details: staff only). */
export const talentsDocName = (community: string) => docName(community, 'talents', 'main');

/** The community's bookable rooms and their rules (staff write, everyone reads). */
export const roomsDocName = (community: string) => docName(community, 'rooms', 'main');
/** The rooms' public calendar, written by the relay alone: busy slots (no household) and its receipts. */
export const roomsBoardDocName = (community: string) => docName(community, 'rooms', 'public');
/** A household's room bookings, series and cancellations, with staff decisions on them. */
export const bookingsDocName = (community: string, household: string) => docName(community, 'bookings', household);
/** A convention (公约): its live text, suggestions, versions and ratifications. */
export const conventionDocName = (community: string, id: string) => docName(community, 'convention', id);

/**
 * Ballots are split per grid so that a grid worker reads only the votes of their own grid's households.
 * Grid ids never contain '_' (see isGridId), so the first '_' separates grid from poll.
 */
export const ballotsDocName = (community: string, grid: string, poll: string) => {
	if (!isGridId(grid)) throw new Error(`invalid grid id: ${grid}`);
	return docName(community, 'ballots', `${grid}_${poll}`);
};

export function parseBallotsId(id: string): { grid: string; poll: string } | null {
	const cut = id.indexOf('_');
	if (cut <= 0 || cut === id.length - 1) return null;
	return { grid: id.slice(0, cut), poll: id.slice(cut + 1) };
}

const GRID_ID = /^[A-Za-z0-9-]{1,32}$/;
export const isGridId = (id: string) => GRID_ID.test(id);
