/**
 * The relay's core, shared by both endpoints: rooms (lazy load, idle unload), the durable write path and the
 * change feed.
 *
 * Write path: an endpoint validates an update (y-messages.checkUpdate) and submits it; the group commit stores
 * the batch in one transaction; then, per update and in commit order, the hub applies it to the loaded room,
 * broadcasts it to the room's other subscribers, and finally calls `done` (which sends an Ack). After the batch,
 * every change-feed listener learns which documents changed. Nothing is visible to anyone before it is durable.
 * Just before the batch is written, an update that would take its document past its kind's size cap
 * (limits.maxDocBytes) is refused with a LimitRefusal (4413).
 *
 * Subscriptions to a document with no stored rows hold no room (no Y.Doc, no awareness): the subscriber waits on
 * a vacancy and is answered as for an empty document; the first committed update creates the room and moves it
 * in. So names nobody writes cost next to nothing, however many are asked for.
 *
 * Several relay processes on one shared store (joinCluster, fanout/fanout.ts): each publishes what it commits,
 * and applies what the others commit as committed() applies its own, minus the acks. Messages may be lost or
 * arrive late, so nothing depends on them alone: every commit carries the store's global sequence, `knownHead`
 * is the sequence up to which this process has applied everything, and a gap that does not close at once (a lost
 * message), a restored link, or the periodic check against the store's head makes the hub catch up from the
 * store's change feed (rooms and caches of the documents listed are refreshed from their stored rows). What must
 * answer with the full durable state first catches up to the store's head as of the request (caughtUp): a
 * subscription to a loaded room, a /sync BatchSync, and the judging of a guarded write.
 *
 * A guarded write is judged against the document as of a position (knownHead when judged), and another process
 * may commit to the document between that judgement and the group commit's append. So with other processes the
 * append is a compare-and-set (storage/store.ts, `unchangedSince`): the store refuses it, inside its transaction,
 * when the document has a row after that position. The hub then catches up, judges the write again on the newer
 * state, and stores it under the new position or refuses it with the usual GuardRefusal (a few rounds at most,
 * then a refusal to send again later). The rest of its batch is stored all the same (group-commit.ts). A single
 * process sets no condition: nothing else writes between its judgement and its commit.
 */
import * as Y from 'yjs';
import { BatchStatus, type BatchSyncEntry, type BatchSyncReplyEntry, type ChangeEntry, CloseCode } from '../../src/lib/protocol/messages';
import { communityDocName, meetingDocName, parseDocName, projectDocName } from '../../src/lib/schema/doc-names';
import { isMeetingDoc, readMeeting } from '../../src/lib/schema/meeting-doc';
import { representativeHouseholds } from '../../src/lib/schema/project-doc';
import { docFromState, type Verdict } from '../../src/lib/schema/record-changes';
import { buildingGrids, gridLookup, type WriteLookup } from '../../src/lib/schema/write-rules';
import type { Access } from '../auth/auth';
import { CredentialBudgets } from './budgets';
import { type CommitEntry, GroupCommit } from './group-commit';
import type { Limits } from './limits';
import type { Logger } from './log';
import { Room, type Subscriber } from './room';
import { StateCache } from './state-cache';
import { type AppendedUpdate, type DocStore, StaleWrite } from '../storage/store';
import { type CommitNote, type Fanout, MAX_INLINE_UPDATE_BYTES } from '../fanout/fanout';
import type { WriteCheck } from './write-guard';
import { checkStateVector, isEmptyStateVector, isEmptyUpdate, updateMessage } from '../transport/y-messages';

/** How long a write or subscription waits for other processes' commits in flight before reading the store. */
const IN_FLIGHT_WAIT_MS = 50;
/** Judgements of one guarded write at most, when other processes' commits keep making the last one stale. */
const MAX_JUDGEMENTS = 4;

/** A write guard said no: `retry` if the update only builds on changes the relay does not hold yet. */
export class GuardRefusal extends Error {
	constructor(
		reason: string,
		readonly retry: boolean
	) {
		super(reason);
		this.name = 'GuardRefusal';
	}
}

/** A budget said no (code 4413 document too large, 4429 write budget spent): the reason is for the client. */
export class LimitRefusal extends Error {
	constructor(
		reason: string,
		readonly code: CloseCode
	) {
		super(reason);
		this.name = 'LimitRefusal';
	}
}

function tooLargeRefusal(doc: string, total: number, max: number): LimitRefusal {
	const kind = parseDocName(doc)?.kind ?? 'document';
	return new LimitRefusal(`too large: ${doc} would hold ${total} bytes, a ${kind} may hold ${max}`, CloseCode.TooLarge);
}

/** What a batch adds to one document, as admitSizes counts it. */
interface SizeTally {
	/** Stored bytes (or, after a merge, the merged size of the stored rows and what was admitted so far). */
	base: number;
	admitted: Uint8Array[];
	/** Bytes admitted since `base` was taken. */
	pendingBytes: number;
	compacted: boolean;
	merges: number;
}

/** Called once a subscriber can be answered: with null while the document has no stored rows, then with its room. */
export type ReadyCallback = (room: Room | null, error: Error | null) => void;

/** Subscribers of a document that has no stored rows; `checked` once the store said so. */
interface Vacancy {
	checked: boolean;
	subscribers: Map<Subscriber, ReadyCallback>;
}

/** A document changed in one committed batch, with the connections whose writes changed it. */
export interface ChangedDoc {
	doc: string;
	seq: number;
	origins: ReadonlySet<unknown>;
}

export interface FeedListener {
	/** Called after each committed batch with the documents it changed (in seq order) and the new head. */
	onChanges(headSeq: number, changed: readonly ChangedDoc[]): void;
}

/** The credential whose write budget a write's origin (a connection) spends; null for the relay's own writes. */
function budgetKeyOf(origin: unknown): string | null {
	const key = (origin as { budgetKey?: unknown } | null)?.budgetKey;
	return typeof key === 'string' && key !== '' ? key : null;
}

/** `done` that first lets the credential's next write start. */
function finishing(finish: () => void, done?: CommitEntry<unknown>['done']): CommitEntry<unknown>['done'] {
	return (error, appended) => {
		finish();
		done?.(error, appended);
	};
}

