/**
 * What the relay's per-community publishers share (reports, the points board, the rooms calendar): they follow the hub's
 * change feed, remember which of a community's documents changed, and recompute that community's published
 * document once its documents have been quiet for `debounceMs` (at most `maxWaitMs` after the first change), so
 * a device pushing a day of offline work is served before anything is recomputed. One community is recomputed
 * at a time, reading stored documents one by one with a turn of the event loop between them: device writes
 * arriving meanwhile go first. On start, after `startDelayMs` (the reconnecting devices first), the stored
 * documents are listed once, names only. A failed recomputation (a storage fault) is tried again later; nothing
 * noted is forgotten.
 *
 * A publisher says which documents feed it (`noteDoc`), when a community needs recomputing (`isDirty`) and how
 * to recompute it (`publish`); its own writes carry `origin`, so they do not wake it again. One with work of its
 * own to run in the same one-at-a-time loop (the reports' corrections) offers it through `nextTask`, and `idle`
 * tells it when the loop has nothing left.
 */
import type * as Y from 'yjs';
import { docFromState } from '../../src/lib/schema/record-changes';
import type { ChangedDoc, FeedListener, Hub } from '../core/hub';
import type { Logger } from '../core/log';
import { RelayDocs } from '../core/relay-docs';
import { storedState } from './photo-gc';

export interface CommunityPublisherOptions {
	hub: Hub;
	logger: Logger;
	now?: () => number;
	/** Quiet time after a community's last change before it is recomputed. Default 1 s. */
	debounceMs?: number;
	/** Longest a stream of changes holds a recomputation back. Default 10 s. */
	maxWaitMs?: number;
	/** List the stored documents on start. Default true. */
	scan?: boolean;
	/** Wait before that listing (and before publishing anything); changes meanwhile are remembered. */
	startDelayMs?: number;
}

const SCAN_PAGE = 10_000;

/** A publisher following the hub's change feed, and how to stop it. */
export interface AttachedPublisher<P> {
	publisher: P;
	/** Stops the publisher (timers, feed) and waits for a recomputation in progress. */
	close(): Promise<void>;
}

/**
 * Puts `publisher` on the hub's change feed and starts it: with the listing of the stored documents unless
 * `scan` is false, after `startDelayMs` (else `defaultStartDelayMs`).
 */
export function attachPublisher<P extends FeedListener & { start(scan: boolean, delayMs: number): void; close(): Promise<void> }>(
	publisher: P,
	options: { hub: Hub; scan?: boolean; startDelayMs?: number },
	defaultStartDelayMs: number
): AttachedPublisher<P> {
	options.hub.addFeedListener(publisher);
	publisher.start(options.scan !== false, options.startDelayMs ?? defaultStartDelayMs);
	return {
		publisher,
		close: async () => {
			options.hub.removeFeedListener(publisher);
			await publisher.close();
		}
	};
}
/** A failed recomputation (a storage fault) is tried again after this. */
const RETRY_MS = 30_000;

export abstract class CommunityPublisher<S> implements FeedListener {
	protected readonly communities = new Map<string, S>();
	/** Community → its debounce timer and when its first waiting change came. */
	private readonly pending = new Map<string, { timer: NodeJS.Timeout; first: number }>();
	/** Communities waiting for a recomputation, in order. */
	private readonly queue = new Set<string>();
	protected readonly hub: Hub;
	/** Where the publisher writes what it publishes (with `origin`). */
	protected readonly docs: RelayDocs;
	protected readonly logger: Logger;
	protected readonly now: () => number;
	private readonly debounceMs: number;
	private readonly maxWaitMs: number;
	/** Until the start (and its listing of the stored documents), changes are only remembered. */
	protected starting = true;
	private running: Promise<void> | null = null;
	private startTimer: NodeJS.Timeout | null = null;
	private retryTimer: NodeJS.Timeout | null = null;
	private readonly retrying = new Set<string>();
	protected closed = false;

	/** What is published, for log lines ("the points board"). */
	protected abstract readonly label: string;
	/** The origin of the publisher's own writes. */
	protected abstract readonly origin: symbol;
	protected abstract newState(community: string): S;
	/**
	 * Notes a changed (or, on start, `listed`) document in its community's state, with the commit sequence that
	 * changed it; returns the community, or null when the document feeds nothing here.
	 */
	protected abstract noteDoc(doc: string, seq: number, listed: boolean): string | null;
	protected abstract isDirty(state: S): boolean;
	protected abstract publish(community: string, state: S): Promise<void>;
	/** True while the publisher has work of its own waiting (see nextTask). */
	protected hasTask(): boolean {
		return false;
	}
	/** Work of the publisher's own, run in the loop before the next community (none by default). */
	protected nextTask(): (() => Promise<void>) | null {
		return null;
	}
	/** Called when the loop has run dry. */
	protected idle(): void {}

	constructor(options: CommunityPublisherOptions) {
		this.hub = options.hub;
		this.docs = new RelayDocs(options.hub);
		this.logger = options.logger;
		this.now = options.now ?? Date.now;
		this.debounceMs = Math.max(0, options.debounceMs ?? 1_000);
		this.maxWaitMs = Math.max(this.debounceMs, options.maxWaitMs ?? 10_000);
	}

	onChanges(_headSeq: number, changed: readonly ChangedDoc[]): void {
		if (this.closed) return;
		const touched = new Set<string>();
		for (const c of changed) {
			if (c.origins.size === 1 && c.origins.has(this.origin)) continue;
			const community = this.noteDoc(c.doc, c.seq, false);
			if (community !== null) touched.add(community);
		}
		for (const community of touched) this.schedule(community);
	}

