import { describe, expect, it } from 'vitest';
import {
	type ActionItem,
	approvalIssues,
	type Attendee,
	attendanceSummary,
	type AttendeeChoice,
	cstInstant,
	cstTime,
	dateMismatch,
	type Decision,
	decisionEvents,
	foldVersions,
	groupMeetings,
	type HandCountRecord,
	isOverdue,
	type MeetingVote,
	meetingPhase,
	type MinutesVersion,
	type MinutesWork,
	minutesStatus,
	needsDateReason,
	nextOccurrence,
	notArrived,
	publication,
	type RichNode,
	richPlainText,
	sanitizeRich,
	sessionId,
	validateAction,
	validateDecision,
	validateMeeting,
	voteResult,
	weekdayOf
} from './meeting';
import { facilitatorActor, meetingDraft, secondFacilitatorActor, yesNoAbstain } from './testing';

const zhou = facilitatorActor();
const lin = secondFacilitatorActor();
const T0 = Date.UTC(2025, 4, 20, 11, 0); // Tue 2025-05-20 19:00 CST

// ---- factories ----

let seq = 0;
function attendee(name: string, capacity: Attendee['capacity'], over: Partial<Attendee> = {}): Attendee {
	seq++;
	return { id: `a${String(seq).padStart(3, '0')}`, name, capacity, at: T0 + seq * 1000, by: zhou, ...over };
}

function vote(over: Partial<MeetingVote> = {}): MeetingVote {
	return {
		id: 'v1',
		question: '是否同意在3栋楼道加装折叠爱心椅？',
		options: yesNoAbstain(),
		mode: 'hands',
		at: T0,
		by: zhou,
		...over
	};
}

const hands = (counts: Record<string, number>, at: number, id = `h${at}`, by = zhou): HandCountRecord => ({ id, vote: 'v1', counts, at, by });
const choice = (a: Attendee, option: string | null, at = T0 + 60_000): AttendeeChoice => ({ vote: 'v1', attendee: a.id, option, at, by: zhou });

function decision(over: Partial<Decision> = {}): Decision {
	return { id: 'd1', text: '3栋各单元加装折叠椅，由物业统一采购。', proposals: ['demo:proposal:p1', 'demo:proposal:p2'], at: T0, by: zhou, ...over };
}

function action(over: Partial<ActionItem> = {}): ActionItem {
	return { id: 'x1', task: '询价并采购折叠椅', owner: '物业公司', due: '2025-06-10', decision: 'd1', at: T0, by: zhou, ...over };
}

const paragraph = (text: string): RichNode => ({ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] });
const doc = (...content: RichNode[]): RichNode => ({ type: 'doc', content });

function work(over: Partial<MinutesWork> = {}): MinutesWork {
	const a = attendee('张桂英', 'building_head', { id: 'p1' });
	return {
		content: doc({ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: '一、爱心椅' }] }, paragraph('大家同意加装。')),
		attendees: [a, attendee('李建国', 'resident_rep', { id: 'p2' })],
		confirmations: [{ attendee: 'p1', at: T0, by: zhou }],
		votes: [vote()],
		hands: [hands({ yes: 2 }, T0 + 1)],
		choices: [],
		decisions: [decision()],
		actions: [action()],
		...over
	};
}

function version(id: string, at: number, w: MinutesWork = work(), note?: string): MinutesVersion {
	return { id, at, by: zhou, ...publication(w), ...(note ? { note } : {}) };
}

// ---- tests ----

