/**
 * Real PostgreSQL and Redis servers from Debian's packages (`npm test` installs them when missing), on ephemeral
 * ports. For tests, each call starts its own server in a temporary directory removed on stop; `npm run cluster`
 * passes a directory of its own, kept between runs. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user the package creates.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServiceOptions {
	/** Keep the server's files here (created when missing, kept on stop); default: a temporary directory. */
	dir?: string;
	/** Port to listen on; default: a free ephemeral port. */
	port?: number;
}

export interface Service {
	/** postgres://… or redis://… */
	url: string;
	port: number;
	/** Stops the server (SIGKILL when `hard`) and, unless kept, deletes its directory. */
	stop(options?: { hard?: boolean }): Promise<void>;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function postgresBin(name: string): string {
	const base = '/usr/lib/postgresql';
	if (existsSync(base)) {
		for (const version of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
			const candidate = join(base, version, 'bin', name);
			if (existsSync(candidate)) return candidate;
		}
	}
	throw new Error(`PostgreSQL's ${name} not found under ${base}: apt-get install -y postgresql (npm test does it as root)`);
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Resolves once `port` accepts connections; throws if `child` exits first or the time runs out. */
export async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before listening`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

function stopper(child: ChildProcess, dir: string, keep: boolean): Service['stop'] {
	return async ({ hard = false } = {}) => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			// PostgreSQL's "fast" shutdown is SIGINT; Redis stops on SIGTERM.
			child.kill(hard ? 'SIGKILL' : 'SIGINT');
			await exited;
		}
		if (!keep) rmSync(dir, { recursive: true, force: true });
	};
}

function postgresUser(): { uid: number; gid: number } | null {
	if (!isRoot) return null;
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

export interface PostgresService extends Service {
	/** Creates a new empty database on this server (tests use one per case); its URL. */
	freshDatabase(): Promise<string>;
}

/** A fresh PostgreSQL cluster with database `courtyard`, trust authentication on 127.0.0.1, fsync on. */
export async function startPostgres(options: ServiceOptions = {}): Promise<PostgresService> {
	const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'courtyard-pg-'));
	mkdirSync(dir, { recursive: true });
	const data = join(dir, 'data');
	const user = postgresUser();
	if (user) {
		chmodSync(dir, 0o700);
		chownSync(dir, user.uid, user.gid);
	}
	const as = user ? { uid: user.uid, gid: user.gid } : {};
	const fresh = !existsSync(join(data, 'PG_VERSION'));
	if (fresh) {
		execFileSync(postgresBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'], {
			...as,
			stdio: 'ignore'
		});
	}
	const port = options.port ?? (await freePort());
	const child = spawn(
		postgresBin('postgres'),
		['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
		{ ...as, stdio: 'ignore' }
	);
	await waitForPort(port, child, 'postgres');
	// The port opens before the cluster accepts connections; the first query retries until it does.
	const deadline = Date.now() + 30_000;
	const psql = (sql: string) =>
		execFileSync(postgresBin('psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-tAc', sql, 'postgres'], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore']
		});
	for (;;) {
		try {
			if (psql(`SELECT 1 FROM pg_database WHERE datname = 'courtyard'`).trim() !== '1') psql('CREATE DATABASE courtyard');
			break;
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	const url = `postgres://postgres@127.0.0.1:${port}/courtyard`;
	let databases = 0;
	const freshDatabase = async () => {
		const name = `db_${process.pid}_${++databases}`;
		psql(`CREATE DATABASE ${name}`);
		return url.replace(/\/courtyard$/, `/${name}`);
	};
	return { url, port, stop: stopper(child, dir, options.dir !== undefined), freshDatabase };
}

/** A fresh Redis server, no persistence, on 127.0.0.1. */
export async function startRedis(options: ServiceOptions = {}): Promise<Service> {
	const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'courtyard-redis-'));
	mkdirSync(dir, { recursive: true });
	const port = options.port ?? (await freePort());
	const bin = existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';
	const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
	await waitForPort(port, child, 'redis-server');
	return { url: `redis://127.0.0.1:${port}`, port, stop: stopper(child, dir, options.dir !== undefined) };
}
