/**
 * A newcomer's first start: `server/main.ts` on a fresh data directory seeds the demo, prints the listening line
 * first and then one invitation link per demo role; each link joins as that role. The signing key is created
 * once (0600) and reused, so credentials survive a restart, which prints no links. The admin CLI invites
 * against the same data directory while the relay runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JoinResponse } from '../../src/lib/protocol/api';
import { BatchStatus, MuxMessage } from '../../src/lib/protocol/messages';
import { type ChildRelay, removeDir, ROOT, spawnRelay, SyncClient, tempDir } from './helpers';

const dataDir = tempDir('courtyard-bootstrap-');
const children: ChildRelay[] = [];

afterAll(async () => {
	for (const c of children) {
		if (c.child.exitCode === null) c.child.kill('SIGTERM');
		await c.exited;
	}
	removeDir(dataDir);
});

async function start(): Promise<ChildRelay> {
	const relay = await spawnRelay(dataDir, { SEED: '1' });
	children.push(relay);
	return relay;
}

async function stop(relay: ChildRelay): Promise<void> {
	relay.child.kill('SIGTERM');
	expect(await relay.exited).toBe(0);
}

async function join(url: string, link: string): Promise<JoinResponse> {
	const code = new URL(link).searchParams.get('code');
	const res = await fetch(`${url}/api/join`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ code, deviceName: 'test browser' })
	});
	expect(res.status).toBe(200);
	return (await res.json()) as JoinResponse;
}

async function statuses(url: string, token: string, docs: string[]): Promise<BatchStatus[]> {
	const c = await SyncClient.connect(url, token);
	c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: docs.map((doc) => ({ doc, stateVector: new Uint8Array([0]) })) });
	const reply = await c.waitFrame(MuxMessage.BatchSyncReply);
	c.close();
	return reply.entries.map((e) => e.status);
}

let firstToken = '';

describe('first start', () => {
	it('prints the listening line first, then an invitation link per demo role', async () => {
		const relay = await start();
		// Links follow the listening line in the same write; wait for the closing hint.
		const deadline = Date.now() + 5_000;
		while (!relay.stdout().includes('more invitations') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		const lines = relay.stdout().split('\n');
		expect(lines[0]).toBe(`courtyard relay listening on ${relay.url}`);
		expect(lines[1]).toMatch(/^demo invitations \(valid 30 days, 20 uses each\)/);
		const links = lines.filter((l) => l.trim().startsWith(`${relay.url}/join?code=`)).map((l) => l.trim());
		expect(links).toHaveLength(5);
		const labels = lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim());
		expect(labels.map((l) => l.split(' (')[0])).toEqual(['community admin', 'facilitator', 'grid worker', 'resident', 'street admin']);

		const docs = ['demo:community:main', 'demo:households:g1', 'demo:households:g2', 'demo:proposal:stair-seats'];
		const expected: Record<string, BatchStatus[]> = {
			community_admin: [BatchStatus.Ok, BatchStatus.Ok, BatchStatus.Ok, BatchStatus.Ok],
			facilitator: [BatchStatus.ReadOnly, BatchStatus.ReadOnly, BatchStatus.ReadOnly, BatchStatus.Ok],
			grid_worker: [BatchStatus.ReadOnly, BatchStatus.Ok, BatchStatus.Forbidden, BatchStatus.Ok],
			resident: [BatchStatus.ReadOnly, BatchStatus.Forbidden, BatchStatus.Forbidden, BatchStatus.Ok],
			street_admin: [BatchStatus.ReadOnly, BatchStatus.Forbidden, BatchStatus.Forbidden, BatchStatus.Forbidden]
		};
		for (const link of links) {
			const { token, device } = await join(relay.url, link);
			expect(await statuses(relay.url, token, docs), device.grant.role).toEqual(expected[device.grant.role]);
			if (device.grant.role === 'community_admin') firstToken = token;
		}
		await stop(relay);
	});

	it('keeps the signing key private and reuses it: credentials survive a restart, which prints no links', async () => {
		const keyFile = path.join(dataDir, 'keys', 'signing-key.jwk.json');
		expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
		expect(fs.statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o700);
		const before = fs.readFileSync(keyFile, 'utf8');
		const relay = await start();
		await new Promise((r) => setTimeout(r, 200));
		expect(relay.stdout()).toBe(`courtyard relay listening on ${relay.url}\n`);
		expect(fs.readFileSync(keyFile, 'utf8')).toBe(before);
		expect(await statuses(relay.url, firstToken, ['demo:community:main'])).toEqual([BatchStatus.Ok]);
		await stop(relay);
	});
});

describe('admin CLI', () => {
	it('invites while the relay runs; the printed link joins', async () => {
		const relay = await start();
		const cli = spawn(
			process.execPath,
			['--import', 'tsx', 'server/admin/cli.ts', 'invite', '--role', 'grid-worker', '--community', 'demo', '--grid', 'g2', '--origin', relay.url, '--label', 'Xiao Zhou'],
			{ cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] }
		);
		let out = '';
		cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
		expect(await new Promise((resolve) => cli.on('exit', resolve))).toBe(0);
		expect(out).toMatch(/grid worker \(网格员\), community demo, grids g2 \(Xiao Zhou\)/);
		expect(out).toMatch(/[▀▄█]/); // the QR code
		const link = /(http:\/\/\S+\/join\?code=\S+)/.exec(out)?.[1] as string;
		const { token, device } = await join(relay.url, link);
		expect(device.grant).toEqual({ role: 'grid_worker', community: 'demo', grids: ['g2'] });
		expect(await statuses(relay.url, token, ['demo:households:g1', 'demo:households:g2'])).toEqual([BatchStatus.Forbidden, BatchStatus.Ok]);
		await stop(relay);
	});
});
