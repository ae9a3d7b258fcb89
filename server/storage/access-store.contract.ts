/**
 * The one contract suite for AccessStore (access-store.ts): every implementation runs it — memory and SQLite in
 * access-store.spec.ts, PostgreSQL in tests/integration/postgres-access.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Grant } from '../../src/lib/domain/access';
import type { AccessStore, NewInvitation } from './access-store';
import { hashCode } from '../auth/credentials';

export interface AccessStoreFixture {
	store: AccessStore;
	/** A second handle on the same data (another connection or pool, as another process has); `store` itself when there is none. */
	other: AccessStore;
	/** Closes both handles and removes what the fixture created. */
	cleanup(): Promise<void>;
}

const HOUR = 60 * 60 * 1000;
const T0 = 1_700_000_000_000;
const resident: Grant = { role: 'resident', community: 'c1', household: 'h1' };
const facilitator: Grant = { role: 'facilitator', community: 'c1' };
const elsewhere: Grant = { role: 'community_admin', community: 'c2' };

const newDevice = (id: string, grant: Grant = resident) => ({ id, name: `device ${id}`, grant, jti: `j-${id}`, expiresAt: T0 + 24 * HOUR });
const redeeming = (id: string) => ({ id, name: `device ${id}`, jti: `j-${id}`, expiresAt: T0 + 24 * HOUR });
const newInvitation = (id: string, code: string, over: Partial<NewInvitation> = {}): NewInvitation => ({
	id,
	codeHash: hashCode(code),
	grant: facilitator,
	label: `for ${id}`,
	expiresAt: T0 + HOUR,
	maxUses: 1,
	createdBy: 'test',
	...over
});

