/**
 * What the UI shows about access: which role may do what (from the shared matrix in domain/access.ts) and,
 * when something is refused, why — in the reader's language. The relay enforces the rules; this only explains.
 */
import { accessFor, PERSONAL_KINDS, type Access, type Grant } from '$lib/domain/access';
import { can } from '$lib/domain/permissions';
import { parseDocName } from '$lib/schema/doc-names';
import { t } from '$lib/i18n';
import { roleLabel } from '$lib/components/proposals/labels';

/**
 * Whether this device has lost its credential (revoked or expired): its personal data is sealed and deleted, so
 * no grant may show a personal document here any more. The app shell installs the check (reading reactive
 * state, so pages that asked re-derive when it changes); without one, nothing is sealed.
 */
let personalSealed: () => boolean = () => false;
export function sealPersonalAccess(check: () => boolean): void {
	personalSealed = check;
}

/** Access of `grant` to the document called `name`; 'none' for a device without a credential or a bad name. */
export function accessTo(grant: Grant | null | undefined, name: string): Access {
	const ref = parseDocName(name);
	if (!grant || !ref) return 'none';
	if (PERSONAL_KINDS.has(ref.kind) && personalSealed()) return 'none';
	return accessFor(grant, ref);
}

/** Grids whose household register this grant may read, among `grids`. */
export function readableGrids<G extends { id: string }>(grant: Grant | null | undefined, grids: readonly G[]): G[] {
	if (!grant || personalSealed()) return [];
	return grids.filter((g) => accessFor(grant, { community: grant.community, kind: 'households', id: g.id }) !== 'none');
}

/**
 * Whether the role may read any household register at all (for the navigation): those who record for households
 * (facilitators and admins, a grid worker with grids) pick them from the register.
 */
export function mayReadHouseholds(grant: Grant | null | undefined): boolean {
	return !!grant && !personalSealed() && can(grant, 'record-for-household');
}

/** A document-level refusal the relay recorded in the sync state ('forbidden', 'read-only: …', 'refused: …'). */
export function isRefusal(error: string | null | undefined): boolean {
	return !!error && (error.startsWith('forbidden') || error.startsWith('read-only') || error.startsWith('refused'));
}

/**
 * Why `grant` may not read the document `name`, as one sentence. `relayReason` is the relay's own reason when
 * it refused although the matrix here allowed it (e.g. the credential's scope changed on the server).
 */
export function refusalWhy(grant: Grant | null | undefined, name: string, gridNames: (id: string) => string = (id) => id): string {
	const ref = parseDocName(name);
	if (!grant) return t('access.whyNoCredential');
	if (!ref) return t('access.whyBadName');
	if (PERSONAL_KINDS.has(ref.kind) && personalSealed()) return t('revoked.pageHidden');
	const role = roleLabel(grant.role);
	const inScope = grant.role === 'street_admin' ? (grant.communities ?? []).includes(ref.community) : grant.community === ref.community;
	if (!inScope) return t('access.whyOtherCommunity', { role });
	if (ref.kind === 'households') {
		switch (grant.role) {
			case 'resident':
				return t('access.whyHouseholdsResident');
			case 'street_admin':
				return t('access.whyHouseholdsStreet');
			case 'grid_worker': {
				const own = (grant.grids ?? []).map(gridNames).join(t('timeline.listSeparator'));
				return own ? t('access.whyHouseholdsOtherGrid', { grids: own }) : t('access.whyHouseholdsNoGrid');
			}
		}
	}
	return t('access.whyRole', { role });
}

/** The kind of credential refusal, from the relay's close reason ("credential revoked", "credential expired" …). */
export type RefusalKind = 'revoked' | 'expired' | 'invalid';

export function refusalKind(reason: string, expiresAt?: number | null, now = Date.now()): RefusalKind {
	const r = reason.toLowerCase();
	if (r.includes('revoked')) return 'revoked';
	if (r.includes('expired')) return 'expired';
	if (expiresAt && expiresAt <= now) return 'expired';
	return 'invalid';
}
