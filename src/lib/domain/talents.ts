/**
 * The register of talents and activists (能人、达人、骨干): residents, with or without a device, who can do
 * something for their neighbours, when they are free, whether they agree to be contacted, and whether they are
 * an activist or a building head. Staff find people for a task, a tender, a meeting or an activity by skill and
 * building. Contact details are for staff only; public views count people by skill.
 */
import { type Actor, isActor, type Role } from './actor';
import { buildingOfHousehold, normalisePhone } from './household';
import { roleCan, rolesThatCan } from './permissions';

/** Staff who keep the register (grid workers meet the people it lists). */
export const TALENT_KEEPERS: readonly Role[] = rolesThatCan('keep-talents');
export const keepsTalents = (role: Role) => roleCan(role, 'keep-talents');

/** A skill in the community's own list (each community edits it; retired skills stay on the people who have them). */
export interface Skill {
	id: string;
	name: string;
	order: number;
	retired?: boolean;
}

/** The list a community starts from. */
export const DEFAULT_SKILLS: readonly Omit<Skill, 'order'>[] = [
	{ id: 'plumbing', name: '水电维修' },
	{ id: 'calligraphy', name: '书法' },
	{ id: 'law', name: '法律' },
	{ id: 'health', name: '医护' },
	{ id: 'photography', name: '摄影' },
	{ id: 'design', name: '设计' },
	{ id: 'carpentry', name: '木工' },
	{ id: 'arts', name: '文艺' },
	{ id: 'teaching', name: '教育辅导' },
	{ id: 'digital', name: '电脑手机' },
	{ id: 'mediation', name: '调解' },
	{ id: 'accounting', name: '财务' }
];

export type TalentRole = 'activist' | 'building_head' | 'volunteer';
export const TALENT_ROLES: readonly TalentRole[] = ['activist', 'building_head', 'volunteer'];

export interface Person {
	id: string;
	name: string;
	/** Their household, when they live in the community's register. */
	household?: string;
	/** Their building (from the household, or named when there is none). */
	building?: string;
	phone?: string;
	skills: string[];
	/** When they can help, in words: "工作日晚上", "周末上午". */
	availability: string;
	/** They agreed to be contacted for tasks. */
	consent: boolean;
	roles: TalentRole[];
	note?: string;
	/** Left the register (moved away, asked to be removed): kept for the tasks that link them. */
	removed?: boolean;
	at: number;
	by: Actor;
}

export const PERSON_NAME_MAX = 32;
export const TEXT_MAX = 200;
export const SKILLS_MAX = 12;

export type PersonIssue = 'name' | 'phone' | 'skills' | 'availability' | 'note' | 'roles' | 'household';

export function personIssues(p: Person, skills: readonly Skill[]): PersonIssue[] {
	const issues: PersonIssue[] = [];
	if (!p.name.trim() || p.name.length > PERSON_NAME_MAX) issues.push('name');
	if (p.phone !== undefined && p.phone !== '' && !/^\+?\d{7,15}$/.test(p.phone.replace(/[\s()-]/g, ''))) issues.push('phone');
	const known = new Set(skills.map((s) => s.id));
	if (p.skills.length > SKILLS_MAX || p.skills.some((s) => !known.has(s)) || new Set(p.skills).size !== p.skills.length) issues.push('skills');
	if (p.availability.length > TEXT_MAX) issues.push('availability');
	if ((p.note ?? '').length > TEXT_MAX) issues.push('note');
	if (p.roles.some((r) => !TALENT_ROLES.includes(r))) issues.push('roles');
	if (p.household !== undefined && buildingOfHousehold(p.household) === null) issues.push('household');
	return issues;
}

/**
 * A person as typed: trimmed, phone normalised, building taken from the household. Optional fields left empty
 * in a form are dropped, as parsePerson drops them (an empty household is none, not an unknown one).
 */