export function accessStoreContract(name: string, open: () => Promise<AccessStoreFixture>): void {
	describe(`AccessStore contract: ${name}`, () => {
		let fixture: AccessStoreFixture | null = null;
		const setup = async () => (fixture = await open());
		afterEach(async () => {
			await fixture?.cleanup();
			fixture = null;
		});

		it('registers devices and lists them by community, oldest first', async () => {
			const { store, other } = await setup();
			const added = await store.addDevice(newDevice('d2'), T0);
			expect(added).toEqual({
				id: 'd2',
				name: 'device d2',
				grant: resident,
				createdAt: T0,
				lastSeen: null,
				expiresAt: T0 + 24 * HOUR,
				revokedAt: null,
				jti: 'j-d2'
			});
			await store.addDevice(newDevice('d1'), T0);
			await store.addDevice(newDevice('d0'), T0 + 1);
			await store.addDevice(newDevice('x', elsewhere), T0 - 1);
			expect(await other.device('d2')).toEqual(added);
			expect(await store.device('nope')).toBeNull();
			expect((await store.devices('c1')).map((d) => d.id)).toEqual(['d1', 'd2', 'd0']);
			expect((await other.devices(null)).map((d) => d.id)).toEqual(['x', 'd1', 'd2', 'd0']);
			expect(await store.devices('c3')).toEqual([]);
			await expect(other.addDevice(newDevice('d1'), T0)).rejects.toThrow();
		});

		it('hands out copies: changing a returned record does not change the store', async () => {
			const { store } = await setup();
			const added = await store.addDevice(newDevice('d1'), T0);
			added.name = 'changed';
			added.grant.community = 'c9';
			expect(await store.device('d1')).toMatchObject({ name: 'device d1', grant: resident });
		});

		it('records when devices were last seen, ignoring unknown ids', async () => {
			const { store, other } = await setup();
			await store.addDevice(newDevice('d1'), T0);
			await store.addDevice(newDevice('d2'), T0);
			await store.touch(new Set(['d1', 'ghost']), T0 + 5);
			await store.touch([], T0 + 6);
			expect((await other.device('d1'))?.lastSeen).toBe(T0 + 5);
			expect((await other.device('d2'))?.lastSeen).toBeNull();
		});

		it('stores invitations without their code, lists them by community and withdraws them', async () => {
			const { store, other } = await setup();
			const inv = await store.addInvitation(newInvitation('i2', 'code-2', { maxUses: 3 }), T0);
			expect(inv).toEqual({ id: 'i2', grant: facilitator, label: 'for i2', expiresAt: T0 + HOUR, maxUses: 3, uses: 0, createdAt: T0, revoked: false });
			await store.addInvitation(newInvitation('i1', 'code-1'), T0);
			await store.addInvitation(newInvitation('i3', 'code-3', { grant: elsewhere }), T0);
			expect((await other.invitations('c1')).map((i) => i.id)).toEqual(['i1', 'i2']);
			expect(JSON.stringify(await other.invitations('c1'))).not.toContain('code-');
			await expect(other.addInvitation(newInvitation('i4', 'code-1'), T0)).rejects.toThrow();
			await expect(other.addInvitation(newInvitation('i1', 'code-9'), T0)).rejects.toThrow();
			expect(await other.revokeInvitation('i2')).toBe(true);
			expect(await other.revokeInvitation('nope')).toBe(false);
			expect((await store.invitations('c1')).map((i) => [i.id, i.revoked])).toEqual([
				['i1', false],
				['i2', true]
			]);
		});

		it('redeems an invitation: the device gets its grant and the use is counted', async () => {
			const { store, other } = await setup();
			await store.addInvitation(newInvitation('i1', 'code', { maxUses: 2 }), T0);
			const result = await other.redeem(hashCode('code'), redeeming('d1'), T0 + 10);
			expect(result).toEqual({
				ok: true,
				invitation: expect.objectContaining({ id: 'i1', uses: 1, maxUses: 2, grant: facilitator }),
				device: { id: 'd1', name: 'device d1', grant: facilitator, createdAt: T0 + 10, lastSeen: null, expiresAt: T0 + 24 * HOUR, revokedAt: null }
			});
			expect(await store.device('d1')).toMatchObject({ grant: facilitator, jti: 'j-d1' });
			expect((await store.invitations('c1'))[0]?.uses).toBe(1);
		});

		it('refuses unknown, withdrawn, expired and used-up invitations', async () => {
			const { store, other } = await setup();
			expect(await store.redeem(hashCode('nothing'), redeeming('d0'), T0)).toEqual({ ok: false, error: 'not_found' });
			await store.addInvitation(newInvitation('gone', 'gone', { expiresAt: T0 - 1 }), T0 - HOUR);
			await store.revokeInvitation('gone');
			await store.addInvitation(newInvitation('old', 'old', { expiresAt: T0 + 100 }), T0);
			await store.addInvitation(newInvitation('one', 'one', { maxUses: 1 }), T0);
			// Withdrawn wins over expired; expiry is exclusive of its instant.
			expect(await other.redeem(hashCode('gone'), redeeming('d1'), T0)).toEqual({ ok: false, error: 'invitation_withdrawn' });
			expect(await other.redeem(hashCode('old'), redeeming('d2'), T0 + 100)).toEqual({ ok: false, error: 'invitation_expired' });
			expect((await other.redeem(hashCode('old'), redeeming('d3'), T0 + 99)).ok).toBe(true);
			expect((await other.redeem(hashCode('one'), redeeming('d4'), T0)).ok).toBe(true);
			expect(await store.redeem(hashCode('one'), redeeming('d5'), T0)).toEqual({ ok: false, error: 'invitation_used_up' });
			expect((await store.devices('c1')).map((d) => d.id).sort()).toEqual(['d3', 'd4']);
		});

		it('counts no use when the device cannot be registered', async () => {
			const { store } = await setup();
			await store.addDevice(newDevice('taken'), T0);
			await store.addInvitation(newInvitation('i1', 'code', { maxUses: 1 }), T0);
			await expect(store.redeem(hashCode('code'), redeeming('taken'), T0)).rejects.toThrow();
			expect((await store.invitations('c1'))[0]?.uses).toBe(0);
			expect((await store.redeem(hashCode('code'), redeeming('fresh'), T0)).ok).toBe(true);
		});

		it('registers exactly max_uses devices when redemptions race through both handles', async () => {
			const { store, other } = await setup();
			await store.addInvitation(newInvitation('i1', 'code', { maxUses: 3 }), T0);
			const results = await Promise.all(
				Array.from({ length: 12 }, (_, i) => (i % 2 ? other : store).redeem(hashCode('code'), redeeming(`d${i}`), T0))
			);
			expect(results.filter((r) => r.ok)).toHaveLength(3);
			expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual(Array(9).fill('invitation_used_up'));
			expect(await store.devices('c1')).toHaveLength(3);
			expect((await other.invitations('c1'))[0]?.uses).toBe(3);
		});

		it('logs each revocation once, in a log another handle reads from its last position', async () => {
			const { store, other } = await setup();
			await store.addDevice(newDevice('d1'), T0);
			await store.addDevice(newDevice('d2'), T0);
			const start = await other.lastRevocationSeq();
			expect(await other.revocationsSince(start)).toEqual({ seq: start, deviceIds: [] });
			expect(await store.revokeDevice('d1', T0 + 1)).toMatchObject({ id: 'd1', revokedAt: T0 + 1 });
			// A second revocation keeps the first instant and is not logged again.
			expect(await other.revokeDevice('d1', T0 + 2)).toMatchObject({ id: 'd1', revokedAt: T0 + 1 });
			expect(await store.revokeDevice('nope', T0)).toBeNull();
			const first = await other.revocationsSince(start);
			expect(first.deviceIds).toEqual(['d1']);
			expect(first.seq).toBeGreaterThan(start);
			expect(await store.lastRevocationSeq()).toBe(first.seq);
			await other.revokeDevice('d2', T0 + 3);
			const second = await store.revocationsSince(first.seq);
			expect(second.deviceIds).toEqual(['d2']);
			expect(second.seq).toBeGreaterThan(first.seq);
			expect((await store.revocationsSince(start)).deviceIds).toEqual(['d1', 'd2']);
			expect((await store.device('d2'))?.revokedAt).toBe(T0 + 3);
		});

		it('a poller following the log misses no revocation made concurrently through both handles', async () => {
			const { store, other } = await setup();
			const ids = Array.from({ length: 16 }, (_, i) => `d${i}`);
			for (const id of ids) await store.addDevice(newDevice(id), T0);
			let position = await store.lastRevocationSeq();
			const seen: string[] = [];
			let done = false;
			const poller = (async () => {
				for (;;) {
					const finished = done;
					const { seq, deviceIds } = await other.revocationsSince(position);
					expect(seq).toBeGreaterThanOrEqual(position);
					position = seq;
					seen.push(...deviceIds);
					if (finished) return;
					await new Promise((r) => setTimeout(r, 0));
				}
			})();
			await Promise.all(ids.map((id, i) => (i % 2 ? other : store).revokeDevice(id, T0 + i)));
			done = true;
			await poller;
			expect(seen.sort()).toEqual([...ids].sort());
		});
	});
}
