/**
 * Household register import and export as a table (CSV or XLSX rows). An import is planned first: every bad
 * row is reported with its spreadsheet row number, the column as written in the file, and what is wrong; the
 * plan carries households only when there is not a single problem, so nothing is ever half-imported.
 *
 * Columns are recognised by their Chinese or English header, in any order, with units and required-markers
 * ignored ("面积（㎡）*" is the area). A title row above the header is allowed. A household already in the
 * register is an error unless the import is told to update, and then only the columns present in the file
 * overwrite it. Export writes the same columns, so an exported file imports back unchanged.
 */
import {
	type BuildingPlan,
	buildingNumber,
	type Household,
	type HouseholdIssue,
	type HouseholdTag,
	HOUSEHOLD_TAGS,
	householdId,
	type Member,
	normalisePhone,
	normaliseRoom,
	toHalfWidth,
	validateHousehold
} from './household';

export type Cell = string | number | boolean | Date | null | undefined;
export type Row = readonly Cell[];

export type ColumnField = 'id' | 'building' | 'unit' | 'room' | 'area' | 'members' | 'contact' | 'phone' | 'tags' | 'note' | `tag:${HouseholdTag}`;
const REQUIRED: readonly ColumnField[] = ['building', 'unit', 'room', 'area'];

/** Labels of each tag as written in files (the first of each language is what export writes). */
export const TAG_LABELS: Readonly<Record<HouseholdTag, { zh: string[]; en: string[] }>> = {
	elderly_alone: { zh: ['独居老人', '独居'], en: ['elderly living alone', 'lives alone'] },
	children: { zh: ['有儿童', '儿童', '有未成年人'], en: ['children'] },
	party_member: { zh: ['党员'], en: ['party member'] },
	volunteer: { zh: ['志愿者'], en: ['volunteer'] },
	contact_person: { zh: ['楼栋联络人', '联络员', '楼栋长'], en: ['building contact'] },
	disabled: { zh: ['残障人士', '残疾人', '残障', '残疾'], en: ['disability', 'disabled'] },
	renter: { zh: ['租户', '租住'], en: ['renter', 'tenant'] }
};

const ALIASES: Readonly<Record<Exclude<ColumnField, `tag:${string}`>, string[]>> = {
	id: ['户编号', '住户编号', '编号', 'id', 'householdid'],
	building: ['楼栋', '楼号', '楼栋号', '栋', '楼', '楼宇', '栋号', 'building', 'bldg'],
	unit: ['单元', '单元号', 'unit'],
	room: ['房号', '房间号', '门牌号', '室', '户号', '房号室', 'room', 'roomno', 'roomnumber', 'flat'],
	area: ['面积', '建筑面积', '房屋面积', '住房面积', '套内面积', 'area', 'floorarea'],
	members: ['成员', '家庭成员', '住户成员', '居住人员', '人员', '姓名', 'members', 'residents', 'householdmembers', 'names'],
	contact: ['联系人', '户主', 'contact', 'contactperson', 'headofhousehold'],
	phone: ['联系电话', '电话', '手机', '手机号', '手机号码', '联系方式', 'phone', 'mobile', 'tel', 'telephone'],
	tags: ['标签', '户情况', '人员类别', '类别', '特殊情况', 'tags', 'labels'],
	note: ['备注', '说明', 'note', 'notes', 'remarks']
};

/** Export headers, in column order. */
const EXPORT_COLUMNS: readonly Exclude<ColumnField, `tag:${string}`>[] = ['building', 'unit', 'room', 'area', 'members', 'contact', 'phone', 'tags', 'note', 'id'];
const EXPORT_HEADERS: Readonly<Record<'zh' | 'en', Record<(typeof EXPORT_COLUMNS)[number], string>>> = {
	zh: { building: '楼栋', unit: '单元', room: '房号', area: '面积（㎡）', members: '成员', contact: '联系人', phone: '联系电话', tags: '标签', note: '备注', id: '户编号' },
	en: { building: 'Building', unit: 'Unit', room: 'Room', area: 'Area (m²)', members: 'Members', contact: 'Contact', phone: 'Phone', tags: 'Tags', note: 'Note', id: 'Household ID' }
};

