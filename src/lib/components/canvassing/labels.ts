/** Localized words of canvassing: outcomes, needs, tags, cycles, and the import's and form's problems. */
import '$lib/i18n/messages/canvassing';
import type { HouseholdIssue, HouseholdTag } from '$lib/domain/household';
import type { ImportIssue } from '$lib/domain/register-import';
import type { Cycle, NeedTag, VisitOutcome, VisitStatus } from '$lib/domain/visit';
import { t, type MessageKey } from '$lib/i18n';

export const outcomeLabel = (o: VisitOutcome) => t(`outcome.${o}` as MessageKey);
export const visitStatusLabel = (s: VisitStatus | 'unregistered') => t(`visitStatus.${s}` as MessageKey);
export const needLabel = (n: NeedTag) => t(`need.${n}` as MessageKey);
export const tagLabel = (tag: HouseholdTag) => t(`tag.${tag}` as MessageKey);

/** A mark beside the colour, so the status reads without colour vision too. */
export const STATUS_MARK: Readonly<Record<VisitStatus | 'unregistered', string>> = {
	talked: '✓',
	declined: '✕',
	not_home: '○',
	none: '',
	unregistered: '+'
};

export function cycleLabel(c: Cycle): string {
	return t(`cycle.${c.unit}` as MessageKey, { year: c.year, month: c.month, index: c.index });
}

export function importIssueText(i: ImportIssue): string {
	const params = { ...i.params };
	if (i.code === 'missing_column' && typeof params.field === 'string') params.field = t(`importField.${params.field}` as MessageKey);
	return t(`importIssue.${i.code}` as MessageKey, params);
}

export function fileErrorText(code: string, detail: string): string {
	return t(`fileError.${code}` as MessageKey, { detail });
}

export function householdIssueText(i: HouseholdIssue): string {
	switch (i.field) {
		case 'building':
			return t('hhForm.issue.building');
		case 'unit':
			return t('hhForm.issue.unit', { max: i.max });
		case 'room':
			return t('hhForm.issue.room', { max: 'max' in i ? i.max : '' });
		case 'area':
			return t('hhForm.issue.area', { min: i.min, max: i.max });
		case 'members':
			return t('hhForm.issue.members');
		case 'phone':
			return t('hhForm.issue.phone', { value: i.value });
		case 'note':
			return t('hhForm.issue.note', { max: i.max });
		default:
			return t('hhForm.issue.other');
	}
}
