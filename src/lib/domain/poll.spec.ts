import { describe, expect, it } from 'vitest';
import {
	ballotsOfOwnGrids,
	type Ballot,
	type BallotChannel,
	canSeeTally,
	centiArea,
	closedBy,
	type HandCount,
	latestByHousehold,
	mayPublishTally,
	needed,
	ownBallotStatus,
	type PollDraft,
	pollStatus,
	reaches,
	resolveElectorate,
	RULES,
	type PollRule,
	sameTally,
	summarize,
	type TallyPoll,
	tallyPoll,
	validatePoll,
	type Voter
} from './poll';
import { facilitatorActor, gridWorkerActor, pollDraft, residentActor, yesNo, yesNoAbstain } from './testing';

const DAY = 86_400_000;
const OPEN = 1_000 * DAY;
const CLOSE = OPEN + 7 * DAY;

const worker = gridWorkerActor({ id: 'gw1' });
const facilitator = facilitatorActor();
const resident = residentActor({ id: 'dev-r1' });

const YES_NO = yesNo();
const WITH_ABSTAIN = yesNoAbstain();

function poll(over: Partial<TallyPoll> = {}): TallyPoll {
	return { options: YES_NO, rule: RULES.simple_majority, opensAt: OPEN, closesAt: CLOSE, closures: [], handCounts: [], ...over };
}

/** n voters of `m2` square metres each, ids h1…hn. */
function voters(n: number, m2 = 80): Voter[] {
	return Array.from({ length: n }, (_, i) => ({ id: `h${i + 1}`, area: centiArea(m2) }));
}

let seq = 0;
function ballot(household: string, option: string | null, over: Partial<Ballot> = {}): Ballot {
	seq++;
	const channel: BallotChannel = over.channel ?? 'visit';
	const by = channel === 'app' ? resident : channel === 'meeting' ? facilitator : worker;
	return { id: `b${String(seq).padStart(4, '0')}`, household, option, at: OPEN + seq * 1000, channel, by, device: by.id, ...over };
}

/** One ballot per household: the first `yes` households vote yes, the next `no` vote no. */
function votes(yes: number, no: number, offset = 0): Ballot[] {
	return [
		...Array.from({ length: yes }, (_, i) => ballot(`h${offset + i + 1}`, 'yes')),
		...Array.from({ length: no }, (_, i) => ballot(`h${offset + yes + i + 1}`, 'no'))
	];
}

function hands(session: string, counts: Record<string, number>, at: number, id = `hc${++seq}`): HandCount {
	return { id, session, at, by: facilitator, counts };
}

describe('exact thresholds', () => {
	it('compares fractions in integers, at and around the boundary', () => {
		const twoThirds = { num: 2, den: 3, strict: false };
		const half = { num: 1, den: 2, strict: true };
		const threeQuarters = { num: 3, den: 4, strict: false };
		expect(reaches(2, 3, twoThirds)).toBe(true);
		expect(reaches(1999, 3000, twoThirds)).toBe(false);
		expect(reaches(2000, 3000, twoThirds)).toBe(true);
		expect(reaches(5, 10, half)).toBe(false);
		expect(reaches(6, 10, half)).toBe(true);
		expect(reaches(6, 8, threeQuarters)).toBe(true);
		expect(reaches(5, 8, threeQuarters)).toBe(false);
		expect(reaches(0, 0, half)).toBe(false);
	});

	it('says how many are needed, exactly', () => {
		expect(needed(3, { num: 2, den: 3, strict: false })).toBe(2);
		expect(needed(10, { num: 2, den: 3, strict: false })).toBe(7);
		expect(needed(10, { num: 1, den: 2, strict: true })).toBe(6);
		expect(needed(9, { num: 1, den: 2, strict: true })).toBe(5);
		expect(needed(8, { num: 3, den: 4, strict: false })).toBe(6);
		// A large area in 0.01 m² units: 1,790 households of ~90 m².
		const area = 16_110_000;
		const need = needed(area, { num: 2, den: 3, strict: false });
		expect(reaches(need, area, { num: 2, den: 3, strict: false })).toBe(true);
		expect(reaches(need - 1, area, { num: 2, den: 3, strict: false })).toBe(false);
	});

	it('judges an area share sitting exactly on 2/3 as reached, where floating point would not be trusted', () => {
		// 0.1 + 0.2 style areas: 100.1 + 100.2 of 300.45 m² is exactly 2/3 in 0.01 m² units.
		const vs: Voter[] = [
			{ id: 'h1', area: centiArea(100.1) },
			{ id: 'h2', area: centiArea(100.2) },
			{ id: 'h3', area: centiArea(100.15) }
		];
		expect(vs.map((v) => v.area)).toEqual([10010, 10020, 10015]);
		const t = tallyPoll(poll({ rule: RULES.civil_code }), vs, [ballot('h1', 'yes'), ballot('h2', 'yes')]);
		expect(t.participationArea).toMatchObject({ have: 20030, whole: 30045, reached: true });
		expect(t.participationHouseholds).toMatchObject({ have: 2, whole: 3, need: 2, reached: true });
	});
});

