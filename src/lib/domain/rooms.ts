/**
 * Shared rooms booked by households (活动室申领): opening hours, slots, limits, recurring series, and the
 * conflicts two offline devices make when they book one slot.
 *
 * All clock arithmetic is China time (UTC+8, no daylight saving): a slot "Tuesday 14:00" is the same instant on
 * every device and on the relay. A booking is written as *requested*; it becomes confirmed by the relay's rule
 * (the room needs no staff confirmation, the booking keeps the rules and overlaps nothing) or by staff. Nothing
 * is dropped on merge: two bookings of one slot both stay, are reported as a conflict, and wait for a recorded
 * decision — first come by the relay's receipt, or staff choice.
 *
 * Rules are data: a room carries its own, and a convention in force may override them (see effectiveRules).
 * Records are written by other devices: every reader here checks them (parse*) and ignores what does not parse.
 */
import { type Actor, isActor } from './actor';
import { CST_OFFSET_MS, type Day, addDays, cstDay, isDay } from './calendar';
import { DAY_MS, cstDayNumber, cstMidnight, cstDate, weekStart } from './periods';

const MINUTE_MS = 60_000;
export const PURPOSE_MAX = 100;
export const ROOM_NAME_MAX = 40;
export const ROOM_PLACE_MAX = 60;
export const ROOM_CAPACITY_MAX = 10_000;
/** A booking's longest allowed length by a room's rules: a day. */
export const BOOKING_MINUTES_MAX = 24 * 60;
export const NOTE_MAX = 200;
export const PEOPLE_MAX = 500;
/** A series may not reach further than a year: enough for "every Tuesday this term", bounded for the check. */
export const SERIES_MAX_OCCURRENCES = 60;

/** Opening hours on some ISO weekdays (1 = Monday … 7 = Sunday), "HH:MM" China time; close after open. */
export interface OpeningHours {
	days: number[];
	open: string;
	close: string;
}

export type LimitPeriod = 'week' | 'month';

export interface RoomRules {
	hours: OpeningHours[];
	/** Bookings start and end on slot boundaries counted from the opening time. */
	slotMinutes: number;
	minMinutes: number;
	maxMinutes: number;
	/** How many days ahead a booking may start (0 = today only). */
	advanceDays: number;
	/** Per household and per week or month; null = no limit. Cancelled and declined bookings do not count. */
	perHousehold: { period: LimitPeriod; maxBookings: number | null; maxMinutes: number | null };
	needsConfirmation: boolean;
	/** Points a household earns for leaving the room clean, recorded by staff after the booking (0 = none). */
	cleaningPoints: number;
}

export interface Room {
	id: string;
	name: string;
	/** Where it is, in words (e.g. "3栋架空层"). */
	place: string;
	capacity: number;
	rules: RoomRules;
	/** Days the room is closed whatever its hours (holidays, works). */
	closedDays: Day[];
	archived: boolean;
}

