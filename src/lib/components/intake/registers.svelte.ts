/**
 * The household registers this device may read (a grid worker's own grids; every grid for facilitators and
 * admins), merged into one list and kept live. Residents and street admins read none: the register is never
 * opened (nor asked of the relay) for them. Call during component initialisation.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { householdsDocName } from '$lib/schema/doc-names';
import { readHouseholds, type Household } from '$lib/schema/households-doc';
import type { Community } from '$lib/schema/community-doc';
import { readableGrids } from '../access/access';
import { watchDocs } from '../live-doc.svelte';

class LiveRegisters {
	households = $state.raw<Household[]>([]);
	loading = $state(true);
}

export function liveRegisters(community: () => Community | null): LiveRegisters {
	const app = courtyard();
	const live = new LiveRegisters();
	$effect(() => {
		const grids = readableGrids(app.device?.grant, community()?.grids ?? []).map((g) => g.id);
		const names = grids.map((g) => householdsDocName(app.community, g));
		live.loading = names.length > 0;
		live.households = [];
		if (names.length === 0) return;
		return watchDocs(
			app,
			names,
			(docs) => {
				live.households = docs.flatMap((d) => readHouseholds(d));
			},
			() => {
				live.loading = false;
			}
		);
	});
	return live;
}
