/**
 * Helpers for the browser tests: the real relay as a child process (serving build/), headless Chromium via
 * playwright-core, service-worker control, and a switch that cuts the page's relay WebSockets.
 *
 * Typical use:
 *   const relay = await startRelay();
 *   const browser = await launchBrowser();
 *   const context = await newAppContext(browser);
 *   const page = await context.newPage();
 *   const link = await relayLink(page);          // before goto, so every socket can be cut later
 *   await page.goto(relay.url);
 *   await waitForServiceWorker(page);
 *   await link.cut(); … link.restore();
 *   await browser.close(); await relay.dispose();
 *
 * A suite that only needs the built app served: `({ relay, browser } = await startApp())` in beforeAll (it fails
 * at once when STATIC_DIR, or build/, holds no build) and `afterAll(() => stopApp(browser, relay))`.
 *
 * The relay runs with signed device credentials, as in production; a device joins by opening an invitation
 * link: `await page.goto(await relay.invite({ role: 'grid_worker', community: 'demo', grids: ['g1'] }))`.
 * `startRelay({ auth: 'open' })` runs it without access control (COURTYARD_AUTH=open) for tests not about access.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page, type WebSocketRoute } from 'playwright-core';
import type { Role } from '../../src/lib/domain/actor';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

const LISTENING = /courtyard relay listening on (http:\/\/[^\s]+?):(\d+)\/?\s/;
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;

export interface RelayOptions {
	/** Reuse a data directory (e.g. to restart after kill9). Default: a fresh temp dir per relay. */
	dataDir?: string;
	/** Extra environment for the relay, e.g. STATIC_DIR, SEED (PORT and DATA_DIR are set by the harness). */
	env?: Record<string, string>;
	/** Fixed port, e.g. to restart a relay on the same origin (service workers are per origin). Default: free port. */
	port?: number;
	/** Entry script, relative to the repo root. */
	entry?: string;
	/** 'credentials' (the relay's default) or 'open': no access control, development only. */
	auth?: 'credentials' | 'open';
}

/** What an invitation grants, as the admin CLI takes it (role with - or _). */
export interface InviteOptions {
	role: Role;
	community: string;
	grids?: string[];
	household?: string;
	/** Street admin: the communities overseen (`community` is then the street office's id). */
	communities?: string[];
	/** How many devices may join with it (default 1). */
	uses?: number;
	/** e.g. '7d' (the default), '2h'. */
	expires?: string;
	label?: string;
}

export interface RelayHandle {
	/** Origin to open in the browser, e.g. http://127.0.0.1:41234 */
	url: string;
	port: number;
	dataDir: string;
	child: ChildProcess;
	/** Everything the relay wrote so far (for failure messages). */
	output(): string;
	/** Sends `signal` (SIGKILL after 10 s) and resolves with the exit code (null if it died by a signal). */
	stop(signal?: NodeJS.Signals): Promise<number | null>;
	/** Hard crash: SIGKILL, no chance to flush. Resolves once the process is gone. */
	kill9(): Promise<number | null>;
	/** stop() and, if the harness created the data dir, delete it. */
	dispose(): Promise<void>;
	/** An invitation link (`<url>/join?code=…`) made with the admin CLI on this relay's data directory. */
	invite(options: InviteOptions): Promise<string>;
	/** A device credential minted directly with the admin CLI (for API calls or `?token=` sockets). */
	token(options: Omit<InviteOptions, 'uses' | 'label'> & { name?: string }): Promise<string>;
}

function adminCli(dataDir: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, ['--import', 'tsx', 'server/admin/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } }, (error, stdout, stderr) =>
			error ? reject(new Error(`admin ${args[0]} failed: ${stderr || error.message}`)) : resolve(stdout)
		);
	});
}

function scopeArgs(o: Omit<InviteOptions, 'uses' | 'label'>): string[] {
	const args = ['--role', o.role, '--community', o.community];
	for (const grid of o.grids ?? []) args.push('--grid', grid);
	if (o.household) args.push('--household', o.household);
	if (o.communities) args.push('--communities', o.communities.join(','));
	if (o.expires) args.push('--expires', o.expires);
	return args;
}

/**
 * Spawns `node --import tsx server/main.ts` (PORT=0: a free port) and waits for its line
 * `courtyard relay listening on http://127.0.0.1:<port>`. Pass env.STATIC_DIR to serve another build.
 */
