/** Localized words for the register of talents: skill names, roles and what is wrong with a person as typed. */
import '$lib/i18n/messages/talents';
import { DEFAULT_SKILLS, PERSON_NAME_MAX, type PersonIssue, type Skill, SKILLS_MAX, type TalentRole, TEXT_MAX } from '$lib/domain/talents';
import { getLocale, t, tDynamic } from '$lib/i18n';

const defaults = new Map(DEFAULT_SKILLS.map((s) => [s.id, s.name]));

/** A skill as the community names it; in English, a default skill it has not renamed gets its English name. */
export function skillName(skill: Skill): string {
	if (getLocale() === 'en' && defaults.get(skill.id) === skill.name) return tDynamic(`talents.skill.${skill.id}`);
	return skill.name;
}

export const talentRoleLabel = (r: TalentRole) => t(`talents.role.${r}`);

export function personIssueText(issue: PersonIssue): string {
	const max = issue === 'name' ? PERSON_NAME_MAX : issue === 'skills' ? SKILLS_MAX : TEXT_MAX;
	return t(`talents.issue.${issue}`, { max });
}
