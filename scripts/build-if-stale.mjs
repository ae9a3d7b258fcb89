/**
 * Builds the app (vite build into build/) when build/ is missing or older than its sources; used by `npm start`
 * and `npm run cluster`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

export function buildIfStale() {
	if (!buildIsStale()) return;
	console.log('courtyard: building the app (build/ is missing or out of date)…');
	const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
	const result = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) {
		console.error('courtyard: build failed');
		process.exit(result.status ?? 1);
	}
}