describe('the Civil Code rule, weighted by floor area', () => {
	it('needs 2/3 of the households AND 2/3 of the floor area to participate', () => {
		// Ten flats: two large (200 m²) and eight small (50 m²); 1,400 m² in all, 2/3 is 933.34 m².
		const vs = [...voters(2, 200), ...voters(8, 50).map((v, i) => ({ ...v, id: `s${i + 1}` }))];
		// Seven small flats vote: 70% of households but only 350 m² (25%) of the area.
		const small = Array.from({ length: 7 }, (_, i) => ballot(`s${i + 1}`, 'yes'));
		const t = tallyPoll(poll({ rule: RULES.civil_code }), vs, small);
		expect(t.participationHouseholds?.reached).toBe(true);
		expect(t.participationArea?.reached).toBe(false);
		expect(t.outcome).toEqual({ kind: 'no_quorum' });
		// With the two large flats (for 6 of 10 households, 1,100 m²) area is reached but households are not.
		const large = [ballot('h1', 'yes'), ballot('h2', 'yes'), ...small.slice(0, 4)];
		const t2 = tallyPoll(poll({ rule: RULES.civil_code }), vs, large);
		expect(t2.participationArea?.reached).toBe(true);
		expect(t2.participationHouseholds).toMatchObject({ have: 6, need: 7, reached: false });
		expect(t2.outcome.kind).toBe('no_quorum');
	});

	it('carries with more than half of the participants by number AND by area', () => {
		const vs = [...voters(2, 200), ...voters(8, 50).map((v, i) => ({ ...v, id: `s${i + 1}` }))];
		// Participants: both large flats (no) and six small ones (yes): 6/8 by number, 300/700 m² by area.
		const bs = [ballot('h1', 'no'), ballot('h2', 'no'), ...Array.from({ length: 6 }, (_, i) => ballot(`s${i + 1}`, 'yes'))];
		const t = tallyPoll(poll({ rule: RULES.civil_code }), vs, bs);
		expect(t.participationReached).toBe(true);
		const yes = t.options.find((o) => o.id === 'yes')!;
		expect(yes.approvalHouseholds?.reached).toBe(true);
		expect(yes.approvalArea).toMatchObject({ have: 30000, whole: 70000, reached: false });
		expect(t.outcome).toEqual({ kind: 'not_carried' });
	});

	it('major works need at least 3/4, and exactly 3/4 is enough', () => {
		const vs = voters(8);
		const exact = tallyPoll(poll({ rule: RULES.civil_code_major }), vs, votes(6, 2));
		expect(exact.options[0]!.approvalHouseholds).toMatchObject({ have: 6, whole: 8, need: 6, reached: true });
		expect(exact.outcome).toEqual({ kind: 'carried', option: 'yes' });
		const short = tallyPoll(poll({ rule: RULES.civil_code_major }), vs, votes(5, 3));
		expect(short.outcome).toEqual({ kind: 'not_carried' });
		// The same 5 of 8 carries under the ordinary rule (more than half).
		expect(tallyPoll(poll({ rule: RULES.civil_code }), vs, votes(5, 3)).outcome).toEqual({ kind: 'carried', option: 'yes' });
	});

	it('counts a household without a floor area in the register towards numbers only, and says how many lack one', () => {
		const vs = [...voters(3), { id: 'h4', area: centiArea(Number.NaN) }];
		const t = tallyPoll(poll({ rule: RULES.civil_code }), vs, votes(0, 0));
		expect(t.electorate).toEqual({ households: 4, area: 24000, missingArea: 1 });
	});
});

