import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	type Booking,
	type BookingState,
	type Decision,
	DEFAULT_RULES,
	type Room,
	bookingStates,
	checkBooking,
	effectiveRules,
	expandSeries,
	freeSlots,
	instantOf,
	isoWeekday,
	limitPeriod,
	minuteOfDay,
	parseBooking,
	parseDecision,
	parseRules,
	resolveConflict,
	seriesOccurrences,
	slotsOfDay
} from './rooms';
import { facilitatorActor, residentActor } from './testing';

const WANG = residentActor({ id: 'dev-wang', name: '王阿姨' });
const LI = residentActor({ id: 'dev-li', name: '李叔' });
const ZHOU = facilitatorActor({ id: 'staff-zhou' });

const ROOM: Room = {
	id: 'room-1',
	name: '活动室',
	place: '3栋架空层',
	capacity: 20,
	rules: { ...DEFAULT_RULES, hours: [{ days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' }, { days: [6, 7], open: '10:00', close: '12:00' }] },
	closedDays: ['2026-12-25'],
	archived: false
};
// Thursday 3 December 2026, 10:00 China time.
const NOW = instantOf('2026-12-03', '10:00');
const at = (day: string, hhmm: string) => instantOf(day, hhmm);

let seq = 0;
function booking(household: string, day: string, from: string, to: string, extra: Partial<Booking> = {}): Booking {
	return { id: `b${++seq}`, room: ROOM.id, household, start: at(day, from), end: at(day, to), purpose: '合唱排练', people: 8, by: WANG, at: NOW, channel: 'app', ...extra };
}
const states = (bookings: Booking[], decisions: Decision[] = [], receipts: { booking: string; at: number; seq: number; confirmed: boolean }[] = []) =>
	bookingStates(bookings, [], decisions, receipts);

describe('slot arithmetic in China time', () => {
	it('puts 14:00 China time at 06:00 UTC whatever the machine zone', () => {
		expect(new Date(at('2026-12-08', '14:00')).toISOString()).toBe('2026-12-08T06:00:00.000Z');
		// 00:30 China time on the 8th is still the 7th in UTC.
		expect(new Date(at('2026-12-08', '00:30')).toISOString()).toBe('2026-12-07T16:30:00.000Z');
		expect(minuteOfDay(at('2026-12-08', '00:30'))).toBe(30);
	});

	it('knows the weekday of a China-time day', () => {
		expect(isoWeekday('2026-12-03')).toBe(4);
		expect(isoWeekday('2026-12-07')).toBe(1);
		expect(isoWeekday('2026-12-06')).toBe(7);
	});

	it('offers the day’s slots within its opening hours, none on a closed day', () => {
		const weekday = slotsOfDay(ROOM, ROOM.rules, '2026-12-08');
		expect(weekday).toHaveLength(16);
		expect(weekday[0]!.start).toBe(at('2026-12-08', '09:00'));
		expect(weekday.at(-1)!.end).toBe(at('2026-12-08', '17:00'));
		expect(slotsOfDay(ROOM, ROOM.rules, '2026-12-06')).toHaveLength(4);
		expect(slotsOfDay(ROOM, ROOM.rules, '2026-12-25')).toEqual([]);
	});

	it('refuses a booking outside hours, off the slot grid, across closing, too short or too long', () => {
		const check = (from: string, to: string, day = '2026-12-08') =>
			checkBooking(ROOM, ROOM.rules, { household: 'h1', start: at(day, from), end: at(day, to), people: 5 }, [], NOW).map((p) => p.code);
		expect(check('14:00', '16:00')).toEqual([]);
		expect(check('08:00', '09:30')).toEqual(['closed']);
		expect(check('16:00', '17:30')).toEqual(['closed']);
		expect(check('14:10', '15:10')).toEqual(['off_slot']);
		expect(check('09:00', '17:00')).toEqual(['too_long']);
		expect(check('10:00', '12:00', '2026-12-25')).toEqual(['closed']);
	});

	it('refuses the past and beyond the booking horizon', () => {
		const check = (day: string, from: string, to: string) =>
			checkBooking(ROOM, ROOM.rules, { household: 'h1', start: at(day, from), end: at(day, to), people: 5 }, [], NOW).map((p) => p.code);
		expect(check('2026-12-03', '09:00', '10:00')).toEqual(['past']);
		expect(check('2027-01-01', '09:00', '10:00')).toEqual([]);
		expect(check('2027-01-04', '09:00', '10:00')).toEqual(['too_far']);
	});
});

describe('limits', () => {
	it('counts a household’s active bookings in the China-time week, not cancelled or declined ones', () => {
		const mine = [booking('h1', '2026-12-07', '09:00', '10:00'), booking('h1', '2026-12-08', '09:00', '10:00')];
		const { states: s } = bookingStates(mine, [], [], []);
		const want = { household: 'h1', start: at('2026-12-09', '09:00'), end: at('2026-12-09', '10:00'), people: 5 };
		expect(checkBooking(ROOM, ROOM.rules, want, s, NOW).map((p) => p.code)).toEqual(['limit_bookings']);
		// Next week (Monday 14 December) is a new week.
		const nextWeek = { ...want, start: at('2026-12-14', '09:00'), end: at('2026-12-14', '10:00') };
		expect(checkBooking(ROOM, ROOM.rules, nextWeek, s, NOW)).toEqual([]);
		// Another household is not limited by h1.
		expect(checkBooking(ROOM, ROOM.rules, { ...want, household: 'h2' }, s, NOW)).toEqual([]);
		const cancelled = bookingStates(mine, [{ id: 'c1', booking: mine[0]!.id, by: WANG, at: NOW, reason: '' }], [], []).states;
		expect(checkBooking(ROOM, ROOM.rules, want, cancelled, NOW)).toEqual([]);
	});

	it('limits minutes per month when a convention says so', () => {
		const rules = effectiveRules(ROOM, { perHousehold: { period: 'month', maxBookings: null, maxMinutes: 180 } });
		const { states: s } = bookingStates([booking('h1', '2026-12-07', '09:00', '11:00')], [], [], []);
		const want = (from: string, to: string) => ({ household: 'h1', start: at('2026-12-21', from), end: at('2026-12-21', to), people: 5 });
		expect(checkBooking(ROOM, rules, want('09:00', '10:00'), s, NOW)).toEqual([]);
		expect(checkBooking(ROOM, rules, want('09:00', '11:00'), s, NOW)).toEqual([{ code: 'limit_minutes', max: 180, have: 120 }]);
	});

	it('cuts weeks on Monday 00:00 China time, months on the 1st', () => {
		const w = limitPeriod('week', at('2026-12-06', '23:59'));
		expect(w.start).toBe(at('2026-11-30', '00:00'));
		expect(limitPeriod('week', at('2026-12-07', '00:00')).start).toBe(at('2026-12-07', '00:00'));
		expect(limitPeriod('month', at('2026-12-31', '23:00'))).toEqual({ start: at('2026-12-01', '00:00'), end: at('2027-01-01', '00:00') });
	});

	it('keeps a malformed rule from a convention out, and a partial one applied field by field', () => {
		expect(parseRules({ slotMinutes: 7 })).toBeNull();
		expect(parseRules({ hours: [{ days: [1], open: '18:00', close: '09:00' }] })).toBeNull();
		expect(effectiveRules(ROOM, { slotMinutes: 7 } as never)).toBe(ROOM.rules);
		expect(effectiveRules(ROOM, { maxMinutes: 120 }).hours).toEqual(ROOM.rules.hours);
	});
});

describe('recurring series', () => {
	const series = {
		id: 's1',
		room: ROOM.id,
		household: 'h1',
		from: '2026-12-04',
		until: '2027-01-31',
		weekday: 2,
		startClock: '14:00',
		endClock: '16:00',
		everyWeeks: 1 as const,
		purpose: '书法班',
		people: 12,
		by: ZHOU,
		at: NOW
	};
	const staffRules = { ...ROOM.rules, advanceDays: 90, perHousehold: { period: 'week' as const, maxBookings: null, maxMinutes: null } };

	it('falls on every Tuesday between the two days', () => {
		const slots = seriesOccurrences(series);
		expect(slots).toHaveLength(8);
		expect(slots[0]!.start).toBe(at('2026-12-08', '14:00'));
		expect(slots.at(-1)!.start).toBe(at('2027-01-26', '14:00'));
	});

	it('creates what passes and reports the rest as skipped, with why', () => {
		let n = 0;
		const taken = bookingStates([booking('h2', '2026-12-15', '15:00', '16:00')], [], [], []).states;
		const holiday: Room = { ...ROOM, closedDays: ['2026-12-29'] };
		const result = expandSeries(holiday, staffRules, series, taken, NOW, () => `o${++n}`);
		expect(result.created).toHaveLength(6);
		expect(result.skipped.map((k) => [new Date(k.start).toISOString().slice(0, 10), k.problems])).toEqual([
			['2026-12-15', ['taken']],
			['2026-12-29', ['closed']]
		]);
		expect(result.series.skipped).toEqual(result.skipped);
		expect(result.created.every((b) => b.series === 's1')).toBe(true);
	});

	it('counts its own occurrences against the household limit', () => {
		const monthly = { ...staffRules, perHousehold: { period: 'month' as const, maxBookings: 3, maxMinutes: null } };
		let n = 0;
		const result = expandSeries(ROOM, monthly, series, [], NOW, () => `o${++n}`);
		const months = result.created.map((b) => new Date(b.start + 8 * 3600_000).toISOString().slice(0, 7));
		expect(months).toEqual(['2026-12', '2026-12', '2026-12', '2027-01', '2027-01', '2027-01']);
		expect(result.skipped.map((k) => k.problems)).toEqual([['limit_bookings'], ['limit_bookings']]);
	});

	it('cancels one occurrence or the rest of the series', () => {
		let n = 0;
		const { created } = expandSeries(ROOM, staffRules, series, [], NOW, () => `o${++n}`);
		const one = bookingStates(created, [{ id: 'c1', booking: 'o2', by: ZHOU, at: NOW, reason: '停电' }], [], []).states;
		expect(one.filter((s) => s.status === 'cancelled').map((s) => s.booking.id)).toEqual(['o2']);
		const rest = bookingStates(created, [{ id: 'c2', series: 's1', fromDay: '2027-01-01', by: ZHOU, at: NOW, reason: '结课' }], [], []).states;
		expect(rest.filter((s) => s.status !== 'cancelled')).toHaveLength(4);
	});
});

describe('conflicts after a merge', () => {
	/** Two devices write their bookings into their own copies of one document offline, then sync. */
	function mergedOffline(a: Booking, b: Booking): Booking[] {
		const docA = new Y.Doc();
		const docB = new Y.Doc();
		docA.getMap<Booking>('bookings').set(a.id, a);
		docB.getMap<Booking>('bookings').set(b.id, b);
		Y.applyUpdate(docA, Y.encodeStateAsUpdate(docB));
		Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA));
		const fromA = [...docA.getMap<Booking>('bookings').values()].map(parseBooking);
		const fromB = [...docB.getMap<Booking>('bookings').values()].map(parseBooking);
		expect(fromA.map((x) => x?.id).sort()).toEqual(fromB.map((x) => x?.id).sort());
		return fromA.filter((x): x is Booking => !!x);
	}

	it('keeps both offline bookings of one slot and flags them, the same on every device', () => {
		const wang = booking('h-wang', '2026-12-08', '14:00', '16:00', { by: WANG });
		const li = booking('h-li', '2026-12-08', '15:00', '17:00', { by: LI });
		const both = mergedOffline(wang, li);
		const one = states(both);
		const other = states([...both].reverse());
		expect(one.conflicts).toHaveLength(1);
		expect(one.conflicts).toEqual(other.conflicts);
		expect(one.conflicts[0]!.bookings.map((b) => b.household).sort()).toEqual(['h-li', 'h-wang']);
		expect(one.states.every((s) => s.status === 'requested' && s.conflict === one.conflicts[0]!.key)).toBe(true);
	});

	it('does not flag back-to-back bookings or different rooms', () => {
		const a = booking('h1', '2026-12-08', '14:00', '15:00');
		const b = booking('h2', '2026-12-08', '15:00', '16:00');
		const c = booking('h3', '2026-12-08', '14:00', '15:00', { room: 'room-2' });
		expect(states([a, b, c]).conflicts).toEqual([]);
	});

	it('resolves first come by the relay’s receipt, and the losing household sees why', () => {
		const wang = booking('h-wang', '2026-12-08', '14:00', '16:00');
		const li = booking('h-li', '2026-12-08', '14:00', '16:00');
		// Li reconnected first: the relay received and confirmed Li's booking, then Wang's, which it held.
		const receipts = [
			{ booking: li.id, at: NOW + 5_000, seq: 41, confirmed: true },
			{ booking: wang.id, at: NOW + 5_000, seq: 57, confirmed: false }
		];
		const before = states([wang, li], [], receipts);
		expect(before.conflicts[0]!.firstCome).toBe(li.id);
		// The relay's confirmation does not settle a claimed slot.
		expect(before.states.map((s) => s.status)).toEqual(['requested', 'requested']);
		const decision = resolveConflict(before.conflicts[0]!, { rule: 'first_come' }, ZHOU, NOW + 60_000, 'd1')!;
		const after = states([wang, li], [decision], receipts);
		expect(after.conflicts).toEqual([]);
		const byHousehold = Object.fromEntries(after.states.map((s) => [s.booking.household, s]));
		expect(byHousehold['h-li']!.status).toBe('confirmed');
		expect(byHousehold['h-wang']!.status).toBe('declined');
		expect(byHousehold['h-wang']!.lostTo).toMatchObject({ rule: 'first_come', by: ZHOU });
		// Alternatives for Wang: two free hours that day end by 14:00 (the room closes at 17:00).
		const free = freeSlots(ROOM, ROOM.rules, '2026-12-08', 120, after.states, NOW);
		expect(free[0]!.start).toBe(at('2026-12-08', '09:00'));
		expect(free.at(-1)!.start).toBe(at('2026-12-08', '12:00'));
		expect(free.every((s) => s.end <= at('2026-12-08', '14:00'))).toBe(true);
	});

	it('cannot resolve first come before every booking has reached the relay; staff choice can', () => {
		const wang = booking('h-wang', '2026-12-08', '14:00', '16:00');
		const li = booking('h-li', '2026-12-08', '14:00', '16:00');
		const { conflicts } = states([wang, li], [], [{ booking: li.id, at: NOW, seq: 3, confirmed: true }]);
		expect(resolveConflict(conflicts[0]!, { rule: 'first_come' }, ZHOU, NOW, 'd1')).toBeNull();
		const staff = resolveConflict(conflicts[0]!, { rule: 'staff', keep: wang.id }, ZHOU, NOW, 'd2', '王阿姨的合唱队已提前约定')!;
		const after = states([wang, li], [staff]);
		expect(after.states.find((s) => s.booking.id === li.id)!.lostTo).toMatchObject({ rule: 'staff', note: '王阿姨的合唱队已提前约定' });
	});

	it('holds the first of two staff decisions made offline', () => {
		const wang = booking('h-wang', '2026-12-08', '14:00', '16:00');
		const li = booking('h-li', '2026-12-08', '14:00', '16:00');
		const { conflicts } = states([wang, li]);
		const first = resolveConflict(conflicts[0]!, { rule: 'staff', keep: li.id }, ZHOU, NOW + 1, 'dA')!;
		const second = resolveConflict(conflicts[0]!, { rule: 'staff', keep: wang.id }, ZHOU, NOW + 2, 'dB')!;
		for (const order of [[first, second], [second, first]]) {
			const kept = states([wang, li], order).states.find((s) => s.status === 'confirmed');
			expect(kept?.booking.id).toBe(li.id);
		}
	});

	it('frees the far end of a chain when the kept booking does not overlap it, and flags a newcomer anew', () => {
		const a = booking('h1', '2026-12-08', '14:00', '15:00');
		const b = booking('h2', '2026-12-08', '14:30', '15:30');
		const c = booking('h3', '2026-12-08', '15:00', '16:00');
		const { conflicts } = states([a, b, c]);
		expect(conflicts).toHaveLength(1);
		const keepA = resolveConflict(conflicts[0]!, { rule: 'staff', keep: a.id }, ZHOU, NOW, 'd1')!;
		const after = states([a, b, c], [keepA]);
		expect(after.conflicts).toEqual([]);
		expect(after.states.map((s) => [s.booking.household, s.status])).toEqual([
			['h1', 'confirmed'],
			['h2', 'declined'],
			['h3', 'requested']
		]);
		const late = booking('h4', '2026-12-08', '14:00', '14:30');
		expect(states([a, b, c, late], [keepA]).conflicts).toHaveLength(1);
	});

	it('applies a resolution on a household device that sees only its own booking', () => {
		const wang = booking('h-wang', '2026-12-08', '14:00', '16:00');
		const li = booking('h-li', '2026-12-08', '14:00', '16:00');
		const decision = resolveConflict(states([wang, li]).conflicts[0]!, { rule: 'staff', keep: li.id }, ZHOU, NOW, 'd1', '李叔先约')!;
		expect(states([wang], [decision]).states[0]).toMatchObject({ status: 'declined', lostTo: { rule: 'staff', note: '李叔先约' } });
		expect(states([li], [decision]).states[0]!.status).toBe('confirmed');
	});

	it('ignores records that do not parse', () => {
		expect(parseBooking({ id: 'x', room: 'r', household: 'h', start: 2, end: 1 })).toBeNull();
		expect(parseDecision({ id: 'd', kind: 'resolve', bookings: ['a', 'b'], keep: 'c', rule: 'staff', by: ZHOU, at: 1 })).toBeNull();
		const fine: BookingState[] = states([booking('h1', '2026-12-08', '14:00', '15:00')]).states;
		expect(fine[0]!.status).toBe('requested');
	});
});