describe('meeting draft', () => {
	const draft = meetingDraft();

	it('accepts a complete draft', () => {
		expect(validateMeeting(draft)).toEqual([]);
	});

	it('names every missing or invalid field', () => {
		const issues = validateMeeting({
			...draft,
			title: ' ',
			day: '2025-02-30',
			time: '24:00',
			durationMin: 0,
			place: '',
			facilitator: '',
			agenda: [{ title: '' }],
			invitees: [{ name: '王', capacity: 'mayor' as never }]
		});
		expect(issues.map((i) => `${i.field}:${i.code}`)).toEqual([
			'title:required',
			'day:invalid',
			'time:invalid',
			'duration:invalid',
			'place:required',
			'facilitator:required',
			'agenda:blank',
			'invitees:capacity'
		]);
	});

	it('allows a weekly slot only on a talk day', () => {
		expect(validateMeeting({ ...draft, recurrence: { weekday: 2, time: '09:00' } })).toEqual([{ field: 'recurrence', code: 'not_talk_day' }]);
		expect(validateMeeting({ ...draft, kind: 'talk_day', recurrence: { weekday: 2, time: '09:00' } })).toEqual([]);
		expect(validateMeeting({ ...draft, kind: 'talk_day', recurrence: { weekday: 8, time: '09:00' } })).toEqual([{ field: 'recurrence', code: 'invalid' }]);
	});
});

describe('time in China Standard Time', () => {
	it('reads and writes day and clock time in CST whatever the device zone', () => {
		expect(cstInstant('2025-05-20', '19:00')).toBe(T0);
		expect(cstTime(T0)).toBe('19:00');
		// 07:30 CST is still the previous day in UTC.
		expect(new Date(cstInstant('2025-05-21', '07:30')).toISOString()).toBe('2025-05-20T23:30:00.000Z');
		expect(weekdayOf('2025-05-20')).toBe(2);
		expect(weekdayOf('2025-05-25')).toBe(7);
	});

	it('finds the next session of a weekly talk day, counting one under way', () => {
		const tuesday9 = { weekday: 2, time: '09:00' };
		const at9 = cstInstant('2025-05-20', '09:00');
		expect(nextOccurrence(tuesday9, 120, at9 - 60_000)).toEqual({ day: '2025-05-20', at: at9 });
		expect(nextOccurrence(tuesday9, 120, at9 + 60 * 60_000).day).toBe('2025-05-20');
		expect(nextOccurrence(tuesday9, 120, at9 + 2 * 60 * 60_000).day).toBe('2025-05-27');
		expect(nextOccurrence({ weekday: 1, time: '00:00' }, 30, at9).day).toBe('2025-05-26');
		expect(sessionId('series1', '2025-05-27')).toBe('series1-20250527');
	});

	it('groups meetings into upcoming, recurring and past', () => {
		const m = (doc: string, startsAt: number, extra = {}) => ({ doc, startsAt, durationMin: 60, ...extra });
		const now = T0;
		const grouped = groupMeetings(
			[
				m('later', now + 3 * 86_400_000),
				m('soon', now + 3_600_000),
				m('now', now - 30 * 60_000),
				m('old', now - 10 * 86_400_000),
				m('older', now - 20 * 86_400_000),
				m('talk', 0, { recurrence: { weekday: 2, time: '09:00' } })
			],
			now
		);
		expect(grouped.upcoming.map((x) => x.doc)).toEqual(['now', 'soon', 'later']);
		expect(grouped.past.map((x) => x.doc)).toEqual(['old', 'older']);
		expect(grouped.series.map((x) => x.doc)).toEqual(['talk']);
		expect(meetingPhase({ startsAt: now - 30 * 60_000, durationMin: 60 }, now)).toBe('under_way');
	});
});

