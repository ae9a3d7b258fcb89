/**
 * Dates that make no sense carry a reason, against the real relay: minutes approved before the meeting's day, and
 * check-ins recorded on another day, are refused without one and never stored; with a reason they land. The
 * relay reads the meeting's date from the meeting document for the minutes document's check-ins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import type { MinutesVersion } from '../../src/lib/domain/meeting';
import { CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { appendVersion, createMeeting, readMeeting } from '../../src/lib/schema/meeting-doc';
import { minutesDocName } from '../../src/lib/schema/doc-names';
import { checkIn, readMinutes } from '../../src/lib/schema/minutes-doc';
import { removeDir, startTestRelay } from './helpers';
import { relayJudge } from './relay-judge';

const MEETING = 'demo:meeting:later';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let fac: { token: string; actor: Actor };
const { join, who, stored, seed, send: sendAs, updateFrom, expectRefused, expectAccepted } = relayJudge(() => relay);
const send = (doc: string, update: Uint8Array) => sendAs('fac', doc, update);
let requests = 0;

const version = (over: Partial<MinutesVersion>): MinutesVersion => ({
	id: `v${++requests}`,
	at: Date.now(),
	by: fac.actor,
	content: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: '纪要' }] }] },
	attendance: { total: 1, byCapacity: { resident: 1 } },
	confirmed: 1,
	votes: [],
	decisions: [],
	actions: [],
	...over
});

beforeAll(async () => {
	relay = await startTestRelay();
	await join('fac', { role: 'facilitator', community: 'demo' }, '周敏');
	fac = who('fac');
	// A meeting six days from today (CST).
	await seed(MEETING, (d) =>
		createMeeting(
			d,
			{ kind: 'bench', title: '板凳会', day: addDays(cstDay(Date.now()), 6), time: '19:00', durationMin: 60, place: '3栋', facilitator: '周敏', agenda: [], invitees: [], recurrence: null },
			{ id: 'later', actor: fac.actor, now: Date.now() }
		)
	);
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

describe("minutes approved before the meeting's day", () => {
	it('are refused without a reason and never stored', async () => {
		const before = Y.encodeStateVector(await stored(MEETING));
		const reply = await send(MEETING, await updateFrom(MEETING, (d) => appendVersion(d, version({}))));
		expect(reply).toMatchObject({ kind: MuxMessage.DocError, code: CloseCode.Forbidden, reason: expect.stringMatching(/reason/) });
		expect(Y.encodeStateVector(await stored(MEETING))).toEqual(before);
		// A blank reason is none.
		expect(await send(MEETING, await updateFrom(MEETING, (d) => appendVersion(d, version({ reason: '  ' }))))).toMatchObject({ kind: MuxMessage.DocError });
	});

	it('land with a reason, which is kept', async () => {
		const reply = await send(MEETING, await updateFrom(MEETING, (d) => appendVersion(d, version({ reason: '会议提前举行，日期未改' }))));
		expect(reply).toMatchObject({ kind: MuxMessage.Ack });
		expect(readMeeting(await stored(MEETING)).versions.map((v) => v.reason)).toEqual(['会议提前举行，日期未改']);
	});
});

describe("check-ins on another day than the meeting's", () => {
	const MINUTES = minutesDocName('demo', 'later');
	const attendee = (id: string, reason?: string) => ({
		id,
		name: '王阿姨',
		capacity: 'resident' as const,
		at: Date.now(),
		by: fac.actor,
		...(reason ? { reason } : {})
	});

	it('are refused without a reason, and land with one', async () => {
		await seed(MINUTES, (d) => d.getMap('meta').set('meeting', 'later'));
		await expectRefused('fac', MINUTES, (d) => checkIn(d, attendee('a1')), /check-in on another day than the meeting's needs a reason/);
		await expectAccepted('fac', MINUTES, (d) => checkIn(d, attendee('a2', '提前签到：当天要上班')));
		expect(readMinutes(await stored(MINUTES)).attendees.map((a) => a.reason)).toEqual(['提前签到：当天要上班']);
	});
});
