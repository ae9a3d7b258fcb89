import { describe, expect, it } from 'vitest';
import { acceptance } from './acceptance';
import { check, item, resident, signoff } from './project.testing';

describe('acceptance', () => {
	it('passes when every item passes and enough representatives agree', () => {
		const a = item();
		const b = item({ text: '楼道墙面恢复原样' });
		const signs = [signoff({ at: 100 }), signoff({ at: 200 })];
		const partial = acceptance([a, b], [check(a.id)], signs);
		expect(partial).toMatchObject({ status: 'in_progress', passed: 1, unchecked: 1, agree: 2, need: 3 });
		const third = signoff({ at: 900 });
		const done = acceptance([a, b], [check(a.id, { at: 300 }), check(b.id, { at: 400 })], [...signs, third]);
		expect(done.status).toBe('passed');
		expect(done.passedAt).toBe(900);
	});

	it('a failed item fails it; a re-check replaces the result', () => {
		const a = item();
		const failed = acceptance([a], [check(a.id, { result: 'fail', note: '一把松动' })], [signoff(), signoff(), signoff()]);
		expect(failed.status).toBe('failed');
		expect(acceptance([a], [check(a.id, { result: 'pass' })], [signoff(), signoff(), signoff()]).status).toBe('passed');
	});

	it('an objection makes it disputed', () => {
		const a = item();
		const r = acceptance([a], [check(a.id)], [signoff(), signoff(), signoff(), signoff({ agree: false, comment: '颜色不一致', by: resident })]);
		expect(r).toMatchObject({ status: 'disputed', agree: 3, object: 1 });
	});

	it('does not count checklist items or checks from residents', () => {
		const planted = item({ by: resident });
		const a = item();
		const r = acceptance([a, planted], [check(a.id, { by: resident })], [signoff()], { minRepresentatives: 1 });
		expect(r.items.map((i) => i.item.id)).toEqual([a.id]);
		expect(r.status).toBe('in_progress');
		expect(r.notCounted.map((n) => n.what)).toEqual(['item', 'check']);
		expect(acceptance([], [], []).status).toBe('not_started');
	});
});
