/** A credential's scope in words: community, grids, household — named from the community document when it is here. */
import type { Grant } from '$lib/domain/access';
import type { Community } from '$lib/schema/community-doc';
import { t } from '$lib/i18n';

export function gridName(c: Community | null | undefined, id: string): string {
	return c?.grids.find((g) => g.id === id)?.name ?? id;
}

export function buildingName(c: Community | null | undefined, id: string): string {
	return c?.buildings.find((b) => b.id === id)?.name ?? id;
}

/** "3栋 1单元 302" for a household id of the form `<building>-<unit>-<room>`; the id itself otherwise. */
export function householdLabel(c: Community | null | undefined, id: string): string {
	const m = /^([A-Za-z0-9_]+)-(\d+)-([A-Za-z0-9]+)$/.exec(id);
	if (!m) return id;
	return t('household.address', { building: buildingName(c, m[1]!), unit: m[2]!, room: m[3]! });
}

export interface ScopeLine {
	label: string;
	value: string;
	testid: string;
}

export function scopeLines(grant: Grant, c: Community | null | undefined): ScopeLine[] {
	const lines: ScopeLine[] = [];
	if (grant.role === 'street_admin') {
		lines.push({ label: t('scope.street'), value: grant.community, testid: 'scope-street' });
		if (grant.communities?.length) {
			lines.push({ label: t('scope.communities'), value: grant.communities.join(t('timeline.listSeparator')), testid: 'scope-communities' });
		}
		return lines;
	}
	const name = c && c.id === grant.community && c.name ? c.name : grant.community;
	lines.push({ label: t('scope.community'), value: name, testid: 'scope-community' });
	if (grant.grids?.length) {
		lines.push({
			label: t('scope.grids'),
			value: grant.grids.map((g) => gridName(c, g)).join(t('timeline.listSeparator')),
			testid: 'scope-grids'
		});
	}
	if (grant.household) {
		lines.push({ label: t('scope.household'), value: householdLabel(c, grant.household), testid: 'scope-household' });
	}
	return lines;
}
