/**
 * Search over proposals in Chinese and English. Chinese needs no word segmentation for this: every query
 * term must occur as a substring of the normalised title or description (全角/半角 and case folded), which
 * over a few thousand proposals takes well under a millisecond per query. Title hits rank first.
 */
import { normalize } from './similarity';

export interface Searchable {
	title: string;
	description?: string;
	updated: number;
}

export interface SearchIndex<T extends Searchable> {
	items: readonly T[];
	titles: string[];
	texts: string[];
}

export function buildSearchIndex<T extends Searchable>(items: readonly T[]): SearchIndex<T> {
	return {
		items,
		titles: items.map((i) => normalize(i.title)),
		texts: items.map((i) => normalize(`${i.title}\n${i.description ?? ''}`))
	};
}

export function queryTerms(query: string): string[] {
	return normalize(query)
		.split(/[\s,，、;；]+/u)
		.filter(Boolean);
}

export function search<T extends Searchable>(index: SearchIndex<T>, query: string, filter?: (item: T) => boolean): T[] {
	const terms = queryTerms(query);
	const scored: { item: T; score: number }[] = [];
	for (let i = 0; i < index.items.length; i++) {
		const item = index.items[i]!;
		if (filter && !filter(item)) continue;
		const text = index.texts[i]!;
		if (!terms.every((t) => text.includes(t))) continue;
		const title = index.titles[i]!;
		scored.push({ item, score: terms.filter((t) => title.includes(t)).length });
	}
	return scored.sort((a, b) => b.score - a.score || b.item.updated - a.item.updated).map((s) => s.item);
}
