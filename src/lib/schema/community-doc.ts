/**
 * The community document: its name, grids, buildings and settings. Root keys:
 *   meta      Y.Map  schema, id, name, street, district
 *   grids     Y.Map  grid id → Grid
 *   buildings Y.Map  building id → Building
 *   settings  Y.Map  minCoSigners, …
 *   lists     Y.Array ListVersion: every edit of the encouraged and negative lists appends a version
 */
import * as Y from 'yjs';
import { type BuildingPlan, compareBuildings } from '../domain/household';
import { DEFAULT_RULES, type ValidationRules } from '../domain/proposal';
import type { ListVersion } from '../domain/lists';
import { isGridId } from './doc-names';
import { writeMeta } from './meta';

export interface Grid {
	id: string;
	name: string;
}

/** A building as the register plans its rooms (the domain's BuildingPlan is this record). */
export type Building = BuildingPlan;

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
		writeMeta(doc, { id: c.id, name: c.name, street: c.street, district: c.district });
		const grids = doc.getMap<Grid>('grids');
		for (const g of c.grids) grids.set(g.id, g);
		const buildings = doc.getMap<Building>('buildings');
		for (const b of c.buildings) buildings.set(b.id, b);
		doc.getMap<unknown>('settings').set('minCoSigners', c.rules.minCoSigners);
	});
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isGrid = (g: unknown): g is Grid => isRecord(g) && typeof g.id === 'string' && isGridId(g.id);
const isBuilding = (b: unknown): b is Building => isRecord(b) && typeof b.id === 'string' && typeof b.grid === 'string' && isGridId(b.grid);

/** The community, skipping malformed grid and building records: one bad record must not stop every page and ballot. */
export function readCommunity(doc: Y.Doc): Community {
	const meta = doc.getMap<unknown>('meta');
	const min = doc.getMap<unknown>('settings').get('minCoSigners');
	return {
		id: String(meta.get('id') ?? ''),
		name: String(meta.get('name') ?? ''),
		street: String(meta.get('street') ?? ''),
		district: String(meta.get('district') ?? ''),
		grids: [...doc.getMap<unknown>('grids').values()].filter(isGrid).sort((a, b) => a.id.localeCompare(b.id)),
		buildings: [...doc.getMap<unknown>('buildings').values()].filter(isBuilding)
			// Every list of buildings follows this one natural order (2栋 before 10栋).
			.sort((a, b) => compareBuildings({ id: a.id, name: String(a.name ?? '') }, { id: b.id, name: String(b.name ?? '') })),
		rules: { minCoSigners: typeof min === 'number' ? min : DEFAULT_RULES.minCoSigners },
		lists: doc.getArray<ListVersion>('lists').toArray()
	};
}
