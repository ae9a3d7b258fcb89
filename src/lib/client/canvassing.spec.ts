import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { BuildingPlan, Household } from '../domain/household';
import { planImport } from '../domain/register-import';
import { readHouseholds } from '../schema/households-doc';
import { readVisits } from '../schema/visits-doc';
import { importHouseholds, InvalidRecordError, linkVisitProposal, recordVisit, saveHousehold, type CanvassingApp } from './canvassing';
import { specStores } from './spec-stores';

const buildings: BuildingPlan[] = [{ id: 'b01', grid: 'g1', name: '1栋', units: 2, floors: 6, roomsPerFloor: 2 }];
const flat: Household = { id: 'b01-1-101', building: 'b01', unit: 1, room: '101', area: 80, members: [{ name: '李淑珍' }], tags: [] };

let n = 0;
const openStore = specStores();
/** A device: a real DocStore on (fake) IndexedDB; `again` opens a second store on the same databases. */
function device(id = `c${++n}`): CanvassingApp & { again(): CanvassingApp } {
	const store = openStore(`canvass-${id}`, `${id}/`);
	return { store, community: 'demo', actorSnapshot: () => ({ id: 'gw1', name: '王海涛', role: 'grid_worker' }), again: () => device(id) };
}

async function read<T>(app: CanvassingApp, name: string, fn: (doc: import('yjs').Doc) => T): Promise<T> {
	const h = await app.store.openDoc(name);
	try {
		return fn(h.doc);
	} finally {
		h.release();
	}
}

describe('canvassing actions', () => {
	it('records a visit on disk, pending for the relay, before resolving', async () => {
		const app = device();
		const v = await recordVisit(app, { grid: 'g1', household: flat, outcome: 'talked', needs: { tags: ['repair'], text: ' 楼道灯坏了 ' } });
		expect(v).toMatchObject({ household: 'b01-1-101', building: 'b01', grid: 'g1', channel: 'visit', by: { id: 'gw1' }, needs: { text: '楼道灯坏了' } });
		expect(await app.store.db.syncState.get('demo:visits:g1')).toMatchObject({ dirty: 1 });
		expect(await app.store.db.index.get('demo:visits:g1')).toMatchObject({ kind: 'visits', count: 1 });
		const reopened = app.again();
		expect(await read(reopened, 'demo:visits:g1', readVisits)).toEqual([v]);
		await linkVisitProposal(reopened, 'g1', v.id, 'demo:proposal:p1');
		expect((await read(reopened, 'demo:visits:g1', readVisits))[0]?.proposal).toBe('demo:proposal:p1');
	});

	it('drops needs from a visit where nobody talked, and refuses an invalid one', async () => {
		const app = device();
		const v = await recordVisit(app, { grid: 'g1', household: flat, outcome: 'not_home', needs: { tags: ['repair'], text: 'x' } });
		expect(v.needs).toEqual({ tags: [], text: '' });
		await expect(recordVisit(app, { grid: 'g1', household: flat, outcome: 'talked', photos: ['nope'] })).rejects.toBeInstanceOf(InvalidRecordError);
		expect(await read(app, 'demo:visits:g1', readVisits)).toHaveLength(1);
	});

	it('registers a flat, refusing one with problems', async () => {
		const app = device();
		await saveHousehold(app, 'g1', flat, buildings);
		await expect(saveHousehold(app, 'g1', { ...flat, id: 'b01-9-101', unit: 9 }, buildings)).rejects.toThrow(/unit: out_of_range/);
		expect(await read(app, 'demo:households:g1', readHouseholds)).toEqual([flat]);
	});

	it('imports a whole file or nothing', async () => {
		const app = device();
		const header = ['楼栋', '单元', '房号', '面积'];
		const bad = planImport([header, ['1栋', 1, '101', 80], ['1栋', 1, '102', '很大']], { grid: 'g1', buildings, existing: [], onExisting: 'reject' });
		await expect(importHouseholds(app, 'g1', bad)).rejects.toBeInstanceOf(InvalidRecordError);
		expect(await read(app, 'demo:households:g1', readHouseholds)).toEqual([]);
		const good = planImport([header, ['1栋', 1, '101', 80], ['1栋', 1, '102', 75]], { grid: 'g1', buildings, existing: [], onExisting: 'reject' });
		expect(await importHouseholds(app, 'g1', good)).toBe(2);
		expect((await read(app.again(), 'demo:households:g1', readHouseholds)).map((h) => h.id).sort()).toEqual(['b01-1-101', 'b01-1-102']);
	});
});
