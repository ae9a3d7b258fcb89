/**
 * Rooms actions (活动室申领): keep the rooms, request a booking or a weekly series, cancel, and — staff — confirm,
 * decline and settle conflicts. Each writes through the schema writers and resolves once the change is in
 * IndexedDB (and queued for the relay), so a page may say "saved" when it returns; offline, a request is saved
 * as requested and syncs later. Input is checked first: a refused action throws and writes nothing.
 */
import type { Actor, Role } from '../domain/actor';
import { roleCan } from '../domain/permissions';
import type { Day } from '../domain/calendar';
import { newId } from '../domain/ids';
import {
	type Booking,
	type BookingChannel,
	type BookingProblem,
	type BookingState,
	checkBooking,
	type Conflict,
	type Decision,
	expandSeries,
	NOTE_MAX,
	parseBooking,
	parseRoom,
	PURPOSE_MAX,
	resolveConflict,
	type Room,
	type RoomRules,
	type Series
} from '../domain/rooms';
import { addBookings, addCancellation, addDecision } from '../schema/bookings-doc';
import { bookingsDocName, roomsDocName } from '../schema/doc-names';
import { type BusySlot, putRoom } from '../schema/rooms-doc';
import type { ActionsApp } from './actions-app';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export type RoomsApp = ActionsApp;

/** Staff who run the rooms: they keep the rooms, book at the counter, confirm and settle (as the relay rules). */
export const runsRooms = (role: Role | undefined | null): boolean => roleCan(role, 'manage-rooms');

export interface RoomsIssue {
	field: string;
	code: string;
}

/** Input the rooms would not take; nothing was written. */
export class InvalidRoomsInputError extends Error {
	override readonly name = 'InvalidRoomsInputError';
	constructor(readonly issues: readonly RoomsIssue[]) {
		super(issues.map((i) => `${i.field}: ${i.code}`).join('; '));
	}
}

/** A booking the rules refuse (closed, taken, over a limit…); nothing was written. */
export class BookingRefusedError extends Error {
	override readonly name = 'BookingRefusedError';
	constructor(readonly problems: readonly BookingProblem[]) {
		super(problems.map((p) => p.code).join(', '));
	}
}

const refuse = (issues: RoomsIssue[]) => {
	if (issues.length > 0) throw new InvalidRoomsInputError(issues);
};

function staff(app: RoomsApp): Actor {
	const by = app.actorSnapshot();
	refuse(runsRooms(by.role) ? [] : [{ field: 'by', code: 'not_staff' }]);
	return by;
}

/**
 * The bookings a request is checked against: the states this device knows (a household's own; every household's
 * on a staff device) and the room's public busy slots (others' bookings, seen without who made them).
 */
export function knownWith(states: readonly BookingState[], room: string, busy: readonly BusySlot[]): BookingState[] {
	const own = states.filter((s) => s.booking.room === room && s.status !== 'cancelled' && s.status !== 'declined');
	// A busy slot is skipped when a known booking covers exactly it (it is that booking, published by the relay).
	const extra = busy.filter((b) => !own.some((s) => s.booking.start === b.start && s.booking.end === b.end));
	const anonymous = extra.map(
		(b, i): BookingState => ({
			booking: { id: `busy-${i}`, room, household: '', start: b.start, end: b.end, purpose: '-', people: 1, by: { id: '-', name: '-', role: 'resident' }, at: 0, channel: 'app' },
			status: b.status,
			conflict: null,
			decision: null
		})
	);
	return [...states, ...anonymous];
}

// ---- rooms ----

/** Adds or changes a room (staff); a room is archived, never deleted. */
export async function saveRoom(app: RoomsApp, room: Room): Promise<Room> {
	staff(app);
	const parsed = parseRoom(room);
	refuse(parsed ? [] : [{ field: 'room', code: 'invalid' }]);
	await app.store.edit(roomsDocName(app.community), (doc) => putRoom(doc, parsed!));
	return parsed!;
}

// ---- booking ----

export interface BookingInput {
	room: Room;
	/** The rules in force for the room (its own, overridden by its convention in force). */
	rules: RoomRules;
	household: string;
	start: number;
	end: number;
	purpose: string;
	people: number;
	/** What this device knows: booking states and the room's busy slots from the public calendar. */
	known: readonly BookingState[];
	busy: readonly BusySlot[];
	now?: number;
}

const channelOf = (by: Actor): BookingChannel => (runsRooms(by.role) ? 'counter' : 'app');

/** Staff booking for a room that needs confirmation confirm it as they record it. */
const counterConfirmations = (by: Actor, rules: RoomRules, list: readonly Booking[], at: number): Decision[] =>
	runsRooms(by.role) && rules.needsConfirmation ? list.map((b) => ({ id: newId(), kind: 'confirm', booking: b.id, by, at, note: '' })) : [];

function textIssues(purpose: string, people: number): RoomsIssue[] {
	const issues: RoomsIssue[] = [];
	if (!purpose.trim() || purpose.trim().length > PURPOSE_MAX) issues.push({ field: 'purpose', code: 'invalid' });
	if (!Number.isInteger(people) || people < 1) issues.push({ field: 'people', code: 'invalid' });
	return issues;
}

