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

if (import.meta.url === `file://${process.argv[1]}`) {
	const r = await firstLoadJs();
	console.log(`first-load JS: ${r.files} scripts, ${kb(r.raw)} raw, ${kb(r.gzip)} gzip (budget 150 KB); all JS in the build ${kb(allJsGzip())} gzip`);
}
