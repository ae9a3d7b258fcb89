import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log';
import { MemoryBus, MemoryFanout } from './memory-fanout';
import { Leadership } from './leadership';

async function until(check: () => boolean): Promise<void> {
	const deadline = Date.now() + 5_000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 5));
	}
}

describe('Leadership', () => {
	const running: Leadership[] = [];
	afterEach(async () => {
		for (const l of running.splice(0)) await l.stop();
	});

	function contender(bus: MemoryBus, log: string[], name: string, ttlMs = 300): { l: Leadership; f: MemoryFanout } {
		const f = new MemoryFanout(bus, name);
		void f.start({ commits() {}, awareness() {}, awarenessWanted() {}, heartbeat() {}, revoked() {}, request() {}, response() {}, reconnected() {} });
		const l = new Leadership(f, 'publishers', {
			ttlMs,
			onGain: () => void log.push(`${name}+`),
			onLose: () => void log.push(`${name}-`),
			logger: silentLogger
		});
		running.push(l);
		return { l, f };
	}

	/** `a` holding the lead on a fresh bus, and `b` started after it. */
	async function leaderThenContender() {
		const bus = new MemoryBus();
		const log: string[] = [];
		const a = contender(bus, log, 'a');
		a.l.start();
		await until(() => a.l.isLeader);
		const b = contender(bus, log, 'b');
		b.l.start();
		return { bus, log, a, b };
	}

	it('gives the lead to one process, and hands it over at once when the leader stops', async () => {
		const { log, a, b } = await leaderThenContender();
		await new Promise((r) => setTimeout(r, 400));
		expect(b.l.isLeader).toBe(false);
		await a.l.stop();
		await until(() => b.l.isLeader);
		expect(log).toEqual(['a+', 'a-', 'b+']);
	});

	it('steps down when its link is gone before anyone else can take over, and the other takes over', async () => {
		const { bus, log, b } = await leaderThenContender();
		bus.disconnect('a');
		await until(() => b.l.isLeader);
		// a gave up before b could take the lease: never two leaders at once.
		expect(log).toEqual(['a+', 'a-', 'b+']);
	});
});
