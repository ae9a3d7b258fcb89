/**
 * The report publisher: each community's reports (aggregates only) written by the relay into its report
 * documents (schema/report-doc.ts), `<community>:report:main` for staff and street admins and
 * `<community>:report:public` (quarters only, no grid breakdown) for residents.
 *
 * Facts (domain/report-facts.ts) are kept in memory per community and per document: they are small, the
 * documents are not kept loaded. They follow the hub's change feed through the shared CommunityPublisher loop,
 * debounced per community (changes within `debounceMs` of the first join it), one recomputation at a time, the
 * corrections first; on start the stored documents are listed once and read one unit at a time from storage, so
 * a large store streams through without filling the rooms.
 *
 * A recomputation re-derives the documents that changed, then asks the domain (report-snapshots.ts) which
 * periods to publish: the open week, month and quarter, closed periods still in their grace time (rewritten on
 * every change), and closed periods without a kept version, which are frozen as version 1 (on a community's
 * first publication that is its whole history, so trends start filled). Frozen periods are never recomputed
 * automatically: a later change to a document with facts inside one adds to `late[<kind>:<key>]` instead. A
 * timer re-runs a community when one of its periods closes or its grace ends, so freezing needs no new data.
 *
 *   POST /api/reports/correct   { community, period: '<kind>:<key>', reason }   community admin of that community
 *     Recomputes a frozen period from the current facts and appends it as the next version with the reason and
 *     the admin's device name; its `late` count goes back to 0 (the correction took those changes in).
 *     Answers 201 { version }.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import { periodByKey } from '../../src/lib/domain/periods';
import { can } from '../../src/lib/domain/permissions';
import { communityReport, communityReports, earliestFact } from '../../src/lib/domain/report';
import {
	type CommunityFacts,
	type GridFacts,
	type MeetingFacts,
	PERIOD_KINDS,
	type Period,
	type PeriodKind,
	type PollFacts,
	type ProjectFacts,
	type ProposalFacts,
	type TopicFacts
} from '../../src/lib/domain/report-facts';
import { correctionVersion, decideSnapshot, DEFAULT_GRACE_MS, periodsToPublish } from '../../src/lib/domain/report-snapshots';
import { publicFigures } from '../../src/lib/domain/report-dictionary';
import type { CommunityReport, ReportVersion } from '../../src/lib/domain/report-types';
import {
	REPORT_CORRECTION_PATH,
	REPORT_CORRECTION_REASON_MAX,
	type ReportCorrectionRequest,
	type ReportCorrectionResponse
} from '../../src/lib/protocol/api';
import {
	ballotsDocName,
	communityDocName,
	householdsDocName,
	isGridId,
	meetingDocName,
	minutesDocName,
	parseBallotsId,
	parseDocName,
	participationDocName,
	pollDocName,
	projectDocName,
	reportDocName,
	visitsDocName
} from '../../src/lib/schema/doc-names';
import { readPoll } from '../../src/lib/schema/poll-doc';
import { readReportDoc, reportKey, writeReportDoc } from '../../src/lib/schema/report-doc';
import {
	communityLayout,
	gridFacts,
	gridOfHousehold,
	isCommunityDoc,
	meetingFacts,
	pollFacts,
	projectFacts,
	proposalFacts,
	topicFacts
} from '../../src/lib/schema/report-facts-of';
import { type ApiContext, ApiFailure, type ApiRoute, sendJson } from '../transport/api';
import type { Credentials } from '../auth/credentials';
import type { Hub } from '../core/hub';
import type { Logger } from '../core/log';
import { attachPublisher, CommunityPublisher } from './community-publisher';

export interface ReportsOptions {
	hub: Hub;
	logger: Logger;
	/** For the device name on a correction. */
	credentials?: Credentials;
	now?: () => number;
	/** Delay between a change and the recomputation it triggers (changes in between join it). Default 1 s. */
	debounceMs?: number;
	/** How long a closed period stays open to late data before it is frozen. Default DEFAULT_GRACE_MS (2 days). */
	graceMs?: number;
	/** Longest wait between two looks at the clock for periods closing or freezing. Default 1 hour. */
	checkEveryMs?: number;
	/** Read the stored documents on start. Default true. */
	scan?: boolean;
	/**
	 * Wait before that first reading (and before publishing anything), so that the clients reconnecting after a
	 * restart are served first; changes meanwhile are remembered. Default 15 s (REPORTS_START_DELAY).
	 */
	startDelayMs?: number;
}

