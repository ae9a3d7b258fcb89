/**
 * Rooms, bookings and conventions against the real relay, with real credentials and real clients: a resident
 * requests and cancels its own household's bookings but cannot confirm one, settle a conflict, forge a receipt,
 * read a neighbour's bookings or write the public calendar; it suggests changes to a convention but cannot edit
 * its text, consolidate a version, open a ratification or put a version in force. And the relay's own side: two
 * offline bookings of one slot both stay, the first to reach the relay is confirmed by its rule and the second
 * held, and the public calendar shows the slot taken without saying by whom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { type Booking, DEFAULT_RULES, instantOf, type Room } from '../../src/lib/domain/rooms';
import { BatchStatus, MuxMessage } from '../../src/lib/protocol/messages';
import { addBookings, addCancellation, addDecision, addReceipts, foldBookings, readBookings } from '../../src/lib/schema/bookings-doc';
import {
	anchorPassage,
	putRatification,
	putResult,
	putSuggestion,
	putVerdict,
	putVersion,
	readConvention,
	startConvention
} from '../../src/lib/schema/convention-doc';
import { bookingsDocName, conventionDocName, roomsBoardDocName, roomsDocName } from '../../src/lib/schema/doc-names';
import { putRoom, readBusy, readRooms, writeBusy } from '../../src/lib/schema/rooms-doc';
import { provider, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';
import { relayJudge } from './relay-judge';

const LIU = 'b03-1-401';
const ZHANG = 'b03-1-402';
const ROOMS = roomsDocName('demo');
const CALENDAR = roomsBoardDocName('demo');
const LIUS = bookingsDocName('demo', LIU);
const ZHANGS = bookingsDocName('demo', ZHANG);
const CONVENTION = conventionDocName('demo', 'room-rules');

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { join, who, stored, seed, send, updateFrom, expectRefused, expectAccepted } = relayJudge(() => relay);

const DAY = 86_400_000;
/** A day a week ahead, in China time, so every booking below is in the room's horizon whenever the test runs. */
const day = new Date(Date.now() + 7 * DAY + 8 * 3600_000).toISOString().slice(0, 10);
const ROOM: Room = { id: 'room-1', name: '活动室', place: '3栋架空层', capacity: 20, rules: DEFAULT_RULES, closedDays: [], archived: false };

let seq = 0;
const booking = (household: string, by: Actor, from = '14:00', to = '16:00', over: Partial<Booking> = {}): Booking => ({
	id: `bk${++seq}`,
	room: ROOM.id,
	household,
	start: instantOf(day, from),
	end: instantOf(day, to),
	purpose: '合唱排练',
	people: 8,
	by,
	at: Date.now(),
	channel: 'app',
	...over
});

