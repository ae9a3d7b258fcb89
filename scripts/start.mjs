#!/usr/bin/env node
/**
 * `npm start`: one command runs everything. Builds the app if build/ is missing or older than its sources,
 * then runs the relay (which serves build/ and the sync endpoints) in the foreground.
 * Env: PORT (default 8080), DATA_DIR (default ./data), passed through to the relay untouched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/** Newest mtime under `path` (a file or a directory tree), or 0 if it doesn't exist. */
function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs; // catches deleted files
	for (const entry of readdirSync(path, { withFileTypes: true })) {
		if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
		newest = Math.max(newest, newestMtime(join(path, entry.name)));
	}
	return newest;
}

function buildIsStale() {
	const built = join(root, 'build', 'index.html');
	if (!existsSync(built)) return true;
	const builtAt = statSync(built).mtimeMs;
	return SOURCES.some((source) => newestMtime(join(root, source)) > builtAt);
}

if (buildIsStale()) {
	console.log('courtyard: building the app (build/ is missing or out of date)…');
	const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
	const result = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) {
		console.error('courtyard: build failed');
		process.exit(result.status ?? 1);
	}
}

const relay = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
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