const DEFAULT_START_DELAY_MS = 15_000;

export interface Reports {
	publisher: ReportPublisher;
	route: ApiRoute;
	/** Stops the publisher (timers, feed) and waits for a recomputation in progress. */
	close(): Promise<void>;
}

export function createReports(options: ReportsOptions): Reports {
	const attached = attachPublisher(new ReportPublisher(options), options, DEFAULT_START_DELAY_MS);
	const route = correctionRoute((...args) => attached.publisher.correct(...args), options.credentials);
	return { ...attached, route };
}

/** Origin of the publisher's own writes (report documents are never a source of facts anyway). */
const REPORT_ORIGIN = Symbol('report publisher');
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// ---- the correction API ----

const COMMUNITY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parsePeriod(value: unknown): Period {
	const [kind, key, ...rest] = typeof value === 'string' ? value.split(':') : [];
	const period = key !== undefined && rest.length === 0 ? periodByKey(key) : null;
	if (!period || !PERIOD_KINDS.includes(kind as PeriodKind) || period.kind !== kind) {
		throw new ApiFailure('invalid', "period must be '<kind>:<key>', e.g. 'week:2026-W09', 'month:2026-03' or 'quarter:2026-Q1'");
	}
	return period;
}

/** Appends a correction (ReportPublisher.correct, or a request to the process running it: relay.ts). */
export type ApplyCorrection = (community: string, period: Period, reason: string, by: string) => Promise<number>;

/** The correction API: checks the caller and the request here, then has `apply` append the version. */
export function correctionRoute(apply: ApplyCorrection, credentials: Credentials | undefined): ApiRoute {
	return {
		path: new RegExp(`^${REPORT_CORRECTION_PATH}$`),
		handle: (req, res, _params, ctx) => correct(req, res, ctx, apply, credentials)
	};
}

async function correct(
	req: IncomingMessage,
	res: ServerResponse,
	ctx: ApiContext,
	apply: ApplyCorrection,
	credentials: Credentials | undefined
): Promise<void> {
	ctx.method(req, 'POST');
	const { deviceId, grant } = await ctx.authenticate(req);
	if (!can(grant, 'correct-report')) throw new ApiFailure('forbidden', "only a community admin corrects their community's reports");
	const body = (await ctx.readJson(req)) as Partial<Record<keyof ReportCorrectionRequest, unknown>>;
	if (typeof body.community !== 'string' || !COMMUNITY_ID.test(body.community)) throw new ApiFailure('invalid', 'community must be a community id');
	if (body.community !== grant.community) throw new ApiFailure('forbidden', `you may correct only your own community's reports (${grant.community})`);
	const period = parsePeriod(body.period);
	const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
	if (!reason) throw new ApiFailure('invalid', 'reason is required: say what the correction takes in');
	if (reason.length > REPORT_CORRECTION_REASON_MAX) throw new ApiFailure('invalid', `reason may be at most ${REPORT_CORRECTION_REASON_MAX} characters`);
	const by = (await credentials?.device(deviceId))?.name || deviceId;
	const version = await apply(grant.community, period, reason, by);
	const response: ReportCorrectionResponse = { version };
	sendJson(res, 201, response);
}

// ---- the publisher ----

/** What one community's reports are computed from, per document, and what its report document holds. */
interface CommunityState {
	id: string;
	/** Only a community (one with a community document) is published; a street office's documents are not. */
	hasCommunityDoc: boolean;
	grids: { id: string; name: string }[];
	buildings: Map<string, string>;
	proposals: Map<string, { facts: ProposalFacts; household: string }>;
	topics: Map<string, TopicFacts>;
	meetings: Map<string, MeetingFacts>;
	polls: Map<string, { facts: PollFacts; closesAt: number }>;
	/** Keyed by the grid's households document name (the unit of a grid). */
	gridFacts: Map<string, GridFacts>;
	projects: Map<string, ProjectFacts>;
	/** Units (see unitOf) to derive again before the next publication. */
	dirty: Set<string>;
	/** Units listed by the start-up scan: their first derivation is the baseline, not a late change. */
	baseline: Set<string>;
	/** Read from the report document on the first publication: the frozen periods and the late counts. */
	published: { frozen: Map<string, Period>; late: Map<string, number> } | null;
	/** When a period of this community closes or its grace ends (or an open poll ends): time to publish again. */
	wakeAt: number | null;
}

