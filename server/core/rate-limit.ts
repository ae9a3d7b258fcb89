/** Token buckets: per connection (messages and bytes) and per key (invitation redemption per IP address). */

const now = () => performance.now();

/** Holds up to `capacity` tokens, refilled continuously at `perSecond`; starts full. */
export class TokenBucket {
	private tokens: number;
	private last: number;

	constructor(
		readonly capacity: number,
		readonly perSecond: number,
		private readonly clock: () => number = now
	) {
		this.tokens = capacity;
		this.last = clock();
	}

	private refill(): void {
		const t = this.clock();
		this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
		this.last = t;
	}

	/** Takes `n` tokens if there are that many; false (taking none) otherwise. */
	take(n = 1): boolean {
		this.refill();
		if (this.tokens < n) return false;
		this.tokens -= n;
		return true;
	}

	/** Seconds until `n` tokens are available. */
	waitSeconds(n = 1): number {
		this.refill();
		return this.tokens >= n ? 0 : (n - this.tokens) / this.perSecond;
	}

	get full(): boolean {
		this.refill();
		return this.tokens >= this.capacity;
	}
}

/** One bucket per key (e.g. client IP). Full buckets are forgotten, so memory follows active keys only. */
export class KeyedRateLimiter {
	private readonly buckets = new Map<string, TokenBucket>();
	private sweeps = 0;

	constructor(
		readonly capacity: number,
		readonly perSecond: number,
		private readonly clock: () => number = now
	) {}

	/** `{ ok: true }`, or how many seconds to wait before trying again. */
	take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
		if (++this.sweeps >= 1_000 || this.buckets.size > 10_000) this.sweep();
		let bucket = this.buckets.get(key);
		if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.capacity, this.perSecond, this.clock)));
		if (bucket.take()) return { ok: true };
		return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.waitSeconds())) };
	}

	private sweep(): void {
		this.sweeps = 0;
		for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
	}
}
