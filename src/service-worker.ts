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
 * Data never passes through here: sync (/sync, /ws/*), the API and photos (/api/*) always go to the network, and
 * nothing in this file touches IndexedDB, so an update cannot lose unsynced work.
 */
import { base, build, files, prerendered, version } from '$service-worker';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

const sw = self as unknown as ServiceWorkerGlobalScope;

/** Paths that belong to the relay, never to the shell. */
const RELAY_PATHS = [/^\/(ws|sync)(\/|$)/, /^\/api(\/|$)/];

const SHELL = `${base}/`;
const IMMUTABLE = `${base}/_app/immutable/`;

function entries(): PrecacheEntry[] {
	const list: PrecacheEntry[] = [];
	const seen = new Set<string>();
	const add = (url: string, revision: string | null) => {
		if (seen.has(url)) return;
		seen.add(url);
		list.push({ url, revision });
	};
	// Content-hashed files are their own revision; everything else changes with the build version.
	for (const url of build) add(url, url.startsWith(IMMUTABLE) ? null : version);
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

// Any in-app navigation (deep links, QR codes on posters, reloads) gets the precached shell; the client router
// renders the route. Relay paths are excluded so their errors and redirects reach the browser untouched.
registerRoute(
	new NavigationRoute(createHandlerBoundToURL(SHELL), {
		// Also skip file-like paths (exports, downloads): a missing file must 404, not show the app.
		denylist: [...RELAY_PATHS, /\/[^/?]+\.[a-z0-9]+(\?|$)/i]
	})
);

sw.addEventListener('message', (event: ExtendableMessageEvent) => {
	const data = event.data as { type?: unknown } | null;
	// Sent by workbox-window's messageSkipWaiting() once the UI has decided it is safe to switch versions.
	if (data && data.type === 'SKIP_WAITING') void sw.skipWaiting();
});

sw.addEventListener('activate', (event: ExtendableEvent) => {
	// Take over pages opened before the first install, so they work offline without a reload.
	event.waitUntil(sw.clients.claim());
});
