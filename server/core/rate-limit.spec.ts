import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from './rate-limit';

describe('TokenBucket', () => {
	it('allows a burst, then refills at the rate', () => {
		let t = 0;
		const bucket = new TokenBucket(3, 2, () => t);
		expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
		t = 499;
		expect(bucket.take()).toBe(false);
		t = 500;
		expect(bucket.take()).toBe(true);
		t = 10_000;
		expect(bucket.take(3)).toBe(true);
		expect(bucket.take()).toBe(false);
		expect(bucket.waitSeconds()).toBeCloseTo(0.5);
	});
});

describe('KeyedRateLimiter', () => {
	it('limits each key on its own and says when to retry', () => {
		let t = 0;
		const limiter = new KeyedRateLimiter(2, 1 / 30, () => t);
		expect(limiter.take('a')).toEqual({ ok: true });
		expect(limiter.take('a')).toEqual({ ok: true });
		expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 30 });
		expect(limiter.take('b')).toEqual({ ok: true });
		t = 30_000;
		expect(limiter.take('a')).toEqual({ ok: true });
	});
});
