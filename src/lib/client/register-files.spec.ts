/** Register files, real ones: built here as bytes (good, damaged, hostile) and read through the same code as the page. */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { BuildingPlan, Household } from '../domain/household';
import { exportRows, planImport } from '../domain/register-import';
import { FILE_MAX_BYTES, readRegisterFile, RegisterFileError, writeRegisterCsv, writeRegisterXlsx } from './register-files';

const buildings: BuildingPlan[] = [
	{ id: 'b01', grid: 'g1', name: '1栋', units: 2, floors: 6, roomsPerFloor: 2 },
	{ id: 'b02', grid: 'g1', name: '2栋', units: 3, floors: 6, roomsPerFloor: 3 }
];
const register: Household[] = [
	{ id: 'b01-1-101', building: 'b01', unit: 1, room: '101', area: 62.5, members: [{ name: '王秀英', phone: '138****1234', contact: true }], tags: ['elderly_alone'] },
	{ id: 'b02-3-602', building: 'b02', unit: 3, room: '602', area: 118, members: [{ name: '赵春梅' }, { name: '赵小雨', phone: '139 0000 1111' }], tags: [], note: '+夜班' }
];
const opts = { grid: 'g1', buildings, existing: [], onExisting: 'reject' as const };

async function failure(file: Blob, name: string): Promise<RegisterFileError> {
	try {
		await readRegisterFile(file, name);
	} catch (err) {
		expect(err).toBeInstanceOf(RegisterFileError);
		return err as RegisterFileError;
	}
	throw new Error(`${name} was read without an error`);
}

/** A zip of stored (uncompressed) entries; `claimedSize` lies about the unpacked size in the directory. */
function zip(entries: { name: string; data: string; claimedSize?: number }[]): Uint8Array<ArrayBuffer> {
	const enc = new TextEncoder();
	const locals: Uint8Array[] = [];
	const centrals: Uint8Array[] = [];
	let offset = 0;
	for (const e of entries) {
		const name = enc.encode(e.name);
		const data = enc.encode(e.data);
		const crc = crc32(data);
		const local = new Uint8Array(30 + name.length + data.length);
		const lv = new DataView(local.buffer);
		lv.setUint32(0, 0x04034b50, true);
		lv.setUint16(4, 20, true);
		lv.setUint32(14, crc, true);
		lv.setUint32(18, data.length, true);
		lv.setUint32(22, data.length, true);
		lv.setUint16(26, name.length, true);
		local.set(name, 30);
		local.set(data, 30 + name.length);
		const central = new Uint8Array(46 + name.length);
		const cv = new DataView(central.buffer);
		cv.setUint32(0, 0x02014b50, true);
		cv.setUint16(4, 20, true);
		cv.setUint16(6, 20, true);
		cv.setUint32(16, crc, true);
		cv.setUint32(20, data.length, true);
		cv.setUint32(24, e.claimedSize ?? data.length, true);
		cv.setUint16(28, name.length, true);
		cv.setUint32(42, offset, true);
		central.set(name, 46);
		locals.push(local);
		centrals.push(central);
		offset += local.length;
	}
	const cdSize = centrals.reduce((n, c) => n + c.length, 0);
	const eocd = new Uint8Array(22);
	const ev = new DataView(eocd.buffer);
	ev.setUint32(0, 0x06054b50, true);
	ev.setUint16(8, entries.length, true);
	ev.setUint16(10, entries.length, true);
	ev.setUint32(12, cdSize, true);
	ev.setUint32(16, offset, true);
	const out = new Uint8Array(offset + cdSize + 22);
	let p = 0;
	for (const part of [...locals, ...centrals, eocd]) {
		out.set(part, p);
		p += part.length;
	}
	return out;
}

describe('CSV', () => {
	it('round-trips the register through an exported file (UTF-8 with BOM, formula text escaped)', async () => {
		const blob = writeRegisterCsv(exportRows(register, buildings));
		const bytes = new Uint8Array(await blob.arrayBuffer());
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(new TextDecoder().decode(bytes)).toContain("'+夜班");
		const sheet = await readRegisterFile(blob, '住户.csv');
		expect(sheet.format).toBe('csv');
		const plan = planImport(sheet.rows, opts);
		expect(plan.issues).toEqual([]);
		expect(plan.households).toEqual(register);
	});

	it('reads a CSV saved by Excel on Chinese Windows (GB18030) and Excel’s Unicode text (UTF-16, tabs)', async () => {
		const gbk = Uint8Array.from(
			'c2a5b6b02cb5a5d4aa2cb7bfbac52cc3e6bbfda3a8a94fa3a92cb3c9d4b10d0a31b6b02c312c3130312c38302ccdf5d0e3d3a20d0a'.match(/../g)!.map((h) => parseInt(h, 16))
		);
		const sheet = await readRegisterFile(new Blob([gbk]), 'register.csv');
		expect(sheet.rows.slice(0, 2)).toEqual([
			['楼栋', '单元', '房号', '面积（㎡）', '成员'],
			['1栋', '1', '101', '80', '王秀英']
		]);
		const text = '楼栋\t单元\t房号\t面积\r\n2栋\t3\t602\t118\r\n';
		const utf16 = new Uint8Array(2 + text.length * 2);
		utf16.set([0xff, 0xfe]);
		for (let i = 0; i < text.length; i++) new DataView(utf16.buffer).setUint16(2 + i * 2, text.charCodeAt(i), true);
		const tsv = await readRegisterFile(new Blob([utf16]), 'register.txt');
		expect(planImport(tsv.rows, opts).households.map((h) => h.id)).toEqual(['b02-3-602']);
	});

	it('refuses empty, huge, binary and badly quoted files with a reason', async () => {
		expect((await failure(new Blob([]), 'a.csv')).code).toBe('empty');
		expect((await failure(new Blob(['\ufeff \r\n\r\n']), 'a.csv')).code).toBe('empty');
		expect((await failure(new Blob([new Uint8Array(FILE_MAX_BYTES + 1)]), 'a.csv')).code).toBe('too_large');
		expect((await failure(new Blob([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d])]), 'photo.csv')).code).toBe('not_text');
		const quotes = await failure(new Blob(['楼栋,单元,房号,面积\n1栋,1,101,80\n"1栋,1,102,80\n']), 'a.csv');
		expect([quotes.code, quotes.detail]).toEqual(['bad_quotes', '3']);
	});
});

