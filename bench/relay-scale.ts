/**
 * scaleBench: delivered updates per second and delivery latency (p50, p99) for the relay as one process
 * (SQLite, the embedded default), as one process on PostgreSQL + Redis, and as two processes behind Redis on one
 * PostgreSQL. Same offered load in every run: `rooms` documents with `perRoom` stock y-websocket clients each, one
 * writer per room at `rate` updates/s; with two processes a room's clients alternate between them, so most
 * deliveries cross processes. Credentials and durable writes are on, as deployed. Latency is measured by one
 * clock: the clients all live in this process, and each update carries its send time.
 * Run alone: npx tsx bench/relay-scale.ts [rooms] [perRoom] [rate] [seconds]
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { Credentials } from '../server/auth/credentials';
import { openPostgres } from '../server/storage/postgres/db';
import { PgAccessStore } from '../server/storage/postgres/access-pg';
import { startPostgres, startRedis } from '../scripts/services';
import { type BenchResult, benchToken, cpuMs, MANY_SOCKETS, result, runAlone, type Server, sleep, spawnServer, tempDir } from './relay-kit';

interface ScaleRun {
	delivered: number;
	expected: number;
	seconds: number;
	latencies: number[];
	cpuMs: number;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : NaN);

async function load(servers: Server[], token: string, rooms: number, perRoom: number, rate: number, seconds: number): Promise<ScaleRun> {
	process.setMaxListeners(0);
	const providers: WebsocketProvider[] = [];
	const writers: Y.Doc[] = [];
	const latencies: number[] = [];
	let delivered = 0;
	let measuring = false;
	for (let r = 0; r < rooms; r++) {
		for (let c = 0; c < perRoom; c++) {
			const server = servers[(r + c) % servers.length] as Server;
			const doc = new Y.Doc();
			const p = new WebsocketProvider(server.url.replace(/^http/, 'ws') + '/ws', `bench:proposal:scale${r}`, doc, {
				WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
				disableBc: true,
				params: { token }
			});
			providers.push(p);
			if (c === 0) {
				writers.push(doc);
				continue;
			}
			// Each update appends its send time to the proposal's description (the write rules accept that).
			doc.getText('description').observe((event) => {
				if (!measuring) return;
				const now = performance.now();
				for (const op of event.delta) {
					if (typeof op.insert !== 'string') continue;
					for (const stamp of op.insert.split(';')) {
						if (!stamp) continue;
						delivered++;
						latencies.push(now - Number(stamp));
					}
				}
			});
		}
	}
	const deadline = Date.now() + 60_000;
	while (!providers.every((p) => p.synced)) {
		if (Date.now() > deadline) throw new Error('clients did not sync');
		await sleep(20);
	}
	await sleep(500);
	measuring = true;
	const perWriter = Math.round(rate * seconds);
	const expected = rooms * perWriter * (perRoom - 1);
	const cpu0 = servers.reduce((sum, s) => sum + cpuMs(s.pid), 0);
	const t0 = performance.now();
	await new Promise<void>((resolve) => {
		let sent = 0;
		const timer = setInterval(() => {
			for (const w of writers) {
				const text = w.getText('description');
				text.insert(text.length, `${performance.now().toFixed(3)};`);
			}
			if (++sent >= perWriter) {
				clearInterval(timer);
				resolve();
			}
		}, 1000 / rate);
	});
	const waitUntil = Date.now() + 15_000;
	while (delivered < expected && Date.now() < waitUntil) await sleep(10);
	const elapsed = (performance.now() - t0) / 1000;
	const cpu = servers.reduce((sum, s) => sum + cpuMs(s.pid), 0) - cpu0;
	measuring = false;
	for (const p of providers) p.destroy();
	return { delivered, expected, seconds: elapsed, latencies: latencies.sort((a, b) => a - b), cpuMs: cpu };
}

async function pgToken(databaseUrl: string, dataDir: string): Promise<string> {
	const pg = await openPostgres(databaseUrl);
	const credentials = await Credentials.open(dataDir, { revocationPollMs: 0 }, undefined, new PgAccessStore(pg.pool));
	try {
		return (await credentials.issue({ role: 'community_admin', community: 'bench' }, 'bench client')).token;
	} finally {
		await credentials.close();
		await pg.close();
	}
}

export async function scaleBench(rooms = 20, perRoom = 10, rate = 20, seconds = 5): Promise<BenchResult> {
	const rows: BenchResult['rows'] = [];
	const notes: string[] = [];
	const dirs: string[] = [];
	const servers: Server[] = [];
	const row = (name: string, processes: number, r: ScaleRun) =>
		rows.push({
			relay: name,
			processes,
			'delivered / s': Math.round(r.delivered / r.seconds),
			delivered: `${r.delivered}/${r.expected}`,
			'p50 ms': quantile(r.latencies, 0.5),
			'p99 ms': quantile(r.latencies, 0.99),
			'relay cpu µs / delivered': r.delivered ? (r.cpuMs * 1000) / r.delivered : 'n/a'
		});
	const postgres = await startPostgres();
	const redis = await startRedis();
	try {
		const sqliteDir = tempDir('courtyard-bench-scale-');
		dirs.push(sqliteDir);
		const relayEnv = { SEED: '0', STATIC_DIR: sqliteDir, ...MANY_SOCKETS };
		{
			const token = await benchToken(sqliteDir);
			const s = await spawnServer('relay, SQLite', 'server/main.ts', { ...relayEnv, DATA_DIR: sqliteDir });
			servers.push(s);
			row('embedded (SQLite)', 1, await load([s], token, rooms, perRoom, rate, seconds));
			await s.stop();
		}
		for (const processes of [1, 2]) {
			// A fresh database per run, so neither run reads the other's rows.
			const databaseUrl = await postgres.freshDatabase();
			const dataDir = tempDir('courtyard-bench-scale-');
			dirs.push(dataDir);
			const token = await pgToken(databaseUrl, dataDir);
			const env = { ...relayEnv, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: redis.url };
			const started: Server[] = [];
			for (let i = 0; i < processes; i++) started.push(await spawnServer(`relay ${i + 1}`, 'server/main.ts', env));
			servers.push(...started);
			row('PostgreSQL + Redis', processes, await load(started, token, rooms, perRoom, rate, seconds));
			for (const s of started) await s.stop();
		}
		notes.push(`${rooms} rooms × ${perRoom} stock clients, one writer per room at ${rate} updates/s for ${seconds} s; with 2 processes a room's clients alternate between them.`);
		notes.push('One machine holds everything (relays, PostgreSQL, Redis and the clients): the figures compare set-ups, they are not a capacity.');
	} finally {
		for (const s of servers) await s.stop();
		await redis.stop();
		await postgres.stop();
		for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
	}
	return result('scale-out: delivered updates and latency, 1 and 2 relay processes', rows, notes);
}

runAlone(import.meta.url, () => {
	const [rooms, perRoom, rate, seconds] = process.argv.slice(2).map(Number);
	return scaleBench(rooms || 20, perRoom || 10, rate || 20, seconds || 5);
});
