/**
 * precacheBench: what the service worker precaches on a device, by role (issue #16, item 7), against the whole
 * build that it precached for everyone before role-specific code was split out. Read from a build: every file
 * the worker lists (the client build, static files, prerendered pages), minus the role-specific files of the
 * build's plan (`_app/precache-plan.json`, src/lib/pwa/precache-plan.ts) except those of the role's groups.
 * Bytes as stored (raw) and gzip -9. Run alone: npx tsx bench/precache.ts [build dir]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Role } from '../src/lib/domain/actor';
import { deviceFiles, type PrecachePlan, roleSpecificFiles } from '../src/lib/pwa/precache-plan';
import { type BenchResult, isMain, result } from './relay-kit';

const PLAN_FILE = '_app/precache-plan.json';
/** In the build but never precached: the worker itself, crawler and update-check files, the plan. */
const NOT_PRECACHED = new Set(['service-worker.js', 'robots.txt', '_app/version.json', PLAN_FILE]);

interface Size {
	files: number;
	raw: number;
	gzip: number;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function precacheBench(dir = 'build'): BenchResult {
	const title = 'What the service worker precaches, by role (the rest is cached when first used)';
	// A build made before the plan existed: say so rather than stop the other benchmarks.
	if (!existsSync(join(dir, PLAN_FILE))) return result(title, [], [`${dir}/${PLAN_FILE} is missing: rebuild with \`npx vite build\``]);
	const plan = JSON.parse(readFileSync(join(dir, PLAN_FILE), 'utf8')) as PrecachePlan;
	const all = readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1).replaceAll('\\', '/'))
		.filter((file) => !NOT_PRECACHED.has(file));
	const sizes = new Map(
		all.map((file) => {
			const body = readFileSync(join(dir, file));
			return [file, { raw: body.length, gzip: gzipSync(body, { level: 9 }).length }];
		})
	);
	const measure = (files: string[]): Size => ({
		files: files.length,
		raw: files.reduce((n, f) => n + (sizes.get(f)?.raw ?? 0), 0),
		gzip: files.reduce((n, f) => n + (sizes.get(f)?.gzip ?? 0), 0)
	});
	const gated = roleSpecificFiles(plan);
	const common = all.filter((file) => !gated.has(file));
	const whole = measure(all);
	const row = (who: string, size: Size) => ({
		device: who,
		files: size.files,
		raw: kb(size.raw),
		gzip: kb(size.gzip),
		'of the whole build (gzip)': `${((size.gzip / whole.gzip) * 100).toFixed(0)}%`
	});
	const forRole = (role: Role) => measure([...common, ...deviceFiles(plan, { role, used: [] })]);
	const rows = [
		row('whole build (precached for all before)', whole),
		row('not joined', measure(common)),
		row('resident', forRole('resident')),
		row('grid worker', forRole('grid_worker')),
		row('facilitator', forRole('facilitator')),
		row('community admin', forRole('community_admin')),
		row('street admin', forRole('street_admin'))
	];
	const groupNotes = Object.entries(plan.groups).map(([name, files]) => {
		const size = measure(files);
		const roles = Object.entries(plan.roles)
			.filter(([, groups]) => groups.includes(name))
			.map(([role]) => role);
		return `${name}: ${size.files} files, ${kb(size.raw)} raw, ${kb(size.gzip)} gzip, precached for ${roles.join(', ') || 'nobody'}`;
	});
	return result(title, rows, [
		...groupNotes,
		'A device also keeps, across updates, every group it has used (e.g. a resident who opened a convention keeps the editor).'
	]);
}

if (isMain(import.meta.url)) console.log(String(precacheBench(process.argv[2] ?? 'build')));
