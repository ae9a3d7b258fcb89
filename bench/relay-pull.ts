/**
 * pullBench: a fresh device pulls 1,000 documents of ~2 KB.
 *   (i)   our /sync: one socket, one BatchSync frame out, one reply back;
 *   (ii)  naive: one stock y-websocket WebsocketProvider per document against our /ws endpoint;
 *   (iii) the same naive client against the stock y-websocket server (@y/websocket-server), once with documents
 *         preloaded in memory and once with its y-leveldb persistence (its durable setup).
 * For each: wall time until the client declared everything synced, and how many documents were actually
 * complete at that moment (the stock server with persistence answers from a still-empty document).
 * Run alone: npx tsx bench/relay-pull.ts [docs]
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { decodeFrame, encodeFrame, MuxMessage, SYNC_PATH, TOKEN_PARAM } from '../src/lib/protocol/messages';
import { SqliteStore } from '../server/storage/sqlite-store';
import {
	benchDocName,
	benchDocUpdate,
	benchText,
	benchToken,
	type BenchResult,
	MANY_SOCKETS,
	result,
	runAlone,
	type Server,
	sleep,
	spawnServer,
	tempDir
} from './relay-kit';

interface PullRun {
	ms: number;
	completeAtSynced: number;
	/** Time until every document actually held its full content (may exceed `ms`). */
	allCompleteMs: number | null;
	sockets: number;
}

const isComplete = (doc: Y.Doc, i: number) => doc.getText('description').toString() === benchText(i);

