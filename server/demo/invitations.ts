/**
 * First start: when the relay has just seeded the demo community, it creates one invitation per demo role
 * (valid 30 days, 20 uses each) and main.ts prints their links after the listening line, so that `npm start`
 * → open a link → the demo, as that role. Later invitations come from the admin CLI or the API.
 */
import type { Grant } from '../../src/lib/domain/access';
import type { Role } from '../../src/lib/domain/actor';
import { invitationLink } from '../transport/api';
import { type Credentials, DAY_MS } from '../auth/credentials';
import { DEMO_STREET, type SeededDemo, seedDemoCommunity } from './seed';
import { describeGrant } from '../auth/grants';
import type { BootstrapInvitation, FirstStartSeed } from '../core/first-start';
import type { DocStore } from '../storage/store';

export const BOOTSTRAP_VALID_MS = 30 * DAY_MS;
export const BOOTSTRAP_USES = 20;


export function demoGrants(demo: Pick<SeededDemo, 'community' | 'grids' | 'household'> & Partial<Pick<SeededDemo, 'communities'>>): Grant[] {
	const { community } = demo;
	return [
		{ role: 'community_admin', community },
		{ role: 'facilitator', community },
		{ role: 'grid_worker', community, grids: demo.grids.slice(0, 1) },
		{ role: 'resident', community, household: demo.household },
		{ role: 'street_admin', community: DEMO_STREET, communities: demo.communities ?? [community] }
	];
}

export async function createDemoInvitations(
	credentials: Credentials,
	demo: SeededDemo,
	origin: string,
	now = Date.now()
): Promise<BootstrapInvitation[]> {
	const expiresAt = now + BOOTSTRAP_VALID_MS;
	const invitations: BootstrapInvitation[] = [];
	// One after another, so that the admin's invitation list shows them in the roles' order.
	for (const grant of demoGrants(demo)) {
		const label = describeGrant(grant);
		const { code } = await credentials.createInvitation(grant, {
			expiresAt,
			maxUses: BOOTSTRAP_USES,
			label: `demo: ${label}`,
			createdBy: 'bootstrap'
		});
		invitations.push({ role: grant.role, grant, label, link: invitationLink(origin, code), expiresAt, maxUses: BOOTSTRAP_USES });
	}
	return invitations;
}

/** The demo community as a relay's first-start content: `startRelay({ seed: demoFirstStart })`. */
export const demoFirstStart: FirstStartSeed = {
	async seed(store: DocStore) {
		const seeded = await seedDemoCommunity(store);
		return { docs: seeded.docs, invitations: (credentials, origin) => createDemoInvitations(credentials, seeded, origin) };
	}
};
