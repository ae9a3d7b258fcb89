/**
 * Household polls on the relay: the resident's ballot endpoint and the public tally (contract in
 * src/lib/domain/poll.ts, "the resident's ballot over HTTP").
 *
 *   POST /api/polls/<poll id>/ballot   { id, option }   resident credential
 *     The household comes from the credential; the relay finds its grid (register → building → grid), checks
 *     that the poll is open, the option is one of its options and the household in its electorate, stamps the
 *     time and writes the ballot (channel 'app') into that grid's ballots document. It answers once the ballot is
 *     durable: 201 stored, 200 when a ballot with that id was stored before (a resent queued ballot).
 *   GET  /api/polls/<poll id>/ballot   resident credential
 *     Which ballot of the credential's household counts (option, channel, time, recorder's role) and the app
 *     ballot it superseded, if any: a resident cannot read ballots documents, so this is how a household learns
 *     that a door or meeting ballot replaced its own. Only that household's ballots are ever read into it.
 *
 * Public tally: residents may not read ballots, so the relay tallies with the same domain function the
 * facilitators' devices use and writes the aggregates into the poll document, only while the poll does not hide
 * results or once it has closed. It follows the hub's change feed (ballots, the poll, registers, the community),
 * debounced per poll and one tally at a time; a poll still open gets a timer for its close, and on start the
 * stored polls are scanned once, so a poll that closed while the relay was down gets its final tally too.
 *
 * Documents are read by joining their rooms, so every committed update is seen. Writes go through the hub like
 * any client's: a copy of the room's state is edited under the relay's own client id, one write per document
 * at a time, so the relay's updates never collide with each other and add one client to the state vector.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import {
	type AppBallotRequest,
	type AppBallotResponse,
	type Ballot,
	ballotsOfOwnGrids,
	endsAt,
	isBallotId,
	MAX_APP_BALLOTS_PER_HOUSEHOLD,
	mayPublishTally,
	type OwnBallotStatus,
	ownBallotStatus,
	POLL_BALLOT_ROUTE,
	pollStatus,
	type PublicTally,
	resolveElectorate,
	sameTally,
	summarize,
	tallyPoll
} from '../../src/lib/domain/poll';
import { roleCan } from '../../src/lib/domain/permissions';
import { addBallot, getBallot, readBallots } from '../../src/lib/schema/ballots-doc';
import { readCommunity } from '../../src/lib/schema/community-doc';
import { ballotsDocName, communityDocName, householdsDocName, isGridId, parseBallotsId, parseDocName, pollDocName } from '../../src/lib/schema/doc-names';
import { readHouseholds } from '../../src/lib/schema/households-doc';
import { clearPublicTally, isPollDoc, readPoll, readPublicTally, writePublicTally } from '../../src/lib/schema/poll-doc';
import { type ApiContext, ApiFailure, type ApiRoute, sendJson } from '../transport/api';
import type { Credentials } from '../auth/credentials';
import type { FeedListener, Hub } from '../core/hub';
import type { Logger } from '../core/log';
import { RelayDocs } from '../core/relay-docs';

export interface PollsOptions {
	hub: Hub;
	logger: Logger;
	/** For the name on a resident's ballot. */
	credentials?: Credentials;
	/** Delay between a change and the tally it triggers (changes in between join it). Default 500 ms. */
	debounceMs?: number;
	now?: () => number;
	/** Scan the stored polls on start. Default true. */
	scan?: boolean;
	/**
	 * Run the tally publisher. Default true. False serves the ballot route alone: on a relay process that is not
	 * the publishers' leader (relay.ts), as tallies must be written by one process at a time.
	 */
	publish?: boolean;
}

export interface Polls {
	route: ApiRoute;
	publisher: TallyPublisher;
	/** Stops the publisher (timers, feed) and waits for a tally in progress. */
	close(): Promise<void>;
}

export function createPolls(options: PollsOptions): Polls {
	const docs = new RelayDocs(options.hub);
	const now = options.now ?? Date.now;
	const publisher = new TallyPublisher(options.hub, docs, options.logger, options.debounceMs ?? 500, now);
	const publish = options.publish !== false;
	if (publish) options.hub.addFeedListener(publisher);
	if (publish && options.scan !== false) {
		publisher.scan().catch((error: unknown) => options.logger.warn('scanning the stored polls failed', error));
	}
	const route: ApiRoute = {
		path: POLL_BALLOT_ROUTE,
		handle: (req, res, params, ctx) => castAppBallot(req, res, params[0] as string, ctx, docs, options.credentials, now)
	};
	return {
		route,
		publisher,
		close: async () => {
			options.hub.removeFeedListener(publisher);
			await publisher.close();
		}
	};
}

