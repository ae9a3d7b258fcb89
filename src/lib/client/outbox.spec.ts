import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { isDue, Outbox, type PassResult, RETRY_POLICY, retryAfterMs, retryDelay } from './outbox';

const policy = { baseMs: 1_000, maxMs: 10_000, jitter: 0.5 };

async function settle(): Promise<void> {
	for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('retry policy', () => {
	it('doubles from the base up to the cap, with at most the jitter share taken off', () => {
		expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(policy, n, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
		expect(retryDelay(policy, 1, () => 0)).toBe(500);
		expect(retryDelay(policy, 3, () => 0.5)).toBe(3_000);
	});

	it("waits at least as long as the relay's retry-after", () => {
		expect(retryDelay(policy, 1, () => 1, 7_000)).toBe(7_000);
		expect(retryDelay(policy, 4, () => 1, 2_000)).toBe(8_000);
		expect(retryAfterMs(new Response(null, { status: 429, headers: { 'retry-after': '30' } }))).toBe(30_000);
		expect(retryAfterMs(new Response(null, { status: 429 }))).toBeNull();
		expect(retryAfterMs(new Response(null, { status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' } }))).toBeNull();
	});

	it('counts a due time as due once passed, or when the wall clock went back past the cap', () => {
		expect(isDue(1_000, 1_000)).toBe(true);
		expect(isDue(2_000, 1_000)).toBe(false);
		expect(isDue(1_000 + RETRY_POLICY.maxMs + 1, 1_000)).toBe(true);
	});
});

function queueOf(outbox: Outbox, results: PassResult[]) {
	const runs: number[] = [];
	const queue = outbox.queue({
		policy,
		run: async () => {
			runs.push(outbox.clock.now());
			return results.shift() ?? { waiting: 0 };
		}
	});
	return { queue, runs };
}

describe('outbox queue', () => {
	it('retries with backoff while work waits, and stops once nothing does', async () => {
		const clock = new ManualClock(0);
		const outbox = new Outbox({ clock, random: () => 1 });
		const { queue, runs } = queueOf(outbox, [{ waiting: 2 }, { waiting: 1 }, { waiting: 1 }, { waiting: 0 }]);
		queue.kick();
		await settle();
		expect(clock.pending).toEqual([1_000]);
		clock.advance(1_000);
		await settle();
		expect(clock.pending).toEqual([2_000]);
		clock.advance(2_000);
		await settle();
		expect(clock.pending).toEqual([4_000]);
		clock.advance(4_000);
		await settle();
		expect(clock.pending).toEqual([]);
		expect(runs).toEqual([0, 1_000, 3_000, 7_000]);
	});

	it('runs again when the work says when it is due, and at once when that time is already past', async () => {
		const clock = new ManualClock(100_000);
		const outbox = new Outbox({ clock, random: () => 1 });
		const { queue } = queueOf(outbox, [{ waiting: 1, at: 103_000 }, { waiting: 1, at: 50_000 }]);
		queue.kick();
		await settle();
		expect(clock.pending).toEqual([3_000]);
		clock.advance(3_000);
		await settle();
		// The wall clock went past it meanwhile (or was set back): due now.
		expect(clock.pending).toEqual([0]);
	});

	it('never runs two passes at once: a kick during a pass runs one more after it', async () => {
		const outbox = new Outbox({ clock: new ManualClock(0) });
		let running = 0;
		let overlap = false;
		let passes = 0;
		let release: () => void = () => {};
		const queue = outbox.queue({
			run: async () => {
				running++;
				if (running > 1) overlap = true;
				passes++;
				if (passes === 1) await new Promise<void>((r) => (release = r));
				running--;
				return { waiting: 0 };
			}
		});
		queue.kick();
		queue.kick();
		queue.kick();
		release();
		await queue.idle();
		expect(overlap).toBe(false);
		expect(passes).toBe(2);
	});

	it('sets no timer while offline, and tries every queue at once when the network is back', async () => {
		const clock = new ManualClock(0);
		const online = { value: false };
		const outbox = new Outbox({ clock, random: () => 1, isOnline: () => online.value });
		const a = queueOf(outbox, [{ waiting: 1 }, { waiting: 0 }]);
		const b = queueOf(outbox, [{ waiting: 1 }, { waiting: 0 }]);
		a.queue.kick();
		b.queue.kick();
		await settle();
		expect(clock.pending).toEqual([]);
		online.value = true;
		outbox.online();
		await settle();
		expect(a.runs).toHaveLength(2);
		expect(b.runs).toHaveLength(2);
	});

	it('drops its timer when the network goes, and runs nothing once stopped', async () => {
		const clock = new ManualClock(0);
		const outbox = new Outbox({ clock, random: () => 1 });
		const { queue, runs } = queueOf(outbox, [{ waiting: 1 }, { waiting: 1 }, { waiting: 1 }]);
		queue.kick();
		await settle();
		expect(clock.pending).toEqual([1_000]);
		outbox.offline();
		expect(clock.pending).toEqual([]);
		queue.kick();
		await settle();
		outbox.remove(queue);
		expect(clock.pending).toEqual([]);
		queue.kick();
		clock.advance(60_000);
		await settle();
		expect(runs).toHaveLength(2);
	});

	it('treats a failing pass like a network failure', async () => {
		const clock = new ManualClock(0);
		const outbox = new Outbox({ clock, random: () => 1 });
		const queue = outbox.queue({
			policy,
			run: async () => {
				throw new Error('database closed');
			}
		});
		queue.kick();
		await settle();
		expect(clock.pending).toEqual([1_000]);
	});
});

describe('pending work', () => {
	it('sums what each kind reports and tells listeners when the total moves', () => {
		const outbox = new Outbox();
		const totals: number[] = [];
		outbox.onPending((n) => totals.push(n));
		outbox.report('documents', 2);
		outbox.report('photos', 1);
		outbox.report('photos', 1);
		outbox.report('ballots', 3);
		outbox.report('documents', 0);
		expect(totals).toEqual([2, 3, 6, 4]);
		expect(outbox.pending).toBe(4);
		expect(outbox.count('photos')).toBe(1);
	});
});
