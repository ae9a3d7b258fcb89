/**
 * The relay checks an invitation by the same domain rules the admin page's form checks (domain/invitation.ts,
 * domain/permissions.ts): what the form lets through is accepted, one step past any limit is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvitationFlat, grantScope, INVITATION_LABEL_MAX, INVITATION_MAX_USES, INVITATION_TTL_S } from '../../src/lib/domain/invitation';
import { INVITABLE_ROLES } from '../../src/lib/domain/permissions';
import type { ApiError, CreateInvitationResponse } from '../../src/lib/protocol/api';
import { mintToken, removeDir, startTestRelay } from './helpers';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let admin: string;

beforeAll(async () => {
	relay = await startTestRelay();
	admin = await mintToken(relay, { role: 'community_admin', community: 'demo' }, { name: 'admin desk' });
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

async function invite(body: Record<string, unknown>): Promise<{ status: number; body: CreateInvitationResponse & ApiError }> {
	const res = await fetch(`${relay.url}/api/invitations`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
		body: JSON.stringify(body)
	});
	return { status: res.status, body: (await res.json()) as CreateInvitationResponse & ApiError };
}

const flat = checkInvitationFlat({ building: 'b02', unit: '1', room: '301' }, { buildings: [], households: null });
const scoped = (role: (typeof INVITABLE_ROLES)[number]) => {
	const scope = grantScope(role);
	return scope === 'grids' ? { grids: ['g1'] } : scope === 'household' ? { household: flat.id } : {};
};

describe('invitation rules shared with the form', () => {
	it('accepts every role the form offers, with the scope field the form asks for', async () => {
		for (const role of INVITABLE_ROLES) {
			const created = await invite({ role, ...scoped(role) });
			expect(created.status, role).toBe(201);
			expect(created.body.invitation.grant).toMatchObject({ role, ...scoped(role) });
		}
	});

	it('refuses a street admin however the role is spelt', async () => {
		for (const role of ['street_admin', 'street-admin', ' street_admin ']) {
			const refused = await invite({ role, communities: ['demo'] });
			expect(refused.status, role).toBe(403);
			expect(refused.body.message).toMatch(/command line/);
		}
	});

	it('takes the limits the form allows, and refuses (or, for a label, trims) one past them', async () => {
		expect((await invite({ role: 'facilitator', maxUses: INVITATION_MAX_USES })).status).toBe(201);
		expect((await invite({ role: 'facilitator', maxUses: INVITATION_MAX_USES + 1 })).body.error).toBe('invalid');
		// A label is the admin's note: a longer one is kept to the length the form allows.
		const long = await invite({ role: 'facilitator', label: '名'.repeat(INVITATION_LABEL_MAX + 1) });
		expect(long.status).toBe(201);
		expect(long.body.invitation.label).toBe('名'.repeat(INVITATION_LABEL_MAX));
		expect((await invite({ role: 'facilitator', expiresIn: INVITATION_TTL_S.max })).status).toBe(201);
		expect((await invite({ role: 'facilitator', expiresIn: INVITATION_TTL_S.max + 1 })).body.error).toBe('invalid');
		for (const days of [1, 7, 30]) expect((await invite({ role: 'facilitator', expiresIn: days * 86_400 })).status).toBe(201);
	});

	it('refuses a household id the form would not produce', async () => {
		expect(flat.id).toBe('b02-1-301');
		expect((await invite({ role: 'resident', household: 'b02 1 301' })).body.error).toBe('invalid');
		expect((await invite({ role: 'resident', household: 'x'.repeat(65) })).body.error).toBe('invalid');
	});
});