interface Correction {
	community: string;
	period: Period;
	reason: string;
	by: string;
	resolve: (version: number) => void;
	reject: (error: unknown) => void;
}

/**
 * The document a change belongs to for the facts: minutes join their meeting, ballots their poll, a
 * participation document its project, a grid's visits its register (one grid unit). Null for kinds without
 * facts (notices, the relay's own report and referrals documents).
 */
function unitOf(doc: string): { community: string; key: string } | null {
	const ref = parseDocName(doc);
	if (!ref) return null;
	const c = ref.community;
	switch (ref.kind) {
		case 'community':
		case 'proposal':
		case 'topic':
		case 'meeting':
		case 'poll':
		case 'project':
			return { community: c, key: doc };
		case 'minutes':
			return { community: c, key: meetingDocName(c, ref.id) };
		case 'participation':
			return { community: c, key: projectDocName(c, ref.id) };
		case 'households':
			return { community: c, key: doc };
		case 'visits':
			return isGridId(ref.id) ? { community: c, key: householdsDocName(c, ref.id) } : null;
		case 'ballots': {
			const parsed = parseBallotsId(ref.id);
			return parsed && parseDocName(`${c}:poll:${parsed.poll}`) ? { community: c, key: pollDocName(c, parsed.poll) } : null;
		}
		default:
			return null;
	}
}

/**
 * The facts of a unit as timed items: what changed between two derivations, and when, tells which frozen
 * periods a change touches. Each item carries the unit's untimed attributes, so changing those (a proposal's
 * category) touches every period the unit has facts in.
 */
type TimedItem = [at: number, key: string];

function timedItems(kind: string | undefined, facts: unknown): TimedItem[] {
	if (!facts) return [];
	const item = (at: number | null | undefined, what: unknown): TimedItem[] => (typeof at === 'number' ? [[at, JSON.stringify([at, what])]] : []);
	switch (kind) {
		case 'proposal': {
			const p = facts as ProposalFacts;
			const attrs = [p.grid, p.channel, p.category, p.kind];
			return [...item(p.filed, ['filed', attrs]), ...p.steps.flatMap((s) => item(s.at, ['step', attrs, s]))];
		}
		case 'topic': {
			const t = facts as TopicFacts;
			return item(t.created, ['topic', t.category, t.proposals]);
		}
		case 'meeting': {
			const m = facts as MeetingFacts;
			return item(m.at, ['meeting', m.kind, m.held, m.attendance]);
		}
		case 'poll': {
			const p = facts as PollFacts;
			return [...item(p.created, ['poll']), ...item(p.closed, ['closed', p.electorate, p.voted])];
		}
		case 'households':
			// The register's size has no time: only visits are dated.
			return (facts as GridFacts).visits.flatMap((v) => item(v.at, ['visit', v]));
		case 'project': {
			const p = facts as ProjectFacts;
			return [
				...p.pledged.flatMap((x) => item(x.at, ['pledged', x.amount])),
				...p.received.flatMap((x) => item(x.at, ['received', x.amount])),
				...p.spent.flatMap((x) => item(x.at, ['spent', x.amount])),
				...p.ratings.flatMap((x) => item(x.at, ['rating', x.score]))
			];
		}
		default:
			return [];
	}
}

/** Times of the items found in one list and not the other (as multisets). */
function changedTimes(before: readonly TimedItem[], after: readonly TimedItem[]): number[] {
	const count = new Map<string, number>();
	for (const [, key] of before) count.set(key, (count.get(key) ?? 0) + 1);
	const times: number[] = [];
	for (const [at, key] of after) {
		const n = count.get(key) ?? 0;
		if (n > 0) count.set(key, n - 1);
		else times.push(at);
	}
	for (const [at, key] of before) {
		const n = count.get(key) ?? 0;
		if (n > 0) {
			count.set(key, n - 1);
			times.push(at);
		}
	}
	return times;
}

