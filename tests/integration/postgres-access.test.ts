/**
 * The access database on a real PostgreSQL server: the shared AccessStore contract with two pools (as two relay
 * processes have), and a relay whose credentials live there, so that a revocation made by another process (the
 * admin CLI with DATABASE_URL) closes the relay's open sockets.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CreateInvitationResponse, DeviceInfo, JoinResponse } from '../../src/lib/protocol/api';
import { CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { accessStoreContract } from '../../server/storage/access-store.contract';
import { PgAccessStore } from '../../server/storage/postgres/access-pg';
import { hashCode } from '../../server/auth/credentials';
import { type PostgresService, startPostgres } from '../services/services';
import { serviceForFile } from './helpers-lifecycle';
import { mintToken, removeDir, ROOT, startTestRelay, SyncClient, tempDir, twoPools } from './helpers';

let server: PostgresService;
serviceForFile(startPostgres, (s) => (server = s));

accessStoreContract('PostgreSQL', async () => {
	// The second pool is another relay process (or the admin CLI).
	const { one, two, close } = await twoPools(await server.freshDatabase());
	return { store: new PgAccessStore(one.pool), other: new PgAccessStore(two.pool), cleanup: close };
});

describe('PgAccessStore', () => {
	it('registers exactly one device when two processes redeem a one-use invitation at once', async () => {
		const { one, two, close } = await twoPools(await server.freshDatabase());
		const [a, b] = [new PgAccessStore(one.pool), new PgAccessStore(two.pool)];
		const expiresAt = Date.now() + 60_000;
		for (let round = 0; round < 20; round++) {
			const code = `code-${round}`;
			const grant = { role: 'facilitator', community: 'c1' } as const;
			await a.addInvitation({ id: `i${round}`, codeHash: hashCode(code), grant, label: '', expiresAt, maxUses: 1, createdBy: 't' });
			const results = await Promise.all([
				a.redeem(hashCode(code), { id: `a${round}`, name: 'a', jti: 'ja', expiresAt }),
				b.redeem(hashCode(code), { id: `b${round}`, name: 'b', jti: 'jb', expiresAt })
			]);
			expect(results.map((r) => (r.ok ? 'ok' : r.error)).sort()).toEqual(['invitation_used_up', 'ok']);
		}
		expect(await b.devices('c1')).toHaveLength(20);
		expect((await a.invitations('c1')).every((i) => i.uses === 1)).toBe(true);
		await close();
	});
});

describe('relays on one PostgreSQL access database', () => {
	const DOC = 'demo:proposal:p1';

	async function post<T>(url: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
			body: JSON.stringify(body)
		});
		return { status: res.status, body: (await res.json()) as T };
	}

	/** Subscribes to DOC over /sync and resolves once the relay serves it (the credential was accepted). */
	async function subscribed(relayUrl: string, token: string): Promise<SyncClient> {
		const sync = await SyncClient.connect(relayUrl, token);
		sync.sendFrame({ kind: MuxMessage.Subscribe, doc: DOC });
		await sync.waitFrame(MuxMessage.Doc);
		return sync;
	}

	async function refused(relayUrl: string, token: string): Promise<unknown> {
		return new SyncClient(relayUrl, token).closed;
	}

	it('a device invited on one relay joins through another, and a revocation through one closes its sockets on both', async () => {
		const databaseUrl = await server.freshDatabase();
		// One data directory: both processes of the deployment sign and check with the same key file.
		const dataDir = tempDir();
		const options = { dataDir, databaseUrl, credentials: { revocationPollMs: 100 } };
		const a = await startTestRelay(options);
		const b = await startTestRelay(options);
		try {
			const d = new Y.Doc();
			d.getMap('meta').set('title', 'seeded');
			await a.store.appendUpdates([{ doc: DOC, data: Y.encodeStateAsUpdate(d) }]);
			const admin = await mintToken(a, { role: 'community_admin', community: 'demo' });
			const invited = await post<CreateInvitationResponse>(`${a.url}/api/invitations`, { role: 'facilitator', maxUses: 1 }, admin);
			expect(invited.status).toBe(201);
			const joined = await post<JoinResponse>(`${b.url}/api/join`, { code: invited.body.code, deviceName: 'tablet' });
			expect(joined.status).toBe(200);
			expect((await post<{ error: string }>(`${a.url}/api/join`, { code: invited.body.code, deviceName: 'second' })).body.error).toBe(
				'invitation_used_up'
			);
			const token = joined.body.token;
			const [onA, onB] = [await subscribed(a.url, token), await subscribed(b.url, token)];
			// Revoked through relay B's API: B closes its socket at once, A when its poll reads the shared log.
			const revoked = await post<DeviceInfo>(`${b.url}/api/devices/${joined.body.device.id}/revoke`, {}, admin);
			expect(revoked.status).toBe(200);
			for (const c of [onA, onB]) expect(await c.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
			for (const url of [a.url, b.url]) expect(await refused(url, token)).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
		} finally {
			await a.close();
			await b.close();
			removeDir(dataDir);
		}
	});

	it("the admin CLI with DATABASE_URL lists and revokes the relay's devices", async () => {
		const databaseUrl = await server.freshDatabase();
		const relay = await startTestRelay({ databaseUrl, credentials: { revocationPollMs: 100 } });
		const cli = async (...args: string[]) => {
			const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin/cli.ts', ...args], {
				cwd: ROOT,
				env: { ...process.env, DATA_DIR: relay.dataDir, DATABASE_URL: databaseUrl },
				stdio: ['ignore', 'pipe', 'pipe']
			});
			let out = '';
			child.stdout.on('data', (d: Buffer) => (out += d.toString()));
			child.stderr.on('data', (d: Buffer) => (out += d.toString()));
			const code = await new Promise((resolve) => child.on('exit', resolve));
			return { code, out };
		};
		try {
			const d = new Y.Doc();
			d.getMap('meta').set('title', 'seeded');
			await relay.store.appendUpdates([{ doc: DOC, data: Y.encodeStateAsUpdate(d) }]);
			const { token, device } = await relay.credentials.issue({ role: 'resident', community: 'demo', household: 'h2' }, 'old tablet');
			const sync = await subscribed(relay.url, token);
			const listed = await cli('devices', '--community', 'demo', '--json');
			expect(listed.code).toBe(0);
			expect((JSON.parse(listed.out) as { devices: DeviceInfo[] }).devices.map((x) => x.id)).toEqual([device.id]);
			const revoke = await cli('revoke', device.id);
			expect(revoke).toEqual({ code: 0, out: expect.stringContaining(`revoked ${device.id}`) });
			expect(await sync.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'credential revoked' });
			// A credential the CLI issues is signed with the relay's key file and found in the shared database.
			const issued = await cli('token', '--role', 'facilitator', '--community', 'demo', '--json');
			expect(issued.code).toBe(0);
			const cliToken = (JSON.parse(issued.out) as { token: string }).token;
			(await subscribed(relay.url, cliToken)).close();
		} finally {
			await relay.close();
			removeDir(relay.dataDir);
		}
	});
});