/** Our batched path: one socket, one BatchSync, apply every diff. */
async function batchPull(relayUrl: string, n: number, token: string): Promise<PullRun> {
	const t0 = performance.now();
	const ws = new WebSocket(`${relayUrl.replace(/^http/, 'ws')}${SYNC_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
	ws.binaryType = 'nodebuffer';
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	const empty = Y.encodeStateVector(new Y.Doc());
	ws.send(encodeFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: Array.from({ length: n }, (_, i) => ({ doc: benchDocName(i), stateVector: empty })) }));
	const docs = new Map<string, Y.Doc>();
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('batch pull timed out')), 60_000);
		ws.on('message', (data: Buffer) => {
			const frame = decodeFrame(new Uint8Array(data));
			if (frame.kind !== MuxMessage.BatchSyncReply) return;
			for (const e of frame.entries) {
				const d = new Y.Doc({ guid: e.doc });
				Y.applyUpdate(d, e.diff);
				docs.set(e.doc, d);
			}
			if (docs.size >= n) {
				clearTimeout(timer);
				resolve();
			}
		});
	});
	const ms = performance.now() - t0;
	let complete = 0;
	for (let i = 0; i < n; i++) if (isComplete(docs.get(benchDocName(i)) as Y.Doc, i)) complete++;
	ws.close();
	return { ms, completeAtSynced: complete, allCompleteMs: complete === n ? ms : null, sockets: 1 };
}

/** The naive path: one stock provider (one socket) per document; "synced" once every provider says so. */
async function naivePull(serverUrl: string, n: number, params: Record<string, string> = {}): Promise<PullRun> {
	process.setMaxListeners(0);
	const t0 = performance.now();
	const providers: WebsocketProvider[] = [];
	const docs: Y.Doc[] = [];
	let synced = 0;
	let complete = 0;
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`naive pull timed out (${synced}/${n} synced)`)), 120_000);
		for (let i = 0; i < n; i++) {
			const doc = new Y.Doc({ guid: benchDocName(i) });
			const p = new WebsocketProvider(serverUrl, benchDocName(i), doc, {
				WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
				disableBc: true,
				params
			});
			docs.push(doc);
			providers.push(p);
			let counted = false;
			p.on('sync', (state: boolean) => {
				if (!state || counted) return;
				counted = true;
				if (isComplete(doc, i)) complete++;
				if (++synced === n) {
					clearTimeout(timer);
					resolve();
				}
			});
		}
	});
	const ms = performance.now() - t0;
	// Content that arrives after "synced" (the stock server answering before it loaded) comes in later, if at all.
	let allCompleteMs: number | null = null;
	const deadline = performance.now() + 10_000;
	while (performance.now() < deadline) {
		if (docs.every((d, i) => isComplete(d, i))) {
			allCompleteMs = performance.now() - t0;
			break;
		}
		await sleep(20);
	}
	for (const p of providers) p.destroy();
	return { ms, completeAtSynced: complete, allCompleteMs, sockets: n };
}

function row(name: string, run: PullRun, n: number) {
	return {
		path: name,
		sockets: run.sockets,
		'ms to synced': Math.round(run.ms),
		'complete at synced': `${run.completeAtSynced}/${n}`,
		'ms to all complete': run.allCompleteMs === null ? 'not within 10 s' : Math.round(run.allCompleteMs)
	};
}

export async function pullBench(n = 1_000): Promise<BenchResult> {
	const dirs: string[] = [];
	const servers: Server[] = [];
	const rows: BenchResult['rows'] = [];
	const notes: string[] = [];
	try {
		// Our relay's storage, prepared once; each run gets a freshly started relay process (cold caches).
		const dataDir = tempDir('courtyard-bench-pull-');
		dirs.push(dataDir);
		const store = SqliteStore.open(dataDir);
		await store.appendUpdates(Array.from({ length: n }, (_, i) => ({ doc: benchDocName(i), data: benchDocUpdate(i) })));
		await store.close();
		const token = await benchToken(dataDir);
		const ours = async () => {
			// One socket per document is the stock pattern this compares against: allow it past the per-device cap.
			const s = await spawnServer('relay', 'server/main.ts', { DATA_DIR: dataDir, SEED: '0', STATIC_DIR: dataDir, ...MANY_SOCKETS });
			servers.push(s);
			return s;
		};

		let relay = await ours();
		rows.push(row('(i) relay /sync BatchSync, cold', await batchPull(relay.url, n, token), n));
		rows.push(row('(i) relay /sync BatchSync, warm', await batchPull(relay.url, n, token), n));
		await relay.stop();

		relay = await ours();
		rows.push(row('(ii) relay /ws, provider per doc', await naivePull(`${relay.url.replace(/^http/, 'ws')}/ws`, n, { token }), n));
		await relay.stop();

		try {
			const memory = await spawnServer('stock', 'bench/relay-stock-server.ts', { BENCH_DOCS: String(n) });
			servers.push(memory);
			rows.push(row('(iii) stock server, in memory', await naivePull(memory.url.replace(/^http/, 'ws'), n), n));
			await memory.stop();

			const leveldb = tempDir('courtyard-bench-leveldb-');
			dirs.push(leveldb);
			const persisted = await spawnServer('stock', 'bench/relay-stock-server.ts', { BENCH_DOCS: String(n), YPERSISTENCE: leveldb });
			servers.push(persisted);
			await persisted.stop();
			// Restarted, so documents are on disk only, as after any restart of a real deployment.
			const cold = await spawnServer('stock', 'bench/relay-stock-server.ts', { YPERSISTENCE: leveldb });
			servers.push(cold);
			rows.push(row('(iii) stock server, y-leveldb', await naivePull(cold.url.replace(/^http/, 'ws'), n), n));
			await cold.stop();
		} catch (error) {
			notes.push(`stock y-websocket server baseline skipped: ${(error as Error).message.split('\n')[0]}`);
		}
		notes.push(`${n} documents of ~${benchDocUpdate(0).length} bytes each; client and server on 127.0.0.1, server in its own process.`);
		notes.push('"complete at synced": documents holding their full content when the client declared them synced.');
		notes.push('Client Y.Docs get a guid: lib0 generates a random one at ~0.2 ms per Y.Doc, which would dominate (i).');
	} finally {
		for (const s of servers) await s.stop();
		for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
	}
	return result('pull: a fresh device fetching documents', rows, notes);
}

runAlone(import.meta.url, () => {
	const n = Number(process.argv[2] ?? 1_000);
	return pullBench(n);
});
