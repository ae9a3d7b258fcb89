import { describe, expect, it } from 'vitest';
import { type CodeGate, deviceFiles, deviceGroups, gateRoles, groupsOfFile, type Manifest, planPrecache, type PrecachePlan, ROLE_CODE, roleSpecificFiles } from './precache-plan';

/**
 * A small client build shaped like SvelteKit's: the app entry loads route nodes dynamically; the layout is common;
 * the convention page (every role) and the minutes page (staff) load the editor on demand; the register import
 * page loads the spreadsheet reader, which shares a helper chunk with the report export.
 */
const MANIFEST: Manifest = {
	'generated/app.js': { file: '_app/immutable/entry/app.js', isEntry: true, imports: ['_shared.js'], dynamicImports: ['generated/nodes/0.js', 'generated/nodes/2.js', 'generated/nodes/3.js', 'generated/nodes/4.js'] },
	'generated/nodes/0.js': { file: '_app/immutable/nodes/0.js', isEntry: true, imports: ['_shared.js'], css: ['_app/immutable/assets/0.css'] },
	'generated/nodes/2.js': { file: '_app/immutable/nodes/2.js', isEntry: true, imports: ['_shared.js'], dynamicImports: ['src/lib/components/minutes/editor.ts'] },
	'generated/nodes/3.js': { file: '_app/immutable/nodes/3.js', isEntry: true, imports: ['_minutes-ui.js'], dynamicImports: ['src/lib/components/minutes/editor.ts'] },
	'generated/nodes/4.js': { file: '_app/immutable/nodes/4.js', isEntry: true, dynamicImports: ['node_modules/read-excel-file/universal.js'] },
	'_shared.js': { file: '_app/immutable/chunks/shared.js' },
	'_minutes-ui.js': { file: '_app/immutable/chunks/minutes-ui.js', css: ['_app/immutable/assets/minutes-ui.css'] },
	'src/lib/components/minutes/editor.ts': { file: '_app/immutable/chunks/editor.js', isDynamicEntry: true, imports: ['_prosemirror.js', '_shared.js'] } as Manifest[string],
	'_prosemirror.js': { file: '_app/immutable/chunks/prosemirror.js' },
	'node_modules/read-excel-file/universal.js': { file: '_app/immutable/chunks/read-excel.js', imports: ['_zip.js'], dynamicImports: ['node_modules/write-excel-file/universal.js'] },
	'node_modules/write-excel-file/universal.js': { file: '_app/immutable/chunks/write-excel.js', imports: ['_zip.js'] },
	'_zip.js': { file: '_app/immutable/chunks/zip.js' }
};
const ROUTES = {
	'generated/nodes/0.js': 'src/routes/+layout.svelte',
	'generated/nodes/2.js': 'src/routes/convention/+page.svelte',
	'generated/nodes/3.js': 'src/routes/meeting/minutes/+page.svelte',
	'generated/nodes/4.js': 'src/routes/households/import/+page.svelte'
};
const GATES: CodeGate[] = [
	{ name: 'editor', modules: ['src/lib/components/minutes/editor.ts'], actions: ['run-meeting', 'edit-convention'] },
	{ name: 'minutes-page', modules: ['src/routes/meeting/minutes/'], actions: ['run-meeting'] },
	{ name: 'spreadsheets', modules: ['node_modules/read-excel-file/'], actions: ['keep-register'] },
	{ name: 'exports', modules: ['node_modules/write-excel-file/'], roles: ['street_admin'] }
];

