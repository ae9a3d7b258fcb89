/**
 * The register of talents and activists (`<community>:talents:main`): personal data with contact details, read
 * and kept by staff (grid workers too: they meet the people it lists). Root keys:
 *   meta    Y.Map  schema
 *   skills  Y.Map  skill id → Skill: the community's own list (facilitators and admins); changed and retired,
 *                  never deleted, since people keep the skills they have
 *   people  Y.Map  person id → Person; changed, never deleted: someone who leaves is marked `removed`, so the
 *                  tasks that link them still find them
 * Until the community edits the list, its skills are the domain's defaults.
 */
import type * as Y from 'yjs';
import { DEFAULT_SKILLS, orderedSkills, parsePerson, parseSkill, type Person, type Skill } from '../domain/talents';
import { meta, stampMeta } from './meta';
import { plain } from './plain';

const skills = (doc: Y.Doc) => doc.getMap<unknown>('skills');
const people = (doc: Y.Doc) => doc.getMap<unknown>('people');

/** The list a community starts from, in the domain's order. */
export const defaultSkills = (): Skill[] => DEFAULT_SKILLS.map((s, order) => ({ ...s, order }));

/** True once the document was written (an empty one may still be syncing). */
export const isTalentsDoc = (doc: Y.Doc) => typeof meta(doc).get('schema') === 'number';

function storedSkills(doc: Y.Doc): Skill[] {
	const out: Skill[] = [];
	for (const [key, value] of skills(doc)) {
		const s = parseSkill(value);
		if (s && s.id === key) out.push(s);
	}
	return out;
}

/**
 * The register: skills as the community orders them (retired last; the defaults while it has none of its own)
 * and every person that parses, removed ones included, by name.
 */
export function readTalents(doc: Y.Doc): { skills: Skill[]; people: Person[] } {
	const stored = storedSkills(doc);
	const list: Person[] = [];
	for (const [key, value] of people(doc)) {
		const p = parsePerson(value);
		if (p && p.id === key) list.push(p);
	}
	list.sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return { skills: orderedSkills(stored.length > 0 ? stored : defaultSkills()), people: list };
}

/** Adds or changes a person (kept: mark them removed rather than delete them). */
export function putPerson(doc: Y.Doc, p: Person): void {
	doc.transact(() => {
		stampMeta(doc);
		people(doc).set(p.id, plain({ ...p, skills: [...p.skills], roles: [...p.roles] }));
	});
}

/**
 * Adds or changes a skill. The first change to a community's list writes the defaults with it, so editing one
 * skill keeps the others.
 */
export function putSkill(doc: Y.Doc, s: Skill): void {
	doc.transact(() => {
		stampMeta(doc);
		const map = skills(doc);
		if (storedSkills(doc).length === 0) for (const d of defaultSkills()) if (d.id !== s.id) map.set(d.id, d);
		map.set(s.id, plain(s));
	});
}

/** People in the register (not removed), for the index. */
export function activePeople(doc: Y.Doc): number {
	return readTalents(doc).people.filter((p) => !p.removed).length;
}

/** The time of the latest change to a person, for the index. */
export function lastPersonAt(doc: Y.Doc): number {
	let last = 0;
	for (const v of people(doc).values()) {
		const at = (v as { at?: unknown } | null)?.at;
		if (typeof at === 'number' && Number.isFinite(at) && at > last) last = at;
	}
	return last;
}
