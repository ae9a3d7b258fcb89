/**
 * Gzip size of the JavaScript a page really loads: the built app served by the relay, opened in Chromium; every
 * script response until the network is idle is gzipped (-9) and summed. Two pages have budgets (issue #16): the
 * first page of a device that has not joined (120 KB) and a joined resident's home (140 KB).
 * `BUILD_DIR` (or STATIC_DIR / COURTYARD_BUILD_DIR) and COURTYARD_KIT_DIR measure a side build.
 * Run alone (`npx tsx bench/first-load-js.ts [--list]`) it prints both figures, `--list` each script too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newAppContext, startRelay, waitForServiceWorker, waitUntil, type RelayHandle } from '../tests/browser/harness';
import { caughtUp } from '../tests/browser/app-page';

/** The build measured: the relay serves it, the manifest figures read it. */
export const BUILD_DIR = process.env.BUILD_DIR ?? process.env.STATIC_DIR ?? process.env.COURTYARD_BUILD_DIR ?? 'build';
const KIT_DIR = process.env.COURTYARD_KIT_DIR ?? '.svelte-kit';

/** Budgets of issue #16, item 7, in bytes of gzip. */
export const BUDGET = { unjoined: 120 * 1024, residentHome: 140 * 1024 } as const;

export interface ScriptSize {
	url: string;
	raw: number;
	gzip: number;
}

export interface JsSize {
	files: number;
	raw: number;
	gzip: number;
	scripts: ScriptSize[];
}

/** Every script the page receives from now on (network, HTTP cache or service worker alike). */
function recordScripts(page: Page): () => JsSize {
	const bodies = new Map<string, Buffer>();
	page.on('response', async (res) => {
		if (res.request().resourceType() !== 'script') return;
		try {
			bodies.set(res.url(), await res.body());
		} catch {
			// The response was discarded (navigation); it did not count towards the load.
		}
	});
	return () => {
		const scripts = [...bodies].map(([url, body]) => ({ url, raw: body.length, gzip: gzipSync(body, { level: 9 }).length }));
		scripts.sort((a, b) => b.gzip - a.gzip);
		const sum = (k: 'raw' | 'gzip') => scripts.reduce((n, s) => n + s[k], 0);
		return { files: scripts.length, raw: sum('raw'), gzip: sum('gzip'), scripts };
	};
}

/** Waits until no script has arrived for `quietMs`: lazy chunks a page imports after hydration count too. */
async function scriptsSettled(page: Page, quietMs = 1_000, timeoutMs = 15_000): Promise<void> {
	let last = Date.now();
	const onResponse = (res: { request(): { resourceType(): string } }) => {
		if (res.request().resourceType() === 'script') last = Date.now();
	};
	page.on('response', onResponse);
	const deadline = Date.now() + timeoutMs;
	try {
		while (Date.now() - last < quietMs && Date.now() < deadline) await page.waitForTimeout(100);
	} finally {
		page.off('response', onResponse);
	}
}

async function withRelay<T>(env: Record<string, string>, run: (relay: RelayHandle, context: BrowserContext) => Promise<T>): Promise<T> {
	const relay = await startRelay({ env: { STATIC_DIR: BUILD_DIR, ...env } });
	const browser = await launchBrowser();
	try {
		return await run(relay, await newAppContext(browser));
	} finally {
		await browser.close();
		await relay.dispose();
	}
}

/** The first page of a device that has not joined: a fresh profile opens `path` (the welcome, by default). */
export async function firstLoadJs(path = '/'): Promise<JsSize> {
	return withRelay({ SEED: '0' }, async (relay, context) => {
		const page = await context.newPage();
		const measured = recordScripts(page);
		await page.goto(relay.url + path, { waitUntil: 'networkidle' });
		await page.getByTestId('welcome').waitFor();
		await scriptsSettled(page);
		return measured();
	});
}

/**
 * A joined resident's home: a device of the demo community joins with a resident's invitation (as the browser
 * tests do), catches up and has its service worker, then opens the app again in a new tab, as every later day
 * starts; what that tab loads is measured (from the worker's cache or the network alike).
 */
export async function residentHomeJs(): Promise<JsSize> {
	return withRelay({}, async (relay, context) => {
		const joining = await context.newPage();
		// As tests/browser/invite.ts joinWith does (not imported: it needs Vitest's runner).
		await joining.goto(await relay.invite({ role: 'resident', community: 'demo', household: 'b01-1-101' }));
		await joining.getByTestId('join-name').fill('李奶奶');
		await joining.getByTestId('join-submit').click();
		await joining.getByTestId('join-done').waitFor();
		await joining.getByTestId('join-start').click();
		await waitUntil(() => caughtUp(joining), 30_000, 'the first catch-up');
		await waitForServiceWorker(joining);
		await joining.close();
		const page = await context.newPage();
		const measured = recordScripts(page);
		await page.goto(relay.url + '/', { waitUntil: 'networkidle' });
		await page.getByTestId('role-home').waitFor();
		await page.getByTestId('status-bar').waitFor();
		await scriptsSettled(page);
		return measured();
	});
}

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

const percent = (n: number, budget: number) => `${((n / budget) * 100).toFixed(0)}%`;

/** Both budgeted pages, measured and printed against their budgets; `list` adds each script's size. */
export async function firstLoadReport(list = false): Promise<string> {
	const lines: string[] = [];
	for (const [name, measure, budget] of [
		['not joined, first page', () => firstLoadJs(), BUDGET.unjoined],
		["joined resident's home", () => residentHomeJs(), BUDGET.residentHome]
	] as const) {
		const js = await measure();
		lines.push(
			`${name}: ${js.files} scripts, ${kb(js.raw)} raw, ${kb(js.gzip)} gzip = ${percent(js.gzip, budget)} of the ${kb(budget)} budget` +
				(js.gzip > budget ? ' (OVER BUDGET)' : '')
		);
		if (list) for (const s of js.scripts) lines.push(`    ${kb(s.gzip).padStart(9)}  ${new URL(s.url).pathname}`);
	}
	lines.push(`all JS in the build: ${kb(allJsGzip())} gzip`);
	return lines.join('\n');
}

/** Sum of gzip sizes of every JS file in the build (the upper bound of what any page could load). */
export function allJsGzip(buildDir = BUILD_DIR): number {
	const manifest = JSON.parse(readFileSync(join(KIT_DIR, 'output/client/.vite/manifest.json'), 'utf8')) as Record<string, { file: string }>;
	let total = 0;
	for (const { file } of Object.values(manifest)) {
		if (file.endsWith('.js')) total += gzipSync(readFileSync(join(buildDir, file)), { level: 9 }).length;
	}
	return total;
}

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
export function pageAddedJs(route: string, buildDir = BUILD_DIR): { page: number; onDemand: number } {
	const kit = KIT_DIR;
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
	console.log(await firstLoadReport(process.argv.includes('--list')));
}
