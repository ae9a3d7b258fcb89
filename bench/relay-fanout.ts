/**
 * fanoutBench: 20 rooms × 10 stock y-websocket clients, one writer per room typing 20 updates/s for ~5 s; the
 * server's CPU time (user+system, from /proc) per delivered update, for our relay (/ws, every update fsynced
 * before it is broadcast) beside the stock y-websocket server (@y/websocket-server) in memory and with y-leveldb.
 * Run alone: npx tsx bench/relay-fanout.ts [rooms] [clientsPerRoom] [seconds]
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type BenchResult, benchToken, cpuMs, isMain, MANY_SOCKETS, result, type Server, sleep, spawnServer, tempDir } from './relay-kit';

interface FanoutRun {
	cpuMs: number;
	delivered: number;
	expected: number;
	seconds: number;
}

async function fanout(
	server: Server,
	serverUrl: string,
	rooms: number,
	perRoom: number,
	seconds: number,
	params: Record<string, string>
): Promise<FanoutRun> {
	process.setMaxListeners(0);
	const providers: WebsocketProvider[] = [];
	const writers: Array<{ doc: Y.Doc }> = [];
	let delivered = 0;
	for (let r = 0; r < rooms; r++) {
		for (let c = 0; c < perRoom; c++) {
			const doc = new Y.Doc();
			const p = new WebsocketProvider(serverUrl, `bench:proposal:room${r}`, doc, {
				WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
				disableBc: true,
				params
			});
			providers.push(p);
			if (c === 0) writers.push({ doc });
			else doc.on('update', (_u: Uint8Array, origin: unknown) => origin === p && delivered++);
		}
	}
	const deadline = Date.now() + 30_000;
	while (!providers.every((p) => p.synced)) {
		if (Date.now() > deadline) throw new Error('clients did not sync');
		await sleep(20);
	}
	await sleep(300);
	delivered = 0;
	const perWriter = Math.round(20 * seconds);
	const expected = rooms * perWriter * (perRoom - 1);
	const cpu0 = cpuMs(server.pid);
	const t0 = performance.now();
	await new Promise<void>((resolve) => {
		let sent = 0;
		const timer = setInterval(() => {
			for (const [i, w] of writers.entries()) {
				const text = w.doc.getText('description');
				text.insert(text.length, `第${sent}条 note from writer ${i}; `);
			}
			if (++sent >= perWriter) {
				clearInterval(timer);
				resolve();
			}
		}, 50);
	});
	const waitUntil = Date.now() + 10_000;
	while (delivered < expected && Date.now() < waitUntil) await sleep(10);
	const elapsed = (performance.now() - t0) / 1000;
	const cpu = cpuMs(server.pid) - cpu0;
	for (const p of providers) p.destroy();
	return { cpuMs: cpu, delivered, expected, seconds: elapsed };
}

export async function fanoutBench(rooms = 20, perRoom = 10, seconds = 5): Promise<BenchResult> {
	const dirs: string[] = [];
	const servers: Server[] = [];
	const rows: BenchResult['rows'] = [];
	const notes: string[] = [];
	const runs = new Map<string, FanoutRun>();
	const run = async (name: string, script: string, env: Record<string, string>, path: string, params: Record<string, string> = {}) => {
		const s = await spawnServer(name, script, env);
		servers.push(s);
		const r = await fanout(s, s.url.replace(/^http/, 'ws') + path, rooms, perRoom, seconds, params);
		await s.stop();
		runs.set(name, r);
		rows.push({
			server: name,
			'cpu ms': Math.round(r.cpuMs),
			delivered: `${r.delivered}/${r.expected}`,
			'cpu µs / delivered update': r.delivered ? (r.cpuMs * 1000) / r.delivered : 'n/a',
			'wall s': r.seconds
		});
	};
	try {
		const dataDir = tempDir('courtyard-bench-fanout-');
		dirs.push(dataDir);
		const token = await benchToken(dataDir);
		// All 200 clients share one credential here: allow them past the per-device socket cap.
		await run('relay /ws (SQLite, fsync)', 'server/main.ts', { DATA_DIR: dataDir, SEED: '0', STATIC_DIR: dataDir, ...MANY_SOCKETS }, '/ws', { token });
		try {
			await run('stock, in memory', 'bench/relay-stock-server.ts', {}, '');
			const leveldb = tempDir('courtyard-bench-leveldb-');
			dirs.push(leveldb);
			await run('stock, y-leveldb', 'bench/relay-stock-server.ts', { YPERSISTENCE: leveldb }, '');
		} catch (error) {
			notes.push(`stock y-websocket server baseline skipped: ${(error as Error).message.split('\n')[0]}`);
		}
		const ours = runs.get('relay /ws (SQLite, fsync)');
		const perUpdate = (r: FanoutRun | undefined) => (r && r.delivered ? r.cpuMs / r.delivered : NaN);
		for (const name of ['stock, in memory', 'stock, y-leveldb']) {
			const other = runs.get(name);
			if (ours && other) notes.push(`relay / ${name}: ${(perUpdate(ours) / perUpdate(other)).toFixed(2)}× the CPU per delivered update`);
		}
		notes.push(`${rooms} rooms × ${perRoom} clients, one writer per room at 20 updates/s for ${seconds} s; clients in this process, server in its own.`);
		notes.push('CPU from /proc/<pid>/stat (10 ms ticks), measured over the write phase only.');
	} finally {
		for (const s of servers) await s.stop();
		for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
	}
	return result('fan-out: server CPU per delivered update', rows, notes);
}

if (isMain(import.meta.url)) {
	const [rooms, perRoom, seconds] = process.argv.slice(2).map(Number);
	fanoutBench(rooms || 20, perRoom || 10, seconds || 5).then(
		(r) => {
			console.log(r.toString());
			process.exit(0);
		},
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		}
	);
}
