/**
 * Shared by the relay benches: child processes for our relay and the stock y-websocket server, their CPU time
 * from /proc, deterministic ~2 KB documents, and printable results. Everything stays on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleServer, RELAY_NODE_FLAGS } from '../scripts/relay-bundle.mjs';
import { Credentials } from '../server/auth/credentials';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchResult {
	title: string;
	rows: Array<Record<string, string | number>>;
	notes: string[];
	toString(): string;
}

export function result(title: string, rows: BenchResult['rows'], notes: string[] = []): BenchResult {
	return {
		title,
		rows,
		notes,
		toString() {
			const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
			const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
			const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
			const line = (vals: string[]) => vals.map((v, i) => v.padEnd(width[i] ?? 0)).join('  ');
			return [
				`== ${title}`,
				line(cols),
				line(width.map((w) => '-'.repeat(w))),
				...rows.map((r) => line(cols.map((c) => cell(r[c])))),
				...notes.map((n) => `  ${n}`)
			].join('\n');
		}
	};
}

export interface Server {
	name: string;
	url: string;
	pid: number;
	child: ChildProcess;
	stop(): Promise<void>;
}

const compiled = new Map<string, Promise<string>>();

/**
 * `script` compiled to one ES module as `npm start` runs the relay (scripts/relay-bundle.mjs), so a server runs
 * as plain JavaScript: the tsx loader adds ~30 MB of RSS to any process, which would swamp the memory figures.
 * In .bench-data/ (git-ignored), deleted when the bench exits.
 */
export function compileServer(script: string): Promise<string> {
	let out = compiled.get(script);
	if (out) return out;
	const dir = path.join(ROOT, '.bench-data', `${script.replace(/[/.]/g, '-')}-${process.pid}`);
	out = bundleServer(script, dir);
	compiled.set(script, out);
	process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
	return out;
}

/**
 * Node flags for a server: our relay gets those it is deployed with (RELAY_NODE_FLAGS, as `npm start` passes
 * them); BENCH_RELAY_FLAGS (space-separated, may be empty) replaces them, to weigh a flag.
 */
function nodeFlags(script: string): string[] {
	if (script !== 'server/main.ts') return [];
	const override = process.env.BENCH_RELAY_FLAGS;
	return override === undefined ? RELAY_NODE_FLAGS : override.split(' ').filter(Boolean);
}

/**
 * Spawns a server (`compileServer(script)` under plain node with its nodeFlags; `node --import tsx <script>`
 * with BENCH_TSX=1) and waits for a line containing `http://127.0.0.1:<port>` on stdout.
 */
export async function spawnServer(name: string, script: string, env: Record<string, string>): Promise<Server> {
	// BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there when it exits (node --cpu-prof).
	const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
	const entry = process.env.BENCH_TSX === '1' ? ['--import', 'tsx', script] : [await compileServer(script)];
	const child = spawn(process.execPath, [...prof, ...nodeFlags(script), ...entry], {
		cwd: ROOT,
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let out = '';
	let err = '';
	child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${name} did not start: ${err}`)), 30_000);
		child.stdout?.on('data', (d: Buffer) => {
			out += d.toString();
			const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		void exited.then(() => reject(new Error(`${name} exited: ${err}`)));
	});
	return {
		name,
		url: `http://127.0.0.1:${port}`,
		pid: child.pid as number,
		child,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		}
	};
}

const CLK_TCK = 100;

/** User + system CPU time of a process in milliseconds (Linux /proc; 10 ms resolution). */
export function cpuMs(pid: number): number {
	const { userMs, systemMs } = cpuSplitMs(pid);
	return userMs + systemMs;
}

/** A process's CPU time so far, in user space and in the kernel (socket writes and fsync land there). */
export function cpuSplitMs(pid: number): { userMs: number; systemMs: number } {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// After the command name: state is field 3, utime 14 and stime 15 (1-based, counting pid and comm).
	return { userMs: (Number(fields[11]) * 1000) / CLK_TCK, systemMs: (Number(fields[12]) * 1000) / CLK_TCK };
}

export function tempDir(prefix: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export { benchDocName, benchDocUpdate, benchText } from './relay-bench-docs';

/**
 * A community admin credential for the `bench` community, signed with the key in `dataDir` (created there if
 * missing), so the relay started on that directory accepts it: the benches run with access control on, as
 * deployed.
 */
export async function benchToken(dataDir: string): Promise<string> {
	const credentials = await Credentials.open(dataDir, { revocationPollMs: 0 });
	try {
		return (await credentials.issue({ role: 'community_admin', community: 'bench' }, 'bench client')).token;
	} finally {
		await credentials.close();
	}
}

/** `count` community admin credentials, one per device (see benchToken). */
export async function benchTokens(dataDir: string, count: number): Promise<string[]> {
	const credentials = await Credentials.open(dataDir, { revocationPollMs: 0 });
	try {
		const tokens: string[] = [];
		for (let i = 0; i < count; i++) {
			tokens.push((await credentials.issue({ role: 'community_admin', community: 'bench' }, `bench device ${i}`)).token);
		}
		return tokens;
	} finally {
		await credentials.close();
	}
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Relay environment for benches whose many sockets share one credential and one address (loopback). */
export const MANY_SOCKETS = { MAX_SOCKETS_PER_DEVICE: '100000', MAX_SOCKETS_PER_ADDRESS: '100000' };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True when the module is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
	return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/**
 * When the module is the script node was started with, runs its bench, prints the result and exits (servers and
 * clients may still hold the event loop); a failure exits with status 1.
 */
export function runAlone(moduleUrl: string, bench: () => Promise<BenchResult>): void {
	if (!isMain(moduleUrl)) return;
	bench().then(
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
