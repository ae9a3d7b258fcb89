/**
 * A household's room bookings (`<community>:bookings:<household id>`): personal data, read by that household
 * and the staff who run the rooms. Root keys:
 *   meta           Y.Map  schema, household (the document's id)
 *   bookings       Y.Map  booking id → Booking; written once (a change is a cancellation and a new booking)
 *   series         Y.Map  series id → Series; written once, with the occurrences it skipped and why
 *   cancellations  Y.Map  id → Cancellation of a booking or of a series from a day on; written once
 *   decisions      Y.Map  id → Decision by staff: confirm or decline a booking, or resolve a conflict (the
 *                         resolution is written into every household's document it names)
 *   receipts       Y.Map  booking id → Receipt, written by the relay alone: when the booking reached it, the
 *                         commit sequence that brought it (first come), and whether the relay's rule confirmed it
 * The household writes bookings, series and cancellations; decisions are staff's and receipts the relay's (see
 * write-rules.ts). A booking's status is never stored: the domain folds these records (rooms.ts).
 */
import * as Y from 'yjs';
import { type Booking, bookingStates, type Cancellation, type Decision, parseBooking, parseCancellation, parseDecision, parseReceipt, parseSeries, type Receipt, type Series } from '../domain/rooms';
import { stampMeta } from './meta';

const bookings = (doc: Y.Doc) => doc.getMap<unknown>('bookings');
const series = (doc: Y.Doc) => doc.getMap<unknown>('series');
const cancellations = (doc: Y.Doc) => doc.getMap<unknown>('cancellations');
const decisions = (doc: Y.Doc) => doc.getMap<unknown>('decisions');
const receipts = (doc: Y.Doc) => doc.getMap<unknown>('receipts');

export interface BookingRecords {
	bookings: Booking[];
	series: Series[];
	cancellations: Cancellation[];
	decisions: Decision[];
	receipts: Receipt[];
}

/** Several households' records folded together: every booking's state and the open conflicts across them. */
export function foldBookings(records: Iterable<BookingRecords>): ReturnType<typeof bookingStates> {
	const all = [...records];
	return bookingStates(
		all.flatMap((r) => r.bookings),
		all.flatMap((r) => r.cancellations),
		all.flatMap((r) => r.decisions),
		all.flatMap((r) => r.receipts)
	);
}

function collect<T extends { id: string }>(map: Y.Map<unknown>, parse: (v: unknown) => T | null, keep: (x: T) => boolean = () => true): T[] {
	const out: T[] = [];
	for (const [key, value] of map) {
		const x = parse(value);
		if (x && x.id === key && keep(x)) out.push(x);
	}
	return out;
}

/** The household's records; bookings and series naming another household are ignored (and refused on write). */
export function readBookings(doc: Y.Doc, household: string): BookingRecords {
	return {
		bookings: collect(bookings(doc), parseBooking, (b) => b.household === household),
		series: collect(series(doc), parseSeries, (s) => s.household === household),
		cancellations: collect(cancellations(doc), parseCancellation),
		decisions: collect(decisions(doc), parseDecision),
		receipts: [...receipts(doc)].flatMap(([key, v]) => {
			const r = parseReceipt(v);
			return r && r.booking === key ? [r] : [];
		})
	};
}

function add(doc: Y.Doc, household: string, map: Y.Map<unknown>, records: readonly { id: string }[]): void {
	doc.transact(() => {
		stampMeta(doc, { household });
		for (const r of records) if (!map.has(r.id)) map.set(r.id, structuredClone(r));
	});
}

/** A booking, or a series with its occurrences, in one transaction (one update: all or nothing reaches the relay). */
export function addBookings(doc: Y.Doc, household: string, list: readonly Booking[], s?: Series): void {
	doc.transact(() => {
		if (s) add(doc, household, series(doc), [s]);
		add(doc, household, bookings(doc), list);
	});
}

export const addCancellation = (doc: Y.Doc, household: string, c: Cancellation) => add(doc, household, cancellations(doc), [c]);
export const addDecision = (doc: Y.Doc, household: string, d: Decision) => add(doc, household, decisions(doc), [d]);

/** The relay's receipts, each written once; false when every one was already there. */
export function addReceipts(doc: Y.Doc, list: readonly Receipt[]): boolean {
	const fresh = list.filter((r) => !receipts(doc).has(r.booking));
	if (fresh.length === 0) return false;
	doc.transact(() => {
		stampMeta(doc);
		for (const r of fresh) receipts(doc).set(r.booking, { ...r });
	});
	return true;
}
