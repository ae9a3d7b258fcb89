import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Household } from '../domain/household';
import { putHousehold, readHousehold, readHouseholds, registerGrid, removeHousehold, writeHouseholds } from './households-doc';
import { household } from '../domain/testing';

const h = (room: string, over: Partial<Household> = {}): Household =>
	household(`b01-1-${room}`, { area: 88, members: [{ name: '李淑珍', contact: true }], tags: ['elderly_alone'], ...over });

describe('households document', () => {
	it('writes, replaces and removes whole household records', () => {
		const doc = new Y.Doc();
		writeHouseholds(doc, 'g1', [h('101'), h('102')]);
		expect(registerGrid(doc)).toBe('g1');
		putHousehold(doc, 'g1', h('101', { area: 90.5 }));
		expect(readHousehold(doc, 'b01-1-101')?.area).toBe(90.5);
		expect(removeHousehold(doc, 'b01-1-102')).toBe(true);
		expect(removeHousehold(doc, 'b01-1-102')).toBe(false);
		expect(readHouseholds(doc)).toEqual([h('101', { area: 90.5 })]);
	});

	it('makes one record of a flat registered on two offline devices', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		putHousehold(a, 'g1', h('201', { members: [{ name: '甲' }] }));
		putHousehold(b, 'g1', h('201', { members: [{ name: '乙' }] }));
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(readHouseholds(a)).toHaveLength(1);
		expect(readHouseholds(a)).toEqual(readHouseholds(b));
	});

	it('leaves out entries that are not households or sit under another id', () => {
		const doc = new Y.Doc();
		writeHouseholds(doc, 'g1', [h('101')]);
		doc.getMap<unknown>('households').set('b01-1-999', h('102'));
		doc.getMap<unknown>('households').set('x', 'not a household');
		expect(readHouseholds(doc).map((x) => x.id)).toEqual(['b01-1-101']);
		expect(readHousehold(doc, 'b01-1-999')).toBeNull();
	});
});
