/**
 * Rooms (活动室) and their public calendar.
 *
 * `<community>:rooms:main`, staff write, everyone in the community reads. Root keys:
 *   meta   Y.Map  schema
 *   rooms  Y.Map  room id → Room; changed, never deleted (a room no longer offered is archived, so bookings
 *                 that name it still find it)
 *
 * `<community>:rooms:public`, written by the relay alone, read by everyone in the community. Root keys:
 *   meta   Y.Map  schema
 *   busy   Y.Map  room id → BusySlot[]: the room's active bookings from yesterday on, with neither household nor
 *                 booking id, so a resident sees which slots are taken and nothing about who took them
 * The relay's receipts (when a booking reached it, and whether its rule confirmed it) go into each household's
 * own bookings document (bookings-doc.ts), which only that household and staff read.
 */
import * as Y from 'yjs';
import { parseRoom, type Room } from '../domain/rooms';
import { stampMeta } from './meta';

const rooms = (doc: Y.Doc) => doc.getMap<unknown>('rooms');
const busy = (doc: Y.Doc) => doc.getMap<unknown>('busy');

/** Every room that parses, archived ones included, by name. */
export function readRooms(doc: Y.Doc): Room[] {
	const out: Room[] = [];
	for (const [key, value] of rooms(doc)) {
		const r = parseRoom(value);
		if (r && r.id === key) out.push(r);
	}
	return out.sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN') || (a.id < b.id ? -1 : 1));
}

export function putRoom(doc: Y.Doc, room: Room): void {
	doc.transact(() => {
		stampMeta(doc);
		rooms(doc).set(room.id, structuredClone(room));
	});
}

// ------------------------------------------------------------------------------------- the public calendar

/** A taken stretch of a room, as residents see it: no household, no booking, no purpose. */
export interface BusySlot {
	start: number;
	end: number;
	status: 'requested' | 'confirmed';
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function readBusy(doc: Y.Doc): Map<string, BusySlot[]> {
	const out = new Map<string, BusySlot[]>();
	for (const [room, v] of busy(doc)) {
		if (!Array.isArray(v)) continue;
		const slots = v.filter(
			(s): s is BusySlot =>
				isRecord(s) && Number.isSafeInteger(s.start) && Number.isSafeInteger(s.end) && (s.status === 'requested' || s.status === 'confirmed')
		);
		out.set(room, slots);
	}
	return out;
}

/** The relay's write: each room's busy slots, only where they changed. False when nothing changed. */
export function writeBusy(doc: Y.Doc, busyByRoom: ReadonlyMap<string, readonly BusySlot[]>): boolean {
	const had = readBusy(doc);
	const changed = [...busyByRoom].filter(([room, slots]) => JSON.stringify(had.get(room) ?? []) !== JSON.stringify(slots));
	const emptied = [...had.keys()].filter((room) => !busyByRoom.has(room) && (had.get(room)?.length ?? 0) > 0);
	if (changed.length === 0 && emptied.length === 0) return false;
	doc.transact(() => {
		stampMeta(doc);
		for (const [room, slots] of changed) busy(doc).set(room, slots.map((s) => ({ start: s.start, end: s.end, status: s.status })));
		for (const room of emptied) busy(doc).set(room, []);
	});
	return true;
}