export const IMPORT_MAX_ROWS = 5000;
const HEADER_SEARCH_ROWS = 10;

/** "面积（㎡）*" → "面积"; "Room No." → "roomno". */
export function normaliseHeader(raw: Cell): string {
	return toHalfWidth(cellText(raw))
		.toLowerCase()
		.replace(/\([^)]*\)|\[[^\]]*\]|（[^）]*）|【[^】]*】/g, '')
		.replace(/[\s*:：._\-/#]+/g, '')
		.replace(/[㎡²]|m2$/g, '');
}

const HEADER_INDEX: ReadonlyMap<string, ColumnField> = (() => {
	const m = new Map<string, ColumnField>();
	for (const [field, names] of Object.entries(ALIASES)) for (const n of names) m.set(normaliseHeader(n), field as ColumnField);
	for (const tag of HOUSEHOLD_TAGS) {
		for (const n of [...TAG_LABELS[tag].zh, ...TAG_LABELS[tag].en, tag]) {
			const key = normaliseHeader(n);
			if (!m.has(key)) m.set(key, `tag:${tag}`);
		}
	}
	return m;
})();

const TAG_INDEX: ReadonlyMap<string, HouseholdTag> = (() => {
	const m = new Map<string, HouseholdTag>();
	for (const tag of HOUSEHOLD_TAGS) for (const n of [tag, ...TAG_LABELS[tag].zh, ...TAG_LABELS[tag].en]) m.set(normaliseHeader(n), tag);
	return m;
})();

export type IssueCode =
	// The file as a whole
	| 'no_header'
	| 'missing_column'
	| 'duplicate_column'
	| 'no_rows'
	| 'too_many_rows'
	// A cell
	| 'required'
	| 'not_a_number'
	| 'unknown_building'
	| 'ambiguous_building'
	| 'other_grid'
	| 'unit_invalid'
	| 'unit_out_of_range'
	| 'room_invalid'
	| 'floor_out_of_range'
	| 'area_out_of_range'
	| 'name_too_long'
	| 'duplicate_member'
	| 'too_many_members'
	| 'phone_invalid'
	| 'phone_without_person'
	| 'unknown_tag'
	| 'not_yes_no'
	| 'note_too_long'
	| 'id_mismatch'
	// A row
	| 'duplicate_in_file'
	| 'exists_in_register';

export interface ImportIssue {
	/** Spreadsheet row number (the first row of the file is 1). */
	row: number;
	/** The column's header as written in the file; '' when the issue is about the file or the whole row. */
	column: string;
	code: IssueCode;
	params: Record<string, string | number>;
}

export interface ImportOptions {
	grid: string;
	buildings: readonly BuildingPlan[];
	/** The grid's register as it is now. */
	existing: readonly Household[];
	/** 'reject': a household already registered is an error; 'update': the file's columns overwrite it. */
	onExisting: 'reject' | 'update';
	maxRows?: number;
}

export interface ImportPlan {
	/** True only when there is nothing in `issues`. */
	ok: boolean;
	issues: ImportIssue[];
	/** What to write, when ok: new households and changed existing ones; empty otherwise. */
	households: Household[];
	added: number;
	updated: number;
	/** Rows equal to what the register already holds (not written). */
	unchanged: number;
	/** Data rows read (blank rows skipped). */
	rows: number;
	headerRow: number;
	/** Headers not recognised, left out of the import. */
	ignoredColumns: string[];
}

export function cellText(c: Cell): string {
	if (c === null || c === undefined) return '';
	if (c instanceof Date) return c.toISOString().slice(0, 10);
	let s = String(c).trim();
	// Export escapes formula-like text with a leading apostrophe (see exportRows).
	if (/^'[=+\-@]/.test(s)) s = s.slice(1);
	return s;
}

interface HeaderMap {
	row: number;
	columns: (ColumnField | null)[];
	headers: string[];
}

function mapHeader(cells: Row, index: number): HeaderMap {
	return {
		row: index + 1,
		columns: cells.map((c) => HEADER_INDEX.get(normaliseHeader(c)) ?? null),
		headers: cells.map(cellText)
	};
}

/** Whether a sheet has a register header in its top rows (to pick the right sheet of a workbook). */
export function hasRegisterHeader(sheet: readonly Row[]): boolean {
	return findHeader(sheet) !== null;
}

/** The first of the top rows that names at least two required columns (a title row may come first). */
function findHeader(sheet: readonly Row[]): HeaderMap | null {
	for (let i = 0; i < Math.min(sheet.length, HEADER_SEARCH_ROWS); i++) {
		const h = mapHeader(sheet[i] ?? [], i);
		if (REQUIRED.filter((f) => h.columns.includes(f)).length >= 2) return h;
	}
	return null;
}

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "3", "3单元", "三单元", "十二" → integer; NaN otherwise. */
export function parseUnit(c: Cell): number {
	if (typeof c === 'number') return Number.isInteger(c) ? c : NaN;
	const s = toHalfWidth(cellText(c)).replace(/(单元|unit)/i, '').trim();
	if (/^\d+$/.test(s)) return Number(s);
	const m = /^([一二两三四五六七八九]?)(十?)([一二三四五六七八九]?)$/.exec(s);
	if (!m || !s) return NaN;
	if (!m[2]) return m[1] && !m[3] ? (CN_DIGITS[m[1]] ?? NaN) : NaN;
	return (m[1] ? (CN_DIGITS[m[1]] ?? 0) : 1) * 10 + (m[3] ? (CN_DIGITS[m[3]] ?? 0) : 0);
}

/** "89.5", "89.5㎡", "89.5平方米", 89.5 → 89.5 (two decimals); NaN otherwise. */
export function parseArea(c: Cell): number {
	if (typeof c === 'number') return Number.isFinite(c) ? Math.round(c * 100) / 100 : NaN;
	const s = toHalfWidth(cellText(c)).toLowerCase();
	const m = /^(\d+(?:\.\d+)?)\s*(㎡|m²|m2|平方米|平米|平)?$/.exec(s);
	return m ? Math.round(Number(m[1]) * 100) / 100 : NaN;
}

const YES = new Set(['是', '有', '√', '✓', '✔', 'y', 'yes', 'true', '1', 'x', '●']);
const NO = new Set(['', '否', '无', '没有', 'n', 'no', 'false', '0', '-', '×']);

function parseYesNo(c: Cell): boolean | null {
	if (typeof c === 'boolean') return c;
	const s = toHalfWidth(cellText(c)).toLowerCase();
	if (YES.has(s)) return true;
	if (NO.has(s)) return false;
	return null;
}

const LIST_SEPARATORS = /[、,，;；\n]+/;

/** "王秀英(138****1234)、李建国" → members; a number in brackets is the phone of the name before it. */
function parseMembers(s: string): Member[] {
	return s
		.split(LIST_SEPARATORS)
		.map((part) => part.trim())
		.filter(Boolean)
		.map((part) => {
			const m = /^(.*?)\s*[(（]\s*([^)）]*)\s*[)）]$/.exec(part);
			// Brackets without digits are part of the name ("王秀英(母亲)"), not a phone.
			if (!m || !/\d/.test(m[2] ?? '')) return { name: part };
			const phone = normalisePhone(m[2] ?? '');
			return phone ? { name: (m[1] ?? '').trim(), phone } : { name: (m[1] ?? '').trim() };
		});
}

interface Ctx extends ImportOptions {
	header: HeaderMap;
}

type Resolved = { id: string; issue?: undefined } | { id?: undefined; issue: { code: IssueCode; params: Record<string, string> } };

function resolveBuilding(c: Cell, opts: ImportOptions): Resolved {
	const raw = toHalfWidth(cellText(c));
	if (!raw) return { issue: { code: 'required', params: {} } };
	const value = { value: raw };
	let found = opts.buildings.filter((b) => b.id === raw || toHalfWidth(b.name) === raw);
	if (found.length === 0) {
		const n = /^\d+$/.test(raw) || /^\d+\s*(栋|幢|号楼|号)$/.test(raw) ? Number(/\d+/.exec(raw)?.[0]) : NaN;
		if (!Number.isNaN(n)) found = opts.buildings.filter((b) => buildingNumber(b) === n);
	}
	if (found.length === 0) return { issue: { code: 'unknown_building', params: value } };
	const own = found.filter((b) => b.grid === opts.grid);
	if (own.length === 0) return { issue: { code: 'other_grid', params: value } };
	if (own.length > 1) return { issue: { code: 'ambiguous_building', params: value } };
	return { id: own[0]!.id };
}

/** Which column a domain issue belongs to, and its code in the import's vocabulary. */
function fromDomain(i: HouseholdIssue): { field: ColumnField; code: IssueCode; params: Record<string, string | number> } | null {
	switch (i.field) {
		case 'building':
			return null; // resolved (with a better message) before validation
		case 'unit':
			return { field: 'unit', code: i.code === 'invalid' ? 'unit_invalid' : 'unit_out_of_range', params: { max: i.max } };
		case 'room':
			if (i.code === 'floor_out_of_range') return { field: 'room', code: 'floor_out_of_range', params: { max: i.max } };
			return { field: 'room', code: i.code === 'required' ? 'required' : 'room_invalid', params: {} };
		case 'area':
			return { field: 'area', code: i.code === 'required' ? 'required' : 'area_out_of_range', params: { min: i.min, max: i.max } };
		case 'members':
			if (i.code === 'too_many') return { field: 'members', code: 'too_many_members', params: { max: i.max } };
			if (i.code === 'name_too_long') return { field: 'members', code: 'name_too_long', params: { name: i.name } };
			if (i.code === 'duplicate_name') return { field: 'members', code: 'duplicate_member', params: { name: i.name } };
			return null; // empty names are dropped while parsing
		case 'phone':
			return { field: 'phone', code: 'phone_invalid', params: { value: i.value } };
		case 'tags':
			return { field: 'tags', code: 'unknown_tag', params: { value: i.value } };
		case 'note':
			return { field: 'note', code: 'note_too_long', params: { max: i.max } };
		case 'id':
			return null; // ids are computed here; a mismatching id column is reported while parsing
	}
}

interface ParsedRow {
	household: Household | null;
	present: Set<ColumnField>;
	issues: ImportIssue[];
}

function parseRow(cells: Row, rowNo: number, ctx: Ctx): ParsedRow {
	const issues: ImportIssue[] = [];
	const columnOf = (f: ColumnField) => ctx.header.headers[ctx.header.columns.indexOf(f)] ?? '';
	const cellOf = (f: ColumnField): Cell => {
		const i = ctx.header.columns.indexOf(f);
		return i < 0 ? null : cells[i];
	};
	const add = (f: ColumnField | '', code: IssueCode, params: Record<string, string | number> = {}) =>
		issues.push({ row: rowNo, column: f ? columnOf(f) : '', code, params });
	const present = new Set(ctx.header.columns.filter((c): c is ColumnField => c !== null));

	const building = resolveBuilding(cellOf('building'), ctx);
	if (building.issue) add('building', building.issue.code, building.issue.params);

	const unitCell = cellOf('unit');
	const unit = parseUnit(unitCell);
	if (cellText(unitCell) === '') add('unit', 'required');
	else if (Number.isNaN(unit)) add('unit', 'unit_invalid', { value: cellText(unitCell) });

	const room = normaliseRoom(cellText(cellOf('room')));

	const areaCell = cellOf('area');
	const area = parseArea(areaCell);
	if (cellText(areaCell) === '') add('area', 'required');
	else if (Number.isNaN(area)) add('area', 'not_a_number', { value: cellText(areaCell) });

	const members = parseMembers(cellText(cellOf('members')));
	const contactName = cellText(cellOf('contact'));
	if (contactName) {
		const m = members.find((x) => x.name === contactName);
		if (m) m.contact = true;
		else members.unshift({ name: contactName, contact: true });
	}
	const phone = normalisePhone(cellText(cellOf('phone')));
	if (phone) {
		const target = members.find((m) => m.contact) ?? members[0];
		if (!target) add('phone', 'phone_without_person');
		else target.phone = phone;
	}

	const tags = new Set<HouseholdTag>();
	for (const part of cellText(cellOf('tags')).split(/[、,，;；/\n]+/)) {
		const key = normaliseHeader(part);
		if (!key) continue;
		const tag = TAG_INDEX.get(key);
		if (tag) tags.add(tag);
		else add('tags', 'unknown_tag', { value: part.trim() });
	}
	for (const tag of HOUSEHOLD_TAGS) {
		const f: ColumnField = `tag:${tag}`;
		if (!present.has(f)) continue;
		const yes = parseYesNo(cellOf(f));
		if (yes === null) add(f, 'not_yes_no', { value: cellText(cellOf(f)) });
		else if (yes) tags.add(tag);
	}
	const note = cellText(cellOf('note'));

	const buildingId = building.id ?? '';
	const id = householdId(buildingId, unit, room);
	const idCell = cellText(cellOf('id'));
	if (idCell && building.id && !Number.isNaN(unit) && room && idCell !== id) add('id', 'id_mismatch', { value: idCell, expected: id });

	const household: Household = {
		id,
		building: buildingId,
		unit,
		room,
		area: Number.isNaN(area) ? 0 : area,
		members,
		tags: HOUSEHOLD_TAGS.filter((t) => tags.has(t)),
		...(note ? { note } : {})
	};
	const reported = new Set(issues.map((i) => i.column));
	for (const d of validateHousehold(household, ctx)) {
		const mapped = fromDomain(d);
		if (!mapped) continue;
		// One message per cell: a cell that failed to parse is not also reported as out of range.
		if ((mapped.field === 'unit' || mapped.field === 'area') && reported.has(columnOf(mapped.field))) continue;
		if (mapped.field === 'room' && !building.id && mapped.code === 'floor_out_of_range') continue;
		add(mapped.field, mapped.code, mapped.params);
	}
	return { household: issues.length === 0 ? household : null, present, issues };
}

const isBlank = (row: Row | undefined) => !row || row.every((c) => cellText(c) === '');

/** Merges an imported row into the registered household: only the file's columns overwrite. */
function merge(old: Household, row: Household, present: Set<ColumnField>): Household {
	const hasPeople = present.has('members') || present.has('contact') || present.has('phone');
	const hasTags = present.has('tags') || HOUSEHOLD_TAGS.some((t) => present.has(`tag:${t}`));
	return {
		...old,
		area: row.area,
		members: hasPeople ? row.members : old.members,
		tags: hasTags ? row.tags : old.tags,
		...(present.has('note') ? { note: row.note } : {})
	};
}

const people = (h: Household) => JSON.stringify(h.members.map((m) => [m.name, m.phone ?? '', !!m.contact]));
const same = (a: Household, b: Household) =>
	a.area === b.area && (a.note ?? '') === (b.note ?? '') && a.tags.join() === b.tags.join() && people(a) === people(b);

export function planImport(sheet: readonly Row[], opts: ImportOptions): ImportPlan {
	const maxRows = opts.maxRows ?? IMPORT_MAX_ROWS;
	const fail = (issues: ImportIssue[], extra: Partial<ImportPlan> = {}): ImportPlan => ({
		ok: false,
		issues,
		households: [],
		added: 0,
		updated: 0,
		unchanged: 0,
		rows: 0,
		headerRow: 0,
		ignoredColumns: [],
		...extra
	});
	const header = findHeader(sheet);
	if (!header) return fail([{ row: 1, column: '', code: 'no_header', params: {} }]);

	const fileIssues: ImportIssue[] = [];
	for (const f of REQUIRED) {
		if (!header.columns.includes(f)) fileIssues.push({ row: header.row, column: '', code: 'missing_column', params: { field: f } });
	}
	header.columns.forEach((f, i) => {
		if (f && header.columns.indexOf(f) !== i) fileIssues.push({ row: header.row, column: header.headers[i] ?? '', code: 'duplicate_column', params: {} });
	});
	const ignoredColumns = header.columns.flatMap((f, i) => (f === null && header.headers[i] ? [header.headers[i]!] : []));
	const dataRows: { cells: Row; rowNo: number }[] = [];
	for (let i = header.row; i < sheet.length; i++) if (!isBlank(sheet[i])) dataRows.push({ cells: sheet[i]!, rowNo: i + 1 });
	if (dataRows.length > maxRows) fileIssues.push({ row: header.row, column: '', code: 'too_many_rows', params: { max: maxRows, count: dataRows.length } });
	if (dataRows.length === 0) fileIssues.push({ row: header.row, column: '', code: 'no_rows', params: {} });
	const base = { rows: dataRows.length, headerRow: header.row, ignoredColumns };
	if (fileIssues.length > 0) return fail(fileIssues, base);

	const ctx: Ctx = { ...opts, header };
	const existing = new Map(opts.existing.map((h) => [h.id, h]));
	const firstRowOf = new Map<string, number>();
	const issues: ImportIssue[] = [];
	const out: Household[] = [];
	let added = 0;
	let updated = 0;
	let unchanged = 0;
	for (const { cells, rowNo } of dataRows) {
		const parsed = parseRow(cells, rowNo, ctx);
		issues.push(...parsed.issues);
		const h = parsed.household;
		if (!h) continue;
		const first = firstRowOf.get(h.id);
		if (first !== undefined) {
			issues.push({ row: rowNo, column: '', code: 'duplicate_in_file', params: { first, id: h.id } });
			continue;
		}
		firstRowOf.set(h.id, rowNo);
		const old = existing.get(h.id);
		if (!old) {
			added++;
			out.push(h);
		} else if (opts.onExisting === 'reject') {
			issues.push({ row: rowNo, column: '', code: 'exists_in_register', params: { id: h.id } });
		} else {
			const next = merge(old, h, parsed.present);
			if (same(next, old)) unchanged++;
			else {
				updated++;
				out.push(next);
			}
		}
	}
	if (issues.length > 0) return fail(issues, base);
	return { ok: true, issues: [], households: out, added, updated, unchanged, ...base };
}

// ---------------------------------------------------------------------------------------------------------
// Export

/** A spreadsheet application runs text starting with = + - @ as a formula; such text is written quoted. */
function escapeFormula(s: string): string {
	return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/**
 * The register as rows (header first) in the import's own format, sorted by building, unit and room.
 * `escapeFormulas` is for CSV, where a spreadsheet evaluates text; an XLSX cell typed as text needs none.
 */
export function exportRows(
	households: readonly Household[],
	buildings: readonly BuildingPlan[],
	lang: 'zh' | 'en' = 'zh',
	escapeFormulas = true
): (string | number)[][] {
	const safeText = escapeFormulas ? escapeFormula : (s: string) => s;
	const order = new Map(buildings.map((b, i) => [b.id, i]));
	const name = new Map(buildings.map((b) => [b.id, b.name]));
	const rooms = new Intl.Collator('en', { numeric: true });
	const sorted = [...households].sort(
		(a, b) =>
			(order.get(a.building) ?? 1e9) - (order.get(b.building) ?? 1e9) ||
			rooms.compare(a.building, b.building) ||
			a.unit - b.unit ||
			rooms.compare(a.room, b.room)
	);
	const sep = lang === 'zh' ? '、' : ', ';
	const rows: (string | number)[][] = [EXPORT_COLUMNS.map((c) => EXPORT_HEADERS[lang][c])];
	for (const h of sorted) {
		const contact = h.members.find((m) => m.contact);
		// The contact's phone has its own column; every other member's phone goes in brackets after the name.
		const members = h.members.map((m) => (m !== contact && m.phone ? `${m.name}(${m.phone})` : m.name)).join(sep);
		const values: Record<(typeof EXPORT_COLUMNS)[number], string | number> = {
			building: name.get(h.building) ?? h.building,
			unit: h.unit,
			room: h.room,
			area: h.area,
			members: safeText(members),
			contact: safeText(contact?.name ?? ''),
			phone: safeText(contact?.phone ?? ''),
			tags: h.tags.map((t) => TAG_LABELS[t][lang][0]).join(sep),
			note: safeText(h.note ?? ''),
			id: h.id
		};
		rows.push(EXPORT_COLUMNS.map((c) => values[c]));
	}
	return rows;
}
