/**
 * The rooms' relay side: receipts of bookings, the relay's confirmation rule, and the public calendar.
 *
 * When a household's booking first reaches the relay, the relay writes a receipt into that household's bookings
 * document: when, and the commit sequence that brought it, which is what "first come" means when two offline
 * bookings of one slot meet. The receipt also says whether the relay confirmed the booking: the room needs no
 * staff confirmation, and the booking keeps every rule of the room (hours, slots, horizon, capacity, the
 * household's limits, and no overlap with a booking received before it) under the rules in force, a room's own
 * overridden by its convention in force. Anything else waits for staff; an overlap is flagged as a conflict by
 * the domain on every staff device.
 *
 * `<community>:rooms:public` gets each room's busy slots (no household, no booking id) for residents' week views.
 *
 * It follows the change feed like every community publisher (community-publisher.ts): a community's bookings,
 * rooms and conventions are read after its devices have been quiet for a moment, and each household's bookings
 * are kept in memory and read again only when its document changes.
 */
import type * as Y from 'yjs';
import { parseDocName, roomsBoardDocName, roomsDocName, bookingsDocName, conventionDocName } from '../../src/lib/schema/doc-names';
import { addReceipts, type BookingRecords, foldBookings, readBookings } from '../../src/lib/schema/bookings-doc';
import { readConvention } from '../../src/lib/schema/convention-doc';
import { rulesInForce } from '../../src/lib/domain/conventions';
import { type BusySlot, readRooms, writeBusy } from '../../src/lib/schema/rooms-doc';
import { type Booking, type BookingState, bookingStates, checkBooking, effectiveRules, type Receipt, type Room, type RoomRules } from '../../src/lib/domain/rooms';
import { cstDay } from '../../src/lib/domain/calendar';
import { type AttachedPublisher, attachPublisher, CommunityPublisher, type CommunityPublisherOptions } from './community-publisher';

const DAY_MS = 86_400_000;
/** Origin of the publisher's own writes (receipts and the public calendar). */
const ROOMS_ORIGIN = Symbol('rooms publisher');

interface HouseholdBookings {
	records: BookingRecords | null;
	/** The commit that last changed the document, and when the feed told: a new booking's receipt. */
	seq: number;
	at: number;
}

interface CommunityState {
	households: Map<string, HouseholdBookings>;
	dirty: Set<string>;
	rooms: Room[] | null;
	roomsDirty: boolean;
	/** Convention id → the room it governs and the rules its version in force carries (null: none). */
	conventions: Map<string, { room: string; rules: Partial<RoomRules> | null } | null>;
	conventionsDirty: Set<string>;
	published: string | null;
}

/** Which part of a community's rooms a document feeds; null for everything else (the calendar itself included). */
function sourceOf(doc: string): { community: string; household?: string; convention?: string; rooms?: true } | null {
	const ref = parseDocName(doc);
	if (!ref) return null;
	if (ref.kind === 'bookings') return { community: ref.community, household: ref.id };
	if (ref.kind === 'rooms' && ref.id === 'main') return { community: ref.community, rooms: true };
	if (ref.kind === 'convention') return { community: ref.community, convention: ref.id };
	return null;
}

/** The rules of each room: its own, overridden by the rules of its convention in force. */
export function rulesByRoom(rooms: readonly Room[], conventions: Iterable<{ room: string; rules: Partial<RoomRules> | null } | null>): Map<string, RoomRules> {
	const fromConvention = new Map<string, Partial<RoomRules>>();
	for (const c of conventions) if (c?.rules) fromConvention.set(c.room, c.rules);
	return new Map(rooms.map((r) => [r.id, effectiveRules(r, fromConvention.get(r.id))]));
}

/**
 * Receipts for the bookings that have none, in the order they reached the relay, each confirmed when its room
 * needs no staff confirmation and it keeps every rule against the bookings received before it. Pure: the
 * publisher's and the tests' one definition of the rule.
 */
export function newReceipts(
	households: ReadonlyMap<string, { records: BookingRecords | null; seq: number; at: number }>,
	rooms: readonly Room[],
	rules: ReadonlyMap<string, RoomRules>
): Map<string, Receipt[]> {
	const all = [...households.values()].flatMap((h) => (h.records ? [h.records] : []));
	const cancellations = all.flatMap((r) => r.cancellations);
	const decisions = all.flatMap((r) => r.decisions);
	const receipts = all.flatMap((r) => r.receipts);
	const received = new Set(receipts.map((r) => r.booking));
	const waiting: { household: string; booking: Booking; seq: number; at: number }[] = [];
	for (const [household, h] of households) {
		for (const b of h.records?.bookings ?? []) if (!received.has(b.id)) waiting.push({ household, booking: b, seq: h.seq, at: h.at });
	}
	const out = new Map<string, Receipt[]>();
	if (waiting.length === 0) return out;
	waiting.sort((a, b) => a.seq - b.seq || a.booking.at - b.booking.at || (a.booking.id < b.booking.id ? -1 : 1));

	// What was received before, by room: the bookings a new one is checked against.
	const receivedBookings = all.flatMap((r) => r.bookings).filter((b) => received.has(b.id));
	const { states } = bookingStates(receivedBookings, cancellations, decisions, receipts);
	const byRoom = new Map<string, BookingState[]>();
	for (const s of states) (byRoom.get(s.booking.room) ?? byRoom.set(s.booking.room, []).get(s.booking.room)!).push(s);
	const roomOf = new Map(rooms.map((r) => [r.id, r]));
	for (const w of waiting) {
		const room = roomOf.get(w.booking.room);
		const roomRules = rules.get(w.booking.room);
		const known = byRoom.get(w.booking.room) ?? [];
		const cancelled = cancellations.some((c) =>
			'booking' in c ? c.booking === w.booking.id : c.series === w.booking.series && cstDay(w.booking.start) >= c.fromDay
		);
		const confirmed =
			!!room &&
			!!roomRules &&
			!room.archived &&
			!roomRules.needsConfirmation &&
			!cancelled &&
			checkBooking(room, roomRules, { ...w.booking }, known, w.at).length === 0;
		const receipt: Receipt = { booking: w.booking.id, at: w.at, seq: w.seq, confirmed };
		(out.get(w.household) ?? out.set(w.household, []).get(w.household)!).push(receipt);
		known.push({ booking: w.booking, status: confirmed ? 'confirmed' : 'requested', conflict: null, decision: null });
		byRoom.set(w.booking.room, known);
	}
	return out;
}

