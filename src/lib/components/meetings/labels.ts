/** Localized names of the meeting vocabulary; the catalogue keys of these families are the domain ids. */
import '$lib/i18n/messages/meetings';
import type { AgendaItem, Capacity, MeetingKind, MinutesStatus, VoteOption } from '$lib/domain/meeting';
import { getLocale, t, tDynamic } from '$lib/i18n';

export const meetingKindLabel = (k: MeetingKind) => t(`meetings.kind.${k}`);
export const capacityLabel = (c: Capacity) => t(`meetings.capacity.${c}`);
export const minutesStatusLabel = (s: MinutesStatus) => t(`meetings.minutes.${s}`);
/** 1 Monday … 7 Sunday. */
export const weekdayLabel = (n: number) => tDynamic(`meetings.weekday.${n}`);

/**
 * A meeting's date and time as entered: in China Standard Time whatever the device's zone, with the weekday,
 * since residents think of meetings as "Tuesday evening".
 */
export function formatCst(ms: number): string {
	if (!ms) return '';
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN', {
		timeZone: 'Asia/Shanghai',
		month: 'short',
		day: 'numeric',
		weekday: 'short',
		hour: '2-digit',
		minute: '2-digit',
		...(new Date(ms).getUTCFullYear() !== new Date().getUTCFullYear() ? { year: 'numeric' } : {})
	}).format(ms);
}

/** A CST day ("2026-12-09") as people say it: 12月9日, 9 Dec. */
export function formatDay(day: string): string {
	const [y, m, d] = day.split('-').map(Number) as [number, number, number];
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'UTC', month: getLocale() === 'en' ? 'short' : 'long', day: 'numeric' }).format(
		Date.UTC(y, m - 1, d)
	);
}

/** The minutes template: a numbered section per agenda item, then "other business". */
export function templateSections(agenda: readonly Pick<AgendaItem, 'title'>[]): { title: string }[] {
	return [
		...agenda.map((a, i) => ({ title: t('minutes.section', { no: i + 1, title: a.title.trim() }) })),
		{ title: t('minutes.section', { no: agenda.length + 1, title: t('minutes.otherBusiness') }) }
	];
}

export function defaultVoteOptions(): VoteOption[] {
	return [
		{ id: 'yes', label: t('meetings.vote.yes') },
		{ id: 'no', label: t('meetings.vote.no') },
		{ id: 'abstain', label: t('meetings.vote.abstain'), abstain: true }
	];
}

/** A meeting's agenda items as the options of a select (OptionalSelect). */
export const agendaOptions = (agenda: readonly AgendaItem[]) => agenda.map((a) => ({ value: a.id, label: a.title }));
