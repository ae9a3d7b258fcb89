import { describe, expect, it } from 'vitest';
import { person } from './testing';
import {
	DEFAULT_SKILLS,
	findPeople,
	normalisePerson,
	orderedSkills,
	parsePerson,
	parseSkill,
	personIssues,
	type Skill,
	talentCounts
} from './talents';

const skills: Skill[] = DEFAULT_SKILLS.map((s, order) => ({ ...s, order }));

describe('a person in the register', () => {
	it('has nothing wrong when well formed', () => {
		expect(personIssues(person(), skills)).toEqual([]);
		expect(personIssues(person({ household: undefined, building: '7栋', phone: undefined, skills: [], roles: [] }), skills)).toEqual([]);
	});

	it('names what is wrong', () => {
		expect(personIssues(person({ name: '  ' }), skills)).toEqual(['name']);
		expect(personIssues(person({ name: '王'.repeat(33) }), skills)).toEqual(['name']);
		expect(personIssues(person({ phone: '12ab' }), skills)).toEqual(['phone']);
		expect(personIssues(person({ skills: ['juggling'] }), skills)).toEqual(['skills']);
		expect(personIssues(person({ skills: ['law', 'law'] }), skills)).toEqual(['skills']);
		expect(personIssues(person({ availability: 'x'.repeat(201) }), skills)).toEqual(['availability']);
		expect(personIssues(person({ note: 'x'.repeat(201) }), skills)).toEqual(['note']);
		expect(personIssues(person({ roles: ['mayor' as never] }), skills)).toEqual(['roles']);
		expect(personIssues(person({ household: 'somewhere' }), skills)).toEqual(['household']);
	});

	it('keeps a retired skill on the people who have it', () => {
		const list = skills.map((s) => (s.id === 'calligraphy' ? { ...s, retired: true } : s));
		expect(personIssues(person({ skills: ['calligraphy'] }), list)).toEqual([]);
	});

	it('is normalised as typed: trimmed, phone half width, building from the household, empty fields dropped', () => {
		const typed = person({
			name: ' 李阿姨 ',
			household: 'b05-2-302',
			building: 'b03',
			phone: ' １３９ ００１３ ９０００ ',
			skills: ['arts', 'arts', 'health'],
			roles: ['activist', 'activist'],
			availability: ' 工作日晚上 ',
			note: ' 退休护士 '
		});
		expect(normalisePerson(typed)).toEqual({
			...typed,
			name: '李阿姨',
			building: 'b05',
			phone: '139 0013 9000',
			skills: ['arts', 'health'],
			roles: ['activist'],
			availability: '工作日晚上',
			note: '退休护士'
		});
		expect(personIssues(normalisePerson(typed), skills)).toEqual([]);

		// A form leaves fields it did not ask for empty: they mean none, not an unknown household.
		const blank = normalisePerson(person({ household: ' ', building: '9栋 ', phone: '', note: '' }));
		expect(blank).not.toHaveProperty('household');
		expect(blank).not.toHaveProperty('phone');
		expect(blank).not.toHaveProperty('note');
		expect(blank.building).toBe('9栋');
		expect(personIssues(blank, skills)).toEqual([]);
	});

	it('reads people and skills written by other devices, and rejects junk', () => {
		const p = person({ note: '会修电动车', removed: true });
		expect(parsePerson(p)).toEqual(p);
		expect(parsePerson({ ...p, household: '', phone: 5, removed: 'yes' })).toEqual(
			(({ household: _h, phone: _p, removed: _r, ...rest }) => rest)(p)
		);
		for (const junk of [null, 'p1', [], { ...p, id: 'a b' }, { ...p, name: ' ' }, { ...p, skills: 'law' }, { ...p, roles: ['mayor'] }, { ...p, consent: 'yes' }, { ...p, by: null }, { ...p, at: '今天' }])
			expect(parsePerson(junk), JSON.stringify(junk)).toBeNull();

		expect(parseSkill({ id: 'pets', name: '宠物照护', order: 12 })).toEqual({ id: 'pets', name: '宠物照护', order: 12 });
		expect(parseSkill({ id: 'pets', name: '宠物照护', order: 12, retired: true })).toEqual({ id: 'pets', name: '宠物照护', order: 12, retired: true });
		for (const junk of [null, { id: 'pets', name: '', order: 1 }, { id: 'pets', name: '宠物', order: '1' }, { id: '', name: '宠物', order: 1 }]) expect(parseSkill(junk)).toBeNull();
	});
});