/** Mirrors kept at most, whatever their size: a Y.Doc costs far more in memory than its encoded bytes. */
const MAX_MIRRORS = 2_000;
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const EMPTY = new Uint8Array(0);
const NO_ORIGINS: ReadonlySet<unknown> = new Set();

export interface ClusterOptions {
	/** How long a gap in the received sequence may stay open before the hub reads the store. Default 100 ms. */
	gapWaitMs?: number;
	/** How often the hub compares its head with the store's (a lost last message is repaired then). Default 1 s. */
	checkEveryMs?: number;
}

export class Hub {
	readonly rooms = new Map<string, Room>();
	/** Told when a document's stored rows cannot be read or merged (storage-health.ts reports it). */
	onUnreadable: (doc: string, error: unknown) => void = () => {};
	/** Subscriptions to documents with no stored rows, by name (see subscribe). */
	readonly vacancies = new Map<string, Vacancy>();
	/** Sockets, subscriptions and write budget per credential, shared by both endpoints. */
	readonly budgets: CredentialBudgets;
	/** Stored bytes per document as of its last commit; a missing entry is read from the store. */
	private readonly sizes = new Map<string, number>();
	/** Documents whose entry in `sizes` is of one merged row: a write past the cap is refused before any work. */
	private readonly exactSizes = new Set<string>();
	private readonly feed = new Set<FeedListener>();
	private readonly commit: GroupCommit<unknown>;
	private readonly cache: StateCache;
	private readonly toCompact = new Set<string>();
	/** The last guarded write of each document, so the next one is judged after it. */
	private readonly guarded = new Map<string, Promise<void>>();
	/** Recently written documents as the write rules judge them (see judge()), least recently used first. */
	private readonly mirrors = new Map<string, Y.Doc>();
	private readonly mirrorSizes = new Map<string, number>();
	/**
	 * Documents whose stored rows are being read again (reloadDocs) after commits this process could not apply
	 * from the fan-out: their loaded room may lack those, so a mirror is built from the store meanwhile.
	 */
	private readonly reloading = new Map<string, number>();
	/** The update a mirror last took from a passed judgement, until it is committed (see committed()). */
	private readonly judgedInMirror = new WeakMap<Y.Doc, Uint8Array>();
	private mirrorTotal = 0;
	/** The write rules' lookup per community, dropped whenever its community document changes. */
	private readonly lookups = new Map<string, WriteLookup>();
	private readonly lookupGenerations = new Map<string, number>();
	private compacting = false;
	private closing = false;
	/** Set by the cluster link (fanout/cluster.ts): told when a room has loaded, to wire its presence. */
	onRoomLoaded: (room: Room) => void = () => {};
	/** The fan-out to the other relay processes, once joinCluster ran. */
	private fanout: Fanout | null = null;
	/** Every sequence up to this one is applied here (with a fan-out; see the file comment). */
	private knownHead = 0;
	/** Sequences above knownHead already applied: a gap below them is what a lost message looks like. */
	private readonly seenAbove = new Set<number>();
	private gapTimer: NodeJS.Timeout | null = null;
	/** Writes and subscriptions waiting for the commits of other processes up to a head (caughtUp). */
	private readonly headWaiters = new Set<{ head: number; resolve(reached: boolean): void }>();
	private checkTimer: NodeJS.Timeout | null = null;
	private catching: Promise<void> | null = null;
	private gapWaitMs = 100;
	/** Subscriptions to a loaded room waiting for the hub to catch up with the store (subscribe). */
	private readonly freshening = new Map<string, Set<Subscriber>>();

	constructor(
		readonly store: DocStore,
		readonly limits: Limits,
		readonly logger: Logger
	) {
		this.cache = new StateCache(limits.stateCacheBytes);
		this.budgets = new CredentialBudgets(limits);
		this.commit = new GroupCommit<unknown>(
			store,
			(batch) => this.committed(batch),
			(e) => logger.warn('commit failed', e),
			(batch) => this.admitSizes(batch)
		);
	}

	get isClosing(): boolean {
		return this.closing;
	}

	// ---- rooms ----

	/** Subscribes `sub` to a document, loading its room if needed; `onReady` fires once it can be answered. */
	join(name: string, sub: Subscriber, onReady: (room: Room, error: Error | null) => void): Room {
		let room = this.rooms.get(name);
		if (!room || room.closed) {
			room = new Room(name);
			this.rooms.set(name, room);
			this.load(room);
		}
		if (room.idleTimer) {
			clearTimeout(room.idleTimer);
			room.idleTimer = null;
		}
		room.add(sub);
		const joined = room;
		room.onReady((error) => onReady(joined, error));
		return room;
	}

	/**
	 * Subscribes an endpoint's client. A document with stored rows is joined as with `join`; one without waits on a
	 * vacancy that holds no room: `onReady(null, null)` once the store confirmed it is empty, and `onReady(room,
	 * null)` again when the first update to it is committed, the room then holding it.
	 */
	subscribe(name: string, sub: Subscriber, onReady: ReadyCallback): void {
		const loaded = this.rooms.get(name);
		if (this.fanout && loaded && !loaded.closed) {
			// A loaded room may still miss a commit whose message is on its way, or lost: catch up first, so that the
			// subscriber's sync answers with everything stored before it asked.
			let waiting = this.freshening.get(name);
			if (!waiting) this.freshening.set(name, (waiting = new Set()));
			waiting.add(sub);
			const set = waiting;
			void this.caughtUp().then(() => {
				if (!set.delete(sub)) return;
				if (set.size === 0 && this.freshening.get(name) === set) this.freshening.delete(name);
				this.subscribeNow(name, sub, onReady);
			});
			return;
		}
		this.subscribeNow(name, sub, onReady);
	}

	private subscribeNow(name: string, sub: Subscriber, onReady: ReadyCallback): void {
		const room = this.rooms.get(name);
		if (room && !room.closed) {
			this.join(name, sub, onReady);
			return;
		}
		let vacancy = this.vacancies.get(name);
		if (!vacancy) {
			vacancy = { checked: false, subscribers: new Map() };
			this.vacancies.set(name, vacancy);
			this.checkVacancy(name, vacancy);
		}
		vacancy.subscribers.set(sub, onReady);
		if (vacancy.checked) onReady(null, null);
	}

