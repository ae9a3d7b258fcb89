/**
 * The app's one outbox: a single retry policy for everything that waits for the relay (documents to push over
 * the sync socket, photo uploads, a resident's ballots) and the sum of that pending work, which the status bar
 * shows.
 *
 * The policy: exponential backoff from `baseMs`, capped at `maxMs`, with jitter (so devices that come back
 * online together do not retry together); a relay's retry-after is honoured; nothing is retried on a timer
 * while the device is offline, and everything is retried at once when it comes back. Timers run on elapsed
 * time; a due time kept on disk (a photo's next attempt) counts as due when the wall clock went back past it.
 */
import { type Clock, systemClock, type TimerId } from './clock';

export interface RetryPolicy {
	baseMs: number;
	maxMs: number;
	/** Share of each delay taken off at random: 0 none, 0.5 up to half. */
	jitter: number;
}

/** Uploads and HTTP sends (photos, ballots). */
export const RETRY_POLICY: RetryPolicy = { baseMs: 2_000, maxMs: 5 * 60_000, jitter: 0.5 };
/** The sync socket: reconnecting is cheap and the relay says at once if it refuses. */
export const RECONNECT_POLICY: RetryPolicy = { baseMs: 500, maxMs: 30_000, jitter: 0.5 };

/**
 * How long to wait after the `failures`-th failure in a row (1 for the first). `random` is 0–1; with 1 the
 * delay is the full exponential step. A retry-after from the relay is a floor.
 */
export function retryDelay(policy: RetryPolicy, failures: number, random: () => number = Math.random, retryAfterMs?: number | null): number {
	const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
	const delay = Math.round(step * (1 - policy.jitter * (1 - random())));
	return retryAfterMs != null && retryAfterMs > delay ? retryAfterMs : delay;
}

/** True when work due at `at` (wall clock) should go now; also when the wall clock went back past the cap. */
export function isDue(at: number, now: number, policy: RetryPolicy = RETRY_POLICY): boolean {
	return at <= now || at - now > policy.maxMs;
}

/** Seconds of an HTTP Retry-After header (the date form is ignored), as ms; null when absent or unusable. */
export function retryAfterMs(res: { headers?: { get(name: string): string | null } }): number | null {
	const value = res.headers?.get('retry-after');
	if (!value || !/^\d+$/.test(value.trim())) return null;
	return Number(value.trim()) * 1000;
}

/** What one pass over a queue left: nothing waits, or something does (due again at `at`, or after a backoff). */
export type PassResult = { waiting: 0 } | { waiting: number; at?: number; retryAfterMs?: number | null };

export interface QueueOptions {
	/** Sends what is due; never called twice at once. */
	run: () => Promise<PassResult>;
	policy?: RetryPolicy;
}

/** One queue's passes: coalesced, retried on the outbox's policy, paused while offline. */
export class OutboxQueue {
	private timer: TimerId | null = null;
	private running: Promise<void> | null = null;
	private again = false;
	private failures = 0;
	private stopped = false;

	constructor(
		private readonly outbox: Outbox,
		private readonly opts: QueueOptions
	) {}

	private get policy(): RetryPolicy {
		return this.opts.policy ?? RETRY_POLICY;
	}

	/** Runs a pass now (a new item, the network back, a "retry" button), resetting the backoff. */
	kick = (): void => {
		if (this.stopped) return;
		this.clearTimer();
		this.failures = 0;
		if (this.running) {
			this.again = true;
			return;
		}
		this.running = this.pass().finally(() => {
			this.running = null;
		});
	};

	/** Resolves once no pass is running. */
	async idle(): Promise<void> {
		while (this.running) await this.running;
	}

	stop(): void {
		this.stopped = true;
		this.clearTimer();
	}

	/** The network is gone: no timer runs until it is back (kick). */
	pause(): void {
		this.clearTimer();
	}

	private clearTimer(): void {
		if (this.timer !== null) this.outbox.clock.clearTimeout(this.timer);
		this.timer = null;
	}

	private async pass(): Promise<void> {
		let result: PassResult;
		do {
			this.again = false;
			try {
				result = await this.opts.run();
			} catch {
				// Storage failed under us (closed database, sign-out): try again later like a network failure.
				result = { waiting: 1 };
			}
		} while (this.again && !this.stopped);
		this.schedule(result);
	}

	private schedule(result: PassResult): void {
		this.clearTimer();
		if (this.stopped || result.waiting === 0) {
			this.failures = 0;
			return;
		}
		if (!this.outbox.isOnline()) return;
		let delay: number;
		if ('at' in result && result.at !== undefined) {
			delay = isDue(result.at, this.outbox.clock.now(), this.policy) ? 0 : result.at - this.outbox.clock.now();
		} else {
			this.failures++;
			delay = retryDelay(this.policy, this.failures, this.outbox.random, 'retryAfterMs' in result ? result.retryAfterMs : null);
		}
		this.timer = this.outbox.clock.setTimeout(() => {
			this.timer = null;
			if (this.running || this.stopped) return;
			this.running = this.pass().finally(() => {
				this.running = null;
			});
		}, delay);
	}
}

export interface OutboxOptions {
	clock?: Clock;
	random?: () => number;
	/** False when the device is known to have no network (default: navigator.onLine). */
	isOnline?: () => boolean;
}

/** Pending work of each kind, as the status bar counts it. */
export type PendingKind = 'documents' | 'photos' | 'ballots';

export class Outbox {
	readonly clock: Clock;
	readonly random: () => number;
	private readonly queues = new Set<OutboxQueue>();
	private readonly counts = new Map<PendingKind, number>();
	private readonly listeners = new Set<(total: number) => void>();

	constructor(private readonly opts: OutboxOptions = {}) {
		this.clock = opts.clock ?? systemClock;
		this.random = opts.random ?? Math.random;
	}

	isOnline(): boolean {
		return this.opts.isOnline ? this.opts.isOnline() : typeof navigator === 'undefined' || navigator.onLine !== false;
	}

	queue(opts: QueueOptions): OutboxQueue {
		const q = new OutboxQueue(this, opts);
		this.queues.add(q);
		return q;
	}

	remove(queue: OutboxQueue): void {
		queue.stop();
		this.queues.delete(queue);
	}

	/** The network is back: every queue tries at once. */
	online(): void {
		for (const q of this.queues) q.kick();
	}

	offline(): void {
		for (const q of this.queues) q.pause();
	}

	/** A queue's count of waiting work (documents to push, photos to upload, ballots to send). */
	report(kind: PendingKind, count: number): void {
		if (this.counts.get(kind) === count) return;
		this.counts.set(kind, count);
		const total = this.pending;
		for (const l of this.listeners) l(total);
	}

	count(kind: PendingKind): number {
		return this.counts.get(kind) ?? 0;
	}

	get pending(): number {
		let total = 0;
		for (const n of this.counts.values()) total += n;
		return total;
	}

	onPending(listener: (total: number) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}
