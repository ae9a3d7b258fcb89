/**
 * The points data staff screens read, kept live: the community's config (points:main) and every household's
 * passbook as folded from the Dexie index (each passbook's entry carries its parsed records), so the counter,
 * the ledger and the to-do list never open two thousand documents. Call during component initialisation.
 */
import { audit, type Books, type Passbook, passbook, type Resolution, type Transfer } from '$lib/domain/points';
import { pointsDocName } from '$lib/schema/doc-names';
import type { IndexEntry } from '$lib/schema/index-entry';
import { type PointsConfig, readPointsConfig } from '$lib/schema/points-doc';
import { liveIndex } from '../intake/live-index.svelte';
import { liveCommunityDoc } from '../live-doc.svelte';

/** The community's points config, when this role may read it (everyone in the community but the street). */
export const livePointsConfig = () => liveCommunityDoc<PointsConfig>(pointsDocName, readPointsConfig);

export interface CommunityBooks {
	/** One passbook per household with records, by household id. */
	books: Map<string, Passbook>;
	audit: Books;
	/** Every transfer of every household, by id. */
	transfers: Map<string, Transfer>;
	/** Redemptions whose goods were handed over. */
	handedOver: Set<string>;
}

/** Folds the index entries of the passbooks with the config, as of `now`. */
export function foldBooks(entries: readonly IndexEntry[], config: PointsConfig, now: number): CommunityBooks {
	const books = new Map<string, Passbook>();
	const transfers = new Map<string, Transfer>();
	const handedOver = new Set<string>();
	const resolutions: Resolution[] = [];
	for (const e of entries) {
		if (!e.household || !e.passbook) continue;
		const { transfers: ts, approvals, resolutions: rs, handovers } = e.passbook;
		books.set(e.household, passbook({ household: e.household, transfers: ts, approvals, resolutions: rs }, config.settings, now));
		for (const t of ts) transfers.set(t.id, t);
		for (const h of handovers) handedOver.add(h);
		resolutions.push(...rs);
	}
	return { books, transfers, handedOver, audit: audit([...books.values()], config.items, config.restocks, resolutions) };
}

/** Every household's passbook on this device (staff hold them all), folded with the config. */
export function liveBooks(config: () => PointsConfig | null): { readonly value: CommunityBooks | null } {
	const index = liveIndex('passbook');
	// Null until the index and the config have been read.
	const value = $derived.by(() => {
		const entries = index.entries;
		const c = config();
		return entries && c ? foldBooks(entries, c, Date.now()) : null;
	});
	return {
		get value() {
			return value;
		}
	};
}
