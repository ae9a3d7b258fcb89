#!/usr/bin/env node
/**
 * `npm test`: makes sure Chromium is available (installing it with apt when running as root), builds the app
 * so the browser tests exercise the current code, then runs every Vitest project (unit, integration,
 * browser). Extra arguments go to Vitest, e.g. `npm test -- --project unit`. Exits with Vitest's code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const report = join(mkdtempSync(join(tmpdir(), 'courtyard-test-')), 'report.json');
const status = run(process.execPath, [
	vitest,
	'run',
	'--reporter=default',
	'--reporter=json',
	`--outputFile.json=${report}`,
	...process.argv.slice(2)
]);
// One plain closing line that any CI can read, whatever Vitest's own summary looks like.
try {
	const r = JSON.parse(readFileSync(report, 'utf8'));
	const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
	console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
	if (r.numTotalTests === 0) {
		console.error('courtyard: no test ran');
		process.exit(1);
	}
} catch {
	console.log('Tests: 0 passed, 1 failed');
	process.exit(status === 0 ? 1 : status);
}
process.exit(status);