/** The residents' version: public figures only (the dictionary's flag), no grid breakdown. */
const publicReport = (r: CommunityReport): CommunityReport => ({ ...r, figures: publicFigures(r.figures), grids: {}, gridNames: {} });
const quarterVersions = (doc: Y.Doc) => readReportDoc(doc).closed.filter((v) => v.report.period.kind === 'quarter');

export class ReportPublisher extends CommunityPublisher<CommunityState> {
	protected readonly label = 'the reports';
	protected readonly origin = REPORT_ORIGIN;
	private readonly corrections: Correction[] = [];
	private readonly graceMs: number;
	private readonly checkEveryMs: number;
	private wakeTimer: NodeJS.Timeout | null = null;

	constructor(options: ReportsOptions) {
		// A community is recomputed debounceMs after its first change, however many follow.
		const debounceMs = options.debounceMs ?? 1_000;
		super({ hub: options.hub, logger: options.logger, now: options.now, debounceMs, maxWaitMs: debounceMs });
		this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
		this.checkEveryMs = Math.max(10, options.checkEveryMs ?? 3_600_000);
	}

	protected newState(id: string): CommunityState {
		return {
			id,
			hasCommunityDoc: false,
			grids: [],
			buildings: new Map(),
			proposals: new Map(),
			topics: new Map(),
			meetings: new Map(),
			polls: new Map(),
			gridFacts: new Map(),
			projects: new Map(),
			dirty: new Set(),
			baseline: new Set(),
			published: null,
			wakeAt: null
		};
	}

	protected noteDoc(doc: string, _seq: number, listed: boolean): string | null {
		const unit = unitOf(doc);
		if (!unit) return null;
		const state = this.state(unit.community);
		state.dirty.add(unit.key);
		// Listed on start: its first derivation is the baseline, not a late change.
		if (listed) state.baseline.add(unit.key);
		else {
			const kind = parseDocName(unit.key)?.kind;
			// A register or the buildings decide open polls' electorates.
			if (kind === 'households' || kind === 'community') {
				for (const [poll, p] of state.polls) if (p.facts.closed === null) state.dirty.add(poll);
			}
		}
		return unit.community;
	}

	protected isDirty(state: CommunityState): boolean {
		return state.dirty.size > 0;
	}

	/** Appends a correction of a frozen period: the next version, recomputed from the current facts. */
	correct(community: string, period: Period, reason: string, by: string): Promise<number> {
		if (this.closed) return Promise.reject(new ApiFailure('unavailable', 'the relay is shutting down'));
		if (this.starting) return Promise.reject(new ApiFailure('unavailable', 'the relay is still reading its documents: try again in a minute'));
		return new Promise((resolve, reject) => {
			this.corrections.push({ community, period, reason, by, resolve, reject });
			this.drain();
		});
	}

	/** Corrections go before the next community: someone is waiting for the answer. */
	protected hasTask(): boolean {
		return this.corrections.length > 0;
	}

	protected nextTask(): (() => Promise<void>) | null {
		const correction = this.corrections.shift();
		if (!correction) return null;
		return async () => {
			try {
				correction.resolve(await this.applyCorrection(correction));
			} catch (error) {
				correction.reject(error);
			}
		};
	}

	protected idle(): void {
		this.armWake();
	}

	async close(): Promise<void> {
		if (this.wakeTimer) clearTimeout(this.wakeTimer);
		for (const c of this.corrections.splice(0)) c.reject(new ApiFailure('unavailable', 'the relay is shutting down'));
		await super.close();
	}

	/** One timer for every community: to the earliest period end or grace end, and at least every checkEveryMs. */
	private armWake(): void {
		if (this.closed) return;
		if (this.wakeTimer) clearTimeout(this.wakeTimer);
		let earliest = Infinity;
		for (const s of this.communities.values()) if (s.wakeAt !== null && s.wakeAt < earliest) earliest = s.wakeAt;
		const delay = Math.min(Math.max(0, earliest - this.now()), this.checkEveryMs, MAX_TIMER_MS);
		this.wakeTimer = setTimeout(() => {
			this.wakeTimer = null;
			this.wake();
		}, delay + 5);
		this.wakeTimer.unref();
	}

