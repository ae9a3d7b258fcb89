/**
 * Money in integer fen (分). Floating point never touches an amount: "12.30" parses to 1230 by string
 * arithmetic, sums stay exact integers, and anything that is not a safe integer is refused.
 */

/** An amount in fen (1 yuan = 100 fen). Always a safe integer. */
export type Fen = number;

export function isFen(value: unknown): value is Fen {
	return typeof value === 'number' && Number.isSafeInteger(value);
}

/** A non-negative amount, as pledges, receipts and ledger entries carry (their direction is their type). */
export function isAmount(value: unknown): value is Fen {
	return isFen(value) && value >= 0;
}

const FULL_WIDTH = /[０-９．，]/g;
const YUAN = /^(\d+)(?:\.(\d{0,2}))?$/;

/**
 * Parses what a person types for an amount in yuan: "12", "12.3", "12.30", "1,234.50", "¥ 12.30", "12.30元",
 * or full-width digits from a Chinese keyboard. Null for anything else: negative, more than two decimals,
 * empty, or too large to count exactly.
 */
export function parseYuan(text: string): Fen | null {
	const normalised = text
		.replace(FULL_WIDTH, (c) => (c === '．' ? '.' : c === '，' ? ',' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)))
		.replace(/[\s¥￥]|元$/g, '')
		.replace(/,(?=\d{3}(\D|$))/g, '');
	const m = YUAN.exec(normalised);
	if (!m) return null;
	const yuan = m[1] as string;
	const fen = (m[2] ?? '').padEnd(2, '0');
	// Concatenating digits keeps the value exact; the integer check refuses anything past 2^53.
	const value = Number(yuan + fen);
	return Number.isSafeInteger(value) ? value : null;
}

/** "12.30" for an edit field (no symbol, no grouping), the inverse of parseYuan. */
export function yuanText(fen: Fen): string {
	assertFen(fen);
	const sign = fen < 0 ? '-' : '';
	const abs = Math.abs(fen);
	return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "¥1,234.50"; "-¥12.30" for a negative amount. */
export function formatYuan(fen: Fen): string {
	assertFen(fen);
	const sign = fen < 0 ? '-' : '';
	const abs = Math.abs(fen);
	const yuan = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
	return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

export function addFen(a: Fen, b: Fen): Fen {
	const sum = a + b;
	if (!Number.isSafeInteger(sum)) throw new RangeError('amount out of range');
	return sum;
}

export function sumFen(amounts: Iterable<Fen>): Fen {
	let total = 0;
	for (const a of amounts) total = addFen(total, a);
	return total;
}

/** Whole percent of `part` in `whole`, rounded down (so 99.9% never shows as done); null without a whole. */
export function percentOf(part: Fen, whole: Fen): number | null {
	if (whole <= 0) return null;
	return Math.floor((Math.max(0, part) * 100) / whole);
}

function assertFen(fen: Fen): void {
	if (!isFen(fen)) throw new RangeError(`not an amount in fen: ${fen}`);
}
