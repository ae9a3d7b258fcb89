/**
 * Registers the service worker (production builds only) through workbox-window and drives `pwa` state.
 *
 * Updates never happen behind the user's back: a new version waits until `applyUpdate()` is called. Switching
 * versions only reloads the page; all data (including unsynced changes) stays in IndexedDB, which the service
 * worker never touches. Callers that hold unsaved in-memory input should pass `canReload` to flush it or to
 * ask the user first.
 */
import { dev } from '$app/environment';
import { Workbox } from 'workbox-window';
import type { Role } from '$lib/domain/actor';
import { RETRY_POLICY, retryDelay } from '$lib/client/outbox';
import { pwa } from './pwa.svelte';
import { DEVICE_ROLE, type DeviceRoleMessage, type DeviceRoleReply } from './worker-messages';

const SW_URL = '/service-worker.js';
/** How often a long-open tab looks for a new version. */
const UPDATE_INTERVAL_MS = 60 * 60 * 1000;
/** Reload anyway if the new worker has not taken control by then, so the prompt can't hang. */
const CONTROL_TIMEOUT_MS = 10_000;
/** Give up waiting for the worker to cache the role's code (it retries on the outbox's policy and when online). */
const ROLE_CODE_TIMEOUT_MS = 60_000;
/** How long an update waits for the new version to confirm it holds the role's code before switching. */
const UPDATE_ROLE_CODE_TIMEOUT_MS = 20_000;

let wb: Workbox | null = null;
let registration: ServiceWorkerRegistration | null = null;
let reloadWhenControlled = false;
/** The shell is precached (a worker is active). */
let shellReady = false;
/** The role told to the worker, and whether its code is cached (true while no role is known). */
let deviceRole: Role | null = null;
let roleCodeReady = true;
/** Failed attempts in a row to have the role's code cached, and the timer of the next one. */
let roleCodeFailures = 0;
let roleCodeRetry: ReturnType<typeof setTimeout> | null = null;

/** Ready offline means the shell and, once the device has a role, that role's code. */
function markReady(): void {
	pwa.offlineReady = shellReady && roleCodeReady;
}

function reload(): void {
	window.location.reload();
}

