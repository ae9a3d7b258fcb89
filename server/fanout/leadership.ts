/**
 * One process at a time runs what must not run twice (the publishers in server/features): the holder of a lease
 * in the fan-out (Redis: a key set with NX and PX, renewed by its holder). The holder renews every third of the
 * term; it steps down by itself once two thirds of the term passed without a renewal (its link is down), before
 * anyone else may take the lease, so two leaders never overlap while clocks run at the same pace. When the leader
 * dies, the lease runs out and the next process to ask takes it: a takeover within one term.
 */
import type { Logger } from '../core/log';
import type { Fanout } from './fanout';

export interface LeadershipOptions {
	/** The lease's term. Default 10 s. */
	ttlMs?: number;
	/** Called on becoming the leader, and on stepping down (both awaited, one at a time). */
	onGain(): void | Promise<void>;
	onLose(): void | Promise<void>;
	logger: Logger;
}

export class Leadership {
	private leader = false;
	private lastHeld = 0;
	private timer: NodeJS.Timeout | null = null;
	private transitions: Promise<void> = Promise.resolve();
	private stopped = false;
	private readonly ttlMs: number;

	constructor(
		private readonly fanout: Fanout,
		private readonly name: string,
		private readonly options: LeadershipOptions
	) {
		this.ttlMs = options.ttlMs ?? 10_000;
	}

	get isLeader(): boolean {
		return this.leader;
	}

	start(): void {
		void this.tick();
		this.timer = setInterval(() => void this.tick(), Math.max(10, Math.floor(this.ttlMs / 3)));
		this.timer.unref();
	}

	private async tick(): Promise<void> {
		if (this.stopped) return;
		let held = false;
		const asked = Date.now();
		try {
			held = await this.fanout.acquireLease(this.name, this.ttlMs);
			if (held) this.lastHeld = asked;
		} catch (error) {
			// Still ours for the rest of the term, unless too much of it has passed.
			held = this.leader && Date.now() - this.lastHeld < (this.ttlMs * 2) / 3;
			if (!held && this.leader) this.options.logger.warn(`lost the ${this.name} lease: ${(error as Error).message}`);
		}
		if (this.stopped) return;
		if (held && !this.leader) {
			this.leader = true;
			this.transition(() => this.options.onGain());
		} else if (!held && this.leader) {
			this.leader = false;
			this.transition(() => this.options.onLose());
		}
	}

	private transition(step: () => void | Promise<void>): void {
		this.transitions = this.transitions.then(step).catch((error: unknown) => this.options.logger.warn(`${this.name} leadership change failed`, error));
	}

	/** Steps down (onLose, awaited) and gives the lease up so that another process takes over at once. */
	async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		if (this.leader) {
			this.leader = false;
			this.transition(() => this.options.onLose());
		}
		await this.transitions;
		await this.fanout.releaseLease(this.name).catch(() => {});
	}
}
