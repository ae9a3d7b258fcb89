/** The negative list's items as the pages name them, in the device's language (display helpers, as format.ts). */
import { NEGATIVE_LIST } from '$lib/domain/lists';
import { getLocale } from '$lib/i18n';

export function negativeItemName(no: number): string {
	const item = NEGATIVE_LIST.find((x) => x.no === no);
	if (!item) return String(no);
	return getLocale() === 'en' ? item.en : item.zh;
}

export function negativeItemReason(no: number): string {
	const item = NEGATIVE_LIST.find((x) => x.no === no);
	if (!item) return '';
	return getLocale() === 'en' ? item.reasonEn : item.reasonZh;
}
