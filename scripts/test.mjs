#!/usr/bin/env node
/**
 * `npm test`: makes sure Chromium is available (installing it with apt when running as root), builds the app
 * so the browser tests exercise the current code, then runs every Vitest project (unit, integration,
 * browser). Extra arguments go to Vitest, e.g. `npm test -- --project unit`. Exits with Vitest's code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
	if (result.error) throw result.error;
	return result.status ?? 1;
}

function ensureChromium() {
	if (existsSync(CHROMIUM)) return;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isRoot) {
		console.error(
			`courtyard: Chromium not found at ${CHROMIUM}. The browser tests need it.\n` +
				'Install it as root with: apt-get update && apt-get install -y chromium fonts-noto-cjk\n' +
				'(or set CHROMIUM_PATH to an existing Chromium binary).'
		);
		process.exit(1);
	}
	console.log('courtyard: installing Chromium and CJK fonts with apt…');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	if (run('apt-get', ['update'], { env }) !== 0 || run('apt-get', ['install', '-y', 'chromium', 'fonts-noto-cjk'], { env }) !== 0) {
		console.error('courtyard: apt-get could not install Chromium');
		process.exit(1);
	}
	if (!existsSync(CHROMIUM)) {
		console.error(`courtyard: Chromium was installed but ${CHROMIUM} still does not exist`);
		process.exit(1);
	}
}

ensureChromium();

console.log('courtyard: building the app…');
const buildStatus = run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build']);
if (buildStatus !== 0) {
	console.error('courtyard: build failed; not running tests');
	process.exit(buildStatus);
}

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
process.exit(run(process.execPath, [vitest, 'run', ...process.argv.slice(2)]));
