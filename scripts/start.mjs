#!/usr/bin/env node
/**
 * `npm start`: one command runs everything. Builds the app if build/ is missing or older than its sources,
 * compiles the relay (scripts/relay-bundle.mjs), then runs it (it serves build/ and the sync endpoints) in the
 * foreground.
 * Env: PORT (default 8080), DATA_DIR (default ./data), passed through to the relay untouched.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';
import { bundleRelay, RELAY_NODE_FLAGS } from './relay-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
buildIfStale();
const main = await bundleRelay();

const relay = spawn(process.execPath, [...RELAY_NODE_FLAGS, main], {
	cwd: root,
	stdio: 'inherit',
	env: process.env
});

// Pass stop requests on to the relay so it can flush and close cleanly; we exit when it does.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => {
		if (relay.exitCode === null) relay.kill(signal);
	});
}

relay.on('error', (error) => {
	console.error(`courtyard: could not start the relay: ${error.message}`);
	process.exit(1);
});

relay.on('exit', (code, signal) => {
	if (signal) {
		// Mirror the child's death by signal in our own exit status (128 + signal number).
		process.exit(128 + (constants.signals[signal] ?? 0));
	}
	process.exit(code ?? 1);
});