/** Idempotent; safe to call from onMount. Resolves once registration has been attempted. */
export async function registerServiceWorker(): Promise<void> {
	if (dev || wb || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
	wb = new Workbox(SW_URL, { scope: '/' });

	wb.addEventListener('waiting', () => {
		pwa.updateAvailable = true;
		// A new version: whether it holds the role's code is asked again when the user updates.
		pwa.updateBlocked = false;
		// Its install may have read the device record just before this tab told the role: tell it now.
		const waiting = registration?.waiting;
		if (waiting && deviceRole) waiting.postMessage(roleMessage(deviceRole));
	});
	wb.addEventListener('activated', (event) => {
		if (!event.isUpdate) {
			shellReady = true;
			markReady();
		}
	});
	wb.addEventListener('controlling', (event) => {
		shellReady = true;
		markReady();
		if (reloadWhenControlled) reload();
		// Another tab applied the update: this tab still runs the old code, so offer a reload instead of
		// forcing one (it may hold unsaved input).
		else if (event.isUpdate) pwa.updateAvailable = true;
	});

	if (!(await tryRegister(wb))) {
		// First visit with a flaky connection: try again when the network returns, so offline use isn't lost.
		const instance = wb;
		const retry = async () => {
			if (await tryRegister(instance)) window.removeEventListener('online', retry);
		};
		window.addEventListener('online', retry);
	}

	const check = () => {
		if (document.visibilityState === 'visible' && navigator.onLine) void checkForUpdate();
	};
	setInterval(check, UPDATE_INTERVAL_MS);
	document.addEventListener('visibilitychange', check);
	window.addEventListener('online', check);
	// Role code that could not be fetched (offline after joining) is fetched when the network returns.
	window.addEventListener('online', () => {
		if (!roleCodeReady) void sendRole();
	});
}

async function tryRegister(instance: Workbox): Promise<boolean> {
	try {
		registration = (await instance.register({ immediate: true })) ?? null;
	} catch (error) {
		pwa.error = error instanceof Error ? error.message : String(error);
		return false;
	}
	pwa.error = null;
	if (navigator.serviceWorker.controller || registration?.active) {
		shellReady = true;
		markReady();
	}
	if (registration?.waiting) pwa.updateAvailable = true;
	return true;
}

/** Asks the server for a newer service worker now (e.g. when the network returns). */
export async function checkForUpdate(): Promise<void> {
	try {
		await wb?.update();
	} catch {
		// Offline or server down: try again next time.
	}
}

/**
 * Switches to the waiting version and reloads. `canReload` runs first and may cancel by resolving false
 * (e.g. the user chose to stay, or in-memory input could not be saved). Resolves false if cancelled.
 */
export async function applyUpdate(canReload?: () => Promise<boolean>): Promise<boolean> {
	if (canReload && !(await canReload())) return false;
	pwa.updating = true;
	if (!wb || !registration?.waiting) {
		// Nothing waiting (another tab already activated the new version): a reload picks it up.
		reload();
		return true;
	}
	// The new version must hold this role's code before it takes over, or an update would lose it offline.
	if (deviceRole && !(await ask(registration.waiting, roleMessage(deviceRole), UPDATE_ROLE_CODE_TIMEOUT_MS))) {
		pwa.updating = false;
		pwa.updateBlocked = true;
		return false;
	}
	pwa.updateBlocked = false;
	reloadWhenControlled = true;
	wb.messageSkipWaiting();
	setTimeout(reload, CONTROL_TIMEOUT_MS);
	return true;
}

/**
 * Tells the service worker this device's role, so that it caches the role's code (the editor, spreadsheet code,
 * staff pages) and keeps it across updates. Call whenever the role is known; repeated calls are cheap. A device
 * without a role sends nothing: it gets the common code, and any other code is cached when first used.
 */
export function tellDeviceRole(role: Role | null): void {
	if (dev || !role || role === deviceRole || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
	deviceRole = role;
	roleCodeReady = false;
	roleCodeFailures = 0;
	markReady();
	void sendRole();
}

/**
 * The role, and the app's scripts this page has loaded: code fetched before the worker controlled the page (the
 * first visit) never passed through it, so the worker caches what of it is role-specific.
 */
function roleMessage(role: Role): DeviceRoleMessage {
	const loaded = performance
		.getEntriesByType('resource')
		.map((entry) => new URL(entry.name))
		.filter((url) => url.origin === location.origin && url.pathname.startsWith('/_app/immutable/'))
		.map((url) => url.pathname);
	return { type: DEVICE_ROLE, role, loaded: [...new Set(loaded)] };
}

async function sendRole(): Promise<void> {
	const role = deviceRole;
	if (!role) return;
	if (roleCodeRetry) clearTimeout(roleCodeRetry);
	roleCodeRetry = null;
	// Resolves once a worker is active (registration may still be under way, or retried when back online).
	const reg = await navigator.serviceWorker.ready;
	const message = roleMessage(role);
	// A version already installed and waiting fetches the role's code too, before the user switches to it.
	for (const worker of [reg.waiting, reg.installing]) worker?.postMessage(message);
	const ok = reg.active ? await ask(reg.active, message) : false;
	if (role !== deviceRole) return;
	roleCodeReady = ok;
	markReady();
	// A server hiccup while online would otherwise leave the code missing until the next 'online' event.
	if (ok) roleCodeFailures = 0;
	else if (navigator.onLine) roleCodeRetry = setTimeout(() => void sendRole(), retryDelay(RETRY_POLICY, ++roleCodeFailures));
}

/** Posts `message` and waits for the worker's reply on a channel; false if it fails or does not answer. */
function ask(worker: ServiceWorker, message: DeviceRoleMessage, timeoutMs = ROLE_CODE_TIMEOUT_MS): Promise<boolean> {
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		const timer = setTimeout(() => resolve(false), timeoutMs);
		channel.port1.onmessage = (event: MessageEvent<DeviceRoleReply>) => {
			clearTimeout(timer);
			resolve(event.data.ok);
		};
		worker.postMessage(message, [channel.port2]);
	});
}