export async function startRelay(options: RelayOptions = {}): Promise<RelayHandle> {
	const ownDir = !options.dataDir;
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'courtyard-browser-'));
	const child = spawn(process.execPath, ['--import', 'tsx', options.entry ?? 'server/main.ts'], {
		cwd: ROOT,
		// Loopback only: tests never expose a relay to the network.
		env: {
			...process.env,
			HOST: '127.0.0.1',
			...(options.auth ? { COURTYARD_AUTH: options.auth } : {}),
			...options.env,
			PORT: String(options.port ?? 0),
			DATA_DIR: dataDir
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let log = '';
	child.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
	child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
	const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

	const { url, port } = await new Promise<{ url: string; port: number }>((ok, fail) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			fail(new Error(`relay did not report listening within ${START_TIMEOUT_MS} ms:\n${log}`));
		}, START_TIMEOUT_MS);
		const onData = () => {
			const m = LISTENING.exec(log);
			if (!m) return;
			clearTimeout(timer);
			child.stdout!.off('data', onData);
			ok({ url: `${m[1]}:${m[2]}`, port: Number(m[2]) });
		};
		child.stdout!.on('data', onData);
		void exited.then((code) => {
			clearTimeout(timer);
			fail(new Error(`relay exited (${code}) before listening:\n${log}`));
		});
	});

	const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
		if (child.exitCode !== null || child.signalCode !== null) return exited;
		child.kill(signal);
		// A relay that does not exit within the grace period (e.g. waiting on open sockets) is killed, so a
		// test's cleanup can never hang.
		const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
		const code = await exited;
		clearTimeout(timer);
		return code;
	};
	return {
		url,
		port,
		dataDir,
		child,
		output: () => log,
		stop,
		kill9: () => stop('SIGKILL'),
		async dispose() {
			await stop();
			if (ownDir) rmSync(dataDir, { recursive: true, force: true });
		},
		async invite(o) {
			const args = ['invite', ...scopeArgs(o), '--origin', url, '--json', '--uses', String(o.uses ?? 1)];
			if (o.label) args.push('--label', o.label);
			return (JSON.parse(await adminCli(dataDir, args)) as { link: string }).link;
		},
		async token(o) {
			const args = ['token', ...scopeArgs(o), '--json', '--name', o.name ?? 'browser test'];
			return (JSON.parse(await adminCli(dataDir, args)) as { token: string }).token;
		}
	};
}

/** The build the relay serves: STATIC_DIR (a build made beside the default one), else build/. */
export const STATIC_DIR = process.env.STATIC_DIR ?? 'build';

/** Fails at once, naming the command to run, when the app has not been built. */
export function requireBuild(): void {
	if (!existsSync(join(ROOT, STATIC_DIR, 'index.html'))) throw new Error(`${STATIC_DIR}/ is missing: run \`npx vite build\``);
}

export interface App {
	relay: RelayHandle;
	browser: Browser;
}

/** The relay serving the built app (with `env` added, e.g. a board's start delay) and a headless browser. */
export async function startApp(env: Record<string, string> = {}): Promise<App> {
	requireBuild();
	const relay = await startRelay({ env: { STATIC_DIR: join(ROOT, STATIC_DIR), ...env } });
	return { relay, browser: await launchBrowser() };
}

/** Closes what startApp opened (either may be missing when it failed), after the devices' own contexts. */
export async function stopApp(browser: Browser | undefined, relay: RelayHandle | undefined, devices: { context: BrowserContext }[] = []): Promise<void> {
	for (const d of devices) await d.context.close().catch(() => {});
	await browser?.close();
	await relay?.dispose();
}

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh profile (own IndexedDB, caches and service workers) with service workers allowed. */
export function newAppContext(browser: Browser, options: { locale?: string } = {}): Promise<BrowserContext> {
	return browser.newContext({
		serviceWorkers: 'allow',
		locale: options.locale ?? 'zh-CN',
		viewport: { width: 360, height: 740 }
	});
}

/** A fresh profile and its page; `contexts` keeps the profile for the suite to close. */
export async function openAppPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
	const context = await newAppContext(browser);
	return { context, page: await context.newPage() };
}

/**
 * Evaluates `fn` in the page until it returns a truthy value. Unlike page.waitForFunction, `fn` may be async
 * (waitForFunction treats the returned Promise itself as truthy). Survives navigations between attempts.
 */
export async function pollPage<T>(
	page: Page,
	fn: () => T | Promise<T>,
	{ timeout = 30_000, interval = 100, what = 'page condition' } = {}
): Promise<T> {
	const deadline = Date.now() + timeout;
	let last: unknown;
	for (;;) {
		try {
			const value = (await page.evaluate(fn)) as T;
			if (value) return value;
		} catch (error) {
			last = error; // e.g. "execution context was destroyed" during a reload
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
		}
		await new Promise((r) => setTimeout(r, interval));
	}
}

