/**
 * Entry point: `node --import tsx server/main.ts`.
 *   PORT (8080; 0 picks a free port), HOST (0.0.0.0), DATA_DIR (./data), STATIC_DIR (./build),
 *   SEED (1: seed the demo community on first start; 0: never), IDLE_UNLOAD_MS (30000),
 *   COURTYARD_AUTH (credentials; `open` lets anyone write everything: development only),
 *   CREDENTIAL_TTL (180d: lifetime of a credential issued on joining), PUBLIC_ORIGIN (origin for invitation
 *   links, default the request's host), TRUST_PROXY (1: client address from X-Forwarded-For).
 * Prints `courtyard relay listening on http://127.0.0.1:<port>` to stdout first once listening (tests parse it);
 * on a first start that seeded the demo, the demo invitation links follow. SIGTERM/SIGINT shut down
 * gracefully: stop accepting, flush storage, close sockets with 4503, close the database, exit 0.
 */
import { formatBootstrap } from './bootstrap';
import { parseDuration } from './duration';
import { startRelay } from './relay';

function intEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
	return value;
}

function authEnv(): 'credentials' | 'open' {
	const raw = process.env.COURTYARD_AUTH || 'credentials';
	if (raw !== 'credentials' && raw !== 'open') throw new Error(`COURTYARD_AUTH must be credentials or open, got ${raw}`);
	return raw;
}

async function main(): Promise<void> {
	const ttl = process.env.CREDENTIAL_TTL;
	const relay = await startRelay({
		port: intEnv('PORT', 8080),
		host: process.env.HOST || '0.0.0.0',
		dataDir: process.env.DATA_DIR || './data',
		staticDir: process.env.STATIC_DIR || './build',
		seed: process.env.SEED !== '0',
		idleUnloadMs: intEnv('IDLE_UNLOAD_MS', 30_000),
		auth: authEnv(),
		credentials: { credentialTtlMs: ttl ? parseDuration(ttl) : undefined },
		publicOrigin: process.env.PUBLIC_ORIGIN || undefined,
		trustProxy: process.env.TRUST_PROXY === '1'
	});
	process.stdout.write(`courtyard relay listening on http://127.0.0.1:${relay.port}\n`);
	if (relay.bootstrap.length > 0) process.stdout.write(formatBootstrap(relay.bootstrap));
	else if (relay.credentials.devices(null).length === 0) {
		console.error('[relay] no device has joined yet: npm run admin -- invite --role community-admin --community <id>');
	}

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.error(`[relay] ${signal}: shutting down`);
		relay.close().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error('[relay] shutdown failed', error);
				process.exit(1);
			}
		);
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
	console.error('[relay] failed to start:', error);
	process.exit(1);
});
