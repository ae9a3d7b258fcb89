/**
 * Readable differences between versions of a convention (its own module: the diff library is loaded only by the
 * page that shows versions, never with the index or the app shell).
 */
import { diffChars } from 'diff';

export type DiffPart = { kind: 'same' | 'added' | 'removed'; text: string };

/**
 * A readable difference between two versions: unchanged text, what was removed and what was added, in reading
 * order. Chinese has no spaces between words, so it compares characters; then, as diff tools' semantic clean-up
 * does, a run of at most two unchanged characters between changes is folded into them, so "九点" → "八点半"
 * reads as one removal and one addition rather than four fragments.
 */
export function versionDiff(before: string, after: string): DiffPart[] {
	const raw = diffChars(before, after);
	const parts: DiffPart[] = [];
	let removed = '';
	let added = '';
	const flush = () => {
		if (removed) parts.push({ kind: 'removed', text: removed });
		if (added) parts.push({ kind: 'added', text: added });
		removed = added = '';
	};
	raw.forEach((c, i) => {
		if (c.removed) removed += c.value;
		else if (c.added) added += c.value;
		else if ((removed || added) && [...c.value].length <= 2 && i < raw.length - 1) {
			removed += c.value;
			added += c.value;
		} else {
			flush();
			parts.push({ kind: 'same', text: c.value });
		}
	});
	flush();
	return parts;
}

/** Counts for a diff's heading: characters added and removed. */
export function diffSize(parts: readonly DiffPart[]): { added: number; removed: number } {
	let added = 0;
	let removed = 0;
	for (const p of parts) {
		if (p.kind === 'added') added += [...p.text].length;
		if (p.kind === 'removed') removed += [...p.text].length;
	}
	return { added, removed };
}
