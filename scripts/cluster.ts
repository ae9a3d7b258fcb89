/**
 * `npm run cluster -- [--relays N] [--port P] [--dir D]`: several relay processes on one machine, for trying the
 * deployment that scales out: PostgreSQL (documents, change feed, access database, photo metadata), Redis (fan-out
 * between the processes) and nginx in front as the load balancer, all from Debian's packages (installed with
 * apt-get when missing and running as root). Everything lives under D (default ./cluster-data) and is kept
 * between runs; Ctrl-C stops it all. STATIC_DIR serves an existing build as it is (default: build/, rebuilt when
 * out of date, as `npm start` does).
 *
 * nginx routes by a hash of the device's credential (the `token` query parameter of the WebSockets, or the
 * bearer token of API calls), so all sockets of one device land on one process, whatever its address, and move
 * only when that process leaves. A first start seeds the demo community into PostgreSQL and prints demo
 * invitation links through the load balancer.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';
import { bundleServer, RELAY_NODE_FLAGS } from './relay-bundle.mjs';
import { freePort, type Service, startPostgres, startRedis, waitForPort } from './services';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: string): string {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const relays = Number(arg('relays', '2'));
const port = Number(arg('port', process.env.PORT ?? '8080'));
const dir = resolve(arg('dir', 'cluster-data'));
if (!Number.isInteger(relays) || relays < 1 || relays > 32) throw new Error(`--relays must be 1…32, got ${relays}`);

function ensureNginx(): string {
	const bin = '/usr/sbin/nginx';
	if (existsSync(bin)) return bin;
	if (process.getuid?.() !== 0) throw new Error('nginx not found: apt-get install -y nginx (as root)');
	console.log('courtyard: installing nginx with apt…');
	execFileSync('apt-get', ['install', '-y', 'nginx'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	return bin;
}

/** Starts one relay and resolves with its port once it prints its listening line. */
function startRelayProcess(main: string, env: NodeJS.ProcessEnv, label: string): Promise<{ child: ChildProcess; port: number }> {
	const child = spawn(process.execPath, [...RELAY_NODE_FLAGS, main], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
	return new Promise((done, fail) => {
		let out = '';
		let listening = false;
		child.once('exit', (code) => fail(new Error(`${label} exited with code ${code} before listening`)));
		child.stdout?.on('data', (chunk: Buffer) => {
			// After the listening line, the relay's output passes through (the demo invitations, on a first start).
			if (listening) return void process.stdout.write(chunk);
			out += chunk.toString('utf8');
			const m = /listening on http:\/\/[^:]+:(\d+)\n/.exec(out);
			if (!m) return;
			listening = true;
			process.stdout.write(out.slice(m.index + m[0].length));
			done({ child, port: Number(m[1]) });
		});
	});
}

function nginxConfig(prefix: string, upstreams: number[]): string {
	const user = process.getuid?.() === 0 ? 'user root;\n' : '';
	return `${user}worker_processes 1;
error_log ${prefix}/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path ${prefix}/tmp/body;
	proxy_temp_path ${prefix}/tmp/proxy;
	fastcgi_temp_path ${prefix}/tmp/fastcgi;
	uwsgi_temp_path ${prefix}/tmp/uwsgi;
	scgi_temp_path ${prefix}/tmp/scgi;
	client_max_body_size 16m;
	map $http_upgrade $connection_upgrade { default upgrade; '' close; }
	# The device's credential: the WebSockets' token parameter, or an API call's bearer token.
	map $http_authorization $bearer { ~^Bearer\\s+(?<t>.+)$ $t; default ''; }
	upstream relays {
		hash $arg_token$bearer consistent;
${upstreams.map((p) => `\t\tserver 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
	}
	server {
		listen 127.0.0.1:${port};
		location / {
			proxy_pass http://relays;
			proxy_http_version 1.1;
			proxy_set_header Upgrade $http_upgrade;
			proxy_set_header Connection $connection_upgrade;
			proxy_set_header Host $host;
			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_read_timeout 1h;
			proxy_next_upstream error timeout;
		}
	}
}
`;
}

async function main(): Promise<void> {
	// STATIC_DIR names a build to serve as it is; otherwise build/ is (re)built when out of date, as npm start does.
	if (!process.env.STATIC_DIR) buildIfStale();
	const nginx = ensureNginx();
	mkdirSync(dir, { recursive: true });
	const children: ChildProcess[] = [];
	const services: Service[] = [];
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
		for (const child of children.reverse()) if (running(child)) child.kill('SIGTERM');
		await Promise.all(children.map((c) => (running(c) ? new Promise((r) => c.once('exit', r)) : null)));
		for (const service of services.reverse()) await service.stop();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));

	// Compiled into the cluster's own directory: another cluster or npm start may be running from this checkout.
	const relayMain = await bundleServer('server/main.ts', join(dir, 'relay-build'));
	const postgres = await startPostgres({ dir: join(dir, 'postgres') });
	services.push(postgres);
	const redis = await startRedis({ dir: join(dir, 'redis') });
	services.push(redis);
	console.log(`courtyard: PostgreSQL ${postgres.url}, Redis ${redis.url}`);

	const common: NodeJS.ProcessEnv = {
		DATABASE_URL: postgres.url,
		REDIS_URL: redis.url,
		// One signing key for all processes: every relay must accept every credential.
		DATA_DIR: join(dir, 'relay'),
		HOST: '127.0.0.1',
		TRUST_PROXY: '1',
		PUBLIC_ORIGIN: `http://127.0.0.1:${port}`
	};
	const ports: number[] = [];
	// The first relay alone: it creates the key file and, on a first start, seeds the demo; then the others.
	for (let i = 0; i < relays; i++) {
		const relay = await startRelayProcess(relayMain, { ...common, PORT: String(await freePort()), SEED: i === 0 ? (process.env.SEED ?? '1') : '0' }, `relay ${i + 1}`);
		relay.child.removeAllListeners('exit');
		relay.child.once('exit', (code) => {
			if (!stopping) console.error(`courtyard: relay ${i + 1} (port ${relay.port}) exited with code ${code}; the others keep serving`);
		});
		children.push(relay.child);
		ports.push(relay.port);
	}
	const prefix = join(dir, 'nginx');
	mkdirSync(join(prefix, 'tmp'), { recursive: true });
	const conf = join(prefix, 'nginx.conf');
	writeFileSync(conf, nginxConfig(prefix, ports));
	const lb = spawn(nginx, ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: 'inherit' });
	children.unshift(lb);
	lb.once('exit', (code) => {
		if (!stopping) {
			console.error(`courtyard: nginx exited with code ${code}`);
			void stop(1);
		}
	});
	// The address is announced only once nginx accepts connections on it.
	await waitForPort(port, lb, 'nginx');
	console.log(`courtyard: ${relays} relay processes (ports ${ports.join(', ')}) behind nginx on http://127.0.0.1:${port}`);
}

main().catch((error: unknown) => {
	console.error('courtyard: cluster failed to start:', error instanceof Error ? error.message : error);
	process.exit(1);
});