	private checkVacancy(name: string, vacancy: Vacancy): void {
		this.store.rowCount(name).then(
			(rows) => {
				// Filled by a commit, or abandoned, meanwhile.
				if (this.vacancies.get(name) !== vacancy) return;
				if (rows > 0) {
					this.fill(name);
					return;
				}
				vacancy.checked = true;
				for (const onReady of [...vacancy.subscribers.values()]) onReady(null, null);
			},
			(error: unknown) => {
				if (this.vacancies.get(name) !== vacancy) return;
				this.logger.warn(`looking up ${name} failed`, error);
				this.vacancies.delete(name);
				const err = error instanceof Error ? error : new Error(String(error));
				for (const onReady of vacancy.subscribers.values()) onReady(null, err);
			}
		);
	}

	/** Moves a vacancy's subscribers into the document's room, which loads what was just stored. */
	private fill(name: string): void {
		const vacancy = this.vacancies.get(name);
		if (!vacancy) return;
		this.vacancies.delete(name);
		for (const [sub, onReady] of vacancy.subscribers) this.join(name, sub, onReady);
	}

	/** Ends a subscription: to `room`, or by document name (a vacancy or the room it moved to). */
	leave(target: Room | string, sub: Subscriber): void {
		let room: Room | undefined;
		if (typeof target === 'string') {
			const freshening = this.freshening.get(target);
			if (freshening?.delete(sub) && freshening.size === 0) this.freshening.delete(target);
			const vacancy = this.vacancies.get(target);
			if (vacancy?.subscribers.delete(sub) && vacancy.subscribers.size === 0) this.vacancies.delete(target);
			room = this.rooms.get(target);
			if (!room?.subscribers.has(sub)) return;
		} else room = target;
		room.remove(sub);
		if (room.subscribers.size === 0 && !room.closed) this.scheduleUnload(room);
	}

	private load(room: Room): void {
		this.store.loadUpdates(room.name).then(
			(updates) => {
				room.loaded(updates);
				if (room.closed) this.logger.warn(`could not load ${room.name}`);
				if (room.failed) this.onUnreadable(room.name, new Error('stored updates could not be applied'));
			},
			(error: unknown) => {
				this.logger.warn(`loading ${room.name} failed`, error);
				this.onUnreadable(room.name, error);
				room.fail(error instanceof Error ? error : new Error(String(error)));
			}
		);
		room.onReady((error) => {
			if (error && this.rooms.get(room.name) === room) this.rooms.delete(room.name);
			else if (!error) this.onRoomLoaded(room);
		});
	}

	private scheduleUnload(room: Room): void {
		if (room.idleTimer) clearTimeout(room.idleTimer);
		room.idleTimer = setTimeout(() => {
			room.idleTimer = null;
			if (room.subscribers.size > 0) return;
			if (!room.ready) {
				room.onReady(() => this.leaveIfIdle(room));
				return;
			}
			this.unload(room);
		}, this.limits.idleUnloadMs);
		room.idleTimer.unref();
	}

	private leaveIfIdle(room: Room): void {
		if (room.subscribers.size === 0 && !room.closed) this.scheduleUnload(room);
	}

	private unload(room: Room): void {
		if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
		room.destroy();
		this.compactSoon(room.name, 2);
	}

	// ---- writes ----

	/**
	 * Queues a validated update for the next group commit. `origin` (the sending connection) gets no broadcast
	 * of its own update and no change-feed entry for it; `done` runs once the update is durable. A connection's
	 * writes take turns per credential (budgets.runWrite), a few at a time until they are judged and queued for
	 * the commit; `scheduled` says this one already has its turn, and that `update` is the hub's own copy.
	 * `unchangedSince` (a judged write, with other relay processes) stores it only if its document has no row
	 * after that seq (storage/store.ts).
	 */
	submit(doc: string, update: Uint8Array, origin: unknown, done?: CommitEntry<unknown>['done'], scheduled = false, unchangedSince?: number): void {
		if (this.closing) {
			done?.(new Error('relay is shutting down'), null);
			return;
		}
		if (this.refusedAsTooLarge(doc, update, done)) return;
		const key = scheduled ? null : budgetKeyOf(origin);
		if (key !== null) {
			const data = update.slice();
			// Its turn ends once it is queued for the commit: a device's writes still share the batches.
			this.budgets.runWrite(key, (finish) => {
				this.submit(doc, data, origin, done, true);
				finish();
			});
			return;
		}
		// Copy: ws hands out views into pooled receive buffers (a scheduled update is the hub's own copy already).
		this.commit.submit({ doc, data: scheduled ? update : update.slice(), origin, done, unchangedSince });
	}

	/**
	 * Resolves when background work (the bridge, the publishers) may take its next step: after the device writes
	 * waiting to be judged or committed, so that a burst of offline work is acknowledged first. It waits at most
	 * `maxWaitMs`, so background work slows under constant writes but never stops.
	 */
	async backgroundTurn(maxWaitMs = 1_000): Promise<void> {
		await new Promise<void>((resolve) => setImmediate(resolve));
		const until = Date.now() + maxWaitMs;
		// Looked at again after 2 ms, then less and less often (at most every 16 ms): under steady writes a waiting
		// bridge would otherwise wake the process 500 times a second for nothing (3 % of the relay's CPU in the
		// fan-out bench's profile).
		for (let pause = 2; !this.closing && (this.budgets.writesUnderway > 0 || this.commit.queued > 0) && Date.now() < until; ) {
			await new Promise<void>((resolve) => setTimeout(resolve, pause));
			pause = Math.min(pause * 2, 16);
		}
	}

	/** Answers `done` with a LimitRefusal, and says so, when `update` surely cannot fit its document's cap. */
	private refusedAsTooLarge(doc: string, update: Uint8Array, done?: CommitEntry<unknown>['done']): boolean {
		const tooLarge = this.surelyTooLarge(doc, update.length);
		if (tooLarge) done?.(tooLarge, null);
		return tooLarge !== null;
	}

