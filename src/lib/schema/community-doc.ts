/**
 * The community document: its name, grids, buildings and settings. Root keys:
 *   meta      Y.Map  schema, id, name, street, district
 *   grids     Y.Map  grid id → Grid
 *   buildings Y.Map  building id → Building
 *   settings  Y.Map  minCoSigners, …
 *   lists     Y.Array ListVersion: every edit of the encouraged and negative lists appends a version
 */
import * as Y from 'yjs';
import { DEFAULT_RULES, type ValidationRules } from '../domain/proposal';
import type { ListVersion } from '../domain/lists';
import { SCHEMA_VERSION } from './doc-names';

export interface Grid {
	id: string;
	name: string;
}

export interface Building {
	id: string;
	grid: string;
	name: string;
	units: number;
	floors: number;
	roomsPerFloor: number;
}

export interface Community {
	id: string;
	name: string;
	street: string;
	district: string;
	grids: Grid[];
	buildings: Building[];
	rules: ValidationRules;
	/** Every version of the lists; `currentLists` picks the one in force. */
	lists: ListVersion[];
}

export function addListVersion(doc: Y.Doc, version: ListVersion): void {
	doc.getArray<ListVersion>('lists').push([version]);
}

export function setMinCoSigners(doc: Y.Doc, n: number): void {
	doc.getMap<unknown>('settings').set('minCoSigners', n);
}

export function writeCommunity(doc: Y.Doc, c: Omit<Community, 'lists'>): void {
	doc.transact(() => {
		const meta = doc.getMap<unknown>('meta');
		meta.set('schema', SCHEMA_VERSION);
		meta.set('id', c.id);
		meta.set('name', c.name);
		meta.set('street', c.street);
		meta.set('district', c.district);
		const grids = doc.getMap<Grid>('grids');
		for (const g of c.grids) grids.set(g.id, g);
		const buildings = doc.getMap<Building>('buildings');
		for (const b of c.buildings) buildings.set(b.id, b);
		doc.getMap<unknown>('settings').set('minCoSigners', c.rules.minCoSigners);
	});
}

export function readCommunity(doc: Y.Doc): Community {
	const meta = doc.getMap<unknown>('meta');
	const min = doc.getMap<unknown>('settings').get('minCoSigners');
	return {
		id: String(meta.get('id') ?? ''),
		name: String(meta.get('name') ?? ''),
		street: String(meta.get('street') ?? ''),
		district: String(meta.get('district') ?? ''),
		grids: [...doc.getMap<Grid>('grids').values()].sort((a, b) => a.id.localeCompare(b.id)),
		buildings: [...doc.getMap<Building>('buildings').values()].sort((a, b) => a.name.localeCompare(b.name, 'zh')),
		rules: { minCoSigners: typeof min === 'number' ? min : DEFAULT_RULES.minCoSigners },
		lists: doc.getArray<ListVersion>('lists').toArray()
	};
}
