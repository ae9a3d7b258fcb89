/**
 * First start: when the relay has just seeded the demo community, it creates one invitation per demo role
 * (valid 30 days, 20 uses each) and main.ts prints their links after the listening line, so that `npm start`
 * → open a link → the demo, as that role. Later invitations come from the admin CLI or the API.
 */
import type { Grant } from '../src/lib/domain/access';
import type { Role } from '../src/lib/domain/actor';
import { invitationLink } from './api';
import { type Credentials, DAY_MS } from './credentials';
import { DEMO_STREET, type SeededDemo } from './demo-seed';
import { describeGrant } from './grants';

export const BOOTSTRAP_VALID_MS = 30 * DAY_MS;
export const BOOTSTRAP_USES = 20;

export interface BootstrapInvitation {
	role: Role;
	grant: Grant;
	/** e.g. "grid worker (网格员), community demo, grids g1" */
	label: string;
	link: string;
	expiresAt: number;
	maxUses: number;
}

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

export function createDemoInvitations(credentials: Credentials, demo: SeededDemo, origin: string, now = Date.now()): BootstrapInvitation[] {
	const expiresAt = now + BOOTSTRAP_VALID_MS;
	return demoGrants(demo).map((grant) => {
		const label = describeGrant(grant);
		const { code } = credentials.createInvitation(grant, {
			expiresAt,
			maxUses: BOOTSTRAP_USES,
			label: `demo: ${label}`,
			createdBy: 'bootstrap'
		});
		return { role: grant.role, grant, label, link: invitationLink(origin, code), expiresAt, maxUses: BOOTSTRAP_USES };
	});
}

/** The lines main.ts prints after the listening line: a header, then per role its description and its link. */
export function formatBootstrap(invitations: readonly BootstrapInvitation[], now = Date.now()): string {
	const first = invitations[0];
	if (!first) return '';
	const days = Math.round((first.expiresAt - now) / DAY_MS);
	return [
		`demo invitations (valid ${days} days, ${first.maxUses} uses each); open a link in a browser to join as that role:`,
		...invitations.flatMap((i) => [`  ${i.label}`, `    ${i.link}`]),
		'more invitations: npm run admin -- invite --role <role> --community <id> (see the README)',
		''
	].join('\n');
}
