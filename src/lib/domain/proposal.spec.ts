import { describe, expect, it } from 'vitest';
import {
	allowedTransitions,
	canTransition,
	countCoSigners,
	defaultStepChannel,
	proposerOf,
	foldTimeline,
	forwardPath,
	levelAfter,
	needsReason,
	type ProposalStatus,
	type TimelineEvent,
	TRANSITIONS,
	validateProposal,
	screeningFlags
} from './proposal';
import { adminActor, facilitatorActor, gridWorkerActor, proposalDraft, residentActor, streetAdminActor } from './testing';

const resident = residentActor({ name: '王阿姨' });
const facilitator = facilitatorActor({ name: '李社工' });
const facilitator2 = facilitatorActor({ id: 'f2', name: '张社工' });
const draft = proposalDraft;

let seq = 0;
const ev = (e: Partial<TimelineEvent> & Pick<TimelineEvent, 'type'>): TimelineEvent =>
	({ id: `e${++seq}`, at: seq * 1000, by: facilitator, channel: 'app', ...e }) as TimelineEvent;

describe('proposal status machine', () => {
	it('lets proposers submit and only screeners decide', () => {
		expect(canTransition('draft', 'submitted', 'resident')).toBe(true);
		expect(canTransition('submitted', 'accepted', 'resident')).toBe(false);
		expect(canTransition('submitted', 'accepted', 'facilitator')).toBe(true);
		expect(canTransition('escalated', 'accepted', 'facilitator', 'street')).toBe(false);
		expect(canTransition('escalated', 'accepted', 'street_admin', 'street')).toBe(true);
		expect(allowedTransitions('screening', 'facilitator').sort()).toEqual(['accepted', 'escalated', 'merged', 'rejected', 'settled']);
		expect(allowedTransitions('closed', 'community_admin')).toEqual([]);
	});

	it("keeps a community admin's answer to a referral recorded under the rules before levels", () => {
		const admin = adminActor({ name: '何建华' });
		const folded = foldTimeline([
			ev({ type: 'created', by: resident, status: 'submitted', at: 1 }),
			ev({ type: 'transition', from: 'submitted', to: 'escalated', at: 2 }),
			ev({ type: 'transition', from: 'escalated', to: 'accepted', by: admin, at: 3 }),
			ev({ type: 'transition', from: 'accepted', to: 'topic', at: 4 })
		]);
		expect(folded.status).toBe('topic');
		expect(folded.level).toBe('community');
		expect(folded.superseded.size).toBe(0);
		// Recorded today, it is the street's to answer.
		const now = Date.UTC(2026, 11, 5);
		const today = foldTimeline([
			ev({ type: 'created', by: resident, status: 'submitted', at: now }),
			ev({ type: 'transition', from: 'submitted', to: 'escalated', at: now + 1 }),
			ev({ type: 'transition', from: 'escalated', to: 'accepted', by: admin, at: now + 2 })
		]);
		expect(today.status).toBe('escalated');
	});

	it('folds the creation first, even when a step shares its millisecond or comes from a clock behind', () => {
		const created = ev({ id: 'zzz', type: 'created', by: resident, status: 'submitted', at: 5000 });
		const same = ev({ id: 'aaa', type: 'transition', from: 'submitted', to: 'accepted', at: 5000 });
		expect(foldTimeline([same, created]).status).toBe('accepted');
		const behind = ev({ id: 'bbb', type: 'transition', from: 'submitted', to: 'screening', at: 4000 });
		expect(foldTimeline([behind, created]).status).toBe('screening');
	});

	it('gives each level its handlers: a grid worker settles or refers a grid matter, the street takes up referrals', () => {
		expect(allowedTransitions('submitted', 'grid_worker', 'grid').sort()).toEqual(['accepted', 'escalated', 'merged', 'rejected', 'screening', 'settled']);
		expect(allowedTransitions('submitted', 'grid_worker', 'community')).toEqual([]);
		// Topics and meetings are the community's, even for a grid matter.
		expect(canTransition('accepted', 'topic', 'grid_worker', 'grid')).toBe(false);
		expect(canTransition('accepted', 'topic', 'facilitator', 'grid')).toBe(true);
		// A street office refers nothing further up; it returns a matter one level down, with guidance.
		expect(canTransition('escalated', 'escalated', 'street_admin', 'street')).toBe(false);
		expect(canTransition('escalated', 'submitted', 'street_admin', 'street')).toBe(true);
		expect(canTransition('escalated', 'submitted', 'facilitator', 'grid')).toBe(false);
		expect(needsReason('submitted', 'escalated')).toBe(true);
		expect(levelAfter('submitted', 'escalated', 'grid')).toBe('community');
		expect(levelAfter('escalated', 'submitted', 'street')).toBe('community');
		expect(levelAfter('escalated', 'accepted', 'street')).toBe('street');
	});

	it('folds the level with the status: grid → community → street, answered there, and a stale answer superseded', () => {
		const gw = gridWorkerActor({ id: 'gw', name: '网格员' });
		const street = streetAdminActor({ id: 'st' });
		const events = [
			ev({ type: 'created', by: gw, status: 'submitted', at: 1 }),
			ev({ type: 'transition', from: 'submitted', to: 'escalated', by: gw, at: 2 }),
			ev({ type: 'transition', from: 'escalated', to: 'escalated', at: 3 }),
			// The street answers; a facilitator's late acceptance at the community is superseded (the matter left).
			ev({ type: 'transition', from: 'escalated', to: 'accepted', by: street, at: 4 }),
			ev({ type: 'transition', from: 'escalated', to: 'accepted', at: 4.5 })
		];
		const folded = foldTimeline(events, 'grid');
		expect(folded.status).toBe('accepted');
		expect(folded.level).toBe('street');
		expect(folded.superseded.size).toBe(1);
		// Before the street answered, a community handler could not answer at the street level.
		const early = foldTimeline([...events.slice(0, 3), ev({ type: 'transition', from: 'escalated', to: 'accepted', at: 3.5 })], 'grid');
		expect(early.status).toBe('escalated');
		expect([...early.superseded.values()][0]).toEqual({ code: 'role', role: 'facilitator' });
	});

	it('has no transition into draft and none out of terminal states', () => {
		for (const next of Object.values(TRANSITIONS)) expect(Object.keys(next ?? {})).not.toContain('draft');
		expect(TRANSITIONS.rejected).toBeUndefined();
		expect(TRANSITIONS.merged).toBeUndefined();
		expect(TRANSITIONS.closed).toBeUndefined();
	});

	it('folds the timeline into the current status', () => {
		const events = [
			ev({ type: 'created', by: resident, status: 'submitted' }),
			ev({ type: 'transition', from: 'submitted', to: 'screening' }),
			ev({ type: 'transition', from: 'screening', to: 'accepted' })
		];
		expect(foldTimeline(events).status).toBe('accepted');
		expect(foldTimeline([...events].reverse()).status).toBe('accepted');
	});

	it('keeps both of two concurrent screening decisions and applies the earlier one', () => {
		const created = ev({ type: 'created', by: resident, status: 'submitted' });
		const accept = ev({ type: 'transition', from: 'submitted', to: 'accepted', by: facilitator });
		const reject = ev({ type: 'transition', from: 'submitted', to: 'rejected', by: facilitator2, reason: '私人纠纷', negativeItem: 3 });
		const folded = foldTimeline([reject, created, accept]);
		expect(folded.status).toBe('accepted');
		expect(folded.events).toHaveLength(3);
		expect(folded.superseded.get(reject.id)).toEqual({ code: 'stale', status: 'accepted' });
		expect(folded.superseded.has(accept.id)).toBe(false);
	});

	it('ignores a transition made by a role that may not make it', () => {
		const folded = foldTimeline([
			ev({ type: 'created', by: resident, status: 'submitted' }),
			ev({ type: 'transition', from: 'submitted', to: 'accepted', by: resident })
		]);
		expect(folded.status).toBe('submitted');
		expect([...folded.superseded.values()]).toEqual([{ code: 'role', role: 'resident' }]);
	});

	it('orders events with equal times by id so every device folds alike', () => {
		const a = { ...ev({ type: 'transition', from: 'submitted', to: 'accepted' }), at: 5, id: 'a' } as TimelineEvent;
		const b = { ...ev({ type: 'transition', from: 'submitted', to: 'rejected', reason: 'x' }), at: 5, id: 'b' } as TimelineEvent;
		const created = { ...ev({ type: 'created', by: resident, status: 'submitted' }), at: 1 } as TimelineEvent;
		expect(foldTimeline([b, a, created]).status).toBe('accepted');
		expect(foldTimeline([created, a, b]).status).toBe('accepted');
	});

	it('starts as draft when nothing was created yet', () => {
		expect(foldTimeline([]).status).toBe('draft');
	});

	it('finds the forward steps a project stage moves a proposal through, never a side exit', () => {
		expect(forwardPath('decided', 'in_progress', 'facilitator')).toEqual(['in_progress']);
		expect(forwardPath('decided', 'publicised', 'facilitator')).toEqual(['in_progress', 'inspected', 'publicised']);
		expect(forwardPath('decided', 'funding', 'community_admin')).toEqual(['funding']);
		expect(forwardPath('funding', 'closed', 'facilitator')).toEqual(['in_progress', 'inspected', 'publicised', 'closed']);
		// A project never decides for a proposal still in deliberation or voting.
		expect(forwardPath('topic', 'funding', 'facilitator')).toEqual([]);
		expect(forwardPath('voting', 'in_progress', 'facilitator')).toEqual([]);
		// Already there, past it, not allowed, or out of the workflow.
		expect(forwardPath('inspected', 'inspected', 'facilitator')).toEqual([]);
		expect(forwardPath('publicised', 'in_progress', 'facilitator')).toEqual([]);
		expect(forwardPath('decided', 'in_progress', 'resident')).toEqual([]);
		expect(forwardPath('rejected', 'closed', 'facilitator')).toEqual([]);
		expect(forwardPath('submitted', 'in_progress', 'facilitator')).toEqual([]);
		// Every step found is one the status machine accepts.
		let from: ProposalStatus = 'decided';
		for (const to of forwardPath(from, 'closed', 'facilitator')) {
			expect(canTransition(from, to, 'facilitator')).toBe(true);
			from = to;
		}
		expect(from).toBe('closed');
	});
});

