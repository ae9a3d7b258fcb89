/**
 * Joining and administering in the browser tests. Invitations and credentials come from the harness
 * (`relay.invite`, `relay.token`: the admin CLI on the relay's data directory); admin actions go through the
 * relay's HTTP API (src/lib/protocol/api.ts) as a real admin device would.
 *
 *   const admin = await adminSession(relay);
 *   await joinInBrowser(page, await relay.invite({ role: 'grid_worker', community: 'demo', grids: ['g1'] }), '张网格');
 *   await admin.post(`/api/devices/${id}/revoke`);
 *
 * Tests of the seeded demo also open the invitations the relay prints at start (`bootstrapLink`); `adminToken`
 * redeems the admin's one from Node for API calls.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ApiError, CreateInvitationRequest } from '../../src/lib/protocol/api';
import { caughtUp } from './app-page';
import { newAppContext, relayLink, waitForServiceWorker, type InviteOptions, type RelayHandle, type RelayLink } from './harness';

export const DEMO = 'demo';

export interface AdminSession {
	token: string;
	get<T>(path: string): Promise<T>;
	post<T>(path: string, body?: unknown): Promise<T>;
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
	const res = await fetch(url, init);
	const body = (await res.json()) as T | ApiError;
	if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
	return body as T;
}

/** A community admin device of the demo community, for API calls. */
export async function adminSession(relay: RelayHandle, name = 'test admin'): Promise<AdminSession> {
	const token = await relay.token({ role: 'community_admin', community: DEMO, name });
	const auth = { authorization: `Bearer ${token}` };
	return {
		token,
		get: (path) => call(`${relay.url}${path}`, { headers: auth }),
		post: (path, body) =>
			call(`${relay.url}${path}`, {
				method: 'POST',
				headers: { ...auth, 'content-type': 'application/json' },
				body: JSON.stringify(body ?? {})
			})
	};
}

/** Opens an invitation link in the app and joins with it, ending on the page that says what was granted. */
export async function joinInBrowser(page: Page, link: string, name?: string): Promise<void> {
	await page.goto(link);
	if (name) await page.getByTestId('join-name').fill(name);
	await page.getByTestId('join-submit').click();
	await page.getByTestId('join-done').waitFor();
}

/** Joins with the link, starts the app and waits until its first sync has caught up. */
export async function joinWith(page: Page, link: string, name: string): Promise<void> {
	await joinInBrowser(page, link, name);
	await page.getByTestId('join-start').click();
	await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
}

/** A joined device with its own profile; `link` cuts and restores its relay sockets. */
export interface Device {
	context: BrowserContext;
	page: Page;
	link: RelayLink;
}

/** A new browser profile that joins with the link and has caught up. */
export async function joinDevice(browser: Browser, link: string, name: string): Promise<Device> {
	const context = await newAppContext(browser);
	// On the context, before any page opens, so every relay socket can be cut.
	const relayCut = await relayLink(context);
	const page = await context.newPage();
	await joinWith(page, link, name);
	return { context, page, link: relayCut };
}

/**
 * A device joined by a fresh invitation with the app installed: the service worker controls the page, so screens
 * open without the network. `devices` keeps it for the suite to close.
 */
export async function installedDevice(browser: Browser, relay: RelayHandle, invite: InviteOptions, name: string, devices: Device[]): Promise<Device> {
	const d = await joinDevice(browser, await relay.invite(invite), name);
	devices.push(d);
	await waitForServiceWorker(d.page);
	return d;
}

/** The demo invitation link the relay printed for a role ("facilitator", "community admin", …). */
export function bootstrapLink(relay: RelayHandle, role: string): string {
	const lines = relay.output().split('\n');
	const i = lines.findIndex((l) => l.trim().startsWith(`${role} (`));
	const link = lines[i + 1]?.trim();
	if (i < 0 || !link?.includes('/join?code=')) throw new Error(`no demo invitation for ${role} in:\n${relay.output()}`);
	return link;
}

/** Redeems the demo admin invitation from Node, for the admin API. */
export async function adminToken(relay: RelayHandle): Promise<string> {
	const code = new URL(bootstrapLink(relay, 'community admin')).searchParams.get('code');
	const res = await fetch(`${relay.url}/api/join`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ code, deviceName: 'test admin' })
	});
	if (!res.ok) throw new Error(`admin join failed: ${res.status} ${await res.text()}`);
	return ((await res.json()) as { token: string }).token;
}

/** An invitation made by the admin through the API, as on the admin's own device (for the admin's community). */
export async function apiInvitation(relay: RelayHandle, token: string, request: Omit<CreateInvitationRequest, 'community'>): Promise<string> {
	const res = await fetch(`${relay.url}/api/invitations`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
		body: JSON.stringify(request)
	});
	if (res.status !== 201) throw new Error(`invitation failed: ${res.status} ${await res.text()}`);
	return ((await res.json()) as { link: string }).link;
}
