/**
 * The rooms data screens read, kept live: the rooms (rooms:main), the public calendar of busy slots
 * (rooms:public), the rules each room's convention in force sets, one household's bookings, and — on staff
 * devices — every household's bookings folded from the Dexie index (each bookings entry carries its records).
 * Call during component initialisation.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { rulesInForce } from '$lib/domain/conventions';
import { effectiveRules, type Room, type RoomRules } from '$lib/domain/rooms';
import { type BookingRecords, foldBookings, readBookings } from '$lib/schema/bookings-doc';
import { readConvention } from '$lib/schema/convention-doc';
import { bookingsDocName, roomsBoardDocName, roomsDocName } from '$lib/schema/doc-names';
import type { IndexEntry } from '$lib/schema/index-entry';
import { readBusy, readRooms } from '$lib/schema/rooms-doc';
import { accessTo } from '../access/access';
import { liveIndex } from '../intake/live-index.svelte';
import { liveCommunityDoc, liveDoc, liveDocs } from '../live-doc.svelte';

const readable = (name: string) => accessTo(courtyard().device?.grant, name) !== 'none';

export const liveRooms = () => liveCommunityDoc(roomsDocName, readRooms);
export const liveBusy = () => liveCommunityDoc(roomsBoardDocName, readBusy);

export interface RoomConvention {
	doc: string;
	title: string;
	rules: Partial<RoomRules> | null;
}

/** Each room's convention in force (its document, title and the rules it sets), by room id. */
export function liveRoomConventions(): { readonly value: Map<string, RoomConvention> } {
	const index = liveIndex('convention', (e) => e.convention?.scope.kind === 'room' && !!e.convention.inForce);
	const docs = liveDocs(
		() => {
			const names = (index.entries ?? []).map((e) => e.doc).sort();
			return names.length ? names : null;
		},
		(list) => {
			const out = new Map<string, RoomConvention>();
			list.forEach((doc, i) => {
				const state = readConvention(doc);
				const scope = state?.meta.scope;
				if (!state || scope?.kind !== 'room' || !state.inForce) return;
				const name = [...(index.entries ?? [])].map((e) => e.doc).sort()[i]!;
				out.set(scope.room, { doc: name, title: state.meta.title, rules: rulesInForce(state) });
			});
			return out;
		}
	);
	return {
		get value() {
			return docs.value ?? new Map();
		}
	};
}

/** The rules a room's bookings are checked against: its own, overridden by its convention in force. */
export const rulesOf = (room: Room, conventions: ReadonlyMap<string, RoomConvention>): RoomRules => effectiveRules(room, conventions.get(room.id)?.rules);

const EMPTY: BookingRecords = { bookings: [], series: [], cancellations: [], decisions: [], receipts: [] };

/** One household's bookings, folded. */
export function liveHouseholdBookings(household: () => string | null) {
	const app = courtyard();
	return liveDoc(
		() => {
			const h = household();
			if (!h) return null;
			const name = bookingsDocName(app.community, h);
			return readable(name) ? name : null;
		},
		(doc) => {
			const records = readBookings(doc, household() ?? '');
			return { records, ...foldBookings([records]) };
		}
	);
}

/** Folds every household's bookings entry together: states and open conflicts across households. */
export function foldAll(entries: readonly IndexEntry[]) {
	return foldBookings(entries.map((e) => e.bookings ?? EMPTY));
}

/** Every household's bookings on this device (staff hold them all), folded. Null until the index is read. */
export function liveAllBookings() {
	const index = liveIndex('bookings');
	const value = $derived(index.entries ? foldAll(index.entries) : null);
	return {
		get value() {
			return value;
		}
	};
}
