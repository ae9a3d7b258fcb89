/**
 * The demo community's rooms, bookings and its activity room's convention, built from its register (buildDemo in
 * demo-seed.ts) so every booking is a real demo household's:
 *   - rooms:main       the renovated activity room under building 3 (booked straight away) and the calligraphy
 *                      room at the service centre (staff confirm each booking);
 *   - convention       the activity room's rules of use: version 1 ratified by building 3's poll
 *                      (room-rules-vote, demo-polls.ts) and in force with its rules (hours until 20:30, two
 *                      bookings a week per household, points for cleaning up), and version 2 being drafted, with
 *                      a resident's suggestion waiting for staff;
 *   - bookings         a month of bookings before and after today: the demo resident's household's own, a weekly
 *                      calligraphy class as one series, one request waiting for staff, and two households that
 *                      booked the same evening offline, still to be settled;
 *   - receipts and rooms:public as the relay would have written them (rooms-board.ts, same functions).
 * Everything is invented and deterministic.
 */
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import { type Booking, type Decision, DEFAULT_RULES, expandSeries, instantOf, isoWeekday, type Room, type RoomRules, type Series } from '../../src/lib/domain/rooms';
import { addBookings, addDecision, addReceipts, type BookingRecords, readBookings } from '../../src/lib/schema/bookings-doc';
import type { Community } from '../../src/lib/schema/community-doc';
import { anchorPassage, CONVENTION_CONTENT, plainText, putRatification, putResult, putSuggestion, putVersion, startConvention } from '../../src/lib/schema/convention-doc';
import { bookingsDocName, conventionDocName, roomsBoardDocName, roomsDocName } from '../../src/lib/schema/doc-names';
import type { Household } from '../../src/lib/schema/households-doc';
import { putRoom, writeBusy } from '../../src/lib/schema/rooms-doc';
import { HE, ZHOU } from './staff';
import { busySlots, newReceipts, rulesByRoom } from '../features/rooms-board';

const DAY = 24 * 60 * 60 * 1000;
export const DEMO_CONVENTION = 'activity-room-rules';
/** The ratification poll of the convention's first version (demo-polls.ts), closed this many days ago. */
const RATIFIED_DAYS_AGO = 55;

export interface DemoRoomsInput {
	community: Community;
	households: Map<string, Household[]>;
}

const ACTIVITY_ROOM: Room = {
	id: 'activity-room',
	name: '活动室',
	place: '3栋架空层',
	capacity: 30,
	rules: { ...DEFAULT_RULES, hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '21:00' }], maxMinutes: 180, advanceDays: 14 },
	closedDays: [],
	archived: false
};

