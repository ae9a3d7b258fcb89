import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessDb } from './access-db';
import { hashCode } from '../auth/credentials';
import { loadOrCreateKey } from '../auth/keys';

const device = (id: string) => ({ id, name: id, jti: `j-${id}`, expiresAt: Date.now() + 60_000 });

describe('AccessDb', () => {
	it('redeems an invitation at most max_uses times, also from two connections to one file', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-access-'));
		const one = AccessDb.open(dir);
		const two = AccessDb.open(dir);
		await one.addInvitation({ id: 'i1', codeHash: hashCode('code'), grant: { role: 'facilitator', community: 'demo' }, label: '', expiresAt: Date.now() + 60_000, maxUses: 2, createdBy: 't' });
		const results = [await one.redeem(hashCode('code'), device('d1')), await two.redeem(hashCode('code'), device('d2')), await one.redeem(hashCode('code'), device('d3'))];
		expect(results.map((r) => (r.ok ? 'ok' : r.error))).toEqual(['ok', 'ok', 'invitation_used_up']);
		expect((await one.devices('demo')).map((d) => d.id)).toEqual(['d1', 'd2']);
		expect(await one.redeem(hashCode('other'), device('d4'))).toEqual({ ok: false, error: 'not_found' });
		await one.close();
		await two.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('logs each revocation once, for relays polling from another connection', async () => {
		const db = new AccessDb(':memory:');
		await db.addDevice({ ...device('d1'), grant: { role: 'resident', community: 'demo', household: 'h1' } });
		const start = await db.lastRevocationSeq();
		expect((await db.revokeDevice('d1'))?.revokedAt).toEqual(expect.any(Number));
		await db.revokeDevice('d1');
		expect(await db.revokeDevice('nope')).toBeNull();
		const { seq, deviceIds } = await db.revocationsSince(start);
		expect(deviceIds).toEqual(['d1']);
		expect((await db.revocationsSince(seq)).deviceIds).toEqual([]);
		await db.close();
	});
});

describe('signing key', () => {
	it('is created once with 0600 and reused', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-key-'));
		const [a, b] = await Promise.all([loadOrCreateKey(dir), loadOrCreateKey(dir)]);
		expect(a.kid).toBe(b.kid);
		expect((await loadOrCreateKey(dir)).kid).toBe(a.kid);
		const file = path.join(dir, 'keys', 'signing-key.jwk.json');
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		fs.chmodSync(file, 0o644);
		const warnings: string[] = [];
		await loadOrCreateKey(dir, (m) => warnings.push(m));
		expect(warnings).toHaveLength(1);
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		fs.rmSync(dir, { recursive: true, force: true });
	});
});