/** Origins of the relay's own writes, so the change feed can tell them apart. */
const BALLOT_ORIGIN = Symbol('poll ballot endpoint');
const TALLY_ORIGIN = Symbol('tally publisher');

// ---- the resident's ballot ----

function parseRequest(body: Record<string, unknown>, household: string): AppBallotRequest {
	const { id, option } = body;
	if (!isBallotId(id)) throw new ApiFailure('invalid', 'id must be a ballot id of 8 to 64 letters, digits, "-" or "_" made by the app');
	if (option !== null && typeof option !== 'string') throw new ApiFailure('invalid', 'option must be an option id of the poll, or null to withdraw');
	if (body.household !== undefined && body.household !== household) {
		throw new ApiFailure('forbidden', 'you may vote only for your own household (the one your credential names)');
	}
	return { id, option };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The resident's household, the poll and the grid whose ballots document holds the household's ballots. */
async function residentContext(req: IncomingMessage, pollId: string, ctx: ApiContext, docs: RelayDocs) {
	const { deviceId, grant } = await ctx.authenticate(req);
	if (!roleCan(grant.role, 'cast-own-ballot')) {
		throw new ApiFailure('forbidden', 'only a resident votes here, for their own household; grid workers and facilitators record ballots in the ballots document');
	}
	const household = grant.household;
	if (!household) throw new ApiFailure('forbidden', 'this credential is not bound to a household');
	const community = grant.community;

	const found = await readOrUnavailable(ctx, 'this poll or the community', () =>
		docs.read([pollDocName(community, pollId), communityDocName(community)], ([pollDoc, communityDoc]) =>
			isPollDoc(pollDoc as Y.Doc) ? { poll: readPoll(pollDoc as Y.Doc), community: readCommunity(communityDoc as Y.Doc) } : null
		)
	);
	if (!found) throw new ApiFailure('not_found', `there is no poll ${pollId} in your community`);
	const { poll } = found;

	const grids = found.community.grids.map((g) => g.id);
	const record = await readOrUnavailable(ctx, "the community's household registers", () =>
		docs.read(
			grids.map((g) => householdsDocName(community, g)),
			(registers) => {
				for (const [i, doc] of registers.entries()) {
					const h = readHouseholds(doc).find((x) => x.id === household);
					if (h) return { household: h, registerGrid: grids[i] as string };
				}
				return null;
			}
		)
	);
	if (!record) throw new ApiFailure('forbidden', 'your household is not in the community register yet: ask your grid worker');
	const building = found.community.buildings.find((b) => b.id === record.household.building);
	const grid = building?.grid ?? record.registerGrid;
	const voter = resolveElectorate(poll.electorate, [record.household], found.community.buildings).length > 0;
	return { deviceId, household, community, poll, grid, voter };
}

async function castAppBallot(
	req: IncomingMessage,
	res: ServerResponse,
	pollId: string,
	ctx: ApiContext,
	docs: RelayDocs,
	credentials: Credentials | undefined,
	now: () => number
): Promise<void> {
	if (req.method === 'GET') return ownBallot(req, res, pollId, ctx, docs);
	if (req.method !== 'POST') throw new ApiFailure('invalid', 'use GET or POST', { Allow: 'GET, POST' });
	const { deviceId, household, community, poll, grid, voter } = await residentContext(req, pollId, ctx, docs);
	const request = parseRequest(await ctx.readJson(req), household);
	const at = now();
	const status = pollStatus(poll, at);
	// Checked after looking for the ballot id: a resend whose first answer was lost must still get its ballot.
	const refuseNew = () => {
		if (status === 'scheduled') throw new ApiFailure('forbidden', `the poll is not open yet: it opens at ${iso(poll.opensAt)}`);
		if (status === 'closed') throw new ApiFailure('forbidden', `the poll is closed: voting ended at ${iso(endsAt(poll))}`);
		if (request.option !== null && !poll.options.some((o) => o.id === request.option)) {
			throw new ApiFailure('invalid', `option must be one of ${poll.options.map((o) => o.id).join(', ')}, or null to withdraw`);
		}
	};
	if (!voter) throw new ApiFailure('forbidden', "your household is not among this poll's voters");

	const name = (await credentials?.device(deviceId))?.name ?? '';
	const cast = (doc: Y.Doc): AppBallotResponse => {
		const existing = getBallot(doc, request.id);
		if (existing) {
			if (existing.household !== household || existing.device !== deviceId) throw new ApiFailure('invalid', 'this ballot id is already used: send a new one');
			return { ballot: existing, created: false };
		}
		refuseNew();
		const sent = readBallots(doc).filter((b) => b.household === household && b.channel === 'app').length;
		if (sent >= MAX_APP_BALLOTS_PER_HOUSEHOLD) {
			throw new ApiFailure('rate_limited', `your household has sent ${sent} ballots in this poll, the most allowed`);
		}
		const ballot: Ballot = {
			id: request.id,
			household,
			option: request.option,
			at,
			channel: 'app',
			by: { id: deviceId, name, role: 'resident' },
			device: deviceId
		};
		addBallot(doc, grid, poll.id, ballot);
		return { ballot, created: true };
	};
	const response = await readOrUnavailable(ctx, "this poll's ballots", () => docs.write(ballotsDocName(community, grid, poll.id), BALLOT_ORIGIN, cast));
	sendJson(res, response.created ? 201 : 200, response);
}

/**
 * What counts for the asking household: only its own ballots (the household comes from the credential; the
 * request names nothing), reduced to option, channel, time and the recorder's role — no names, no device ids.
 */
async function ownBallot(req: IncomingMessage, res: ServerResponse, pollId: string, ctx: ApiContext, docs: RelayDocs): Promise<void> {
	const { deviceId, household, community, poll, grid, voter } = await residentContext(req, pollId, ctx, docs);
	const ballots = await readOrUnavailable(ctx, "this poll's ballots", () =>
		docs.read([ballotsDocName(community, grid, poll.id)], ([doc]) => readBallots(doc as Y.Doc).filter((b) => b.household === household))
	);
	const body: OwnBallotStatus = ownBallotStatus(poll, ballots, voter, deviceId);
	sendJson(res, 200, body);
}

/**
 * A document the relay cannot read or write (a storage fault) answers 503 naming what, instead of 500: the app
 * keeps the ballot queued and sends it again later. Refusals (ApiFailure) pass through.
 */
async function readOrUnavailable<T>(ctx: ApiContext, what: string, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		if (error instanceof ApiFailure) throw error;
		ctx.logger.warn(`ballot: reading ${what} failed`, error);
		throw new ApiFailure('unavailable', `the relay cannot read ${what} right now; your ballot stays queued and is sent again later`);
	}
}

