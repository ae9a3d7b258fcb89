/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Courtyard's service worker: precaches the app shell so every route opens offline.
 *
 * Update safety: the new version's precache is filled during `install` (install fails, and the old worker keeps
 * serving, if any file cannot be fetched); we never skipWaiting on our own, so a new version takes over only when
 * the user accepts the update prompt (SKIP_WAITING message) or every tab has closed. Entries the new manifest no
 * longer lists are removed in `activate`, i.e. only after the new version is complete.
 *
 * Role-specific code (issue #16; src/lib/pwa/precache-plan.ts): the build's plan names the files only some roles
 * use (the minutes editor, spreadsheet code, staff pages). They are not precached for everyone. The app tells the
 * worker the device's role (DEVICE_ROLE message); the worker remembers it in a cache entry and fetches that role's
 * files into the code cache, and any other content-hashed file is cached the first time it is used, so it opens
 * offline afterwards. Each install fetches the files of the remembered role and of every group the device has used,
 * so an update never loses offline availability of what the device uses; the code cache sheds files the new build
 * no longer has only in `activate`, like the precache.
 *
 * Data never passes through here: sync (/sync, /ws/*), the API and photos (/api/*) always go to the network, and
 * nothing in this file touches IndexedDB, so an update cannot lose unsynced work.
 */
import { base, build, files, prerendered, version } from '$service-worker';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { isRole } from '$lib/domain/actor';
import { type DeviceCode, deviceFiles, groupsOfFile, type PrecachePlan, roleSpecificFiles } from '$lib/pwa/precache-plan';
import { DEVICE_CODE_READY, DEVICE_ROLE, type DeviceRoleReply } from '$lib/pwa/worker-messages';

/** Set at build time by scripts/precache-plan-plugin.ts; null in dev, where everything is precached. */
declare const __COURTYARD_PRECACHE_PLAN__: PrecachePlan | null;

const sw = self as unknown as ServiceWorkerGlobalScope;
const PLAN: PrecachePlan | null = __COURTYARD_PRECACHE_PLAN__;

/** Paths that belong to the relay, never to the shell. */
const RELAY_PATHS = [/^\/(ws|sync)(\/|$)/, /^\/api(\/|$)/];

const SHELL = `${base}/`;
const IMMUTABLE = `${base}/_app/immutable/`;
/** Content-hashed files outside the precache: role code and code first used at runtime. Same URL, same bytes. */
const CODE_CACHE = 'courtyard-code';
/** What the app told us about the device (role, groups used), kept across versions. */
const DEVICE_CACHE = 'courtyard-device';
const DEVICE_URL = new URL(`${base}/__courtyard/device.json`, sw.location.origin).href;

const BUILD = new Set(build);
/** Build paths (`/…`) of role-specific files, left out of the precache. */
const ROLE_FILES = new Set([...(PLAN ? roleSpecificFiles(PLAN) : [])].map((file) => `${base}/${file}`));

function entries(): PrecacheEntry[] {
	const list: PrecacheEntry[] = [];
	const seen = new Set<string>();
	const add = (url: string, revision: string | null) => {
		if (seen.has(url)) return;
		seen.add(url);
		list.push({ url, revision });
	};
	// Content-hashed files are their own revision; everything else changes with the build version.
	for (const url of build) if (!ROLE_FILES.has(url)) add(url, url.startsWith(IMMUTABLE) ? null : version);
	for (const url of files) {
		// The robots file is for crawlers, not offline use.
		if (url.endsWith('/robots.txt')) continue;
		add(url, version);
	}
	for (const url of prerendered) add(url, version);
	// The navigation fallback below needs the shell even if the root stops being prerendered.
	add(SHELL, version);
	return list;
}

precacheAndRoute(entries());
cleanupOutdatedCaches();

// ---- the device's role-specific code ----

async function readDevice(): Promise<DeviceCode> {
	const res = await (await caches.open(DEVICE_CACHE)).match(DEVICE_URL);
	const saved = res ? ((await res.json()) as Partial<DeviceCode>) : {};
	return { role: saved.role ?? null, used: Array.isArray(saved.used) ? saved.used : [] };
}

/** Device updates run one at a time, so that groups recorded by parallel fetches are not lost. */
let deviceQueue: Promise<unknown> = Promise.resolve();
function updateDevice(change: (device: DeviceCode) => DeviceCode | null): Promise<DeviceCode> {
	const next = deviceQueue.then(async () => {
		const device = await readDevice();
		const changed = change(device);
		if (!changed) return device;
		const body = JSON.stringify(changed);
		await (await caches.open(DEVICE_CACHE)).put(DEVICE_URL, new Response(body, { headers: { 'content-type': 'application/json' } }));
		return changed;
	});
	deviceQueue = next.catch(() => {});
	return next;
}

/** Fetches this version's files for the device that are not cached yet; rejects if any cannot be fetched. */
async function fillDeviceCode(device: DeviceCode): Promise<void> {
	if (!PLAN) return;
	const cache = await caches.open(CODE_CACHE);
	await Promise.all(
		deviceFiles(PLAN, device).map(async (file) => {
			const url = new URL(`${base}/${file}`, sw.location.origin).href;
			if (!(await cache.match(url))) await cache.add(url);
		})
	);
}

sw.addEventListener('install', (event: ExtendableEvent) => {
	// Beside workbox's precache: this version is not installed until the device's role code is here too.
	event.waitUntil(readDevice().then(fillDeviceCode));
});

// Content-hashed code outside the precache: from the code cache, else from the network, kept for next time.
// Precached files never get here (workbox's route is registered first).
registerRoute(
	({ url, request }) => request.method === 'GET' && url.origin === sw.location.origin && url.pathname.startsWith(IMMUTABLE),
	async ({ url, request, event }) => {
		const cache = await caches.open(CODE_CACHE);
		const key = new URL(url.pathname, url.origin).href;
		const hit = await cache.match(key);
		if (hit) return hit;
		const res = await fetch(request);
		// Only this version's files: an old tab's leftovers would only be removed again on the next activate.
		if (res.ok && BUILD.has(url.pathname)) {
			const keep = (async () => {
				await cache.put(key, res.clone());
				const used = groupsOfPaths([url.pathname]);
				if (used.length) await updateDevice((device) => changed(device, withUsed(device, used)));
			})();
			(event as ExtendableEvent).waitUntil(keep.catch(() => {}));
		}
		return res;
	}
);

/** The plan's groups of these build paths (`/…`): only role-specific files belong to any. */
function groupsOfPaths(paths: readonly string[]): string[] {
	const plan = PLAN;
	if (!plan) return [];
	return [...new Set(paths.filter((path) => ROLE_FILES.has(path)).flatMap((path) => groupsOfFile(plan, path.slice(base.length + 1))))];
}

/** `device` with `used` among its used groups (the same object when it had them all). */
function withUsed(device: DeviceCode, used: readonly string[]): DeviceCode {
	return used.every((name) => device.used.includes(name)) ? device : { ...device, used: [...new Set([...device.used, ...used])].sort() };
}

/** For updateDevice: null (nothing to write) when `next` is `device` itself. */
const changed = (device: DeviceCode, next: DeviceCode): DeviceCode | null => (next === device ? null : next);

// Any in-app navigation (deep links, QR codes on posters, reloads) gets the precached shell; the client router
// renders the route. Relay paths are excluded so their errors and redirects reach the browser untouched.
registerRoute(
	new NavigationRoute(createHandlerBoundToURL(SHELL), {
		// Also skip file-like paths (exports, downloads): a missing file must 404, not show the app.
		denylist: [...RELAY_PATHS, /\/[^/?]+\.[a-z0-9]+(\?|$)/i]
	})
);

sw.addEventListener('message', (event: ExtendableMessageEvent) => {
	const data = event.data as { type?: unknown; role?: unknown; loaded?: unknown } | null;
	// Sent by workbox-window's messageSkipWaiting() once the UI has decided it is safe to switch versions.
	if (data && data.type === 'SKIP_WAITING') void sw.skipWaiting();
	if (data && data.type === DEVICE_ROLE) {
		// A device that has not joined (or whose role is not known yet) sends nothing; a role once told is kept.
		if (!isRole(data.role)) return;
		const role = data.role;
		const loaded = Array.isArray(data.loaded) ? data.loaded.filter((path): path is string => typeof path === 'string') : [];
		const reply = (message: DeviceRoleReply) => event.ports[0]?.postMessage(message);
		// Code the page loaded before this worker controlled it (the first visit) never passed through the route
		// above: its groups are recorded with the role, and fillDeviceCode fetches them with the role's own.
		const used = groupsOfPaths(loaded);
		event.waitUntil(
			updateDevice((device) => changed(device, withUsed(device.role === role ? device : { ...device, role }, used)))
				.then(fillDeviceCode)
				.then(
					() => reply({ type: DEVICE_CODE_READY, ok: true }),
					(err: unknown) => reply({ type: DEVICE_CODE_READY, ok: false, error: String(err) })
				)
		);
	}
});

sw.addEventListener('activate', (event: ExtendableEvent) => {
	event.waitUntil(
		(async () => {
			// Only now that this version is complete: drop code the new build no longer has.
			const cache = await caches.open(CODE_CACHE);
			for (const req of await cache.keys()) if (!BUILD.has(new URL(req.url).pathname)) await cache.delete(req);
			// Take over pages opened before the first install, so they work offline without a reload.
			await sw.clients.claim();
		})()
	);
});
