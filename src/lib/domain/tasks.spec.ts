import { describe, expect, it } from 'vitest';
import { taskView, validateTask, work } from './tasks';
import { facilitator, facilitator2, gridWorker, resident, task, update } from './testing/projects';

describe('tasks and progress', () => {
	it('folds a task state from its updates by time', () => {
		const t = task({ due: '2024-06-01' });
		expect(taskView(t, [], '2024-05-01').status).toBe('open');
		const note = update(t.id, { at: 10 });
		expect(taskView(t, [note], '2024-05-01').status).toBe('in_progress');
		const done = update(t.id, { mark: 'done', at: 20 });
		expect(taskView(t, [done, note], '2024-05-01')).toMatchObject({ status: 'done', doneAt: 20 });
		// A later plain note does not undo "done"; a reopening does.
		expect(taskView(t, [note, done, update(t.id, { at: 30 })], '2024-05-01').status).toBe('done');
		expect(taskView(t, [note, done, update(t.id, { mark: 'reopened', at: 30 })], '2024-05-01').status).toBe('in_progress');
	});

	it('keeps both offline reports on one task; the later decides', () => {
		const t = task();
		const a = update(t.id, { mark: 'done', at: 50, by: facilitator });
		const b = update(t.id, { text: '发现一把松动，返工', mark: 'reopened', at: 60, by: facilitator2 });
		const v = taskView(t, [b, a], '2024-05-01');
		expect(v.updates.map((u) => u.id)).toEqual([a.id, b.id]);
		expect(v.status).toBe('in_progress');
	});

	it('highlights overdue tasks by the CST calendar day', () => {
		const t = task({ due: '2024-06-01' });
		expect(taskView(t, [], '2024-06-01').overdue).toBe(false);
		expect(taskView(t, [], '2024-06-03')).toMatchObject({ overdue: true, daysOverdue: 2 });
		expect(taskView(t, [update(t.id, { mark: 'done' })], '2024-06-03').overdue).toBe(false);
	});

	it('summarises the work: counts, next due, all done', () => {
		const a = task({ due: '2024-06-10' });
		const b = task({ due: '2024-06-01' });
		const c = task({ due: '2024-05-20' });
		const w = work([a, b, c], [update(c.id, { mark: 'done' }), update(b.id, { by: gridWorker })], '2024-06-05');
		expect(w.tasks.map((v) => v.task.id)).toEqual([c.id, b.id, a.id]);
		expect([w.open, w.inProgress, w.done, w.overdue]).toEqual([1, 1, 1, 1]);
		expect(w.nextDue).toBe('2024-06-01');
		expect(w.started).toBe(true);
		expect(w.allDone).toBe(false);
		const all = work([c], [update(c.id, { mark: 'done' })], '2024-06-05');
		expect(all.allDone).toBe(true);
		expect(all.nextDue).toBeNull();
		expect(work([], [], '2024-06-05').allDone).toBe(false);
	});

	it('ignores tasks and updates from roles that may not record them', () => {
		const ok = task();
		const planted = task({ by: resident });
		const w = work([ok, planted], [update(ok.id, { mark: 'done', by: resident })], '2024-05-01');
		expect(w.tasks.map((v) => v.task.id)).toEqual([ok.id]);
		expect(w.done).toBe(0);
		expect(w.notCounted.map((n) => n.what)).toEqual(['task', 'update']);
	});

	it('validates a task', () => {
		expect(validateTask({ title: ' ', responsible: '', due: '2024-13-01' })).toEqual(['title', 'responsible', 'due']);
		expect(validateTask({ title: '采购', responsible: '物业', due: '2024-06-01' })).toEqual([]);
	});
});
