#!/usr/bin/env node
/**
 * `npm test`: makes sure Chromium, PostgreSQL and Redis are available (installing them with apt when running as
 * root), builds the app so the browser tests exercise the current code, then runs every Vitest project (unit,
 * integration, browser). Extra arguments go to Vitest, e.g. `npm test -- --project unit`. Exits with Vitest's code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** First match of a binary among candidate paths (globs of one `*` segment for versioned folders). */
function findBinary(candidates) {
	for (const candidate of candidates) {
		const star = candidate.indexOf('*');
		if (star < 0) {
			if (existsSync(candidate)) return candidate;
			continue;
		}
		const parent = candidate.slice(0, star);
		const rest = candidate.slice(star + 1).replace(/^[^/]*/, '');
		if (!existsSync(parent)) continue;
		for (const entry of readdirSync(parent).sort().reverse()) if (existsSync(parent + entry + rest)) return parent + entry + rest;
	}
	return null;
}

/**
 * What the tests need from Debian: Chromium (browser tests), PostgreSQL and Redis (the storage and fan-out
 * suites start their own servers on ephemeral ports in a temporary directory), nginx (the cluster script's load
 * balancer). Installed with apt when missing and running as root; otherwise the command to run is printed.
 */
const NEEDS = [
	{ what: 'Chromium', packages: ['chromium', 'fonts-noto-cjk'], binaries: [CHROMIUM] },
	{ what: 'PostgreSQL', packages: ['postgresql'], binaries: ['/usr/lib/postgresql/*/bin/initdb'] },
	{ what: 'Redis', packages: ['redis-server'], binaries: ['/usr/bin/redis-server'] },
	// The load balancer of `npm run cluster`, whose test runs it.
	{ what: 'nginx', packages: ['nginx'], binaries: ['/usr/sbin/nginx'] }
];

function ensurePackages() {
	const missing = NEEDS.filter((need) => !findBinary(need.binaries));
	if (missing.length === 0) return;
	const packages = missing.flatMap((need) => need.packages);
	if (!isRoot) {
		console.error(
			`courtyard: ${missing.map((need) => need.what).join(', ')} not found; the tests need them.\n` +
				`Install them as root with: apt-get update && apt-get install -y ${packages.join(' ')}`
		);
		process.exit(1);
	}
	console.log(`courtyard: installing ${missing.map((need) => need.what).join(', ')} with apt…`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	if (run('apt-get', ['update'], { env }) !== 0 || run('apt-get', ['install', '-y', ...packages], { env }) !== 0) {
		console.error(`courtyard: apt-get could not install ${packages.join(' ')}`);
		process.exit(1);
	}
	for (const need of missing) {
		if (!findBinary(need.binaries)) {
			console.error(`courtyard: ${need.what} was installed but ${need.binaries.join(' or ')} still does not exist`);
			process.exit(1);
		}
	}
}

ensurePackages();

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
