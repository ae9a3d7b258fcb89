/**
 * A per-key rate limit shared by every relay process (Fanout.takeToken: one token bucket per key in Redis), for
 * what must hold however the load balancer spreads the requests: invitation redemptions per client address,
 * which protect invitation codes from guessing. The balancer routes on the device's credential, and a device
 * redeeming a code has none yet, so its attempts land on any process; counted per process, N processes would
 * admit N times as many guesses.
 *
 * Fails open to the per-process limit: while the fan-out cannot be reached, each process counts alone again
 * (a brake still, N times as loose) and says so in the log once a minute, rather than refusing everyone.
 */
import type { Logger } from '../core/log';
import { KeyedRateLimiter } from '../core/rate-limit';
import type { Fanout } from './fanout';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class SharedRateLimiter {
	private readonly local: KeyedRateLimiter;
	private lastWarning = 0;

	constructor(
		private readonly fanout: Fanout,
		/** The buckets' names start with it, e.g. `joins`. */
		private readonly name: string,
		readonly capacity: number,
		readonly perSecond: number,
		private readonly logger: Logger
	) {
		this.local = new KeyedRateLimiter(capacity, perSecond);
	}

	async take(key: string): Promise<RateDecision> {
		try {
			const waitMs = await this.fanout.takeToken(`${this.name}:${key}`, this.capacity, this.perSecond);
			return waitMs === 0 ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
		} catch (error) {
			if (Date.now() - this.lastWarning > 60_000) {
				this.lastWarning = Date.now();
				this.logger.warn(`the shared ${this.name} limit is unreachable, counting in this process only: ${(error as Error).message}`);
			}
			return this.local.take(key);
		}
	}
}
