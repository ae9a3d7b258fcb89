import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { precachePlanPlugin } from './scripts/precache-plan-plugin';

export default defineConfig({
	// The precache plan: which built files only some roles need (see src/service-worker.ts).
	plugins: [sveltekit(), precachePlanPlugin()],
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