describe('planPrecache', () => {
	const plan = planPrecache(MANIFEST, GATES, ROUTES);

	it('leaves out of the common set only what gated code alone reaches', () => {
		expect(plan.groups).toEqual({
			editor: ['_app/immutable/chunks/editor.js', '_app/immutable/chunks/prosemirror.js'],
			// The page, what it imports statically and the editor it loads.
			'minutes-page': [
				'_app/immutable/assets/minutes-ui.css',
				'_app/immutable/chunks/editor.js',
				'_app/immutable/chunks/minutes-ui.js',
				'_app/immutable/chunks/prosemirror.js',
				'_app/immutable/nodes/3.js'
			],
			// A gate's code takes along what it loads, even when that is gated for other roles too.
			spreadsheets: ['_app/immutable/chunks/read-excel.js', '_app/immutable/chunks/write-excel.js', '_app/immutable/chunks/zip.js'],
			exports: ['_app/immutable/chunks/write-excel.js', '_app/immutable/chunks/zip.js']
		});
		const gated = roleSpecificFiles(plan);
		// Shared code, the layout's CSS and the ungated pages stay common, even the page that loads the editor.
		for (const common of ['_app/immutable/entry/app.js', '_app/immutable/chunks/shared.js', '_app/immutable/assets/0.css', '_app/immutable/nodes/2.js', '_app/immutable/nodes/4.js']) {
			expect(gated.has(common), common).toBe(false);
		}
	});

	it('gives each role the groups of the permissions it holds', () => {
		expect(plan.roles).toEqual({
			community_admin: ['editor', 'minutes-page', 'spreadsheets'],
			facilitator: ['editor', 'minutes-page'],
			street_admin: ['editor', 'minutes-page', 'exports'],
			grid_worker: ['spreadsheets']
		});
		expect(plan.roles.resident).toBeUndefined();
	});

	it('drops gates that match nothing', () => {
		const none = planPrecache(MANIFEST, [{ name: 'ghost', modules: ['src/lib/nowhere.ts'], roles: ['resident'] }], ROUTES);
		expect(none).toEqual({ groups: {}, roles: {} });
	});

	it('keeps a gated module common when an ungated page imports it statically', () => {
		const manifest: Manifest = {
			...MANIFEST,
			'generated/nodes/2.js': { ...MANIFEST['generated/nodes/2.js']!, imports: ['_shared.js', 'src/lib/components/minutes/editor.ts'] }
		};
		const p = planPrecache(manifest, GATES, ROUTES);
		expect(p.groups.editor).toBeUndefined();
		expect(p.groups['minutes-page']).toEqual(['_app/immutable/assets/minutes-ui.css', '_app/immutable/chunks/minutes-ui.js', '_app/immutable/nodes/3.js']);
	});
});

describe('what an install fetches for a device', () => {
	const plan: PrecachePlan = planPrecache(MANIFEST, GATES, ROUTES);

	it('is nothing for a device without a role that has used nothing', () => {
		expect(deviceFiles(plan, { role: null, used: [] })).toEqual([]);
		expect(deviceFiles(plan, { role: 'resident', used: [] })).toEqual([]);
	});

	it("is the role's groups", () => {
		expect(deviceFiles(plan, { role: 'grid_worker', used: [] })).toEqual(plan.groups.spreadsheets);
		expect(deviceFiles(plan, { role: 'facilitator', used: [] })).toEqual(plan.groups['minutes-page']);
	});

	it('includes the groups the device used, and ignores groups the new version no longer has', () => {
		// A resident opened a convention: the editor came in on first use and must survive the update.
		expect(deviceGroups(plan, { role: 'resident', used: ['editor', 'renamed-away'] })).toEqual(['editor']);
		expect(deviceFiles(plan, { role: 'resident', used: ['editor'] })).toEqual(plan.groups.editor);
		expect(deviceFiles(plan, { role: 'grid_worker', used: ['editor'] })).toEqual([...plan.groups.editor!, ...plan.groups.spreadsheets!].sort());
	});

	it('names the groups a fetched file belongs to', () => {
		expect(groupsOfFile(plan, '_app/immutable/chunks/editor.js')).toEqual(['editor', 'minutes-page']);
		expect(groupsOfFile(plan, '_app/immutable/chunks/write-excel.js')).toEqual(['spreadsheets', 'exports']);
		expect(groupsOfFile(plan, '_app/immutable/chunks/shared.js')).toEqual([]);
	});
});

describe("the app's gates", () => {
	const roles = Object.fromEntries(ROLE_CODE.map((gate) => [gate.name, gateRoles(gate)]));

	it('give the editor to those who run meetings or edit conventions, not to residents or grid workers', () => {
		expect(roles.editor).toEqual(['community_admin', 'facilitator', 'street_admin']);
	});

	it('give register files to those who keep the register', () => {
		expect(roles['register-files']).toEqual(['community_admin', 'grid_worker']);
	});

	it('gate no code for residents', () => {
		for (const [name, holders] of Object.entries(roles)) expect(holders, name).not.toContain('resident');
	});
});