const STUDY_ROOM: Room = {
	id: 'study-room',
	name: '书画室',
	place: '社区服务中心二楼',
	capacity: 12,
	rules: {
		...DEFAULT_RULES,
		hours: [{ days: [2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' }],
		slotMinutes: 60,
		minMinutes: 60,
		maxMinutes: 180,
		advanceDays: 30,
		needsConfirmation: true,
		perHousehold: { period: 'month', maxBookings: 4, maxMinutes: null }
	},
	closedDays: [],
	archived: false
};

/** What the first version of the convention decided, as rules the rooms follow. */
const RULES_V1: Partial<RoomRules> = {
	hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '20:30' }],
	perHousehold: { period: 'week', maxBookings: 2, maxMinutes: null },
	cleaningPoints: 5
};

const TEXT_V1 = [
	'3栋架空层活动室使用公约',
	'一、活动室每天早上八点至晚上八点半开放，晚上八点半后请勿大声喧哗。',
	'二、每户每周最多预约两次，每次不超过三小时；集体活动优先安排在周末。',
	'三、使用后请关灯、关窗、摆好桌椅、打扫干净，做到的每次记5个积分。',
	'四、损坏公物照价赔偿；连续两次预约未到，暂停预约一个月。'
];
const TEXT_V2_DRAFT = [...TEXT_V1.slice(0, 4), '四、损坏公物照价赔偿；连续两次预约未到且未取消，暂停预约两周。', '五、活动室钥匙由3栋楼长保管，借用登记。'];

function conventionDoc(now: number): Y.Doc {
	const doc = new Y.Doc();
	const ratifiedAt = now - RATIFIED_DAYS_AGO * DAY;
	startConvention(doc, { id: DEMO_CONVENTION, title: '活动室使用公约', scope: { kind: 'room', room: ACTIVITY_ROOM.id }, by: ZHOU, at: ratifiedAt - 30 * DAY }, TEXT_V2_DRAFT[0]!);
	const fragment = doc.getXmlFragment(CONVENTION_CONTENT);
	for (const line of TEXT_V2_DRAFT.slice(1)) {
		const p = new Y.XmlElement('paragraph');
		p.insert(0, [new Y.XmlText(line)]);
		fragment.push([p]);
	}
	putVersion(doc, { n: 1, text: TEXT_V1.join('\n'), rules: RULES_V1, accepted: [], by: ZHOU, at: ratifiedAt - 9 * DAY, note: '吸收了两次板凳会的意见' });
	putRatification(doc, { id: 'rat-v1', version: 1, poll: 'room-rules-vote', rule: 'civil_code', by: ZHOU, at: ratifiedAt - 8 * DAY });
	putResult(doc, { ratification: 'rat-v1', outcome: 'carried', day: cstDay(ratifiedAt), by: ZHOU, at: ratifiedAt + 3_600_000 });
	// A resident's suggestion on the draft of version 2, still waiting for staff.
	const anchor = anchorPassage(doc, 1, 20, 32);
	if (!anchor) throw new Error('demo convention: the anchored passage is missing');
	putSuggestion(doc, {
		id: 'sugg-quiet-hours',
		kind: 'change',
		anchor,
		quote: anchor.quote,
		replacement: '晚上八点后请勿大声喧哗',
		comment: '架空层楼上住着老人，八点以后声音要小一些。',
		by: { id: 'demo-res-b03-2-301', name: '3栋陈阿姨', role: 'resident' },
		at: now - 2 * DAY
	});
	if (!plainText(doc).includes('连续两次预约未到且未取消')) throw new Error('demo convention: draft text not written');
	return doc;
}

/** Households of building 3 and beyond, in register order, with the demo resident's household first. */
function bookers(input: DemoRoomsInput): Household[] {
	const all = [...input.households.values()].flat();
	const resident = (input.households.get(input.community.grids[0]?.id ?? '') ?? [])[0];
	const rest = all.filter((h) => h !== resident);
	return resident ? [resident, ...rest] : rest;
}

/** The demo's rooms documents, bookings documents (with the relay's receipts) and the public calendar. */
export function buildDemoRooms(input: DemoRoomsInput, now = Date.now()): { name: string; doc: Y.Doc }[] {
	const out: { name: string; doc: Y.Doc }[] = [];
	const roomsDoc = new Y.Doc();
	for (const room of [ACTIVITY_ROOM, STUDY_ROOM]) putRoom(roomsDoc, room);
	out.push({ name: roomsDocName('demo'), doc: roomsDoc });
	out.push({ name: conventionDocName('demo', DEMO_CONVENTION), doc: conventionDoc(now) });

	const people = bookers(input);
	const today = cstDay(now);
	const resident = (h: Household): Actor => ({ id: `demo-res-${h.id}`, name: h.members[0]?.name ?? '住户', role: 'resident' });
	let n = 0;
	const booking = (h: Household, room: Room, day: string, from: string, to: string, purpose: string, people: number, by = resident(h), made = -2): Booking => ({
		id: `demo-bk-${String(++n).padStart(3, '0')}`,
		room: room.id,
		household: h.id,
		start: instantOf(day, from),
		end: instantOf(day, to),
		purpose,
		people,
		by,
		at: Math.min(now, instantOf(day, from) + made * DAY),
		channel: by.role === 'resident' ? 'app' : 'counter'
	});
	const byHousehold = new Map<string, { bookings: Booking[]; series?: Series; decisions?: Decision[] }>();
	const add = (b: Booking) => {
		const entry = byHousehold.get(b.household) ?? { bookings: [] };
		entry.bookings.push(b);
		byHousehold.set(b.household, entry);
	};
	const [mine, a, b, c, d, e] = people;
	if (!mine || !a || !b || !c || !d || !e) throw new Error('demo rooms: too few households');

	// The demo resident's household: a birthday gathering last week, and a rehearsal in three days.
	add(booking(mine, ACTIVITY_ROOM, addDays(today, -5), '15:00', '17:00', '老人生日会', 15));
	add(booking(mine, ACTIVITY_ROOM, addDays(today, 3), '09:00', '11:00', '合唱队排练', 12));
	// Other households over the month, in the activity room.
	const purposes = ['广场舞排练', '棋牌活动', '亲子阅读', '太极拳', '手工编织', '读书会'];
	for (let i = -14, k = 0; i <= 12; i += 2, k++) {
		const h = [a, b, c, d][k % 4]!;
		const from = ['09:00', '14:00', '18:30'][k % 3]!;
		const to = ['11:00', '16:00', '20:30'][k % 3]!;
		add(booking(h, ACTIVITY_ROOM, addDays(today, i), from, to, purposes[k % purposes.length]!, 6 + (k % 10)));
	}
	// Two households booked the same evening offline; both reached the relay, and staff have still to settle it.
	const clash = addDays(today, 5);
	add(booking(b, ACTIVITY_ROOM, clash, '19:00', '20:30', '广场舞排练', 20, resident(b), -1));
	add(booking(e, ACTIVITY_ROOM, clash, '19:00', '20:30', '书法交流', 10, resident(e), -1));
	// A request in the calligraphy room, waiting for staff.
	let study = addDays(today, 4);
	while (!STUDY_ROOM.rules.hours[0]!.days.includes(isoWeekday(study))) study = addDays(study, 1);
	add(booking(c, STUDY_ROOM, study, '09:00', '11:00', '书法小组练习', 8));

	// The weekly calligraphy class, recorded at the counter for the household of its teacher.
	const teacher = d;
	let tuesday = addDays(today, -21);
	while (isoWeekday(tuesday) !== 2) tuesday = addDays(tuesday, 1);
	const seriesRules: RoomRules = { ...STUDY_ROOM.rules, advanceDays: 120, perHousehold: { period: 'week', maxBookings: null, maxMinutes: null } };
	const madeAt = instantOf(tuesday, '08:00') - 3 * DAY;
	const expanded = expandSeries(
		STUDY_ROOM,
		seriesRules,
		{ id: 'demo-series-calligraphy', room: STUDY_ROOM.id, household: teacher.id, from: tuesday, until: addDays(tuesday, 12 * 7), weekday: 2, startClock: '14:00', endClock: '16:00', everyWeeks: 1, purpose: '老年书法班', people: 10, by: HE, at: madeAt },
		[],
		madeAt,
		(() => {
			let s = 0;
			return () => `demo-bk-s${String(++s).padStart(2, '0')}`;
		})(),
		'counter'
	);
	const teacherEntry = byHousehold.get(teacher.id) ?? { bookings: [] };
	teacherEntry.bookings.push(...expanded.created);
	teacherEntry.series = expanded.series;
	// Staff who record a booking at the counter confirm it as they do (the room needs staff confirmation).
	teacherEntry.decisions = expanded.created.map((x): Decision => ({ id: `confirm-${x.id}`, kind: 'confirm', booking: x.id, by: HE, at: madeAt, note: '' }));
	byHousehold.set(teacher.id, teacherEntry);

	// The documents, and the relay's receipts as it would have written them: each booking reaching it a minute
	// after it was made, checked against those that came before.
	const docs = new Map<string, Y.Doc>();
	for (const [household, entry] of byHousehold) {
		const doc = new Y.Doc();
		addBookings(doc, household, entry.bookings, entry.series);
		for (const decision of entry.decisions ?? []) addDecision(doc, household, decision);
		docs.set(household, doc);
	}
	const rooms = [ACTIVITY_ROOM, STUDY_ROOM];
	const rules = rulesByRoom(rooms, [{ room: ACTIVITY_ROOM.id, rules: RULES_V1 }]);
	const everything = [...byHousehold.values()].flatMap((entry) => entry.bookings).sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1));
	const made = new Set<string>();
	const state = new Map<string, { records: BookingRecords | null; seq: number; at: number }>();
	everything.forEach((next, i) => {
		made.add(next.id);
		for (const [household, doc] of docs) {
			const records = readBookings(doc, household);
			state.set(household, { records: { ...records, bookings: records.bookings.filter((x) => made.has(x.id)) }, seq: i + 1, at: next.at + 60_000 });
		}
		for (const [household, receipts] of newReceipts(state, rooms, rules)) addReceipts(docs.get(household)!, receipts);
	});
	for (const [household, doc] of docs) state.set(household, { records: readBookings(doc, household), seq: 0, at: 0 });
	for (const [household, doc] of docs) out.push({ name: bookingsDocName('demo', household), doc });
	const calendar = new Y.Doc();
	writeBusy(calendar, busySlots(state.values(), now));
	out.push({ name: roomsBoardDocName('demo'), doc: calendar });
	return out;
}