	private wake(): void {
		const now = this.now();
		let woken = false;
		for (const [id, s] of this.communities) {
			if (s.wakeAt === null || s.wakeAt > now) continue;
			// A poll whose end passed without a change: its facts now say closed.
			for (const [poll, p] of s.polls) if (p.facts.closed === null && p.closesAt <= now) s.dirty.add(poll);
			s.wakeAt = null;
			woken = true;
			this.publishNow(id);
		}
		if (!woken) this.armWake();
	}

	// ---- reading documents ----

	private async withDocs<T>(names: readonly string[], fn: (docs: (Y.Doc | null)[]) => T): Promise<T> {
		const docs: (Y.Doc | null)[] = [];
		try {
			for (const name of names) docs.push(await this.loadStored(name));
			return fn(docs);
		} finally {
			for (const d of docs) d?.destroy();
		}
	}

	private async loadPublished(state: CommunityState): Promise<NonNullable<CommunityState['published']>> {
		if (state.published) return state.published;
		const published = await this.withDocs([reportDocName(state.id, 'main')], ([doc]) => {
			const r = doc ? readReportDoc(doc) : null;
			return {
				frozen: new Map((r?.closed ?? []).map((v) => [v.report.period.key, v.report.period])),
				late: new Map(r?.late ?? [])
			};
		});
		state.published = published;
		return published;
	}

	// ---- deriving facts ----

	/** Derives every dirty unit again, the community document first (the others use its grids and buildings). */
	private async deriveDirty(state: CommunityState, now: number): Promise<void> {
		const published = await this.loadPublished(state);
		const units = [...state.dirty].sort((a, b) => Number(parseDocName(b)?.kind === 'community') - Number(parseDocName(a)?.kind === 'community'));
		state.dirty.clear();
		const shared = new SharedDocs((name) => this.loadStored(name));
		try {
			for (const [i, unit] of units.entries()) {
				try {
					const kind = parseDocName(unit)?.kind;
					const before = this.factsOfUnit(state, unit);
					await this.derive(state, unit, now, shared);
					if (state.baseline.delete(unit)) continue;
					this.countLate(published, changedTimes(timedItems(kind, before), timedItems(kind, this.factsOfUnit(state, unit))));
				} catch (error) {
					// Not lost: derived again with the next publication.
					for (const u of units.slice(i)) state.dirty.add(u);
					throw error;
				}
			}
		} finally {
			shared.destroy();
		}
	}

	/** One more late change for every frozen period the changed times fall in. */
	private countLate(published: NonNullable<CommunityState['published']>, times: readonly number[]): void {
		if (times.length === 0 || published.frozen.size === 0) return;
		const touched = new Set<string>();
		for (const at of times) {
			for (const p of published.frozen.values()) if (at >= p.from && at < p.to) touched.add(reportKey(p.kind, p.key));
		}
		for (const key of touched) published.late.set(key, (published.late.get(key) ?? 0) + 1);
	}

	private factsOfUnit(state: CommunityState, unit: string): unknown {
		switch (parseDocName(unit)?.kind) {
			case 'proposal':
				return state.proposals.get(unit)?.facts;
			case 'topic':
				return state.topics.get(unit);
			case 'meeting':
				return state.meetings.get(unit);
			case 'poll':
				return state.polls.get(unit)?.facts;
			case 'households':
				return state.gridFacts.get(unit);
			case 'project':
				return state.projects.get(unit);
			default:
				return undefined;
		}
	}

