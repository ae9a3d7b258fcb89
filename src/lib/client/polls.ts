/**
 * Poll actions: create a poll, record a household's ballot (at the door or at a meeting), a show of hands, and
 * close a poll with its outcome statement (which goes into the timeline of each matter concerned). Each resolves
 * only once the change is in IndexedDB (and queued for the relay).
 *
 * A resident cannot write ballots documents; their vote goes to the relay's ballot endpoint. It is queued first
 * (in the settings table, so a sign-out clears it with the credential), shown as "saved, waiting to send", and
 * sent — and resent, with the same ballot id, until the relay answers — without the resident doing anything,
 * on the app's one retry policy (outbox.ts).
 */
import type * as Y from 'yjs';
import { newId } from '../domain/ids';
import {
	type AppBallotResponse,
	type Ballot,
	type HandCount,
	type OwnBallotStatus,
	type Poll,
	type PollDraft,
	pollBallotPath,
	type TallySummary,
	validatePoll
} from '../domain/poll';
import type { TimelineEvent } from '../domain/proposal';
import type { ApiError } from '../protocol/api';
import { addBallot } from '../schema/ballots-doc';
import { ballotsDocName, parseDocName, pollDocName } from '../schema/doc-names';
import { addClosure, createPoll as writePoll, readPoll, recordHandCount as writeHandCount } from '../schema/poll-doc';
import { appendEvent, isProposalDoc } from '../schema/proposal-doc';
import { readTopic } from '../schema/topic-doc';
import { recordRatificationResult } from '../schema/convention-doc';
import type { ActionsApp } from './actions-app';
import type { DocHandle } from './doc-store';
import { type LocalOutboxes, type LocalSettings, outboxSettingKey } from './local-store';
import { Outbox, type OutboxQueue, type PassResult, retryAfterMs } from './outbox';
import { BALLOT_QUEUE } from './outbox-keys';
import { entriesOfKind, type IndexReader } from './index-reads';
import type { IndexEntry } from '../schema/index-entry';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export interface PollsApp extends ActionsApp {
	readonly device?: { id: string } | null;
}


export class InvalidPollError extends Error {
	override readonly name = 'InvalidPollError';
	constructor(readonly issues: readonly { field: string; code: string }[]) {
		super(issues.map((i) => `${i.field}: ${i.code}`).join('; '));
	}
}

/** Creates a poll; resolves with its document name once it is on disk. */
export async function createPoll(app: PollsApp, draft: PollDraft, now = Date.now()): Promise<string> {
	const issues = validatePoll(draft);
	if (issues.length > 0) throw new InvalidPollError(issues);
	const id = newId();
	const name = pollDocName(app.community, id);
	await app.store.edit(name, (doc) => writePoll(doc, draft, { id, actor: app.actorSnapshot(), now }));
	return name;
}

/** Statuses of a matter no poll decides any more (or not yet, for a draft). */
const UNDECIDABLE = new Set(['draft', 'rejected', 'merged', 'closed']);

/** Proposals and topics of the community a new poll may decide, most recently changed first. */
export async function pollCandidates(app: IndexReader, community: string): Promise<IndexEntry[]> {
	const list = await entriesOfKind(app, ['proposal', 'topic'], (e) => e.community === community && !UNDECIDABLE.has(e.status));
	return list.sort((a, b) => b.updated - a.updated);
}

export interface BallotInput {
	poll: string;
	/** The household's grid: its ballots go into that grid's ballots document. */
	grid: string;
	household: string;
	/** null withdraws the household's vote. */
	option: string | null;
	channel: 'visit' | 'meeting';
	at?: number;
}

/** Records a household's ballot, by a grid worker at the door or a facilitator at a meeting. */
export async function castBallot(app: PollsApp, input: BallotInput): Promise<Ballot> {
	const by = app.actorSnapshot();
	const ballot: Ballot = {
		id: newId(),
		household: input.household,
		option: input.option,
		at: input.at ?? Date.now(),
		channel: input.channel,
		by,
		device: app.device?.id ?? by.id
	};
	await app.store.edit(ballotsDocName(app.community, input.grid, input.poll), (doc) => addBallot(doc, input.grid, input.poll, ballot));
	return ballot;
}

/** Records a show of hands at a meeting; a later count of the same session replaces the earlier one. */
export async function recordHandCount(app: PollsApp, poll: DocHandle, session: string, counts: Record<string, number>): Promise<HandCount> {
	const count: HandCount = { id: newId(), session: session.trim(), at: Date.now(), by: app.actorSnapshot(), counts };
	await poll.change((doc) => writeHandCount(doc, count));
	return count;
}

/**
 * Closes a poll (or amends the outcome statement of a closed one) and appends the outcome to the timeline of
 * every proposal concerned — a topic's proposals included — and, for a convention's ratification, records its
 * result in the convention. Resolves with the proposals it wrote to.
 */
