import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { addDays, cstDay } from '../domain/calendar';
import { bookingStates, DEFAULT_RULES, instantOf, isoWeekday, type Room } from '../domain/rooms';
import { addReceipts, readBookings } from '../schema/bookings-doc';
import { readRooms } from '../schema/rooms-doc';
import {
	BookingRefusedError,
	cancelBooking,
	cancelSeries,
	confirmBooking,
	InvalidRoomsInputError,
	requestBooking,
	requestSeries,
	type RoomsApp,
	saveRoom,
	settleConflict
} from './rooms';
import { specDevices } from './spec-stores';

const zhou: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };
const H1 = 'b01-1-101';
const H2 = 'b01-1-102';
const liu: Actor = { id: 'r1', name: '刘阿姨', role: 'resident' };
const wang: Actor = { id: 'r2', name: '王叔', role: 'resident' };

const room: Room = {
	id: 'activity-room',
	name: '活动室',
	place: '3栋架空层',
	capacity: 30,
	rules: { ...DEFAULT_RULES, advanceDays: 60, perHousehold: { period: 'week', maxBookings: 2, maxMinutes: null } },
	closedDays: [],
	archived: false
};
const study: Room = { ...room, id: 'study-room', name: '书画室', rules: { ...room.rules, needsConfirmation: true } };

const device = specDevices('rooms');
const records = (app: RoomsApp, h: string) => app.store.withDoc(`demo:bookings:${h}`, (d) => readBookings(d.doc, h));
const states = async (app: RoomsApp, h: string) => {
	const r = await records(app, h);
	return bookingStates(r.bookings, r.cancellations, r.decisions, r.receipts).states;
};

const NOW = Date.now();
const day = addDays(cstDay(NOW), 3);
const at = (hhmm: string) => instantOf(day, hhmm);
const base = { room, rules: room.rules, purpose: '合唱队排练', people: 10, known: [], busy: [] };

