import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type Approval, DEFAULT_POINTS_SETTINGS, passbook, type Resolution, type Transfer } from '../domain/points';
import { indexEntry } from './index-entry';
import {
	addApproval,
	addHandover,
	addResolution,
	addTransfer,
	isPassbookDoc,
	readBoardChoice,
	readHandovers,
	readPassbookRecords,
	setBoardChoice
} from './passbook-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { adminActor, facilitatorActor, pointsAward, pointsRedemption, residentActor } from '../domain/testing';

const HOUSEHOLD = 'b03-1-401';
const zhou = facilitatorActor({ id: 'dev-zhou' });
const li = adminActor({ id: 'dev-li' });
const liu = residentActor({ id: 'dev-liu' });

const award = (id: string, at: number, amount = 10, by = zhou): Transfer =>
	pointsAward({ id, household: HOUSEHOLD, amount, at, by, activity: 'sweep', activityName: '楼道清扫' });
const redeem = (id: string, at: number, amount = 8): Transfer => pointsRedemption({ id, household: HOUSEHOLD, amount, at, by: zhou });

describe('passbook document', () => {
	it('reads back what was recorded, oldest first, and names its household', () => {
		const doc = new Y.Doc();
		expect(isPassbookDoc(doc)).toBe(false);
		expect(addTransfer(doc, redeem('t2', 2000))).toBe(true);
		expect(addTransfer(doc, award('t1', 1000))).toBe(true);
		const approval: Approval = { id: 'a1', transfer: 't1', decision: 'approve', note: '', at: 3000, by: li };
		expect(addApproval(doc, approval)).toBe(true);
		const resolution: Resolution = { flag: 'overdraft:t2', action: 'allow', note: '老人困难', transfers: [], at: 4000, by: li };
		expect(addResolution(doc, resolution)).toBe(true);
		expect(addHandover(doc, { transfer: 't2', at: 2500, by: zhou })).toBe(true);
		expect(isPassbookDoc(doc)).toBe(true);
		expect(doc.getMap('meta').get('household')).toBe(HOUSEHOLD);
		expect(doc.getMap('approvals').has('t1:dev-li')).toBe(true);
		expect(doc.getMap('resolutions').has('overdraft:t2:dev-li')).toBe(true);

		const records = readPassbookRecords(doc, HOUSEHOLD);
		expect(records).toEqual({ household: HOUSEHOLD, transfers: [award('t1', 1000), redeem('t2', 2000)], approvals: [approval], resolutions: [resolution] });
		expect(readHandovers(doc)).toEqual(new Map([['t2', { transfer: 't2', at: 2500, by: zhou }]]));
		expect(passbook(records, DEFAULT_POINTS_SETTINGS, 5000).balance).toBe(2);
	});

	it('writes each record once: a second write under the same key is refused', () => {
		const doc = new Y.Doc();
		expect(addTransfer(doc, award('t1', 1000))).toBe(true);
		expect(addTransfer(doc, award('t1', 1000, 90))).toBe(false);
		const approval: Approval = { id: 'a1', transfer: 't1', decision: 'approve', note: '', at: 3000, by: li };
		expect(addApproval(doc, approval)).toBe(true);
		expect(addApproval(doc, { ...approval, id: 'a2', decision: 'reject' })).toBe(false);
		expect(addHandover(doc, { transfer: 't1', at: 1, by: zhou })).toBe(true);
		expect(addHandover(doc, { transfer: 't1', at: 2, by: li })).toBe(false);
		expect(readPassbookRecords(doc, HOUSEHOLD).transfers).toEqual([award('t1', 1000)]);
		expect(readPassbookRecords(doc, HOUSEHOLD).approvals).toEqual([approval]);
	});

	it('keeps both records when two offline counters redeem for the same household', () => {
		const a = new Y.Doc();
		addTransfer(a, award('t0', 500, 10));
		const b = new Y.Doc();
		sync(a, b);
		addTransfer(a, redeem('ra', 2000));
		addTransfer(b, redeem('rb', 1000));
		addApproval(b, { id: 'x', transfer: 't0', decision: 'approve', note: '', at: 3000, by: li });
		sync(a, b);
		expect(readPassbookRecords(a, HOUSEHOLD)).toEqual(readPassbookRecords(b, HOUSEHOLD));
		expect(readPassbookRecords(a, HOUSEHOLD).transfers.map((t) => t.id)).toEqual(['t0', 'rb', 'ra']);
		// Both are kept; the second overdraws the balance and is flagged.
		const book = passbook(readPassbookRecords(a, HOUSEHOLD), DEFAULT_POINTS_SETTINGS, 5000);
		expect(book.balance).toBe(-6);
		expect(book.flags.map((f) => f.key)).toEqual(['overdraft:ra']);
	});

	it('keeps the household’s board choice, the last one made', () => {
		const doc = new Y.Doc();
		expect(readBoardChoice(doc)).toBeNull();
		setBoardChoice(doc, { show: true, name: '3栋刘阿姨', at: 1000, by: liu });
		expect(isPassbookDoc(doc)).toBe(true);
		setBoardChoice(doc, { show: false, name: '', at: 2000, by: liu });
		expect(readBoardChoice(doc)).toEqual({ show: false, name: '', at: 2000, by: liu });
	});

	it('leaves out records that do not parse or are kept under another key', () => {
		const doc = new Y.Doc();
		addTransfer(doc, award('t1', 1000));
		doc.getMap<unknown>('transfers').set('junk', { id: 'junk', kind: 'award' });
		doc.getMap<unknown>('transfers').set('t2', award('other', 1000));
		doc.getMap<unknown>('transfers').set('t3', { ...redeem('t3', 1000), code: 'AAAAAA' });
		doc.getMap<unknown>('approvals').set('t1:dev-zhou', { id: 'a', transfer: 't1', decision: 'approve', note: '', at: 1, by: li });
		doc.getMap<unknown>('approvals').set('t1:dev-li', { id: 'a', transfer: 't1', decision: 'maybe', note: '', at: 1, by: li });
		doc.getMap<unknown>('resolutions').set('x', 42);
		doc.getMap<unknown>('handovers').set('t9', { transfer: 't1', at: 1, by: zhou });
		doc.getMap<unknown>('board').set('choice', { show: true, name: '', at: 1, by: liu });
		const records = readPassbookRecords(doc, HOUSEHOLD);
		expect(records.transfers.map((t) => t.id)).toEqual(['t1']);
		expect(records.approvals).toEqual([]);
		expect(records.resolutions).toEqual([]);
		expect(readHandovers(doc).size).toBe(0);
		expect(readBoardChoice(doc)).toBeNull();
	});

	it('is indexed with its household, its records and the time of the latest', () => {
		const doc = new Y.Doc();
		expect(indexEntry(`demo:passbook:${HOUSEHOLD}`, doc)).toBeNull();
		addTransfer(doc, award('t1', 1000, 80));
		addTransfer(doc, redeem('t2', 2000));
		addApproval(doc, { id: 'a1', transfer: 't1', decision: 'approve', note: '', at: 3000, by: li });
		addHandover(doc, { transfer: 't2', at: 2500, by: zhou });
		const e = indexEntry(`demo:passbook:${HOUSEHOLD}`, doc)!;
		expect(e).toMatchObject({ kind: 'passbook', title: '', household: HOUSEHOLD, count: 2, updated: 3000 });
		expect(e.passbook?.transfers.map((t) => t.id)).toEqual(['t1', 't2']);
		expect(e.passbook?.approvals.map((a) => a.id)).toEqual(['a1']);
		expect(e.passbook?.resolutions).toEqual([]);
		expect(e.passbook?.handovers).toEqual(['t2']);
		// Folded with the settings of the day, as a staff screen does: the award above the threshold was approved.
		const book = passbook({ household: HOUSEHOLD, ...e.passbook! }, DEFAULT_POINTS_SETTINGS, 5000);
		expect(book.balance).toBe(72);
	});
});