// ---- the public tally ----

/** setTimeout's longest delay; a later close re-arms when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Bounds on what the publisher remembers (polls of all communities). */
const MAX_KNOWN = 50_000;
const SCAN_PAGE = 10_000;

export class TallyPublisher implements FeedListener {
	/** Poll doc → debounce timer. */
	private readonly pending = new Map<string, NodeJS.Timeout>();
	/** Poll docs waiting for a tally; true when queued by the start-up scan (skipped if already final). */
	private readonly queue = new Map<string, boolean>();
	private readonly closeTimers = new Map<string, NodeJS.Timeout>();
	/** community → poll doc → whether it was still open at its last tally (register changes re-tally those). */
	private readonly known = new Map<string, Map<string, boolean>>();
	private knownCount = 0;
	private running: Promise<void> | null = null;
	private closed = false;

	constructor(
		private readonly hub: Hub,
		private readonly docs: RelayDocs,
		private readonly logger: Logger,
		private readonly debounceMs: number,
		private readonly now: () => number
	) {}

	onChanges(_headSeq: number, changed: readonly { doc: string; origins: ReadonlySet<unknown> }[]): void {
		for (const c of changed) {
			if (c.origins.size === 1 && c.origins.has(TALLY_ORIGIN)) continue;
			const ref = parseDocName(c.doc);
			if (!ref) continue;
			if (ref.kind === 'poll') this.schedule(c.doc);
			else if (ref.kind === 'ballots') {
				const parsed = parseBallotsId(ref.id);
				if (parsed && parseDocName(`${ref.community}:poll:${parsed.poll}`)) this.schedule(pollDocName(ref.community, parsed.poll));
			} else if (ref.kind === 'households' || ref.kind === 'community') {
				for (const [poll, open] of this.known.get(ref.community) ?? []) if (open) this.schedule(poll);
			}
		}
	}

	/** Queues every stored poll once (those with a final tally already are skipped when their turn comes). */
	async scan(): Promise<void> {
		let cursor = 0;
		for (;;) {
			const page = await this.hub.store.changesSince(cursor, SCAN_PAGE);
			for (const entry of page.entries) {
				cursor = entry.seq;
				if (parseDocName(entry.doc)?.kind === 'poll' && !this.queue.has(entry.doc)) this.queue.set(entry.doc, true);
			}
			if (page.entries.length < SCAN_PAGE || this.closed) break;
		}
		this.drain();
	}

