/**
 * The public points board against the real relay: a facilitator's device keeps the catalogue, awards points to
 * two households (one chose to appear under a name, the other did not) and records a redemption, all over the
 * socket; the relay publishes `<community>:points:public`, which a resident of a third household reads: the
 * totals, only the opted-in name, the stock left, and no household id anywhere in the document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { redemptionCode, type Transfer } from '../../src/lib/domain/points';
import { passbookDocName, pointsBoardDocName, pointsDocName, talentsDocName } from '../../src/lib/schema/doc-names';
import { addTransfer, setBoardChoice } from '../../src/lib/schema/passbook-doc';
import { addRestock, type PointsBoard, putItem, readPointsBoard } from '../../src/lib/schema/points-doc';
import { putPerson } from '../../src/lib/schema/talents-doc';
import { provider, removeDir, startTestRelay, waitFor, whenSynced } from './helpers';
import { editAs, relayDevices, storedDoc } from './helpers-devices';

const C = 'demo';
/** Households: A chose to appear as 王阿姨's, B chose not to, R only reads the board. */
const A = 'b01-1-101';
const B = 'b01-1-102';
const R = 'b02-1-201';
const T0 = Date.UTC(2026, 2, 4, 2);

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const { join, actor, token } = relayDevices(() => relay);
/** A document's durable state, straight from storage. */
const stored = (name: string) => storedDoc(relay, name);
/** Edits a document over the socket as `who` (a device in sync), and waits until the relay has stored the edit. */
const edit = (who: string, name: string, change: (doc: Y.Doc) => void) => editAs(relay, token(who), name, change, who);

function award(household: string, amount: number, hours: number, at: number): Transfer {
	return { id: `award-${household}-${at}`, kind: 'award', household, amount, at, by: actor('fac'), channel: 'activity', note: '楼道清扫', hours };
}

beforeAll(async () => {
	relay = await startTestRelay({ pointsBoard: { startDelayMs: 0, debounceMs: 30 } });
	await join('fac', { role: 'facilitator', community: C }, '周敏');
	await join('a', { role: 'resident', community: C, household: A }, '王阿姨');
	await join('b', { role: 'resident', community: C, household: B }, '李先生');
	await join('reader', { role: 'resident', community: C, household: R }, '赵大爷');
});

afterAll(async () => {
	await relay?.close();
	if (relay) removeDir(relay.dataDir);
});

