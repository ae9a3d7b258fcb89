import { describe, expect, it } from 'vitest';
import { projectState, projectTimeline, stageStatus } from './project';
import { check, entry, facilitator, gridWorker, item, pledge, project, rating, receipt, representativesOf, resident, selection, signoff, task, tender, update } from './testing/projects';

const TODAY = '2024-05-20';

describe('project stage follows from its work', () => {
	it('moves from preparing or funding to in progress, awaiting acceptance, accepted, publicised and closed', () => {
		expect(projectState(project(), TODAY).stage).toBe('preparing');
		expect(projectState(project({ target: 100000 }), TODAY).stage).toBe('funding');
		const a = task();
		const b = task();
		const planned = project({ target: 100000, tasks: [a, b] });
		expect(projectState(planned, TODAY).stage).toBe('funding');
		const started = { ...planned, updates: [update(a.id)] };
		expect(projectState(started, TODAY).stage).toBe('in_progress');
		const done = { ...planned, updates: [update(a.id, { mark: 'done' }), update(b.id, { mark: 'done', by: gridWorker })] };
		expect(projectState(done, TODAY).stage).toBe('awaiting_acceptance');
		const i = item();
		const signs = [signoff(), signoff(), signoff()];
		const signed = { ...done, checklist: [i], checks: [check(i.id)], signoffs: signs, representatives: representativesOf(signs) };
		// The target is not raised: no acceptance without the override and its reason.
		expect(projectState(signed, TODAY)).toMatchObject({ stage: 'awaiting_acceptance', acceptance: { blocked: [{ kind: 'funds', met: false }] } });
		const accepted = { ...signed, acceptanceOverride: { reason: '物业承诺兜底差额', waived: ['funds' as const], at: 7900, by: facilitator } };
		expect(projectState(accepted, TODAY)).toMatchObject({ stage: 'accepted', status: 'inspected' });
		const notice = { doc: 'demo:notice:acc', kind: 'acceptance' as const, title: '验收公示', from: TODAY, to: TODAY, at: 8000, by: facilitator };
		const publicised = { ...accepted, notices: [notice] };
		expect(projectState(publicised, TODAY).stage).toBe('publicised');
		expect(projectState({ ...publicised, closed: { at: 9999, by: facilitator } }, TODAY)).toMatchObject({ stage: 'closed', status: 'closed' });
		// A resident device cannot close it.
		expect(projectState({ ...publicised, closed: { at: 9999, by: resident } }, TODAY).stage).toBe('publicised');
		// A task reopened after all were done sends it back to work.
		const reopened = { ...done, updates: [...done.updates, update(a.id, { mark: 'reopened', at: 99999 })] };
		expect(projectState(reopened, TODAY).stage).toBe('in_progress');
	});

	it('maps stages onto the proposal workflow words', () => {
		expect(stageStatus('awaiting_acceptance')).toBe('in_progress');
		expect(stageStatus('preparing')).toBe('decided');
	});
});

describe('project timeline', () => {
	it('lists every step with its time and who took it, oldest first', () => {
		const p1 = pledge({ at: 200 });
		const t1 = task({ at: 300 });
		const d1 = tender({ at: 310 });
		const i1 = item({ at: 700 });
		const p = project({
			createdAt: 100,
			target: 50000,
			targetSet: { at: 150, by: facilitator },
			pledges: [p1],
			receipts: [receipt(p1.id, { at: 400 })],
			entries: [entry({ at: 450 })],
			tasks: [t1],
			updates: [update(t1.id, { at: 500, mark: 'done', photos: ['a'.repeat(64)] })],
			tenders: [d1],
			selections: [selection(d1.id, { at: 320 })],
			notices: [{ doc: 'demo:notice:t', kind: 'tender', title: '比选结果公示', from: TODAY, to: TODAY, at: 330, by: facilitator }],
			checklist: [i1],
			checks: [check(i1.id, { at: 710 })],
			signoffs: [signoff({ at: 720, household: 'b03-1-401' })],
			representatives: representativesOf([signoff({ household: 'b03-1-401' })]),
			minRepresentatives: 1,
			acceptanceOverride: { reason: '差额由物业补足', waived: ['funds'], at: 715, by: facilitator },
			ratings: [rating({ at: 900, score: 2, comment: '慢' })],
			followUps: [{ proposal: 'demo:proposal:x', at: 950, by: resident }],
			requests: [{ id: 'q', question: '花了多少钱？', at: 960, by: resident }],
			answers: [{ request: 'q', notice: 'demo:notice:ans', at: 970, by: facilitator }],
			closed: { at: 990, by: facilitator }
		});
		const steps = projectTimeline(p, projectState(p, TODAY));
		expect(steps.map((s) => s.type)).toEqual([
			'created',
			'target',
			'pledged',
			'task',
			'tender',
			'selected',
			'notice',
			'received',
			'entry',
			'progress',
			'checked',
			'override',
			'signoff',
			'accepted',
			'rating',
			'follow_up',
			'request',
			'answered',
			'closed'
		]);
		expect(steps.every((s) => typeof s.at === 'number' && s.by.name)).toBe(true);
		expect(steps.find((s) => s.type === 'accepted')?.at).toBe(720);
	});

	it('leaves out what does not count', () => {
		const p1 = pledge();
		const p = project({ pledges: [p1], receipts: [receipt(p1.id, { by: resident })], tasks: [task({ by: resident })] });
		expect(projectTimeline(p, projectState(p, TODAY)).map((s) => s.type)).toEqual(['created', 'pledged']);
	});
});
