/**
 * The points passbook, the points config and the register of talents against the real relay, with real
 * credentials and real clients: a resident device cannot award itself points, record a redemption, read a
 * neighbour's passbook or the register; it does choose how it appears on the board. Staff keep the books, a
 * facilitator neither approves their own award nor changes the settings, and the public board is the relay's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { DEFAULT_POINTS_SETTINGS, type Transfer } from '../../src/lib/domain/points';
import { BatchStatus, CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { passbookDocName, pointsBoardDocName, pointsDocName, talentsDocName } from '../../src/lib/schema/doc-names';
import { addApproval, addTransfer, readBoardChoice, readPassbookRecords, setBoardChoice } from '../../src/lib/schema/passbook-doc';
import { putItem, readPointsBoard, readPointsConfig, setPointsSettings, writePointsBoard } from '../../src/lib/schema/points-doc';
import { putPerson } from '../../src/lib/schema/talents-doc';
import { docUrl, provider, RawClient, removeDir, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';
import { pointsAward, pointsRedemption } from '../../src/lib/domain/testing';
import { relayJudge } from './relay-judge';

const LIU = 'b03-1-401';
const ZHANG = 'b03-1-402';
const LIUS_BOOK = passbookDocName('demo', LIU);
const ZHANGS_BOOK = passbookDocName('demo', ZHANG);
const POINTS = pointsDocName('demo');
const BOARD = pointsBoardDocName('demo');
const TALENTS = talentsDocName('demo');

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { join, who, stored, seed, expectRefused, expectAccepted } = relayJudge(() => relay);

const at = () => Date.now();
const award = (id: string, by: Actor, over: Partial<Transfer> = {}): Transfer =>
	pointsAward({ id, household: LIU, at: at(), by, activity: 'sweep', activityName: '楼道清扫', ...over });
const redemption = (id: string, by: Actor): Transfer => pointsRedemption({ id, household: LIU, at: at(), by });

beforeAll(async () => {
	relay = await startTestRelay();
	await join('liu', { role: 'resident', community: 'demo', household: LIU }, '刘阿姨');
	await join('grid', { role: 'grid_worker', community: 'demo', grids: ['g1'] }, '网格员小陈');
	await join('zhou', { role: 'facilitator', community: 'demo' }, '周敏');
	await join('wu', { role: 'facilitator', community: 'demo' }, '吴芳');
	await join('admin', { role: 'community_admin', community: 'demo' }, '李书记');
	const zhou = who('zhou').actor;
	await seed(LIUS_BOOK, (d) => addTransfer(d, award('seed1', zhou)));
	await seed(ZHANGS_BOOK, (d) => addTransfer(d, award('seed2', zhou, { household: ZHANG })));
	await seed(POINTS, (d) => putItem(d, { id: 'rice', name: '大米', price: 30, unit: '袋', at: at(), by: zhou }));
	await seed(TALENTS, (d) =>
		putPerson(d, { id: 'p1', name: '王师傅', phone: '13800138000', skills: ['plumbing'], availability: '周末', consent: true, roles: ['activist'], at: at(), by: zhou })
	);
	await seed(BOARD, (d) =>
		writePointsBoard(d, {
			updated: at(),
			figures: { households: 2, earned: 20, hours: 4, redemptions: 0, names: [] },
			stock: [{ item: 'rice', name: '大米', price: 30, unit: '袋', remaining: 0 }],
			talents: { bySkill: [{ skill: 'plumbing', name: '水电维修', people: 1 }], activists: 1, buildingHeads: 0, total: 1 }
		})
	);
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

describe('a resident device', () => {
	it('cannot award its own household points: refused with its reason, never stored', async () => {
		const liu = who('liu').actor;
		await expectRefused('liu', LIUS_BOOK, (d) => addTransfer(d, award('forged1', liu, { amount: 500 })), /^refused: a resident may not change "transfers" of a passbook/);
		// Nor by claiming a facilitator recorded it.
		await expectRefused('liu', LIUS_BOOK, (d) => addTransfer(d, award('forged2', { ...liu, role: 'facilitator' }, { amount: 500 })), /author|may not change/);
		await expectRefused('liu', LIUS_BOOK, (d) => addTransfer(d, award('forged3', who('zhou').actor, { amount: 500 })), /author|may not change/);
	});

	it('cannot record a redemption for itself either', async () => {
		await expectRefused('liu', LIUS_BOOK, (d) => addTransfer(d, redemption('forged4', who('liu').actor)), /^refused: a resident may not change "transfers" of a passbook/);
		expect(readPassbookRecords(await stored(LIUS_BOOK), LIU).transfers.map((t) => t.id)).toEqual(['seed1']);
	});

	it("cannot read another household's passbook, nor the register of talents, on either endpoint", async () => {
		const c = await SyncClient.connect(relay.url, who('liu').token);
		try {
			const empty = Y.encodeStateVector(new Y.Doc());
			c.sendFrame({
				kind: MuxMessage.BatchSync,
				requestId: 1,
				entries: [LIUS_BOOK, ZHANGS_BOOK, TALENTS, POINTS, BOARD].map((doc) => ({ doc, stateVector: empty }))
			});
			const { entries } = await c.waitFrame(MuxMessage.BatchSyncReply);
			const status = Object.fromEntries(entries.map((e) => [e.doc, e.status]));
			expect(status).toEqual({
				[LIUS_BOOK]: BatchStatus.Ok,
				[ZHANGS_BOOK]: BatchStatus.Forbidden,
				[TALENTS]: BatchStatus.Forbidden,
				[POINTS]: BatchStatus.ReadOnly,
				[BOARD]: BatchStatus.ReadOnly
			});
			for (const e of entries.filter((e) => e.status === BatchStatus.Forbidden)) expect(e.diff).toHaveLength(0);
			// The catalogue and the public board it does read.
			const config = new Y.Doc();
			Y.applyUpdate(config, entries.find((e) => e.doc === POINTS)?.diff ?? new Uint8Array());
			expect(readPointsConfig(config).items.map((i) => i.id)).toEqual(['rice']);
			const board = new Y.Doc();
			Y.applyUpdate(board, entries.find((e) => e.doc === BOARD)?.diff ?? new Uint8Array());
			expect(readPointsBoard(board)?.talents.total).toBe(1);
		} finally {
			c.close();
		}
		for (const doc of [ZHANGS_BOOK, TALENTS]) {
			const ws = new RawClient(docUrl(relay.url, doc, who('liu').token));
			expect((await ws.closed).code, doc).toBe(CloseCode.Forbidden);
			expect(ws.received, doc).toHaveLength(0);
		}
	});

	it('sets how its own household appears on the public board', async () => {
		await expectAccepted('liu', LIUS_BOOK, (d) => setBoardChoice(d, { show: true, name: '3栋刘阿姨', at: at(), by: who('liu').actor }));
		expect(readBoardChoice(await stored(LIUS_BOOK))).toMatchObject({ show: true, name: '3栋刘阿姨' });
	});
});

describe('staff keep the books', () => {
	it("a facilitator's award is accepted and reaches the resident's device", async () => {
		const local = new Y.Doc();
		const p = provider(relay.url, LIUS_BOOK, local, { token: who('liu').token });
		try {
			await whenSynced(p);
			expect(readPassbookRecords(local, LIU).transfers.map((t) => t.id)).toEqual(['seed1']);
			await expectAccepted('zhou', LIUS_BOOK, (d) => addTransfer(d, award('clean1', who('zhou').actor, { amount: 20 })));
			await waitFor(() => readPassbookRecords(local, LIU).transfers.some((t) => t.id === 'clean1'), { what: "the award on the resident's device" });
		} finally {
			p.destroy();
		}
	});

	it('a grid worker keeps no books', async () => {
		await expectRefused('grid', LIUS_BOOK, (d) => addTransfer(d, award('gw1', who('grid').actor)), /^forbidden/);
	});

	it('a facilitator cannot approve their own award; another staff member can', async () => {
		await expectAccepted('zhou', LIUS_BOOK, (d) => addTransfer(d, award('big1', who('zhou').actor, { amount: DEFAULT_POINTS_SETTINGS.approvalAbove + 30 })));
		const approval = (key: string) => (d: Y.Doc) => addApproval(d, { id: `a-${key}`, transfer: 'big1', decision: 'approve', note: '', at: at(), by: who(key).actor });
		await expectRefused('zhou', LIUS_BOOK, approval('zhou'), /someone other than the one who recorded it/);
		await expectAccepted('wu', LIUS_BOOK, approval('wu'));
		expect(readPassbookRecords(await stored(LIUS_BOOK), LIU).approvals.map((a) => a.by.id)).toEqual([who('wu').actor.id]);
	});

	it('a facilitator cannot change the points settings; a community admin can', async () => {
		const lower = { ...DEFAULT_POINTS_SETTINGS, approvalAbove: 1000 };
		await expectRefused('zhou', POINTS, (d) => setPointsSettings(d, lower), /facilitator may not change "settings"/);
		await expectAccepted('admin', POINTS, (d) => setPointsSettings(d, { ...DEFAULT_POINTS_SETTINGS, approvalAbove: 20 }));
		expect(readPointsConfig(await stored(POINTS)).settings.approvalAbove).toBe(20);
	});

	it('nobody writes the public board: it is the relay’s', async () => {
		const forged = (d: Y.Doc) =>
			writePointsBoard(d, {
				updated: at(),
				figures: { households: 99, earned: 99_999, hours: 9, redemptions: 0, names: [{ name: '假', hours: 9, earned: 99_999 }] },
				stock: [],
				talents: { bySkill: [], activists: 0, buildingHeads: 0, total: 0 }
			});
		for (const key of ['liu', 'grid', 'zhou', 'admin']) await expectRefused(key, BOARD, forged, /^read-only/);
		expect(readPointsBoard(await stored(BOARD))?.figures.households).toBe(2);
	});
});
