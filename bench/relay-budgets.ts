/**
 * budgetsBench, two figures about one resident trying to exhaust the relay:
 *  (a) other clients' update latency (p50/p99): 10 stock y-websocket writer/reader pairs, each writer setting a
 *      timestamp 10 times a second, without and then with one resident credential flooding writes over 4 /sync
 *      sockets as fast as the per-connection limits allow (16 KiB updates, ~3 MiB/s per socket, a new proposal
 *      whenever one is refused as too large). Against the relay as configured, and against the same relay with
 *      the write budget, the per-device write queue and the size caps lifted (the behaviour before them). The
 *      relay's CPU use during the flood (of one core) is printed too: it depends less on the machine's load.
 *  (b) the relay's RSS growth per 10,000 subscriptions to documents that do not exist, beside 10,000
 *      subscriptions to existing ~2 KB documents (each of which loads a room, as every subscription used to).
 *  (c) what serving a document at its kind's size cap costs: merging its stored rows and encoding its state,
 *      which the relay does synchronously (a BatchSync reply yields between documents, not inside one).
 * Run alone: npx tsx bench/relay-budgets.ts [seconds]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, decodeFrame, encodeFrame, type Frame, MuxMessage, SYNC_PATH, TOKEN_PARAM } from '../src/lib/protocol/messages';
import { Credentials } from '../server/auth/credentials';
import { DEFAULT_LIMITS } from '../server/core/limits';
import { SqliteStore } from '../server/storage/sqlite-store';
import { type BenchResult, benchDocUpdate, cpuMs, isMain, MANY_SOCKETS, result, ROOT, type Server, sleep, spawnServer, tempDir } from './relay-kit';

const OBSERVERS = 10;
const FLOOD_SOCKETS = 4;
const FLOOD_UPDATE_BYTES = 16 * 1024;
/** Per flooding socket; the relay's per-connection limits are 500 messages and 4 MiB a second. */
const FLOOD_PER_SECOND = 190;

