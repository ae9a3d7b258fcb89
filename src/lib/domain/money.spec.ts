import { describe, expect, it } from 'vitest';
import { addFen, formatYuan, isFen, parseYuan, percentOf, sumFen, yuanText } from './money';

describe('money in fen', () => {
	it('parses what people type, exactly', () => {
		expect(parseYuan('12.30')).toBe(1230);
		expect(parseYuan('12.3')).toBe(1230);
		expect(parseYuan('12')).toBe(1200);
		expect(parseYuan('0.07')).toBe(7);
		expect(parseYuan('12.')).toBe(1200);
		expect(parseYuan('1,234.50')).toBe(123450);
		expect(parseYuan('¥ 12.30')).toBe(1230);
		expect(parseYuan('￥88元')).toBe(8800);
		expect(parseYuan('１２．３０')).toBe(1230);
		// 0.1 + 0.2 style drift is impossible: these would be off by a fen through floating point.
		expect(parseYuan('4.35')).toBe(435);
		expect(parseYuan('1.15')).toBe(115);
		expect(parseYuan('80000000000.99')).toBe(8000000000099);
	});

	it('refuses anything that is not an exact non-negative amount', () => {
		for (const bad of ['', ' ', '-5', '1.234', 'abc', '1e3', '12,34', '.5', '1.2.3', '90071992547409.92']) {
			expect(parseYuan(bad), bad).toBeNull();
		}
	});

	it('formats with the yuan sign, grouping and two decimals, and round-trips', () => {
		expect(formatYuan(1230)).toBe('¥12.30');
		expect(formatYuan(7)).toBe('¥0.07');
		expect(formatYuan(123456789)).toBe('¥1,234,567.89');
		expect(formatYuan(-1230)).toBe('-¥12.30');
		expect(yuanText(5)).toBe('0.05');
		for (const fen of [0, 1, 99, 100, 1230, 123450, 8000000000099]) {
			expect(parseYuan(formatYuan(fen))).toBe(fen);
			expect(parseYuan(yuanText(fen))).toBe(fen);
		}
		expect(() => formatYuan(12.5)).toThrow(RangeError);
	});

	it('sums exactly and refuses to overflow', () => {
		expect(sumFen([435, 115, 1])).toBe(551);
		expect(addFen(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
		expect(() => addFen(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
		expect(isFen(1.5)).toBe(false);
		expect(isFen(Number.NaN)).toBe(false);
	});

	it('gives a whole percent rounded down', () => {
		expect(percentOf(999, 1000)).toBe(99);
		expect(percentOf(1000, 1000)).toBe(100);
		expect(percentOf(1500, 1000)).toBe(150);
		expect(percentOf(10, 0)).toBeNull();
	});
});