export async function closePoll(app: PollsApp, poll: DocHandle, outcome: string, tally: TallySummary | null): Promise<string[]> {
	const p: Poll = readPoll(poll.doc);
	const by = app.actorSnapshot();
	const at = Date.now();
	const text = outcome.trim();
	await poll.change((doc) => addClosure(doc, { id: newId(), at, by, outcome: text, ...(tally ? { tally } : {}) }));

	const carried = tally?.outcome.kind === 'carried' ? tally.outcome.option : null;
	const label = carried ? p.options.find((o) => o.id === carried)?.label : undefined;
	const proposals = new Set<string>();
	for (const matter of p.matters) {
		const kind = parseDocName(matter)?.kind;
		if (kind === 'proposal') proposals.add(matter);
		else if (kind === 'topic' && (await app.store.db.syncState.get(matter))) {
			const handle = await app.store.openDoc(matter);
			try {
				for (const d of readTopic(handle.doc, matter).proposals) proposals.add(d);
			} finally {
				handle.release();
			}
		}
	}
	// A convention put to this poll takes its result: a version in force always follows a poll that carried.
	for (const matter of p.matters) {
		if (parseDocName(matter)?.kind !== 'convention' || !tally || !(await app.store.db.syncState.get(matter))) continue;
		await app.store.edit(matter, (doc) => recordRatificationResult(doc, parseDocName(poll.name)!.id, tally.outcome.kind, by, at));
	}
	const written: string[] = [];
	for (const name of proposals) {
		// A proposal this device does not hold is left alone rather than created empty.
		if (!(await app.store.db.syncState.get(name))) continue;
		const ok = await app.store.edit(name, (doc) => {
			if (!isProposalDoc(doc)) return false;
			const event: TimelineEvent = {
				id: newId(),
				type: 'poll_outcome',
				at,
				by,
				channel: 'app',
				poll: poll.name,
				title: p.title,
				outcome: text,
				...(label ? { carried: label } : {})
			};
			appendEvent(doc, event);
			return true;
		});
		if (ok) written.push(name);
	}
	return written;
}

// ---- the resident's ballot, queued until the relay has it ----

export type QueuedState = 'queued' | 'sent' | 'refused';

export interface QueuedBallot {
	/** The poll's document name. */
	poll: string;
	/** Ballot id: the same on every resend, so the relay stores it once. */
	id: string;
	option: string | null;
	queuedAt: number;
	state: QueuedState;
	attempts: number;
	/** The relay's answer: the stored ballot, or why it refused. */
	ballot?: Ballot;
	error?: string;
}

export interface OutboxApp {
	readonly store: LocalOutboxes & LocalSettings;
	authHeaders(): Record<string, string>;
	/** The app's outbox (its retry policy and timers); absent in tests, where the ballots get one of their own. */
	readonly outbox?: Outbox;
}

/** Settings key of a poll's queued ballot (pages watch it live). */
export const outboxKey = (pollDoc: string) => outboxSettingKey(BALLOT_QUEUE, pollDoc);

/** The resident's latest ballot in a poll, as queued or sent. */
export async function queuedBallot(app: OutboxApp, pollDoc: string): Promise<QueuedBallot | null> {
	return (await app.store.getOutbox<QueuedBallot>(BALLOT_QUEUE, pollDoc)) ?? null;
}

/** Every ballot of this device not yet accepted or refused. */
export async function pendingBallots(app: OutboxApp): Promise<QueuedBallot[]> {
	const rows = await app.store.outboxEntries<QueuedBallot>(BALLOT_QUEUE);
	return rows.map((r) => r.value).filter((q) => q.state === 'queued');
}

/**
 * Saves the resident's vote on this device (replacing one not sent yet) and tries to send it. Resolves once it is
 * in IndexedDB; the send carries on in the background.
 */
export async function queueAppBallot(app: OutboxApp, pollDoc: string, option: string | null, now = Date.now()): Promise<QueuedBallot> {
	const entry: QueuedBallot = { poll: pollDoc, id: newId(20), option, queuedAt: now, state: 'queued', attempts: 0 };
	await app.store.putOutbox(BALLOT_QUEUE, pollDoc, entry);
	outboxOf(app)?.kick();
	return entry;
}

export interface SendOptions {
	fetch?: typeof fetch;
	/** Origin of the relay; the page's own by default. */
	base?: string;
}

/**
 * Sends every queued ballot once. An accepted one is marked sent, a refused one (closed poll, not a voter …) is
 * marked with the relay's reason; a network failure or a relay error leaves it queued for the next try.
 * Returns how many are still waiting.
 */
export async function sendQueuedBallots(app: OutboxApp, opts: SendOptions = {}): Promise<{ sent: number; refused: number; waiting: number }> {
	const { sent, refused, waiting } = await sendBallots(app, opts);
	return { sent, refused, waiting };
}

