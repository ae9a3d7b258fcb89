import { describe, expect, it } from 'vitest';
import { dice, normalize, similarity, tokens } from './similarity';
import { findDuplicates, screeningFlagsFor, screeningQueue } from './screening';

describe('similarity', () => {
	it('tokenises Chinese as bigrams and Latin as words', () => {
		expect([...tokens('单元门 EV charging')].sort()).toEqual(['charging', 'ev', '元门', '单元']);
		expect([...tokens('门')]).toEqual(['门']);
		expect(normalize('ＡＢＣ１２３')).toBe('abc123');
	});

	it('scores near-duplicates high and unrelated texts low', () => {
		expect(similarity('三单元单元门坏了需要更换', '更换三单元坏掉的单元门')).toBeGreaterThan(0.4);
		expect(similarity('楼道加装折叠座椅', '小区增设电动车充电桩')).toBeLessThan(0.1);
		expect(dice(new Set(), new Set())).toBe(0);
		expect(similarity('凉亭', '凉亭')).toBe(1);
	});
});

describe('screening', () => {
	const base = { kind: 'individual' as const, status: 'submitted' as const, coSigners: [] as string[] };
	const open = [
		{ ...base, doc: 'd1', title: '3号楼单元门更换', description: '单元门锁坏了，陌生人随意进出' },
		{ ...base, doc: 'd2', title: '增设电动车充电桩', description: '电动车在楼道充电有火灾隐患' },
		{ ...base, doc: 'd3', title: '3号楼单元门坏了', description: '单元门锁坏了', status: 'merged' as const }
	];

	it('finds likely duplicates among open proposals, best first', () => {
		const hits = findDuplicates({ doc: 'new', title: '更换3号楼的单元门', description: '门锁坏了好久，陌生人进出' }, open);
		expect(hits.map((h) => h.doc)).toEqual(['d1']);
	});

	it('collects negative-list, co-signer and duplicate flags', () => {
		const target = { ...base, doc: 'n', kind: 'joint' as const, household: 'h1', coSigners: ['h1', 'h2'], title: '楼道充电桩', description: '邻居吵架纠纷，电动车充电' };
		const flags = screeningFlagsFor(target, open, { minCoSigners: 3 });
		expect(flags.negative.map((f) => f.item.no)).toEqual([3]);
		expect(flags.missingCoSigners).toEqual({ have: 1, need: 3 });
		expect(flags.duplicates.map((d) => d.doc)).toEqual(['d2']);
	});

	it('queues submitted and screening proposals oldest first', () => {
		const q = screeningQueue([
			{ status: 'accepted' as const, updated: 1 },
			{ status: 'screening' as const, updated: 5 },
			{ status: 'submitted' as const, updated: 3 }
		]);
		expect(q.map((e) => e.updated)).toEqual([3, 5]);
	});

	it("queues each level's own matters, those referred up from below included", () => {
		const entries = [
			{ status: 'submitted' as const, updated: 1, level: 'grid' as const },
			{ status: 'escalated' as const, updated: 2, level: 'community' as const },
			{ status: 'escalated' as const, updated: 3, level: 'street' as const },
			{ status: 'submitted' as const, updated: 4 }
		];
		expect(screeningQueue(entries, 'grid').map((e) => e.updated)).toEqual([1]);
		expect(screeningQueue(entries).map((e) => e.updated)).toEqual([2, 4]);
		expect(screeningQueue(entries, 'street').map((e) => e.updated)).toEqual([3]);
	});
});