/** Each room's active bookings from yesterday on, as residents see them. */
export function busySlots(households: Iterable<{ records: BookingRecords | null }>, now: number): Map<string, BusySlot[]> {
	const { states } = foldBookings([...households].flatMap((h) => (h.records ? [h.records] : [])));
	const out = new Map<string, BusySlot[]>();
	for (const s of states) {
		if (s.status === 'cancelled' || s.status === 'declined' || s.booking.end < now - DAY_MS) continue;
		const slot: BusySlot = { start: s.booking.start, end: s.booking.end, status: s.status === 'confirmed' ? 'confirmed' : 'requested' };
		(out.get(s.booking.room) ?? out.set(s.booking.room, []).get(s.booking.room)!).push(slot);
	}
	for (const slots of out.values()) slots.sort((a, b) => a.start - b.start || a.end - b.end);
	return out;
}

export type RoomsBoards = AttachedPublisher<RoomsPublisher>;

export const createRoomsBoard = (options: CommunityPublisherOptions): RoomsBoards =>
	attachPublisher(new RoomsPublisher(options), options, 15_000);

export class RoomsPublisher extends CommunityPublisher<CommunityState> {
	protected readonly label = 'the rooms calendar';
	protected readonly origin = ROOMS_ORIGIN;

	protected newState(): CommunityState {
		return { households: new Map(), dirty: new Set(), rooms: null, roomsDirty: true, conventions: new Map(), conventionsDirty: new Set(), published: null };
	}

	protected noteDoc(doc: string, seq: number): string | null {
		const source = sourceOf(doc);
		if (!source) return null;
		const state = this.state(source.community);
		if (source.household !== undefined) {
			const h = state.households.get(source.household);
			if (h) {
				h.seq = seq;
				h.at = this.now();
			} else state.households.set(source.household, { records: null, seq, at: this.now() });
			state.dirty.add(source.household);
		} else if (source.convention !== undefined) state.conventionsDirty.add(source.convention);
		else state.roomsDirty = true;
		return source.community;
	}

	protected isDirty(s: CommunityState): boolean {
		return s.dirty.size > 0 || s.roomsDirty || s.conventionsDirty.size > 0;
	}

	protected async publish(community: string, state: CommunityState): Promise<void> {
		if (state.roomsDirty || !state.rooms) {
			state.roomsDirty = false;
			state.rooms = await this.readPart(
				() => this.withStored(roomsDocName(community), (doc) => (doc ? readRooms(doc) : [])),
				() => (state.roomsDirty = true)
			);
		}
		await this.readEach(state.conventionsDirty, async (id) => {
			state.conventions.set(id, await this.withStored(conventionDocName(community, id), conventionRules));
		});
		await this.readEach(state.dirty, async (household) => {
			const records = await this.withStored(bookingsDocName(community, household), (doc) => (doc ? readBookings(doc, household) : null));
			state.households.get(household)!.records = records;
		});

		const rooms = state.rooms;
		const receipts = newReceipts(state.households, rooms, rulesByRoom(rooms, state.conventions.values()));
		for (const [household, list] of receipts) {
			await this.docs.write(bookingsDocName(community, household), ROOMS_ORIGIN, (doc) => addReceipts(doc, list));
			const h = state.households.get(household)!;
			if (h.records) h.records = { ...h.records, receipts: [...h.records.receipts, ...list] };
		}
		const busy = busySlots(state.households.values(), this.now());
		const key = JSON.stringify([...busy]);
		if (state.published === key) return;
		await this.docs.write(roomsBoardDocName(community), ROOMS_ORIGIN, (doc) => writeBusy(doc, busy));
		state.published = key;
	}
}

/** What the rooms need of a convention: the room it governs and the rules of its version in force. */
function conventionRules(doc: Y.Doc | null): { room: string; rules: Partial<RoomRules> | null } | null {
	const state = doc ? readConvention(doc) : null;
	if (!state || state.meta.scope.kind !== 'room') return null;
	return { room: state.meta.scope.room, rules: rulesInForce(state) };
}
