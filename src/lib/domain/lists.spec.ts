import { describe, expect, it } from 'vitest';
import { currentLists, DEFAULT_LISTS, ENCOURAGED_CATEGORIES, listVersion, NEGATIVE_LIST, nextListVersion } from './lists';

describe('list versions', () => {
	it('starts from the default lists of the product design', () => {
		expect(ENCOURAGED_CATEGORIES).toHaveLength(6);
		expect(NEGATIVE_LIST.map((i) => i.no)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
		expect(currentLists([])).toBe(DEFAULT_LISTS);
	});

	it('keeps old versions so a decision shows the rule it used', () => {
		const v2 = nextListVersion([], { encouraged: ENCOURAGED_CATEGORIES.slice(0, 5), negative: NEGATIVE_LIST }, 'admin', 10);
		expect(v2.version).toBe(2);
		expect(currentLists([v2]).encouraged).toHaveLength(5);
		expect(listVersion([v2], 1)).toBe(DEFAULT_LISTS);
		expect(listVersion([v2], 2)).toBe(v2);
	});

	it('orders two concurrent edits of the same version alike on every device', () => {
		const a = { ...DEFAULT_LISTS, version: 2, at: 5, by: 'a' };
		const b = { ...DEFAULT_LISTS, version: 2, at: 5, by: 'b' };
		expect(currentLists([a, b])).toBe(b);
		expect(currentLists([b, a])).toBe(b);
	});
});
