/**
 * The shared contract suite of Fanout: every implementation runs it (memory-fanout.spec.ts, and
 * tests/integration/redis-fanout.test.ts against a real Redis).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommitNote, Fanout, FanoutHandlers } from './fanout';

export interface FanoutHarness {
	/** A fan-out for one more process on the same bus / Redis. */
	make(): Promise<Fanout>;
	/** Cuts `f`'s subscription link and lets it come back (pub/sub loses what was sent meanwhile). */
	bounce(f: Fanout): Promise<void>;
}

interface Recorder extends FanoutHandlers {
	seen: Array<[string, ...unknown[]]>;
}

function recorder(): Recorder {
	const seen: Recorder['seen'] = [];
	return {
		seen,
		commits: (from, entries) => seen.push(['commits', from, entries]),
		awareness: (from, doc, update) => seen.push(['awareness', from, doc, update]),
		awarenessWanted: (from, doc) => seen.push(['wanted', from, doc]),
		heartbeat: (from, leaving) => seen.push(['heartbeat', from, leaving]),
		revoked: (from, ids) => seen.push(['revoked', from, ids]),
		request: (from, id, topic, body) => seen.push(['request', from, id, topic, body]),
		response: (from, to, id, body) => seen.push(['response', from, to, id, body]),
		reconnected: () => seen.push(['reconnected'])
	};
}

async function until(check: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 5_000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

export function fanoutContract(name: string, harness: () => FanoutHarness): void {
	describe(`Fanout contract: ${name}`, () => {
		const open: Fanout[] = [];
		afterEach(async () => {
			for (const f of open.splice(0)) await f.close();
		});

		async function pair(): Promise<{ a: Fanout; b: Fanout; ra: Recorder; rb: Recorder; h: FanoutHarness }> {
			const h = harness();
			const a = await h.make();
			const b = await h.make();
			open.push(a, b);
			const ra = recorder();
			const rb = recorder();
			await a.start(ra);
			await b.start(rb);
			return { a, b, ra, rb, h };
		}

		it('delivers commits to the other processes, in publish order, never back to the sender', async () => {
			const { a, b, ra, rb } = await pair();
			expect(a.id).not.toBe(b.id);
			const first: CommitNote[] = [
				{ doc: 'c1/proposal/p1', seq: 7, data: new Uint8Array([1, 2, 3]) },
				{ doc: 'c1/proposal/p2', seq: 8, data: null }
			];
			await a.publishCommits(first);
			await a.publishCommits([{ doc: 'c1/proposal/p1', seq: 9, data: new Uint8Array([4]) }]);
			await until(() => rb.seen.length === 2, 'two commit messages');
			expect(rb.seen[0]).toEqual(['commits', a.id, first]);
			expect(rb.seen[1]).toEqual(['commits', a.id, [{ doc: 'c1/proposal/p1', seq: 9, data: new Uint8Array([4]) }]]);
			// The sender hears nothing of its own; a message from b proves a's subscription works.
			await b.publishHeartbeat();
			await until(() => ra.seen.length === 1, 'a heartbeat');
			expect(ra.seen).toEqual([['heartbeat', b.id, false]]);
		});

		it('carries awareness, awareness requests, heartbeats and revocations', async () => {
			const { a, rb } = await pair();
			await a.publishAwareness('c1/minutes/m1', new Uint8Array([9, 9]));
			await a.requestAwareness('c1/minutes/m1');
			await a.publishHeartbeat(true);
			await a.publishRevocation(['dev-1', 'dev-2']);
			await until(() => rb.seen.length === 4, 'four messages');
			// Presence and control travel on separate channels: compare as a set.
			expect(rb.seen).toEqual(
				expect.arrayContaining([
					['awareness', a.id, 'c1/minutes/m1', new Uint8Array([9, 9])],
					['wanted', a.id, 'c1/minutes/m1'],
					['heartbeat', a.id, true],
					['revoked', a.id, ['dev-1', 'dev-2']]
				])
			);
		});

		it('carries requests and their responses (on the control channel, heard by every other process)', async () => {
			const { a, b, ra, rb } = await pair();
			await a.publishRequest('r1', 'reports.correct', '{"x":1}');
			await until(() => rb.seen.length === 1, 'the request');
			expect(rb.seen[0]).toEqual(['request', a.id, 'r1', 'reports.correct', '{"x":1}']);
			await b.publishResponse(a.id, 'r1', '{"state":"done","value":2}');
			await until(() => ra.seen.length === 1, 'the response');
			expect(ra.seen[0]).toEqual(['response', b.id, a.id, 'r1', '{"state":"done","value":2}']);
		});

		it('shares a token bucket between processes: full at first, then empty, refilled over time', async () => {
			const { a, b } = await pair();
			const bucket = `joins:${Math.random().toString(36).slice(2)}`;
			expect(await a.takeToken(bucket, 2, 20)).toBe(0);
			expect(await b.takeToken(bucket, 2, 20)).toBe(0);
			// Empty for both: the wait is about one token's refill (50 ms at 20 a second).
			const wait = await a.takeToken(bucket, 2, 20);
			expect(wait).toBeGreaterThan(0);
			expect(wait).toBeLessThanOrEqual(50);
			await new Promise((r) => setTimeout(r, wait + 20));
			expect(await b.takeToken(bucket, 2, 20)).toBe(0);
			// Another bucket is another count.
			expect(await b.takeToken(`${bucket}-other`, 2, 20)).toBe(0);
		});

		it('gives a lease to one process at a time, renews it for its holder, frees it on release or expiry', async () => {
			const { a, b } = await pair();
			const lease = `test-${Math.random().toString(36).slice(2)}`;
			expect(await a.acquireLease(lease, 10_000)).toBe(true);
			expect(await b.acquireLease(lease, 10_000)).toBe(false);
			expect(await a.acquireLease(lease, 10_000)).toBe(true);
			await a.releaseLease(lease);
			// Releasing a lease one does not hold changes nothing.
			expect(await b.acquireLease(lease, 150)).toBe(true);
			await a.releaseLease(lease);
			expect(await a.acquireLease(lease, 150)).toBe(false);
			// b stops renewing: once its term ran out, a takes over.
			await new Promise((r) => setTimeout(r, 250));
			expect(await a.acquireLease(lease, 10_000)).toBe(true);
			expect(await b.acquireLease(lease, 10_000)).toBe(false);
		});

		it('says when its link came back after a drop, and delivers again', async () => {
			const { a, b, rb, h } = await pair();
			await h.bounce(b);
			await until(() => rb.seen.some(([k]) => k === 'reconnected'), 'reconnected');
			rb.seen.length = 0;
			await a.publishRevocation(['dev-3']);
			await until(() => rb.seen.length === 1, 'a revocation after the drop');
			expect(rb.seen[0]).toEqual(['revoked', a.id, ['dev-3']]);
		});
	});
}
