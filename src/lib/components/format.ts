/**
 * Locale-aware display helpers shared by the pages. Every word comes from the i18n catalogue; the negative list's
 * names are in negative-items.ts (the home and the status bar use these, and need not load that list).
 */
import { isCategoryId } from '$lib/domain/categories';
import { getLocale, t } from '$lib/i18n';

export function categoryName(id: string): string {
	return isCategoryId(id) ? t(`cat.${id}`) : t('proposal.noCategory');
}

function intlLocale(): string {
	return getLocale() === 'en' ? 'en-GB' : 'zh-CN';
}

/** A date; the year only when it is not this year's. */
export function formatDate(ms: number): string {
	if (!ms) return '';
	const sameYear = new Date(ms).getFullYear() === new Date().getFullYear();
	return new Intl.DateTimeFormat(intlLocale(), {
		...(sameYear ? {} : { year: 'numeric' }),
		month: 'short',
		day: 'numeric'
	}).format(ms);
}

export function formatDateTime(ms: number): string {
	if (!ms) return '';
	return new Intl.DateTimeFormat(intlLocale(), {
		year: 'numeric',
		month: 'short',
		day: 'numeric',
		hour: '2-digit',
		minute: '2-digit'
	}).format(ms);
}

/** "just now", "5 minutes ago", "yesterday" … relative to `now`. */
export function formatRelative(ms: number, now: number): string {
	const seconds = Math.round((ms - now) / 1000);
	if (Math.abs(seconds) < 45) return t('time.justNow');
	const rtf = new Intl.RelativeTimeFormat(intlLocale(), { numeric: 'auto' });
	const minutes = Math.round(seconds / 60);
	if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
	const hours = Math.round(minutes / 60);
	if (Math.abs(hours) < 24) return rtf.format(hours, 'hour');
	const days = Math.round(hours / 24);
	if (Math.abs(days) < 7) return rtf.format(days, 'day');
	return formatDate(ms);
}

export function formatBytes(bytes: number): string {
	const units = ['B', 'KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let i = 0;
	while (value >= 1024 && i < units.length - 1) {
		value /= 1024;
		i++;
	}
	return `${value.toFixed(value < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}
