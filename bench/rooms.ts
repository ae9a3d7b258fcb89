/**
 * roomsBench: what the rooms' fold (src/lib/domain/rooms.ts) costs over a year of bookings for 10 rooms: about
 * eight bookings a room a day by 1,000 households, a few cancelled, staff decisions on some, the relay's receipt
 * on each, and one clash in a hundred where two offline devices took the same slot, generated with a seeded PRNG.
 *   (i)   baseline in the same run: one linear pass summing every booking's minutes, the least any fold does;
 *   (ii)  bookingStates: statuses and conflict detection over the whole year (what a staff screen folds);
 *   (iii) the same conflicts found by comparing every pair of a room's bookings, the naive way;
 *   (iv)  checkBooking: one new request checked against the year (what a device does when booking).
 * Each figure is the median of runs after as long a warm-up; no timed assertions. Run alone: npx tsx bench/rooms.ts
 */
import type { Actor } from '../src/lib/domain/actor';
import { addDays } from '../src/lib/domain/calendar';
import { type Booking, type BookingState, bookingStates, checkBooking, type Decision, DEFAULT_RULES, instantOf, type Receipt, type Room } from '../src/lib/domain/rooms';
import { prng } from '../src/lib/domain/prng';
import { type BenchResult, isMain, result } from './relay-kit';
import { medianMs } from './timing';

const ROOMS = 10;
const DAYS = 365;
const PER_DAY = 8;
const HOUSEHOLDS = 1_000;
const FIRST_DAY = '2026-01-01';
const by: Actor = { id: 'dev', name: '居民', role: 'resident' };
const staff: Actor = { id: 'staff', name: '社工', role: 'facilitator' };

const rooms: Room[] = Array.from({ length: ROOMS }, (_, i) => ({
	id: `room-${i}`,
	name: `活动室${i + 1}`,
	place: '',
	capacity: 30,
	rules: { ...DEFAULT_RULES, advanceDays: 400, perHousehold: { period: 'week', maxBookings: null, maxMinutes: null } },
	closedDays: [],
	archived: false
}));

/** A year of bookings: the day's slots from 08:00 in one- or two-hour steps, some clashing. */
export function generate(seed: number) {
	const rand = prng(seed);
	const bookings: Booking[] = [];
	const receipts: Receipt[] = [];
	const decisions: Decision[] = [];
	let n = 0;
	for (let d = 0; d < DAYS; d++) {
		const day = addDays(FIRST_DAY, d);
		for (const room of rooms) {
			let minute = 8 * 60;
			for (let k = 0; k < PER_DAY && minute < 20 * 60; k++) {
				const length = rand() < 0.5 ? 60 : 90;
				const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
				const make = (): Booking => ({
					id: `b${++n}`,
					room: room.id,
					household: `b${String(1 + Math.floor(rand() * 20)).padStart(2, '0')}-1-${100 + Math.floor(rand() * HOUSEHOLDS / 20)}`,
					start: instantOf(day, clock(minute)),
					end: instantOf(day, clock(minute + length)),
					purpose: '活动',
					people: 10,
					by,
					at: instantOf(day, '07:00') - 86_400_000,
					channel: 'app'
				});
				const b = make();
				bookings.push(b);
				receipts.push({ booking: b.id, at: b.at + 60_000, seq: n, confirmed: true });
				// One clash in a hundred: another household took the same slot offline.
				if (rand() < 0.01) {
					const other = make();
					bookings.push(other);
					receipts.push({ booking: other.id, at: other.at + 120_000, seq: n, confirmed: false });
					if (rand() < 0.5) {
						decisions.push({ id: `d${n}`, kind: 'resolve', bookings: [b.id, other.id].sort(), keep: b.id, rule: 'first_come', by: staff, at: other.at + 3_600_000, note: '' });
					}
				}
				minute += length;
			}
		}
	}
	const cancellations = bookings.filter((_, i) => i % 37 === 0).map((b) => ({ id: `c${b.id}`, booking: b.id, by, at: b.at + 1000, reason: '' }));
	return { bookings, receipts, decisions, cancellations };
}

/** The naive way: every pair of a room's active bookings compared. */
function pairwiseClashes(states: readonly BookingState[]): number {
	const byRoom = new Map<string, Booking[]>();
	for (const s of states) if (s.status !== 'cancelled' && s.status !== 'declined') (byRoom.get(s.booking.room) ?? byRoom.set(s.booking.room, []).get(s.booking.room)!).push(s.booking);
	let clashes = 0;
	for (const list of byRoom.values()) {
		for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) if (list[i]!.start < list[j]!.end && list[j]!.start < list[i]!.end) clashes++;
	}
	return clashes;
}

export function roomsBench(): BenchResult {
	const y = generate(11);
	const baseMs = medianMs(() => {
		let minutes = 0;
		for (const b of y.bookings) minutes += (b.end - b.start) / 60_000;
		return minutes;
	});
	const fold = () => bookingStates(y.bookings, y.cancellations, y.decisions, y.receipts);
	const foldMs = medianMs(fold);
	const folded = fold();
	const pairwiseMs = medianMs(() => pairwiseClashes(folded.states), 1500, 3);
	const want = { household: 'b01-1-101', start: instantOf(addDays(FIRST_DAY, 200), '14:00'), end: instantOf(addDays(FIRST_DAY, 200), '15:00'), people: 10 };
	const checkMs = medianMs(() => checkBooking(rooms[3]!, rooms[3]!.rules, want, folded.states, instantOf(FIRST_DAY, '00:00')));
	const rows = [
		{ measure: `baseline: one linear pass over ${y.bookings.length} bookings`, ms: baseMs, 'vs baseline': 1 },
		{ measure: 'bookingStates: statuses and conflicts over the year', ms: foldMs, 'vs baseline': +(foldMs / baseMs).toFixed(1) },
		{ measure: 'the same conflicts by comparing every pair of a room’s bookings', ms: pairwiseMs, 'vs baseline': +(pairwiseMs / baseMs).toFixed(0) },
		{ measure: 'checkBooking: one request against the year', ms: checkMs, 'vs baseline': +(checkMs / baseMs).toFixed(2) }
	];
	return result('rooms: a year of bookings for 10 rooms', rows, [
		`${y.bookings.length} bookings, ${y.cancellations.length} cancelled, ${y.decisions.length} clashes settled; ${folded.conflicts.length} conflicts open after the fold;`,
		`the fold finds conflicts ${(pairwiseMs / foldMs).toFixed(0)}× faster than comparing pairs.`
	]);
}

if (isMain(import.meta.url)) console.log(String(roomsBench()));
