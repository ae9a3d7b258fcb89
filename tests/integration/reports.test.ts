/**
 * Reports against the real relay: staff and a grid worker write matters, registers, visits, a meeting and a poll
 * over the socket; the relay publishes each community's aggregates into its report documents, which staff and
 * the overseeing street admin read (`main`) and residents read only in their public, quarterly version. The
 * relay's clock is injected, so periods close and freeze within the test: a frozen version 1 never changes, later
 * data only counts as late, and a community admin's correction appends version 2 with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Household } from '../../src/lib/domain/household';
import { newId } from '../../src/lib/domain/ids';
import type { ProposalStatus } from '../../src/lib/domain/proposal';
import type { Figures } from '../../src/lib/domain/report-types';
import { REPORT_CORRECTION_PATH } from '../../src/lib/protocol/api';
import { CloseCode } from '../../src/lib/protocol/messages';
import { addBallot } from '../../src/lib/schema/ballots-doc';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import {
	ballotsDocName,
	communityDocName,
	householdsDocName,
	meetingDocName,
	minutesDocName,
	pollDocName,
	proposalDocName,
	reportDocName,
	topicDocName,
	visitsDocName
} from '../../src/lib/schema/doc-names';
import { writeHouseholds } from '../../src/lib/schema/households-doc';
import { createMeeting } from '../../src/lib/schema/meeting-doc';
import { checkIn, createMinutes } from '../../src/lib/schema/minutes-doc';
import { createPoll } from '../../src/lib/schema/poll-doc';
import { appendEvent, createProposal } from '../../src/lib/schema/proposal-doc';
import { type ReportDoc, readReportDoc } from '../../src/lib/schema/report-doc';
import { addToTopic, createTopic } from '../../src/lib/schema/topic-doc';
import { addVisit } from '../../src/lib/schema/visits-doc';
import { docUrl, provider, RawClient, removeDir, startTestRelay, waitFor, whenSynced } from './helpers';
import { editAs, relayDevices, storedDoc, submitUpdate } from './helpers-devices';
import { ballot, building, communityFixture, grid, occupied, pollDraft, proposalDraft } from '../../src/lib/domain/testing';

const C = 'demo';
const HOUR = 3_600_000;
/** Wednesday 4 March 2026, 10:00 CST: week 2026-W10 (2–8 March), month 2026-03, quarter 2026-Q1. */
const T0 = Date.UTC(2026, 2, 4, 2);
/** Monday 9 March 2026, 00:00 CST: the end of week 2026-W10. */
const W10_END = Date.UTC(2026, 2, 8, 16);
/** Wednesday 14 January 2026, 10:00 CST: an old matter, so the first publication has history to freeze. */
const JAN = Date.UTC(2026, 0, 14, 2);

let clock = T0;
/** The relay's clock is the test's; short delays keep the test fast. */
const REPORTS = { now: () => clock, debounceMs: 30, graceMs: HOUR, checkEveryMs: 30, startDelayMs: 0 };
let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { join, actor, token } = relayDevices(() => relay);
/** A document's durable state, straight from storage. */
const stored = (name: string) => storedDoc(relay, name);
/** Edits a document over the socket as `who` (a device in sync), and waits until the relay has stored the edit. */
const edit = (who: string, name: string, change: (doc: Y.Doc) => void) => editAs(relay, token(who), name, change, who);

/** A report document as `who` reads it over the socket, kept in sync until closed. */
async function reader(who: string, name: string): Promise<{ read(): ReportDoc; close(): void }> {
	const doc = new Y.Doc();
	const p = provider(relay.url, name, doc, { token: token(who) });
	await whenSynced(p);
	return {
		read: () => readReportDoc(doc),
		close: () => {
			p.destroy();
			doc.destroy();
		}
	};
}