describe('simple majority, ties and abstentions', () => {
	it('needs more than half of the participants: an even split carries nothing and both lead', () => {
		const t = tallyPoll(poll(), voters(10), votes(2, 2));
		expect(t.outcome).toEqual({ kind: 'not_carried' });
		expect(t.leading).toEqual(['yes', 'no']);
		expect(tallyPoll(poll(), voters(10), votes(3, 2)).outcome).toEqual({ kind: 'carried', option: 'yes' });
	});

	it('reports a tie when a custom rule of "at least half" lets two options reach it', () => {
		const rule: PollRule = { ...RULES.simple_majority, kind: 'custom', approvalHouseholds: { num: 1, den: 2, strict: false } };
		const t = tallyPoll(poll({ rule }), voters(4), votes(2, 2));
		expect(t.outcome).toEqual({ kind: 'tie', options: ['yes', 'no'] });
	});

	it('counts an abstention as participation but never as approval', () => {
		const bs = [...votes(3, 2), ballot('h6', 'abstain'), ballot('h7', 'abstain')];
		const t = tallyPoll(poll({ options: WITH_ABSTAIN }), voters(10), bs);
		expect(t.participants.households).toBe(7);
		expect(t.options.find((o) => o.id === 'abstain')).toMatchObject({ households: 2, approvalHouseholds: null, approved: false });
		// 3 of 7 is not more than half.
		expect(t.outcome).toEqual({ kind: 'not_carried' });
	});

	it('has no winner and no leader when nobody voted', () => {
		const t = tallyPoll(poll(), voters(5), []);
		expect(t.outcome).toEqual({ kind: 'not_carried' });
		expect(t.leading).toEqual([]);
	});
});

