/**
 * Names of breakdown keys (a channel, a category, a negative-list item, a meeting kind…) with the app's existing
 * vocabularies, in the reader's language. Separate from format.ts because it loads those features' messages.
 */
import '$lib/i18n/messages/reports';
import type { Channel } from '$lib/domain/actor';
import type { Capacity, MeetingKind } from '$lib/domain/meeting';
import type { ProjectStage } from '$lib/domain/project';
import type { ProposalStatus } from '$lib/domain/proposal';
import type { NeedTag } from '$lib/domain/visit';
import { t } from '$lib/i18n';
import { needLabel } from '../canvassing/labels';
import { categoryName } from '../format';
import { negativeItemName } from '../negative-items';
import { capacityLabel, meetingKindLabel } from '../meetings/labels';
import { stageLabel } from '../projects/labels';
import { channelLabel, statusLabel } from '../proposals/labels';

/** `label` unless the catalogue had no entry for it (t() gave back its key, e.g. 'status.settled'): then the raw id. */
const known = (label: string, raw: string) => (/^[A-Za-z]+(\.\w+)+$/.test(label) ? raw : label);

/** The name of a breakdown's key (a channel, a category, a negative-list item…), in the reader's language. */
export function keyLabel(figureId: string, key: string): string {
	if (key === '') return t('reports.noneKey');
	switch (figureId) {
		case 'intake.byChannel':
			return known(channelLabel(key as Channel), key);
		case 'intake.byCategory':
			return categoryName(key);
		case 'screening.byOutcome':
			return known(statusLabel(key as ProposalStatus), key);
		case 'screening.negativeItems':
			return t('reports.negativeItem', { no: key, name: negativeItemName(Number(key)) });
		case 'meetings.byKind':
			return known(meetingKindLabel(key as MeetingKind), key);
		case 'meetings.byCapacity':
			return known(capacityLabel(key as Capacity), key);
		case 'visits.needsByTag':
			return known(needLabel(key as NeedTag), key);
		case 'projects.byStage':
			return known(stageLabel(key as ProjectStage), key);
		default:
			return key;
	}
}
