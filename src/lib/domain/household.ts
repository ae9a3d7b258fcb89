/**
 * The household register of a grid (product design §3: community → grids → buildings → units → households):
 * what a household record holds, its validation, and the finder a grid worker uses at the door — a building's
 * units × floors × rooms laid out like its façade, and a search by room number or resident name.
 */

export type HouseholdTag =
	| 'elderly_alone'
	| 'children'
	| 'party_member'
	| 'volunteer'
	| 'contact_person'
	| 'disabled'
	| 'renter';
export const HOUSEHOLD_TAGS: readonly HouseholdTag[] = [
	'elderly_alone',
	'children',
	'party_member',
	'volunteer',
	'contact_person',
	'disabled',
	'renter'
];
export const isHouseholdTag = (v: unknown): v is HouseholdTag => HOUSEHOLD_TAGS.includes(v as HouseholdTag);

export interface Member {
	name: string;
	phone?: string;
	/** The household's contact person (联系人). */
	contact?: boolean;
}

export interface Household {
	/** `<building>-<unit>-<room>`, see householdId. */
	id: string;
	building: string;
	unit: number;
	/** Room number as written on the door, e.g. "302". */
	room: string;
	/** Floor area in square metres, for the Civil Code voting rule. */
	area: number;
	members: Member[];
	tags: HouseholdTag[];
	note?: string;
}

/** What the register needs to know of a building; the community document's Building has this shape. */
export interface BuildingPlan {
	id: string;
	grid: string;
	name: string;
	units: number;
	floors: number;
	roomsPerFloor: number;
}

export const AREA_MIN = 5;
export const AREA_MAX = 1000;
export const MEMBERS_MAX = 20;
export const NAME_MAX = 32;
export const NOTE_MAX = 500;
export const UNITS_MAX = 99;
const ROOM = /^[0-9A-Z]{1,8}$/;
// Digits with separators, or masked (138****1234); landlines with area code and extension.
const PHONE = /^\+?[0-9*][0-9* -]{2,19}$/;

/** Household ids name the flat, so the same flat registered twice (two devices, an import) is one record. */
export function householdId(building: string, unit: number, room: string): string {
	return `${building}-${unit}-${room}`;
}

/** The building of a household id (householdId's first part; building ids may hold '-'); null if it is not one. */
export function buildingOfHousehold(id: string): string | null {
	const parts = id.split('-');
	return parts.length < 3 ? null : parts.slice(0, -2).join('-');
}

