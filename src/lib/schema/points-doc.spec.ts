import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type Activity, type CatalogueItem, DEFAULT_POINTS_SETTINGS, type Restock } from '../domain/points';
import { indexEntry } from './index-entry';
import { addRestock, type PointsBoard, putActivity, putItem, readPointsBoard, readPointsConfig, setPointsSettings, writePointsBoard } from './points-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { adminActor, facilitatorActor } from '../domain/testing';

const zhou = facilitatorActor({ id: 'dev-zhou' });
const li = adminActor({ id: 'dev-li' });

const activity = (id: string, at: number, over: Partial<Activity> = {}): Activity => ({ id, name: '楼道清扫', points: 10, hours: 2, at, by: zhou, ...over });
const item = (id: string, at: number, over: Partial<CatalogueItem> = {}): CatalogueItem => ({ id, name: '大米', price: 30, unit: '袋', at, by: zhou, ...over });
const restock = (id: string, at: number, quantity = 20): Restock => ({ id, item: 'rice', quantity, note: '', at, by: zhou });

const board = (updated: number, remaining = 12): PointsBoard => ({
	updated,
	figures: { households: 3, earned: 120, hours: 24, redemptions: 2, names: [{ name: '3栋刘阿姨', hours: 8, earned: 40 }] },
	stock: [{ item: 'rice', name: '大米', price: 30, unit: '袋', remaining }],
	talents: { bySkill: [{ skill: 'plumbing', name: '水电维修', people: 4 }], activists: 2, buildingHeads: 1, total: 9 }
});

describe('points config document', () => {
	it('starts from the default settings, and reads back what staff set', () => {
		const doc = new Y.Doc();
		expect(readPointsConfig(doc)).toEqual({ settings: DEFAULT_POINTS_SETTINGS, activities: [], items: [], restocks: [] });
		setPointsSettings(doc, { approvalAbove: 30, expiryMonths: null, floor: -20, ceiling: 500 });
		putActivity(doc, activity('sweep', 2000));
		putActivity(doc, activity('duty', 1000, { name: '议事会值班', points: 5, hours: 1 }));
		putItem(doc, item('rice', 1000));
		expect(addRestock(doc, restock('r1', 1500))).toBe(true);
		expect(addRestock(doc, restock('r1', 1500, 999))).toBe(false);
		const config = readPointsConfig(doc);
		expect(config.settings).toEqual({ approvalAbove: 30, expiryMonths: null, floor: -20, ceiling: 500 });
		expect(config.activities.map((a) => a.id)).toEqual(['duty', 'sweep']);
		expect(config.items).toEqual([item('rice', 1000)]);
		expect(config.restocks).toEqual([restock('r1', 1500)]);
	});

	it('changes an item in place: retired, never deleted', () => {
		const doc = new Y.Doc();
		putItem(doc, item('rice', 1000));
		putItem(doc, item('rice', 2000, { retired: true, price: 35 }));
		expect(readPointsConfig(doc).items).toEqual([item('rice', 2000, { retired: true, price: 35 })]);
	});

	it('keeps both devices’ records when two staff members work offline', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		putActivity(a, activity('sweep', 1000));
		putItem(b, item('oil', 1500, { name: '食用油', unit: '瓶' }));
		addRestock(a, restock('ra', 2000, 10));
		addRestock(b, { ...restock('rb', 2100, 5), item: 'oil', by: li });
		sync(a, b);
		expect(readPointsConfig(a)).toEqual(readPointsConfig(b));
		expect(readPointsConfig(a).restocks.map((r) => r.id)).toEqual(['ra', 'rb']);
		expect(readPointsConfig(a).activities).toHaveLength(1);
		expect(readPointsConfig(a).items).toHaveLength(1);
	});

	it('ignores records that do not parse, or are kept under another id, and settings out of range', () => {
		const doc = new Y.Doc();
		putActivity(doc, activity('sweep', 1000));
		doc.getMap<unknown>('activities').set('junk', { id: 'junk', name: '' });
		doc.getMap<unknown>('items').set('rice', item('oil', 1000));
		doc.getMap<unknown>('items').set('gold', item('gold', 1000, { price: 0 }));
		doc.getMap<unknown>('restocks').set('r0', { ...restock('r0', 1), quantity: 0 });
		doc.getMap<unknown>('settings').set('current', { approvalAbove: -5, expiryMonths: 12, floor: 10, ceiling: null });
		const config = readPointsConfig(doc);
		expect(config.activities.map((a) => a.id)).toEqual(['sweep']);
		expect(config.items).toEqual([]);
		expect(config.restocks).toEqual([]);
		expect(config.settings).toEqual({ ...DEFAULT_POINTS_SETTINGS, expiryMonths: 12, ceiling: null });
	});

	it('is indexed with its number of catalogue items', () => {
		const doc = new Y.Doc();
		expect(indexEntry('demo:points:main', doc)).toBeNull();
		putItem(doc, item('rice', 1000));
		putItem(doc, item('oil', 3000));
		putActivity(doc, activity('sweep', 2000));
		expect(indexEntry('demo:points:main', doc)).toMatchObject({ kind: 'points', title: '', count: 2, updated: 3000 });
	});
});

describe('the public points board', () => {
	it('reads back what the relay published, and adds nothing when the figures are the same', () => {
		const doc = new Y.Doc();
		expect(readPointsBoard(doc)).toBeNull();
		expect(writePointsBoard(doc, board(1000))).toBe(true);
		expect(readPointsBoard(doc)).toEqual(board(1000));
		const sv = Y.encodeStateVector(doc);
		expect(writePointsBoard(doc, board(2000))).toBe(false);
		expect(Y.encodeStateVector(doc)).toEqual(sv);
		expect(writePointsBoard(doc, board(3000, 11))).toBe(true);
		expect(readPointsBoard(doc)).toEqual(board(3000, 11));
		expect(indexEntry('demo:points:public', doc)).toMatchObject({ kind: 'points', title: '', count: 1, updated: 3000 });
	});

	it('reads a board of the wrong shape as none', () => {
		const doc = new Y.Doc();
		doc.getMap<unknown>('board').set('current', { updated: 1, figures: 'lots' });
		expect(readPointsBoard(doc)).toBeNull();
	});
});