describe('dates that make no sense', () => {
	// A meeting on 9 December 2026 at 19:00 CST.
	const meeting = { startsAt: cstInstant('2026-12-09', '19:00') };

	it('flags a check-in or vote on another CST day than the meeting, before or after it', () => {
		expect(dateMismatch('attendance', meeting, cstInstant('2026-12-03', '10:00'))).toEqual({ action: 'attendance', meetingDay: '2026-12-09', actionDay: '2026-12-03' });
		expect(dateMismatch('vote', meeting, cstInstant('2026-12-10', '09:00'))?.actionDay).toBe('2026-12-10');
		// Any time on the day itself is the meeting's day, read in CST (00:30 CST is the previous day in UTC).
		expect(dateMismatch('attendance', meeting, cstInstant('2026-12-09', '00:30'))).toBeNull();
		expect(dateMismatch('vote', meeting, cstInstant('2026-12-09', '23:59'))).toBeNull();
		expect(dateMismatch('attendance', meeting, cstInstant('2026-12-08', '23:59'))).not.toBeNull();
	});

	it('lets minutes be approved on the day or later, never before', () => {
		expect(dateMismatch('approval', meeting, cstInstant('2026-12-03', '10:00'))).toMatchObject({ meetingDay: '2026-12-09', actionDay: '2026-12-03' });
		expect(dateMismatch('approval', meeting, cstInstant('2026-12-09', '21:00'))).toBeNull();
		expect(dateMismatch('approval', meeting, cstInstant('2026-12-15', '10:00'))).toBeNull();
	});

	it('asks for a reason only when the date makes no sense, and a blank one is none', () => {
		const early = cstInstant('2026-12-03', '10:00');
		expect(needsDateReason('attendance', meeting, early)).toBe(true);
		expect(needsDateReason('attendance', meeting, early, '  ')).toBe(true);
		expect(needsDateReason('attendance', meeting, early, '补录纸质签到表')).toBe(false);
		expect(needsDateReason('attendance', meeting, meeting.startsAt)).toBe(false);
		// A weekly series is checked per session, not as one meeting.
		expect(needsDateReason('attendance', { ...meeting, recurrence: { weekday: 3, time: '19:00' } }, early)).toBe(false);
	});
});

describe('attendance', () => {
	it('counts each check-in by capacity, leaving out removed ones', () => {
		const list = [
			attendee('张桂英', 'building_head'),
			attendee('刘志强', 'building_head'),
			attendee('赵春梅', 'party_member'),
			attendee('王律师', 'legal_adviser'),
			attendee('物业小陈', 'property_company'),
			attendee('误签到', 'resident', { removed: true })
		];
		const s = attendanceSummary(list);
		expect(s.total).toBe(5);
		expect(s.byCapacity).toEqual({ building_head: 2, party_member: 1, legal_adviser: 1, property_company: 1 });
		expect(s.sameName).toEqual([]);
	});

	it('shows two check-ins under one name for a human to settle instead of merging them', () => {
		// Two facilitators checked the same person in offline, one as a resident representative.
		const a = attendee('李 建国', 'resident_rep', { by: zhou });
		const b = attendee('李建国', 'stakeholder', { by: lin });
		const s = attendanceSummary([a, b, attendee('赵春梅', 'party_member')]);
		expect(s.total).toBe(3);
		expect(s.sameName).toEqual([[a, b]]);
		// Once one is removed the count and the warning both settle.
		const settled = attendanceSummary([a, { ...b, removed: true }]);
		expect(settled.total).toBe(1);
		expect(settled.sameName).toEqual([]);
	});

	it('lists invitees not checked in, matched by invitee id or by name', () => {
		const invitees = [
			{ id: 'i1', name: '张桂英', capacity: 'building_head' as const },
			{ id: 'i2', name: '王律师', capacity: 'legal_adviser' as const },
			{ id: 'i3', name: '物业经理', capacity: 'property_company' as const }
		];
		const arrived = [attendee('张姐', 'building_head', { invitee: 'i1' }), attendee('王律师', 'legal_adviser')];
		expect(notArrived(invitees, arrived).map((i) => i.id)).toEqual(['i3']);
		expect(notArrived(invitees, [{ ...arrived[0]!, removed: true }]).map((i) => i.id)).toEqual(['i1', 'i2', 'i3']);
	});
});

