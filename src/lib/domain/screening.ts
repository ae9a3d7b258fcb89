/**
 * What a screener (甄选) sees beside a new proposal: possible negative-list matches, missing co-signers and
 * likely duplicates among open proposals. Flags inform a human decision; none of them decides by itself.
 */
import { flagNegativeList, type NegativeFlag, type NegativeItem, NEGATIVE_LIST } from './lists';
import { countCoSigners, isTerminal, type ProposalKind, type ProposalStatus, type ValidationRules } from './proposal';
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

export function findDuplicates(
	target: Pick<ScreeningCandidate, 'doc' | 'title' | 'description'>,
	others: readonly Pick<ScreeningCandidate, 'doc' | 'title' | 'description' | 'status'>[],
	threshold = DUPLICATE_THRESHOLD,
	limit = 5
): DuplicateHit[] {
	const mine = tokens(`${target.title} ${target.title} ${target.description}`);
	const hits: DuplicateHit[] = [];
	for (const o of others) {
		if (o.doc === target.doc || o.status === 'merged' || o.status === 'rejected') continue;
		// The title counts twice: it names the matter, the description wanders.
		const score = dice(mine, tokens(`${o.title} ${o.title} ${o.description}`));
		if (score >= threshold) hits.push({ doc: o.doc, title: o.title, score });
	}
	return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}

export function screeningFlagsFor(
	target: ScreeningCandidate,
	others: readonly ScreeningCandidate[],
	rules: ValidationRules,
	negativeList: readonly NegativeItem[] = NEGATIVE_LIST
): ScreeningFlags {
	const have = countCoSigners(target.coSigners, target.household);
	return {
		negative: flagNegativeList(`${target.title}\n${target.description}`, negativeList),
		missingCoSigners: target.kind === 'joint' && have < rules.minCoSigners ? { have, need: rules.minCoSigners } : null,
		duplicates: findDuplicates(target, others)
	};
}

/** The screening queue: proposals waiting for a decision, oldest first (first come, first screened). */
export function screeningQueue<T extends { status: ProposalStatus; updated: number }>(entries: readonly T[]): T[] {
	return entries.filter((e) => e.status === 'submitted' || e.status === 'screening').sort((a, b) => a.updated - b.updated);
}

export function isOpen(status: ProposalStatus): boolean {
	return status !== 'draft' && !isTerminal(status);
}
