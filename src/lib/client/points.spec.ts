import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { type Activity, audit, type CatalogueItem, DEFAULT_POINTS_SETTINGS, openFlags, passbook, redemptionCode } from '../domain/points';
import { readBoardChoice, readHandovers, readPassbookRecords } from '../schema/passbook-doc';
import { readPointsConfig } from '../schema/points-doc';
import { WriteRefusedError } from './doc-store';
import {
	awardPoints,
	chooseBoardName,
	decideAward,
	InvalidPointsInputError,
	recordHandover,
	redeemPoints,
	resolveFlag,
	restockItem,
	saveActivity,
	saveItem,
	savePointsSettings,
	type PointsApp
} from './points';
import { specDevices } from './spec-stores';

const zhou: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };
const chen: Actor = { id: 'a1', name: '陈主任', role: 'community_admin' };
const liu: Actor = { id: 'r1', name: '刘阿姨', role: 'resident' };
const H1 = 'b01-1-101';
const H2 = 'b01-1-102';
const H3 = 'b01-2-201';

/** A device with its own IndexedDB, checking every write against the relay's rules as the app does. */
const device = specDevices('points');

async function read<T>(app: PointsApp, name: string, fn: (doc: Y.Doc) => T): Promise<T> {
	return app.store.withDoc(name, (h) => fn(h.doc));
}
const records = (app: PointsApp, household: string) => read(app, `demo:passbook:${household}`, (doc) => readPassbookRecords(doc, household));

const cleanUp: Activity = { id: 'cleanup', name: '楼道清扫', points: 10, hours: 2, at: 1, by: zhou };
const rice: CatalogueItem = { id: 'rice', name: '大米', price: 30, unit: '袋', at: 1, by: zhou };
const oil: CatalogueItem = { id: 'oil', name: '食用油', price: 20, unit: '瓶', at: 1, by: zhou };