	/**
	 * Submits an update that a write guard must pass first (write-guard.ts). The guard judges it against the
	 * durable state (see judge()), so guarded updates to one document are judged one at a time, each after the
	 * one before it is stored. `done` gets a GuardRefusal when the guard says no. With other relay processes the
	 * write is stored only if its document did not move on since it was judged, else judged again (file comment).
	 */
	submitGuarded(
		doc: string,
		update: Uint8Array,
		origin: unknown,
		check: WriteCheck,
		done?: CommitEntry<unknown>['done'],
		scheduled = false
	): void {
		// Refused before it costs a judgement.
		if (this.refusedAsTooLarge(doc, update, done)) return;
		const key = scheduled ? null : budgetKeyOf(origin);
		if (key !== null) {
			const copy = update.slice();
			// Its turn ends once it has been judged (the costly part); storing it is batched with everyone's.
			const judged: WriteCheck = (base, data, lookup) => {
				try {
					return check(base, data, lookup);
				} finally {
					finish();
				}
			};
			let finish = () => {};
			this.budgets.runWrite(key, (end) => {
				finish = end;
				this.submitGuarded(doc, copy, origin, judged, finishing(end, done), true);
			});
			return;
		}
		const data = scheduled ? update : update.slice();
		const run = (this.guarded.get(doc) ?? Promise.resolve()).then(async () => {
			// Every device write to a document passes here one at a time, and the one before resolved only once it
			// was stored and applied to the room: the room (or the store) holds everything it may build on.
			// With other relay processes, what they committed before now is applied first (caughtUp), and the write
			// is stored only if no other process committed to the document since the position it was judged at
			// (a compare-and-set in the store). If one did, the write is judged again on the newer state.
			for (let judgements = 1; ; judgements++) {
				await this.caughtUp();
				const lookup = await this.writeLookup(doc);
				const { verdict, at } = await this.judge(doc, data, check, lookup);
				if (!verdict.ok) {
					// A device sending what the rules refuse is either out of date or tampered with: worth an operator's eye.
					if (!verdict.retry) this.logger.info(`refused a write to ${doc}: ${verdict.reason}`);
					done?.(new GuardRefusal(verdict.reason, verdict.retry), null);
					return;
				}
				const { error, appended } = await new Promise<{ error: Error | null; appended: AppendedUpdate | null }>((resolve) =>
					this.submit(
						doc,
						data,
						origin,
						(error, appended) => {
							// Not stored: the mirror holds what the store does not.
							if (error) this.dropMirror(doc);
							resolve({ error, appended });
						},
						true,
						at ?? undefined
					)
				);
				if (!(error instanceof StaleWrite)) {
					done?.(error, appended);
					return;
				}
				if (judgements >= MAX_JUDGEMENTS) {
					done?.(new GuardRefusal('the document kept changing while this write was judged', true), null);
					return;
				}
			}
		});
		const settled = run.catch((error: unknown) => {
			this.logger.warn(`guarded write to ${doc} failed`, error);
			done?.(error instanceof Error ? error : new Error(String(error)), null);
		});
		this.guarded.set(doc, settled);
		void settled.then(() => {
			if (this.guarded.get(doc) === settled) this.guarded.delete(doc);
		});
	}

	/**
	 * Judges a device's update on the document's mirror (`mirrors`): a Y.Doc the judge applies the update to, so
	 * judging costs what the update changes, not the document's size (live minutes are judged per keystroke, a
	 * device back online pushes many changes to one document). A mirror is built from the room or the store the
	 * first time, kept up to date with every commit, and dropped when an update it took is refused or not stored.
	 * The most recently written documents keep theirs, within limits.mirrorBytes.
	 *
	 * With other relay processes, `at` is the position judged at: knownHead when the check ran. The mirror then
	 * holds every row of the document up to it: it takes every commit applied here as it is applied, and is
	 * dropped when the rows are read again instead (reloadDocs, which also keeps it from being built from a room
	 * still missing them); one built from the store read rows committed before. Null without other processes.
	 */
	private async judge(doc: string, update: Uint8Array, check: WriteCheck, lookup: WriteLookup): Promise<{ verdict: Verdict; at: number | null }> {
		let mirror = this.mirrors.get(doc);
		if (mirror) {
			// Most recently used last.
			this.mirrors.delete(doc);
			this.mirrors.set(doc, mirror);
		} else {
			mirror = new Y.Doc({ guid: doc });
			// In the map before the state is read, so a commit landing meanwhile reaches it too.
			this.mirrors.set(doc, mirror);
			this.mirrorSizes.set(doc, 0);
			try {
				const room = this.rooms.get(doc);
				const state =
					room?.ready && !this.reloading.has(doc) ? Y.encodeStateAsUpdate(room.doc) : ((await this.mergedState(doc))?.update ?? null);
				if (this.mirrors.get(doc) !== mirror) return this.judge(doc, update, check, lookup);
				if (state) Y.applyUpdate(mirror, state);
				this.growMirror(doc, state?.length ?? 0);
			} catch (error) {
				// A mirror that is not the document judges nothing.
				this.dropMirror(doc);
				throw error;
			}
		}
		const at = this.fanout ? this.knownHead : null;
		try {
			const verdict = check(mirror, update, lookup);
			// Counted when the update is committed, which need not apply it to this mirror again.
			if (!verdict.ok) this.dropMirror(doc);
			else this.judgedInMirror.set(mirror, update);
			return { verdict, at };
		} catch (error) {
			// The mirror took an update that was never judged: sent again, it would look like nothing new.
			this.dropMirror(doc);
			this.logger.warn(`judging a write to ${doc} failed`, error);
			return { verdict: { ok: false, reason: 'the change could not be judged', retry: false }, at };
		}
	}