export const DEFAULT_RULES: RoomRules = {
	hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '21:00' }],
	slotMinutes: 30,
	minMinutes: 30,
	maxMinutes: 240,
	advanceDays: 30,
	perHousehold: { period: 'week', maxBookings: 2, maxMinutes: null },
	needsConfirmation: false,
	cleaningPoints: 0
};

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
export const isClock = (v: unknown): v is string => typeof v === 'string' && HHMM.test(v);
/** Minutes after midnight of an "HH:MM". */
export function clockMinutes(hhmm: string): number {
	return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
export function formatClock(minutes: number): string {
	return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The instant of `hhmm` China time on `day`. */
export function instantOf(day: Day, hhmm: string): number {
	return Date.parse(`${day}T00:00:00Z`) - CST_OFFSET_MS + clockMinutes(hhmm) * MINUTE_MS;
}
/** ISO weekday (1 = Monday … 7 = Sunday) of a day. */
export function isoWeekday(day: Day): number {
	const n = cstDayNumber(instantOf(day, '12:00'));
	return ((((n + 3) % 7) + 7) % 7) + 1;
}
/** Minutes after China-time midnight of an instant. */
export function minuteOfDay(at: number): number {
	return Math.floor((((at + CST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / MINUTE_MS);
}

// ---------------------------------------------------------------------------------------------- rules, parsed

const posInt = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= max;
const nonNegInt = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

function parseHours(v: unknown): OpeningHours[] | null {
	if (!Array.isArray(v) || v.length === 0 || v.length > 14) return null;
	const out: OpeningHours[] = [];
	for (const h of v) {
		const days = (h as OpeningHours)?.days;
		const { open, close } = (h ?? {}) as OpeningHours;
		if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) return null;
		if (!isClock(open) || !isClock(close) || clockMinutes(close) <= clockMinutes(open)) return null;
		out.push({ days: [...new Set(days)].sort(), open, close });
	}
	return out;
}

/** Rules as written by a device or a convention; a missing field takes `base`'s, a malformed one refuses all. */
export function parseRules(v: unknown, base: RoomRules = DEFAULT_RULES): RoomRules | null {
	if (!v || typeof v !== 'object') return null;
	const r = v as Partial<RoomRules>;
	const hours = r.hours === undefined ? base.hours : parseHours(r.hours);
	const slotMinutes = r.slotMinutes ?? base.slotMinutes;
	const minMinutes = r.minMinutes ?? base.minMinutes;
	const maxMinutes = r.maxMinutes ?? base.maxMinutes;
	const advanceDays = r.advanceDays ?? base.advanceDays;
	const per = r.perHousehold ?? base.perHousehold;
	const needsConfirmation = r.needsConfirmation ?? base.needsConfirmation;
	const cleaningPoints = r.cleaningPoints ?? base.cleaningPoints;
	if (!hours || ![10, 15, 20, 30, 60, 120].includes(slotMinutes as number)) return null;
	if (!posInt(minMinutes, BOOKING_MINUTES_MAX) || !posInt(maxMinutes, BOOKING_MINUTES_MAX) || maxMinutes < minMinutes) return null;
	if (minMinutes % slotMinutes !== 0 || maxMinutes % slotMinutes !== 0) return null;
	if (!nonNegInt(advanceDays, 366) || typeof needsConfirmation !== 'boolean' || !nonNegInt(cleaningPoints, 1000)) return null;
	if (!per || (per.period !== 'week' && per.period !== 'month')) return null;
	const limit = (x: unknown) => x === null || posInt(x, 10_000);
	if (!limit(per.maxBookings) || !limit(per.maxMinutes)) return null;
	return { hours, slotMinutes, minMinutes, maxMinutes, advanceDays, perHousehold: { ...per }, needsConfirmation, cleaningPoints };
}

/** The rules a booking is checked against: the room's, overridden field by field by its convention in force. */
export function effectiveRules(room: Room, fromConvention?: Partial<RoomRules> | null): RoomRules {
	if (!fromConvention) return room.rules;
	return parseRules(fromConvention, room.rules) ?? room.rules;
}

export function parseRoom(v: unknown): Room | null {
	const r = v as Room | null;
	if (!r || typeof r !== 'object' || !text(r.id, 40) || !text(r.name, ROOM_NAME_MAX) || !posInt(r.capacity, ROOM_CAPACITY_MAX)) return null;
	const rules = parseRules(r.rules);
	if (!rules) return null;
	const closedDays = Array.isArray(r.closedDays) ? r.closedDays.filter(isDay) : [];
	return { id: r.id, name: r.name, place: typeof r.place === 'string' ? r.place.slice(0, ROOM_PLACE_MAX) : '', capacity: r.capacity, rules, closedDays, archived: r.archived === true };
}

// -------------------------------------------------------------------------------------------------- slots

export interface Slot {
	start: number;
	end: number;
}

/** The slots a room offers on a day, in order (empty when it is closed). */
export function slotsOfDay(room: Room, rules: RoomRules, day: Day): Slot[] {
	if (room.closedDays.includes(day)) return [];
	const weekday = isoWeekday(day);
	const out: Slot[] = [];
	for (const h of rules.hours) {
		if (!h.days.includes(weekday)) continue;
		const open = instantOf(day, h.open);
		const close = instantOf(day, h.close);
		for (let t = open; t + rules.slotMinutes * MINUTE_MS <= close; t += rules.slotMinutes * MINUTE_MS) {
			out.push({ start: t, end: t + rules.slotMinutes * MINUTE_MS });
		}
	}
	return out.sort((a, b) => a.start - b.start);
}

/** The opening span holding [start, end), or null if it crosses a closing time or the room is shut. */
function openingSpan(room: Room, rules: RoomRules, start: number, end: number): Slot | null {
	const day = cstDay(start);
	if (room.closedDays.includes(day) || cstDay(end - 1) !== day) return null;
	const weekday = isoWeekday(day);
	for (const h of rules.hours) {
		if (!h.days.includes(weekday)) continue;
		const open = instantOf(day, h.open);
		const close = instantOf(day, h.close);
		if (start >= open && end <= close) return { start: open, end: close };
	}
	return null;
}

// ----------------------------------------------------------------------------------------------- bookings

export type BookingChannel = 'app' | 'counter' | 'phone';
export const BOOKING_CHANNELS: readonly BookingChannel[] = ['app', 'counter', 'phone'];

/** A request for a room, as written. Its status is derived (see bookingStates). */
export interface Booking {
	id: string;
	room: string;
	household: string;
	start: number;
	end: number;
	purpose: string;
	people: number;
	by: Actor;
	at: number;
	channel: BookingChannel;
	/** The series it belongs to, if it is one occurrence of a recurring booking. */
	series?: string;
}

export function parseBooking(v: unknown): Booking | null {
	const b = v as Booking | null;
	if (!b || typeof b !== 'object' || !text(b.id, 40) || !text(b.room, 40) || !text(b.household, 80)) return null;
	if (!Number.isSafeInteger(b.start) || !Number.isSafeInteger(b.end) || b.end <= b.start) return null;
	if (!text(b.purpose, PURPOSE_MAX) || !posInt(b.people, PEOPLE_MAX) || !isActor(b.by) || !Number.isFinite(b.at)) return null;
	if (!BOOKING_CHANNELS.includes(b.channel)) return null;
	if (b.series !== undefined && !text(b.series, 40)) return null;
	return b;
}

export type BookingProblem =
	| { code: 'closed' }
	| { code: 'off_slot'; slotMinutes: number }
	| { code: 'too_short'; min: number }
	| { code: 'too_long'; max: number }
	| { code: 'past' }
	| { code: 'too_far'; advanceDays: number }
	| { code: 'over_capacity'; capacity: number }
	| { code: 'taken'; by: string[] }
	| { code: 'limit_bookings'; max: number; have: number }
	| { code: 'limit_minutes'; max: number; have: number };

const isActive = (s: BookingState) => s.status !== 'cancelled' && s.status !== 'declined';
const overlaps = (a: Slot, b: Slot) => a.start < b.end && b.start < a.end;

/** The limit period (China-time week from Monday, or calendar month) that holds an instant. */
export function limitPeriod(period: LimitPeriod, at: number): Slot {
	if (period === 'week') {
		const from = weekStart(at);
		return { start: from, end: from + 7 * DAY_MS };
	}
	const { year, month } = cstDate(at);
	return { start: cstMidnight(year, month, 1), end: cstMidnight(year, month + 1, 1) };
}

/**
 * Everything wrong with booking [start, end) for a household, against the rules and the bookings already known
 * (their states, so cancelled and declined ones free their slots and do not count against limits). An empty
 * list means the booking may be requested. `now` is the device's clock.
 */
export function checkBooking(
	room: Room,
	rules: RoomRules,
	want: { household: string; start: number; end: number; people: number; id?: string },
	known: readonly BookingState[],
	now: number
): BookingProblem[] {
	const problems: BookingProblem[] = [];
	const span = openingSpan(room, rules, want.start, want.end);
	if (!span) problems.push({ code: 'closed' });
	else {
		const step = rules.slotMinutes * MINUTE_MS;
		if ((want.start - span.start) % step !== 0 || (want.end - span.start) % step !== 0) problems.push({ code: 'off_slot', slotMinutes: rules.slotMinutes });
	}
	const minutes = (want.end - want.start) / MINUTE_MS;
	if (minutes < rules.minMinutes) problems.push({ code: 'too_short', min: rules.minMinutes });
	if (minutes > rules.maxMinutes) problems.push({ code: 'too_long', max: rules.maxMinutes });
	if (want.start < now) problems.push({ code: 'past' });
	else if (cstDay(want.start) > addDays(cstDay(now), rules.advanceDays)) problems.push({ code: 'too_far', advanceDays: rules.advanceDays });
	if (want.people > room.capacity) problems.push({ code: 'over_capacity', capacity: room.capacity });
	const others = known.filter((s) => s.booking.room === room.id && s.booking.id !== want.id && isActive(s));
	const taken = others.filter((s) => overlaps(s.booking, want));
	if (taken.length) problems.push({ code: 'taken', by: taken.map((s) => s.booking.id) });
	const { period, maxBookings, maxMinutes } = rules.perHousehold;
	const window = limitPeriod(period, want.start);
	const mine = others.filter((s) => s.booking.household === want.household && s.booking.start >= window.start && s.booking.start < window.end);
	if (maxBookings !== null && mine.length + 1 > maxBookings) problems.push({ code: 'limit_bookings', max: maxBookings, have: mine.length });
	const used = mine.reduce((n, s) => n + (s.booking.end - s.booking.start) / MINUTE_MS, 0);
	if (maxMinutes !== null && used + minutes > maxMinutes) problems.push({ code: 'limit_minutes', max: maxMinutes, have: used });
	return problems;
}

/** Free stretches of at least `minutes` on a day, on slot boundaries: the alternatives offered to a household. */
export function freeSlots(room: Room, rules: RoomRules, day: Day, minutes: number, known: readonly BookingState[], now: number): Slot[] {
	const busy = known.filter((s) => s.booking.room === room.id && isActive(s)).map((s) => s.booking);
	const len = minutes * MINUTE_MS;
	const out: Slot[] = [];
	for (const slot of slotsOfDay(room, rules, day)) {
		const want = { start: slot.start, end: slot.start + len };
		if (want.start < now || !openingSpan(room, rules, want.start, want.end)) continue;
		if (busy.some((b) => overlaps(b, want))) continue;
		out.push(want);
	}
	return out;
}

// ------------------------------------------------------------------------------------------------- series

/** A recurring booking: the same weekday and hours every week (or every other week) between two days. */
export interface Series {
	id: string;
	room: string;
	household: string;
	/** First and last day (inclusive) the series may fall on. */
	from: Day;
	until: Day;
	weekday: number;
	startClock: string;
	endClock: string;
	everyWeeks: 1 | 2;
	purpose: string;
	people: number;
	by: Actor;
	at: number;
	/** Occurrences the check refused when the series was made, with why: reported as skipped, never booked. */
	skipped: { start: number; problems: BookingProblem['code'][] }[];
}

export function parseSeries(v: unknown): Series | null {
	const s = v as Series | null;
	if (!s || typeof s !== 'object' || !text(s.id, 40) || !text(s.room, 40) || !text(s.household, 80)) return null;
	if (!isDay(s.from) || !isDay(s.until) || s.until < s.from || !Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7) return null;
	if (!isClock(s.startClock) || !isClock(s.endClock) || clockMinutes(s.endClock) <= clockMinutes(s.startClock)) return null;
	if (s.everyWeeks !== 1 && s.everyWeeks !== 2) return null;
	if (!text(s.purpose, PURPOSE_MAX) || !posInt(s.people, PEOPLE_MAX) || !isActor(s.by) || !Number.isFinite(s.at)) return null;
	return { ...s, skipped: Array.isArray(s.skipped) ? s.skipped.filter((k) => Number.isSafeInteger(k?.start) && Array.isArray(k.problems)) : [] };
}

/** The instants a series falls on, in order, capped at SERIES_MAX_OCCURRENCES. */
export function seriesOccurrences(s: Pick<Series, 'from' | 'until' | 'weekday' | 'startClock' | 'endClock' | 'everyWeeks'>): Slot[] {
	let day = s.from;
	while (isoWeekday(day) !== s.weekday) day = addDays(day, 1);
	const out: Slot[] = [];
	for (; day <= s.until && out.length < SERIES_MAX_OCCURRENCES; day = addDays(day, 7 * s.everyWeeks)) {
		out.push({ start: instantOf(day, s.startClock), end: instantOf(day, s.endClock) });
	}
	return out;
}

/**
 * Expands a series into bookings, checking every occurrence against the rules, the known bookings and the
 * occurrences created before it (so the series counts against its own household limit). What fails is skipped
 * with its problems; the rest are created. The series record keeps the skips so the report survives a reload.
 */
export function expandSeries(
	room: Room,
	rules: RoomRules,
	series: Omit<Series, 'skipped'>,
	known: readonly BookingState[],
	now: number,
	newId: () => string,
	channel: BookingChannel = 'app'
): { series: Series; created: Booking[]; skipped: Series['skipped'] } {
	const created: Booking[] = [];
	const skipped: Series['skipped'] = [];
	const seen: BookingState[] = [...known];
	for (const slot of seriesOccurrences(series)) {
		const want = { household: series.household, start: slot.start, end: slot.end, people: series.people };
		const problems = checkBooking(room, rules, want, seen, now);
		if (problems.length) {
			skipped.push({ start: slot.start, problems: problems.map((p) => p.code) });
			continue;
		}
		const booking: Booking = {
			id: newId(),
			room: room.id,
			household: series.household,
			start: slot.start,
			end: slot.end,
			purpose: series.purpose,
			people: series.people,
			by: series.by,
			at: series.at,
			channel,
			series: series.id
		};
		created.push(booking);
		seen.push({ booking, status: 'requested', conflict: null, decision: null });
	}
	return { series: { ...series, skipped }, created, skipped };
}

// --------------------------------------------------------------------------------- decisions and states

/** The relay's receipt of a booking: when it first reached the relay, and whether its rule confirmed it. */
export interface Receipt {
	booking: string;
	at: number;
	/** The relay's commit sequence of the update that brought it: orders receipts exactly ("first come"). */
	seq: number;
	/** The relay confirmed it: the room needs no staff confirmation, and the booking kept every rule. */
	confirmed: boolean;
}

export function parseReceipt(v: unknown): Receipt | null {
	const r = v as Receipt | null;
	if (!r || typeof r !== 'object' || !text(r.booking, 40) || !Number.isFinite(r.at) || !Number.isSafeInteger(r.seq) || typeof r.confirmed !== 'boolean') return null;
	return { booking: r.booking, at: r.at, seq: r.seq, confirmed: r.confirmed };
}

/** A cancellation by the household or staff: one booking, or a series from a day on. */
export type Cancellation =
	| { id: string; booking: string; by: Actor; at: number; reason: string }
	| { id: string; series: string; fromDay: Day; by: Actor; at: number; reason: string };

/** A staff decision on one booking (confirm or decline), or on a conflict (which booking keeps the slot). */
export type Decision =
	| { id: string; kind: 'confirm'; booking: string; by: Actor; at: number; note: string }
	| { id: string; kind: 'decline'; booking: string; by: Actor; at: number; note: string }
	| { id: string; kind: 'resolve'; bookings: string[]; keep: string; rule: 'first_come' | 'staff'; by: Actor; at: number; note: string };

export function parseCancellation(v: unknown): Cancellation | null {
	const c = v as Record<string, unknown> | null;
	if (!c || typeof c !== 'object' || !text(c.id, 40) || !isActor(c.by) || !Number.isFinite(c.at) || typeof c.reason !== 'string') return null;
	if (text(c.booking, 40)) return { id: c.id, booking: c.booking, by: c.by, at: c.at as number, reason: c.reason.slice(0, NOTE_MAX) };
	if (text(c.series, 40) && isDay(c.fromDay)) return { id: c.id, series: c.series, fromDay: c.fromDay, by: c.by, at: c.at as number, reason: c.reason.slice(0, NOTE_MAX) };
	return null;
}

export function parseDecision(v: unknown): Decision | null {
	const d = v as Record<string, unknown> | null;
	if (!d || typeof d !== 'object' || !text(d.id, 40) || !isActor(d.by) || !Number.isFinite(d.at)) return null;
	const note = typeof d.note === 'string' ? d.note.slice(0, NOTE_MAX) : '';
	const base = { id: d.id, by: d.by, at: d.at as number, note };
	if ((d.kind === 'confirm' || d.kind === 'decline') && text(d.booking, 40)) return { ...base, kind: d.kind, booking: d.booking };
	if (d.kind === 'resolve' && Array.isArray(d.bookings) && d.bookings.length >= 2 && d.bookings.every((b) => text(b, 40)) && text(d.keep, 40) && d.bookings.includes(d.keep)) {
		if (d.rule !== 'first_come' && d.rule !== 'staff') return null;
		return { ...base, kind: 'resolve', bookings: [...(d.bookings as string[])].sort(), keep: d.keep, rule: d.rule };
	}
	return null;
}

export type BookingStatus = 'requested' | 'confirmed' | 'declined' | 'cancelled';

/** Why a booking lost its slot, for the household: who decided, how, and when. */
export interface LostTo {
	rule: 'first_come' | 'staff';
	decision: string;
	by: Actor;
	at: number;
	note: string;
}

export interface BookingState {
	booking: Booking;
	status: BookingStatus;
	/** The open conflict it is in (the key of a Conflict), or null. */
	conflict: string | null;
	/** The decision that settled it, if one did. */
	decision: Decision | null;
	lostTo?: LostTo;
	cancelledBy?: Actor;
}

export interface Conflict {
	/** Sorted booking ids joined by "+": the same conflict has the same key on every device. */
	key: string;
	room: string;
	bookings: Booking[];
	/** The first of the relay's receipts (by commit sequence), when every booking has one: what "first come" keeps. */
	firstCome: string | null;
}

const conflictKey = (ids: readonly string[]) => [...ids].sort().join('+');

/**
 * Folds bookings, cancellations, staff decisions and the relay's receipts into each booking's status and the
 * open conflicts. Deterministic for any order of input. Among decisions on the same booking or the same
 * conflict, the earliest holds (two staff deciding offline: the first one recorded wins; the other is kept in
 * the log). A resolution keeps one booking (confirmed) and declines the others. Overlapping active bookings with
 * no resolution covering exactly them form a conflict; their bookings stay requested (a relay confirmation
 * does not settle a slot another household also claims).
 */
export function bookingStates(
	bookings: readonly Booking[],
	cancellations: readonly Cancellation[],
	decisions: readonly Decision[],
	receipts: readonly Receipt[]
): { states: BookingState[]; conflicts: Conflict[] } {
	const byTime = <T extends { at: number; id: string }>(a: T, b: T) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
	const receiptOf = new Map<string, Receipt>();
	for (const r of receipts) {
		const had = receiptOf.get(r.booking);
		if (!had || r.seq < had.seq) receiptOf.set(r.booking, r);
	}
	const sorted = [...bookings].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
	const states = new Map<string, BookingState>();
	for (const b of sorted) if (!states.has(b.id)) states.set(b.id, { booking: b, status: 'requested', conflict: null, decision: null });

	const ofSeries = new Map<string, BookingState[]>();
	for (const s of states.values()) {
		if (s.booking.series === undefined) continue;
		const list = ofSeries.get(s.booking.series);
		if (list) list.push(s);
		else ofSeries.set(s.booking.series, [s]);
	}
	for (const c of [...cancellations].sort(byTime)) {
		const hit = 'booking' in c ? [states.get(c.booking)] : (ofSeries.get(c.series) ?? []).filter((s) => cstDay(s.booking.start) >= c.fromDay);
		for (const s of hit) {
			if (!s || s.status === 'cancelled') continue;
			s.status = 'cancelled';
			s.cancelledBy = c.by;
		}
	}
	const decided = new Set<string>();
	const resolutions = new Map<string, Extract<Decision, { kind: 'resolve' }>>();
	for (const d of [...decisions].sort(byTime)) {
		if (d.kind === 'resolve') {
			const key = conflictKey(d.bookings);
			if (!resolutions.has(key)) resolutions.set(key, d);
			continue;
		}
		const s = states.get(d.booking);
		if (!s || decided.has(d.booking) || s.status === 'cancelled') continue;
		decided.add(d.booking);
		s.status = d.kind === 'confirm' ? 'confirmed' : 'declined';
		s.decision = d;
	}
	for (const s of states.values()) {
		if (s.status === 'requested' && receiptOf.get(s.booking.id)?.confirmed) s.status = 'confirmed';
	}

	// Conflicts: groups of overlapping active bookings of one room. A resolution settles its group when it names
	// exactly the group's bookings: the kept one is confirmed and those overlapping it are declined. What is left
	// of the group is grouped again (a chain A–B–C keeping B frees nothing; keeping A leaves C on its own), and a
	// later overlapping booking makes a new group, decided anew.
	const groupsOf = () => {
		const groups: BookingState[][] = [];
		const byRoom = new Map<string, BookingState[]>();
		for (const s of states.values()) {
			if (!isActive(s)) continue;
			const list = byRoom.get(s.booking.room);
			if (list) list.push(s);
			else byRoom.set(s.booking.room, [s]);
		}
		for (const list of byRoom.values()) {
			let group: BookingState[] = [];
			let groupEnd = -Infinity;
			for (const s of list) {
				if (s.booking.start >= groupEnd) {
					if (group.length > 1) groups.push(group);
					group = [];
				}
				group.push(s);
				groupEnd = Math.max(groupEnd, s.booking.end);
			}
			if (group.length > 1) groups.push(group);
		}
		return groups;
	};
	// A household's device knows only its own bookings: a resolution naming bookings it cannot see applies to
	// the ones it can, as recorded.
	for (const resolution of resolutions.values()) {
		if (resolution.bookings.every((id) => states.has(id))) continue;
		for (const id of resolution.bookings) {
			const s = states.get(id);
			if (!s || !isActive(s)) continue;
			s.decision = resolution;
			if (id === resolution.keep) s.status = 'confirmed';
			else {
				s.status = 'declined';
				s.lostTo = { rule: resolution.rule, decision: resolution.id, by: resolution.by, at: resolution.at, note: resolution.note };
			}
		}
	}
	let groups = groupsOf();
	for (let settled = true; settled; ) {
		settled = false;
		for (const group of groups) {
			const resolution = resolutions.get(conflictKey(group.map((s) => s.booking.id)));
			if (!resolution) continue;
			const kept = group.find((s) => s.booking.id === resolution.keep)!;
			for (const s of group) {
				if (s === kept) {
					s.status = 'confirmed';
					s.decision = resolution;
				} else if (overlaps(s.booking, kept.booking)) {
					s.status = 'declined';
					s.decision = resolution;
					s.lostTo = { rule: resolution.rule, decision: resolution.id, by: resolution.by, at: resolution.at, note: resolution.note };
				}
			}
			settled = true;
		}
		if (settled) groups = groupsOf();
	}
	const conflicts: Conflict[] = [];
	for (const group of groups) {
		const key = conflictKey(group.map((s) => s.booking.id));
		const received = group.map((s) => receiptOf.get(s.booking.id));
		const firstCome = received.every(Boolean) ? [...received].sort((a, b) => a!.seq - b!.seq || (a!.booking < b!.booking ? -1 : 1))[0]!.booking : null;
		for (const s of group) {
			s.conflict = key;
			// A relay confirmation does not settle a slot another household also claims; a staff one does.
			if (s.status === 'confirmed' && s.decision?.kind !== 'confirm' && s.decision?.kind !== 'resolve') s.status = 'requested';
		}
		conflicts.push({ key, room: group[0]!.booking.room, bookings: group.map((s) => s.booking), firstCome });
	}

	return { states: [...states.values()], conflicts };
}

/** The resolution a staff member records for a conflict: first come by receipt, or the booking they chose. */
export function resolveConflict(
	conflict: Conflict,
	choice: { rule: 'first_come' } | { rule: 'staff'; keep: string },
	by: Actor,
	at: number,
	id: string,
	note = ''
): Extract<Decision, { kind: 'resolve' }> | null {
	const keep = choice.rule === 'first_come' ? conflict.firstCome : choice.keep;
	if (!keep || !conflict.bookings.some((b) => b.id === keep)) return null;
	return { id, kind: 'resolve', bookings: conflict.bookings.map((b) => b.id).sort(), keep, rule: choice.rule, by, at, note: note.slice(0, NOTE_MAX) };
}