describe('votes at the meeting', () => {
	const present = Array.from({ length: 9 }, (_, i) => attendee(`居民${i}`, 'resident'));

	it('a show of hands: the latest count stands and carries with more than half of those present', () => {
		const r = voteResult(vote(), [hands({ yes: 4, no: 3 }, T0 + 1, 'h1'), hands({ yes: 5, no: 3, abstain: 1 }, T0 + 2, 'h2', lin)], [], present);
		expect(r.options.map((o) => o.count)).toEqual([5, 3, 1]);
		expect(r.total).toBe(9);
		expect(r.present).toBe(9);
		expect(r.carried).toBe('yes');
		expect(r.overCount).toBe(false);
	});

	it('exactly half is not a majority, and an abstention never carries', () => {
		const present4 = present.slice(0, 4);
		expect(voteResult(vote(), [hands({ yes: 2, no: 2 }, T0)], [], present4).carried).toBeNull();
		expect(voteResult(vote(), [hands({ abstain: 4 }, T0)], [], present4).carried).toBeNull();
	});

	it('flags more hands than attendees checked in, and ignores unknown options and bad numbers', () => {
		const r = voteResult(vote(), [hands({ yes: 12, maybe: 3, no: -2 }, T0)], [], present);
		expect(r.options.map((o) => o.count)).toEqual([12, 0, 0]);
		expect(r.overCount).toBe(true);
	});

	it('a roll call counts the recorded choice of each attendee still present', () => {
		const [a, b, c, d] = present;
		const removed = { ...d!, removed: true };
		const r = voteResult(
			vote({ mode: 'roll' }),
			[],
			[choice(a!, 'yes'), choice(b!, 'yes'), choice(c!, 'no'), choice(removed, 'yes'), { ...choice(present[4]!, null) }],
			[a!, b!, c!, removed, present[4]!]
		);
		expect(r.options.map((o) => o.count)).toEqual([2, 1, 0]);
		expect(r.present).toBe(4);
		// 2 of 4 present is not more than half.
		expect(r.carried).toBeNull();
	});
});

describe('decisions and action items', () => {
	it('require what was decided, and who does what by when', () => {
		expect(validateDecision({ text: '  ' })).toEqual(['text_required']);
		expect(validateDecision({ text: '同意加装' })).toEqual([]);
		expect(validateAction({ task: '', owner: '', due: '2025-13-01' })).toEqual(['task_required', 'owner_required', 'due_invalid']);
		expect(validateAction({ task: '采购', owner: '物业公司', due: '2025-06-10' })).toEqual([]);
		expect(validateAction({ task: '采购', owner: '物业公司' })).toEqual([]);
	});

	it('an action is overdue only after its due day', () => {
		expect(isOverdue({ due: '2025-06-10' }, '2025-06-10')).toBe(false);
		expect(isOverdue({ due: '2025-06-10' }, '2025-06-11')).toBe(true);
		expect(isOverdue({}, '2030-01-01')).toBe(false);
	});
});

describe('rich text snapshot', () => {
	it('keeps what the public view renders and drops the rest', () => {
		const dirty = {
			type: 'doc',
			content: [
				{ type: 'heading', attrs: { level: 9 }, content: [{ type: 'text', text: '议程' }] },
				{ type: 'script', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'kept text' }] }] },
				{
					type: 'paragraph',
					content: [
						{ type: 'text', text: 'link', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }, { type: 'strong' }] },
						{ type: 'image', attrs: { src: 'x' } },
						{ type: 'text', text: 'ok', marks: [{ type: 'link', attrs: { href: 'https://example.org' } }, { type: 'ychange' }] }
					]
				}
			]
		} as RichNode;
		expect(sanitizeRich(dirty)).toEqual({
			type: 'doc',
			content: [
				{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: '议程' }] },
				{ type: 'paragraph', content: [{ type: 'text', text: 'kept text' }] },
				{
					type: 'paragraph',
					content: [
						{ type: 'text', text: 'link', marks: [{ type: 'strong' }] },
						{ type: 'text', text: 'ok', marks: [{ type: 'link', attrs: { href: 'https://example.org' } }] }
					]
				}
			]
		});
	});

	it('reads as plain text block by block', () => {
		const d = doc(paragraph('第一段'), { type: 'bullet_list', content: [{ type: 'list_item', content: [paragraph('要点')] }] }, paragraph(''));
		expect(richPlainText(d)).toBe('第一段\n要点\n');
	});
});