const FULL_WIDTH = /[\uff01-\uff5e]/g;
/** Full-width digits and letters (common in Chinese input methods) to ASCII. */
export function toHalfWidth(s: string): string {
	return s.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** "302室", "３０２", " 302号 " → "302"; letters upper-cased. Not checked for validity. */
export function normaliseRoom(raw: string): string {
	return toHalfWidth(raw)
		.trim()
		.replace(/^#/, '')
		.replace(/(室|号|房)$/, '')
		.trim()
		.toUpperCase();
}

export const isRoom = (room: string) => ROOM.test(room);

/** Floor of a room number written floor + two-digit position ("302" → 3, "1201" → 12); null otherwise. */
export function roomFloor(room: string): number | null {
	const m = /^(\d{1,3})(\d{2})$/.exec(room);
	return m ? Number(m[1]) : null;
}

/** The number a building goes by: "12栋" → 12, "3号楼" → 3, id "b07" → 7; null when neither has one. */
export function buildingNumber(b: Pick<BuildingPlan, 'id' | 'name'>): number | null {
	const fromName = /\d+/.exec(toHalfWidth(b.name));
	if (fromName) return Number(fromName[0]);
	const fromId = /\d+/.exec(b.id);
	return fromId ? Number(fromId[0]) : null;
}

const byName = new Intl.Collator('zh', { numeric: true });

/**
 * The one order buildings are listed in everywhere: by their number (1栋, 2栋 … 10栋, not 1栋, 10栋, 2栋),
 * buildings without one after them, then by name with digits compared as numbers, then by id so the order
 * is the same on every device.
 */
export function compareBuildings(a: Pick<BuildingPlan, 'id' | 'name'>, b: Pick<BuildingPlan, 'id' | 'name'>): number {
	const na = buildingNumber(a);
	const nb = buildingNumber(b);
	if (na !== nb) return na === null ? 1 : nb === null ? -1 : na - nb;
	return byName.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A copy of the buildings in compareBuildings order. */
export function sortBuildings<T extends Pick<BuildingPlan, 'id' | 'name'>>(buildings: readonly T[]): T[] {
	return [...buildings].sort(compareBuildings);
}

/**
 * Building ids (e.g. those a register's households name) in the order of the community's buildings; ids the
 * community does not list come after them, in the same natural order by id.
 */
export function sortBuildingIds(ids: Iterable<string>, buildings: readonly Pick<BuildingPlan, 'id' | 'name'>[]): string[] {
	const known = new Map(buildings.map((b) => [b.id, b]));
	const plan = (id: string) => known.get(id) ?? { id, name: id };
	return [...new Set(ids)].sort((a, b) => {
		const ka = known.has(a);
		const kb = known.has(b);
		return ka !== kb ? (ka ? -1 : 1) : compareBuildings(plan(a), plan(b));
	});
}

export type HouseholdIssue =
	| { field: 'building'; code: 'required' | 'unknown' | 'other_grid' }
	| { field: 'unit'; code: 'invalid' | 'out_of_range'; max: number }
	| { field: 'room'; code: 'required' | 'invalid' }
	| { field: 'room'; code: 'floor_out_of_range'; max: number }
	| { field: 'area'; code: 'required' | 'out_of_range'; min: number; max: number }
	| { field: 'members'; code: 'too_many'; max: number }
	| { field: 'members'; code: 'name_required' | 'name_too_long' | 'duplicate_name'; name: string }
	| { field: 'phone'; code: 'invalid'; value: string }
	| { field: 'tags'; code: 'unknown'; value: string }
	| { field: 'note'; code: 'too_long'; max: number }
	| { field: 'id'; code: 'mismatch' };

export interface RegisterContext {
	/** The grid whose register this is. */
	grid: string;
	/** The community's buildings (all grids, so "belongs to another grid" can be told from "unknown"). */
	buildings: readonly BuildingPlan[];
}

/**
 * Every problem of one household record against the community's buildings. A unit beyond the building's
 * count or a floor above its top floor is an error: in a register such a number is almost always a typo.
 */
export function validateHousehold(h: Household, ctx: RegisterContext): HouseholdIssue[] {
	const issues: HouseholdIssue[] = [];
	const b = ctx.buildings.find((x) => x.id === h.building);
	if (!h.building) issues.push({ field: 'building', code: 'required' });
	else if (!b) issues.push({ field: 'building', code: 'unknown' });
	else if (b.grid !== ctx.grid) issues.push({ field: 'building', code: 'other_grid' });
	const maxUnit = b && b.units > 0 ? b.units : UNITS_MAX;
	if (!Number.isInteger(h.unit) || h.unit < 1) issues.push({ field: 'unit', code: 'invalid', max: maxUnit });
	else if (h.unit > maxUnit) issues.push({ field: 'unit', code: 'out_of_range', max: maxUnit });
	if (!h.room) issues.push({ field: 'room', code: 'required' });
	else if (!isRoom(h.room)) issues.push({ field: 'room', code: 'invalid' });
	else {
		const floor = roomFloor(h.room);
		if (b && b.floors > 0 && floor !== null && (floor < 1 || floor > b.floors)) {
			issues.push({ field: 'room', code: 'floor_out_of_range', max: b.floors });
		}
	}
	if (!Number.isFinite(h.area) || h.area <= 0) issues.push({ field: 'area', code: 'required', min: AREA_MIN, max: AREA_MAX });
	else if (h.area < AREA_MIN || h.area > AREA_MAX) issues.push({ field: 'area', code: 'out_of_range', min: AREA_MIN, max: AREA_MAX });
	if (h.members.length > MEMBERS_MAX) issues.push({ field: 'members', code: 'too_many', max: MEMBERS_MAX });
	const seen = new Set<string>();
	for (const m of h.members) {
		const name = m.name.trim();
		if (!name) issues.push({ field: 'members', code: 'name_required', name: '' });
		else if ([...name].length > NAME_MAX) issues.push({ field: 'members', code: 'name_too_long', name });
		else if (seen.has(name)) issues.push({ field: 'members', code: 'duplicate_name', name });
		seen.add(name);
		if (m.phone !== undefined && !PHONE.test(m.phone)) issues.push({ field: 'phone', code: 'invalid', value: m.phone });
	}
	for (const tag of h.tags) if (!isHouseholdTag(tag)) issues.push({ field: 'tags', code: 'unknown', value: String(tag) });
	if (h.note !== undefined && [...h.note].length > NOTE_MAX) issues.push({ field: 'note', code: 'too_long', max: NOTE_MAX });
	if (h.building && h.room && h.id !== householdId(h.building, h.unit, h.room)) issues.push({ field: 'id', code: 'mismatch' });
	return issues;
}

/** Cleans a phone number as typed: full-width to ASCII, spaces and dashes kept only between digits. */
export function normalisePhone(raw: string): string {
	return toHalfWidth(raw).trim().replace(/\s+/g, ' ');
}

/**
 * Reads a household record from untrusted storage (a register document anyone with write access may have
 * written): null when it is not a household at all; missing optional parts are filled in.
 */
export function parseHousehold(value: unknown): Household | null {
	if (!value || typeof value !== 'object') return null;
	const v = value as Record<string, unknown>;
	if (typeof v.id !== 'string' || typeof v.building !== 'string' || typeof v.room !== 'string') return null;
	if (typeof v.unit !== 'number' || !Number.isInteger(v.unit)) return null;
	const members = Array.isArray(v.members)
		? v.members
				.filter((m): m is Record<string, unknown> => !!m && typeof m === 'object' && typeof (m as { name?: unknown }).name === 'string')
				.map((m) => ({
					name: m.name as string,
					...(typeof m.phone === 'string' ? { phone: m.phone } : {}),
					...(m.contact === true ? { contact: true } : {})
				}))
		: [];
	return {
		id: v.id,
		building: v.building,
		unit: v.unit,
		room: v.room,
		area: typeof v.area === 'number' && Number.isFinite(v.area) ? v.area : 0,
		members,
		tags: Array.isArray(v.tags) ? v.tags.filter(isHouseholdTag) : [],
		...(typeof v.note === 'string' && v.note ? { note: v.note } : {})
	};
}

/** The contact person, else the first member. */
export function contactOf(h: Household): Member | undefined {
	return h.members.find((m) => m.contact) ?? h.members[0];
}

/**
 * A likely floor area for a flat not yet registered: flats stacked in one unit share a floor plan, so the
 * nearest registered flat at the same position in the same unit (then in any unit) is the best guess.
 */
export function suggestArea(households: readonly Household[], building: string, unit: number, room: string): number | null {
	const floor = roomFloor(room);
	if (floor === null) return null;
	const pos = room.slice(-2);
	let best: { d: number; area: number } | null = null;
	for (const h of households) {
		if (h.building !== building || h.area <= 0 || h.room.slice(-2) !== pos) continue;
		const f = roomFloor(h.room);
		if (f === null) continue;
		const d = Math.abs(f - floor) + (h.unit === unit ? 0 : 100);
		if (!best || d < best.d) best = { d, area: h.area };
	}
	return best?.area ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Finder

export interface RoomSlot {
	id: string;
	unit: number;
	room: string;
	/** Null for a flat of the building's plan that is not in the register yet. */
	household: Household | null;
}

export interface FloorRow {
	/** 0 for rooms whose number names no floor ("B1", "商铺"). */
	floor: number;
	rooms: RoomSlot[];
}

export interface UnitLayout {
	unit: number;
	/** Top floor first, as the building is seen from outside. */
	floors: FloorRow[];
	/** Most rooms on one floor, so every row can be drawn with the same columns. */
	columns: number;
}

// One collator: String.localeCompare with options builds a new one on every call, 100× slower in a sort.
const ROOM_ORDER = new Intl.Collator('en', { numeric: true });
const byRoom = (a: { room: string }, b: { room: string }) => ROOM_ORDER.compare(a.room, b.room);

/**
 * A building's façade: its plan (units × floors × rooms per floor) filled with the registered households.
 * Registered flats outside the plan (an extra unit, a room numbered otherwise) are added, never hidden.
 */
export function buildingLayout(plan: BuildingPlan | undefined, households: readonly Household[]): UnitLayout[] {
	const units = new Map<number, Map<number, Map<string, RoomSlot>>>();
	const slot = (unit: number, floor: number) => {
		let floors = units.get(unit);
		if (!floors) units.set(unit, (floors = new Map()));
		let rooms = floors.get(floor);
		if (!rooms) floors.set(floor, (rooms = new Map()));
		return rooms;
	};
	if (plan) {
		for (let u = 1; u <= plan.units; u++) {
			for (let f = 1; f <= plan.floors; f++) {
				const rooms = slot(u, f);
				for (let r = 1; r <= plan.roomsPerFloor; r++) {
					const room = `${f}${String(r).padStart(2, '0')}`;
					rooms.set(room, { id: householdId(plan.id, u, room), unit: u, room, household: null });
				}
			}
		}
	}
	for (const h of households) {
		if (plan && h.building !== plan.id) continue;
		slot(h.unit, roomFloor(h.room) ?? 0).set(h.room, { id: h.id, unit: h.unit, room: h.room, household: h });
	}
	return [...units.entries()]
		.sort(([a], [b]) => a - b)
		.map(([unit, floors]) => {
			const rows = [...floors.entries()]
				.sort(([a], [b]) => b - a)
				.map(([floor, rooms]) => ({ floor, rooms: [...rooms.values()].sort(byRoom) }));
			return { unit, floors: rows, columns: Math.max(1, ...rows.map((r) => r.rooms.length)) };
		});
}

interface Indexed {
	h: Household;
	buildingNo: number | null;
	order: number;
	names: string;
}

export interface FinderHit {
	household: Household;
	/** 0: the room number matches exactly; 1: it starts with what was typed; 2: no room was typed (name, building). */
	rank: 0 | 1 | 2;
}

/**
 * Search over one grid's register, built once per register change and queried on every keystroke.
 * A query is a room number ("302"), unit and room ("1-302", "1单元302"), building, unit and room
 * ("3-1-302", "3栋1单元302"), a building ("3栋"), or part of a resident's name ("王"), alone or with
 * numbers; digits may be full-width. The last bare number is the room, and typing it narrows as it grows.
 */
export class HouseholdFinder {
	private readonly items: Indexed[];

	constructor(households: readonly Household[], buildings: readonly BuildingPlan[]) {
		const plans = new Map(buildings.map((b, i) => [b.id, { no: buildingNumber(b), order: i }]));
		this.items = households.map((h) => {
			const p = plans.get(h.building);
			return {
				h,
				buildingNo: p?.no ?? buildingNumber({ id: h.building, name: '' }),
				order: p?.order ?? Number.MAX_SAFE_INTEGER,
				names: h.members.map((m) => m.name).join('\n')
			};
		});
		this.items.sort((a, b) => a.order - b.order || a.h.unit - b.h.unit || byRoom(a.h, b.h));
	}

	get size(): number {
		return this.items.length;
	}

	search(query: string, limit = 50): FinderHit[] {
		let q = toHalfWidth(query).trim().toUpperCase();
		if (!q) return [];
		let building: number | null = null;
		let unit: number | null = null;
		const b = /(\d+)\s*(?:栋|幢|号楼)/.exec(q);
		if (b) {
			building = Number(b[1]);
			q = q.replace(b[0], ' ');
		}
		const u = /(\d+)\s*单元/.exec(q);
		if (u) {
			unit = Number(u[1]);
			q = q.replace(u[0], ' ');
		}
		const numbers = q.match(/[0-9A-Z]+/g) ?? [];
		// What is left once numbers and address words are removed is a name.
		const name = q.replace(/[0-9A-Z]+/g, ' ').replace(/[室层#\-_/.,，、\s]+/g, '');
		const room = numbers.pop() ?? '';
		// Numbers before the room: building then unit, or either one ("1-302" is unit 1 or building 1).
		let either: number | null = null;
		if (numbers.length >= 2 && building === null && unit === null) {
			building = Number(numbers.at(-2));
			unit = Number(numbers.at(-1));
		} else if (numbers.length >= 1) {
			const n = Number(numbers.at(-1));
			if (building !== null && unit === null) unit = n;
			else if (building === null && unit !== null) building = n;
			else if (building === null) either = n;
		}
		if (!room && !name && building === null && unit === null) return [];
		const hits: FinderHit[] = [];
		for (const it of this.items) {
			if (building !== null && it.buildingNo !== building) continue;
			if (unit !== null && it.h.unit !== unit) continue;
			if (either !== null && it.h.unit !== either && it.buildingNo !== either) continue;
			if (name && !it.names.includes(name)) continue;
			let rank: 0 | 1 | 2 = room ? 1 : 2;
			if (room) {
				if (it.h.room === room) rank = 0;
				else if (!it.h.room.startsWith(room)) continue;
			}
			hits.push({ household: it.h, rank });
		}
		// Stable sort keeps the building → unit → room order within each rank.
		hits.sort((a, b) => a.rank - b.rank);
		return hits.slice(0, limit);
	}
}