/** Waits until `check` passes on what `who` reads of the report document (expect failures mean "not yet"). */
async function until(who: string, which: 'main' | 'public', check: (r: ReportDoc) => void, what: string): Promise<ReportDoc> {
	const r = await reader(who, reportDocName(C, which));
	try {
		return await waitFor(
			() => {
				const doc = r.read();
				check(doc);
				return doc;
			},
			{ timeout: 10_000, what }
		);
	} finally {
		r.close();
	}
}

const openFigures = (r: ReportDoc, key: string): Figures => {
	const report = r.open.get(key);
	if (!report) throw new Error(`no open report ${key}`);
	return report.figures;
};
const versionsOf = (r: ReportDoc, periodKey: string) =>
	r.closed.filter((v) => v.report.period.key === periodKey).sort((a, b) => a.version - b.version);

function proposal(who: string, id: string, household: string, channel: 'visit' | 'app' | 'box', at: number, steps: [ProposalStatus, ProposalStatus, number, number?][] = []) {
	return edit(who, proposalDocName(C, id), (d) => {
		createProposal(d, proposalDraft({ title: `事项 ${id}`, description: '说明', channel, household }), { id, actor: actor(who), now: at, status: 'submitted' });
		for (const [from, to, stepAt, negativeItem] of steps) {
			appendEvent(d, {
				id: newId(),
				type: 'transition',
				from,
				to,
				at: stepAt,
				by: actor(who),
				channel: 'app',
				...(to === 'rejected' ? { reason: '属于负面清单', negativeItem } : {})
			});
		}
	});
}

const household = (id: string, inBuilding: string): Household => occupied(id, { building: inBuilding });

async function correct(who: string | null, body: unknown) {
	const res = await fetch(`${relay.url}${REPORT_CORRECTION_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${token(who)}` } : {}) },
		body: JSON.stringify(body)
	});
	return { status: res.status, body: (await res.json()) as { version?: number; error?: string; message?: string } };
}

beforeAll(async () => {
	relay = await startTestRelay({ reports: REPORTS });
	await join('fac', { role: 'facilitator', community: C }, '周敏');
	await join('worker', { role: 'grid_worker', community: C, grids: ['g1'] }, '网格员小陈');
	await join('admin', { role: 'community_admin', community: C }, '社区管理员');
	await join('otherAdmin', { role: 'community_admin', community: 'other' }, '别的社区管理员');
	await join('street', { role: 'street_admin', community: 'street1', communities: [C] }, '街道');
	await join('resident', { role: 'resident', community: C, household: 'b01-1-101' }, '王阿姨');
	const community = new Y.Doc();
	writeCommunity(community, communityFixture({ street: 'street1', grids: [grid('g1', '一网格'), grid('g2', '二网格')], buildings: [building('b01'), building('b02', 'g2')] }));
	await submitUpdate(relay, communityDocName(C), Y.encodeStateAsUpdate(community));
});

afterAll(async () => {
	await relay?.close();
	if (relay) removeDir(relay.dataDir);
});

