/**
 * A grid's household register (personal data: only the roles of DESIGN.md §2 may read it). Root keys:
 *   meta       Y.Map  schema, grid
 *   households Y.Map  household id → Household
 */
import * as Y from 'yjs';
import { SCHEMA_VERSION } from './doc-names';

export type HouseholdTag = 'elderly_alone' | 'children' | 'party_member' | 'volunteer' | 'disabled' | 'renter';

export interface Member {
	name: string;
	phone?: string;
	contact?: boolean;
}

export interface Household {
	id: string;
	building: string;
	unit: number;
	/** Room number as written on the door, e.g. "302". */
	room: string;
	/** Floor area in square metres, for the Civil Code voting rule. */
	area: number;
	members: Member[];
	tags: HouseholdTag[];
}

export function writeHouseholds(doc: Y.Doc, grid: string, households: readonly Household[]): void {
	doc.transact(() => {
		const meta = doc.getMap<unknown>('meta');
		meta.set('schema', SCHEMA_VERSION);
		meta.set('grid', grid);
		const map = doc.getMap<Household>('households');
		for (const h of households) map.set(h.id, h);
	});
}

export function readHouseholds(doc: Y.Doc): Household[] {
	return [...doc.getMap<Household>('households').values()];
}
