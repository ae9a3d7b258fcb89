/**
 * Device credentials against the real relay: forged, foreign, expired and revoked credentials on both
 * endpoints (at connect and while open, by the API and by the admin CLI in another process), and the HTTP API:
 * invitations (expiry, use limit, atomic redemption, rate limit), the device list, revocation, /api/me.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import type { ApiError, CreateInvitationResponse, DeviceInfo, DeviceList, JoinResponse } from '../../src/lib/protocol/api';
import { BatchStatus, CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { Credentials } from '../../server/auth/credentials';
import { docUrl, mintToken, RawClient, removeDir, ROOT, sleep, startTestRelay, SyncClient, waitFor } from './helpers';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let admin: string;
const DOC = 'demo:proposal:p1';

beforeAll(async () => {
	relay = await startTestRelay({ credentials: { revocationPollMs: 100 }, joinsPerMinute: 1_000 });
	admin = await mintToken(relay, { role: 'community_admin', community: 'demo' }, { name: 'admin desk' });
	const d = new Y.Doc();
	d.getMap('meta').set('title', 'seeded');
	await relay.store.appendUpdates([{ doc: DOC, data: Y.encodeStateAsUpdate(d) }]);
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
	const res = await fetch(`${relay.url}${path}`, {
		method,
		headers: {
			...(body !== undefined ? { 'content-type': 'application/json' } : {}),
			...(token ? { authorization: `Bearer ${token}` } : {})
		},
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	return { status: res.status, body: (await res.json()) as T };
}

/** Connects on both endpoints and resolves once each is ready to serve. */
async function openBoth(token: string) {
	const sync = await SyncClient.connect(relay.url, token);
	sync.sendFrame({ kind: MuxMessage.Subscribe, doc: DOC });
	await sync.waitFrame(MuxMessage.Doc);
	const ws = new RawClient(docUrl(relay.url, DOC, token));
	await waitFor(() => ws.received.length > 0, { what: '/ws greeted' });
	return { sync, ws };
}

async function expectRefused(token: string | undefined, reason: string): Promise<void> {
	const sync = new SyncClient(relay.url, token);
	const ws = new RawClient(docUrl(relay.url, DOC, token));
	for (const c of [sync, ws]) {
		const closed = await c.closed;
		expect(closed).toEqual({ code: CloseCode.Unauthorized, reason });
		expect(c.received).toHaveLength(0);
	}
}

function forge(token: string, grant: Grant): string {
	const [header, payload, signature] = token.split('.') as [string, string, string];
	const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
	const forged = Buffer.from(JSON.stringify({ ...claims, grant })).toString('base64url');
	return `${header}.${forged}.${signature}`;
}

describe('credentials at connect', () => {
	it('refuses a missing credential', async () => {
		await expectRefused(undefined, 'missing credential');
	});

	it('refuses garbage and a forged signature (a resident promoting itself to admin)', async () => {
		await expectRefused('not-a-jwt', 'invalid credential');
		const resident = await mintToken(relay, { role: 'resident', community: 'demo', household: 'h1' });
		await expectRefused(forge(resident, { role: 'community_admin', community: 'demo' }), 'invalid credential');
		const [h, p, s] = resident.split('.') as [string, string, string];
		await expectRefused(`${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`, 'invalid credential');
	});

	it("refuses a credential signed by another relay's key", async () => {
		const other = await Credentials.open(null);
		const { token } = await other.issue({ role: 'community_admin', community: 'demo' }, 'elsewhere');
		other.close();
		await expectRefused(token, 'invalid credential');
	});

	it('refuses an expired credential', async () => {
		const token = await mintToken(relay, { role: 'facilitator', community: 'demo' }, { expiresAt: Date.now() - 2_000 });
		await expectRefused(token, 'credential expired');
	});

	it("gives another community's credential nothing of this one", async () => {
		const token = await mintToken(relay, { role: 'community_admin', community: 'other' });
		const ws = new RawClient(docUrl(relay.url, DOC, token));
		expect((await ws.closed).code).toBe(CloseCode.Forbidden);
		expect(ws.received).toHaveLength(0);
		const sync = await SyncClient.connect(relay.url, token);
		sync.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: [{ doc: DOC, stateVector: new Uint8Array([0]) }] });
		const [entry] = (await sync.waitFrame(MuxMessage.BatchSyncReply)).entries;
		expect(entry?.status).toBe(BatchStatus.Forbidden);
		expect(entry?.diff).toHaveLength(0);
		sync.close();
	});
});

