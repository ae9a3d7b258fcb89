import { describe, expect, it } from 'vitest';
import {
	type ConventionMeta,
	conventionState,
	mayRatify,
	nextVersion,
	parseVersion,
	type Ratification,
	type RatificationResult,
	rulesInForce,
	type Suggestion,
	type Version
} from './conventions';
import { diffSize, versionDiff } from './convention-diff';
import { adminActor, facilitatorActor, residentActor } from './testing';

const ZHOU = facilitatorActor({ id: 'staff-zhou' });
const LIN = adminActor({ id: 'staff-lin', name: '林静' });
const WANG = residentActor({ id: 'dev-wang', name: '王阿姨' });

const META: ConventionMeta = { id: 'c1', title: '活动室使用公约', scope: { kind: 'room', room: 'room-1' }, by: ZHOU, at: 1 };
const v = (n: number, text: string, at: number, extra: Partial<Version> = {}): Version => ({ n, text, rules: null, accepted: [], by: ZHOU, at, note: '', ...extra });
const suggestion = (id: string, at: number): Suggestion => ({
	id,
	kind: 'change',
	anchor: { start: 'a', end: 'b' },
	quote: '晚上九点',
	replacement: '晚上八点半',
	comment: '老人睡得早',
	by: WANG,
	at
});
const ratification = (id: string, version: number, at: number): Ratification => ({ id, version, poll: `poll-${id}`, rule: 'civil_code', by: ZHOU, at });
const result = (r: string, outcome: RatificationResult['outcome'], day: string, at: number, by = ZHOU): RatificationResult => ({ ratification: r, outcome, day, by, at });

describe('the convention loop', () => {
	it('drafts, takes suggestions into a version, ratifies it and puts it in force', () => {
		const s1 = suggestion('s1', 10);
		let state = conventionState(META, [v(1, '开放时间：早八点到晚上九点。', 5)], [s1], [], [], []);
		expect(state.stage).toBe('drafting');
		expect(state.open.map((s) => s.id)).toEqual(['s1']);
		expect(mayRatify(state, 1)).toBe('ok');

		const verdict = { suggestion: 's1', verdict: 'accepted' as const, by: ZHOU, at: 20, note: '' };
		state = conventionState(META, [v(1, '开放时间：早八点到晚上九点。', 5)], [s1], [verdict], [], []);
		expect(nextVersion(state)).toEqual({ n: 2, accepted: ['s1'] });

		const v2 = v(2, '开放时间：早八点到晚上八点半。', 30, { accepted: ['s1'], rules: { hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '20:30' }] } });
		const versions = [v(1, '开放时间：早八点到晚上九点。', 5), v2];
		state = conventionState(META, versions, [s1], [verdict], [ratification('r1', 2, 40)], []);
		expect(state.stage).toBe('ratifying');
		expect(mayRatify(state, 2)).toBe('already_open');

		state = conventionState(META, versions, [s1], [verdict], [ratification('r1', 2, 40)], [result('r1', 'carried', '2026-12-20', 50)]);
		expect(state.stage).toBe('in_force');
		expect(state.inForce).toMatchObject({ version: { n: 2 }, since: '2026-12-20' });
		expect(rulesInForce(state)?.hours?.[0]?.close).toBe('20:30');
		expect(nextVersion(state).accepted).toEqual([]);
	});

	it('keeps the version in force while an amendment is drafted and voted, and while a vote fails', () => {
		const versions = [v(1, '甲', 1), v(2, '乙', 2), v(3, '丙', 3)];
		const rats = [ratification('r1', 2, 10), ratification('r2', 3, 20)];
		const drafting = conventionState(META, versions, [], [], [rats[0]!], [result('r1', 'carried', '2026-12-01', 11)]);
		expect(drafting).toMatchObject({ stage: 'drafting', amending: true, inForce: { version: { n: 2 } } });
		const failed = conventionState(META, versions, [], [], rats, [result('r1', 'carried', '2026-12-01', 11), result('r2', 'no_quorum', '2027-01-05', 21)]);
		expect(failed.inForce?.version.n).toBe(2);
		expect(failed.stage).toBe('drafting');
		const amended = conventionState(META, versions, [], [], rats, [result('r1', 'carried', '2026-12-01', 11), result('r2', 'carried', '2027-01-05', 21)]);
		expect(amended).toMatchObject({ stage: 'in_force', amending: false, inForce: { version: { n: 3 }, since: '2027-01-05' } });
	});

	it('holds the first of two offline records: verdicts, results and version numbers', () => {
		const s1 = suggestion('s1', 10);
		const yes = { suggestion: 's1', verdict: 'accepted' as const, by: ZHOU, at: 20, note: '' };
		const no = { suggestion: 's1', verdict: 'rejected' as const, by: LIN, at: 21, note: '' };
		for (const order of [[yes, no], [no, yes]]) expect(conventionState(META, [], [s1], order, [], []).suggestions[0]!.verdict?.verdict).toBe('accepted');
		const twoV2 = conventionState(META, [v(2, '后写的', 31), v(1, '一', 1), v(2, '先写的', 30)], [], [], [], []);
		expect(twoV2.versions.map((x) => x.text)).toEqual(['一', '先写的']);
		const results = [result('r1', 'not_carried', '2026-12-01', 12, LIN), result('r1', 'carried', '2026-12-01', 11)];
		expect(conventionState(META, [v(1, '一', 1)], [], [], [ratification('r1', 1, 10)], results).inForce?.version.n).toBe(1);
	});

	it('refuses to ratify over unanswered suggestions, a missing version or the one in force', () => {
		const state = conventionState(META, [v(1, '一', 50)], [suggestion('s1', 10)], [], [], []);
		expect(mayRatify(state, 1)).toBe('open_suggestions');
		expect(mayRatify(state, 2)).toBe('no_version');
		const inForce = conventionState(META, [v(1, '一', 5)], [], [], [ratification('r1', 1, 10)], [result('r1', 'carried', '2026-12-01', 11)]);
		expect(mayRatify(inForce, 1)).toBe('in_force');
	});

	it('ignores a result for a ratification that does not exist, and a version with malformed rules keeps none', () => {
		const state = conventionState(META, [v(1, '一', 5)], [], [], [], [result('ghost', 'carried', '2026-12-01', 11)]);
		expect(state.inForce).toBeNull();
		expect(parseVersion({ ...v(1, '一', 5), rules: { slotMinutes: 7 } })?.rules).toBeNull();
	});
});

describe('version diffs', () => {
	it('shows a changed clause as one removal and one addition, in reading order', () => {
		const parts = versionDiff('开放时间：早八点到晚上九点。\n请保持清洁。', '开放时间：早八点到晚上八点半。\n请保持清洁。');
		expect(parts.map((p) => p.kind)).toEqual(['same', 'removed', 'added', 'same']);
		expect(parts.filter((p) => p.kind !== 'same').map((p) => p.text)).toEqual(['九点', '八点半']);
		expect(diffSize(parts)).toEqual({ added: 3, removed: 2 });
		// Reading the old and the new text back out of the diff gives both versions exactly.
		const back = (keep: 'added' | 'removed') => parts.filter((p) => p.kind !== keep).map((p) => p.text).join('');
		expect(back('added')).toBe('开放时间：早八点到晚上九点。\n请保持清洁。');
		expect(back('removed')).toBe('开放时间：早八点到晚上八点半。\n请保持清洁。');
	});

	it('is empty of changes between equal versions', () => {
		expect(versionDiff('一致', '一致')).toEqual([{ kind: 'same', text: '一致' }]);
	});
});