	private async derive(state: CommunityState, unit: string, now: number, shared: SharedDocs): Promise<void> {
		const ref = parseDocName(unit);
		if (!ref) return;
		const c = state.id;
		const set = <T>(map: Map<string, T>, value: T | null) => (value === null ? map.delete(unit) : map.set(unit, value));
		switch (ref.kind) {
			case 'community': {
				await this.withDocs([unit], ([doc]) => {
					state.hasCommunityDoc = !!doc && isCommunityDoc(doc);
					const layout = doc ? communityLayout(doc) : { grids: [], buildings: new Map<string, string>() };
					state.grids = layout.grids;
					state.buildings = layout.buildings;
				});
				// Buildings may have moved between grids: proposals follow without being read again.
				for (const p of state.proposals.values()) p.facts = { ...p.facts, grid: gridOfHousehold(state.buildings, p.household) };
				return;
			}
			case 'proposal':
				return this.withDocs([unit], ([doc]) => void set(state.proposals, doc ? proposalFacts(unit, doc, state.buildings) : null));
			case 'topic':
				return this.withDocs([unit], ([doc]) => void set(state.topics, doc ? topicFacts(unit, doc) : null));
			case 'meeting':
				return this.withDocs([unit, minutesDocName(c, ref.id)], ([meeting, minutes]) => {
					set(state.meetings, meeting ? meetingFacts(unit, meeting, minutes ?? null) : null);
				});
			case 'project':
				return this.withDocs([unit, participationDocName(c, ref.id)], ([project, participation]) => {
					set(state.projects, project ? projectFacts(unit, project, participation ?? null, now) : null);
				});
			case 'households':
				return this.withDocs([unit, visitsDocName(c, ref.id)], ([households, visits]) => {
					set(state.gridFacts, households || visits ? gridFacts(ref.id, households ?? null, visits ?? null) : null);
				});
			case 'poll': {
				const grids = state.grids.map((g) => g.id).filter(isGridId);
				const sources = await shared.pollSources(c, grids);
				return this.withDocs([unit, ...grids.map((g) => ballotsDocName(c, g, ref.id))], ([poll, ...ballots]) => {
					// A grid without a ballots document has no ballots.
					const byGrid = new Map(grids.flatMap((g, i) => (ballots[i] ? [[g, ballots[i] as Y.Doc] as const] : [])));
					const facts = poll ? pollFacts(unit, poll, { ...sources, ballots: byGrid }, now) : null;
					set(state.polls, facts && poll ? { facts, closesAt: readPoll(poll).closesAt } : null);
				});
			}
			default:
				return;
		}
	}

