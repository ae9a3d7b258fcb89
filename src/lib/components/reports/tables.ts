/**
 * The report's tables as data, and their CSV and XLSX files (pure; Node-testable). The figures table has one
 * row per figure value of the data dictionary (breakdowns one row per key, from figureRows) and one value
 * column per scope; the dictionary table defines every figure in it. Pages render the same tables, exports
 * write them, so what is shown and what is exported cannot drift apart.
 *
 * CSV is UTF-8 with a byte-order mark and CRLF (Excel on Chinese Windows needs both). The CSV and XLSX writers
 * are imported only when a file is written, so the pages that render these tables do not load them.
 */
import '$lib/i18n/messages/reports';
import { FIGURES, figureRows, type FigureDef, type FigureLevel, type FigureUnit } from '$lib/domain/report-dictionary';
import { t } from '$lib/i18n';
import { dictionaryNotes, figureDefinition, figureName, levelName, percent, unitName } from './format';
import { keyLabel } from './keys';
import type { Column } from './view';

export interface FigureTableRow {
	def: FigureDef;
	/** Breakdown key; undefined for a plain figure. '' is a real key (e.g. no channel recorded). */
	key?: string;
	/** Name of the key, in the reader's language. */
	keyName?: string;
	/**
	 * One value per column; null when the column has no report, the figure is empty (a rate over 0) or does not
	 * exist at the column's level (money in a grid column).
	 */
	values: (number | null)[];
}

export interface FiguresTable {
	columns: { id: string; name: string }[];
	rows: FigureTableRow[];
}

/**
 * Every figure of the dictionary that exists at `level` (only the public ones when `publicOnly`), each with a
 * value per column. A breakdown takes the keys of every column, in the order they first appear; a breakdown
 * with no key anywhere (nothing cited) still has one row, so every defined figure is in the table.
 */
export function figuresTable(columns: readonly Column[], opts: { level: FigureLevel; publicOnly?: boolean }): FiguresTable {
	const perColumn = columns.map((c) => {
		const byRow = new Map<string, number | null>();
		if (c.figures) for (const r of figureRows(c.figures, opts)) byRow.set(r.key === undefined ? r.id : `${r.id}\u0000${r.key}`, r.value);
		return byRow;
	});
	const rows: FigureTableRow[] = [];
	const has = (i: number, def: FigureDef) => !!columns[i]!.figures && (!columns[i]!.level || def.levels.includes(columns[i]!.level!));
	for (const def of FIGURES) {
		if (!def.levels.includes(opts.level)) continue;
		if (opts.publicOnly && (!def.public || opts.level === 'grid')) continue;
		if (def.unit !== 'breakdown') {
			rows.push({ def, values: perColumn.map((m, i) => (has(i, def) ? (m.get(def.id) ?? null) : null)) });
			continue;
		}
		const keys: string[] = [];
		for (const m of perColumn) {
			for (const k of m.keys()) {
				const sep = k.indexOf('\u0000');
				if (sep >= 0 && k.slice(0, sep) === def.id && !keys.includes(k.slice(sep + 1))) keys.push(k.slice(sep + 1));
			}
		}
		if (keys.length === 0) {
			rows.push({ def, key: undefined, keyName: t('reports.empty'), values: columns.map((_, i) => (has(i, def) ? 0 : null)) });
			continue;
		}
		for (const key of keys) {
			rows.push({ def, key, keyName: keyLabel(def.id, key), values: perColumn.map((m, i) => (has(i, def) ? (m.get(`${def.id}\u0000${key}`) ?? 0) : null)) });
		}
	}
	return { columns: columns.map((c) => ({ id: c.id, name: c.name })), rows };
}

export type Cell = string | number | null;

/** A value as a spreadsheet cell: numbers stay numbers; rates become '62.5%' in CSV (Excel reads it as 0.625). */
function cellOf(unit: FigureUnit, v: number | null, format: 'csv' | 'xlsx'): Cell {
	if (v === null) return null;
	if (unit === 'rate' && format === 'csv') return percent(v);
	return v;
}

/** The figures table as rows of cells, header first: id, name, item, item name, one value per column. */
export function figuresGrid(table: FiguresTable, format: 'csv' | 'xlsx' = 'csv'): Cell[][] {
	return [
		[t('reports.col.id'), t('reports.col.name'), t('reports.col.key'), t('reports.col.keyName'), t('reports.col.unit'), ...table.columns.map((c) => c.name)],
		...table.rows.map((r) => [
			r.def.id,
			figureName(r.def),
			r.key ?? '',
			r.keyName ?? '',
			unitName(r.def.unit),
			...r.values.map((v) => cellOf(r.def.unit, v, format))
		])
	];
}

