/**
 * Entry point: `node --import tsx server/main.ts`.
 *   PORT (8080; 0 picks a free port), HOST (0.0.0.0), DATA_DIR (./data), STATIC_DIR (./build),
 *   DATABASE_URL (postgres://…: documents and change feed in PostgreSQL; unset: SQLite in DATA_DIR),
 *   REDIS_URL (redis://…: several relay processes serve the same documents, fanned out through Redis; needs
 *   DATABASE_URL, and every process the same DATA_DIR/keys; see fanout/cluster.ts),
 *   SEED (1: seed the demo community on first start; 0: never), IDLE_UNLOAD_MS (30000),
 *   COURTYARD_AUTH (credentials; `open` lets anyone write everything: development only),
 *   CREDENTIAL_TTL (180d: lifetime of a credential issued on joining), PUBLIC_ORIGIN (origin for invitation
 *   links, default the request's host), TRUST_PROXY (1: client address from X-Forwarded-For).
 *   Budgets (limits.ts): MAX_DOC_BYTES (per-kind size caps, e.g. `proposal=512k,minutes=32m`),
 *   WRITE_UPDATES_PER_MINUTE, WRITE_BYTES_PER_MINUTE, WRITES_IN_FLIGHT_PER_DEVICE (per device), MAX_SOCKETS_PER_DEVICE, MAX_SOCKETS_PER_ADDRESS,
 *   HTTP_REQUEST_TIMEOUT_MS. Photos: PHOTO_QUOTA_DEVICE_MB (200), PHOTO_QUOTA_COMMUNITY_MB (5120), PHOTO_GC_GRACE
 *   (7d), PHOTO_GC_INTERVAL (1h; 0 off). Photo metadata lives beside the documents (PostgreSQL with DATABASE_URL);
 *   photo bytes: PHOTO_STORE=disk (default: DATA_DIR/photos) or PHOTO_STORE=s3 (any S3-compatible service; shared
 *   by relays on several machines) with S3_BUCKET, S3_ENDPOINT (e.g. http://127.0.0.1:9000; unset: AWS),
 *   S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (or the AWS_* names), S3_PREFIX (photos/).
 * A damaged database or key file stops the start with an error naming the file (integrity.ts), exit code 1.
 * Prints `courtyard relay listening on http://127.0.0.1:<port>` to stdout first once listening (tests parse it);
 * on a first start that seeded the demo, the demo invitation links follow. SIGTERM/SIGINT shut down
 * gracefully: stop accepting, flush storage, close sockets with 4503, close the database, exit 0.
 */
import { formatBootstrap } from './core/first-start';
import { parseDuration } from './core/duration';
import { DamagedFileError } from './storage/integrity';
import { type Limits, parseDocSizes } from './core/limits';
import { startRelay } from './relay';
import { consoleLogger } from './core/log';
import { photoBlobsFromEnv } from './storage/blob-store-s3';

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

/** Budget overrides from the environment; unset variables keep the defaults of limits.ts. */
function limitsEnv(): Partial<Limits> {
	const limits: Partial<Limits> = {};
	type Key = 'writeUpdatesPerMinute' | 'writeBytesPerMinute' | 'maxWritesInFlightPerCredential' | 'maxSocketsPerCredential' | 'maxSocketsPerAddress' | 'httpRequestTimeoutMs';
	const set = (name: string, key: Key) => {
		if (process.env[name]) limits[key] = intEnv(name, 0);
	};
	set('WRITE_UPDATES_PER_MINUTE', 'writeUpdatesPerMinute');
	set('WRITE_BYTES_PER_MINUTE', 'writeBytesPerMinute');
	set('WRITES_IN_FLIGHT_PER_DEVICE', 'maxWritesInFlightPerCredential');
	set('MAX_SOCKETS_PER_DEVICE', 'maxSocketsPerCredential');
	set('MAX_SOCKETS_PER_ADDRESS', 'maxSocketsPerAddress');
	set('HTTP_REQUEST_TIMEOUT_MS', 'httpRequestTimeoutMs');
	if (process.env.MAX_DOC_BYTES) limits.maxDocBytes = parseDocSizes(process.env.MAX_DOC_BYTES);
	// Photos: quotas in MiB; grace and interval as durations (PHOTO_GC_INTERVAL=0 turns the collection off).
	const mib = 1024 * 1024;
	if (process.env.PHOTO_QUOTA_DEVICE_MB) limits.photoQuotaDeviceBytes = intEnv('PHOTO_QUOTA_DEVICE_MB', 0) * mib;
	if (process.env.PHOTO_QUOTA_COMMUNITY_MB) limits.photoQuotaCommunityBytes = intEnv('PHOTO_QUOTA_COMMUNITY_MB', 0) * mib;
	if (process.env.PHOTO_GC_GRACE) limits.photoGcGraceMs = parseDuration(process.env.PHOTO_GC_GRACE);
	const gcInterval = process.env.PHOTO_GC_INTERVAL;
	if (gcInterval) limits.photoGcIntervalMs = gcInterval === '0' ? 0 : parseDuration(gcInterval);
	return limits;
}