	/** Begins after `delayMs`: with the listing of the stored documents, or from the change feed alone. */
	start(scan: boolean, delayMs: number): void {
		const begin = () => (scan ? void this.scan() : this.begin());
		if (delayMs <= 0) return begin();
		this.startTimer = setTimeout(begin, delayMs);
		this.startTimer.unref();
	}

	/** Lists the stored documents once (names only), then publishes every community that has any. */
	private async scan(): Promise<void> {
		try {
			let cursor = 0;
			for (;;) {
				const page = await this.hub.store.changesSince(cursor, SCAN_PAGE);
				for (const entry of page.entries) {
					cursor = entry.seq;
					this.noteDoc(entry.doc, entry.seq, true);
				}
				if (page.entries.length < SCAN_PAGE || this.closed) break;
				await this.hub.backgroundTurn();
			}
		} catch (error) {
			if (this.closed) return;
			this.logger.warn(`listing the stored documents for ${this.label} failed; trying again shortly`, error);
			this.startTimer = setTimeout(() => void this.scan(), RETRY_MS);
			this.startTimer.unref();
			return;
		}
		this.begin();
	}

	private begin(): void {
		this.starting = false;
		for (const [id, s] of this.communities) if (this.isDirty(s)) this.queue.add(id);
		this.drain();
	}

	/** Recomputes one community without waiting for its changes to settle (an operator's tool, a test). */
	publishNow(community: string): void {
		this.state(community);
		this.queue.add(community);
		this.drain();
	}

	/** Resolves when nothing is queued or being recomputed (tests). */
	async settled(): Promise<void> {
		while (this.running) await this.running;
	}

	async close(): Promise<void> {
		this.closed = true;
		for (const p of this.pending.values()) clearTimeout(p.timer);
		this.pending.clear();
		if (this.startTimer) clearTimeout(this.startTimer);
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.queue.clear();
		await this.running;
	}

	protected state(community: string): S {
		let state = this.communities.get(community);
		if (!state) {
			state = this.newState(community);
			this.communities.set(community, state);
		}
		return state;
	}

	/** Waits for the community to be quiet for debounceMs, and no longer than maxWaitMs since its first change. */
	private schedule(community: string): void {
		if (this.closed || this.starting || this.queue.has(community)) return;
		const now = Date.now();
		const waiting = this.pending.get(community);
		if (waiting) clearTimeout(waiting.timer);
		const first = waiting?.first ?? now;
		const timer = setTimeout(
			() => {
				this.pending.delete(community);
				this.queue.add(community);
				this.drain();
			},
			Math.max(0, Math.min(this.debounceMs, first + this.maxWaitMs - now))
		);
		timer.unref();
		this.pending.set(community, { timer, first });
	}

	protected drain(): void {
		if (this.running || this.closed || this.starting) return;
		this.running = (async () => {
			while (!this.closed) {
				const task = this.nextTask();
				if (task) {
					await task();
					continue;
				}
				const community = this.queue.values().next().value as string | undefined;
				if (community === undefined) break;
				this.queue.delete(community);
				const state = this.communities.get(community);
				if (!state) continue;
				try {
					await this.publish(community, state);
				} catch (error) {
					if (this.closed) break;
					this.logger.warn(`publishing ${this.label} of ${community} failed`, error);
					this.retry(community);
				}
			}
		})().finally(() => {
			this.running = null;
			if (this.closed) return;
			if (this.queue.size > 0 || this.hasTask()) this.drain();
			else this.idle();
		});
	}

	private retry(community: string): void {
		this.retrying.add(community);
		if (this.retryTimer) return;
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			for (const c of this.retrying) this.queue.add(c);
			this.retrying.clear();
			this.drain();
		}, RETRY_MS);
		this.retryTimer.unref();
	}

	/**
	 * Reads one stored part of a community's state with `read`, then gives device writes a turn of the event loop.
	 * On a failure `keepDirty` marks the part to be read again with the next publication, and the error is thrown.
	 */
	protected async readPart<T>(read: () => Promise<T>, keepDirty: () => void): Promise<T> {
		let part: T;
		try {
			part = await read();
		} catch (error) {
			keepDirty();
			throw error;
		}
		await this.hub.backgroundTurn();
		return part;
	}

	/** readPart for each of `dirty`'s ids in turn, emptying it; on a failure the ids not read yet stay in it. */
	protected async readEach(dirty: Set<string>, read: (id: string) => Promise<unknown>): Promise<void> {
		const ids = [...dirty];
		dirty.clear();
		for (const [i, id] of ids.entries()) {
			await this.readPart(
				() => read(id),
				() => {
					for (const rest of ids.slice(i)) dirty.add(rest);
				}
			);
		}
	}

	/** A document as stored (every committed update is in storage before the feed tells), or null if it has none. */
	protected async loadStored(name: string): Promise<Y.Doc | null> {
		return docFromState(await storedState((d) => this.hub.store.loadUpdates(d), name));
	}

	/** loadStored's document given to `fn` and destroyed after. */
	protected async withStored<T>(name: string, fn: (doc: Y.Doc | null) => T): Promise<T> {
		const doc = await this.loadStored(name);
		try {
			return fn(doc);
		} finally {
			doc?.destroy();
		}
	}
}