	/** Counts `bytes` more into a mirror's size, then drops the least recently used ones beyond the budget. */
	private growMirror(doc: string, bytes: number): void {
		if (!this.mirrors.has(doc)) return;
		this.mirrorSizes.set(doc, (this.mirrorSizes.get(doc) ?? 0) + bytes);
		this.mirrorTotal += bytes;
		for (const oldest of this.mirrors.keys()) {
			if ((this.mirrorTotal <= this.limits.mirrorBytes && this.mirrors.size <= MAX_MIRRORS) || oldest === doc) break;
			this.dropMirror(oldest);
		}
	}

	private dropMirror(doc: string): void {
		this.mirrors.get(doc)?.destroy();
		this.mirrors.delete(doc);
		this.mirrorTotal -= this.mirrorSizes.get(doc) ?? 0;
		this.mirrorSizes.delete(doc);
	}

	/**
	 * What the write rules look up beyond the document: the grid of each building, from the community document;
	 * for a participation document the households its project chose to sign, and for a minutes document its
	 * meeting's date (read afresh from the companion document: rare writes).
	 */
	private async writeLookup(doc: string): Promise<WriteLookup> {
		const ref = parseDocName(doc);
		const lookup = await this.gridsLookup(doc);
		const gridOf = (household: string) => lookup.gridOf(household);
		if (ref?.kind === 'participation') {
			const representatives = await this.readCompanion(projectDocName(ref.community, ref.id), representativeHouseholds);
			return { gridOf, representatives };
		}
		if (ref?.kind === 'minutes') {
			const meeting = await this.readCompanion(meetingDocName(ref.community, ref.id), (d) => {
				if (!d || !isMeetingDoc(d)) return null;
				const m = readMeeting(d);
				return { startsAt: m.startsAt, recurrence: m.recurrence };
			});
			return { gridOf, meeting };
		}
		return lookup;
	}

	/** Reads another document for the write rules: from its room when loaded, else from storage (null if unreadable). */
	private async readCompanion<T>(name: string, read: (doc: Y.Doc | null) => T): Promise<T> {
		const room = this.rooms.get(name);
		if (room?.ready) return read(room.doc);
		const state = await this.mergedState(name).catch((error: unknown) => {
			this.logger.warn(`reading ${name} for the write rules failed`, error);
			return null;
		});
		const base = docFromState(state?.update ?? null);
		try {
			return read(base);
		} finally {
			base?.destroy();
		}
	}

	private async gridsLookup(doc: string): Promise<WriteLookup> {
		const community = parseDocName(doc)?.community;
		if (!community) return gridLookup(new Map());
		const cached = this.lookups.get(community);
		if (cached) return cached;
		const generation = this.lookupGenerations.get(community) ?? 0;
		const name = communityDocName(community);
		const room = this.rooms.get(name);
		let grids: Map<string, string>;
		if (room?.ready) grids = buildingGrids(room.doc);
		else {
			const state = await this.mergedState(name).catch((error: unknown) => {
				// A damaged community document must not stop every write: grid checks then find no building.
				this.logger.warn(`reading ${name} for the write rules failed`, error);
				return null;
			});
			const base = docFromState(state?.update ?? null);
			grids = buildingGrids(base);
			base?.destroy();
		}
		const lookup = gridLookup(grids);
		// Not kept if the community document changed while it was read.
		if ((this.lookupGenerations.get(community) ?? 0) === generation) {
			if (this.lookups.size > 1_000) this.lookups.clear();
			this.lookups.set(community, lookup);
		}
		return lookup;
	}

	private committed(batch: ReadonlyArray<{ entry: CommitEntry<unknown>; appended: AppendedUpdate }>): void {
		if (this.fanout) this.publishCommitted(batch);
		const changed = new Map<string, { doc: string; seq: number; origins: Set<unknown> }>();
		let head = 0;
		for (const { entry, appended } of batch) {
			this.cache.invalidate(entry.doc);
			const ref = parseDocName(entry.doc);
			if (ref?.kind === 'community') {
				this.lookups.delete(ref.community);
				this.lookupGenerations.set(ref.community, (this.lookupGenerations.get(ref.community) ?? 0) + 1);
			}
			head = Math.max(head, appended.seq);
			const c = changed.get(entry.doc) ?? { doc: entry.doc, seq: 0, origins: new Set<unknown>() };
			c.seq = appended.seq;
			c.origins.add(entry.origin);
			changed.set(entry.doc, c);
			if (appended.rows > this.limits.compactThreshold) this.compactSoon(entry.doc, appended.rows);
			if (typeof appended.bytes === 'number') {
				if (this.sizes.size > 50_000) {
					this.sizes.clear();
					this.exactSizes.clear();
				}
				this.sizes.set(entry.doc, appended.bytes);
				if (appended.rows === 1) this.exactSizes.add(entry.doc);
				else this.exactSizes.delete(entry.doc);
			}
			// The mirror holds a judged update already; one the relay wrote itself reaches it here.
			const mirror = this.mirrors.get(entry.doc);
			if (mirror) {
				try {
					// Guarded writes to a document are judged one at a time, each committed before the next is judged:
					// the same bytes as this mirror's last judged update are in it already (applying them again cost
					// a whole decode per write and changed nothing).
					const judged = this.judgedInMirror.get(mirror);
					this.judgedInMirror.delete(mirror);
					if (!judged || (judged !== entry.data && !Buffer.from(judged.buffer, judged.byteOffset, judged.byteLength).equals(entry.data))) {
						Y.applyUpdate(mirror, entry.data);
					}
					this.growMirror(entry.doc, entry.data.length);
				} catch (error) {
					this.logger.warn(`applying a committed update to the mirror of ${entry.doc} failed`, error);
					this.dropMirror(entry.doc);
				}
			}
			const room = this.rooms.get(entry.doc);
			if (!room || room.closed) continue;
			try {
				room.applyCommitted(entry.data, entry.origin);
			} catch (error) {
				// Stored already; a bad update must not take the room down for everyone.
				this.logger.warn(`applying a committed update to ${entry.doc} failed`, error);
				continue;
			}
			if (room.ready) room.broadcast(updateMessage(entry.data), entry.origin);
		}
		// Documents that exist from this batch on: their waiting subscribers get a room.
		for (const doc of changed.keys()) if (this.vacancies.has(doc)) this.fill(doc);
		const list = [...changed.values()].sort((a, b) => a.seq - b.seq);
		for (const listener of this.feed) {
			try {
				listener.onChanges(head, list);
			} catch (error) {
				this.logger.warn('change feed listener failed', error);
			}
		}
	}

