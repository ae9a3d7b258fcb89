/**
 * `npm run cluster`: the deployment for trying several relay processes on one machine (PostgreSQL, Redis, N
 * relays, nginx) comes up with one command, serves stock y-websocket clients through the load balancer and
 * directly on each process, survives the loss of one relay, and Ctrl-C stops all of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { freePort } from '../../scripts/services';
import { provider, removeDir, ROOT, tempDir, waitFor, whenSynced } from './helpers';

let script: ChildProcess;
let output = '';
let dir = '';
let lbUrl = '';
let relayPorts: number[] = [];
const providers: WebsocketProvider[] = [];

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/** Pids of processes whose command line or environment mentions `needle` (the cluster's directory). */
function processesUsing(needle: string): number[] {
	return fs
		.readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
		.filter((pid) => {
			try {
				return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle) || fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(needle);
			} catch {
				return false;
			}
		})
		.map(Number);
}

beforeAll(async () => {
	dir = tempDir('courtyard-cluster-');
	// As root, PostgreSQL runs as the `postgres` user, who must be able to reach its folder inside this one.
	fs.chmodSync(dir, 0o755);
	const port = await freePort();
	lbUrl = `http://127.0.0.1:${port}`;
	const staticDir = path.join(dir, 'no-build');
	fs.mkdirSync(staticDir);
	script = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', '--relays', '2', '--port', String(port), '--dir', path.join(dir, 'cluster')], {
		cwd: ROOT,
		// Open auth: the clients' `token` parameters only spread them over the processes (nginx hashes on it).
		env: { ...process.env, STATIC_DIR: staticDir, SEED: '0', COURTYARD_AUTH: 'open' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	script.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
	script.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
	const line = await waitFor(() => /relay processes \(ports ([\d, ]+)\) behind nginx/.exec(output), { timeout: 60_000, what: 'the cluster to start' }).catch(
		(error: Error) => {
			throw new Error(`${error.message}; it printed:\n${output}`);
		}
	);
	relayPorts = (line[1] as string).split(', ').map(Number);
}, 90_000);

afterAll(async () => {
	for (const p of providers) p.destroy();
	if (script && script.exitCode === null) {
		script.kill('SIGKILL');
		for (const pid of processesUsing(dir)) process.kill(pid, 'SIGKILL');
	}
	removeDir(dir);
});

describe('npm run cluster', () => {
	it('starts two relay processes behind nginx, on PostgreSQL and Redis', async () => {
		expect(relayPorts).toHaveLength(2);
		expect(output).toMatch(/PostgreSQL postgres:\/\/\S+, Redis redis:\/\/\S+/);
		const health = await fetch(`${lbUrl}/api/health`);
		expect(health.status).toBe(200);
		for (const port of relayPorts) expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
	});

	it('clients on either process and through the load balancer converge', async () => {
		const doc = 'demo:proposal:cluster';
		const docs: Y.Doc[] = [];
		// One client on each process directly, and six through nginx with different credentials.
		const urls = [...relayPorts.map((p) => `http://127.0.0.1:${p}`), ...Array.from({ length: 6 }, () => lbUrl)];
		for (const [i, url] of urls.entries()) {
			const ydoc = new Y.Doc();
			const p = provider(url, doc, ydoc, { token: `device-${i}` });
			providers.push(p);
			docs.push(ydoc);
			await whenSynced(p);
		}
		for (const [i, ydoc] of docs.entries()) ydoc.getMap('cluster').set(`from-${i}`, i);
		for (const ydoc of docs) {
			await waitFor(() => ydoc.getMap('cluster').size === docs.length, { timeout: 10_000, what: 'every client to hold every write' });
		}
		const first = (docs[0] as Y.Doc).getMap('cluster').toJSON();
		for (const ydoc of docs) expect(ydoc.getMap('cluster').toJSON()).toEqual(first);
	});

	it('loses one relay: clients through the load balancer reconnect to the other and go on', async () => {
		const pids = processesUsing(path.join(dir, 'cluster'));
		// The relay on the first port: the process whose environment names that port.
		const killed = pids.find((pid) => {
			try {
				return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PORT=${relayPorts[0]}`);
			} catch {
				return false;
			}
		});
		expect(killed).toBeDefined();
		process.kill(killed as number, 'SIGKILL');
		await waitFor(() => !alive(killed as number), { what: 'the relay to die' });
		const throughLb = providers.slice(2);
		const survivorDirect = providers[1] as WebsocketProvider;
		const marker = `after-${Date.now()}`;
		throughLb[0]?.doc.getMap('cluster').set(marker, true);
		await waitFor(() => survivorDirect.doc.getMap('cluster').get(marker) === true, { timeout: 20_000, what: 'a write after the loss to reach the surviving relay' });
		for (const p of throughLb) await waitFor(() => p.doc.getMap('cluster').get(marker) === true, { timeout: 20_000, what: 'every client to hold it' });
	}, 60_000);

	it('Ctrl-C stops nginx, the relays, Redis and PostgreSQL; the data stays for the next run', async () => {
		const exited = new Promise<number | null>((resolve) => script.once('exit', (code) => resolve(code)));
		script.kill('SIGINT');
		expect(await exited).toBe(0);
		await waitFor(() => processesUsing(dir).length === 0, { timeout: 15_000, what: 'every process of the cluster to stop' });
		expect(fs.existsSync(path.join(dir, 'cluster', 'postgres', 'data', 'PG_VERSION'))).toBe(true);
	}, 30_000);
});