describe('rooms actions', () => {
	it('staff keep rooms; a resident may not', async () => {
		const staffApp = device(zhou);
		await saveRoom(staffApp, study);
		expect((await staffApp.store.withDoc('demo:rooms:main', (h) => readRooms(h.doc))).map((r) => r.id)).toEqual(['study-room']);
		await expect(saveRoom(device(liu, { household: H1 }), room)).rejects.toBeInstanceOf(InvalidRoomsInputError);
	});

	it('a resident requests a booking: written as requested, on disk before resolving', async () => {
		const app = device(liu, { household: H1 });
		const b = await requestBooking(app, { ...base, household: H1, start: at('09:00'), end: at('11:00') });
		expect(b).toMatchObject({ room: 'activity-room', household: H1, channel: 'app', by: { id: 'r1' } });
		const s = await states(app, H1);
		expect(s.map((x) => x.status)).toEqual(['requested']);
		expect(await app.store.db.syncState.get(`demo:bookings:${H1}`)).toMatchObject({ dirty: 1 });
	});

	it('refuses a slot the public calendar shows taken, or outside the rules, and writes nothing', async () => {
		const app = device(liu, { household: H1 });
		const busy = [{ start: at('10:00'), end: at('12:00'), status: 'confirmed' as const }];
		const err = await requestBooking(app, { ...base, busy, household: H1, start: at('09:00'), end: at('11:00') }).catch((e) => e);
		expect(err).toBeInstanceOf(BookingRefusedError);
		expect((err as BookingRefusedError).problems.map((p) => p.code)).toEqual(['taken']);
		const closed = await requestBooking(app, { ...base, household: H1, start: at('22:00'), end: at('23:00') }).catch((e) => e);
		expect((closed as BookingRefusedError).problems.map((p) => p.code)).toContain('closed');
		expect((await records(app, H1)).bookings).toEqual([]);
	});

	it('a series reports created and skipped occurrences and is written in one go; cancel one or the rest', async () => {
		const app = device(liu, { household: H1 });
		const from = cstDay(NOW + 86_400_000);
		const weekday = isoWeekday(from);
		// One week already holds a booking of this household at that hour: that occurrence is skipped.
		const second = addDays(from, 7);
		const first = await requestBooking(app, { ...base, household: H1, start: instantOf(second, '14:00'), end: instantOf(second, '16:00') });
		const known = await states(app, H1);
		const result = await requestSeries(app, { ...base, known, household: H1, from, until: addDays(from, 27), weekday, startClock: '14:00', endClock: '16:00' });
		expect(result.created).toHaveLength(3);
		expect(result.skipped).toHaveLength(1);
		expect(result.skipped[0]!.problems).toContain('taken');
		const r = await records(app, H1);
		expect(r.series).toHaveLength(1);
		expect(r.series[0]!.skipped).toHaveLength(1);
		expect(r.bookings).toHaveLength(4);

		await cancelBooking(app, H1, first.id, '改期');
		await cancelSeries(app, H1, result.series.id, cstDay(result.created[1]!.start));
		const s = await states(app, H1);
		const status = (id: string) => s.find((x) => x.booking.id === id)!.status;
		expect(status(first.id)).toBe('cancelled');
		expect(status(result.created[0]!.id)).toBe('requested');
		expect(status(result.created[1]!.id)).toBe('cancelled');
		expect(status(result.created[2]!.id)).toBe('cancelled');
	});

	it('only staff confirm; staff booking at the counter for a room needing confirmation confirm it', async () => {
		const resident = device(liu, { household: H1 });
		const b = await requestBooking(resident, { ...base, room: study, rules: study.rules, household: H1, start: at('09:00'), end: at('10:00') });
		await expect(confirmBooking(resident, H1, b.id)).rejects.toBeInstanceOf(InvalidRoomsInputError);

		const desk = device(zhou);
		const c = await requestBooking(desk, { ...base, room: study, rules: study.rules, household: H2, start: at('14:00'), end: at('15:00') });
		expect(c.channel).toBe('counter');
		expect((await states(desk, H2)).map((x) => x.status)).toEqual(['confirmed']);
	});

	it('settles a conflict first come: the resolution reaches both households, the winner confirmed and the loser declined', async () => {
		const a = device(liu, { household: H1 });
		const b = device(wang, { household: H2 });
		const ba = await requestBooking(a, { ...base, household: H1, start: at('19:00'), end: at('20:30') });
		const bb = await requestBooking(b, { ...base, household: H2, start: at('19:00'), end: at('20:30') });
		// The staff device holds both documents with the relay's receipts: H2's reached the relay first.
		const desk = device(zhou);
		const check = desk.store.writeCheck;
		desk.store.writeCheck = null;
		for (const [app, h, id, seq] of [[a, H1, ba.id, 9], [b, H2, bb.id, 4]] as const) {
			const u = await app.store.withDoc(`demo:bookings:${h}`, (x) => Y.encodeStateAsUpdate(x.doc));
			await desk.store.edit(`demo:bookings:${h}`, (doc) => {
				Y.applyUpdate(doc, u);
				addReceipts(doc, [{ booking: id, at: NOW, seq, confirmed: true }]);
			});
		}
		desk.store.writeCheck = check;
		const r1 = await records(desk, H1);
		const r2 = await records(desk, H2);
		const merged = bookingStates([...r1.bookings, ...r2.bookings], [], [], [...r1.receipts, ...r2.receipts]);
		expect(merged.conflicts).toHaveLength(1);
		const conflict = merged.conflicts[0]!;
		expect(conflict.firstCome).toBe(bb.id);
		await expect(settleConflict(a, conflict, { rule: 'first_come' })).rejects.toBeInstanceOf(InvalidRoomsInputError);
		await expect(settleConflict(desk, conflict, { rule: 'staff', keep: ba.id })).rejects.toBeInstanceOf(InvalidRoomsInputError);
		const d = await settleConflict(desk, conflict, { rule: 'first_come' });
		expect(d.keep).toBe(bb.id);
		const s1 = await states(desk, H1);
		const s2 = await states(desk, H2);
		expect(s1[0]).toMatchObject({ status: 'declined', lostTo: { rule: 'first_come' } });
		expect(s2[0]).toMatchObject({ status: 'confirmed' });
	});
});
