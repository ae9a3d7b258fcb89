import { describe, expect, it } from 'vitest';
import { buildSearchIndex, queryTerms, search } from './search';
import { weekStart, weeklyIntake } from './intake';

const items = [
	{ title: '楼道加装折叠座椅', description: '老人上楼歇脚', updated: 1, category: 'facilities' },
	{ title: '增设电动车充电桩', description: 'EV charging, 楼道充电有隐患', updated: 2, category: 'safety' },
	{ title: 'Pavilion in the park', description: '小游园凉亭', updated: 3, category: 'facilities' }
];

describe('search', () => {
	const index = buildSearchIndex(items);
	it('finds Chinese substrings and English words, title hits first', () => {
		expect(search(index, '楼道').map((i) => i.title)).toEqual(['楼道加装折叠座椅', '增设电动车充电桩']);
		expect(search(index, 'ev CHARGING').map((i) => i.updated)).toEqual([2]);
		expect(search(index, 'ＰＡＶＩＬＩＯＮ').map((i) => i.updated)).toEqual([3]);
		expect(search(index, '楼道 座椅').map((i) => i.updated)).toEqual([1]);
	});

	it('applies filters and returns everything for an empty query, newest first', () => {
		expect(search(index, '', (i) => i.category === 'facilities').map((i) => i.updated)).toEqual([3, 1]);
		expect(queryTerms(' 凉亭，座椅 ')).toEqual(['凉亭', '座椅']);
	});
});

describe('weekly intake', () => {
	// 2026-11-23 is a Monday; 00:00 CST is 2026-11-22T16:00Z.
	const monday = Date.parse('2026-11-22T16:00:00Z');
	it('starts weeks on Monday 00:00 China time', () => {
		expect(weekStart(Date.parse('2026-11-25T10:00:00Z'))).toBe(monday);
		expect(weekStart(monday)).toBe(monday);
		expect(weekStart(monday - 1)).toBe(monday - 7 * 86_400_000);
	});

	it('counts the week by channel and category', () => {
		const w = weeklyIntake(
			[
				{ channel: 'app', category: 'safety', created: monday + 1000 },
				{ channel: 'visit', category: 'safety', created: monday + 86_400_000 },
				{ channel: 'box', category: 'culture', created: monday - 1 }
			],
			monday + 5000
		);
		expect(w.total).toBe(2);
		expect(w.byChannel).toEqual({ app: 1, visit: 1 });
		expect(w.byCategory).toEqual({ safety: 2 });
	});
});
