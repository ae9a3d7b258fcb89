/**
 * The community's own lists (鼓励清单 / 负面清单) in the reader's language. Items written by an admin may have no
 * English text; the Chinese is shown then. A decision cites an item of a given version, so old decisions keep
 * the wording they were made under.
 */
import { currentLists, listVersion, type Category, type ListVersion, type NegativeItem } from '$lib/domain/lists';
import { getLocale } from '$lib/i18n';
import { categoryName } from '../format';

const en = () => getLocale() === 'en';

export function categoryLabel(lists: ListVersion | null | undefined, id: string): string {
	const c: Category | undefined = lists?.encouraged.find((x) => x.id === id);
	if (!c) return categoryName(id);
	return (en() ? c.en || c.zh : c.zh || c.en) || categoryName(id);
}

export function negativeName(item: NegativeItem): string {
	return en() ? item.en || item.zh : item.zh || item.en;
}

export function negativeReason(item: NegativeItem): string {
	return en() ? item.reasonEn || item.reasonZh : item.reasonZh || item.reasonEn;
}

/** The negative-list item `no` as it read in `version` (the current version when the decision named none). */
export function citedItem(versions: readonly ListVersion[], version: number | undefined, no: number): NegativeItem | undefined {
	const lists = (version ? listVersion(versions, version) : undefined) ?? currentLists(versions);
	return lists.negative.find((i) => i.no === no);
}
