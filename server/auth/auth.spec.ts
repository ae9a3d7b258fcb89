import { describe, expect, it } from 'vitest';
import type { Grant } from '../../src/lib/domain/access';
import { MemoryAccessStore } from '../storage/access-store';
import { CredentialAuthorizer, OpenAuthorizer, type Principal, principalAccess } from './auth';
import { Credentials, REASONS } from './credentials';
import { ephemeralKey } from './keys';

const principal = (grant: Grant | null): Principal => ({ deviceId: 'd', grant, expiresAt: null });

describe('access', () => {
	it('open: everyone writes every well-formed name, nothing else', async () => {
		const open = new OpenAuthorizer();
		const auth = await open.authenticate();
		expect(auth.ok).toBe(true);
		if (!auth.ok) return;
		expect(open.access(auth.principal, 'demo:proposal:a')).toBe('write');
		expect(open.access(auth.principal, 'demo:unknown:a')).toBe('none');
		expect(open.access(auth.principal, '../x')).toBe('none');
	});

	it('applies the domain matrix to a grant, and refuses malformed names', () => {
		const worker = principal({ role: 'grid_worker', community: 'demo', grids: ['g1'] });
		expect(principalAccess(worker, 'demo:households:g1')).toBe('write');
		expect(principalAccess(worker, 'demo:households:g2')).toBe('none');
		expect(principalAccess(worker, 'demo:households:g1:x')).toBe('none');
		const street = principal({ role: 'street_admin', community: 'st', communities: ['demo'] });
		expect(principalAccess(street, 'demo:proposal:a')).toBe('none');
		expect(principalAccess(street, 'demo:report:main')).toBe('read');
		expect(principalAccess(street, 'demo:households:g1')).toBe('none');
	});
});

describe('CredentialAuthorizer', () => {
	const setup = async () => {
		const credentials = await Credentials.create(new MemoryAccessStore(), await ephemeralKey(), { revocationPollMs: 0 });
		return { credentials, authorizer: new CredentialAuthorizer(credentials) };
	};

	it('accepts its own credentials and refuses missing, forged and foreign ones with a reason', async () => {
		const { credentials, authorizer } = await setup();
		const { token, device } = await credentials.issue({ role: 'resident', community: 'demo', household: 'h1' }, 'phone');
		const ok = await authorizer.authenticate(token);
		expect(ok).toMatchObject({ ok: true, principal: { deviceId: device.id, grant: { role: 'resident' } } });
		expect(await authorizer.authenticate(null)).toEqual({ ok: false, reason: REASONS.missing });
		const [h, p, s] = token.split('.') as [string, string, string];
		const flipped = `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
		expect(await authorizer.authenticate(flipped)).toEqual({ ok: false, reason: REASONS.invalid });
		const other = await setup();
		const foreign = await other.credentials.issue({ role: 'community_admin', community: 'demo' }, 'x');
		expect(await authorizer.authenticate(foreign.token)).toEqual({ ok: false, reason: REASONS.invalid });
		await credentials.close();
		await other.credentials.close();
	});

	it('refuses expired and revoked credentials, and ends watches on revocation', async () => {
		const { credentials, authorizer } = await setup();
		const expired = await credentials.issue({ role: 'facilitator', community: 'demo' }, 'old', { expiresAt: Date.now() - 5_000 });
		expect(await authorizer.authenticate(expired.token)).toEqual({ ok: false, reason: REASONS.expired });
		const live = await credentials.issue({ role: 'facilitator', community: 'demo' }, 'live');
		const auth = await authorizer.authenticate(live.token);
		if (!auth.ok) throw new Error('not accepted');
		const ended: string[] = [];
		authorizer.watch(auth.principal, (reason) => ended.push(reason));
		await credentials.revoke(live.device.id);
		expect(ended).toEqual([REASONS.revoked]);
		expect(await authorizer.authenticate(live.token)).toEqual({ ok: false, reason: REASONS.revoked });
		await credentials.close();
	});

	it('learns of a revocation made by another process: refuses at once, ends watches at the next poll', async () => {
		// Two relays (or a relay and the admin CLI) on one access database, with one signing key.
		const store = new MemoryAccessStore();
		const key = await ephemeralKey();
		const relay = await Credentials.create(store, key, { revocationPollMs: 0 });
		const cli = await Credentials.create(store, key, { revocationPollMs: 0 });
		const authorizer = new CredentialAuthorizer(relay);
		const { token, device } = await cli.issue({ role: 'facilitator', community: 'demo' }, 'tablet');
		const auth = await authorizer.authenticate(token);
		if (!auth.ok) throw new Error('not accepted');
		const ended: string[] = [];
		authorizer.watch(auth.principal, (reason) => ended.push(`first: ${reason}`));
		expect(await cli.revoke(device.id)).toMatchObject({ id: device.id, revokedAt: expect.any(Number) });
		expect(ended).toEqual([]);
		expect(await authorizer.authenticate(token)).toEqual({ ok: false, reason: REASONS.revoked });
		await relay.poll();
		expect(ended).toEqual([`first: ${REASONS.revoked}`]);
		// A socket verified before the poll but watched after it is ended as it starts watching.
		authorizer.watch(auth.principal, (reason) => ended.push(`late: ${reason}`));
		expect(ended).toEqual([`first: ${REASONS.revoked}`, `late: ${REASONS.revoked}`]);
		await relay.close();
		await cli.close();
	});
});