describe('approval and versions', () => {
	it('publishes counts by capacity, results, decisions and actions, but no names or notes', () => {
		const p = publication(work());
		expect(p.attendance).toEqual({ total: 2, byCapacity: { building_head: 1, resident_rep: 1 } });
		expect(p.confirmed).toBe(1);
		expect(p.votes[0]?.carried).toBe('yes');
		expect(p.decisions).toEqual([{ id: 'd1', text: '3栋各单元加装折叠椅，由物业统一采购。', proposals: ['demo:proposal:p1', 'demo:proposal:p2'] }]);
		expect(p.actions).toEqual([{ id: 'x1', task: '询价并采购折叠椅', owner: '物业公司', due: '2025-06-10', decision: 'd1' }]);
		expect(JSON.stringify(p)).not.toContain('张桂英');
	});

	it('needs the facilitator, attendance, a confirmation and content', () => {
		expect(approvalIssues(work(), [], 'facilitator')).toEqual([]);
		expect(approvalIssues(work(), [], 'grid_worker')).toEqual(['role']);
		expect(approvalIssues(work({ confirmations: [] }), [], 'facilitator')).toEqual(['no_confirmation']);
		// A confirmation by a check-in later removed does not count.
		const w = work();
		expect(approvalIssues({ ...w, attendees: w.attendees.map((a) => (a.id === 'p1' ? { ...a, removed: true } : a)) }, [], 'community_admin')).toEqual([
			'no_confirmation'
		]);
		expect(approvalIssues(work({ attendees: [], confirmations: [] }), [], 'facilitator')).toEqual(['no_attendance', 'no_confirmation']);
		expect(approvalIssues(work({ content: doc(paragraph('')), decisions: [] }), [], 'facilitator')).toEqual(['empty']);
	});

	it('a correction needs a note and a change', () => {
		const v1 = version('v1', T0);
		expect(approvalIssues(work(), [v1], 'facilitator', '')).toEqual(['note_required', 'unchanged']);
		const changed = work({ actions: [action({ due: '2025-06-20' })] });
		expect(approvalIssues(changed, [v1], 'facilitator', '采购期限延后')).toEqual([]);
	});

	it('numbers versions by time: the first is the approval, later ones corrections, the same on every device', () => {
		const a = version('aaa', T0 + 10);
		const b = version('bbb', T0 + 10, work(), '更正');
		const c = version('ccc', T0 + 5);
		const one = foldVersions([a, b, c]);
		const other = foldVersions([b, c, a]);
		expect(one.map((v) => [v.id, v.number, v.correction])).toEqual([
			['ccc', 1, false],
			['aaa', 2, true],
			['bbb', 3, true]
		]);
		expect(other).toEqual(one);
		expect(minutesStatus([])).toBe('draft');
		expect(minutesStatus([a])).toBe('approved');
		expect(minutesStatus([a, b])).toBe('corrected');
	});

	it('adds each decision to the timelines of its proposals, and a correction only what changed', () => {
		const [v1] = foldVersions([version('ver1', T0)]);
		const first = decisionEvents(v1!, null);
		expect(first.map((e) => [e.id, e.proposal])).toEqual([
			['ver1-d1-p1', 'demo:proposal:p1'],
			['ver1-d1-p2', 'demo:proposal:p2']
		]);
		expect(first[0]?.actions).toEqual([{ task: '询价并采购折叠椅', owner: '物业公司', due: '2025-06-10' }]);
		expect(first[0]?.correction).toBe(false);

		const w2 = work({ decisions: [decision(), decision({ id: 'd2', text: '楼道灯由物业本周修好。', proposals: ['demo:proposal:p3'] })] });
		const folded = foldVersions([version('ver1', T0), version('ver2', T0 + 1, w2, '补记')]);
		expect(decisionEvents(folded[1]!, folded[0]!).map((e) => [e.proposal, e.correction])).toEqual([['demo:proposal:p3', true]]);

		const w3 = work({ actions: [action({ owner: '业委会' })] });
		const folded3 = foldVersions([version('ver1', T0), version('ver3', T0 + 1, w3, '改由业委会采购')]);
		expect(decisionEvents(folded3[1]!, folded3[0]!).map((e) => e.proposal)).toEqual(['demo:proposal:p1', 'demo:proposal:p2']);
	});
});
