import { describe, expect, it } from 'vitest';
import type { BuildingPlan, Household } from './household';
import { building, household as registered } from './testing';
import { exportRows, type ImportOptions, normaliseHeader, parseArea, parseUnit, planImport, type Row } from './register-import';

const buildings: BuildingPlan[] = [building('b01', 'g1', { units: 2 }), building('b02', 'g1', { units: 3, roomsPerFloor: 3 }), building('b07', 'g2', { units: 2 })];
const opts = (over: Partial<ImportOptions> = {}): ImportOptions => ({ grid: 'g1', buildings, existing: [], onExisting: 'reject', ...over });
const HEADER: Row = ['楼栋', '单元', '房号', '面积（㎡）', '成员', '联系人', '联系电话', '标签', '备注'];

const household = (over: Partial<Household> & Pick<Household, 'id' | 'building' | 'unit' | 'room'>): Household => registered(over.id, over);

describe('cell parsing', () => {
	it('reads headers in Chinese or English, with units and markers', () => {
		expect(normaliseHeader('面积（㎡）*')).toBe('面积');
		expect(normaliseHeader(' Room No. ')).toBe('roomno');
		expect(normaliseHeader('Area (m²)')).toBe('area');
	});

	it('reads units and areas as people write them', () => {
		expect([parseUnit('2'), parseUnit('2单元'), parseUnit('二单元'), parseUnit('十二'), parseUnit(3), parseUnit('２')]).toEqual([2, 2, 2, 12, 3, 2]);
		expect([parseUnit('2.5'), parseUnit(1.5), parseUnit('A'), parseUnit('')].every(Number.isNaN)).toBe(true);
		expect([parseArea('89.5'), parseArea('89.5㎡'), parseArea('90平方米'), parseArea(75.456), parseArea('１００')]).toEqual([89.5, 89.5, 90, 75.46, 100]);
		expect([parseArea('约90'), parseArea('90,5'), parseArea('')].every(Number.isNaN)).toBe(true);
	});
});

