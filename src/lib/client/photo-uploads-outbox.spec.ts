/**
 * The photo upload queue on the app's one outbox, with no IndexedDB: photos kept in memory, time moved by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { Outbox, RETRY_POLICY } from './outbox';
import { MemoryPhotoRecords } from './photo-records';
import { PhotoLibrary } from './photos';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const VISITS = 'demo:visits:g1';

/** The relay's photo endpoint: down, answering with a status, or storing. */
function relay() {
	const r = {
		answer: 'down' as 'down' | 'store' | { status: number; retryAfter?: string },
		puts: 0,
		stored: new Set<string>(),
		fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
			r.puts++;
			const a = r.answer;
			if (a === 'down') throw new TypeError('Failed to fetch');
			if (a !== 'store') return Response.json({ error: 'busy' }, { status: a.status, headers: a.retryAfter ? { 'retry-after': a.retryAfter } : {} });
			r.stored.add(new URL(String(input), 'http://relay').pathname.split('/').pop()!);
			return Response.json({}, { status: 201 });
		}) as typeof fetch
	};
	return r;
}

async function settle(): Promise<void> {
	for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

const libs: PhotoLibrary[] = [];
afterEach(async () => {
	for (const lib of libs.splice(0)) await lib.stop();
});

function setup() {
	const clock = new ManualClock(5_000_000);
	const online = { value: true };
	const outbox = new Outbox({ clock, random: () => 1, isOnline: () => online.value });
	const records = new MemoryPhotoRecords();
	const r = relay();
	const lib = new PhotoLibrary({
		records,
		outbox,
		authHeaders: () => ({ authorization: 'Bearer t' }),
		compress: async (f) => f,
		fetch: r.fetch,
		now: () => clock.now(),
		random: () => 1
	});
	libs.push(lib);
	return { clock, online, outbox, records, relay: r, lib };
}

describe('photo uploads on the outbox', () => {
	it("retry on the outbox's backoff, honour the relay's retry-after, pause offline, and upload once the relay takes them", async () => {
		const { clock, online, outbox, records, relay: r, lib } = setup();
		await lib.start();
		const sha = await lib.add(new Blob([new Uint8Array(PNG_MAGIC), 'door photo']), VISITS);
		await lib.idle();
		expect(await records.get(sha)).toMatchObject({ state: 'pending', attempts: 1, error: 'offline' });
		expect(clock.pending).toEqual([RETRY_POLICY.baseMs]);

		clock.advance(RETRY_POLICY.baseMs);
		await settle();
		expect(r.puts).toBe(2);
		expect(clock.pending).toEqual([2 * RETRY_POLICY.baseMs]);

		// Busy, come back in a minute: the wait is the relay's, longer than the backoff step.
		r.answer = { status: 429, retryAfter: '60' };
		clock.advance(2 * RETRY_POLICY.baseMs);
		await settle();
		expect(r.puts).toBe(3);
		expect(clock.pending).toEqual([60_000]);

		// The network goes: no timer runs while it is gone.
		online.value = false;
		outbox.offline();
		expect(clock.pending).toEqual([]);
		clock.advance(10 * 60_000);
		await settle();
		expect(r.puts).toBe(3);

		// It is back (the browser's `online` event): the upload goes at once.
		online.value = true;
		r.answer = 'store';
		await lib.retryNow();
		expect(r.stored.has(sha)).toBe(true);
		expect(await records.get(sha)).toMatchObject({ state: 'done', uploaded: [VISITS], attempts: 0 });
		expect(clock.pending).toEqual([]);
	});
});
