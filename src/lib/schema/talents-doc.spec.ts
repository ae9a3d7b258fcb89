import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_SKILLS, type Person } from '../domain/talents';
import { indexEntry } from './index-entry';
import { putPerson, putSkill, readTalents } from './talents-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { facilitatorActor, gridWorkerActor, person as talent } from '../domain/testing';

const chen = gridWorkerActor({ id: 'dev-chen', name: '网格员小陈' });
const zhou = facilitatorActor({ id: 'dev-zhou' });

const person = (id: string, name: string, at: number, over: Partial<Person> = {}): Person => talent({ id, name, roles: ['activist'], at, by: chen, ...over });

describe('talents document', () => {
	it('offers the default skills until the community edits its list', () => {
		const doc = new Y.Doc();
		const { skills, people } = readTalents(doc);
		expect(skills.map((s) => s.id)).toEqual(DEFAULT_SKILLS.map((s) => s.id));
		expect(skills.map((s) => s.order)).toEqual(DEFAULT_SKILLS.map((_, i) => i));
		expect(people).toEqual([]);
	});

	it('keeps the defaults when the first skill is added or retired', () => {
		const doc = new Y.Doc();
		putSkill(doc, { id: 'cooking', name: '烹饪', order: 99 });
		putSkill(doc, { id: 'law', name: '法律', order: 2, retired: true });
		const { skills } = readTalents(doc);
		expect(skills).toHaveLength(DEFAULT_SKILLS.length + 1);
		expect(skills.at(-2)?.id).toBe('cooking');
		// Retired skills come last; the people who have them keep them.
		expect(skills.at(-1)).toEqual({ id: 'law', name: '法律', order: 2, retired: true });
	});

	it('reads back people, by name, and marks a removed person rather than deleting them', () => {
		const doc = new Y.Doc();
		putPerson(doc, person('p2', '王师傅', 1000));
		putPerson(doc, person('p1', '刘阿姨', 2000, { skills: ['calligraphy', 'arts'], roles: ['building_head'], note: '3栋楼长' }));
		putPerson(doc, person('p2', '王师傅', 3000, { removed: true, by: zhou }));
		const { people } = readTalents(doc);
		expect(people.map((p) => p.id)).toEqual(['p1', 'p2']);
		expect(people[0]).toEqual(person('p1', '刘阿姨', 2000, { skills: ['calligraphy', 'arts'], roles: ['building_head'], note: '3栋楼长' }));
		expect(people[1]?.removed).toBe(true);
	});

	it('keeps both people when two grid workers register someone offline', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		putPerson(a, person('pa', '张大爷', 1000));
		putPerson(b, person('pb', '赵老师', 1100, { skills: ['teaching'] }));
		sync(a, b);
		expect(readTalents(a)).toEqual(readTalents(b));
		expect(readTalents(a).people.map((p) => p.id).sort()).toEqual(['pa', 'pb']);
	});

	it('ignores entries that are not people or skills, or are kept under another id', () => {
		const doc = new Y.Doc();
		putPerson(doc, person('p1', '刘阿姨', 1000));
		doc.getMap<unknown>('people').set('junk', { id: 'junk', name: '' });
		doc.getMap<unknown>('people').set('p2', person('p3', '假', 1000));
		doc.getMap<unknown>('people').set('p4', { ...person('p4', '钱', 1000), roles: ['boss'] });
		doc.getMap<unknown>('skills').set('x', { id: 'x', name: '', order: 1 });
		const { skills, people } = readTalents(doc);
		expect(people.map((p) => p.id)).toEqual(['p1']);
		// The junk skill does not count as the community's list: the defaults stay.
		expect(skills).toHaveLength(DEFAULT_SKILLS.length);
	});

	it('is indexed with the number of people in the register', () => {
		const doc = new Y.Doc();
		expect(indexEntry('demo:talents:main', doc)).toBeNull();
		putPerson(doc, person('p1', '刘阿姨', 1000));
		putPerson(doc, person('p2', '王师傅', 3000, { removed: true }));
		putPerson(doc, person('p3', '赵老师', 2000));
		expect(indexEntry('demo:talents:main', doc)).toMatchObject({ kind: 'talents', title: '', count: 2, updated: 3000 });
	});
});
