/**
 * Gzip size of the JavaScript the first page really loads: the built app served by the relay, opened in
 * Chromium; every script response until the network is idle is gzipped (-9) and summed. A static count is
 * printed beside it as a cross-check (entry scripts and what they import statically).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser, newAppContext, startRelay } from '../tests/browser/harness';

export interface JsSize {
	files: number;
	raw: number;
	gzip: number;
}

export async function firstLoadJs(path = '/'): Promise<JsSize> {
	const relay = await startRelay({ env: { SEED: '0' } });
	const browser = await launchBrowser();
	try {
		const context = await newAppContext(browser);
		const page = await context.newPage();
		const bodies = new Map<string, Buffer>();
		page.on('response', async (res) => {
			if (res.request().resourceType() !== 'script') return;
			try {
				bodies.set(res.url(), await res.body());
			} catch {
				// The response was discarded (navigation); it did not count towards the first load.
			}
		});
		await page.goto(relay.url + path, { waitUntil: 'networkidle' });
		let raw = 0;
		let gzip = 0;
		for (const body of bodies.values()) {
			raw += body.length;
			gzip += gzipSync(body, { level: 9 }).length;
		}
		return { files: bodies.size, raw, gzip };
	} finally {
		await browser.close();
		await relay.dispose();
	}
}

/** Sum of gzip sizes of every JS file in the build (the upper bound of what any page could load). */
export function allJsGzip(buildDir = 'build'): number {
	const manifest = JSON.parse(readFileSync(join('.svelte-kit/output/client/.vite/manifest.json'), 'utf8')) as Record<string, { file: string }>;
	let total = 0;
	for (const { file } of Object.values(manifest)) {
		if (file.endsWith('.js')) total += gzipSync(readFileSync(join(buildDir, file)), { level: 9 }).length;
	}
	return total;
}

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

interface ManifestChunk {
	file: string;
	imports?: string[];
	dynamicImports?: string[];
	isEntry?: boolean;
}

/**
 * What opening a page adds to the first load, from the build manifest: the gzip size of the JS its route node
 * imports statically that the first page (entry, layout, home) did not load, and of the chunks it may import
 * later on demand (e.g. the chart library). `route` is the source path, e.g. 'src/routes/reports/+page.svelte'.
 */
export function pageAddedJs(route: string, buildDir = 'build'): { page: number; onDemand: number } {
	const kit = '.svelte-kit';
	const manifest = JSON.parse(readFileSync(join(kit, 'output/client/.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
	const nodes = join(kit, 'generated/client-optimized/nodes');
	const nodeOf = (source: string) =>
		Object.keys(manifest).find((k) => {
			const m = /generated\/client-optimized\/nodes\/(\d+)\.js$/.exec(k);
			return !!m && readFileSync(join(nodes, `${m[1]}.js`), 'utf8').includes(`/${source}"`);
		});
	const closure = (keys: (string | undefined)[]) => {
		const seen = new Set<string>();
		const walk = (k: string | undefined) => {
			if (!k || seen.has(k) || !manifest[k]) return;
			seen.add(k);
			for (const i of manifest[k].imports ?? []) walk(i);
		};
		keys.forEach(walk);
		return seen;
	};
	const size = (keys: Iterable<string>) => {
		let n = 0;
		for (const k of keys) if (manifest[k]?.file.endsWith('.js')) n += gzipSync(readFileSync(join(buildDir, manifest[k].file)), { level: 9 }).length;
		return n;
	};
	// Every route node is an entry too; the start files are the kit's client entry and the app.
	const entries = Object.keys(manifest).filter((k) => manifest[k]?.isEntry && !k.includes('/nodes/'));
	const first = closure([...entries, nodeOf('src/routes/+layout.svelte'), nodeOf('src/routes/+page.svelte')]);
	const page = [...closure([nodeOf(route)])].filter((k) => !first.has(k));
	const loaded = new Set([...first, ...page]);
	const lazy = closure(page.flatMap((k) => manifest[k]?.dynamicImports ?? []));
	return { page: size(page), onDemand: size([...lazy].filter((k) => !loaded.has(k))) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const r = await firstLoadJs();
	console.log(`first-load JS: ${r.files} scripts, ${kb(r.raw)} raw, ${kb(r.gzip)} gzip (budget 150 KB); all JS in the build ${kb(allJsGzip())} gzip`);
}