describe('report publication', () => {
	it('publishes the figures of what was written, for staff and for the street admin overseeing the community', async () => {
		await proposal('fac', 'p1', 'b01-1-101', 'visit', T0 - 2 * HOUR, [['submitted', 'accepted', T0]]);
		await proposal('fac', 'p2', 'b02-1-101', 'app', T0 - HOUR, [['submitted', 'rejected', T0, 2]]);
		await proposal('fac', 'old', 'b01-1-102', 'box', JAN);
		await edit('worker', householdsDocName(C, 'g1'), (d) => writeHouseholds(d, 'g1', [household('b01-1-101', 'b01'), household('b01-1-102', 'b01')]));
		await edit('worker', visitsDocName(C, 'g1'), (d) =>
			addVisit(d, {
				id: 'v1',
				household: 'b01-1-101',
				grid: 'g1',
				building: 'b01',
				at: T0,
				by: actor('worker'),
				channel: 'visit',
				outcome: 'talked',
				needs: { tags: ['repair'], text: '水管漏水' },
				photos: []
			})
		);
		await edit('fac', topicDocName(C, 't1'), (d) => {
			createTopic(d, { id: 't1', title: '楼道设施', category: 'facilities', level: 'community' }, actor('fac'), T0);
			addToTopic(d, proposalDocName(C, 'p1'), actor('fac'), T0);
		});
		await edit('fac', meetingDocName(C, 'm1'), (d) =>
			createMeeting(
				d,
				{ kind: 'bench', title: '板凳会', day: '2026-03-04', time: '19:30', durationMin: 60, place: '1栋楼下', facilitator: '周敏', agenda: [], invitees: [] },
				{ id: 'm1', actor: actor('fac'), now: T0 }
			)
		);
		await edit('fac', minutesDocName(C, 'm1'), (d) => {
			createMinutes(d, { meetingId: 'm1', title: '板凳会', sections: [] });
			checkIn(d, { id: 'a1', name: '张桂英', capacity: 'building_head', at: T0, by: actor('fac') });
			checkIn(d, { id: 'a2', name: '李建国', capacity: 'resident', at: T0, by: actor('fac') });
		});
		await edit('fac', pollDocName(C, 'q1'), (d) =>
			createPoll(d, pollDraft({ title: '加装座椅', closesAt: T0 + 2 * HOUR }, T0), { id: 'q1', actor: actor('fac'), now: T0 - HOUR })
		);
		await edit('worker', ballotsDocName(C, 'g1', 'q1'), (d) =>
			addBallot(d, 'g1', 'q1', ballot({ id: 'ballot-v1', household: 'b01-1-101', option: 'yes', at: T0, by: actor('worker') }))
		);

		const expectWeek = (r: ReportDoc) => {
			const f = openFigures(r, 'week:2026-W10');
			expect(f.intake).toMatchObject({ total: 2, byChannel: { visit: 1, app: 1 } });
			expect(f.screening).toMatchObject({ decisions: 2, byOutcome: { accepted: 1, rejected: 1 }, negativeItems: { '2': 1 } });
			expect(f.topics.formed).toBe(1);
			expect(f.meetings).toMatchObject({ held: 1, attendance: 2, byCapacity: { building_head: 1, resident: 1 } });
			expect(f.visits).toMatchObject({ visits: 1, coverage: { part: 1, whole: 2 }, needsByTag: { repair: 1 } });
			// Still open at T0.
			expect(f.polls.closed).toBe(0);
			const report = r.open.get('week:2026-W10')!;
			expect(report.grids.g1?.intake.total).toBe(1);
			expect(report.grids.g2?.intake.total).toBe(1);
			expect(report.gridNames).toEqual({ g1: '一网格', g2: '二网格' });
		};
		const staff = await until('fac', 'main', expectWeek, 'the week published');
		expect(openFigures(staff, 'month:2026-03').intake.total).toBe(2);
		expect(openFigures(staff, 'quarter:2026-Q1').intake.total).toBe(3);
		expect(staff.community).toBe(C);
		// The first publication froze the community's history since its earliest fact.
		expect(versionsOf(staff, '2026-01')).toHaveLength(1);
		expect(versionsOf(staff, '2026-01')[0]!.report.figures.intake.total).toBe(1);
		expect(versionsOf(staff, '2026-W03')[0]?.report.figures.intake).toMatchObject({ total: 1, byChannel: { box: 1 } });
		expect(versionsOf(staff, '2026-02')[0]?.report.figures.intake.total).toBe(0);
		expect(staff.open.has('month:2026-01')).toBe(false);

		const street = await until('street', 'main', expectWeek, 'the street admin reading the week');
		expect(street.open.get('week:2026-W10')).toEqual(staff.open.get('week:2026-W10'));
	});

	it('lets a resident read the public, quarterly version without grids, and not the staff one', async () => {
		const refused = new RawClient(docUrl(relay.url, reportDocName(C, 'main'), token('resident')));
		expect((await refused.closed).code).toBe(CloseCode.Forbidden);
		expect(refused.received).toHaveLength(0);

		const pub = await until(
			'resident',
			'public',
			(r) => expect(openFigures(r, 'quarter:2026-Q1').intake.total).toBe(3),
			'the public quarter'
		);
		expect([...pub.open.keys()]).toEqual(['quarter:2026-Q1']);
		expect(pub.open.get('quarter:2026-Q1')).toMatchObject({ grids: {}, gridNames: {} });
		// Months and weeks frozen by the backfill stay out of the public document.
		expect(pub.closed).toEqual([]);
	});
});