/** The data dictionary of the figures in `table` (every figure of the level when no table is given), then the notes. */
export function dictionaryGrid(level: FigureLevel, opts: { publicOnly?: boolean } = {}): Cell[][] {
	const defs = FIGURES.filter((d) => d.levels.includes(level) && (!opts.publicOnly || d.public));
	return [
		[t('reports.col.id'), t('reports.col.name'), t('reports.col.unit'), t('reports.col.levels'), t('reports.col.public'), t('reports.col.definition')],
		...defs.map((d) => [
			d.id,
			figureName(d),
			unitName(d.unit),
			d.levels.map(levelName).join(' / '),
			d.public ? t('reports.col.yes') : t('reports.col.no'),
			figureDefinition(d)
		]),
		[],
		[t('reports.dictionaryNotes')],
		...dictionaryNotes().map((n) => [n])
	];
}

export interface ReportFile {
	/** A line or two above the tables: scope, period, status. */
	title: Cell[][];
	figures: Cell[][];
	dictionary: Cell[][];
}

export function reportFile(title: readonly string[], table: FiguresTable, level: FigureLevel, opts: { publicOnly?: boolean } = {}): { csv: ReportFile; xlsx: ReportFile } {
	const dictionary = dictionaryGrid(level, opts);
	const head = title.map((line) => [line]);
	return {
		csv: { title: head, figures: figuresGrid(table, 'csv'), dictionary },
		xlsx: { title: head, figures: figuresGrid(table, 'xlsx'), dictionary }
	};
}

/** One CSV holding the title lines, the figures and, after a blank line, the data dictionary; starts with a BOM. */
export async function reportCsv(file: ReportFile): Promise<string> {
	const { default: Papa } = await import('papaparse');
	const rows = [...file.title, [], ...file.figures, [], [t('reports.dictionary')], ...file.dictionary];
	const width = Math.max(...rows.map((r) => r.length));
	// Papa writes ragged rows as they are; padding keeps every line the same number of fields.
	const padded = rows.map((r) => [...r.map((c) => c ?? ''), ...Array<string>(width - r.length).fill('')]);
	return '\ufeff' + Papa.unparse(padded, { newline: '\r\n' });
}

export async function reportCsvBlob(file: ReportFile): Promise<Blob> {
	return new Blob([await reportCsv(file)], { type: 'text/csv;charset=utf-8' });
}

/** The workbook: a figures sheet (title lines above the table) and a data-dictionary sheet. */
export async function reportXlsx(file: ReportFile, rateColumns: (row: number) => boolean = () => false): Promise<Blob> {
	const { default: writeXlsxFile } = await import('write-excel-file/universal');
	const bold = { fontWeight: 'bold' as const };
	const cells = (rows: Cell[][], headerRow: number, isRate: (r: number) => boolean) =>
		rows.map((row, r) =>
			row.map((value) => {
				if (value === null || value === '') return null;
				if (typeof value === 'number') return { value, type: Number, ...(isRate(r) ? { format: '0.0%' } : {}) };
				return { value, type: String, ...(r === headerRow ? bold : {}) };
			})
		);
	const figureRows = [...file.title, [], ...file.figures];
	const offset = file.title.length + 1;
	const widths = (rows: Cell[][], max: number) =>
		Array.from({ length: Math.max(...rows.map((r) => r.length)) }, (_, c) => ({
			width: Math.min(max, Math.max(8, ...rows.slice(offset - 1).map((row) => String(row[c] ?? '').length * 2)))
		}));
	return writeXlsxFile([
		{
			data: cells(figureRows, offset, (r) => r > offset && rateColumns(r - offset - 1)),
			sheet: t('reports.sheet.figures'),
			columns: widths(figureRows, 30),
			stickyRowsCount: offset + 1
		},
		{
			data: cells(file.dictionary, 0, () => false),
			sheet: t('reports.sheet.dictionary'),
			columns: [{ width: 26 }, { width: 24 }, { width: 12 }, { width: 18 }, { width: 6 }, { width: 80 }]
		}
	]).toBlob();
}

/** Which rows of a figures table hold rates (for the workbook's percent format). */
export const rateRows = (table: FiguresTable) => (row: number) => table.rows[row]?.def.unit === 'rate';
