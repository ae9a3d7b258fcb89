/**
 * Actions on the register of talents and activists: register or correct a person, mark one removed, and keep the
 * community's skill list. Each opens the community's register, writes, and resolves only once the change is in
 * IndexedDB (and queued for the relay). A person's skills are checked against the list in the document itself,
 * inside the same change, so a skill renamed or retired on another device meanwhile is judged as it stands.
 */
import { newId } from '../domain/ids';
import { normalisePerson, orderedSkills, parseSkill, type Person, personIssues, type Skill } from '../domain/talents';
import { talentsDocName } from '../schema/doc-names';
import { putPerson, putSkill, readTalents } from '../schema/talents-doc';
import { InvalidRecordError } from './canvassing';
import type { ActionsApp } from './actions-app';

export { InvalidRecordError };

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export type TalentsApp = ActionsApp;

/** A person as a form gives it: without an id when new; who and when are filled in here. */
export type PersonDraft = Omit<Person, 'id' | 'at' | 'by'> & { id?: string };

export const SKILL_NAME_MAX = 16;

const issuesOf = (codes: readonly string[]) => codes.map((code) => ({ field: code, code: 'invalid' }));

/** Registers a person or corrects one; resolves with the record as written. */
export async function savePerson(app: TalentsApp, draft: PersonDraft): Promise<Person> {
	const { id, ...rest } = draft;
	const person = normalisePerson({ ...rest, id: id ?? newId(), at: Date.now(), by: app.actorSnapshot() });
	if (!person.removed) delete person.removed;
	await app.store.edit(talentsDocName(app.community), (doc) => {
		const { skills, people } = readTalents(doc);
		const before = people.find((p) => p.id === person.id);
		// A phone kept as it was (e.g. copied masked from the household register) does not block other corrections.
		const issues = personIssues(person, skills).filter((i) => i !== 'phone' || person.phone !== before?.phone);
		if (issues.length > 0) throw new InvalidRecordError(issuesOf(issues));
		putPerson(doc, person);
	});
	return person;
}

/** Marks a person as having left the register: kept (tasks link them), no longer found. */
export async function removePerson(app: TalentsApp, id: string, removed = true): Promise<Person> {
	return app.store.edit(talentsDocName(app.community), (doc) => {
		const current = readTalents(doc).people.find((p) => p.id === id);
		if (!current) throw new InvalidRecordError([{ field: 'person', code: 'unknown' }]);
		const next: Person = { ...current, at: Date.now(), by: app.actorSnapshot() };
		if (removed) next.removed = true;
		else delete next.removed;
		putPerson(doc, next);
		return next;
	});
}

function skillIssues(skill: Skill, skills: readonly Skill[]): { field: string; code: string }[] {
	if (!parseSkill(skill)) return [{ field: 'skill', code: 'invalid' }];
	const name = skill.name.trim();
	if (!name || name.length > SKILL_NAME_MAX) return [{ field: 'name', code: 'invalid' }];
	if (skills.some((s) => s.id !== skill.id && !s.retired && s.name.trim() === name)) return [{ field: 'name', code: 'duplicate' }];
	return [];
}

/**
 * Adds a skill to the community's list (no id: a new one, placed last) or renames, reorders or retires one;
 * resolves with the skill as written.
 */
export async function saveSkill(app: TalentsApp, skill: Omit<Skill, 'id' | 'order'> & { id?: string; order?: number }): Promise<Skill> {
	return app.store.edit(talentsDocName(app.community), (doc) => {
		const skills = readTalents(doc).skills;
		const order = skill.order ?? skills.find((s) => s.id === skill.id)?.order ?? Math.max(-1, ...skills.map((s) => s.order)) + 1;
		const next: Skill = { id: skill.id ?? newId(), name: skill.name.trim(), order, ...(skill.retired ? { retired: true } : {}) };
		const issues = skillIssues(next, skills);
		if (issues.length > 0) throw new InvalidRecordError(issues);
		// The first change to the list writes out the defaults with it (putSkill), so the others stay.
		putSkill(doc, next);
		return next;
	});
}

/** Moves a skill one place up or down the list (among the skills in use), renumbering the list in one change. */
export async function moveSkill(app: TalentsApp, id: string, by: -1 | 1): Promise<void> {
	await app.store.edit(talentsDocName(app.community), (doc) => {
		const active = orderedSkills(readTalents(doc).skills).filter((s) => !s.retired);
		const from = active.findIndex((s) => s.id === id);
		const to = from + by;
		if (from < 0 || to < 0 || to >= active.length) return;
		[active[from], active[to]] = [active[to]!, active[from]!];
		doc.transact(() => {
			active.forEach((s, order) => {
				if (s.order !== order) putSkill(doc, { ...s, order });
			});
		});
	});
}