/** Requests a booking; refuses (BookingRefusedError) what the rules or the known bookings refuse. */
export async function requestBooking(app: RoomsApp, input: BookingInput): Promise<Booking> {
	const by = app.actorSnapshot();
	const now = input.now ?? Date.now();
	refuse(textIssues(input.purpose, input.people));
	const known = knownWith(input.known, input.room.id, input.busy);
	const problems = checkBooking(input.room, input.rules, { household: input.household, start: input.start, end: input.end, people: input.people }, known, now);
	if (problems.length) throw new BookingRefusedError(problems);
	const booking: Booking = {
		id: newId(),
		room: input.room.id,
		household: input.household,
		start: input.start,
		end: input.end,
		purpose: input.purpose.trim(),
		people: input.people,
		by,
		at: now,
		channel: channelOf(by)
	};
	refuse(parseBooking(booking) ? [] : [{ field: 'booking', code: 'invalid' }]);
	const confirms = counterConfirmations(by, input.rules, [booking], now);
	await app.store.edit(bookingsDocName(app.community, input.household), (doc) =>
		doc.transact(() => {
			addBookings(doc, input.household, [booking]);
			for (const d of confirms) addDecision(doc, input.household, d);
		})
	);
	return booking;
}

export interface SeriesInput extends Omit<BookingInput, 'start' | 'end'> {
	from: Day;
	until: Day;
	weekday: number;
	startClock: string;
	endClock: string;
	everyWeeks?: 1 | 2;
}

/**
 * Requests a weekly series: every occurrence is checked; those that pass are booked, the rest skipped with why.
 * The series and its bookings are written in one transaction. Refuses when no occurrence could be booked.
 */
export async function requestSeries(app: RoomsApp, input: SeriesInput): Promise<{ series: Series; created: Booking[]; skipped: Series['skipped'] }> {
	const by = app.actorSnapshot();
	const now = input.now ?? Date.now();
	refuse(textIssues(input.purpose, input.people));
	const known = knownWith(input.known, input.room.id, input.busy);
	const base: Omit<Series, 'skipped'> = {
		id: newId(),
		room: input.room.id,
		household: input.household,
		from: input.from,
		until: input.until,
		weekday: input.weekday,
		startClock: input.startClock,
		endClock: input.endClock,
		everyWeeks: input.everyWeeks ?? 1,
		purpose: input.purpose.trim(),
		people: input.people,
		by,
		at: now
	};
	if (input.until < input.from) refuse([{ field: 'until', code: 'invalid' }]);
	const result = expandSeries(input.room, input.rules, base, known, now, newId, channelOf(by));
	if (result.created.length === 0) {
		const codes = [...new Set(result.skipped.flatMap((s) => s.problems))];
		throw new BookingRefusedError(codes.length ? codes.map((code) => ({ code }) as BookingProblem) : [{ code: 'closed' }]);
	}
	const confirms = counterConfirmations(by, input.rules, result.created, now);
	await app.store.edit(bookingsDocName(app.community, input.household), (doc) =>
		doc.transact(() => {
			addBookings(doc, input.household, result.created, result.series);
			for (const d of confirms) addDecision(doc, input.household, d);
		})
	);
	return result;
}

// ---- cancelling ----

export async function cancelBooking(app: RoomsApp, household: string, booking: string, reason = ''): Promise<void> {
	const by = app.actorSnapshot();
	await app.store.edit(bookingsDocName(app.community, household), (doc) =>
		addCancellation(doc, household, { id: newId(), booking, by, at: Date.now(), reason: reason.slice(0, NOTE_MAX) })
	);
}

/** Cancels a series from a day on (its earlier occurrences stay as they were). */
export async function cancelSeries(app: RoomsApp, household: string, series: string, fromDay: Day, reason = ''): Promise<void> {
	const by = app.actorSnapshot();
	await app.store.edit(bookingsDocName(app.community, household), (doc) =>
		addCancellation(doc, household, { id: newId(), series, fromDay, by, at: Date.now(), reason: reason.slice(0, NOTE_MAX) })
	);
}

// ---- staff decisions ----

async function decide(app: RoomsApp, household: string, kind: 'confirm' | 'decline', booking: string, note: string): Promise<Decision> {
	const by = staff(app);
	const d: Decision = { id: newId(), kind, booking, by, at: Date.now(), note: note.trim().slice(0, NOTE_MAX) };
	await app.store.edit(bookingsDocName(app.community, household), (doc) => addDecision(doc, household, d));
	return d;
}

export const confirmBooking = (app: RoomsApp, household: string, booking: string, note = '') => decide(app, household, 'confirm', booking, note);
export const declineBooking = (app: RoomsApp, household: string, booking: string, note = '') => decide(app, household, 'decline', booking, note);

/**
 * Settles a conflict: first come by the relay's receipts, or the booking staff chose (with a note). The one
 * resolution is written into every involved household's document, so each household sees the outcome.
 */
export async function settleConflict(
	app: RoomsApp,
	conflict: Conflict,
	choice: { rule: 'first_come' } | { rule: 'staff'; keep: string },
	note = ''
): Promise<Extract<Decision, { kind: 'resolve' }>> {
	const by = staff(app);
	if (choice.rule === 'staff' && !note.trim()) refuse([{ field: 'note', code: 'required' }]);
	const d = resolveConflict(conflict, choice, by, Date.now(), newId(), note.trim());
	refuse(d ? [] : [{ field: 'rule', code: choice.rule === 'first_come' ? 'no_receipts' : 'invalid' }]);
	const households = [...new Set(conflict.bookings.map((b) => b.household))];
	for (const h of households) await app.store.edit(bookingsDocName(app.community, h), (doc) => addDecision(doc, h, d!));
	return d!;
}