	private factsOf(state: CommunityState): CommunityFacts {
		const sorted = <T>(map: Map<string, T>) => [...map].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v);
		return {
			community: state.id,
			grids: state.grids,
			proposals: sorted(state.proposals).map((p) => p.facts),
			topics: sorted(state.topics),
			meetings: sorted(state.meetings),
			polls: sorted(state.polls).map((p) => p.facts),
			gridFacts: sorted(state.gridFacts),
			projects: sorted(state.projects)
		};
	}

	// ---- publishing ----

	protected async publish(community: string, state: CommunityState): Promise<void> {
		const now = this.now();
		await this.deriveDirty(state, now);
		if (!state.hasCommunityDoc) return;
		const published = await this.loadPublished(state);
		const facts = this.factsOf(state);
		// Every period since the earliest fact (capped by the domain); frozen ones are left alone.
		const periods = periodsToPublish(earliestFact(facts), now, this.graceMs).filter((p) => !published.frozen.has(p.key));
		const open = new Map<string, CommunityReport>();
		const frozen: ReportVersion[] = [];
		let wakeAt = Infinity;
		for (const report of communityReports(facts, periods, now)) {
			const decision = decideSnapshot([], report, now, this.graceMs);
			const p = report.period;
			if (decision.action === 'live') {
				open.set(reportKey(p.kind, p.key), report);
				// Wake when it closes (it is then reported as closed), and again when its grace ends (frozen).
				wakeAt = Math.min(wakeAt, now < p.to ? p.to : p.to + this.graceMs);
			} else if (decision.action === 'freeze') frozen.push(decision.version);
		}
		for (const p of state.polls.values()) if (p.facts.closed === null && p.closesAt > now) wakeAt = Math.min(wakeAt, p.closesAt);
		state.wakeAt = Number.isFinite(wakeAt) ? wakeAt : null;

		const late = new Map(published.late);
		const quarters = await this.docs.write(reportDocName(community, 'main'), REPORT_ORIGIN, (doc) => {
			// Kept versions are never appended twice (a write that failed after storing, then retried).
			const kept = new Set(readReportDoc(doc).closed.map((v) => v.report.period.key));
			writeReportDoc(doc, community, now, { open, frozen: frozen.filter((v) => !kept.has(v.report.period.key)), late });
			return quarterVersions(doc);
		});
		for (const v of frozen) published.frozen.set(v.report.period.key, v.report.period);
		const publicOpen = new Map([...open].filter(([, r]) => r.period.kind === 'quarter').map(([k, r]) => [k, publicReport(r)]));
		await this.writePublic(community, now, publicOpen, quarters, late);
		if (frozen.length > 0) this.logger.info(`reports of ${community}: ${frozen.length} period(s) frozen`);
	}

	/**
	 * The residents' version: quarters only, no grid breakdown. Its frozen versions are copied from the staff
	 * document's (what it lacks is appended), so a write that failed once is made good by the next one.
	 * `open` null keeps the open quarters as they are.
	 */
	private writePublic(
		community: string,
		now: number,
		open: Map<string, CommunityReport> | null,
		quarters: readonly ReportVersion[],
		late: ReadonlyMap<string, number>
	): Promise<void> {
		return this.docs.write(reportDocName(community, 'public'), REPORT_ORIGIN, (doc) => {
			const current = readReportDoc(doc);
			const id = (v: ReportVersion) => `${v.report.period.key}#${v.version}`;
			const kept = new Set(current.closed.map(id));
			writeReportDoc(doc, community, now, {
				open: open ?? current.open,
				// A correction's reason is public; who made it (a device name, often a person's) is not.
				frozen: quarters
					.filter((v) => !kept.has(id(v)))
					.map(({ correction, ...v }) => ({ ...v, report: publicReport(v.report), ...(correction ? { correction: { reason: correction.reason, by: '' } } : {}) })),
				late: new Map([...late].filter(([k]) => k.startsWith('quarter:')))
			});
		});
	}

	private async applyCorrection(c: Correction): Promise<number> {
		const state = this.communities.get(c.community);
		const key = reportKey(c.period.kind, c.period.key);
		const notFrozen = () => new ApiFailure('invalid', `${key} is not frozen yet: its report is still recomputed on every change`);
		if (!state) throw notFrozen();
		const now = this.now();
		// Current facts: whatever changed since the last publication is taken in too.
		await this.deriveDirty(state, now);
		const published = await this.loadPublished(state);
		if (!published.frozen.has(c.period.key)) throw notFrozen();
		const report = communityReport(this.factsOf(state), c.period, now);
		const late = new Map([[key, 0]]);
		const { version, quarters } = await this.docs.write(reportDocName(c.community, 'main'), REPORT_ORIGIN, (doc) => {
			const current = readReportDoc(doc);
			const v = correctionVersion(current.closed, report, c.reason, c.by, now);
			writeReportDoc(doc, c.community, now, { open: current.open, frozen: [v], late });
			return { version: v, quarters: quarterVersions(doc) };
		});
		published.late.set(key, 0);
		if (c.period.kind === 'quarter') await this.writePublic(c.community, now, null, quarters, late);
		this.logger.info(`reports of ${c.community}: ${key} corrected (version ${version.version}) by ${c.by}`);
		// Open periods may have changed with the facts just taken in.
		this.publishNow(c.community);
		return version.version;
	}
}

/** Documents several poll units of one recomputation read alike (the community and its registers), read once. */
class SharedDocs {
	private sources: Promise<{ community: Y.Doc; registers: Y.Doc[] }> | null = null;
	private readonly loaded: Y.Doc[] = [];

	constructor(private readonly load: (name: string) => Promise<Y.Doc | null>) {}

	pollSources(community: string, grids: readonly string[]): Promise<{ community: Y.Doc; registers: Y.Doc[] }> {
		this.sources ??= (async () => {
			const read = async (name: string) => {
				const doc = (await this.load(name)) ?? new Y.Doc();
				this.loaded.push(doc);
				return doc;
			};
			const communityDoc = await read(communityDocName(community));
			const registers: Y.Doc[] = [];
			for (const g of grids) registers.push(await read(householdsDocName(community, g)));
			return { community: communityDoc, registers };
		})();
		return this.sources;
	}

	destroy(): void {
		for (const d of this.loaded) d.destroy();
	}
}
