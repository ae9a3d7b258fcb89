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
import { liveDocs } from '../live-doc.svelte';

export interface LiveRegisters {
	readonly households: Household[];
	readonly loading: boolean;
}

export function liveRegisters(community: () => Community | null): LiveRegisters {
	const app = courtyard();
	// liveDocs keys on the names: a community update that leaves the grids alone reopens nothing.
	const registers = liveDocs(
		() => readableGrids(app.device?.grant, community()?.grids ?? []).map((g) => householdsDocName(app.community, g.id)),
		(docs) => docs.flatMap((d) => readHouseholds(d))
	);
	return {
		get households() {
			return registers.value ?? [];
		},
		get loading() {
			return registers.loading;
		}
	};
}
