/** Localized words of canvassing: outcomes, needs, tags, cycles, and the import's and form's problems. */
import '$lib/i18n/messages/canvassing';
import type { HouseholdIssue, HouseholdTag } from '$lib/domain/household';
import type { ImportIssue } from '$lib/domain/register-import';
import type { Cycle, NeedTag, VisitOutcome, VisitStatus } from '$lib/domain/visit';
import type { RegisterFileErrorCode } from '$lib/client/register-files';
import { t, tDynamic } from '$lib/i18n';

export const outcomeLabel = (o: VisitOutcome) => t(`outcome.${o}`);
export const visitStatusLabel = (s: VisitStatus | 'unregistered') => t(`visitStatus.${s}`);
export const needLabel = (n: NeedTag) => t(`need.${n}`);
export const tagLabel = (tag: HouseholdTag) => t(`tag.${tag}`);

/** A mark beside the colour, so the status reads without colour vision too. */
export const STATUS_MARK: Readonly<Record<VisitStatus | 'unregistered', string>> = {
	talked: '✓',
	declined: '✕',
	not_home: '○',
	none: '',
	unregistered: '+'
};

export function cycleLabel(c: Cycle): string {
	return t(`cycle.${c.unit}`, { year: c.year, month: c.month, index: c.index });
}

export function importIssueText(i: ImportIssue): string {
	const params = { ...i.params };
	if (i.code === 'missing_column' && typeof params.field === 'string') params.field = tDynamic(`importField.${params.field}`);
	// The parameters come with the issue, per code: checked at run time in development.
	return tDynamic(`importIssue.${i.code}`, params);
}

export function fileErrorText(code: RegisterFileErrorCode, detail: string): string {
	return t(`fileError.${code}`, { detail });
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
