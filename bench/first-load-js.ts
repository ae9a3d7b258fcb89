/**
 * Gzip size of the JavaScript the first page loads: the entry scripts named in build/index.html and every
 * module they import statically (dynamic imports load later and are listed separately).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface JsSize {
	files: number;
	raw: number;
	gzip: number;
	/** Lazily loaded chunks reachable through dynamic import(), not counted in the first load. */
	lazyGzip: number;
}

const STATIC_IMPORT = /(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"']+\.js)["']/g;
const DYNAMIC_IMPORT = /import\(\s*["']([^"']+\.js)["']\s*\)/g;

export function firstLoadJs(buildDir = 'build'): JsSize {
	const html = readFileSync(join(buildDir, 'index.html'), 'utf8');
	const entries = new Set<string>();
	for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) entries.add(m[1]!);
	for (const m of html.matchAll(DYNAMIC_IMPORT)) entries.add(m[1]!);
	const toPath = (href: string, from: string) =>
		href.startsWith('/') ? join(buildDir, href) : resolve(from, href);
	const seen = new Set<string>();
	const lazy = new Set<string>();
	const queue = [...entries].map((h) => toPath(h, buildDir));
	while (queue.length > 0) {
		const file = queue.pop()!;
		if (seen.has(file) || !existsSync(file)) continue;
		seen.add(file);
		const code = readFileSync(file, 'utf8');
		for (const m of code.matchAll(STATIC_IMPORT)) queue.push(toPath(m[1]!, dirname(file)));
		for (const m of code.matchAll(DYNAMIC_IMPORT)) lazy.add(toPath(m[1]!, dirname(file)));
	}
	let raw = 0;
	let gzip = 0;
	for (const file of seen) {
		const buf = readFileSync(file);
		raw += buf.length;
		gzip += gzipSync(buf, { level: 9 }).length;
	}
	let lazyGzip = 0;
	for (const file of lazy) if (!seen.has(file) && existsSync(file)) lazyGzip += gzipSync(readFileSync(file), { level: 9 }).length;
	return { files: seen.size, raw, gzip, lazyGzip };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const r = firstLoadJs();
	console.log(`first-load JS: ${r.files} files, ${(r.raw / 1024).toFixed(1)} KB raw, ${(r.gzip / 1024).toFixed(1)} KB gzip (budget 150 KB); lazy chunks ${(r.lazyGzip / 1024).toFixed(1)} KB gzip`);
}