describe('points actions', () => {
	it('awards a batch: one transfer per household, sharing one batch id, on disk before resolving', async () => {
		const app = device(zhou);
		const ts = await awardPoints(app, { households: [H1, H2, H3, H1], activity: cleanUp, amount: 10, hours: 2, note: '', channel: 'activity' });
		expect(ts).toHaveLength(3);
		expect(new Set(ts.map((t) => t.batch)).size).toBe(1);
		expect(ts.map((t) => t.household)).toEqual([H1, H2, H3]);
		for (const t of ts) {
			expect(t).toMatchObject({ kind: 'award', amount: 10, hours: 2, activity: 'cleanup', activityName: '楼道清扫', by: { id: 'f1' } });
			expect((await records(app, t.household)).transfers).toEqual([t]);
			expect(await app.store.db.syncState.get(`demo:passbook:${t.household}`)).toMatchObject({ dirty: 1 });
		}
	});

	it('records a redemption with its code and amount = price × quantity', async () => {
		const app = device(zhou);
		const r = await redeemPoints(app, { household: H1, item: rice, quantity: 2, note: '', channel: 'counter' });
		expect(r).toMatchObject({ kind: 'redeem', amount: 60, quantity: 2, item: 'rice', itemName: '大米', code: redemptionCode(r.id) });
		expect((await records(app, H1)).transfers).toEqual([r]);
		await recordHandover(app, H1, r.id);
		expect([...(await read(app, `demo:passbook:${H1}`, readHandovers)).keys()]).toEqual([r.id]);
	});

	it("resolves an overdraft by reversing the redemption chosen, recording the reversal and the decision", async () => {
		const counter = device(zhou);
		const other = device(chen);
		await awardPoints(counter, { households: [H1], activity: cleanUp, amount: 40, hours: 2, note: '', channel: 'activity' });
		const first = await redeemPoints(counter, { household: H1, item: rice, quantity: 1, note: '', channel: 'counter' });
		const second = await redeemPoints(counter, { household: H1, item: oil, quantity: 1, note: '', channel: 'counter' });
		const book = passbook(await records(counter, H1), DEFAULT_POINTS_SETTINGS, Date.now());
		const [flag] = openFlags(book.flags);
		expect(flag).toMatchObject({ kind: 'overdraft', transfers: [first.id, second.id] });

		await other.store.applyRemote(`demo:passbook:${H1}`, await counter.store.readState(`demo:passbook:${H1}`));
		const resolution = await resolveFlag(other, flag!, 'reverse', { note: '油退回柜台', reverse: second });
		const after = await records(other, H1);
		const back = after.transfers.find((t) => t.kind === 'reverse');
		expect(back).toMatchObject({ reverses: second.id, amount: 20, note: '油退回柜台', by: { id: 'a1' } });
		expect(resolution).toMatchObject({ flag: flag!.key, action: 'reverse', transfers: [back!.id] });
		expect(after.resolutions).toEqual([resolution]);
		const folded = passbook(after, DEFAULT_POINTS_SETTINGS, Date.now());
		expect(folded.balance).toBe(10);
		expect(folded.flags[0]?.resolution).toEqual(resolution);
	});

	it('substitutes another item: the redemption is reversed and the substitute recorded against the flag', async () => {
		const app = device(zhou);
		await awardPoints(app, { households: [H2], activity: cleanUp, amount: 10, hours: 1, note: '', channel: 'activity' });
		const r = await redeemPoints(app, { household: H2, item: rice, quantity: 1, note: '', channel: 'counter' });
		const book = passbook(await records(app, H2), DEFAULT_POINTS_SETTINGS, Date.now());
		const flag = book.flags[0]!;
		const cheap: CatalogueItem = { ...oil, id: 'soap', name: '肥皂', price: 5, unit: '块' };
		const res = await resolveFlag(app, flag, 'substitute', { note: '换成肥皂', substitute: { item: cheap, quantity: 2 } });
		const after = await records(app, H2);
		expect(res.transfers).toHaveLength(2);
		const [back, instead] = res.transfers.map((id) => after.transfers.find((t) => t.id === id));
		expect(back).toMatchObject({ kind: 'reverse', reverses: r.id });
		expect(instead).toMatchObject({ kind: 'redeem', item: 'soap', amount: 10, substitutes: flag.key });
		expect(passbook(after, DEFAULT_POINTS_SETTINGS, Date.now()).balance).toBe(0);
	});

	it('an award above the threshold waits for another staff member, who may not be its recorder', async () => {
		const zApp = device(zhou);
		const [t] = await awardPoints(zApp, { households: [H1], amount: 80, hours: 8, note: '组织义诊', channel: 'app' });
		expect(passbook(await records(zApp, H1), DEFAULT_POINTS_SETTINGS, Date.now())).toMatchObject({ balance: 0, pending: 80 });
		await expect(decideAward(zApp, H1, t!, 'approve', '')).rejects.toBeInstanceOf(InvalidPointsInputError);
		const cApp = device(chen);
		// The other device receives the award through the relay.
		await cApp.store.applyRemote(`demo:passbook:${H1}`, await zApp.store.readState(`demo:passbook:${H1}`));
		await decideAward(cApp, H1, t!, 'approve', '');
		expect(passbook(await records(cApp, H1), DEFAULT_POINTS_SETTINGS, Date.now())).toMatchObject({ balance: 80, pending: 0 });
	});

	it('refuses invalid input and writes nothing', async () => {
		const app = device(zhou);
		await expect(awardPoints(app, { households: [], amount: 10, hours: 0, note: 'x', channel: 'activity' })).rejects.toBeInstanceOf(InvalidPointsInputError);
		await expect(awardPoints(app, { households: [H1, H2], amount: 0, hours: 0, note: '扫雪', channel: 'activity' })).rejects.toThrow(/amount/);
		await expect(awardPoints(app, { households: [H1], amount: 5, hours: 0, note: '  ', channel: 'activity' })).rejects.toThrow(/note/);
		await expect(redeemPoints(app, { household: H1, item: rice, quantity: 0, note: '', channel: 'counter' })).rejects.toThrow(/quantity/);
		await expect(redeemPoints(app, { household: H1, item: { ...rice, retired: true }, quantity: 1, note: '', channel: 'counter' })).rejects.toThrow(/retired/);
		const flag = { key: 'overdraft:x', kind: 'overdraft' as const, household: H1, transfer: 'x', transfers: ['x'], excess: 1, at: 1 };
		await expect(resolveFlag(app, flag, 'allow', { note: ' ' })).rejects.toThrow(/note: required/);
		await expect(resolveFlag(app, flag, 'reverse', { note: '退回' })).rejects.toThrow(/reverse: required/);
		await expect(saveActivity(app, { name: '', points: 5, hours: 1 })).rejects.toThrow(/name: required/);
		await expect(saveItem(app, { name: '大米', price: 0, unit: '袋' })).rejects.toThrow(/price/);
		await expect(restockItem(app, { item: 'rice', quantity: -3, note: '' })).rejects.toThrow(/note: required/);
		await expect(savePointsSettings(app, { ...DEFAULT_POINTS_SETTINGS, approvalAbove: 1000 })).rejects.toThrow(/not_admin/);
		for (const h of [H1, H2]) expect((await records(app, h)).transfers).toEqual([]);
		expect(await app.store.db.syncState.get(`demo:passbook:${H1}`)).toBeUndefined();
		expect(await read(app, 'demo:points:main', readPointsConfig)).toMatchObject({ activities: [], items: [], restocks: [] });
	});

	it('keeps the config: activities, items, restocks and (admins only) the settings', async () => {
		const admin = device(chen);
		const a = await saveActivity(admin, { name: '楼道清扫', points: 10, hours: 2 });
		const i = await saveItem(admin, { name: '大米', price: 30, unit: '袋' });
		await restockItem(admin, { item: i.id, quantity: 20, note: '街道配送' });
		await savePointsSettings(admin, { approvalAbove: 30, expiryMonths: null, floor: 0, ceiling: 500 });
		const config = await read(admin, 'demo:points:main', readPointsConfig);
		expect(config.activities).toEqual([a]);
		expect(config.items).toEqual([i]);
		expect(config.settings).toEqual({ approvalAbove: 30, expiryMonths: null, floor: 0, ceiling: 500 });
		expect(audit([], config.items, config.restocks, []).stock[0]).toMatchObject({ remaining: 20 });
	});

	it("lets a resident choose how the household appears on the board, and nothing else", async () => {
		const app = device(liu, { household: H1 });
		await expect(chooseBoardName(app, H1, { show: true, name: '' })).rejects.toThrow(/name: required/);
		await chooseBoardName(app, H1, { show: true, name: ' 1栋刘阿姨 ' });
		expect(await read(app, `demo:passbook:${H1}`, readBoardChoice)).toMatchObject({ show: true, name: '1栋刘阿姨' });
		await expect(awardPoints(app, { households: [H1], amount: 10, hours: 0, note: '自己加分', channel: 'app' })).rejects.toThrow(/not_staff/);
		// Past the app's own check, the relay's rules (run on the device) still refuse it.
		const forged = { ...app, actorSnapshot: () => ({ ...liu, role: 'facilitator' as const }) };
		await expect(awardPoints(forged, { households: [H1], amount: 10, hours: 0, note: '自己加分', channel: 'app' })).rejects.toBeInstanceOf(WriteRefusedError);
		expect((await records(app, H1)).transfers).toEqual([]);
	});
});
