import { describe, expect, it } from 'vitest';
import { defaultPeriod, disclosureQueue, noticeBoard, noticePhase, periodDays, validateNotice } from './notice';
import { facilitator, resident } from './testing/projects';

const BEIJING_NOON = (day: string) => Date.parse(`${day}T12:00:00+08:00`);

describe('notices', () => {
	it('runs for its period, both ends included', () => {
		const n = { from: '2024-05-10', to: '2024-05-16' };
		expect(noticePhase(n, '2024-05-09')).toBe('upcoming');
		expect(noticePhase(n, '2024-05-10')).toBe('current');
		expect(noticePhase(n, '2024-05-16')).toBe('current');
		expect(noticePhase(n, '2024-05-17')).toBe('ended');
		expect(noticePhase({ ...n, withdrawn: { at: 1, by: facilitator, reason: '贴错' } }, '2024-05-12')).toBe('withdrawn');
		expect(defaultPeriod('2024-05-30')).toEqual({ from: '2024-05-30', to: '2024-06-05' });
		expect(periodDays('2024-05-30', '2024-06-05')).toBe(7);
	});

	it('sorts the board: running ones ending first, then scheduled, then the archive newest first', () => {
		const items = [
			{ doc: 'a', from: '2024-05-01', to: '2024-05-07' },
			{ doc: 'b', from: '2024-05-10', to: '2024-05-20' },
			{ doc: 'c', from: '2024-05-08', to: '2024-05-12' },
			{ doc: 'd', from: '2024-05-20', to: '2024-05-27' },
			{ doc: 'e', from: '2024-04-01', to: '2024-04-07' },
			{ doc: 'f', from: '2024-05-01', to: '2024-05-30', withdrawn: true }
		];
		const board = noticeBoard(items, '2024-05-11');
		expect(board.current.map((i) => i.doc)).toEqual(['c', 'b']);
		expect(board.upcoming.map((i) => i.doc)).toEqual(['d']);
		expect(board.past.map((i) => i.doc)).toEqual(['f', 'a', 'e']);
	});

	it('validates the draft and its period', () => {
		expect(validateNotice({ kind: 'general', title: '', body: '', from: '2024-05-10', to: '2024-05-09' })).toEqual(['title', 'body', 'period']);
		expect(validateNotice({ kind: 'tender', title: '比选结果', body: '中选', from: 'x', to: '2024-05-09' })).toEqual(['from']);
		expect(validateNotice({ kind: 'tender', title: '比选结果', body: '中选', from: '2024-05-09', to: '2024-05-09' })).toEqual([]);
	});
});

describe('disclosure requests', () => {
	it('are tracked until answered and overdue after the answer period', () => {
		const early = { id: 'q1', question: '维修资金用了多少？', at: BEIJING_NOON('2024-05-01'), by: resident };
		const late = { id: 'q2', question: '座椅在哪里买的？', at: BEIJING_NOON('2024-05-10'), by: resident };
		const answered = { id: 'q3', question: '施工队是谁？', at: BEIJING_NOON('2024-05-02'), by: resident };
		const answers = [
			{ request: 'q3', notice: 'demo:notice:n1', at: BEIJING_NOON('2024-05-04'), by: facilitator },
			{ request: 'q3', notice: 'demo:notice:n2', at: BEIJING_NOON('2024-05-05'), by: facilitator }
		];
		const q = disclosureQueue([answered, late, early], answers, '2024-05-17');
		expect(q.map((v) => v.request.id)).toEqual(['q1', 'q2', 'q3']);
		expect(q[0]).toMatchObject({ due: '2024-05-16', overdue: true });
		expect(q[1]).toMatchObject({ due: '2024-05-25', overdue: false });
		expect(q[2]?.answer?.notice).toBe('demo:notice:n2');
		expect(q[2]?.overdue).toBe(false);
	});
});
