/**
 * Test factories for a community's register: its layout (grids, buildings, settings, as the community document
 * holds it) and households named `<building>-<unit>-<room>`. Imported by specs and integration tests only.
 */
import type { BuildingPlan, Household } from '../household';
import { DEFAULT_RULES, type ValidationRules } from '../proposal';
import { COMMUNITY } from './actors';

export interface GridFixture {
	id: string;
	name: string;
}

/** The community document's content (writeCommunity's argument) without its list versions. */
export interface CommunityFixture {
	id: string;
	name: string;
	street: string;
	district: string;
	grids: GridFixture[];
	buildings: BuildingPlan[];
	rules: ValidationRules;
}

const NUMERALS = '一二三四五六七八九';
/** A grid; 'g2' is called 第二网格 unless the test names it. */
export const grid = (id: string, name = `第${NUMERALS[Number(id.slice(1)) - 1] ?? id}网格`): GridFixture => ({ id, name });

/** A building of `grid`; its name follows its id ('b05' is 5栋). One unit of six floors, two flats a floor. */
export const building = (id: string, gridId = 'g1', over: Partial<BuildingPlan> = {}): BuildingPlan => ({
	id,
	grid: gridId,
	name: `${Number(id.replace(/^\D+/, ''))}栋`,
	units: 1,
	floors: 6,
	roomsPerFloor: 2,
	...over
});

/** A community with one grid and one building unless the test gives its own. */
export const communityFixture = (over: Partial<CommunityFixture> = {}): CommunityFixture => ({
	id: COMMUNITY,
	name: '锦绣里',
	street: '',
	district: '',
	grids: [grid('g1')],
	buildings: [building('b01')],
	rules: { ...DEFAULT_RULES },
	...over
});

/** A household whose building, unit and room come from its id: household('b01-2-302'). 80 m², nobody listed. */
export function household(id: string, over: Partial<Household> = {}): Household {
	const [building = '', unit = '1', room = ''] = id.split('-');
	return { id, building, unit: Number(unit), room, area: 80, members: [], tags: [], ...over };
}

/** A household with one occupant, for registers whose households must have somebody in them. */
export const occupied = (id: string, over: Partial<Household> = {}): Household => household(id, { members: [{ name: '住户' }], ...over });