/**
 * Waits until a service worker controls the page. The first visit is controlled only after clients.claim();
 * if that has not happened once the worker is active, one reload hands the page to it.
 */
export async function waitForServiceWorker(page: Page, timeout = 30_000): Promise<void> {
	// Registration happens from app code after hydration; wait for an active worker first.
	await pollPage(page, async () => Boolean((await navigator.serviceWorker?.getRegistration())?.active), {
		timeout,
		what: 'an active service worker (does the app call registerServiceWorker()?)'
	});
	const controlled = () => Boolean(navigator.serviceWorker?.controller);
	try {
		await pollPage(page, controlled, { timeout: 5_000, what: 'service worker control' });
	} catch {
		await page.reload();
		await pollPage(page, controlled, { timeout, what: 'service worker control after reload' });
	}
}

export interface RelayLink {
	/** Whether relay sockets are currently refused. */
	readonly isCut: boolean;
	/** Socket connections refused while cut (each reconnect attempt counts). */
	readonly blocked: number;
	/** Socket connections let through to the relay. */
	readonly connected: number;
	/** Drop every live relay socket (as a network loss would: code 1006) and refuse new ones. */
	cut(): Promise<void>;
	/** Let new connections through again; the app's own reconnect logic does the rest. */
	restore(): void;
}

const RELAY_SOCKET = /\/(sync|ws)(\/|\?|$)/;
const ABNORMAL = { code: 1006, reason: 'relay cut by test' };
const links = new WeakMap<Page | BrowserContext, RelayLink>();

/**
 * Routes the relay WebSockets (/sync, /ws/*) of a page (or of every page in a context) through Playwright so
 * the test can cut and restore them. Install it BEFORE navigating: only sockets opened after installation
 * are routed. Playwright routes sockets created by documents, not by (shared) workers.
 *
 * A cut closes the page side with 1006 (a refused socket never reports 'open'), which is what the app sees
 * when the relay is unreachable; HTTP (app shell, photos) is unaffected — use context.setOffline() for a
 * full outage.
 */
export async function relayLink(target: Page | BrowserContext): Promise<RelayLink> {
	const existing = links.get(target);
	if (existing) return existing;
	/** Page-side route → its relay-side connection. */
	const live = new Map<WebSocketRoute, ReturnType<WebSocketRoute['connectToServer']>>();
	let isCut = false;
	let blocked = 0;
	let connected = 0;
	const link: RelayLink = {
		get isCut() {
			return isCut;
		},
		get blocked() {
			return blocked;
		},
		get connected() {
			return connected;
		},
		async cut() {
			isCut = true;
			const sockets = [...live];
			live.clear();
			// Page first, so the app sees 1006 rather than the relay's clean close.
			await Promise.all(sockets.map(([page]) => page.close(ABNORMAL)));
			await Promise.all(sockets.map(([, relay]) => relay.close()));
		},
		restore() {
			isCut = false;
		}
	};
	await target.routeWebSocket(RELAY_SOCKET, (ws) => {
		if (isCut) {
			blocked++;
			// Closing before the handler returns means the page never sees 'open'.
			return ws.close(ABNORMAL);
		}
		connected++;
		const relay = ws.connectToServer();
		live.set(ws, relay);
		// Replaces Playwright's default forwarding of the app's own close, so forward it ourselves.
		// The browser only lets pages close with 1000 or 3000–4999; anything else becomes 1000.
		ws.onClose((code) => {
			if (!live.delete(ws)) return;
			const valid = code === 1000 || (code !== undefined && code >= 3000 && code <= 4999);
			void relay.close({ code: valid ? code : 1000 });
		});
		relay.onClose((code, reason) => {
			if (!live.delete(ws)) return;
			void ws.close({ code: code ?? 1006, reason });
		});
	});
	links.set(target, link);
	return link;
}

/**
 * Cuts the page's relay sockets and returns the link to restore them (`link.restore()`) and to assert the cut
 * held (`link.blocked`). Live sockets are dropped only if relayLink() was installed before they opened.
 */
export async function cutRelay(target: Page | BrowserContext): Promise<RelayLink> {
	const link = await relayLink(target);
	await link.cut();
	return link;
}

/** Polls `check` until it returns a truthy value. */
export async function waitUntil<T>(check: () => T | Promise<T>, timeout = 10_000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeout;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