export function normalisePerson(p: Person): Person {
	const out: Person = { ...p, name: p.name.trim(), availability: p.availability.trim(), skills: [...new Set(p.skills)], roles: [...new Set(p.roles)] };
	const optional = { household: p.household?.trim(), building: p.building?.trim(), phone: p.phone === undefined ? undefined : normalisePhone(p.phone), note: p.note?.trim() };
	for (const [field, value] of Object.entries(optional) as [keyof typeof optional, string | undefined][]) {
		if (value) out[field] = value;
		else delete out[field];
	}
	if (out.household) out.building = buildingOfHousehold(out.household) ?? out.building;
	return out;
}

const isId = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v);

export function parseSkill(value: unknown): Skill | null {
	const r = value as Record<string, unknown> | null;
	if (!r || typeof r !== 'object' || !isId(r.id) || typeof r.name !== 'string' || !r.name.trim() || typeof r.order !== 'number') return null;
	return { id: r.id, name: r.name, order: r.order, ...(r.retired === true ? { retired: true } : {}) };
}

export function parsePerson(value: unknown): Person | null {
	const r = value as Record<string, unknown> | null;
	if (!r || typeof r !== 'object' || !isId(r.id) || typeof r.name !== 'string' || !r.name.trim()) return null;
	if (!Array.isArray(r.skills) || !r.skills.every(isId) || !Array.isArray(r.roles) || !r.roles.every((x) => TALENT_ROLES.includes(x as TalentRole))) return null;
	if (typeof r.availability !== 'string' || typeof r.consent !== 'boolean' || typeof r.at !== 'number' || !isActor(r.by)) return null;
	const p: Person = {
		id: r.id,
		name: r.name,
		skills: [...(r.skills as string[])],
		availability: r.availability,
		consent: r.consent,
		roles: [...(r.roles as TalentRole[])],
		at: r.at,
		by: r.by
	};
	if (typeof r.household === 'string' && r.household) p.household = r.household;
	if (typeof r.building === 'string' && r.building) p.building = r.building;
	if (typeof r.phone === 'string' && r.phone) p.phone = r.phone;
	if (typeof r.note === 'string' && r.note) p.note = r.note;
	if (r.removed === true) p.removed = true;
	return p;
}

export interface TalentQuery {
	skill?: string;
	building?: string;
	role?: TalentRole;
	/** Only people who agreed to be contacted. */
	consenting?: boolean;
	text?: string;
}

/**
 * People for a task: those matching every given criterion, people of the asked building first, then those who
 * agreed to be contacted, then by how many skills they bring, then by name.
 */
export function findPeople(people: readonly Person[], q: TalentQuery): Person[] {
	const text = q.text?.trim().toLowerCase();
	return people
		.filter(
			(p) =>
				!p.removed &&
				(!q.skill || p.skills.includes(q.skill)) &&
				(!q.role || p.roles.includes(q.role)) &&
				(!q.consenting || p.consent) &&
				(!text || p.name.toLowerCase().includes(text) || (p.note ?? '').toLowerCase().includes(text))
		)
		.sort(
			(a, b) =>
				Number(b.building === q.building && !!q.building) - Number(a.building === q.building && !!q.building) ||
				Number(b.consent) - Number(a.consent) ||
				b.skills.length - a.skills.length ||
				a.name.localeCompare(b.name, 'zh-Hans-CN')
		);
}

export interface SkillCount {
	skill: Skill;
	people: number;
}

/** The public view: how many registered people have each skill, and how many are activists and building heads. */
export function talentCounts(people: readonly Person[], skills: readonly Skill[]): { bySkill: SkillCount[]; activists: number; buildingHeads: number; total: number } {
	const active = people.filter((p) => !p.removed);
	const bySkill = [...skills]
		.filter((s) => !s.retired)
		.sort((a, b) => a.order - b.order)
		.map((skill) => ({ skill, people: active.filter((p) => p.skills.includes(skill.id)).length }));
	return {
		bySkill,
		activists: active.filter((p) => p.roles.includes('activist')).length,
		buildingHeads: active.filter((p) => p.roles.includes('building_head')).length,
		total: active.length
	};
}

/** Skills as the community orders them, retired ones last. */
export const orderedSkills = (skills: readonly Skill[]) =>
	[...skills].sort((a, b) => Number(!!a.retired) - Number(!!b.retired) || a.order - b.order || (a.id < b.id ? -1 : 1));