	// ---- several relay processes (fanout/fanout.ts) ----

	/**
	 * Joins the other relay processes on the same store: from now on what this hub commits is published, and what
	 * they commit arrives through `remoteCommits` (the cluster link, fanout/cluster.ts, subscribes it).
	 */
	async joinCluster(fanout: Fanout, options: ClusterOptions = {}): Promise<void> {
		this.knownHead = await this.store.headSeq();
		this.fanout = fanout;
		this.gapWaitMs = options.gapWaitMs ?? 100;
		const every = options.checkEveryMs ?? 1_000;
		if (every > 0) {
			this.checkTimer = setInterval(() => void this.caughtUp(), every);
			this.checkTimer.unref();
		}
	}

	/** The sequence up to which every commit, by any process, is applied here. */
	get appliedHead(): number {
		return this.knownHead;
	}

	private publishCommitted(batch: ReadonlyArray<{ entry: CommitEntry<unknown>; appended: AppendedUpdate }>): void {
		const notes: CommitNote[] = [];
		for (const { entry, appended } of batch) {
			notes.push({ doc: entry.doc, seq: appended.seq, data: entry.data.length > MAX_INLINE_UPDATE_BYTES ? null : entry.data });
			this.noteApplied(appended.seq);
		}
		this.watchGap();
		// Durable already: a lost message is repaired by the others from the store.
		this.fanout?.publishCommits(notes).catch((error: unknown) => this.logger.warn('publishing commits failed', error));
	}

	/** Updates another process committed: applied as committed() applies this one's, without acks. */
	remoteCommits(entries: readonly CommitNote[]): void {
		if (!this.fanout || this.closing) return;
		const changed = new Map<string, ChangedDoc>();
		const refetch: string[] = [];
		let head = 0;
		for (const { doc, seq, data } of entries) {
			if (seq <= this.knownHead || this.seenAbove.has(seq)) continue;
			this.noteApplied(seq);
			head = Math.max(head, seq);
			changed.set(doc, { doc, seq, origins: NO_ORIGINS });
			this.forgetDerived(doc);
			if (data === null) {
				refetch.push(doc);
				continue;
			}
			const mirror = this.mirrors.get(doc);
			if (mirror) {
				try {
					Y.applyUpdate(mirror, data);
					this.growMirror(doc, data.length);
				} catch {
					this.dropMirror(doc);
				}
			}
			const room = this.rooms.get(doc);
			if (!room || room.closed) continue;
			try {
				room.applyCommitted(data, null);
			} catch (error) {
				this.logger.warn(`applying a remote update to ${doc} failed`, error);
				continue;
			}
			if (room.ready) room.broadcast(updateMessage(data), null);
		}
		if (refetch.length > 0) void this.reloadDocs(refetch);
		// Documents that exist from these commits on: their waiting subscribers get a room (loaded from the store).
		for (const doc of changed.keys()) if (this.vacancies.has(doc)) this.fill(doc);
		this.announce(head, [...changed.values()]);
		this.watchGap();
	}

	/**
	 * Resolves once everything the store held when it was called is applied here (at once without a fan-out). A
	 * failing store is logged, not thrown: what asked then answers from what it has, as a single process would.
	 */
	async caughtUp(): Promise<void> {
		if (!this.fanout || this.closing) return;
		try {
			const head = await this.store.headSeq();
			if (this.knownHead >= head) return;
			// What other processes committed is normally on its way through the fan-out already (a millisecond or
			// two): wait for it as for a gap, and read the store only if it does not come. Reading the store at
			// every write that raced another process's commit would reload documents at every write under load.
			if (await this.headReached(head, Math.min(this.gapWaitMs, IN_FLIGHT_WAIT_MS))) return;
			// A catch-up already running may have read an older head: run again until this one is covered.
			for (let i = 0; i < 3 && this.knownHead < head && !this.closing; i++) await this.catchUp();
		} catch (error) {
			this.logger.warn('catching up with the store failed', error);
		}
	}

	/** Resolves true once knownHead reaches `head` (commits applied from the fan-out), false after `timeoutMs`. */
	private headReached(head: number, timeoutMs: number): Promise<boolean> {
		return new Promise((resolve) => {
			const waiter = {
				head,
				resolve: (reached: boolean) => {
					clearTimeout(timer);
					this.headWaiters.delete(waiter);
					resolve(reached);
				}
			};
			const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
			this.headWaiters.add(waiter);
		});
	}

	/** Reads what changed since knownHead from the store and applies it (one run at a time). */
	catchUp(): Promise<void> {
		this.catching ??= this.runCatchUp().finally(() => {
			this.catching = null;
		});
		return this.catching;
	}

	private async runCatchUp(): Promise<void> {
		// The head is read first: everything up to it has committed (the store hands out sequences in commit
		// order), so the listing that follows holds all of it, whatever the listing's own notion of the head.
		const target = await this.store.headSeq();
		let from = this.knownHead;
		const pageSize = this.limits.changesPageSize;
		while (from < target && !this.closing) {
			const page = await this.store.changesSince(from, pageSize);
			// Each document is listed once, at its last write: one seen already may still lack an earlier, lost one.
			const fresh = page.entries;
			for (const e of fresh) this.forgetDerived(e.doc);
			await this.reloadDocs(fresh.map((e) => e.doc));
			this.announce(
				fresh.reduce((m, e) => Math.max(m, e.seq), 0),
				fresh.map((e) => ({ doc: e.doc, seq: e.seq, origins: NO_ORIGINS }))
			);
			const last = page.entries.at(-1);
			if (!last || page.entries.length < pageSize) break;
			from = last.seq;
		}
		if (target > this.knownHead) {
			this.knownHead = target;
			for (const seq of this.seenAbove) if (seq <= target) this.seenAbove.delete(seq);
			this.noteApplied(this.knownHead);
		}
	}

