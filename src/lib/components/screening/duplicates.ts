/**
 * Likely duplicates for a whole queue at once: the same scoring as domain/screening.ts `findDuplicates` (title
 * counted twice, Dice over character bigrams), but each proposal's token set is computed once and kept while its
 * text is unchanged, so screening 50 proposals against 2,000 stays well under a second.
 */
import { DUPLICATE_THRESHOLD, type DuplicateHit } from '$lib/domain/screening';
import type { ProposalStatus } from '$lib/domain/proposal';
import { dice, tokens } from '$lib/domain/similarity';

export interface DuplicateCandidate {
	doc: string;
	title: string;
	description: string;
	status: ProposalStatus | '';
}

export class DuplicateFinder {
	private cache = new Map<string, { key: string; set: Set<string> }>();

	private tokensOf(c: DuplicateCandidate): Set<string> {
		const key = `${c.title}\n${c.description}`;
		const hit = this.cache.get(c.doc);
		if (hit && hit.key === key) return hit.set;
		const set = tokens(`${c.title} ${c.title} ${c.description}`);
		this.cache.set(c.doc, { key, set });
		return set;
	}

	find(target: DuplicateCandidate, others: readonly DuplicateCandidate[], threshold = DUPLICATE_THRESHOLD, limit = 5): DuplicateHit[] {
		const mine = this.tokensOf(target);
		const hits: DuplicateHit[] = [];
		for (const o of others) {
			if (o.doc === target.doc || o.status === 'merged' || o.status === 'rejected' || o.status === 'draft') continue;
			const score = dice(mine, this.tokensOf(o));
			if (score >= threshold) hits.push({ doc: o.doc, title: o.title, score });
		}
		return hits.sort((a, b) => b.score - a.score).slice(0, limit);
	}
}