	schedule(poll: string): void {
		if (this.closed || this.pending.has(poll)) return;
		if (this.queue.has(poll)) {
			this.queue.set(poll, false);
			return;
		}
		const timer = setTimeout(() => {
			this.pending.delete(poll);
			this.queue.set(poll, false);
			this.drain();
		}, this.debounceMs);
		timer.unref();
		this.pending.set(poll, timer);
	}

	async close(): Promise<void> {
		this.closed = true;
		for (const t of this.pending.values()) clearTimeout(t);
		for (const t of this.closeTimers.values()) clearTimeout(t);
		this.pending.clear();
		this.closeTimers.clear();
		this.queue.clear();
		await this.running;
	}

	private drain(): void {
		if (this.running || this.closed) return;
		this.running = (async () => {
			while (!this.closed && this.queue.size > 0) {
				const [poll, fromScan] = this.queue.entries().next().value as [string, boolean];
				this.queue.delete(poll);
				try {
					await this.publish(poll, fromScan);
				} catch (error) {
					if (!this.closed) this.logger.warn(`tallying ${poll} failed`, error);
				}
			}
		})().finally(() => {
			this.running = null;
			if (!this.closed && this.queue.size > 0) this.drain();
		});
	}

	private async publish(name: string, fromScan: boolean): Promise<void> {
		const ref = parseDocName(name);
		if (!ref) return;
		const community = ref.community;
		const state = await this.docs.read([name, communityDocName(community)], ([pollDoc, communityDoc]) =>
			isPollDoc(pollDoc as Y.Doc)
				? { poll: readPoll(pollDoc as Y.Doc), current: readPublicTally(pollDoc as Y.Doc), community: readCommunity(communityDoc as Y.Doc) }
				: null
		);
		if (!state) return;
		const { poll, current } = state;
		const now = this.now();
		const closed = pollStatus(poll, now) === 'closed';
		this.remember(community, name, !closed);
		if (!closed) this.armClose(name, endsAt(poll) - now);
		if (!mayPublishTally(poll, now)) {
			// Results hidden after a tally was published: withdraw it until the poll closes.
			if (current) await this.docs.write(name, TALLY_ORIGIN, (doc) => clearPublicTally(doc));
			return;
		}
		if (fromScan && closed && current?.final && current.at >= endsAt(poll)) return;

		// A grid id that cannot name a ballots document is skipped rather than stopping every poll's tally.
		const grids = state.community.grids.map((g) => g.id).filter(isGridId);
		const names = [...grids.map((g) => householdsDocName(community, g)), ...grids.map((g) => ballotsDocName(community, g, poll.id))];
		const tally = await this.docs.read(names, (loaded) => {
			const households = loaded.slice(0, grids.length).flatMap((d) => readHouseholds(d));
			const byGrid = new Map(grids.map((g, i) => [g, readBallots(loaded[grids.length + i] as Y.Doc)]));
			const ballots = ballotsOfOwnGrids(byGrid, households, state.community.buildings);
			return tallyPoll(poll, resolveElectorate(poll.electorate, households, state.community.buildings), ballots);
		});
		const next: PublicTally = { ...summarize(tally), at: now, final: closed };
		if (current && current.final === next.final && sameTally(current, next)) return;
		await this.docs.write(name, TALLY_ORIGIN, (doc) => writePublicTally(doc, next));
	}

	private remember(community: string, poll: string, open: boolean): void {
		let polls = this.known.get(community);
		if (!polls) {
			if (this.knownCount >= MAX_KNOWN) return;
			polls = new Map();
			this.known.set(community, polls);
		}
		if (!polls.has(poll)) {
			if (this.knownCount >= MAX_KNOWN) return;
			this.knownCount++;
		}
		polls.set(poll, open);
	}

	/** A tally at the poll's close, so a hidden poll's result appears without waiting for another change. */
	private armClose(poll: string, inMs: number): void {
		const existing = this.closeTimers.get(poll);
		if (existing) clearTimeout(existing);
		else if (this.closeTimers.size >= MAX_KNOWN) return;
		const timer = setTimeout(
			() => {
				this.closeTimers.delete(poll);
				this.schedule(poll);
			},
			Math.min(Math.max(0, inMs) + 10, MAX_TIMER_MS)
		);
		timer.unref();
		this.closeTimers.set(poll, timer);
	}
}
