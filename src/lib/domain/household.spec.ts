import { describe, expect, it } from 'vitest';
import {
	type BuildingPlan,
	buildingLayout,
	buildingNumber,
	compareBuildings,
	sortBuildingIds,
	sortBuildings,
	type Household,
	HouseholdFinder,
	householdId,
	normaliseRoom,
	parseHousehold,
	roomFloor,
	suggestArea,
	validateHousehold
} from './household';
import { building } from './testing';

const plan = (over: Partial<BuildingPlan> = {}): BuildingPlan => building('b03', 'g1', { units: 2, ...over });

const household = (over: Partial<Household> = {}): Household => {
	const h = { building: 'b03', unit: 1, room: '302', area: 89.5, members: [{ name: '王秀英', phone: '138****1234', contact: true }], tags: [], ...over };
	return { id: householdId(h.building, h.unit, h.room), ...h } as Household;
};

const ctx = { grid: 'g1', buildings: [plan(), plan({ id: 'b07', grid: 'g2', name: '7栋' })] };

describe('household records', () => {
	it('names a flat by building, unit and room', () => {
		expect(householdId('b03', 1, '302')).toBe('b03-1-302');
		expect(normaliseRoom(' ３０２室 ')).toBe('302');
		expect(normaliseRoom('#b101号')).toBe('B101');
		expect(roomFloor('302')).toBe(3);
		expect(roomFloor('1201')).toBe(12);
		expect(roomFloor('B1')).toBeNull();
		expect(buildingNumber({ id: 'b03', name: '12栋' })).toBe(12);
		expect(buildingNumber({ id: 'b07', name: '东楼' })).toBe(7);
		expect(buildingNumber({ id: 'east', name: '东楼' })).toBeNull();
	});

	it('accepts a well-formed household of the grid', () => {
		expect(validateHousehold(household(), ctx)).toEqual([]);
		expect(validateHousehold(household({ members: [], tags: ['elderly_alone', 'contact_person'] }), ctx)).toEqual([]);
	});

	it('reports each problem with its field', () => {
		const codes = (h: Household) => validateHousehold(h, ctx).map((i) => `${i.field}:${i.code}`);
		expect(codes(household({ building: 'b99' }))).toContain('building:unknown');
		expect(codes(household({ building: 'b07' }))).toContain('building:other_grid');
		expect(codes(household({ unit: 3 }))).toEqual(['unit:out_of_range']);
		expect(codes(household({ unit: 0 }))).toEqual(['unit:invalid']);
		expect(codes(household({ room: '902' }))).toEqual(['room:floor_out_of_range']);
		expect(codes(household({ room: '3-02' }))).toEqual(['room:invalid']);
		expect(codes(household({ area: 0 }))).toEqual(['area:required']);
		expect(codes(household({ area: 2000 }))).toEqual(['area:out_of_range']);
		expect(codes(household({ members: [{ name: '王秀英' }, { name: '王秀英' }] }))).toEqual(['members:duplicate_name']);
		expect(codes(household({ members: [{ name: '李', phone: 'call me' }] }))).toEqual(['phone:invalid']);
		expect(codes(household({ tags: ['vip' as never] }))).toEqual(['tags:unknown']);
		expect(codes({ ...household(), id: 'b03-1-301' })).toEqual(['id:mismatch']);
	});

	it('reads stored records defensively, dropping what is not a household', () => {
		expect(parseHousehold(null)).toBeNull();
		expect(parseHousehold({ id: 'x', building: 'b03', room: '101' })).toBeNull();
		expect(parseHousehold({ id: 'b03-1-101', building: 'b03', unit: 1, room: '101', members: [{ name: '甲' }, 5, { phone: '1' }], tags: ['children', 'bogus'] })).toEqual({
			id: 'b03-1-101',
			building: 'b03',
			unit: 1,
			room: '101',
			area: 0,
			members: [{ name: '甲' }],
			tags: ['children']
		});
	});

	it('suggests the area of the flat stacked above or below, preferring the same unit', () => {
		const list = [household({ room: '502', area: 92 }), household({ unit: 2, room: '302', area: 70 }), household({ room: '601', area: 120 })];
		expect(suggestArea(list, 'b03', 1, '202')).toBe(92);
		expect(suggestArea(list, 'b03', 2, '402')).toBe(70);
		expect(suggestArea(list, 'b03', 1, '203')).toBeNull();
	});
});