describe('credentials while connected', () => {
	it('closes both endpoints with 4401 when the credential expires', async () => {
		const token = await mintToken(relay, { role: 'facilitator', community: 'demo' }, { expiresAt: Date.now() + 2_000 });
		const { sync, ws } = await openBoth(token);
		for (const c of [sync, ws]) expect(await c.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'credential expired' });
		await expectRefused(token, 'credential expired');
	});

	it('closes both endpoints at once when an admin revokes the device through the API', async () => {
		const { token, device } = await relay.credentials.issue({ role: 'grid_worker', community: 'demo', grids: ['g1'] }, 'lost phone');
		const { sync, ws } = await openBoth(token);
		const revoked = await api<DeviceInfo>('POST', `/api/devices/${device.id}/revoke`, undefined, admin);
		expect(revoked.status).toBe(200);
		expect(revoked.body.revokedAt).toEqual(expect.any(Number));
		for (const c of [sync, ws]) expect(await c.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
		await expectRefused(token, 'credential revoked');
		expect((await api<ApiError>('GET', '/api/me', undefined, token)).body.error).toBe('revoked');
	});

	it('closes both endpoints when the admin CLI revokes the device from another process', async () => {
		const { token, device } = await relay.credentials.issue({ role: 'resident', community: 'demo', household: 'h2' }, 'old tablet');
		const { sync, ws } = await openBoth(token);
		const cli = spawn(process.execPath, ['--import', 'tsx', 'server/admin/cli.ts', 'revoke', device.id], {
			cwd: ROOT,
			env: { ...process.env, DATA_DIR: relay.dataDir },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
		expect(await new Promise((resolve) => cli.on('exit', resolve))).toBe(0);
		expect(out).toContain(`revoked ${device.id}`);
		for (const c of [sync, ws]) expect(await c.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
		await expectRefused(token, 'credential revoked');
	});
});

describe('invitations', () => {
	const invite = (body: Record<string, unknown>, token = admin) => api<CreateInvitationResponse & ApiError>('POST', '/api/invitations', body, token);
	const join = (code: string, deviceName = 'phone') => api<JoinResponse & ApiError>('POST', '/api/join', { code, deviceName });

	it('a community admin invites a grid worker; the link redeems for a working credential of that grant', async () => {
		const created = await invite({ role: 'grid_worker', community: 'demo', grids: ['g1'], label: 'Xiao Zhou', maxUses: 1 });
		expect(created.status).toBe(201);
		expect(created.body.link).toBe(`${relay.url}/join?code=${created.body.code}`);
		expect(created.body.invitation).toMatchObject({ grant: { role: 'grid_worker', community: 'demo', grids: ['g1'] }, maxUses: 1, uses: 0 });
		const joined = await join(created.body.code, "Xiao Zhou's phone");
		expect(joined.status).toBe(200);
		expect(joined.body.device).toMatchObject({ name: "Xiao Zhou's phone", grant: { role: 'grid_worker', grids: ['g1'] }, revokedAt: null });
		const me = await api<DeviceInfo>('GET', '/api/me', undefined, joined.body.token);
		expect(me.body.id).toBe(joined.body.device.id);
		const sync = await SyncClient.connect(relay.url, joined.body.token);
		sync.sendFrame({
			kind: MuxMessage.BatchSync,
			requestId: 1,
			entries: ['demo:households:g1', 'demo:households:g2'].map((doc) => ({ doc, stateVector: new Uint8Array([0]) }))
		});
		const reply = await sync.waitFrame(MuxMessage.BatchSyncReply);
		expect(reply.entries.map((e) => e.status)).toEqual([BatchStatus.Missing, BatchStatus.Forbidden]);
		sync.close();
		// Used up now.
		expect((await join(created.body.code)).body.error).toBe('invitation_used_up');
	});

	it('redeems a use limit exactly, even under concurrent redemptions', async () => {
		const created = await invite({ role: 'facilitator', maxUses: 3 });
		const results = await Promise.all(Array.from({ length: 12 }, (_, i) => join(created.body.code, `device ${i}`)));
		expect(results.filter((r) => r.status === 200)).toHaveLength(3);
		expect(results.filter((r) => r.status === 410 && r.body.error === 'invitation_used_up')).toHaveLength(9);
	});

	it('refuses an expired invitation (410) and an unknown code (404)', async () => {
		const { code } = await relay.credentials.createInvitation(
			{ role: 'facilitator', community: 'demo' },
			{ expiresAt: Date.now() - 1_000, maxUses: 5, label: '', createdBy: 'test' }
		);
		const expired = await join(code);
		expect(expired.status).toBe(410);
		expect(expired.body.error).toBe('invitation_expired');
		const unknown = await join('no-such-code');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toEqual({ error: 'not_found', message: expect.stringMatching(/invitation/) });
	});

	it('lets only a community admin invite, within their own community, never a street admin', async () => {
		expect((await invite({ role: 'facilitator' }, '')).body.error).toBe('unauthorized');
		const facilitator = await mintToken(relay, { role: 'facilitator', community: 'demo' });
		expect((await invite({ role: 'resident', household: 'h1' }, facilitator)).status).toBe(403);
		expect((await invite({ role: 'facilitator', community: 'other' })).status).toBe(403);
		const street = await invite({ role: 'street_admin', communities: ['demo'] });
		expect(street.status).toBe(403);
		expect(street.body.message).toMatch(/command line/);
		expect((await invite({ role: 'grid_worker' })).body).toEqual({ error: 'invalid', message: expect.stringMatching(/grids/) });
		expect((await invite({ role: 'resident' })).body.error).toBe('invalid');
		expect((await invite({ role: 'mayor' })).body.error).toBe('invalid');
		expect((await invite({ role: 'facilitator', maxUses: 0 })).body.error).toBe('invalid');
		expect((await invite({ role: 'facilitator', expiresIn: 10 })).body.error).toBe('invalid');
	});

	it('answers malformed and oversized bodies with clear errors', async () => {
		const raw = (body: string, type = 'application/json') =>
			fetch(`${relay.url}/api/join`, { method: 'POST', headers: { 'content-type': type }, body });
		const notJson = await raw('{');
		expect(notJson.status).toBe(400);
		expect(await notJson.json()).toEqual({ error: 'invalid', message: 'the body is not valid JSON' });
		expect((await raw('code=x', 'application/x-www-form-urlencoded')).status).toBe(400);
		const huge = await raw(JSON.stringify({ code: 'x'.repeat(20_000) }));
		expect(huge.status).toBe(413);
		expect(((await huge.json()) as ApiError).error).toBe('too_large');
		expect((await fetch(`${relay.url}/api/join`)).status).toBe(405);
		expect((await api<ApiError>('GET', '/api/nothing')).body.error).toBe('not_found');
	});

	it('rate-limits redemption per address with 429 and Retry-After', async () => {
		const limited = await startTestRelay({ joinsPerMinute: 3 });
		try {
			const attempt = () =>
				fetch(`${limited.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":"guess"}' });
			const statuses = [];
			for (let i = 0; i < 5; i++) statuses.push((await attempt()).status);
			expect(statuses).toEqual([404, 404, 404, 429, 429]);
			const res = await attempt();
			expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
			expect(((await res.json()) as ApiError).error).toBe('rate_limited');
		} finally {
			await limited.close();
			removeDir(limited.dataDir);
		}
	});
});

describe('devices', () => {
	it("lists the community's devices with role, scope and last seen, and nothing of other communities", async () => {
		const { token } = await relay.credentials.issue({ role: 'resident', community: 'demo', household: 'b01-1-101' }, 'Grandma Li');
		const sync = await SyncClient.connect(relay.url, token);
		await sleep(20);
		await relay.credentials.issue({ role: 'community_admin', community: 'other' }, 'someone else');
		const list = await api<DeviceList>('GET', '/api/devices', undefined, admin);
		expect(list.status).toBe(200);
		const mine = list.body.devices.find((d) => d.name === 'Grandma Li');
		expect(mine).toMatchObject({ grant: { role: 'resident', household: 'b01-1-101' }, revokedAt: null });
		expect(mine?.lastSeen).toEqual(expect.any(Number));
		expect(list.body.devices.every((d) => d.grant.community === 'demo')).toBe(true);
		const foreign = (await relay.credentials.devices('other'))[0] as DeviceInfo;
		expect((await api<ApiError>('POST', `/api/devices/${foreign.id}/revoke`, undefined, admin)).status).toBe(404);
		const resident = await mintToken(relay, { role: 'resident', community: 'demo', household: 'h9' });
		expect((await api<ApiError>('GET', '/api/devices', undefined, resident)).status).toBe(403);
		sync.close();
	});
});