/** sendQueuedBallots, with the longest retry-after the relay asked for. */
async function sendBallots(app: OutboxApp, opts: SendOptions): Promise<{ sent: number; refused: number; waiting: number; retryAfterMs: number | null }> {
	const doFetch = opts.fetch ?? fetch;
	const result = { sent: 0, refused: 0, waiting: 0, retryAfterMs: null as number | null };
	const headers = app.authHeaders();
	for (const q of await pendingBallots(app)) {
		const pollId = parseDocName(q.poll)?.id;
		if (!pollId || !headers.authorization) {
			result.waiting++;
			continue;
		}
		let update: Partial<QueuedBallot>;
		try {
			const res = await doFetch(`${opts.base ?? ''}${pollBallotPath(pollId)}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: JSON.stringify({ id: q.id, option: q.option })
			});
			const body = (await res.json().catch(() => null)) as AppBallotResponse | ApiError | null;
			if (res.ok && body && 'ballot' in body) update = { state: 'sent', ballot: body.ballot, error: undefined };
			// A refusal is final only when the relay itself answered it; timeouts, rate limits and a credential
			// being renewed (401) are worth another try, as is anything a proxy said without our JSON body.
			else if (res.status >= 400 && res.status < 500 && ![401, 408, 429].includes(res.status) && body && 'error' in body)
				update = { state: 'refused', error: body.message };
			else {
				update = { error: body && 'message' in body ? body.message : `HTTP ${res.status}` };
				const after = retryAfterMs(res);
				if (after !== null) result.retryAfterMs = Math.max(result.retryAfterMs ?? 0, after);
			}
		} catch (err) {
			update = { error: err instanceof Error ? err.message : String(err) };
		}
		// Only this ballot's record: the resident may have voted again meanwhile, and that one stays queued.
		const stored = await app.store.updateOutbox<QueuedBallot>(BALLOT_QUEUE, q.poll, (current) =>
			current && current.id === q.id ? { ...current, ...update, attempts: current.attempts + 1 } : undefined
		);
		// Replaced meanwhile by a newer vote: this one counts as done; the newer one is sent on the next pass.
		if (stored && stored.id !== q.id) {
			result.sent++;
			continue;
		}
		const state = stored?.state ?? 'sent';
		if (state === 'sent') result.sent++;
		else if (state === 'refused') result.refused++;
		else result.waiting++;
	}
	return result;
}

const queues = new WeakMap<OutboxApp, OutboxQueue>();
const outboxOf = (app: OutboxApp) => queues.get(app);

/**
 * Starts sending this device's queued ballots in the background (idempotent): now, whenever the browser comes
 * back online, and on the outbox's backoff while any wait. Returns a function that sends at once.
 */
export function startBallotOutbox(app: OutboxApp): () => void {
	let queue = queues.get(app);
	if (!queue) {
		const outbox = app.outbox ?? new Outbox();
		queue = outbox.queue({
			run: async (): Promise<PassResult> => {
				const { waiting, retryAfterMs } = await sendBallots(app, {});
				return waiting === 0 ? { waiting: 0 } : { waiting, retryAfterMs };
			}
		});
		queues.set(app, queue);
		// The app's outbox kicks every queue when the network returns; a queue of its own listens itself.
		if (!app.outbox && typeof window !== 'undefined') window.addEventListener('online', queue.kick);
		queue.kick();
	}
	return queue.kick;
}

// ---- what counts for the household, as the relay last said ----

const OWN_PREFIX = 'counted.ballot:';
export const ownBallotKey = (pollDoc: string) => `${OWN_PREFIX}${pollDoc}`;
const lastAsked = new Map<string, number>();

/** The relay's last answer about the household's ballot in a poll, as kept on the device; null before any. */
export async function keptOwnBallot(app: Pick<OutboxApp, 'store'>, pollDoc: string): Promise<OwnBallotStatus | null> {
	return ((await app.store.getSetting(ownBallotKey(pollDoc))) as OwnBallotStatus | undefined) ?? null;
}

/**
 * Asks the relay which of the household's ballots counts (a door or meeting ballot may have replaced the app
 * one: residents cannot read ballots documents themselves) and keeps the answer on the device, so the page
 * still shows it offline. Resolves null when the relay cannot be asked now; the last answer stays.
 */
export async function refreshOwnBallot(app: OutboxApp, pollDoc: string, opts: SendOptions = {}): Promise<OwnBallotStatus | null> {
	const pollId = parseDocName(pollDoc)?.id;
	const headers = app.authHeaders();
	if (!pollId || !headers.authorization) return null;
	const asked = (lastAsked.get(pollDoc) ?? 0) + 1;
	lastAsked.set(pollDoc, asked);
	try {
		const res = await (opts.fetch ?? fetch)(`${opts.base ?? ''}${pollBallotPath(pollId)}`, { headers });
		if (!res.ok) return null;
		const body = (await res.json()) as OwnBallotStatus;
		// An older question answered late must not overwrite a newer answer.
		if (lastAsked.get(pollDoc) !== asked) return body;
		await app.store.putSetting(ownBallotKey(pollDoc), body);
		return body;
	} catch {
		return null;
	}
}