describe('building layout', () => {
	it('lays out every flat of the plan, top floor first, with the registered ones filled in', () => {
		const h = household({ room: '302' });
		const units = buildingLayout(plan(), [h, household({ building: 'b07', room: '101' })]);
		expect(units.map((u) => u.unit)).toEqual([1, 2]);
		expect(units[0]!.floors.map((f) => f.floor)).toEqual([6, 5, 4, 3, 2, 1]);
		expect(units[0]!.columns).toBe(2);
		const floor3 = units[0]!.floors.find((f) => f.floor === 3)!;
		expect(floor3.rooms.map((r) => r.room)).toEqual(['301', '302']);
		expect(floor3.rooms[1]!.household).toBe(h);
		expect(floor3.rooms[0]).toMatchObject({ id: 'b03-1-301', household: null });
		expect(units.flatMap((u) => u.floors.flatMap((f) => f.rooms)).length).toBe(24);
	});

	it('never hides a registered flat outside the plan', () => {
		const odd = [household({ room: '303' }), household({ unit: 3, room: '101' }), household({ room: 'B1' })];
		const units = buildingLayout(plan(), odd);
		expect(units.map((u) => u.unit)).toEqual([1, 2, 3]);
		const u1 = units[0]!;
		expect(u1.columns).toBe(3);
		expect(u1.floors.at(-1)).toMatchObject({ floor: 0, rooms: [{ room: 'B1' }] });
		expect(units[2]!.floors).toEqual([{ floor: 1, rooms: [expect.objectContaining({ room: '101' })] }]);
	});
});

describe('finder', () => {
	const buildings = [plan({ id: 'b01', name: '1栋' }), plan({ id: 'b02', name: '2栋' }), plan({ id: 'b12', name: '12栋' })];
	const list = [
		household({ building: 'b12', unit: 1, room: '302', members: [{ name: '赵建国' }] }),
		household({ building: 'b01', unit: 2, room: '302', members: [{ name: '王秀英' }] }),
		household({ building: 'b01', unit: 1, room: '302', members: [{ name: '李淑珍' }] }),
		household({ building: 'b02', unit: 1, room: '3021', members: [{ name: '王海涛' }] }),
		household({ building: 'b02', unit: 1, room: '301', members: [{ name: '孙丽' }] })
	];
	const finder = new HouseholdFinder(list, buildings);
	const ids = (q: string) => finder.search(q).map((h) => h.household.id);

	it('finds a room number, exact matches first, in building order', () => {
		expect(ids('302')).toEqual(['b01-1-302', 'b01-2-302', 'b12-1-302', 'b02-1-3021']);
		expect(ids('30')).toEqual(['b01-1-302', 'b01-2-302', 'b02-1-301', 'b02-1-3021', 'b12-1-302']);
		expect(ids('３０２')).toEqual(ids('302'));
		expect(ids('999')).toEqual([]);
		expect(ids('')).toEqual([]);
	});

	it('narrows by building and unit however they are written', () => {
		expect(ids('12-1-302')).toEqual(['b12-1-302']);
		expect(ids('12栋1单元302')).toEqual(['b12-1-302']);
		expect(ids('1单元302')).toEqual(['b01-1-302', 'b12-1-302', 'b02-1-3021']);
		expect(ids('2-302')).toEqual(['b01-2-302', 'b02-1-3021']);
		expect(ids('12栋')).toEqual(['b12-1-302']);
		// The last bare number is the room, growing as it is typed.
		expect(ids('1栋 30')).toEqual(['b01-1-302', 'b01-2-302']);
		expect(ids('1栋2单元')).toEqual(['b01-2-302']);
	});

	it('finds residents by name, alone or with a room', () => {
		expect(ids('王')).toEqual(['b01-2-302', 'b02-1-3021']);
		expect(ids('王 302')).toEqual(['b01-2-302', 'b02-1-3021']);
		expect(ids('秀英')).toEqual(['b01-2-302']);
		expect(ids('钱')).toEqual([]);
	});

	it('stops at the limit', () => {
		expect(finder.search('3', 2)).toHaveLength(2);
	});
});

describe('building order', () => {
	const b = (id: string, name: string) => ({ id, name });
	it('lists buildings by number, not as text', () => {
		const names = ['10栋', '19栋', '1栋', '20栋', '2栋', '11栋'];
		const sorted = sortBuildings(names.map((n, i) => b(`x${i}`, n))).map((x) => x.name);
		expect(sorted).toEqual(['1栋', '2栋', '10栋', '11栋', '19栋', '20栋']);
	});
	it('handles full-width digits and other naming, unnumbered buildings last, ties by name then id', () => {
		const sorted = sortBuildings([b('east', '东楼'), b('q', '１２号楼'), b('p', '3号楼'), b('z', '3栋'), b('y', '3栋')]).map((x) => x.id);
		expect(sorted).toEqual(['y', 'z', 'p', 'q', 'east']);
		expect(compareBuildings(b('a', '2栋'), b('a', '2栋'))).toBe(0);
	});
	it('orders register building ids as the community lists them, unknown ids after', () => {
		const community = sortBuildings([b('b10', '10栋'), b('b2', '2栋'), b('b1', '1栋')]);
		expect(sortBuildingIds(['b10', 'old-12', 'b1', 'old-3', 'b2', 'b1'], community)).toEqual(['b1', 'b2', 'b10', 'old-3', 'old-12']);
	});
});
