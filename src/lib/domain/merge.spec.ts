import { describe, expect, it } from 'vitest';
import type { Actor } from './actor';
import { coSignersWithMerged, type MergeParty, mergedClosure, mergedView, mergeOf, withMergeEvents } from './merge';
import { foldTimeline, type TimelineEvent } from './proposal';
import { facilitatorActor, gridWorkerActor, residentActor } from './testing';

const liu = residentActor();
const zhang = residentActor({ id: 'r2', name: '张大爷' });
const wang = residentActor({ id: 'r3', name: '王师傅' });
const fac = facilitatorActor();
const fac2 = facilitatorActor({ id: 'f2', name: '李社工' });
const grid = gridWorkerActor();

let seq = 0;
const ev = (e: Partial<TimelineEvent> & Pick<TimelineEvent, 'type'>): TimelineEvent =>
	({ id: `e${++seq}`, at: seq * 1000, by: fac, channel: 'app', ...e }) as TimelineEvent;

function party(doc: string, over: Partial<MergeParty> = {}, steps: TimelineEvent[] = []): MergeParty {
	const by = over.createdBy ?? liu;
	return {
		doc,
		title: doc,
		createdAt: 1,
		createdBy: by,
		channel: 'app',
		coSigners: [],
		supporters: [],
		timeline: foldTimeline([ev({ type: 'created', by, status: 'submitted', at: 1 }), ...steps]),
		...over
	};
}

const merge = (into: string, at: number, by: Actor = fac, reason?: string) =>
	ev({ type: 'transition', from: 'submitted', to: 'merged', target: into, at, by, ...(reason ? { reason } : {}) });
const sign = (household: string, name: string, at = 5) => ({ household, name, at, by: fac, channel: 'visit' as const });

describe('mergeOf', () => {
	it('names the target of the merge that took effect, and none for a merge superseded by another decision', () => {
		const merged = foldTimeline([ev({ type: 'created', by: liu, status: 'submitted', at: 1 }), merge('d:proposal:y', 10)]);
		expect(mergeOf(merged)?.target).toBe('d:proposal:y');
		// Another screener rejected it first, offline: the merge stays in the timeline, not applied.
		const rejectedFirst = foldTimeline([
			ev({ type: 'created', by: liu, status: 'submitted', at: 1 }),
			ev({ type: 'transition', from: 'submitted', to: 'rejected', at: 9, by: fac2, reason: '重复' }),
			merge('d:proposal:y', 10)
		]);
		expect(rejectedFirst.status).toBe('rejected');
		expect(mergeOf(rejectedFirst)).toBeNull();
	});
});

