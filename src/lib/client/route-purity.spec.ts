/**
 * Routes stay thin: they call the client's services and managers, never the device's Dexie database. This reads
 * every file under src/routes, and every component and manager under src/lib/components, and fails on one that
 * imports Dexie or the database module, or touches `.db.`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ROUTES = join(ROOT, 'src', 'routes');
const COMPONENTS = join(ROOT, 'src', 'lib', 'components');


/** Source files under `dir` (absolute); specs may build fixtures as they like. */
function walk(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? walk(join(dir, e.name)) : /\.(svelte|ts|js)$/.test(e.name) && !/\.spec\.ts$/.test(e.name) ? [join(dir, e.name)] : []
	);
}
/** Source files under `dir`, as paths from the repository's root. */
const filesUnder = (dir: string): string[] => walk(dir).map((f) => relative(ROOT, f).split('\\').join('/'));

const offendersIn = (files: string[]) => files.flatMap((f) => offences(f, readFileSync(join(ROOT, f), 'utf8')));

/** What a route or component may not do, each with the reason a reader of the failure sees. */
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
	{ pattern: /from\s+['"]dexie['"]|import\(\s*['"]dexie['"]\s*\)/, why: 'imports Dexie' },
	{ pattern: /['"](\$lib\/|(\.\.\/)+)client\/db(\.ts)?['"]/, why: 'imports $lib/client/db' },
	{ pattern: /\.db\./, why: 'touches the Dexie database (.db.)' },
	// Handing the database to a helper is touching it too: helpers take the app (a narrow reader port).
	{ pattern: /\bapp\.db\b(?!\.)/, why: 'hands the Dexie database (app.db) to a helper' }
];

/** Each offence as `path:line why`. */
function offences(path: string, text: string): string[] {
	return text.split('\n').flatMap((line, i) => FORBIDDEN.filter((f) => f.pattern.test(line)).map((f) => `${path}:${i + 1} ${f.why}`));
}

describe('routes and components never query Dexie', () => {
	const routes = filesUnder(ROUTES);
	const components = filesUnder(COMPONENTS);

	it('finds the files', () => {
		expect(routes.length).toBeGreaterThan(30);
		expect(components.length).toBeGreaterThan(100);
	});

	it('no route imports Dexie or the database module, or touches app.db', () => {
		expect(offendersIn(routes)).toEqual([]);
	});

	it('no component or manager does either: they ask the client services', () => {
		expect(offendersIn(components)).toEqual([]);
	});

	it('recognises each kind of offence', () => {
		expect(offences('x', `import { liveQuery } from 'dexie';`)).toHaveLength(1);
		expect(offences('x', `import type { CourtyardDB } from '$lib/client/db';`)).toHaveLength(1);
		expect(offences('x', `import { openDatabase } from '../../client/db';`)).toHaveLength(1);
		expect(offences('x', `app.live(() => app.db.index.get(name))`)).toHaveLength(1);
		expect(offences('x', `app.live(() => indexEntry(app, name))`)).toEqual([]);
		expect(offences('x', `app.live(() => heldPhotos(app.db, list))`)).toHaveLength(1);
	});
});
