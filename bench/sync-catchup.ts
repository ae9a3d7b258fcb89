/**
 * syncCatchupBench: the app's sync engine (src/lib/client/sync-engine.ts) catching up 1,000 documents of ~2 KB on
 * a fresh device, from a real relay started in-process (SQLite, credentials on, loopback WebSocket): from
 * `start()` until the engine reports its first complete catch-up (every document stored, cursor saved).
 *   (i)  with the in-memory local store: the engine, the transport and the relay alone;
 *   (ii) with the IndexedDB store the app uses (DocStore on fake-indexeddb in Node), as a device stores them.
 * In memory: the median of RUNS runs after one warm-up; IndexedDB (slow under fake-indexeddb, which stores each
 * document's database in JS objects): one run. Each run on a new store; every document is checked to be there.
 * Run alone: npx tsx bench/sync-catchup.ts [docs]
 */
import WebSocket from 'ws';
import { MemoryLocalStore } from '../src/lib/client/memory-local-store';
import type { LocalStore } from '../src/lib/client/local-store';
import { SyncEngine, type WebSocketLike } from '../src/lib/client/sync-engine';
import { SYNC_PATH, TOKEN_PARAM } from '../src/lib/protocol/messages';
import { startRelay } from '../server/relay';
import { SqliteStore } from '../server/storage/sqlite-store';
import { benchDocName, benchDocUpdate, benchToken, type BenchResult, result, runAlone, tempDir } from './relay-kit';

const RUNS = 3;
/** A side-effect import (its package exports no types for it). */
const FAKE_INDEXEDDB = 'fake-indexeddb/auto';
const silent = { info: () => {}, warn: () => {} };

/** Starts an engine on `store` and resolves with the ms until its first complete catch-up. */
function catchUp(url: string, store: LocalStore, timeoutMs = 120_000): Promise<number> {
	return new Promise((resolve, reject) => {
		let engine: SyncEngine | null = null;
		const timer = setTimeout(() => {
			engine?.destroy();
			reject(new Error('catch-up timed out'));
		}, timeoutMs);
		const t0 = performance.now();
		engine = new SyncEngine({
			url,
			store,
			WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike,
			isOnline: () => true,
			onStatus: (status) => {
				if (status.lastSynced === null || !engine) return;
				const ms = performance.now() - t0;
				clearTimeout(timer);
				// Cleared first: destroy() reports its own status change.
				const done = engine;
				engine = null;
				done.destroy();
				resolve(ms);
			}
		});
		engine.start();
	});
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function syncCatchupBench(n = 1_000): Promise<BenchResult> {
	const dataDir = tempDir('courtyard-catchup-');
	const seed = SqliteStore.open(dataDir);
	await seed.appendUpdates(Array.from({ length: n }, (_, i) => ({ doc: benchDocName(i), data: benchDocUpdate(i) })));
	await seed.close();
	const token = await benchToken(dataDir);
	const relay = await startRelay({ port: 0, host: '127.0.0.1', dataDir, logger: silent });
	const url = `ws://127.0.0.1:${relay.port}${SYNC_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
	const names = Array.from({ length: n }, (_, i) => benchDocName(i));
	let stores = 0;
	const measure = async (make: () => LocalStore | Promise<LocalStore>, runs: number, warmUp: boolean) => {
		const times: number[] = [];
		for (let run = warmUp ? 0 : 1; run <= runs; run++) {
			const store = await make();
			const ms = await catchUp(url, store);
			const held = (await store.syncStates(names)).filter((state) => state !== undefined).length;
			if (held !== n) throw new Error(`catch-up reported done with ${held} of ${n} documents stored`);
			if (run > 0) times.push(ms);
		}
		return median(times);
	};
	try {
		const memory = await measure(() => new MemoryLocalStore(), RUNS, true);
		// Only now: fake-indexeddb installs browser globals, which the in-memory run must not depend on.
		await import(FAKE_INDEXEDDB);
		const { openDatabase } = await import('../src/lib/client/db');
		const { DocStore } = await import('../src/lib/client/doc-store');
		const indexed = await measure(() => {
			const id = `catchup-${++stores}`;
			return new DocStore(openDatabase(`courtyard-${id}`), `${id}/`);
		}, 1, false);
		const row = (store: string, ms: number) => ({ store, docs: n, ms: Math.round(ms), 'docs/s': Math.round(n / (ms / 1000)) });
		return result(
			`Sync engine catch-up: a fresh device pulls ${n} documents (~2 KB) from an in-process relay`,
			[row(`in memory (median of ${RUNS})`, memory), row('IndexedDB (fake-indexeddb, one run)', indexed)],
			['From start() to the first complete catch-up (documents stored, cursor saved); loopback, access control on.']
		);
	} finally {
		await relay.close();
	}
}

runAlone(import.meta.url, () => syncCatchupBench(Number(process.argv[2] ?? 1_000)));
