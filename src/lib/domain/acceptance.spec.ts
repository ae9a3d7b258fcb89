import { describe, expect, it } from 'vitest';
import { acceptance, acceptanceConditions, type Condition } from './acceptance';
import { check, facilitator, gridWorker, item, representative, representativesOf, resident, signoff } from './testing/projects';

const met: Condition[] = acceptanceConditions({ tasks: 3, tasksDone: 3, target: 0, raised: 0, income: 0, spending: 0 });

describe('acceptance', () => {
	it('passes when every item passes and enough representatives agree', () => {
		const a = item();
		const b = item({ text: '楼道墙面恢复原样' });
		const signs = [signoff({ at: 100 }), signoff({ at: 200 })];
		const third = signoff({ at: 900 });
		const ctx = { representatives: representativesOf([...signs, third]), conditions: met };
		const partial = acceptance([a, b], [check(a.id)], signs, undefined, ctx);
		expect(partial).toMatchObject({ status: 'in_progress', passed: 1, unchecked: 1, agree: 2, need: 3 });
		const done = acceptance([a, b], [check(a.id, { at: 300 }), check(b.id, { at: 400 })], [...signs, third], undefined, ctx);
		expect(done.status).toBe('passed');
		expect(done.passedAt).toBe(900);
	});

	it('a failed item fails it; a re-check replaces the result', () => {
		const a = item();
		const signs = [signoff(), signoff(), signoff()];
		const ctx = { representatives: representativesOf(signs), conditions: met };
		const failed = acceptance([a], [check(a.id, { result: 'fail', note: '一把松动' })], signs, undefined, ctx);
		expect(failed.status).toBe('failed');
		expect(acceptance([a], [check(a.id, { result: 'pass' })], signs, undefined, ctx).status).toBe('passed');
	});

	it('an objection makes it disputed; the household signing again counts its latest', () => {
		const a = item();
		const signs = [signoff(), signoff(), signoff()];
		const objection = signoff({ agree: false, comment: '颜色不一致', at: 8000 });
		const ctx = { representatives: representativesOf([...signs, objection]), conditions: met };
		const r = acceptance([a], [check(a.id)], [...signs, objection], undefined, ctx);
		expect(r).toMatchObject({ status: 'disputed', agree: 3, object: 1 });
		const again = { ...objection, agree: true, at: 8100 };
		expect(acceptance([a], [check(a.id)], [...signs, objection, again], undefined, ctx)).toMatchObject({ status: 'passed', agree: 4 });
	});

	it('does not count checklist items or checks from residents', () => {
		const planted = item({ by: resident });
		const a = item();
		const s = signoff();
		const r = acceptance([a, planted], [check(a.id, { by: resident })], [s], { minRepresentatives: 1 }, { representatives: representativesOf([s]), conditions: met });
		expect(r.items.map((i) => i.item.id)).toEqual([a.id]);
		expect(r.status).toBe('in_progress');
		expect(r.notCounted.map((n) => n.what)).toEqual(['item', 'check']);
		expect(acceptance([], [], []).status).toBe('not_started');
	});

	it('counts only households chosen by staff, signed from their device or on paper with a photo', () => {
		const a = item();
		const own = signoff({ household: 'b03-1-401' });
		const outsider = signoff({ household: 'b05-2-101' });
		const paper = signoff({ household: 'b03-1-402', by: facilitator, paper: true, photos: ['a'.repeat(64)] });
		const paperNoPhoto = signoff({ household: 'b03-1-403', by: facilitator, paper: true });
		const freeText = { id: 'name-王建国', name: '王建国', agree: true, at: 7300, by: facilitator };
		const byGridWorker = signoff({ household: 'b03-1-404', by: gridWorker, paper: true, photos: ['b'.repeat(64)] });
		const reps = ['b03-1-401', 'b03-1-402', 'b03-1-403', 'b03-1-404'].map((h) => representative(h));
		// A representative chosen by a resident device does not count, and a removed one no longer does.
		const plantedRep = representative('b05-2-101', { by: resident });
		const r = acceptance([a], [check(a.id)], [own, outsider, paper, paperNoPhoto, freeText, byGridWorker], { minRepresentatives: 2 }, {
			representatives: [...reps, plantedRep],
			conditions: met
		});
		expect(r.representatives.map((x) => x.household)).toEqual(['b03-1-401', 'b03-1-402', 'b03-1-403', 'b03-1-404']);
		expect(r.signoffs.map((s) => s.id).sort()).toEqual(['b03-1-401', 'b03-1-402']);
		expect(r.status).toBe('passed');
		const removed = representative('b03-1-402', { at: 9000, removed: { at: 9000, by: facilitator } });
		const after = acceptance([a], [check(a.id)], [own, paper], { minRepresentatives: 2 }, { representatives: [...reps, removed], conditions: met });
		expect(after).toMatchObject({ status: 'in_progress', agree: 1 });
	});

	it('derives the project conditions: tasks done, target raised, no more spent than received', () => {
		const c = acceptanceConditions({ tasks: 3, tasksDone: 0, target: 8600000, raised: 50000, income: 50000, spending: 60000 });
		expect(c.map((x) => [x.kind, x.met])).toEqual([
			['tasks', false],
			['funds', false],
			['ledger', false]
		]);
		// No tasks at all is not "every task done": the work accepted must be on record.
		expect(acceptanceConditions({ tasks: 0, tasksDone: 0, target: 0, raised: 0, income: 0, spending: 0 }).map((x) => x.met)).toEqual([false, true]);
	});

	it('unmet conditions block it unless staff record an override with a reason, covering those conditions', () => {
		const a = item();
		const signs = [signoff(), signoff(), signoff()];
		const unmet = acceptanceConditions({ tasks: 3, tasksDone: 0, target: 8600000, raised: 50000, income: 50000, spending: 0 });
		const base = { representatives: representativesOf(signs), conditions: unmet };
		const blocked = acceptance([a], [check(a.id)], signs, undefined, base);
		expect(blocked.status).toBe('in_progress');
		expect(blocked.blocked.map((c) => c.kind)).toEqual(['tasks', 'funds']);
		// A resident device's override, an empty reason or one waiving only part of it does not count.
		const over = { reason: '剩余款项由街道专项资金兜底，已书面承诺', waived: ['tasks' as const, 'funds' as const], at: 99999, by: facilitator };
		expect(acceptance([a], [check(a.id)], signs, undefined, { ...base, override: { ...over, by: resident } }).status).toBe('in_progress');
		expect(acceptance([a], [check(a.id)], signs, undefined, { ...base, override: { ...over, reason: '  ' } }).status).toBe('in_progress');
		expect(acceptance([a], [check(a.id)], signs, undefined, { ...base, override: { ...over, waived: ['tasks'] } }).blocked.map((c) => c.kind)).toEqual(['funds']);
		const passed = acceptance([a], [check(a.id)], signs, undefined, { ...base, override: over });
		expect(passed).toMatchObject({ status: 'passed', passedAt: 99999, override: over, blocked: [] });
	});
});