describe('freezing and corrections', () => {
	it('freezes a closed week after its grace with no new data, and counts later changes as late', async () => {
		clock = W10_END + 2 * HOUR;
		const frozen = await until(
			'fac',
			'main',
			(r) => {
				expect(versionsOf(r, '2026-W10')).toHaveLength(1);
				expect(r.open.has('week:2026-W11')).toBe(true);
			},
			'week 10 frozen by the timer'
		);
		const v1 = versionsOf(frozen, '2026-W10')[0]!;
		expect(v1.version).toBe(1);
		expect(v1.correction).toBeUndefined();
		expect(v1.report.figures.intake.total).toBe(2);
		// The poll closed by time on Wednesday: counted in the frozen week with its participation.
		expect(v1.report.figures.polls).toEqual({ closed: 1, participation: { part: 1, whole: 2, rate: 0.5 } });
		expect(frozen.open.has('week:2026-W10')).toBe(false);
		expect(frozen.late.get('week:2026-W10') ?? 0).toBe(0);

		// An offline device brings a matter filed in week 10.
		await proposal('fac', 'p3', 'b02-1-102', 'visit', T0 + HOUR);
		const late = await until(
			'fac',
			'main',
			(r) => {
				expect(r.late.get('week:2026-W10')).toBe(1);
				expect(openFigures(r, 'month:2026-03').intake.total).toBe(3);
			},
			'the late matter counted'
		);
		expect(versionsOf(late, '2026-W10')).toEqual([v1]);

		// Data of the open week is not late for week 10.
		await edit('worker', visitsDocName(C, 'g1'), (d) =>
			addVisit(d, {
				id: 'v2',
				household: 'b01-1-102',
				grid: 'g1',
				building: 'b01',
				at: clock,
				by: actor('worker'),
				channel: 'visit',
				outcome: 'not_home',
				needs: { tags: [], text: '' },
				photos: []
			})
		);
		const after = await until('fac', 'main', (r) => expect(openFigures(r, 'week:2026-W11').visits.visits).toBe(1), 'the visit of week 11');
		expect(after.late.get('week:2026-W10')).toBe(1);
		expect(versionsOf(after, '2026-W10')).toEqual([v1]);
	});

	it('refuses corrections from anyone but an admin of the community, and of periods not frozen', async () => {
		const body = { community: C, period: 'week:2026-W10', reason: '补录离线事项' };
		expect((await correct(null, body)).status).toBe(401);
		expect((await correct('fac', body)).status).toBe(403);
		expect((await correct('street', body)).status).toBe(403);
		expect((await correct('otherAdmin', body)).status).toBe(403);
		for (const period of ['week:2026-W60', 'month:2026-W10', '2026-W10', 'week:2026-W10:x', 7]) {
			expect((await correct('admin', { ...body, period })).status, String(period)).toBe(400);
		}
		const open = await correct('admin', { ...body, period: 'month:2026-03' });
		expect(open.status).toBe(400);
		expect(open.body.message).toMatch(/not frozen/);
		expect((await correct('admin', { ...body, reason: '  ' })).status).toBe(400);
		expect((await correct('admin', { ...body, reason: '长'.repeat(501) })).status).toBe(400);
		const r = readReportDoc(await stored(reportDocName(C, 'main')));
		expect(versionsOf(r, '2026-W10')).toHaveLength(1);
	});

	it("appends an admin's correction as version 2 with its reason, keeping version 1", async () => {
		const res = await correct('admin', { community: C, period: 'week:2026-W10', reason: '补录离线事项' });
		expect(res).toEqual({ status: 201, body: { version: 2 } });
		const r = await until('street', 'main', (d) => expect(versionsOf(d, '2026-W10')).toHaveLength(2), 'the correction');
		const [v1, v2] = versionsOf(r, '2026-W10');
		expect(v1!.report.figures.intake.total).toBe(2);
		expect(v2!.version).toBe(2);
		expect(v2!.correction).toEqual({ reason: '补录离线事项', by: '社区管理员' });
		expect(v2!.report.figures.intake.total).toBe(3);
		expect(r.late.get('week:2026-W10')).toBe(0);
	});

	it('freezes the quarter into the public version too, without grids', async () => {
		// Wednesday 1 April 2026, 02:00 CST: March and the first quarter closed more than the grace ago.
		clock = Date.UTC(2026, 2, 31, 18);
		const pub = await until('resident', 'public', (r) => expect(versionsOf(r, '2026-Q1')).toHaveLength(1), 'the quarter frozen');
		const q1 = versionsOf(pub, '2026-Q1')[0]!;
		expect(q1.report).toMatchObject({ grids: {}, gridNames: {} });
		expect(q1.report.figures.intake.total).toBe(4);
		expect(pub.closed.every((v) => v.report.period.kind === 'quarter')).toBe(true);
		expect([...pub.open.keys()]).toEqual(['quarter:2026-Q2']);
		const staff = readReportDoc(await stored(reportDocName(C, 'main')));
		expect(versionsOf(staff, '2026-Q1')[0]!.report.grids.g1?.intake.total).toBe(2);
		expect(versionsOf(staff, '2026-03')).toHaveLength(1);

		// A correction of a quarter reaches residents too, still without grids.
		const res = await correct('admin', { community: C, period: 'quarter:2026-Q1', reason: '核对台账' });
		expect(res).toEqual({ status: 201, body: { version: 2 } });
		const corrected = await until('resident', 'public', (r) => expect(versionsOf(r, '2026-Q1')).toHaveLength(2), 'the public correction');
		// The residents see that it was corrected and why, not by whom; and only the public figures.
		expect(versionsOf(corrected, '2026-Q1')[1]).toMatchObject({ version: 2, correction: { reason: '核对台账', by: '' }, report: { grids: {}, gridNames: {} } });
		expect(versionsOf(corrected, '2026-Q1')[1]?.report.figures.visits.needsByTag).toEqual({});
		expect(versionsOf(corrected, '2026-Q1')[1]?.report.figures.toDecision.days).toEqual([]);
	});

	it('after a restart, reads the stored documents again, keeps every version and freezes what came due meanwhile', async () => {
		const before = readReportDoc(await stored(reportDocName(C, 'main')));
		const dataDir = relay.dataDir;
		await relay.close();
		// Wednesday 8 April 2026, 02:00 CST: week 14 (30 March – 5 April) ended while the relay was down.
		clock = Date.UTC(2026, 3, 7, 18);
		relay = await startTestRelay({ dataDir, reports: REPORTS });
		const after = await until('fac', 'main', (r) => expect(versionsOf(r, '2026-W14')).toHaveLength(1), 'week 14 frozen after the restart');
		expect(versionsOf(after, '2026-W10')).toEqual(versionsOf(before, '2026-W10'));
		expect(versionsOf(after, '2026-Q1')).toEqual(versionsOf(before, '2026-Q1'));
		// Reading the stored documents again is not a late change.
		expect(after.late.get('week:2026-W10')).toBe(0);
		expect(openFigures(after, 'quarter:2026-Q2').intake.total).toBe(0);
		expect(after.open.has('week:2026-W15')).toBe(true);
	});
});