beforeAll(async () => {
	relay = await startTestRelay({ roomsBoard: { startDelayMs: 0, debounceMs: 30 } });
	await join('liu', { role: 'resident', community: 'demo', household: LIU }, '刘阿姨');
	await join('zhang', { role: 'resident', community: 'demo', household: ZHANG }, '张叔');
	await join('grid', { role: 'grid_worker', community: 'demo', grids: ['g1'] }, '网格员小陈');
	await join('zhou', { role: 'facilitator', community: 'demo' }, '周敏');
	await seed(ROOMS, (d) => putRoom(d, ROOM));
	const zhou = who('zhou').actor;
	await seed(CONVENTION, (d) => {
		startConvention(d, { id: 'room-rules', title: '活动室使用公约', scope: { kind: 'room', room: ROOM.id }, by: zhou, at: 1 }, '一、开放时间：早八点到晚上九点。');
		putVersion(d, { n: 1, text: '一、开放时间：早八点到晚上九点。', rules: null, accepted: [], by: zhou, at: 2, note: '' });
		putRatification(d, { id: 'r1', version: 1, poll: 'p1', rule: 'civil_code', by: zhou, at: 3 });
		putResult(d, { ratification: 'r1', outcome: 'carried', day: '2026-12-01', by: zhou, at: 4 });
	});
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

describe('a resident device and its bookings', () => {
	it('requests a booking for its own household, and no other', async () => {
		await expectAccepted('liu', LIUS, (d) => addBookings(d, LIU, [booking(LIU, who('liu').actor, '09:00', '10:00')]));
		// The relay answers with its receipt (confirmed: the slot is free and keeps the room's rules).
		const receipt = await waitFor(async () => readBookings(await stored(LIUS), LIU).receipts[0] ?? null, { what: 'the receipt' });
		expect(receipt.confirmed).toBe(true);
		await expectRefused('liu', LIUS, (d) => addBookings(d, LIU, [booking(ZHANG, who('liu').actor)]), /names household b03-1-401/);
		await expectRefused('liu', LIUS, (d) => addBookings(d, LIU, [booking(LIU, who('zhang').actor)]), /author|must name this device/);
		// Another household's document is not its to write, nor to read.
		await expectRefused('liu', ZHANGS, (d) => addBookings(d, ZHANG, [booking(ZHANG, who('liu').actor)]), /^forbidden/);
	});

	it('cannot confirm its own booking, settle a conflict or forge a receipt', async () => {
		const liu = who('liu').actor;
		const mine = readBookings(await stored(LIUS), LIU).bookings[0]!;
		await expectRefused('liu', LIUS, (d) => addDecision(d, LIU, { id: 'd1', kind: 'confirm', booking: mine.id, by: liu, at: Date.now(), note: '' }), /resident may not change "decisions"/);
		await expectRefused(
			'liu',
			LIUS,
			(d) => addDecision(d, LIU, { id: 'd2', kind: 'resolve', bookings: [mine.id, 'other'], keep: mine.id, rule: 'staff', by: liu, at: Date.now(), note: '' }),
			/resident may not change "decisions"/
		);
		await expectRefused('liu', LIUS, (d) => addReceipts(d, [{ booking: 'ghost', at: 1, seq: 1, confirmed: true }]), /resident may not change "receipts"/);
		// Staff cannot forge the relay's receipts either.
		await expectRefused('zhou', LIUS, (d) => addReceipts(d, [{ booking: 'ghost', at: 1, seq: 1, confirmed: true }]), /facilitator may not change "receipts"/);
	});

	it('cancels its own booking, not one it does not hold', async () => {
		const liu = who('liu').actor;
		const mine = readBookings(await stored(LIUS), LIU).bookings[0]!;
		await expectRefused('liu', LIUS, (d) => addCancellation(d, LIU, { id: 'c0', booking: 'not-mine', by: liu, at: Date.now(), reason: '' }), /names a booking of this household/);
		await expectAccepted('liu', LIUS, (d) => addCancellation(d, LIU, { id: 'c1', booking: mine.id, by: liu, at: Date.now(), reason: '有事' }));
	});

	it('reads the rooms and their calendar, writes neither', async () => {
		// The relay has taken the cancelled booking off the calendar (nothing else changes it under this test).
		await waitFor(async () => readBusy(await stored(CALENDAR)).get(ROOM.id)?.length === 0 || null, { what: 'the calendar without the cancelled booking' });
		await expectRefused('liu', ROOMS, (d) => putRoom(d, { ...ROOM, capacity: 200 }), /^read-only/);
		for (const key of ['liu', 'zhou']) await expectRefused(key, CALENDAR, (d) => writeBusy(d, new Map([[ROOM.id, []]])), /^read-only/);
		const c = await SyncClient.connect(relay.url, who('liu').token);
		try {
			const empty = Y.encodeStateVector(new Y.Doc());
			c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: [ROOMS, CALENDAR, LIUS, ZHANGS].map((doc) => ({ doc, stateVector: empty })) });
			const { entries } = await c.waitFrame(MuxMessage.BatchSyncReply);
			expect(Object.fromEntries(entries.map((e) => [e.doc, e.status]))).toEqual({
				[ROOMS]: BatchStatus.ReadOnly,
				[CALENDAR]: BatchStatus.ReadOnly,
				[LIUS]: BatchStatus.Ok,
				[ZHANGS]: BatchStatus.Forbidden
			});
		} finally {
			c.close();
		}
		expect(readRooms(await stored(ROOMS)).map((r) => r.capacity)).toEqual([20]);
	});

	it('a grid worker neither reads nor writes bookings', async () => {
		await expectRefused('grid', LIUS, (d) => addBookings(d, LIU, [booking(LIU, who('grid').actor)]), /^forbidden/);
	});
});

