/**
 * fanoutBench: stock y-websocket clients in rooms, one writer per room typing for ~5 s; the server's
 * CPU time (user+system, from /proc) per delivered update, for our relay (/ws, credentials on, every update
 * fsynced before it is broadcast) beside the stock y-websocket server (@y/websocket-server) in memory and with
 * y-leveldb, and a forwarding floor that does nothing but write each message to the other sockets, in two shapes:
 * 20 rooms × 10 clients, and 10 rooms × 100 clients (1,000 sockets), where the server's RSS is read too. Every
 * client of our relay is its own device with its own credential, as deployed.
 * Run alone: npx tsx bench/relay-fanout.ts [seconds] [shapes as rooms x clients x updates/s, e.g. 20x10x20,10x100x4]
 * BENCH_FANOUT_SERVERS=ours,memory,leveldb,floor picks the servers (all four by default); BENCH_RELAY_FLAGS replaces
 * the node flags our relay is deployed with (relay-kit.ts).
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type BenchResult, benchTokens, cpuSplitMs, MANY_SOCKETS, result, rssMb, runAlone, type Server, sleep, spawnServer, tempDir } from './relay-kit';

interface FanoutRun {
	cpuMs: number;
	/** Of cpuMs, the time spent in the kernel. */
	systemMs: number;
	delivered: number;
	expected: number;
	seconds: number;
	/** The server's RSS at the end of the write phase, every client still connected. */
	rssMb: number;
}

interface Shape {
	rooms: number;
	perRoom: number;
	/** Updates per second of each writer. */
	rate: number;
}

async function fanout(
	server: Server,
	serverUrl: string,
	shape: Shape,
	seconds: number,
	tokens: string[] | null
): Promise<FanoutRun> {
	process.setMaxListeners(0);
	const { rooms, perRoom } = shape;
	const providers: WebsocketProvider[] = [];
	const writers: Array<{ doc: Y.Doc }> = [];
	let delivered = 0;
	for (let r = 0; r < rooms; r++) {
		for (let c = 0; c < perRoom; c++) {
			const doc = new Y.Doc();
			const token = tokens?.[r * perRoom + c];
			const p = new WebsocketProvider(serverUrl, `bench:proposal:s${rooms}x${perRoom}r${r}`, doc, {
				WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
				disableBc: true,
				params: token ? { token } : {}
			});
			providers.push(p);
			if (c === 0) writers.push({ doc });
			else doc.on('update', (_u: Uint8Array, origin: unknown) => origin === p && delivered++);
		}
	}
	const deadline = Date.now() + 60_000;
	while (!providers.every((p) => p.synced)) {
		if (Date.now() > deadline) throw new Error('clients did not sync');
		await sleep(20);
	}
	// One write per room first, delivered everywhere, so that the rooms exist (on our relay a document with no
	// stored rows has no room until its first write) and the write phase measures the steady state.
	delivered = 0;
	for (const w of writers) w.doc.getText('description').insert(0, 'notes: ');
	while (delivered < rooms * (perRoom - 1)) {
		if (Date.now() > deadline) throw new Error('the first writes were not delivered');
		await sleep(20);
	}
	await sleep(500);
	delivered = 0;
	const perWriter = Math.round(shape.rate * seconds);
	const expected = rooms * perWriter * (perRoom - 1);
	const cpu0 = cpuSplitMs(server.pid);
	const t0 = performance.now();
	const mono0 = process.hrtime.bigint() / 1000n;
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
		}, 1000 / shape.rate);
	});
	const waitUntil = Date.now() + 20_000;
	while (delivered < expected && Date.now() < waitUntil) await sleep(10);
	const elapsed = (performance.now() - t0) / 1000;
	const cpu1 = cpuSplitMs(server.pid);
	const systemMs = cpu1.systemMs - cpu0.systemMs;
	const cpu = cpu1.userMs - cpu0.userMs + systemMs;
	const rss = rssMb(server.pid);
	// The write phase on the clock of V8's CPU profiles (monotonic µs), to cut a BENCH_CPU_PROF profile to it.
	if (process.env.BENCH_CPU_PROF) console.error(`write phase of ${server.name} (pid ${server.pid}): ${mono0}..${process.hrtime.bigint() / 1000n} µs`);
	for (const p of providers) p.destroy();
	return { cpuMs: cpu, systemMs, delivered, expected, seconds: elapsed, rssMb: rss };
}

const OURS = 'ours (credentials, SQLite fsync)';
const MEMORY = 'stock y-websocket, in memory';
const LEVELDB = 'stock y-websocket, y-leveldb';
const FLOOR = 'forwarding floor';

/**
 * Both shapes deliver ~4,000 updates a second: clients that cannot keep up (they share this process) would leave
 * the server with full socket buffers, and its figure would measure that.
 */
export const FANOUT_SHAPES: readonly Shape[] = [
	{ rooms: 20, perRoom: 10, rate: 20 },
	{ rooms: 10, perRoom: 100, rate: 4 }
];