async function main(): Promise<void> {
	const redisUrl = process.env.REDIS_URL || undefined;
	if (redisUrl && !process.env.DATABASE_URL) {
		// Several processes need one store they all read and write: SQLite's file lock serialises writers of one
		// machine only, and each process would keep its own access database and change-feed counts.
		console.error('[relay] failed to start: REDIS_URL (several relay processes) needs DATABASE_URL (postgres://…): the processes must share one store');
		process.exit(1);
	}
	const ttl = process.env.CREDENTIAL_TTL;
	const relay = await startRelay({
		port: intEnv('PORT', 8080),
		host: process.env.HOST || '0.0.0.0',
		dataDir: process.env.DATA_DIR || './data',
		databaseUrl: process.env.DATABASE_URL || undefined,
		photoBlobs: photoBlobsFromEnv(process.env),
		// Imported only when used: ioredis adds ~25 MB to the RSS of a relay that does not use it.
		fanout: redisUrl ? new (await import('./fanout/redis-fanout')).RedisFanout(redisUrl, { logger: consoleLogger }) : undefined,
		staticDir: process.env.STATIC_DIR || './build',
		// The demo is loaded only when asked for: the production path never imports it.
		seed: process.env.SEED !== '0' ? (await import('./demo/invitations')).demoFirstStart : undefined,
		idleUnloadMs: intEnv('IDLE_UNLOAD_MS', 30_000),
		auth: authEnv(),
		credentials: { credentialTtlMs: ttl ? parseDuration(ttl) : undefined },
		publicOrigin: process.env.PUBLIC_ORIGIN || undefined,
		trustProxy: process.env.TRUST_PROXY === '1',
		limits: limitsEnv(),
		reports: {
			...(process.env.REPORTS_START_DELAY ? { startDelayMs: parseDuration(process.env.REPORTS_START_DELAY, { allowZero: true }) } : {}),
			...(process.env.REPORTS_GRACE ? { graceMs: parseDuration(process.env.REPORTS_GRACE) } : {})
		},
		pointsBoard: {
			...(process.env.POINTS_BOARD_START_DELAY ? { startDelayMs: parseDuration(process.env.POINTS_BOARD_START_DELAY, { allowZero: true }) } : {})
		},
		roomsBoard: {
			...(process.env.ROOMS_START_DELAY ? { startDelayMs: parseDuration(process.env.ROOMS_START_DELAY, { allowZero: true }) } : {})
		}
	});
	process.stdout.write(`courtyard relay listening on http://127.0.0.1:${relay.port}\n`);
	if (relay.bootstrap.length > 0) process.stdout.write(formatBootstrap(relay.bootstrap));
	else if ((await relay.credentials.devices(null)).length === 0) {
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
	// A damaged file is the operator's to fix: its message names the file and what to do; no stack trace.
	if (error instanceof DamagedFileError) console.error(`[relay] failed to start: ${error.message}`);
	else console.error('[relay] failed to start:', error);
	process.exit(1);
});
