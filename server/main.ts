/**
 * Entry point: `node --import tsx server/main.ts`.
 *   PORT (8080; 0 picks a free port), HOST (0.0.0.0), DATA_DIR (./data), STATIC_DIR (./build),
 *   SEED (1: seed the demo community on first start; 0: never), IDLE_UNLOAD_MS (30000).
 * Prints exactly one line to stdout once listening (tests parse it). SIGTERM/SIGINT shut down gracefully:
 * stop accepting, flush storage, close sockets with 4503, close the database, exit 0.
 */
import { startRelay } from './relay';

function intEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
	return value;
}

async function main(): Promise<void> {
	const relay = await startRelay({
		port: intEnv('PORT', 8080),
		host: process.env.HOST || '0.0.0.0',
		dataDir: process.env.DATA_DIR || './data',
		staticDir: process.env.STATIC_DIR || './build',
		seed: process.env.SEED !== '0',
		idleUnloadMs: intEnv('IDLE_UNLOAD_MS', 30_000)
	});
	process.stdout.write(`courtyard relay listening on http://127.0.0.1:${relay.port}\n`);

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