describe('a convention', () => {
	it('takes a resident’s suggestion; its text, versions, ratification and force stay staff’s', async () => {
		const liu = who('liu').actor;
		const anchor = anchorPassage(await stored(CONVENTION), 0, 11, 15)!;
		await expectAccepted('liu', CONVENTION, (d) =>
			putSuggestion(d, { id: 's1', kind: 'change', anchor, quote: anchor.quote, replacement: '晚上八点半', comment: '老人睡得早', by: liu, at: Date.now() })
		);
		await expectRefused(
			'liu',
			CONVENTION,
			(d) => putSuggestion(d, { id: 's2', kind: 'comment', anchor, quote: anchor.quote, replacement: '', comment: '冒名', by: who('zhang').actor, at: Date.now() }),
			/author|must name this device/
		);
		await expectRefused('liu', CONVENTION, (d) => putVerdict(d, { suggestion: 's1', verdict: 'accepted', by: liu, at: 5, note: '' }), /resident may not change "verdicts"/);
		await expectRefused('liu', CONVENTION, (d) => putVersion(d, { n: 2, text: '随便改', rules: null, accepted: [], by: liu, at: 6, note: '' }), /resident may not change "versions"/);
		await expectRefused('liu', CONVENTION, (d) => putRatification(d, { id: 'r2', version: 1, poll: 'p2', rule: 'simple_majority', by: liu, at: 7 }), /resident may not change "ratifications"/);
		await expectRefused('liu', CONVENTION, (d) => putResult(d, { ratification: 'r1', outcome: 'not_carried', day: '2026-12-02', by: liu, at: 8 }), /resident may not change "results"/);
		await expectRefused(
			'liu',
			CONVENTION,
			(d) => {
				const p = d.getXmlFragment('content').get(0) as Y.XmlElement;
				(p.get(0) as Y.XmlText).insert(0, '作废');
			},
			/resident may not change "content"/
		);
		// The version in force cannot be rewritten, even by staff: a new version is the way.
		const zhou = who('zhou').actor;
		const update = await updateFrom(CONVENTION, (d) => {
			const versions = d.getMap('versions');
			const key = [...versions.keys()][0]!;
			versions.set(key, { ...(versions.get(key) as object), text: '改过的' });
		});
		expect(await send('zhou', CONVENTION, update)).toMatchObject({ kind: MuxMessage.DocError, reason: expect.stringMatching(/never change once written/) });
		await expectAccepted('zhou', CONVENTION, (d) => putVerdict(d, { suggestion: 's1', verdict: 'accepted', by: zhou, at: 9, note: '' }));
		const state = readConvention(await stored(CONVENTION))!;
		expect(state.inForce?.version.text).toBe('一、开放时间：早八点到晚上九点。');
		expect(state.suggestions[0]?.verdict?.verdict).toBe('accepted');
	});
});

describe('the relay’s side of bookings', () => {
	it('keeps two offline bookings of one slot, confirms the first to arrive and holds the second, and shows the slot taken', async () => {
		// Both households booked the same slot offline; Zhang reconnects first.
		const zhangs = booking(ZHANG, who('zhang').actor, '19:00', '21:00');
		const lius = booking(LIU, who('liu').actor, '19:00', '21:00');
		const local = new Y.Doc();
		const p = provider(relay.url, LIUS, local, { token: who('liu').token });
		try {
			await whenSynced(p);
			await expectAccepted('zhang', ZHANGS, (d) => addBookings(d, ZHANG, [zhangs]));
			await waitFor(async () => readBookings(await stored(ZHANGS), ZHANG).receipts.length === 1, { what: "the receipt of Zhang's booking" });
			await expectAccepted('liu', LIUS, (d) => addBookings(d, LIU, [lius]));
			const receipts = await waitFor(
				async () => {
					const r = readBookings(await stored(LIUS), LIU).receipts.find((x) => x.booking === lius.id);
					return r ?? null;
				},
				{ what: "the receipt of Liu's booking" }
			);
			const zhangsReceipt = readBookings(await stored(ZHANGS), ZHANG).receipts[0]!;
			expect(zhangsReceipt).toMatchObject({ booking: zhangs.id, confirmed: true });
			expect(receipts.confirmed).toBe(false);
			expect(receipts.seq).toBeGreaterThan(zhangsReceipt.seq);
			// Liu's own device receives the receipt; the staff fold sees the conflict, first come keeping Zhang's.
			await waitFor(() => readBookings(local, LIU).receipts.some((r) => r.booking === lius.id), { what: "the receipt on Liu's device" });
			const all = [readBookings(await stored(LIUS), LIU), readBookings(await stored(ZHANGS), ZHANG)];
			const { conflicts } = foldBookings(all);
			expect(conflicts).toHaveLength(1);
			expect(conflicts[0]!.firstCome).toBe(zhangs.id);
			// The calendar says the slot is taken, and nothing of whom.
			const busy = await waitFor(async () => readBusy(await stored(CALENDAR)).get(ROOM.id)?.filter((s) => s.start === zhangs.start).length === 2 || null, {
				what: 'both bookings on the calendar'
			});
			expect(busy).toBe(true);
			const calendar = JSON.stringify(Y.decodeUpdate(Y.encodeStateAsUpdate(await stored(CALENDAR))).structs);
			for (const secret of [LIU, ZHANG, lius.id, zhangs.id, '合唱排练', '刘阿姨']) expect(calendar).not.toContain(secret);
		} finally {
			p.destroy();
		}
	});

	it('holds a booking outside the room’s hours for staff instead of confirming it', async () => {
		const late = booking(ZHANG, who('zhang').actor, '21:00', '22:00');
		await expectAccepted('zhang', ZHANGS, (d) => addBookings(d, ZHANG, [late]));
		const r = await waitFor(async () => readBookings(await stored(ZHANGS), ZHANG).receipts.find((x) => x.booking === late.id) ?? null, {
			what: 'the receipt of the late booking'
		});
		expect(r.confirmed).toBe(false);
	});
});