	/** Marks `seq` applied and moves knownHead over every sequence now contiguous. */
	private noteApplied(seq: number): void {
		if (seq > this.knownHead) this.seenAbove.add(seq);
		while (this.seenAbove.delete(this.knownHead + 1)) this.knownHead++;
		for (const waiter of this.headWaiters) if (waiter.head <= this.knownHead) waiter.resolve(true);
		if (this.seenAbove.size === 0 && this.gapTimer) {
			clearTimeout(this.gapTimer);
			this.gapTimer = null;
		}
	}

	/** A gap that stays open past gapWaitMs is a lost (or very late) message: read the store. */
	private watchGap(): void {
		if (this.seenAbove.size === 0 || this.gapTimer) return;
		this.gapTimer = setTimeout(() => {
			this.gapTimer = null;
			if (this.seenAbove.size > 0) void this.catchUp().catch((error: unknown) => this.logger.warn('repairing a gap failed', error));
		}, this.gapWaitMs);
		this.gapTimer.unref();
	}

	/** Drops what this process derived from a document another process changed (it is read again when needed). */
	private forgetDerived(doc: string): void {
		this.cache.invalidate(doc);
		this.sizes.delete(doc);
		this.exactSizes.delete(doc);
		const ref = parseDocName(doc);
		if (ref?.kind === 'community') {
			this.lookups.delete(ref.community);
			this.lookupGenerations.set(ref.community, (this.lookupGenerations.get(ref.community) ?? 0) + 1);
		}
	}

	/**
	 * Brings loaded rooms and mirrors of `docs` up to their stored rows; a room's subscribers get what it lacked.
	 * Vacancies among them get their room.
	 */
	private async reloadDocs(docs: readonly string[]): Promise<void> {
		// All at once, before the first read: a mirror or a room of these documents lacks what is being read.
		for (const doc of docs) {
			this.dropMirror(doc);
			this.reloading.set(doc, (this.reloading.get(doc) ?? 0) + 1);
		}
		for (const doc of docs) {
			try {
				await this.reloadDoc(doc);
			} finally {
				// A mirror built from the room meanwhile may lack what the room got only now.
				this.dropMirror(doc);
				const n = (this.reloading.get(doc) ?? 1) - 1;
				if (n > 0) this.reloading.set(doc, n);
				else this.reloading.delete(doc);
			}
		}
	}

	private async reloadDoc(doc: string): Promise<void> {
		if (this.vacancies.has(doc)) this.fill(doc);
		const room = this.rooms.get(doc);
		if (!room || room.closed) return;
		let rows: Uint8Array[];
		try {
			rows = await this.store.loadUpdates(doc);
		} catch (error) {
			this.logger.warn(`reloading ${doc} failed`, error);
			return;
		}
		if (room.closed || rows.length === 0) return;
		const stored = rows.length === 1 ? (rows[0] as Uint8Array) : Y.mergeUpdates(rows);
		try {
			if (!room.ready) {
				room.applyCommitted(stored, null);
				return;
			}
			const before = Y.encodeStateVector(room.doc);
			room.applyCommitted(stored, null);
			const missed = Y.encodeStateAsUpdate(room.doc, before);
			if (!isEmptyUpdate(missed)) room.broadcast(updateMessage(missed), null);
		} catch (error) {
			this.logger.warn(`applying the stored state of ${doc} failed`, error);
		}
	}

	/** Tells the change feed's listeners about documents another process changed. */
	private announce(head: number, changed: ChangedDoc[]): void {
		if (changed.length === 0) return;
		changed.sort((a, b) => a.seq - b.seq);
		for (const listener of this.feed) {
			try {
				listener.onChanges(head, changed);
			} catch (error) {
				this.logger.warn('change feed listener failed', error);
			}
		}
	}

	/** A refusal for an update that cannot fit even into the document's merged size, known without any work. */
	private surelyTooLarge(doc: string, bytes: number): LimitRefusal | null {
		const max = this.maxDocBytes(doc);
		const size = this.exactSizes.has(doc) ? (this.sizes.get(doc) ?? 0) : 0;
		return size + bytes <= max ? null : tooLargeRefusal(doc, size + bytes, max);
	}

	/** The per-kind size cap of a document (limits.maxDocBytes). */
	maxDocBytes(doc: string): number {
		const kind = parseDocName(doc)?.kind;
		return (kind && this.limits.maxDocBytes[kind]) || Infinity;
	}

	/**
	 * The size cap, judged per batch just before it is written: an update that would take its document past its
	 * kind's cap is refused. Sizes come from the last commit (or one indexed read) plus what this batch adds. Raw
	 * rows overstate a document's size, so before refusing, its stored rows are compacted (once per batch) and
	 * the updates this batch adds to it are merged with them, when they amount to enough (an eighth of the cap)
	 * to be worth it, at most twice per document and batch.
	 */
	private async admitSizes(batch: readonly CommitEntry<unknown>[]): Promise<Array<Error | null>> {
		const docs = new Map<string, SizeTally>();
		const verdicts: Array<Error | null> = [];
		for (const { doc, data } of batch) {
			try {
				verdicts.push(await this.admitSize(docs, doc, data));
			} catch (error) {
				// One document whose size cannot be read fails alone, not everyone's writes in the batch.
				this.logger.warn(`checking the size of ${doc} failed`, error);
				verdicts.push(error instanceof Error ? error : new Error(String(error)));
			}
		}
		return verdicts;
	}

	private async admitSize(docs: Map<string, SizeTally>, doc: string, data: Uint8Array): Promise<Error | null> {
		const max = this.maxDocBytes(doc);
		if (max === Infinity) return null;
		let d = docs.get(doc);
		if (!d) {
			d = { base: this.sizes.get(doc) ?? (await this.store.docBytes(doc)), admitted: [], pendingBytes: 0, compacted: false, merges: 0 };
			docs.set(doc, d);
		}
		if (d.base + d.pendingBytes + data.length > max && !d.compacted) {
			d.compacted = true;
			if ((await this.store.rowCount(doc)) > 1) {
				await this.store.compact(doc);
				d.base = await this.store.docBytes(doc);
				this.sizes.set(doc, d.base);
				this.exactSizes.add(doc);
			}
		}
		if (d.base + d.pendingBytes + data.length > max && d.pendingBytes >= max / 8 && d.merges < 2) {
			d.merges++;
			const merged = Y.mergeUpdates([...(await this.store.loadUpdates(doc)), ...d.admitted, data]).length;
			if (merged <= max) {
				// The merged size stands for the stored rows and everything admitted so far, this update included.
				d.base = merged;
				d.admitted.push(data);
				d.pendingBytes = 0;
				return null;
			}
		}
		const total = d.base + d.pendingBytes + data.length;
		if (total > max) return tooLargeRefusal(doc, total, max);
		d.admitted.push(data);
		d.pendingBytes += data.length;
		return null;
	}

