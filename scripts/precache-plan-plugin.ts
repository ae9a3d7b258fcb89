/**
 * Vite plugin: after SvelteKit's client build, splits its files into common and role-specific code
 * (src/lib/pwa/precache-plan.ts) and hands the plan to the service worker as `__COURTYARD_PRECACHE_PLAN__`.
 *
 * SvelteKit builds the client and then the service worker from inside the server build, and gives the service
 * worker build no plugins of ours but the server build's `define`. So the server build's instance of this plugin
 * leaves a setter on globalThis, and the client build's instance (the same config file, loaded again) calls it
 * before the service worker is built. The plan is also written to `_app/precache-plan.json` in the build, for
 * `npm run bench` and the browser tests; it names only public files, and nothing precaches it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { type Manifest, planPrecache, type PrecachePlan, ROLE_CODE } from '../src/lib/pwa/precache-plan';

export const PLAN_DEFINE = '__COURTYARD_PRECACHE_PLAN__';
/** Where the plan is written, relative to the build directory. */
export const PLAN_FILE = '_app/precache-plan.json';
const SETTER = Symbol.for('courtyard.precachePlan');

type Setter = (plan: PrecachePlan) => void;

export function precachePlanPlugin(): Plugin {
	let root = process.cwd();
	return {
		name: 'courtyard-precache-plan',
		// Dev servers and builds without a client manifest get no plan: the worker then precaches everything.
		config: () => ({ define: { [PLAN_DEFINE]: 'null' } }),
		configResolved(config) {
			root = config.root;
			if (!config.build.ssr) return;
			// The config() hook above guarantees the object; SvelteKit hands this very object to the worker's build.
			const define = config.define!;
			(globalThis as Record<symbol, Setter>)[SETTER] = (plan) => {
				define[PLAN_DEFINE] = JSON.stringify(plan);
			};
		},
		writeBundle: {
			sequential: true,
			handler(options, bundle) {
				const asset = bundle['.vite/manifest.json'];
				if (!options.dir || !asset || asset.type !== 'asset') return;
				const manifest = JSON.parse(String(asset.source)) as Manifest;
				const plan = planPrecache(manifest, ROLE_CODE, entryRoutes(manifest, root));
				(globalThis as Record<symbol, Setter | undefined>)[SETTER]?.(plan);
				writeFileSync(join(options.dir, PLAN_FILE), JSON.stringify(plan, null, '\t'));
			}
		}
	};
}

/** SvelteKit's node entries (`generated/client-optimized/nodes/N.js`) → the route file each one renders. */
function entryRoutes(manifest: Manifest, root: string): Record<string, string> {
	const routes: Record<string, string> = {};
	for (const [key, chunk] of Object.entries(manifest)) {
		if (!chunk.isEntry || !chunk.src || !/\/generated\/client-optimized\/nodes\/\d+\.js$/.test(chunk.src)) continue;
		const route = /src\/routes\/[^"']+/.exec(readFileSync(resolve(root, chunk.src), 'utf8'));
		if (route) routes[key] = route[0];
	}
	return routes;
}
