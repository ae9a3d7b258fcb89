import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryFanout } from './memory-fanout';
import { SharedRateLimiter } from './shared-rate-limit';

const quiet = { info: () => {}, warn: () => {} };

describe('SharedRateLimiter', () => {
	it('counts one key across processes, and keys apart', async () => {
		const bus = new MemoryBus();
		const a = new SharedRateLimiter(new MemoryFanout(bus, 'a'), 'joins', 2, 2 / 60, quiet);
		const b = new SharedRateLimiter(new MemoryFanout(bus, 'b'), 'joins', 2, 2 / 60, quiet);
		expect(await a.take('10.0.0.1')).toEqual({ ok: true });
		expect(await b.take('10.0.0.1')).toEqual({ ok: true });
		// One token a 30 s: the wait is said in whole seconds.
		expect(await a.take('10.0.0.1')).toEqual({ ok: false, retryAfterSeconds: 30 });
		expect(await b.take('10.0.0.2')).toEqual({ ok: true });
	});

	it('falls back to counting in its own process while the fan-out is unreachable, and says so once', async () => {
		const bus = new MemoryBus();
		const fanout = new MemoryFanout(bus, 'a');
		const warnings: string[] = [];
		const limiter = new SharedRateLimiter(fanout, 'joins', 2, 2 / 60, { info: () => {}, warn: (m: string) => void warnings.push(m) });
		await fanout.start({
			commits() {},
			awareness() {},
			awarenessWanted() {},
			heartbeat() {},
			revoked() {},
			request() {},
			response() {},
			reconnected() {}
		});
		bus.disconnect('a');
		expect(await limiter.take('10.0.0.1')).toEqual({ ok: true });
		expect(await limiter.take('10.0.0.1')).toEqual({ ok: true });
		// Still a limit: the local one.
		expect((await limiter.take('10.0.0.1')).ok).toBe(false);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(/unreachable, counting in this process only/);
	});
});
