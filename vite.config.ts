import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { precachePlanPlugin } from './scripts/precache-plan-plugin';

/**
 * lib0/dom.js builds DOM type checks with lib0's schema module at its top level. The calls are pure but not marked
 * so; Yjs's logging needs dom.js, so without the mark every page that loads Yjs also carries the whole schema
 * module (about 2 KB gzip of first-load JS) for checks nothing calls.
 */
function lib0DomPure(): Plugin {
	return {
		name: 'courtyard:lib0-dom-pure',
		apply: 'build',
		transform(code, id) {
			if (!/[\\/]lib0[\\/]dom\.js$/.test(id)) return null;
			// A lib0 release that writes these differently would silently bring lib0/schema back (about 2 KB).
			if (!code.includes('= $.$custom(')) this.warn('lib0/dom.js changed: its schema checks are no longer marked pure');
			return { code: code.replaceAll('= $.$custom(', '= /* @__PURE__ */ $.$custom('), map: null };
		}
	};
}

export default defineConfig({
	// The precache plan: which built files only some roles need (see src/service-worker.ts).
	plugins: [sveltekit(), precachePlanPlugin(), lib0DomPure()],
	// Dexie's package points bundlers at its ES5 UMD build; its modern ES module build is smaller (first-load JS).
	resolve: { alias: [{ find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' }] },
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: ['src/**/*.spec.ts', 'server/**/*.spec.ts']
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					environment: 'node',
					include: ['tests/integration/**/*.test.ts'],
					testTimeout: 30_000,
					hookTimeout: 30_000
				}
			},
			{
				extends: true,
				test: {
					name: 'browser',
					environment: 'node',
					include: ['tests/browser/**/*.test.ts'],
					// A page's answer to a tap can take over a second on a loaded 2-core CI machine (Chromium, the relay
					// and Vitest share it); expect.poll's default of 1 s made stories fail there on no fault of the app.
					expect: { requireAssertions: true, poll: { timeout: 5_000 } },
					testTimeout: 90_000,
					hookTimeout: 120_000,
					fileParallelism: false
				}
			}
		]
	}
});