describe('proposal validation', () => {
	it('accepts a complete individual proposal', () => {
		expect(validateProposal(draft())).toEqual([]);
	});

	it('requires title, description and a category of the encouraged list', () => {
		const issues = validateProposal(draft({ title: ' ', description: '', category: '' }));
		expect(issues.map((i) => i.field)).toEqual(['title', 'description', 'category']);
		expect(validateProposal(draft({ title: 'x'.repeat(81) }))).toEqual([{ field: 'title', code: 'too_long' }]);
	});

	it('needs the minimum of distinct co-signing households for a joint proposal', () => {
		const joint = draft({ kind: 'joint', household: 'h1' });
		expect(validateProposal(joint, ['h2', 'h2', 'h1'], { minCoSigners: 2 })).toEqual([
			{ field: 'coSigners', code: 'too_few', have: 1, need: 2 }
		]);
		expect(validateProposal(joint, ['h2', 'h3'], { minCoSigners: 2 })).toEqual([]);
		expect(countCoSigners(['a', 'b', 'a', ''], 'b')).toBe(1);
	});

	it('needs an organisation name for an organisational proposal', () => {
		expect(validateProposal(draft({ kind: 'organisational' }))).toEqual([{ field: 'organisation', code: 'required' }]);
		expect(validateProposal(draft({ kind: 'organisational', organisation: '红枫志愿队' }))).toEqual([]);
	});

	it('flags possible negative-list matches with the item and its reason', () => {
		const flags = screeningFlags({ title: '邻居吵架纠纷', description: '想让社区评评理' });
		expect(flags).toHaveLength(1);
		expect(flags[0]!.item.no).toBe(3);
		expect(flags[0]!.item.reasonZh).toContain('调解');
		expect(flags[0]!.matched).toEqual(['纠纷', '吵架']);
		expect(screeningFlags(draft())).toEqual([]);
	});
});

describe('who a proposal speaks for, and where each step was taken', () => {
	const gridWorker = gridWorkerActor({ name: '赵网格' });

	it('names the household and the grid worker who recorded it at the door', () => {
		expect(proposerOf({ household: '3-3-301', createdBy: gridWorker, channel: 'visit' })).toEqual({
			household: '3-3-301',
			recordedBy: gridWorker,
			channel: 'visit'
		});
	});

	it('has no recorder when the household filed for itself, or no household was named', () => {
		expect(proposerOf({ household: '3-3-301', createdBy: resident, channel: 'app' })).toEqual({ household: '3-3-301', channel: 'app' });
		expect(proposerOf({ createdBy: facilitator, channel: 'box' })).toEqual({ channel: 'box' });
		expect(proposerOf({ household: '', createdBy: gridWorker, channel: 'visit' })).toEqual({ channel: 'visit' });
	});

	it('offers a meeting for a decision, the door for a grid worker, the app otherwise', () => {
		expect(defaultStepChannel('decided', 'facilitator')).toBe('meeting');
		expect(defaultStepChannel('settled', 'grid_worker')).toBe('visit');
		expect(defaultStepChannel('accepted', 'facilitator')).toBe('app');
	});
});
