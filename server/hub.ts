/**
 * The relay's core, shared by both endpoints: rooms (lazy load, idle unload), the durable write path and the
 * change feed.
 *
 * Write path: an endpoint validates an update (y-messages.checkUpdate) and submits it; the group commit stores
 * the batch in one transaction; then, per update and in commit order, the hub applies it to the loaded room,
 * broadcasts it to the room's other subscribers, and finally calls `done` (which sends an Ack). After the batch,
 * every change-feed listener learns which documents changed. Nothing is visible to anyone before it is durable.
 */
import * as Y from 'yjs';
import { BatchStatus, type BatchSyncEntry, type BatchSyncReplyEntry, type ChangeEntry } from '../src/lib/protocol/messages';
import { parseDocName } from '../src/lib/schema/doc-names';
import type { Access } from './auth';
import { type CommitEntry, GroupCommit } from './group-commit';
import type { Limits } from './limits';
import type { Logger } from './log';
import { Room, type Subscriber } from './room';
import { StateCache } from './state-cache';
import type { AppendedUpdate, DocStore } from './store';
import type { WriteCheck } from './write-guard';
import { checkStateVector, isEmptyStateVector, updateMessage } from './y-messages';

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

const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const EMPTY = new Uint8Array(0);

export class Hub {
	readonly rooms = new Map<string, Room>();
	private readonly feed = new Set<FeedListener>();
	private readonly commit: GroupCommit<unknown>;
	private readonly cache: StateCache;
	private readonly toCompact = new Set<string>();
	/** The last guarded write of each document, so the next one is judged after it. */
	private readonly guarded = new Map<string, Promise<void>>();
	private compacting = false;
	private closing = false;

	constructor(
		readonly store: DocStore,
		readonly limits: Limits,
		readonly logger: Logger
	) {
		this.cache = new StateCache(limits.stateCacheBytes);
		this.commit = new GroupCommit<unknown>(store, (batch) => this.committed(batch), (e) => logger.warn('commit failed', e));
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

	leave(room: Room, sub: Subscriber): void {
		room.remove(sub);
		if (room.subscribers.size === 0 && !room.closed) this.scheduleUnload(room);
	}

	private load(room: Room): void {
		this.store.loadUpdates(room.name).then(
			(updates) => {
				room.loaded(updates);
				if (room.closed) this.logger.warn(`could not load ${room.name}`);
			},
			(error: unknown) => {
				this.logger.warn(`loading ${room.name} failed`, error);
				room.fail(error instanceof Error ? error : new Error(String(error)));
			}
		);
		room.onReady((error) => {
			if (error && this.rooms.get(room.name) === room) this.rooms.delete(room.name);
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
	 * of its own update and no change-feed entry for it; `done` runs once the update is durable.
	 */
	submit(doc: string, update: Uint8Array, origin: unknown, done?: CommitEntry<unknown>['done']): void {
		if (this.closing) {
			done?.(new Error('relay is shutting down'), null);
			return;
		}
		// Copy: ws hands out views into pooled receive buffers.
		this.commit.submit({ doc, data: update.slice(), origin, done });
	}

	/**
	 * Submits an update that a write guard must pass first (write-guard.ts). The guard judges it against the
	 * durable state, so guarded updates to one document are judged one at a time, each after everything
	 * submitted before it is stored. `done` gets a GuardRefusal when the guard says no.
	 */
	submitGuarded(doc: string, update: Uint8Array, origin: unknown, check: WriteCheck, done?: CommitEntry<unknown>['done']): void {
		const data = update.slice();
		const run = (this.guarded.get(doc) ?? Promise.resolve()).then(async () => {
			await this.flush();
			const room = this.rooms.get(doc);
			const state = room?.ready ? Y.encodeStateAsUpdate(room.doc) : ((await this.mergedState(doc))?.update ?? null);
			const verdict = check(state, data);
			if (!verdict.ok) {
				done?.(new GuardRefusal(verdict.reason, verdict.retry), null);
				return;
			}
			await new Promise<void>((resolve) =>
				this.submit(doc, data, origin, (error, appended) => {
					done?.(error, appended);
					resolve();
				})
			);
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

	private committed(batch: ReadonlyArray<{ entry: CommitEntry<unknown>; appended: AppendedUpdate }>): void {
		const changed = new Map<string, { doc: string; seq: number; origins: Set<unknown> }>();
		let head = 0;
		for (const { entry, appended } of batch) {
			this.cache.invalidate(entry.doc);
			head = Math.max(head, appended.seq);
			const c = changed.get(entry.doc) ?? { doc: entry.doc, seq: 0, origins: new Set<unknown>() };
			c.seq = appended.seq;
			c.origins.add(entry.origin);
			changed.set(entry.doc, c);
			if (appended.rows > this.limits.compactThreshold) this.compactSoon(entry.doc, appended.rows);
			const room = this.rooms.get(entry.doc);
			if (!room || room.closed) continue;
			try {
				room.applyCommitted(entry.data);
			} catch (error) {
				// Stored already; a bad update must not take the room down for everyone.
				this.logger.warn(`applying a committed update to ${entry.doc} failed`, error);
				continue;
			}
			if (room.ready) room.broadcast(updateMessage(entry.data), entry.origin);
		}
		const list = [...changed.values()].sort((a, b) => a.seq - b.seq);
		for (const listener of this.feed) {
			try {
				listener.onChanges(head, list);
			} catch (error) {
				this.logger.warn('change feed listener failed', error);
			}
		}
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
		const state = await this.mergedState(doc);
		if (!state) return this.missing(doc, access);
		const diff = isEmptyStateVector(stateVector) ? state.update : Y.diffUpdate(state.update, stateVector);
		return { doc, status: okStatus, diff, serverStateVector: state.stateVector };
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
		await this.commit.flush();
		for (const room of this.rooms.values()) room.destroy();
		this.rooms.clear();
	}
}
