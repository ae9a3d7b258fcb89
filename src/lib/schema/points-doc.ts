/**
 * The community's points documents.
 *
 * `<community>:points:main`, the config everyone in the community reads and staff keep. Root keys:
 *   meta        Y.Map  schema
 *   settings    Y.Map  'current' → PointsSettings (community admins only: the approval threshold, expiry, limits)
 *   activities  Y.Map  activity id → Activity; changed (renamed, repriced, retired), never deleted
 *   items       Y.Map  item id → CatalogueItem; changed, never deleted
 *   restocks    Y.Map  restock id → Restock, written once
 *
 * `<community>:points:public`, written by the relay alone from every passbook, the config and the register of
 * talents. Root keys:
 *   meta   Y.Map  schema
 *   board  Y.Map  'current' → PointsBoard: aggregates, and the names of households that chose to appear
 */
import type * as Y from 'yjs';
import {
	type Activity,
	type BoardFigures,
	type CatalogueItem,
	DEFAULT_POINTS_SETTINGS,
	parseActivity,
	parseItem,
	parseRestock,
	parseSettings,
	type PointsSettings,
	type Restock
} from '../domain/points';
import { meta, stampMeta } from './meta';
import { plain } from './plain';

const settings = (doc: Y.Doc) => doc.getMap<unknown>('settings');
const activities = (doc: Y.Doc) => doc.getMap<unknown>('activities');
const items = (doc: Y.Doc) => doc.getMap<unknown>('items');
const restocks = (doc: Y.Doc) => doc.getMap<unknown>('restocks');
const board = (doc: Y.Doc) => doc.getMap<unknown>('board');

export const CURRENT_KEY = 'current';

export interface PointsConfig {
	settings: PointsSettings;
	/** Oldest first (ties by id), retired ones included. */
	activities: Activity[];
	items: CatalogueItem[];
	restocks: Restock[];
}

/** What the public board shows of an item: its price and what is left of it. */
export interface BoardStock {
	item: string;
	name: string;
	price: number;
	unit: string;
	remaining: number;
}

export interface BoardTalents {
	bySkill: { skill: string; name: string; people: number }[];
	activists: number;
	buildingHeads: number;
	total: number;
}

/** The public points board: aggregates anyone in the community may read, never a household's movements. */
export interface PointsBoard {
	updated: number;
	/** Totals and the names of households that chose to appear (domain boardFigures()). */
	figures: BoardFigures;
	/** Items not retired. */
	stock: BoardStock[];
	talents: BoardTalents;
}

/** True once the document was written (an empty one may still be syncing). */
export const isPointsDoc = (doc: Y.Doc) => typeof meta(doc).get('schema') === 'number';

const byTime = <T extends { at: number; id: string }>(a: T, b: T) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Every record of `map` that parses and is kept under its own id. */
function parsed<T extends { id: string; at: number }>(map: Y.Map<unknown>, parse: (v: unknown) => T | null): T[] {
	const out: T[] = [];
	for (const [key, value] of map) {
		const r = parse(value);
		if (r && r.id === key) out.push(r);
	}
	return out.sort(byTime);
}

/** The config: the settings (the defaults until an admin sets them), activities, catalogue and restocks. */
export function readPointsConfig(doc: Y.Doc): PointsConfig {
	const current = settings(doc).get(CURRENT_KEY);
	return {
		settings: current === undefined ? { ...DEFAULT_POINTS_SETTINGS } : parseSettings(current),
		activities: parsed(activities(doc), parseActivity),
		items: parsed(items(doc), parseItem),
		restocks: parsed(restocks(doc), parseRestock)
	};
}

/** Adds or changes an activity (kept: retire it rather than delete it). */
export function putActivity(doc: Y.Doc, a: Activity): void {
	doc.transact(() => {
		stampMeta(doc);
		activities(doc).set(a.id, plain(a));
	});
}

/** Adds or changes a catalogue item (kept: retire it rather than delete it). */
export function putItem(doc: Y.Doc, i: CatalogueItem): void {
	doc.transact(() => {
		stampMeta(doc);
		items(doc).set(i.id, plain(i));
	});
}

/** Records stock brought in or written off; false (and nothing written) when one with its id is already there. */
export function addRestock(doc: Y.Doc, r: Restock): boolean {
	if (restocks(doc).has(r.id)) return false;
	doc.transact(() => {
		stampMeta(doc);
		restocks(doc).set(r.id, plain(r));
	});
	return true;
}

export function setPointsSettings(doc: Y.Doc, s: PointsSettings): void {
	doc.transact(() => {
		stampMeta(doc);
		settings(doc).set(CURRENT_KEY, { approvalAbove: s.approvalAbove, expiryMonths: s.expiryMonths, floor: s.floor, ceiling: s.ceiling });
	});
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The board as the relay last published it; null before the first publication. */
export function readPointsBoard(doc: Y.Doc): PointsBoard | null {
	const b = board(doc).get(CURRENT_KEY);
	if (!isRecord(b) || typeof b.updated !== 'number' || !isRecord(b.figures) || !Array.isArray(b.stock) || !isRecord(b.talents)) return null;
	const f = b.figures;
	if (typeof f.households !== 'number' || typeof f.earned !== 'number' || typeof f.hours !== 'number' || !Array.isArray(f.names)) return null;
	if (!Array.isArray(b.talents.bySkill)) return null;
	return b as unknown as PointsBoard;
}

/**
 * Publishes the board (the relay's own write). The figures are compared first, so republishing the same board
 * adds nothing to the document; false when nothing changed.
 */
export function writePointsBoard(doc: Y.Doc, next: PointsBoard): boolean {
	const current = readPointsBoard(doc);
	const { updated: _a, ...was } = current ?? ({} as Partial<PointsBoard>);
	const { updated: _b, ...now } = next;
	if (current && JSON.stringify(was) === JSON.stringify(now)) return false;
	doc.transact(() => {
		stampMeta(doc);
		board(doc).set(CURRENT_KEY, JSON.parse(JSON.stringify(next)) as PointsBoard);
	});
	return true;
}
