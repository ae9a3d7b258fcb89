import { describe, expect, it } from 'vitest';
import { DuplicateFinder, findDuplicates, type DuplicateCandidate } from './screening';

const p = (doc: string, title: string, description: string, status: DuplicateCandidate['status'] = 'submitted'): DuplicateCandidate => ({
	doc,
	title,
	description,
	status
});

const pool = [
	p('a', '3栋单元门坏了', '3栋2单元的单元门锁坏了，夜里外来人员随便进出，希望更换带门禁的新门。'),
	p('b', '单元门更换（3栋）', '3栋2单元门锁坏了大半年，外来人员随便进出，建议换门禁单元门。'),
	p('c', '小游园加建凉亭', '老人下棋没有遮阳的地方，建议在小游园东南角加建凉亭。'),
	p('d', '3栋单元门坏了', '同上，已合并', 'merged'),
	p('e', '单元门', '3栋单元门坏了', 'draft')
];

describe('DuplicateFinder', () => {
	it('scores like findDuplicates and skips merged, rejected and draft proposals', () => {
		const finder = new DuplicateFinder();
		const hits = finder.find(pool[0]!, pool);
		expect(hits.map((h) => h.doc)).toEqual(['b']);
		const reference = findDuplicates(pool[0]!, pool.filter((x) => x.status !== 'draft') as Parameters<typeof findDuplicates>[1]);
		expect(hits).toEqual(reference);
	});

	it('re-tokenises a proposal whose text changed', () => {
		const finder = new DuplicateFinder();
		expect(finder.find(pool[2]!, pool)).toEqual([]);
		const edited = p('c', '3栋单元门坏了要换', '3栋2单元的单元门锁坏了，外来人员随便进出，希望更换门禁。');
		expect(finder.find(edited, [...pool.filter((x) => x.doc !== 'c'), edited]).map((h) => h.doc)).toContain('a');
	});

	it('screens a queue of 50 against 2,000 proposals in well under a second', () => {
		const words = [...'楼道加装扶手单元门坏了希望更换停车位充电桩电动车活动室改造宠物噪音绿化垃圾分类路灯不亮座椅老人儿童'];
		let seed = 7;
		const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
		const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join('');
		const many = Array.from({ length: 2000 }, (_, i) => p(`d${i}`, text(12), text(80)));
		const finder = new DuplicateFinder();
		const start = performance.now();
		for (const target of many.slice(0, 50)) finder.find(target, many);
		expect(performance.now() - start).toBeLessThan(3000);
	});
});
