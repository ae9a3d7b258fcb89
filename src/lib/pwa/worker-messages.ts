/** Messages between the app and its service worker about the device's role-specific code (see service-worker.ts). */
import type { Role } from '../domain/actor';

/** App → worker: this device's role; the worker keeps it and fetches the role's code. */
export const DEVICE_ROLE = 'DEVICE_ROLE';
/** Worker → app, on the message's port: the role's code is cached (or could not be fetched). */
export const DEVICE_CODE_READY = 'DEVICE_CODE_READY';

export interface DeviceRoleMessage {
	type: typeof DEVICE_ROLE;
	role: Role;
	/**
	 * Build paths of the scripts this page has loaded. Code fetched before the worker controlled the page never
	 * passed through it, so the worker caches and records it from this list.
	 */
	loaded?: string[];
}

export type DeviceRoleReply = { type: typeof DEVICE_CODE_READY; ok: true } | { type: typeof DEVICE_CODE_READY; ok: false; error: string };