describe('the merged view of a target', () => {
	const y = party('y', {
		household: 'b1-1-101',
		coSigners: [sign('b1-1-102', '赵'), sign('b1-1-103', '钱')],
		supporters: [{ id: 'b1-1-104', at: 3, by: wang }]
	});
	const x = party(
		'x',
		{
			household: 'b1-1-201',
			createdBy: zhang,
			coSigners: [sign('b1-1-103', '钱'), sign('b1-1-202', '孙')],
			supporters: [
				{ id: 'b1-1-104', at: 4, by: wang },
				{ id: 'b1-1-203', at: 6, by: wang }
			]
		},
		[merge('y', 20, fac, '与《y》重复')]
	);

	it('lists the merged proposal with its merge step, and counts its households once each', () => {
		const view = mergedView(y, [x]);
		expect(view.sources).toMatchObject([{ doc: 'x', household: 'b1-1-201', mergedAt: 20, mergedBy: fac, reason: '与《y》重复', coSigners: 2, supporters: 2 }]);
		// Own co-signers first; then the household that filed x, and x's co-signer not already signed.
		expect(view.coSigners.map((c) => [c.household, c.from ?? '', c.proposer ?? false])).toEqual([
			['b1-1-102', '', false],
			['b1-1-103', '', false],
			['b1-1-201', 'x', true],
			['b1-1-202', 'x', false]
		]);
		expect(view.coSigners.find((c) => c.proposer)?.name).toBe('张大爷');
		expect(view.supporters.map((s) => [s.id, s.from ?? ''])).toEqual([
			['b1-1-104', ''],
			['b1-1-203', 'x']
		]);
		expect(view.events).toEqual([
			{ id: 'merged-in:x', type: 'merged_in', at: 20, by: fac, channel: 'app', source: 'x', title: 'x', reason: '与《y》重复' }
		]);
	});

	it("never counts the target's own household as its co-signer, nor a door proposal's recorder by name", () => {
		const door = party('d', { household: 'b1-1-101', createdBy: grid, channel: 'visit' }, [merge('y', 30)]);
		const other = party('o', { household: 'b1-1-301', createdBy: grid, channel: 'visit' }, [merge('y', 31)]);
		const view = mergedView(y, [door, other]);
		expect(view.coSigners.map((c) => c.household)).toEqual(['b1-1-102', 'b1-1-103', 'b1-1-301']);
		expect(view.coSigners.at(-1)).toMatchObject({ name: '', proposer: true, from: 'o' });
	});

	it('carries a chain across: a proposal merged into one that was merged here', () => {
		const z = party('z', { household: 'b2-1-101' }, [merge('x', 15)]);
		const view = mergedView(y, [x, z]);
		expect(view.sources.map((s) => [s.doc, s.via ?? ''])).toEqual([
			['z', 'x'],
			['x', '']
		]);
		expect(view.coSigners.map((c) => c.household)).toContain('b2-1-101');
		expect(view.events.map((e) => e.source)).toEqual(['z', 'x']);
	});

	it('ignores proposals merged elsewhere, superseded merges and unrelated ones', () => {
		const elsewhere = party('e', { household: 'b3-1-101' }, [merge('w', 12)]);
		const superseded = party('s', { household: 'b3-1-102' }, [
			ev({ type: 'transition', from: 'submitted', to: 'accepted', at: 11 }),
			merge('y', 12)
		]);
		const view = mergedView(y, [elsewhere, superseded, party('u'), y]);
		expect(view.sources).toEqual([]);
		expect(view.coSigners).toHaveLength(2);
		expect(view.supporters).toHaveLength(1);
		expect(view.events).toEqual([]);
	});

	it("places the merges in the target's timeline by time, after its creation", () => {
		const own = y.timeline.events.concat([ev({ type: 'comment', text: '好', at: 30 } as Partial<TimelineEvent> & { type: 'comment' })]);
		const shown = withMergeEvents(own, mergedView(y, [x]).events);
		expect(shown.map((e) => e.type)).toEqual(['created', 'merged_in', 'comment']);
		expect(withMergeEvents(own, [])).toEqual(own);
	});

	it('is the same whatever order the proposals come in', () => {
		const z = party('z', { household: 'b2-1-101' }, [merge('y', 25)]);
		expect(mergedView(y, [z, x])).toEqual(mergedView(y, [x, z]));
	});
});

describe('merges read from the index', () => {
	const entries = [
		{ doc: 'y', household: 'h1', coSigners: ['h2'] },
		{ doc: 'x', household: 'h3', coSigners: ['h2', 'h4'], mergedInto: 'y' },
		{ doc: 'z', household: 'h5', mergedInto: 'x' },
		{ doc: 'w', household: 'h6', mergedInto: 'v' },
		{ doc: 'loop1', mergedInto: 'loop2' },
		{ doc: 'loop2', mergedInto: 'loop1' }
	];

	it('finds everything merged into a proposal, nearest first, and ends a cycle', () => {
		expect(mergedClosure('y', entries)).toEqual(['x', 'z']);
		expect(mergedClosure('loop1', entries)).toEqual(['loop2']);
		expect(mergedClosure('h1', entries)).toEqual([]);
	});

	it('counts the co-signers and filers of merged proposals for the screening card, each household once', () => {
		expect(coSignersWithMerged('y', entries)).toEqual(['h2', 'h3', 'h4', 'h5']);
		expect(coSignersWithMerged('w', entries)).toEqual([]);
	});
});
