/**
 * What a screener (甄选) sees beside a new proposal: possible negative-list matches, missing co-signers and
 * likely duplicates among open proposals. Flags inform a human decision; none of them decides by itself.
 */
import { flagNegativeList, type NegativeFlag, type NegativeItem, NEGATIVE_LIST } from './lists';
import { countCoSigners, isTerminal, type Level, type ProposalKind, type ProposalStatus, type ValidationRules } from './proposal';
import { dice, tokens } from './similarity';

export interface ScreeningCandidate {
	doc: string;
	title: string;
	description: string;
	kind: ProposalKind;
	status: ProposalStatus;
	household?: string;
	coSigners: readonly string[];
}

export interface DuplicateHit {
	doc: string;
	title: string;
	score: number;
}

export interface ScreeningFlags {
	negative: NegativeFlag[];
	missingCoSigners: { have: number; need: number } | null;
	duplicates: DuplicateHit[];
}

/** Similarity above which two proposals are shown as likely duplicates. */
export const DUPLICATE_THRESHOLD = 0.35;

export interface DuplicateCandidate {
	doc: string;
	title: string;
	description: string;
	status: ProposalStatus | '';
}

/**
 * Scores likely duplicates. Each proposal's token set is computed once and kept while its text is unchanged,
 * so a queue of 50 checked against 2,000 proposals stays well under a second. The title counts twice: it
 * names the matter, the description wanders.
 */
export class DuplicateFinder {
	private cache = new Map<string, { key: string; set: Set<string> }>();

	private tokensOf(c: Pick<DuplicateCandidate, 'doc' | 'title' | 'description'>): Set<string> {
		const key = `${c.title}\n${c.description}`;
		const hit = this.cache.get(c.doc);
		if (hit && hit.key === key) return hit.set;
		const set = tokens(`${c.title} ${c.title} ${c.description}`);
		this.cache.set(c.doc, { key, set });
		return set;
	}

	find(
		target: Pick<DuplicateCandidate, 'doc' | 'title' | 'description'>,
		others: readonly DuplicateCandidate[],
		threshold = DUPLICATE_THRESHOLD,
		limit = 5
	): DuplicateHit[] {
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

/** One-off duplicate search (no cache kept). */
export function findDuplicates(
	target: Pick<DuplicateCandidate, 'doc' | 'title' | 'description'>,
	others: readonly DuplicateCandidate[],
	threshold = DUPLICATE_THRESHOLD,
	limit = 5
): DuplicateHit[] {
	return new DuplicateFinder().find(target, others, threshold, limit);
}

export function screeningFlagsFor(
	target: ScreeningCandidate,
	others: readonly DuplicateCandidate[],
	rules: ValidationRules,
	negativeList: readonly NegativeItem[] = NEGATIVE_LIST,
	/** Pass one finder across calls to reuse its token cache. */
	finder: DuplicateFinder = new DuplicateFinder()
): ScreeningFlags {
	const have = countCoSigners(target.coSigners, target.household);
	return {
		negative: flagNegativeList(`${target.title}\n${target.description}`, negativeList),
		missingCoSigners: target.kind === 'joint' && have < rules.minCoSigners ? { have, need: rules.minCoSigners } : null,
		duplicates: finder.find(target, others)
	};
}

/**
 * The screening queue of a level: matters waiting there for a decision, filed or referred up from the level
 * below, oldest first (first come, first screened).
 */
export function screeningQueue<T extends { status: ProposalStatus; updated: number; level?: Level }>(entries: readonly T[], level: Level = 'community'): T[] {
	return entries
		.filter((e) => (e.level ?? 'community') === level && (e.status === 'submitted' || e.status === 'screening' || e.status === 'escalated'))
		.sort((a, b) => a.updated - b.updated);
}

export function isOpen(status: ProposalStatus): boolean {
	return status !== 'draft' && !isTerminal(status);
}
