/**
 * Report facts (domain/report-facts.ts) derived from a community's documents, one function per kind, through the
 * same schema readers and domain folds the devices use, so a report counts what the pages show. Pure: the relay
 * reads the documents and keeps only what these return.
 */
import type * as Y from 'yjs';
import { cstDay } from '../domain/calendar';
import { attendanceSummary } from '../domain/meeting';
import { ballotsOfOwnGrids, type Ballot, endsAt, pollStatus, resolveElectorate, tallyPoll } from '../domain/poll';
import { cstMidnight } from '../domain/periods';
import { projectState } from '../domain/project';
import { type Level, levelAfter } from '../domain/proposal';
import type { GridFacts, MeetingFacts, MoneyFact, PollFacts, ProjectFacts, ProposalFacts, ProposalStep, TopicFacts } from '../domain/report-facts';
import { readBallots } from './ballots-doc';
import { readCommunity } from './community-doc';
import { readHouseholds } from './households-doc';
import { isMeetingDoc, readMeeting } from './meeting-doc';
import { isMinutesDoc, readMinutes } from './minutes-doc';
import { isPollDoc, readPoll } from './poll-doc';
import { isProjectDoc, readProject } from './project-doc';
import { isProposalDoc, readProposal } from './proposal-doc';
import { readTopic } from './topic-doc';
import { readVisits } from './visits-doc';
import { buildingGrids, gridLookup } from './write-rules';

/** The community's grids (id and name) and its buildings' grids (building id → grid id). */
export function communityLayout(community: Y.Doc): { grids: { id: string; name: string }[]; buildings: Map<string, string> } {
	const c = readCommunity(community);
	return { grids: c.grids.map((g) => ({ id: g.id, name: g.name })), buildings: buildingGrids(community) };
}

/** True when the document names a community (a street office's own documents have none). */
export function isCommunityDoc(community: Y.Doc): boolean {
	return readCommunity(community).id !== '';
}

/** The grid of a household id (`<building>-<unit>-<room>`), '' when it names no known building. */
export function gridOfHousehold(buildings: ReadonlyMap<string, string>, household: string | undefined): string {
	return household ? (gridLookup(buildings).gridOf(household) ?? '') : '';
}

/**
 * A proposal's facts, and the household it names: the relay keeps the household beside the facts so that a
 * change of buildings in the community document re-grids proposals without reading them again. Null while the
 * document holds no proposal.
 */
export function proposalFacts(
	name: string,
	doc: Y.Doc,
	buildings: ReadonlyMap<string, string>
): { facts: ProposalFacts; household: string } | null {
	if (!isProposalDoc(doc)) return null;
	const p = readProposal(doc);
	const { events, superseded } = p.timeline;
	const filedLevel = doc.getMap<unknown>('meta').get('level');
	// The fold starts at the level the matter was filed at; tracked again here to know the level after each step.
	let level: Level = filedLevel === 'grid' || filedLevel === 'street' ? filedLevel : 'community';
	let filed: number | null = null;
	let created = false;
	const steps: ProposalStep[] = [];
	for (const ev of events) {
		if (ev.type === 'created') {
			// Only the first creation counts, as in the fold.
			if (!created && ev.status === 'submitted') filed = ev.at;
			created = true;
		} else if (ev.type === 'transition' && !superseded.has(ev.id)) {
			level = levelAfter(ev.from, ev.to, level);
			if (filed === null && ev.from === 'draft' && ev.to === 'submitted') filed = ev.at;
			steps.push({ at: ev.at, to: ev.to, level, ...(typeof ev.negativeItem === 'number' ? { negativeItem: ev.negativeItem } : {}) });
		}
	}
	const household = p.household ?? '';
	return {
		household,
		facts: {
			doc: name,
			grid: gridOfHousehold(buildings, household),
			channel: p.channel,
			category: p.category,
			kind: p.kind,
			filed,
			status: p.timeline.status,
			level: p.timeline.level,
			steps
		}
	};
}

export function topicFacts(name: string, doc: Y.Doc): TopicFacts | null {
	if (typeof doc.getMap<unknown>('meta').get('id') !== 'string') return null;
	const t = readTopic(doc, name);
	return { doc: name, created: t.createdAt, category: t.category, proposals: t.proposals.length };
}

/** A meeting's facts: its kind and time from the meeting document, attendance from its minutes (if any). */
export function meetingFacts(name: string, meeting: Y.Doc, minutes: Y.Doc | null): MeetingFacts | null {
	if (!isMeetingDoc(meeting)) return null;
	const m = readMeeting(meeting);
	const summary = attendanceSummary(minutes && isMinutesDoc(minutes) ? readMinutes(minutes).attendees : []);
	return { doc: name, kind: m.kind, at: m.startsAt, held: summary.total > 0, attendance: summary.byCapacity };
}

export interface PollSources {
	community: Y.Doc;
	/** Every grid's households document. */
	registers: readonly Y.Doc[];
	/** Grid id → the poll's ballots document of that grid. */
	ballots: ReadonlyMap<string, Y.Doc>;
}

/** A poll's facts: households entitled and households whose ballot counts, by the tally's own rules. */
export function pollFacts(name: string, doc: Y.Doc, sources: PollSources, now: number): PollFacts | null {
	if (!isPollDoc(doc)) return null;
	const poll = readPoll(doc);
	const { buildings } = readCommunity(sources.community);
	const households = sources.registers.flatMap((r) => readHouseholds(r));
	const byGrid = new Map<string, Ballot[]>([...sources.ballots].map(([grid, d]) => [grid, readBallots(d)]));
	const electorate = resolveElectorate(poll.electorate, households, buildings);
	const tally = tallyPoll(poll, electorate, ballotsOfOwnGrids(byGrid, households, buildings));
	return {
		doc: name,
		created: poll.createdAt,
		closed: pollStatus(poll, now) === 'closed' ? endsAt(poll) : null,
		electorate: electorate.length,
		voted: tally.participants.households
	};
}

/** A grid's register size and visits (either document may not exist yet). */
export function gridFacts(grid: string, households: Y.Doc | null, visits: Y.Doc | null): GridFacts {
	return {
		grid,
		households: households ? readHouseholds(households).length : 0,
		visits: (visits ? readVisits(visits) : []).map((v) => ({ household: v.household, at: v.at, outcome: v.outcome, tags: [...v.needs.tags] }))
	};
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 00:00 CST of a ledger day, so an entry falls in the period of its date. */
function dayStart(day: string): number {
	const m = DAY.exec(day);
	return m ? cstMidnight(Number(m[1]), Number(m[2]), Number(m[3])) : 0;
}

/** A project's stage, money and counted ratings, from the project and its participation document. */
export function projectFacts(name: string, doc: Y.Doc, participation: Y.Doc | null, now: number): ProjectFacts | null {
	if (!isProjectDoc(doc)) return null;
	const state = projectState(readProject(doc, participation), cstDay(now));
	const f = state.funding;
	const money = (kind: 'income' | 'spending'): MoneyFact[] =>
		f.lines.filter((l) => l.kind === kind).map((l) => ({ at: dayStart(l.date), amount: l.amount }));
	return {
		doc: name,
		stage: state.stage,
		pledged: f.pledges.filter((v) => v.status !== 'withdrawn' && v.pledge.kind === 'money').map((v) => ({ at: v.pledge.at, amount: v.pledge.amount })),
		received: money('income'),
		spent: money('spending'),
		ratings: state.satisfaction.households.map((h) => ({ at: h.current.at, score: h.current.score }))
	};
}