describe('the public points board', () => {
	const redemptionId = 'redeem-rice-1';

	it('is published from the passbooks, the catalogue and the register, and read by a resident of another household', async () => {
		const fac = actor('fac');
		await edit('fac', pointsDocName(C), (doc) => {
			putItem(doc, { id: 'rice', name: '大米', price: 10, unit: '袋', at: T0, by: fac });
			putItem(doc, { id: 'oil', name: '食用油', price: 25, unit: '瓶', at: T0, by: fac });
			putItem(doc, { id: 'soap', name: '肥皂', price: 3, unit: '块', retired: true, at: T0, by: fac });
			addRestock(doc, { id: 'rs-rice', item: 'rice', quantity: 10, note: '', at: T0, by: fac });
			addRestock(doc, { id: 'rs-oil', item: 'oil', quantity: 5, note: '', at: T0, by: fac });
		});
		await edit('fac', talentsDocName(C), (doc) => {
			putPerson(doc, {
				id: 'p1',
				name: '张师傅',
				household: A,
				building: 'b01',
				phone: '13800138000',
				skills: ['plumbing'],
				availability: '周末',
				consent: true,
				roles: ['activist'],
				at: T0,
				by: fac
			});
		});
		// Each household's own device says how it appears on the board.
		await edit('a', passbookDocName(C, A), (doc) => setBoardChoice(doc, { show: true, name: '1栋王阿姨', at: T0, by: actor('a') }));
		await edit('b', passbookDocName(C, B), (doc) => setBoardChoice(doc, { show: false, name: '不上榜的李家', at: T0, by: actor('b') }));
		// The facilitator awards points to both, and A redeems two bags of rice at the counter.
		await edit('fac', passbookDocName(C, A), (doc) => {
			addTransfer(doc, award(A, 30, 2, T0 + 1_000));
			addTransfer(doc, {
				id: redemptionId,
				kind: 'redeem',
				household: A,
				amount: 20,
				at: T0 + 2_000,
				by: fac,
				channel: 'counter',
				note: '',
				item: 'rice',
				itemName: '大米',
				quantity: 2,
				code: redemptionCode(redemptionId)
			});
		});
		await edit('fac', passbookDocName(C, B), (doc) => addTransfer(doc, award(B, 12, 1, T0 + 1_000)));

		// A resident of a third household reads the board over the socket, as the app does.
		const doc = new Y.Doc();
		const p = provider(relay.url, pointsBoardDocName(C), doc, { token: token('reader') });
		let board: PointsBoard;
		try {
			await whenSynced(p);
			board = await waitFor(
				() => {
					const b = readPointsBoard(doc);
					return b && b.figures.redemptions === 1 && b.figures.earned === 42 && b.talents.total === 1 ? b : null;
				},
				{ timeout: 10_000, what: 'the board published and received' }
			);
			expect(board.figures).toEqual({ households: 2, earned: 42, hours: 3, redemptions: 1, names: [{ name: '1栋王阿姨', hours: 2, earned: 30 }] });
			expect(board.stock).toEqual([
				{ item: 'rice', name: '大米', price: 10, unit: '袋', remaining: 8 },
				{ item: 'oil', name: '食用油', price: 25, unit: '瓶', remaining: 5 }
			]);
			expect(board.talents).toMatchObject({ activists: 1, total: 1 });
			expect(board.talents.bySkill.find((s) => s.skill === 'plumbing')?.people).toBe(1);

			// Nothing personal anywhere in the document: not in what the resident holds, not in what is stored.
			const held = JSON.stringify(Object.fromEntries([...doc.share.keys()].map((k) => [k, doc.getMap(k).toJSON()])));
			const rows = (await relay.store.loadUpdates(pointsBoardDocName(C))).map((u) => Buffer.from(u).toString('utf8')).join('\n');
			for (const text of [held, rows]) {
				for (const secret of [A, B, R, '不上榜的李家', '张师傅', '13800138000', redemptionId, redemptionCode(redemptionId), actor('fac').id]) {
					expect(text).not.toContain(secret);
				}
			}
			// The search does find what is there (strings are stored as UTF-8).
			expect(held).toContain('1栋王阿姨');
			expect(rows).toContain('1栋王阿姨');
		} finally {
			p.destroy();
			doc.destroy();
		}
	});

	it('follows a later change, and a resident cannot write the board', async () => {
		await edit('fac', passbookDocName(C, B), (doc) => addTransfer(doc, award(B, 8, 0.5, T0 + 5_000)));
		const board = await waitFor(
			async () => {
				const b = readPointsBoard(await stored(pointsBoardDocName(C)));
				return b && b.figures.earned === 50 ? b : null;
			},
			{ timeout: 10_000, what: 'the board after a later award' }
		);
		expect(board.figures).toMatchObject({ households: 2, hours: 3.5, names: [{ name: '1栋王阿姨', hours: 2, earned: 30 }] });

		const doc = new Y.Doc();
		const p = provider(relay.url, pointsBoardDocName(C), doc, { token: token('a') });
		try {
			await whenSynced(p);
			const before = (await relay.store.loadUpdates(pointsBoardDocName(C))).length;
			doc.getMap('board').set('current', { ...board, figures: { ...board.figures, earned: 99_999 } });
			await new Promise((r) => setTimeout(r, 300));
			expect(readPointsBoard(await stored(pointsBoardDocName(C)))?.figures.earned).toBe(50);
			expect((await relay.store.loadUpdates(pointsBoardDocName(C))).length).toBe(before);
		} finally {
			p.destroy();
			doc.destroy();
		}
	});
});
