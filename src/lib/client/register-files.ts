/**
 * Register files: CSV and XLSX to rows and back. Loaded only by the import page (dynamic import), and the
 * XLSX libraries only when an XLSX file is read or written, so neither weighs on the app shell.
 *
 * A file that cannot be a register fails with a RegisterFileError saying why, before any row is looked at:
 * empty, too large (also when it would unzip to far more than it weighs), an old .xls or encrypted workbook,
 * a damaged or truncated zip, a zip that is not a workbook, no sheet with a register header, binary data
 * posing as CSV, or unbalanced quotes. CSV saved by Excel on Chinese Windows is GB18030, not UTF-8: both work.
 */
import Papa from 'papaparse';
import { type Cell, hasRegisterHeader } from '../domain/register-import';

export type RegisterFileErrorCode =
	| 'empty'
	| 'too_large'
	| 'xls_not_supported'
	| 'not_xlsx'
	| 'truncated'
	| 'no_register_sheet'
	| 'not_text'
	| 'bad_quotes'
	| 'unreadable';

export class RegisterFileError extends Error {
	override readonly name = 'RegisterFileError';
	constructor(
		readonly code: RegisterFileErrorCode,
		/** Sheet names (no_register_sheet), row number (bad_quotes), the library's message (unreadable). */
		readonly detail = ''
	) {
		super(detail ? `${code}: ${detail}` : code);
	}
}

export const FILE_MAX_BYTES = 5 * 1024 * 1024;
/** A workbook's XML is typically 5–10× its zip; far beyond that is a zip bomb, not a register. */
export const UNZIPPED_MAX_BYTES = 60 * 1024 * 1024;

export interface RegisterSheet {
	format: 'csv' | 'xlsx';
	/** The sheet read, for a workbook. */
	sheet?: string;
	rows: Cell[][];
}

const startsWith = (bytes: Uint8Array, sig: readonly number[]) => sig.every((b, i) => bytes[i] === b);
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export async function readRegisterFile(file: Blob, name = ''): Promise<RegisterSheet> {
	if (file.size === 0) throw new RegisterFileError('empty');
	if (file.size > FILE_MAX_BYTES) throw new RegisterFileError('too_large');
	const bytes = new Uint8Array(await file.arrayBuffer());
	// Old Excel files and password-protected workbooks are both OLE compound files.
	if (startsWith(bytes, OLE)) throw new RegisterFileError('xls_not_supported');
	if (startsWith(bytes, ZIP) || startsWith(bytes, EMPTY_ZIP)) return readXlsx(bytes);
	if (/\.xlsx$/i.test(name)) throw new RegisterFileError('not_xlsx');
	if (/\.xls$/i.test(name)) throw new RegisterFileError('xls_not_supported');
	return readCsv(bytes);
}

function decodeText(bytes: Uint8Array): string {
	if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
	if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
	if (bytes.includes(0)) throw new RegisterFileError('not_text');
	try {
		return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		try {
			return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
		} catch {
			throw new RegisterFileError('not_text');
		}
	}
}

function readCsv(bytes: Uint8Array): RegisterSheet {
	const text = decodeText(bytes);
	if (!text.trim()) throw new RegisterFileError('empty');
	const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false });
	const quotes = parsed.errors.find((e) => e.type === 'Quotes');
	if (quotes) throw new RegisterFileError('bad_quotes', String((quotes.row ?? 0) + 1));
	return { format: 'csv', rows: parsed.data };
}

/**
 * Checks the zip's central directory before unzipping: it must be complete (a truncated download loses it),
 * hold a workbook, and not unpack to more than UNZIPPED_MAX_BYTES.
 */
function checkZip(bytes: Uint8Array): void {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let eocd = -1;
	for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
		if (view.getUint32(i, true) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) throw new RegisterFileError('truncated');
	const entries = view.getUint16(eocd + 10, true);
	const cdSize = view.getUint32(eocd + 12, true);
	const cdOffset = view.getUint32(eocd + 16, true);
	if (cdOffset + cdSize > eocd) throw new RegisterFileError('truncated');
	let p = cdOffset;
	let unzipped = 0;
	let workbook = false;
	const decoder = new TextDecoder();
	for (let n = 0; n < entries; n++) {
		if (p + 46 > eocd || view.getUint32(p, true) !== 0x02014b50) throw new RegisterFileError('truncated');
		const size = view.getUint32(p + 24, true);
		const nameLen = view.getUint16(p + 28, true);
		const extraLen = view.getUint16(p + 30, true);
		const commentLen = view.getUint16(p + 32, true);
		// 0xffffffff means a ZIP64 size: no register is that large.
		if (size === 0xffffffff) throw new RegisterFileError('too_large');
		unzipped += size;
		if (decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen)) === 'xl/workbook.xml') workbook = true;
		p += 46 + nameLen + extraLen + commentLen;
	}
	if (unzipped > UNZIPPED_MAX_BYTES) throw new RegisterFileError('too_large');
	if (!workbook) throw new RegisterFileError('not_xlsx');
}

async function readXlsx(bytes: Uint8Array): Promise<RegisterSheet> {
	checkZip(bytes);
	const { default: readXlsxFile } = await import('read-excel-file/universal');
	let sheets: { sheet: string; data: unknown[][] }[];
	try {
		const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
		sheets = (await readXlsxFile(buffer)) as unknown as { sheet: string; data: unknown[][] }[];
	} catch (err) {
		const code = (err as { code?: string }).code;
		if (code === 'INVALID_ZIP' || code === 'FILE_NOT_SUPPORTED' || code === 'NO_DATA') throw new RegisterFileError('not_xlsx', code);
		if (code === 'XLS_FILE_NOT_SUPPORTED') throw new RegisterFileError('xls_not_supported');
		throw new RegisterFileError('unreadable', err instanceof Error ? err.message : String(err));
	}
	const rowsOf = (data: unknown[][]): Cell[][] => data.map((row) => row.map((c) => (c === null || ['string', 'number', 'boolean'].includes(typeof c) || c instanceof Date ? (c as Cell) : String(c))));
	const found = sheets.find((s) => hasRegisterHeader(rowsOf(s.data)));
	if (!found) throw new RegisterFileError('no_register_sheet', sheets.map((s) => s.sheet).join(', '));
	return { format: 'xlsx', sheet: found.sheet, rows: rowsOf(found.data) };
}

/** CSV with a UTF-8 byte-order mark and CRLF, which is what Excel needs to open Chinese text correctly. */
export function writeRegisterCsv(rows: readonly (readonly (string | number)[])[]): Blob {
	const text = Papa.unparse(rows as (string | number)[][], { newline: '\r\n' });
	return new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' });
}

export async function writeRegisterXlsx(rows: readonly (readonly (string | number)[])[], sheet: string): Promise<Blob> {
	const { default: writeXlsxFile } = await import('write-excel-file/universal');
	// Text stays text: a room "0302" or a phone must not become a number.
	const data = rows.map((row, r) =>
		row.map((value) => (typeof value === 'number' ? { value, type: Number } : { value, type: String, ...(r === 0 ? { fontWeight: 'bold' as const } : {}) }))
	);
	const widths = rows[0]?.map((_, c) => ({ width: Math.min(40, Math.max(8, ...rows.slice(0, 200).map((row) => String(row[c] ?? '').length * 2))) }));
	return writeXlsxFile(data, { sheet, columns: widths, stickyRowsCount: 1 }).toBlob();
}
