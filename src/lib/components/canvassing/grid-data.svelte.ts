/**
 * One grid's canvassing data for a page: the community (buildings), the household register and the visits,
 * each opened only when the role may read it and the grid exists — a device that may not read a register
 * never asks the relay for it. Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import type { Access } from '$lib/domain/access';
import { sortBuildings, type BuildingPlan, type Household } from '$lib/domain/household';
import type { Visit } from '$lib/domain/visit';
import { readCommunity, type Community } from '$lib/schema/community-doc';
import { communityDocName, householdsDocName, isGridId, visitsDocName } from '$lib/schema/doc-names';
import { readHouseholds } from '$lib/schema/households-doc';
import { readVisits } from '$lib/schema/visits-doc';
import { accessTo, isRefusal, readableGrids, refusalWhy } from '../access/access';
import { docSync } from '../access/doc-sync.svelte';
import { liveDoc } from '../live-doc.svelte';
import { gridName } from '../scope';

export function gridData(grid: () => string) {
	const app = courtyard();
	const grant = $derived(app.device?.grant ?? null);
	const communityName = $derived(communityDocName(app.community));
	const community = liveDoc(
		() => (accessTo(grant, communityName) !== 'none' ? communityName : null),
		(doc) => readCommunity(doc)
	);
	const id = $derived(grid());
	const valid = $derived(!!id && isGridId(id));
	const registerName = $derived(valid ? householdsDocName(app.community, id) : null);
	const visitsName = $derived(valid ? visitsDocName(app.community, id) : null);
	const access = $derived<Access>(registerName ? accessTo(grant, registerName) : 'none');
	const visitsAccess = $derived<Access>(visitsName ? accessTo(grant, visitsName) : 'none');
	/** Whether the community has this grid; null until its document is here. */
	const known = $derived(community.value?.id ? community.value.grids.some((g) => g.id === id) : null);
	const register = liveDoc(
		() => (registerName && access !== 'none' && known ? registerName : null),
		(doc) => readHouseholds(doc)
	);
	const visits = liveDoc(
		() => (visitsName && visitsAccess !== 'none' && known ? visitsName : null),
		(doc) => readVisits(doc)
	);
	const sync = docSync(() => (registerName && access !== 'none' && known ? registerName : null));
	const buildings = $derived<BuildingPlan[]>(
		sortBuildings((community.value?.buildings ?? []).filter((b) => b.grid === id))
	);

	return {
		get grant() {
			return grant;
		},
		get id() {
			return id;
		},
		get valid() {
			return valid;
		},
		get community(): Community | null {
			return community.value;
		},
		get communityLoading() {
			return community.loading;
		},
		/** Grids whose register this role may read. */
		get readable() {
			return readableGrids(grant, community.value?.grids ?? []);
		},
		get known() {
			return known;
		},
		get access() {
			return access;
		},
		get visitsAccess() {
			return visitsAccess;
		},
		get registerName() {
			return registerName;
		},
		get households(): Household[] {
			return register.value ?? [];
		},
		get registerLoading() {
			return register.loading;
		},
		get registerError() {
			return register.error;
		},
		get visits(): Visit[] {
			return visits.value ?? [];
		},
		get visitsLoading() {
			return visits.loading;
		},
		get synced() {
			return sync.synced;
		},
		/** The relay refused the register although the rules here allowed it (e.g. a scope changed on the server). */
		get relayRefused() {
			return !!registerName && access !== 'none' && !!known && isRefusal(sync.error) && !!sync.error?.startsWith('forbidden');
		},
		get relayError() {
			return sync.error;
		},
		/** The grid's buildings, "2栋" before "10栋". */
		get buildings() {
			return buildings;
		},
		get name() {
			return gridName(community.value, id);
		},
		/** Why this role may not read the register, in words. */
		get why() {
			const names = (g: string) => gridName(community.value, g);
			return refusalWhy(grant, registerName ?? householdsDocName(grant?.community ?? app.community, 'any'), names);
		}
	};
}

export type GridData = ReturnType<typeof gridData>;