describe('XLSX', () => {
	it('round-trips the register through a workbook, keeping room numbers and phones as text', async () => {
		const blob = await writeRegisterXlsx(exportRows(register, buildings, 'zh', false), '住户登记');
		const sheet = await readRegisterFile(blob, '住户.xlsx');
		expect(sheet).toMatchObject({ format: 'xlsx', sheet: '住户登记' });
		expect(sheet.rows[1]).toEqual(['1栋', 1, '101', 62.5, '王秀英', '王秀英', '138****1234', '独居老人', null, 'b01-1-101']);
		const plan = planImport(sheet.rows, opts);
		expect(plan.issues).toEqual([]);
		expect(plan.households).toEqual(register);
	});

	it('finds the register on a later sheet, and says so when no sheet holds one', async () => {
		const { default: writeXlsxFile } = await import('write-excel-file/universal');
		const rows = exportRows(register, buildings, 'zh', false);
		const twoSheets = await writeXlsxFile([
			{ sheet: '填表说明', data: [['请按下表填写'], ['面积填建筑面积']] },
			{ sheet: '登记表', data: rows }
		]).toBlob();
		const sheet = await readRegisterFile(twoSheets, 'book.xlsx');
		expect(sheet.sheet).toBe('登记表');
		expect(planImport(sheet.rows, opts).households).toHaveLength(2);

		const wrong = await writeXlsxFile([
			{ sheet: '统计', data: [['网格', '户数'], ['第一网格', 77]] },
			{ sheet: 'Sheet2', data: [['备注']] }
		]).toBlob();
		const err = await failure(wrong, 'book.xlsx');
		expect([err.code, err.detail]).toEqual(['no_register_sheet', '统计, Sheet2']);
	});

	it('refuses truncated, corrupt, non-workbook, old-format and zip-bomb files', async () => {
		const good = new Uint8Array(await (await writeRegisterXlsx(exportRows(register, buildings, 'zh', false), 'x')).arrayBuffer());
		expect((await failure(new Blob([good.subarray(0, Math.floor(good.length / 2))]), 'half.xlsx')).code).toBe('truncated');
		expect((await failure(new Blob(['楼栋,单元\n']), 'renamed.xlsx')).code).toBe('not_xlsx');
		expect((await failure(new Blob([zip([{ name: 'word/document.xml', data: '<w/>' }])]), 'a.xlsx')).code).toBe('not_xlsx');
		const bomb = zip([
			{ name: 'xl/workbook.xml', data: '<workbook/>' },
			{ name: 'xl/worksheets/sheet1.xml', data: '<x/>', claimedSize: 0xfffffff0 }
		]);
		expect((await failure(new Blob([bomb]), 'bomb.xlsx')).code).toBe('too_large');
		const ole = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
		expect((await failure(new Blob([ole]), 'old.xls')).code).toBe('xls_not_supported');
		expect((await failure(new Blob([ole]), 'locked.xlsx')).code).toBe('xls_not_supported');
		// A workbook whose XML is garbage (intact zip, nonsense inside).
		const garbage = zip([
			{ name: '[Content_Types].xml', data: '<Types/>' },
			{ name: 'xl/workbook.xml', data: '<<<not xml' },
			{ name: 'xl/_rels/workbook.xml.rels', data: 'nope' }
		]);
		expect(['not_xlsx', 'unreadable']).toContain((await failure(new Blob([garbage]), 'garbage.xlsx')).code);
		// Damage inside the compressed data of a real workbook.
		const damaged = good.slice();
		for (let i = 200; i < 260; i++) damaged[i] = damaged[i]! ^ 0x5a;
		expect(['not_xlsx', 'unreadable']).toContain((await failure(new Blob([damaged]), 'damaged.xlsx')).code);
	});
});