describe('finding people for a task', () => {
	const near = person({ name: '赵师傅', building: 'b03', consent: false, skills: ['plumbing'] });
	const nearAndWilling = person({ name: '钱师傅', building: 'b03', consent: true, skills: ['plumbing'] });
	const farWilling = person({ name: '孙师傅', building: 'b07', consent: true, skills: ['plumbing', 'carpentry'] });
	const farWillingFewer = person({ name: '李师傅', building: 'b07', consent: true, skills: ['plumbing'] });
	const farUnwilling = person({ name: '周师傅', building: 'b09', consent: false, skills: ['plumbing'] });
	const gone = person({ name: '吴师傅', building: 'b03', consent: true, skills: ['plumbing'], removed: true });
	const lawyer = person({ name: '郑律师', building: 'b03', consent: true, skills: ['law'], roles: ['activist'], note: '社区法律顾问' });
	const people = [farUnwilling, gone, farWillingFewer, near, lawyer, farWilling, nearAndWilling];

	it('puts the asked building first, then those who agreed to be contacted, then those bringing more skills', () => {
		expect(findPeople(people, { skill: 'plumbing', building: 'b03' }).map((p) => p.name)).toEqual(['钱师傅', '赵师傅', '孙师傅', '李师傅', '周师傅']);
		// Without a building, consent leads.
		expect(findPeople(people, { skill: 'plumbing' }).map((p) => p.name)).toEqual(['孙师傅', '李师傅', '钱师傅', '赵师傅', '周师傅']);
	});

	it('never lists people removed from the register', () => {
		expect(findPeople(people, {}).map((p) => p.id)).not.toContain(gone.id);
		expect(findPeople(people, { text: '吴' })).toEqual([]);
	});

	it('filters by role, consent and text in the name or note', () => {
		expect(findPeople(people, { role: 'activist' })).toEqual([lawyer]);
		expect(findPeople(people, { skill: 'plumbing', consenting: true }).map((p) => p.name)).toEqual(['孙师傅', '李师傅', '钱师傅']);
		expect(findPeople(people, { text: ' 法律 ' })).toEqual([lawyer]);
		expect(findPeople(people, { text: '钱' })).toEqual([nearAndWilling]);
	});
});

describe('the public counts', () => {
	it('counts registered people by skill in the community’s order, without retired skills or removed people', () => {
		const list: Skill[] = [
			{ id: 'law', name: '法律', order: 2 },
			{ id: 'plumbing', name: '水电维修', order: 1 },
			{ id: 'calligraphy', name: '书法', order: 3, retired: true }
		];
		const people = [
			person({ skills: ['plumbing', 'law'], roles: ['activist', 'building_head'] }),
			person({ skills: ['plumbing', 'calligraphy'], roles: ['activist'] }),
			person({ skills: ['law'], roles: [] }),
			person({ skills: ['plumbing'], roles: ['building_head'], removed: true })
		];
		const counts = talentCounts(people, list);
		expect(counts.bySkill.map((c) => [c.skill.id, c.people])).toEqual([
			['plumbing', 2],
			['law', 2]
		]);
		expect(counts).toMatchObject({ activists: 2, buildingHeads: 1, total: 3 });
		// No names, phones or households in the public view.
		expect(JSON.stringify(counts)).not.toMatch(/13800138000|王师傅|b03-1-401/);
	});

	it('orders skills as the community does, retired ones last', () => {
		const list: Skill[] = [
			{ id: 'c', name: 'C', order: 0, retired: true },
			{ id: 'b', name: 'B', order: 2 },
			{ id: 'a', name: 'A', order: 1 }
		];
		expect(orderedSkills(list).map((s) => s.id)).toEqual(['a', 'b', 'c']);
		expect(skills[0]).toMatchObject({ id: 'plumbing', name: '水电维修', order: 0 });
	});
});
