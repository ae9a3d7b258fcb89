/**
 * What reports are computed from (周收集、月汇总、季反馈): small facts derived from each document of a community.
 * The relay derives and keeps them (they may name households, so they never leave it); only the aggregates
 * computed from them (report.ts) are published. Every figure is defined once, in report.ts, over these facts.
 */
import type { Channel } from './actor';
import type { CategoryId } from './lists';
import type { Capacity, MeetingKind } from './meeting';
import type { Fen } from './money';
import type { ProjectStage } from './project';
import type { Level, ProposalKind, ProposalStatus } from './proposal';
import type { Score } from './satisfaction';
import type { NeedTag, VisitOutcome } from './visit';

export type PeriodKind = 'week' | 'month' | 'quarter';
export const PERIOD_KINDS: readonly PeriodKind[] = ['week', 'month', 'quarter'];

/** A report period in China Standard Time: weeks run Monday to Sunday. `from` inclusive, `to` exclusive (ms). */
export interface Period {
	kind: PeriodKind;
	/** '2026-W49' (ISO week of the CST date), '2026-12', '2026-Q4'. */
	key: string;
	from: number;
	to: number;
}

/** One applied step of a proposal's timeline (superseded transitions are not facts). */
export interface ProposalStep {
	at: number;
	to: ProposalStatus;
	/** The level the matter sits at after the step. */
	level: Level;
	/** Negative-list item cited by a rejection. */
	negativeItem?: number;
}

export interface ProposalFacts {
	/** Document name. */
	doc: string;
	/** Grid of the household it was filed for; '' when it names no household of a known building. */
	grid: string;
	channel: Channel | '';
	category: CategoryId | '';
	kind: ProposalKind;
	/** When it was filed (its 'created' event or the step to 'submitted'); null while a draft. */
	filed: number | null;
	status: ProposalStatus;
	level: Level;
	steps: ProposalStep[];
}

export interface TopicFacts {
	doc: string;
	created: number;
	category: CategoryId | '';
	proposals: number;
}

export interface MeetingFacts {
	doc: string;
	kind: MeetingKind;
	/** Scheduled start. */
	at: number;
	/** Someone was checked in (a meeting that took place). */
	held: boolean;
	/** Active check-ins by capacity. */
	attendance: Partial<Record<Capacity, number>>;
}

export interface PollFacts {
	doc: string;
	created: number;
	/** When a facilitator closed it, or its end time once passed; null while open. */
	closed: number | null;
	/** Households entitled to vote. */
	electorate: number;
	/** Households whose ballot counts. */
	voted: number;
}

export interface VisitFact {
	household: string;
	at: number;
	outcome: VisitOutcome;
	tags: NeedTag[];
}

/** A grid's register and visits (households and visits documents). */
export interface GridFacts {
	grid: string;
	households: number;
	visits: VisitFact[];
}

export interface MoneyFact {
	at: number;
	amount: Fen;
}

export interface ProjectFacts {
	doc: string;
	stage: ProjectStage;
	/** Money pledged by residents and others (not withdrawn), by pledge time. */
	pledged: MoneyFact[];
	/** Income recorded in the ledger (pledges received, subsidies, grants), by entry date. */
	received: MoneyFact[];
	/** Spending recorded in the ledger, by entry date. */
	spent: MoneyFact[];
	/** Each household's counted (latest) rating. */
	ratings: { at: number; score: Score }[];
}

/** Everything a community's reports are computed from. */
export interface CommunityFacts {
	community: string;
	/** The community's grids, in order (id and name; names are not personal). */
	grids: { id: string; name: string }[];
	proposals: ProposalFacts[];
	topics: TopicFacts[];
	meetings: MeetingFacts[];
	polls: PollFacts[];
	gridFacts: GridFacts[];
	projects: ProjectFacts[];
}