describe('planImport', () => {
	it('imports a clean sheet, with a title row above the header', () => {
		const plan = planImport(
			[
				['锦绣里社区第一网格住户登记表'],
				HEADER,
				['1栋', '1', '302室', '89.5', '王秀英、李建国(139 0000 1111)', '王秀英', '138****1234', '独居老人、党员', '腿脚不便'],
				[],
				[1, 2, 101, 62, '', '', '', '', ''],
				['b02', '三单元', '601', '120平米', '赵春梅', '', '', 'volunteer', '']
			],
			opts()
		);
		expect(plan.issues).toEqual([]);
		expect(plan).toMatchObject({ ok: true, added: 3, updated: 0, rows: 3, headerRow: 2, ignoredColumns: [] });
		expect(plan.households[0]).toEqual({
			id: 'b01-1-302',
			building: 'b01',
			unit: 1,
			room: '302',
			area: 89.5,
			members: [
				{ name: '王秀英', contact: true, phone: '138****1234' },
				{ name: '李建国', phone: '139 0000 1111' }
			],
			tags: ['elderly_alone', 'party_member'],
			note: '腿脚不便'
		});
		expect(plan.households.map((h) => h.id)).toEqual(['b01-1-302', 'b01-2-101', 'b02-3-601']);
	});

	it('takes tags as yes/no columns and English headers, and lists columns it does not know', () => {
		const plan = planImport(
			[
				['Building', 'Unit', 'Room', 'Area', 'Contact', 'Phone', 'Party member', '独居老人', 'Shoe size'],
				['2栋', 1, '201', 70, '孙丽', '13900001111', '是', '', '42']
			],
			opts()
		);
		expect(plan.ok).toBe(true);
		expect(plan.ignoredColumns).toEqual(['Shoe size']);
		expect(plan.households[0]).toMatchObject({ tags: ['party_member'], members: [{ name: '孙丽', contact: true, phone: '13900001111' }] });
	});

	it('reports every bad row with its row number, column and problem, and imports nothing', () => {
		const plan = planImport(
			[
				HEADER,
				['1栋', '1', '101', '80', '甲', '', '', '', ''],
				['9栋', '1', '102', '80', '', '', '', '', ''],
				['7栋', '1', '101', '80', '', '', '', '', ''],
				['1栋', '5', '102', '80', '', '', '', '', ''],
				['1栋', '一楼', '901', '八十', '', '', '', '', ''],
				['1栋', '2', '3-02', '', '', '', '', '', ''],
				['1栋', '2', '201', '5000', '', '', '', '贫困户', ''],
				['1栋', '2', '202', '70', '乙、乙', '', 'call me', '', ''],
				['1栋', '1', '101', '80', '丙', '', '', '', ''],
				['1栋', '1', '', '80', '', '', '13800000000', '', '']
			],
			opts()
		);
		expect(plan.ok).toBe(false);
		expect(plan.households).toEqual([]);
		expect(plan.added).toBe(0);
		const lines = plan.issues.map((i) => `${i.row} ${i.column} ${i.code}`);
		expect(lines).toEqual([
			'3 楼栋 unknown_building',
			'4 楼栋 other_grid',
			'5 单元 unit_out_of_range',
			'6 单元 unit_invalid',
			'6 面积（㎡） not_a_number',
			'6 房号 floor_out_of_range',
			'7 面积（㎡） required',
			'7 房号 room_invalid',
			'8 标签 unknown_tag',
			'8 面积（㎡） area_out_of_range',
			'9 联系电话 phone_invalid',
			'9 成员 duplicate_member',
			'10  duplicate_in_file',
			'11 联系电话 phone_without_person',
			'11 房号 required'
		]);
		expect(plan.issues.find((i) => i.code === 'duplicate_in_file')?.params).toEqual({ first: 2, id: 'b01-1-101' });
		expect(plan.issues.find((i) => i.code === 'unknown_tag')?.params).toEqual({ value: '贫困户' });
		expect(plan.issues.find((i) => i.code === 'floor_out_of_range')?.params).toEqual({ max: 6 });
	});

	it('rejects a file without the columns it needs, or without rows, or with too many', () => {
		expect(planImport([], opts()).issues.map((i) => i.code)).toEqual(['no_header']);
		expect(planImport([['姓名', '电话'], ['甲', '1']], opts()).issues.map((i) => i.code)).toEqual(['no_header']);
		const missing = planImport([['楼栋', '单元', '姓名'], ['1栋', 1, '甲']], opts());
		expect(missing.issues.map((i) => [i.code, i.params.field])).toEqual([
			['missing_column', 'room'],
			['missing_column', 'area']
		]);
		expect(planImport([HEADER, [], ['']], opts()).issues.map((i) => i.code)).toEqual(['no_rows']);
		const twice = planImport([[...HEADER, '房间号'], ['1栋', 1, '101', 80]], opts());
		expect(twice.issues).toEqual([{ row: 1, column: '房间号', code: 'duplicate_column', params: {} }]);
		const many = planImport([HEADER, ...Array.from({ length: 4 }, (_, i) => ['1栋', 1, `10${i + 1}`, 80])], opts({ maxRows: 3 }));
		expect(many.issues.map((i) => [i.code, i.params.count])).toEqual([['too_many_rows', 4]]);
	});

	it('refuses households already registered unless told to update, and then overwrites only the file’s columns', () => {
		const existing = [
			household({ id: 'b01-1-101', building: 'b01', unit: 1, room: '101', area: 80, members: [{ name: '甲', contact: true }], tags: ['volunteer'], note: '老住户' }),
			household({ id: 'b01-1-102', building: 'b01', unit: 1, room: '102', area: 75 })
		];
		const sheet: Row[] = [
			['楼栋', '单元', '房号', '面积'],
			['1栋', 1, '101', 82.5],
			['1栋', 1, '102', 75],
			['1栋', 1, '201', 60]
		];
		const rejected = planImport(sheet, opts({ existing }));
		expect(rejected.ok).toBe(false);
		expect(rejected.issues.map((i) => `${i.row} ${i.code} ${i.params.id}`)).toEqual(['2 exists_in_register b01-1-101', '3 exists_in_register b01-1-102']);

		const updated = planImport(sheet, opts({ existing, onExisting: 'update' }));
		expect(updated).toMatchObject({ ok: true, added: 1, updated: 1, unchanged: 1 });
		expect(updated.households.find((h) => h.id === 'b01-1-101')).toEqual({ ...existing[0], area: 82.5 });
	});

	it('exports rows that import back unchanged, escaping formula-like text', () => {
		const list = [
			household({
				id: 'b02-2-301',
				building: 'b02',
				unit: 2,
				room: '301',
				area: 95.5,
				members: [{ name: '赵春梅', phone: '+86 138 0000 1111', contact: true }, { name: '赵小雨', phone: '139****0000' }],
				tags: ['children', 'renter'],
				note: '-夜班'
			}),
			household({ id: 'b02-1-101', building: 'b02', unit: 1, room: '101', area: 70, members: [{ name: '=HYPERLINK("x")' }] }),
			household({ id: 'b01-1-101', building: 'b01', unit: 1, room: '101', area: 60 })
		];
		const rows = exportRows(list, buildings);
		expect(rows).toEqual([
			['楼栋', '单元', '房号', '面积（㎡）', '成员', '联系人', '联系电话', '标签', '备注', '户编号'],
			['1栋', 1, '101', 60, '', '', '', '', '', 'b01-1-101'],
			['2栋', 1, '101', 70, `'=HYPERLINK("x")`, '', '', '', '', 'b02-1-101'],
			// The contact's phone has its own column; other members' are in brackets after their names.
			['2栋', 2, '301', 95.5, '赵春梅、赵小雨(139****0000)', '赵春梅', "'+86 138 0000 1111", '有儿童、租户', "'-夜班", 'b02-2-301']
		]);
		const en = exportRows(list, buildings, 'en');
		expect(en[0]![0]).toBe('Building');
		expect(en[3]![7]).toBe('children, renter');
		for (const sheet of [rows, en]) {
			const back = planImport(sheet, opts({ existing: list, onExisting: 'update' }));
			expect(back.issues).toEqual([]);
			expect(back).toMatchObject({ ok: true, added: 0, updated: 0, unchanged: 3 });
			const fresh = planImport(sheet, opts());
			expect(fresh.households).toEqual([list[2], list[1], list[0]]);
		}
	});
});