	/** Resolves once every submitted update is durable. */
	flush(): Promise<void> {
		return this.commit.flush();
	}

	// ---- compaction ----

	private compactSoon(doc: string, rows: number): void {
		if (rows <= 1) return;
		this.toCompact.add(doc);
		if (this.compacting) return;
		this.compacting = true;
		setImmediate(() => void this.runCompactions());
	}

	private async runCompactions(): Promise<void> {
		try {
			for (const doc of this.toCompact) {
				this.toCompact.delete(doc);
				if (this.closing) break;
				try {
					if ((await this.store.rowCount(doc)) > 1) await this.store.compact(doc);
					// Merged rows are smaller: read the size afresh on the next write.
					this.sizes.delete(doc);
					this.exactSizes.delete(doc);
				} catch (error) {
					this.logger.warn(`compacting ${doc} failed`, error);
				}
			}
		} finally {
			this.compacting = false;
			if (this.toCompact.size > 0 && !this.closing) this.compactSoon([...this.toCompact][0] as string, 2);
		}
	}

	// ---- reads ----

	/** One BatchSyncReply entry. Throws ProtocolError for a malformed state vector. */
	async syncEntry(entry: BatchSyncEntry, access: Access): Promise<BatchSyncReplyEntry> {
		const { doc, stateVector } = entry;
		if (!parseDocName(doc) || access === 'none') {
			return { doc, status: BatchStatus.Forbidden, diff: EMPTY, serverStateVector: EMPTY };
		}
		checkStateVector(stateVector);
		const okStatus = access === 'read' ? BatchStatus.ReadOnly : BatchStatus.Ok;
		const room = this.rooms.get(doc);
		if (room?.ready) {
			const serverStateVector = Y.encodeStateVector(room.doc);
			if (isEmptyStateVector(serverStateVector)) return this.missing(doc, access);
			return { doc, status: okStatus, diff: Y.encodeStateAsUpdate(room.doc, stateVector), serverStateVector };
		}
		// A document whose stored rows cannot be read or merged fails alone: the rest of the batch is answered.
		try {
			const state = await this.mergedState(doc);
			if (!state) return this.missing(doc, access);
			const diff = isEmptyStateVector(stateVector) ? state.update : Y.diffUpdate(state.update, stateVector);
			return { doc, status: okStatus, diff, serverStateVector: state.stateVector };
		} catch (error) {
			this.logger.warn(`reading ${doc} failed`, error);
			this.onUnreadable(doc, error);
			return { doc, status: BatchStatus.Unavailable, diff: EMPTY, serverStateVector: EMPTY_STATE_VECTOR };
		}
	}

	private missing(doc: string, access: Access): BatchSyncReplyEntry {
		const status = access === 'read' ? BatchStatus.ReadOnly : BatchStatus.Missing;
		return { doc, status, diff: EMPTY, serverStateVector: EMPTY_STATE_VECTOR };
	}

	/** A document's whole stored state as one update, without instantiating a Y.Doc. */
	private async mergedState(doc: string) {
		const cached = this.cache.get(doc);
		if (cached) return cached;
		const version = this.cache.version(doc);
		const rows = await this.store.loadUpdates(doc);
		if (rows.length === 0) return null;
		const update = rows.length === 1 ? (rows[0] as Uint8Array) : Y.mergeUpdates(rows);
		const state = { update, stateVector: Y.encodeStateVectorFromUpdate(update) };
		this.cache.set(doc, state, version);
		return state;
	}

	/**
	 * Documents changed after `sinceSeq`, at most `changesPageSize` visible ones, in seq order. `headSeq` is the
	 * cursor to ask from next: the relay's head when the listing is complete, else the seq of the last entry.
	 */
	async listChanges(sinceSeq: number, visible: (doc: string) => boolean): Promise<{ headSeq: number; entries: ChangeEntry[] }> {
		const pageSize = this.limits.changesPageSize;
		const entries: ChangeEntry[] = [];
		let cursor = sinceSeq;
		for (;;) {
			const page = await this.store.changesSince(cursor, pageSize);
			for (const entry of page.entries) {
				cursor = entry.seq;
				if (!visible(entry.doc)) continue;
				entries.push(entry);
				if (entries.length === pageSize) {
					return { headSeq: entry.seq === page.headSeq ? page.headSeq : entry.seq, entries };
				}
			}
			if (page.entries.length < pageSize) return { headSeq: Math.max(page.headSeq, sinceSeq), entries };
		}
	}

	addFeedListener(listener: FeedListener): void {
		this.feed.add(listener);
	}

	removeFeedListener(listener: FeedListener): void {
		this.feed.delete(listener);
	}

	async stats(): Promise<{ headSeq: number; docs: number; rooms: number }> {
		return { headSeq: await this.store.headSeq(), docs: await this.store.docCount(), rooms: this.rooms.size };
	}

	/** Stops accepting writes after flushing what was submitted, and unloads every room. */
	async close(): Promise<void> {
		await this.commit.flush();
		this.closing = true;
		if (this.gapTimer) clearTimeout(this.gapTimer);
		if (this.checkTimer) clearInterval(this.checkTimer);
		this.gapTimer = this.checkTimer = null;
		this.fanout = null;
		this.freshening.clear();
		await this.commit.flush();
		for (const room of this.rooms.values()) room.destroy();
		this.rooms.clear();
		for (const doc of [...this.mirrors.keys()]) this.dropMirror(doc);
		this.vacancies.clear();
	}
}
