/**
 * A grid's household register (personal data: only the roles of the product design §2 may read it). Root keys:
 *   meta       Y.Map  schema, grid
 *   households Y.Map  household id → Household (a whole record per key: the last write of a household wins)
 * Household ids name the flat (`<building>-<unit>-<room>`), so two devices registering one flat make one record.
 */
import * as Y from 'yjs';
import { type Household, parseHousehold } from '../domain/household';
import { stampMeta } from './meta';

export type { Household, HouseholdTag, Member } from '../domain/household';

const households = (doc: Y.Doc) => doc.getMap<Household>('households');

/** Adds or replaces households, in one transaction (an import lands whole or not at all). */
export function writeHouseholds(doc: Y.Doc, grid: string, list: readonly Household[]): void {
	doc.transact(() => {
		stampMeta(doc, { grid });
		const map = households(doc);
		for (const h of list) map.set(h.id, h);
	});
}

export function putHousehold(doc: Y.Doc, grid: string, h: Household): void {
	writeHouseholds(doc, grid, [h]);
}

export function removeHousehold(doc: Y.Doc, id: string): boolean {
	const map = households(doc);
	if (!map.has(id)) return false;
	map.delete(id);
	return true;
}

/** Every well-formed household; entries that are not households (a damaged or hostile write) are left out. */
export function readHouseholds(doc: Y.Doc): Household[] {
	const out: Household[] = [];
	for (const [key, value] of households(doc).entries()) {
		const h = parseHousehold(value);
		if (h && h.id === key) out.push(h);
	}
	return out;
}

export function readHousehold(doc: Y.Doc, id: string): Household | null {
	const h = parseHousehold(households(doc).get(id));
	return h && h.id === id ? h : null;
}

export function registerGrid(doc: Y.Doc): string {
	const grid = doc.getMap<unknown>('meta').get('grid');
	return typeof grid === 'string' ? grid : '';
}