describe('one voice per household: the conflict rule', () => {
	it('keeps every ballot, counts the latest, and lists a household voting through two channels for audit', () => {
		const app = ballot('h1', 'no', { channel: 'app', at: OPEN + 1000 });
		const door = ballot('h1', 'yes', { channel: 'visit', at: OPEN + 5000 });
		const t = tallyPoll(poll(), voters(3), [door, app, ballot('h2', 'yes')]);
		expect(t.counted.get('h1')?.id).toBe(door.id);
		expect(t.options.find((o) => o.id === 'yes')?.households).toBe(2);
		expect(t.options.find((o) => o.id === 'no')?.households).toBe(0);
		expect(t.conflicts).toHaveLength(1);
		expect(t.conflicts[0]).toMatchObject({ household: 'h1', counted: door.id, channels: ['app', 'visit'] });
		expect(t.conflicts[0]!.ballots.map((b) => b.id)).toEqual([app.id, door.id]);
	});

	it('lists two devices of the same channel (two grid workers at the door) but not one device changing its mind', () => {
		const other = gridWorkerActor({ id: 'gw2', name: '陈丽娟' });
		const twoDevices = [ballot('h1', 'yes'), ballot('h1', 'no', { by: other, device: other.id })];
		expect(tallyPoll(poll(), voters(2), twoDevices).conflicts.map((c) => c.devices)).toEqual([['gw1', 'gw2']]);
		const sameDevice = [ballot('h1', 'yes', { channel: 'app' }), ballot('h1', 'no', { channel: 'app' })];
		const t = tallyPoll(poll(), voters(2), sameDevice);
		expect(t.conflicts).toEqual([]);
		expect(t.counted.get('h1')?.option).toBe('no');
	});

	it('breaks a tie of equal times by ballot id, whatever order the ballots merged in', () => {
		const a = ballot('h1', 'yes', { id: 'aaaa', at: OPEN + 10, channel: 'app' });
		const b = ballot('h1', 'no', { id: 'bbbb', at: OPEN + 10, channel: 'visit' });
		expect(tallyPoll(poll(), voters(1), [a, b]).counted.get('h1')?.id).toBe('bbbb');
		expect(tallyPoll(poll(), voters(1), [b, a]).counted.get('h1')?.id).toBe('bbbb');
		expect(latestByHousehold([b, a]).get('h1')?.id).toBe('bbbb');
	});

	it('takes a withdrawal as the latest word: the household no longer participates', () => {
		const bs = [ballot('h1', 'yes'), ballot('h2', 'yes'), ballot('h1', null)];
		const t = tallyPoll(poll(), voters(3), bs);
		expect(t.withdrawn).toBe(1);
		expect(t.participants.households).toBe(1);
		expect(t.options[0]!.households).toBe(1);
		// Voting again after withdrawing counts again.
		const again = tallyPoll(poll(), voters(3), [...bs, ballot('h1', 'no')]);
		expect(again.withdrawn).toBe(0);
		expect(again.options.map((o) => o.households)).toEqual([1, 1]);
	});

	it('withdrawn ballots can change the result under the Civil Code rule', () => {
		// 7 of 10 participate (quorum reached), then one withdraws: 6 of 10 is below 2/3.
		const bs = votes(5, 2);
		expect(tallyPoll(poll({ rule: RULES.civil_code }), voters(10), bs).outcome.kind).toBe('carried');
		const t = tallyPoll(poll({ rule: RULES.civil_code }), voters(10), [...bs, ballot('h7', null)]);
		expect(t.participationHouseholds).toMatchObject({ have: 6, need: 7, reached: false });
		expect(t.outcome.kind).toBe('no_quorum');
	});

	it('ignores ballots outside the window, for options the poll lacks, and of households outside the electorate', () => {
		const closure = { id: 'c1', at: OPEN + 50_000, by: facilitator, outcome: '通过' };
		const bs = [
			ballot('h1', 'yes', { at: OPEN - 1 }),
			ballot('h2', 'yes', { at: OPEN + 49_999 }),
			ballot('h3', 'yes', { at: OPEN + 50_000 }),
			ballot('h4', 'maybe', { at: OPEN + 10 }),
			ballot('x9', 'yes', { at: OPEN + 10 })
		];
		const t = tallyPoll(poll({ closures: [closure] }), voters(5), bs);
		expect(t.ignored).toEqual({ outside: 1, outsideWindow: 2, invalid: 1 });
		expect(t.participants.households).toBe(1);
		// An earlier valid ballot of the same household still counts when its later one is late.
		const t2 = tallyPoll(poll({ closures: [closure] }), voters(5), [ballot('h1', 'no', { at: OPEN + 10 }), ballot('h1', 'yes', { at: OPEN + 60_000 })]);
		expect(t2.counted.get('h1')?.option).toBe('no');
	});
});

describe('show of hands', () => {
	it('counts under simple majority, the latest count of a session replacing an earlier one', () => {
		const p = poll({
			handCounts: [
				hands('3栋楼头会', { yes: 4, no: 1 }, OPEN + 100),
				hands('3栋楼头会', { yes: 6, no: 2 }, OPEN + 200),
				hands('院坝会', { no: 3 }, OPEN + 300)
			]
		});
		const t = tallyPoll(p, voters(20), votes(1, 0));
		expect(t.handsCount).toBe(true);
		expect(t.participants).toMatchObject({ households: 1, hands: 11 });
		expect(t.options.map((o) => [o.households, o.hands])).toEqual([
			[1, 6],
			[0, 5]
		]);
		// 7 of 12 is more than half.
		expect(t.outcome).toEqual({ kind: 'carried', option: 'yes' });
	});

	it('cannot count under the Civil Code rule: the tally asks for per-household records', () => {
		const p = poll({ rule: RULES.civil_code, handCounts: [hands('议事会', { yes: 9 }, OPEN + 100)] });
		const t = tallyPoll(p, voters(10), votes(2, 0));
		expect(t.handsCount).toBe(false);
		expect(t.handsNotCounted).toBe(9);
		expect(t.needsHouseholdRecords).toBe(true);
		expect(t.participants).toMatchObject({ households: 2, hands: 0 });
		expect(t.outcome.kind).toBe('no_quorum');
	});

	it('ignores counts outside the window and for unknown options', () => {
		const p = poll({ handCounts: [hands('a', { yes: 5 }, OPEN - 1), hands('b', { maybe: 5, no: 2 }, OPEN + 1)] });
		expect(tallyPoll(p, voters(10), []).participants.hands).toBe(2);
	});
});