function rssMb(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const wsBase = (s: Pick<Server, 'url'>) => s.url.replace(/^http/, 'ws');

function syncSocket(s: Pick<Server, 'url'>, token: string): Promise<WebSocket> {
	const ws = new WebSocket(`${wsBase(s)}${SYNC_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
	ws.binaryType = 'nodebuffer';
	ws.on('error', () => {});
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve(ws));
		ws.once('error', reject);
	});
}

interface Tokens {
	observers: string[];
	resident: { token: string; device: string };
	admin: string;
}

async function issueTokens(dataDir: string): Promise<Tokens> {
	const credentials = await Credentials.open(dataDir, { revocationPollMs: 0 });
	try {
		const observers: string[] = [];
		for (let i = 0; i < OBSERVERS; i++) {
			observers.push((await credentials.issue({ role: 'community_admin', community: 'bench' }, `observer ${i}`)).token);
		}
		const r = await credentials.issue({ role: 'resident', community: 'bench', household: 'b1-1-101' }, 'flooding resident');
		const admin = (await credentials.issue({ role: 'community_admin', community: 'bench' }, 'subscriber')).token;
		return { observers, resident: { token: r.token, device: r.device.id }, admin };
	} finally {
		await credentials.close();
	}
}

/** Writer/reader pairs; `measure(ms)` collects the readers' latencies over that long. */
async function observers(s: Server, tokens: string[]) {
	const providers: WebsocketProvider[] = [];
	const writers: Y.Doc[] = [];
	let samples: number[] | null = null;
	for (let i = 0; i < OBSERVERS; i++) {
		const name = `bench:proposal:observer${i}`;
		const open = (doc: Y.Doc) => {
			const p = new WebsocketProvider(`${wsBase(s)}/ws`, name, doc, {
				WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
				disableBc: true,
				params: { token: tokens[i] as string }
			});
			providers.push(p);
			return p;
		};
		const writer = new Y.Doc();
		open(writer);
		writers.push(writer);
		const reader = new Y.Doc();
		const p = open(reader);
		reader.getMap('meta').observe((event) => {
			if (event.transaction.origin !== p || !event.keysChanged.has('title')) return;
			const sent = Number(reader.getMap('meta').get('title'));
			if (samples && Number.isFinite(sent)) samples.push(performance.now() - sent);
		});
	}
	const deadline = Date.now() + 30_000;
	while (!providers.every((p) => p.synced)) {
		if (Date.now() > deadline) throw new Error('observers did not sync');
		await sleep(20);
	}
	const timer = setInterval(() => {
		for (const w of writers) w.getMap('meta').set('title', String(performance.now()));
	}, 100);
	await sleep(500);
	return {
		async measure(ms: number): Promise<number[]> {
			samples = [];
			await sleep(ms);
			const out = samples;
			samples = null;
			return out;
		},
		stop() {
			clearInterval(timer);
			for (const p of providers) p.destroy();
		}
	};
}

/** One resident over several /sync sockets, writing as fast as the per-connection limits allow. */
async function flood(s: Pick<Server, 'url'>, resident: Tokens['resident']) {
	const counts = { sent: 0, acked: 0, tooLarge: 0, rateLimited: 0, other: 0, closed: 0, bytesAcked: 0 };
	const sockets: WebSocket[] = [];
	const timers: NodeJS.Timeout[] = [];
	const text = '洪'.repeat(FLOOD_UPDATE_BYTES / 3);
	let docs = 0;
	for (let k = 0; k < FLOOD_SOCKETS; k++) {
		const ws = await syncSocket(s, resident.token);
		sockets.push(ws);
		let doc = `bench:proposal:flood${docs++}`;
		let created = false;
		const sizes = new Map<number, number>();
		ws.on('close', () => counts.closed++);
		ws.on('message', (data: Buffer) => {
			const frame: Frame = decodeFrame(new Uint8Array(data));
			if (frame.kind === MuxMessage.Ack) {
				counts.acked++;
				counts.bytesAcked += sizes.get(frame.requestId) ?? 0;
			} else if (frame.kind === MuxMessage.DocError) {
				if (frame.code === CloseCode.TooLarge) {
					counts.tooLarge++;
					if (frame.doc === doc) {
						doc = `bench:proposal:flood${docs++}`;
						created = false;
					}
				} else if (frame.code === CloseCode.RateLimited) counts.rateLimited++;
				else counts.other++;
			}
			sizes.delete((frame as { requestId?: number }).requestId ?? -1);
		});
		let requestId = 0;
		const tick = 20;
		timers.push(
			setInterval(() => {
				if (ws.readyState !== WebSocket.OPEN) return;
				for (let i = 0; i < (FLOOD_PER_SECOND * tick) / 1000; i++) {
					const d = new Y.Doc();
					if (!created) d.getMap('meta').set('createdBy', { id: resident.device, name: 'flood', role: 'resident' });
					created = true;
					d.getText('description').insert(0, text);
					const update = Y.encodeStateAsUpdate(d);
					d.destroy();
					sizes.set(++requestId, update.length);
					ws.send(encodeFrame({ kind: MuxMessage.Update, requestId, doc, update }));
					counts.sent++;
				}
			}, tick)
		);
	}
	return {
		counts,
		stop() {
			for (const t of timers) clearInterval(t);
			for (const ws of sockets) ws.terminate();
		}
	};
}

async function floodRun(name: string, env: Record<string, string>, seconds: number, rows: BenchResult['rows'], notes: string[]) {
	const dataDir = tempDir('courtyard-bench-budgets-');
	let server: Server | null = null;
	try {
		const tokens = await issueTokens(dataDir);
		server = await spawnServer('relay', 'server/main.ts', { DATA_DIR: dataDir, SEED: '0', STATIC_DIR: dataDir, ...env });
		const obs = await observers(server, tokens.observers);
		const quiet = await obs.measure(seconds * 1000);
		// The flooder runs in its own process, so that making its updates does not delay the observers here.
		const cpu0 = cpuMs(server.pid);
		const wall0 = performance.now();
		const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--flood', server.url, JSON.stringify(tokens.resident), String(seconds + 2)], {
			cwd: ROOT,
			stdio: ['ignore', 'pipe', 'inherit']
		});
		let out = '';
		child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		// Start measuring once the flooder (a fresh tsx process) is connected and writing.
		await sleep(1_500);
		const flooded = await obs.measure(seconds * 1000);
		await exited;
		const relayCpu = (cpuMs(server.pid) - cpu0) / (performance.now() - wall0);
		obs.stop();
		const c = JSON.parse(out) as Awaited<ReturnType<typeof flood>>['counts'];
		const row = (phase: string, samples: number[]) => ({
			relay: name,
			phase,
			samples: samples.length,
			'p50 ms': percentile(samples, 50),
			'p99 ms': percentile(samples, 99),
			'relay CPU': samples === quiet ? '' : `${(relayCpu * 100).toFixed(0)}%`
		});
		rows.push(row('quiet', quiet), row(`1 resident flooding on ${FLOOD_SOCKETS} sockets`, flooded));
		notes.push(
			`${name}: p50 ×${(percentile(flooded, 50) / percentile(quiet, 50)).toFixed(2)}, p99 ×${(percentile(flooded, 99) / percentile(quiet, 99)).toFixed(2)} under the flood; ` +
				`the flooder sent ${c.sent} updates (${((c.sent * FLOOD_UPDATE_BYTES) / 2 ** 20).toFixed(0)} MiB), ${c.acked} stored ` +
				`(${(c.bytesAcked / 2 ** 20).toFixed(1)} MiB), ${c.rateLimited} refused 4429, ${c.tooLarge} refused 4413, ${c.other} other errors, ` +
				`${c.closed} sockets closed`
		);
	} finally {
		await server?.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

/** RSS growth of a fresh relay for 10,000 subscriptions to missing documents, then to 10,000 existing ones. */
async function subscriptionMemory(rows: BenchResult['rows'], notes: string[]) {
	const n = 10_000;
	const dataDir = tempDir('courtyard-bench-subs-');
	let server: Server | null = null;
	try {
		const store = SqliteStore.open(dataDir);
		await store.appendUpdates(Array.from({ length: n }, (_, i) => ({ doc: `bench:proposal:exists${i}`, data: benchDocUpdate(i) })));
		await store.close();
		const tokens = await issueTokens(dataDir);
		server = await spawnServer('relay', 'server/main.ts', { DATA_DIR: dataDir, SEED: '0', STATIC_DIR: dataDir, ...MANY_SOCKETS });
		const srv = server;
		// 5,000 subscriptions per socket (the per-connection cap), one credential per set of names.
		const subscribe = async (token: string, names: string[]) => {
			const perSocket = 5_000;
			let greeted = 0;
			const sockets: WebSocket[] = [];
			for (let i = 0; i < names.length; i += perSocket) {
				const ws = await syncSocket(srv, token);
				sockets.push(ws);
				const seen = new Set<string>();
				ws.on('message', (data: Buffer) => {
					const f = decodeFrame(new Uint8Array(data));
					if (f.kind === MuxMessage.Doc && !seen.has(f.doc)) {
						seen.add(f.doc);
						greeted++;
					} else if (f.kind === MuxMessage.DocError) throw new Error(`${f.doc}: ${f.reason}`);
				});
				for (const doc of names.slice(i, i + perSocket)) ws.send(encodeFrame({ kind: MuxMessage.Subscribe, doc }));
			}
			const deadline = Date.now() + 60_000;
			while (greeted < names.length) {
				if (Date.now() > deadline) throw new Error(`only ${greeted}/${names.length} subscriptions answered`);
				await sleep(50);
			}
			await sleep(1_000);
			return sockets;
		};
		// Warm up code paths and caches, so the figures are about the subscriptions.
		for (const ws of await subscribe(tokens.observers[0] as string, ['bench:proposal:warm0', 'bench:proposal:exists0'])) ws.close();
		await sleep(500);
		const before = rssMb(srv.pid);
		const missing = await subscribe(tokens.admin, Array.from({ length: n }, (_, i) => `bench:proposal:invented${i}`));
		const afterMissing = rssMb(srv.pid);
		const existing = await subscribe(tokens.observers[1] as string, Array.from({ length: n }, (_, i) => `bench:proposal:exists${i}`));
		const afterExisting = rssMb(srv.pid);
		for (const ws of [...missing, ...existing]) ws.terminate();
		rows.push(
			{ subscriptions: `${n} to documents that do not exist`, 'RSS MB per 10k': ((afterMissing - before) * 10_000) / n },
			{ subscriptions: `${n} to existing ~2 KB documents (a room each)`, 'RSS MB per 10k': ((afterExisting - afterMissing) * 10_000) / n }
		);
		notes.push(
			`relay RSS ${before.toFixed(0)} MB → ${afterMissing.toFixed(0)} MB after the missing ones → ${afterExisting.toFixed(0)} MB after the existing ones.`,
			'Before vacancies, a subscription to a missing document loaded a room like an existing one does (issue 11: 100,000 → +560 MB).'
		);
	} finally {
		await server?.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

/** Median milliseconds of `fn` over `runs` runs. */
function median(fn: () => void, runs = 5): number {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t0 = performance.now();
		fn();
		times.push(performance.now() - t0);
	}
	return percentile(times, 50);
}

/**
 * A document at `cap` bytes, written as many edits, stored the way the relay stores it: rows merged into one
 * whenever there are more than compactThreshold (200), so at most 200 rows to merge when it is served cold.
 */
function cappedDocCost(kind: string, cap: number, paragraph: number): Record<string, string | number> {
	const doc = new Y.Doc();
	let rows: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => rows.push(u));
	let stored = 0;
	let edits = 0;
	while (stored < cap) {
		const text = doc.getText('description');
		const at = Math.floor((edits * 7919) % (text.length + 1));
		doc.transact(() => text.insert(at, `第${edits}段 ${'议事协商 '.repeat(paragraph)}`));
		edits++;
		if (rows.length > 200) rows = [Y.mergeUpdates(rows)];
		stored = rows.reduce((n, r) => n + r.length, 0);
	}
	const merged = Y.mergeUpdates(rows);
	return {
		document: `${kind} at its cap (${(cap / 1024).toFixed(0)} KiB, ${edits} edits, ${rows.length} rows)`,
		'merge rows ms': median(() => Y.mergeUpdates(rows)),
		'load as Y.Doc ms': median(() => Y.applyUpdate(new Y.Doc(), merged)),
		'encode state ms': median(() => Y.encodeStateAsUpdate(doc))
	};
}

export async function budgetsBench(seconds = 8): Promise<BenchResult[]> {
	const latency: BenchResult['rows'] = [];
	const latencyNotes: string[] = [];
	await floodRun('with budgets (defaults)', {}, seconds, latency, latencyNotes);
	const lifted = {
		WRITE_UPDATES_PER_MINUTE: '100000000',
		WRITE_BYTES_PER_MINUTE: '100000000000',
		WRITES_IN_FLIGHT_PER_DEVICE: '100000000',
		MAX_DOC_BYTES: 'proposal=100000m'
	};
	await floodRun('budgets lifted (before)', lifted, seconds, latency, latencyNotes);
	latencyNotes.push(
		`${OBSERVERS} writer/reader pairs of stock y-websocket clients, one timestamp per writer every 100 ms, ${seconds} s per phase; clients in this process, relay in its own.`
	);
	const memory: BenchResult['rows'] = [];
	const memoryNotes: string[] = [];
	await subscriptionMemory(memory, memoryNotes);
	const serving = [
		cappedDocCost('proposal', DEFAULT_LIMITS.maxDocBytes.proposal ?? 0, 40),
		cappedDocCost('minutes', DEFAULT_LIMITS.maxDocBytes.minutes ?? 0, 200),
		cappedDocCost('minutes ×4', 16 * 1024 * 1024, 400)
	];
	return [
		result('budgets: other clients\u2019 update latency while one resident floods', latency, latencyNotes),
		result('budgets: relay RSS per 10,000 subscriptions', memory, memoryNotes),
		result('budgets: serving a document at its size cap (in this process)', serving, [
			'Default caps (server/core/limits.ts): proposal 256 KiB; topic, poll, notice, meeting 1 MiB; registers, projects and minutes 4 MiB.'
		])
	];
}

if (isMain(import.meta.url) && process.argv[2] === '--flood') {
	// The flooding resident's process: floods for argv[5] seconds, then prints its counts as JSON.
	const [url, resident, seconds] = process.argv.slice(3) as [string, string, string];
	void flood({ url }, JSON.parse(resident) as Tokens['resident']).then(async (f) => {
		await sleep(Number(seconds) * 1000);
		f.stop();
		process.stdout.write(JSON.stringify(f.counts));
		process.exit(0);
	});
} else if (isMain(import.meta.url)) {
	budgetsBench(Number(process.argv[2]) || 8).then(
		(results) => {
			for (const r of results) console.log(`${r.toString()}\n`);
			process.exit(0);
		},
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		}
	);
}
