import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Role } from '../domain/actor';
import { DEFAULT_SKILLS, findPeople } from '../domain/talents';
import { putPerson, readTalents } from '../schema/talents-doc';
import { WriteRefusedError } from './doc-store';
import { specStores } from './spec-stores';
import { deviceWriteCheck } from './write-check';
import { InvalidRecordError, moveSkill, type PersonDraft, removePerson, savePerson, saveSkill, type TalentsApp } from './talents';

let n = 0;
const openStore = specStores();
/**
 * A device: a real DocStore on (fake) IndexedDB; `again` opens a second store on the same databases. With
 * `checked`, the relay's write rules run on the device for that role, as in the app.
 */
function device(id = `t${++n}`, checked?: Role): TalentsApp & { again(): TalentsApp } {
	const store = openStore(`talents-${id}`, `${id}/`);
	const actor = { id: 'gw1', name: '王海涛', role: checked ?? ('grid_worker' as Role) };
	if (checked) store.writeCheck = deviceWriteCheck(store, () => ({ id: actor.id, grant: { role: actor.role, community: 'demo', grids: ['g1'] } }));
	return { store, community: 'demo', actorSnapshot: () => actor, again: () => device(id) };
}

async function read<T>(app: TalentsApp, fn: (doc: Y.Doc) => T): Promise<T> {
	const h = await app.store.openDoc('demo:talents:main');
	try {
		return fn(h.doc);
	} finally {
		h.release();
	}
}

const plumber: PersonDraft = {
	name: ' 张建国 ',
	household: 'b01-1-101',
	building: 'b09',
	phone: ' １３９ 1234  5678 ',
	skills: ['plumbing', 'carpentry'],
	availability: ' 周末上午 ',
	consent: true,
	roles: ['building_head'],
	note: ''
};

describe('talents actions', () => {
	it('registers a person on disk, pending for the relay, tidied and with the household\'s building', async () => {
		const app = device();
		const p = await savePerson(app, plumber);
		expect(p).toMatchObject({ name: '张建国', building: 'b01', phone: '139 1234 5678', availability: '周末上午', by: { id: 'gw1', role: 'grid_worker' } });
		expect(p.note).toBeUndefined();
		expect(p.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
		expect(await app.store.db.syncState.get('demo:talents:main')).toMatchObject({ dirty: 1 });
		expect((await read(app.again(), readTalents)).people).toEqual([p]);
	});

	it('corrects a person in place and refuses one with problems, writing nothing', async () => {
		const app = device();
		const p = await savePerson(app, plumber);
		const fixed = await savePerson(app, { ...p, skills: ['plumbing'], household: undefined, building: 'b02' });
		expect(fixed).toMatchObject({ id: p.id, skills: ['plumbing'], building: 'b02' });
		expect(fixed.household).toBeUndefined();
		await expect(savePerson(app, { ...fixed, skills: ['juggling'] })).rejects.toBeInstanceOf(InvalidRecordError);
		await expect(savePerson(app, { ...fixed, name: ' ' })).rejects.toThrow(/name/);
		await expect(savePerson(app, { ...fixed, phone: '12ab' })).rejects.toThrow(/phone/);
		expect((await read(app, readTalents)).people).toEqual([fixed]);
	});

	it('lets a phone kept as it was (masked in the register) stand while other fields are corrected', async () => {
		const app = device();
		const p = await savePerson(app, { ...plumber, household: undefined, phone: undefined });
		await app.store.edit('demo:talents:main', (doc) => putPerson(doc, { ...p, phone: '158****5307' }));
		expect((await savePerson(app, { ...p, phone: '158****5307', availability: '随叫随到' })).availability).toBe('随叫随到');
		await expect(savePerson(app, { ...p, phone: '159****5307' })).rejects.toThrow(/phone/);
	});

	it('marks a person removed (kept, no longer found) and back', async () => {
		const app = device();
		const p = await savePerson(app, plumber);
		const gone = await removePerson(app, p.id);
		expect(gone.removed).toBe(true);
		const people = (await read(app, readTalents)).people;
		expect(people).toHaveLength(1);
		expect(findPeople(people, {})).toEqual([]);
		expect((await removePerson(app, p.id, false)).removed).toBeUndefined();
		expect(findPeople((await read(app, readTalents)).people, { skill: 'plumbing' }).map((x) => x.id)).toEqual([p.id]);
		await expect(removePerson(app, 'nobody')).rejects.toBeInstanceOf(InvalidRecordError);
	});

	it('keeps the default list when the first skill is added, renamed or moved', async () => {
		const app = device();
		const added = await saveSkill(app, { name: ' 烹饪 ' });
		expect(added).toMatchObject({ name: '烹饪', order: DEFAULT_SKILLS.length });
		let skills = (await read(app, readTalents)).skills;
		expect(skills.map((s) => s.id)).toEqual([...DEFAULT_SKILLS.map((s) => s.id), added.id]);

		await saveSkill(app, { id: 'plumbing', name: '水电维修（持证）' });
		await moveSkill(app, added.id, -1);
		await saveSkill(app, { id: 'law', name: '法律', retired: true });
		skills = (await read(app.again(), readTalents)).skills;
		expect(skills.find((s) => s.id === 'plumbing')).toMatchObject({ name: '水电维修（持证）', order: 0 });
		const active = skills.filter((s) => !s.retired).sort((a, b) => a.order - b.order).map((s) => s.id);
		expect(active.slice(-2)).toEqual([added.id, 'accounting']);
		expect(skills.find((s) => s.id === 'law')?.retired).toBe(true);
	});

	it('refuses a nameless, too long or duplicate skill name', async () => {
		const app = device();
		await expect(saveSkill(app, { name: '  ' })).rejects.toBeInstanceOf(InvalidRecordError);
		await expect(saveSkill(app, { name: '很'.repeat(17) })).rejects.toBeInstanceOf(InvalidRecordError);
		await expect(saveSkill(app, { name: '书法' })).rejects.toThrow(/duplicate/);
		expect(await app.store.db.syncState.get('demo:talents:main')).toBeUndefined();
	});

	it('still takes a person with a skill retired since (they keep it)', async () => {
		const app = device();
		await saveSkill(app, { id: 'photography', name: '摄影', retired: true });
		const p = await savePerson(app, { ...plumber, household: undefined, skills: ['photography'] });
		expect(p.skills).toEqual(['photography']);
	});

	it('passes the relay\'s rules: a grid worker keeps people, only facilitators and admins keep the skill list', async () => {
		const worker = device(undefined, 'grid_worker');
		const p = await savePerson(worker, { ...plumber, household: undefined });
		expect((await removePerson(worker, p.id)).removed).toBe(true);
		await expect(saveSkill(worker, { name: '烹饪' })).rejects.toBeInstanceOf(WriteRefusedError);
		await expect(moveSkill(worker, 'law', -1)).rejects.toBeInstanceOf(WriteRefusedError);
		expect((await read(worker, readTalents)).skills.map((s) => s.name)).not.toContain('烹饪');

		const facilitator = device(undefined, 'facilitator');
		const cooking = await saveSkill(facilitator, { name: '烹饪' });
		await moveSkill(facilitator, cooking.id, -1);
		expect((await savePerson(facilitator, { ...plumber, skills: [cooking.id] })).skills).toEqual([cooking.id]);
	});
});