describe('electorate', () => {
	const households = [
		{ id: 'a1', building: 'b01', area: 80 },
		{ id: 'a2', building: 'b02', area: 90.5 },
		{ id: 'a3', building: 'b06', area: 70 },
		{ id: 'a3', building: 'b06', area: 70 }
	];
	const buildings = [
		{ id: 'b01', grid: 'g1' },
		{ id: 'b02', grid: 'g1' },
		{ id: 'b06', grid: 'g2' }
	];
	it('resolves the community, grids (through buildings) or buildings, once per household', () => {
		expect(resolveElectorate({ scope: 'community', ids: [] }, households, buildings).map((v) => v.id)).toEqual(['a1', 'a2', 'a3']);
		expect(resolveElectorate({ scope: 'grid', ids: ['g1'] }, households, buildings)).toEqual([
			{ id: 'a1', area: 8000 },
			{ id: 'a2', area: 9050 }
		]);
		expect(resolveElectorate({ scope: 'building', ids: ['b06'] }, households, buildings).map((v) => v.id)).toEqual(['a3']);
	});
});

describe('status and who sees the tally', () => {
	const times = { opensAt: OPEN, closesAt: CLOSE, closures: [] };
	it('is scheduled, open, then closed by time or earlier by a facilitator', () => {
		expect(pollStatus(times, OPEN - 1)).toBe('scheduled');
		expect(pollStatus(times, OPEN)).toBe('open');
		expect(pollStatus(times, CLOSE - 1)).toBe('open');
		expect(pollStatus(times, CLOSE)).toBe('closed');
		expect(closedBy(times, CLOSE)).toBe('time');
		const early = { ...times, closures: [{ id: 'c', at: OPEN + DAY, by: facilitator, outcome: '' }] };
		expect(pollStatus(early, OPEN + DAY + 1)).toBe('closed');
		expect(closedBy(early, OPEN + DAY + 1)).toBe('facilitator');
	});

	it('hides a hidden poll from everyone but facilitators and admins until it closes', () => {
		const hidden = { ...times, hideResults: true };
		for (const role of ['resident', 'grid_worker', 'street_admin'] as const) {
			expect(canSeeTally(hidden, role, OPEN + 1)).toBe(false);
			expect(canSeeTally(hidden, role, CLOSE)).toBe(true);
			expect(canSeeTally({ ...times, hideResults: false }, role, OPEN + 1)).toBe(true);
		}
		expect(canSeeTally(hidden, 'facilitator', OPEN + 1)).toBe(true);
		expect(canSeeTally(hidden, 'community_admin', OPEN + 1)).toBe(true);
		expect(mayPublishTally(hidden, OPEN + 1)).toBe(false);
		expect(mayPublishTally(hidden, CLOSE)).toBe(true);
	});
});

describe('publishing', () => {
	it('publishes aggregates only, and tells equal figures apart from changed ones', () => {
		const t = tallyPoll(poll(), voters(3), [ballot('h1', 'yes', { channel: 'app' }), ballot('h1', 'no')]);
		const s = summarize(t);
		expect(JSON.stringify(s)).not.toContain('h1');
		expect('conflicts' in s).toBe(false);
		expect(sameTally({ ...s, at: 1, final: false } as typeof s, { ...s, at: 2, final: false } as typeof s)).toBe(true);
		expect(sameTally(s, summarize(tallyPoll(poll(), voters(3), [])))).toBe(false);
	});
});