export async function fanoutBench(seconds = 5, shapes: readonly Shape[] = FANOUT_SHAPES): Promise<BenchResult> {
	const picked = (process.env.BENCH_FANOUT_SERVERS ?? 'ours,memory,leveldb,floor').split(',');
	const dirs: string[] = [];
	const servers: Server[] = [];
	const notes: string[] = [];
	const runs = new Map<string, FanoutRun>();
	const run = async (shape: Shape, name: string, script: string, env: Record<string, string>, path: string, tokens: string[] | null) => {
		const s = await spawnServer(name, script, env);
		servers.push(s);
		try {
			const r = await fanout(s, s.url.replace(/^http/, 'ws') + path, shape, seconds, tokens);
			runs.set(`${shape.rooms}x${shape.perRoom} ${name}`, r);
			notes.push(
				`${shape.rooms} × ${shape.perRoom}, ${name}: ${Math.round(r.cpuMs)} ms CPU (${Math.round(r.systemMs)} in the kernel), ${r.delivered}/${r.expected} delivered in ${r.seconds.toFixed(1)} s, RSS ${Math.round(r.rssMb)} MB`
			);
		} finally {
			await s.stop();
		}
	};
	try {
		const dataDir = tempDir('courtyard-bench-fanout-');
		dirs.push(dataDir);
		const clients = Math.max(...shapes.map((s) => s.rooms * s.perRoom));
		const tokens = picked.includes('ours') ? await benchTokens(dataDir, clients) : [];
		for (const shape of shapes) {
			if (picked.includes('ours')) {
				// One address (loopback) for every client: lift the per-address socket cap.
				await run(shape, OURS, 'server/main.ts', { DATA_DIR: dataDir, SEED: '0', STATIC_DIR: dataDir, ...MANY_SOCKETS }, '/ws', tokens);
			}
			try {
				if (picked.includes('memory')) await run(shape, MEMORY, 'bench/relay-stock-server.ts', {}, '', null);
				if (picked.includes('floor')) await run(shape, FLOOR, 'bench/relay-forward-server.ts', {}, '', null);
				if (picked.includes('leveldb')) {
					const leveldb = tempDir('courtyard-bench-leveldb-');
					dirs.push(leveldb);
					await run(shape, LEVELDB, 'bench/relay-stock-server.ts', { YPERSISTENCE: leveldb }, '', null);
				}
			} catch (error) {
				notes.push(`stock y-websocket server skipped: ${(error as Error).message.split('\n')[0]}`);
			}
		}
	} finally {
		for (const s of servers) await s.stop();
		for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
	}
	const perUpdate = (r: FanoutRun | undefined) => (r && r.delivered ? (r.cpuMs * 1000) / r.delivered : NaN);
	const cell = (v: number, unit: string) => (Number.isFinite(v) ? `${v.toFixed(1)} ${unit}` : 'n/a');
	const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
	const rows: BenchResult['rows'] = [];
	for (const shape of shapes) {
		const key = (name: string) => `${shape.rooms}x${shape.perRoom} ${name}`;
		const ours = perUpdate(runs.get(key(OURS)));
		const stock = perUpdate(runs.get(key(MEMORY)));
		const floor = perUpdate(runs.get(key(FLOOR)));
		rows.push({
			'': `CPU per delivered update, ${shape.rooms} rooms × ${shape.perRoom} clients`,
			[MEMORY]: cell(stock, 'µs'),
			[LEVELDB]: cell(perUpdate(runs.get(key(LEVELDB))), 'µs'),
			[FLOOR]: cell(floor, 'µs'),
			[OURS]: cell(ours, 'µs'),
			'ours / stock in memory': ratio(ours, stock),
			'floor / stock': ratio(floor, stock)
		});
	}
	const big = shapes.reduce((a, b) => (b.rooms * b.perRoom > a.rooms * a.perRoom ? b : a));
	const rss = (name: string) => runs.get(`${big.rooms}x${big.perRoom} ${name}`)?.rssMb ?? NaN;
	rows.push({
		'': `server RSS, ${(big.rooms * big.perRoom).toLocaleString('en')} sockets`,
		[MEMORY]: cell(rss(MEMORY), 'MB'),
		[LEVELDB]: cell(rss(LEVELDB), 'MB'),
		[FLOOR]: cell(rss(FLOOR), 'MB'),
		[OURS]: cell(rss(OURS), 'MB'),
		'ours / stock in memory': ratio(rss(OURS), rss(MEMORY)),
		'floor / stock': ratio(rss(FLOOR), rss(MEMORY))
	});
	notes.push(
		`One writer per room (${shapes.map((s) => `${s.rate}/s at ${s.rooms} × ${s.perRoom}`).join(', ')}) for ${seconds} s; clients in this process, each server in its own, one after another.`
	);
	notes.push('CPU from /proc/<pid>/stat (10 ms ticks), over the write phase only; RSS from /proc/<pid>/status at its end.');
	notes.push(
		'The forwarding floor (bench/relay-forward-server.ts) only writes each message to the room\'s other sockets, framed once, through our transport: no Yjs, no credentials, no storage. No relay that writes every update to every socket as it arrives can cost less.'
	);
	return result('fan-out: server CPU per delivered update and RSS, beside the stock y-websocket server', rows, notes);
}

runAlone(import.meta.url, () => {
	const seconds = Number(process.argv[2]) || 5;
	const shapes = process.argv[3]
		?.split(',')
		.map((s) => s.split('x').map(Number))
		.map(([rooms, perRoom, rate]) => ({ rooms: rooms as number, perRoom: perRoom as number, rate: rate || 20 }));
	return fanoutBench(seconds, shapes);
});
