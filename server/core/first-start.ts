/**
 * A relay's first start: content written when the store holds no documents (the demo community, demo/), and the
 * invitation links it hands out so a newcomer can open the app as each role. The relay assembly takes a seeder
 * as an option and never imports the demo itself.
 */
import type { Grant } from '../../src/lib/domain/access';
import type { Role } from '../../src/lib/domain/actor';
import { DAY_MS } from '../../src/lib/domain/calendar';
import type { Credentials } from '../auth/credentials';
import type { DocStore } from '../storage/store';

export interface BootstrapInvitation {
	role: Role;
	grant: Grant;
	/** e.g. "grid worker (网格员), community demo, grids g1" */
	label: string;
	link: string;
	expiresAt: number;
	maxUses: number;
}

export interface FirstStartSeed {
	/** Writes the content; the invitations are made once the relay knows the origin it serves. */
	seed(store: DocStore): Promise<{ docs: number; invitations(credentials: Credentials, origin: string): Promise<BootstrapInvitation[]> }>;
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