describe('validatePoll', () => {
	const draft = (over: Partial<PollDraft> = {}): PollDraft =>
		pollDraft({ title: '小游园加建凉亭', options: WITH_ABSTAIN, rule: RULES.civil_code, opensAt: OPEN, closesAt: CLOSE, ...over });
	it('accepts a complete draft and names each problem of a bad one', () => {
		expect(validatePoll(draft())).toEqual([]);
		expect(validatePoll(draft({ title: ' ' }))).toContainEqual({ field: 'title', code: 'required' });
		expect(validatePoll(draft({ options: [YES_NO[0]!] }))).toContainEqual({ field: 'options', code: 'too_few' });
		expect(validatePoll(draft({ options: [YES_NO[0]!, { id: 'x', label: '同意' }] }))).toContainEqual({ field: 'options', code: 'duplicate' });
		expect(validatePoll(draft({ options: [YES_NO[0]!, { id: 'x', label: '' }] }))).toContainEqual({ field: 'options', code: 'blank' });
		expect(validatePoll(draft({ electorate: { scope: 'building', ids: [] } }))).toContainEqual({ field: 'electorate', code: 'empty' });
		expect(validatePoll(draft({ closesAt: OPEN }))).toContainEqual({ field: 'closesAt', code: 'before_open' });
		expect(validatePoll(draft({ matters: ['demo:topic:t1', 'demo:proposal:p1'] }))).toEqual([]);
		expect(validatePoll(draft({ matters: ['demo:households:g1'] }))).toContainEqual({ field: 'matters', code: 'invalid' });
		const bad = { ...RULES.civil_code, approvalHouseholds: { num: 3, den: 2, strict: false } };
		expect(validatePoll(draft({ rule: bad }))).toContainEqual({ field: 'rule', code: 'invalid' });
	});
});

describe('ballots by the grid whose document holds them', () => {
	it("counts only a grid's own households from its document, so a grid worker cannot vote for another grid", () => {
		const buildings = [
			{ id: 'b1', grid: 'g1' },
			{ id: 'b2', grid: 'g2' }
		];
		const households = [
			{ id: 'b1-1-101', building: 'b1' },
			{ id: 'b2-1-101', building: 'b2' }
		];
		const ballot = (id: string, household: string) => ({ id, household }) as unknown as Ballot;
		const byGrid = new Map([
			['g1', [ballot('a', 'b1-1-101'), ballot('forged', 'b2-1-101'), ballot('unknown', 'b9-1-101')]],
			['g2', [ballot('b', 'b2-1-101')]]
		]);
		expect(ballotsOfOwnGrids(byGrid, households, buildings).map((b) => b.id)).toEqual(['a', 'b']);
	});
});

describe('ownBallotStatus', () => {
	it("names a door ballot that replaced the household's app ballot, with its channel and time", () => {
		const app = ballot('h1', 'yes', { channel: 'app' });
		const door = ballot('h1', 'no', { channel: 'visit' });
		const s = ownBallotStatus(poll(), [app, door], true, resident.id);
		expect(s.counted).toEqual({ option: 'no', at: door.at, channel: 'visit', by: 'grid_worker', mine: false });
		expect(s.superseded).toEqual({ option: 'yes', at: app.at, channel: 'app', by: 'resident', mine: true });
		// Agrees with the tally.
		expect(tallyPoll(poll(), voters(1), [app, door]).options.find((o) => o.id === 'no')?.households).toBe(1);
	});

	it('a later app ballot answers the door ballot and counts again; nothing is superseded', () => {
		const s = ownBallotStatus(poll(), [ballot('h1', 'yes', { channel: 'app' }), ballot('h1', 'no'), ballot('h1', 'yes', { channel: 'app' })], true, resident.id);
		expect(s.counted).toMatchObject({ option: 'yes', channel: 'app', mine: true });
		expect(s.superseded).toBeNull();
	});

	it('ignores ballots outside the window or with an unknown option, and counts nothing for a non-voter', () => {
		const app = ballot('h1', 'yes', { channel: 'app' });
		expect(ownBallotStatus(poll(), [app, ballot('h1', 'no', { at: CLOSE + 1 }), ballot('h1', 'maybe')], true, resident.id).superseded).toBeNull();
		expect(ownBallotStatus(poll(), [app, ballot('h1', 'no')], false, resident.id)).toEqual({ counted: null, superseded: null, voter: false });
	});
});
