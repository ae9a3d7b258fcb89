/**
 * Joining and administering in the browser tests. Invitations and credentials come from the harness
 * (`relay.invite`, `relay.token`: the admin CLI on the relay's data directory); admin actions go through the
 * relay's HTTP API (src/lib/protocol/api.ts) as a real admin device would.
 *
 *   const admin = await adminSession(relay);
 *   await joinInBrowser(page, await relay.invite({ role: 'grid_worker', community: 'demo', grids: ['g1'] }), '张网格');
 *   await admin.post(`/api/devices/${id}/revoke`);
 */
import type { Page } from 'playwright-core';
import type { ApiError } from '../../src/lib/protocol/api';
import type { RelayHandle } from './harness';

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
