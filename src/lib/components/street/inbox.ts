/**
 * The street office's inbox, as plain functions over the communities' referrals documents (schema/referrals-doc.ts):
 * which cases wait for the street, what a street admin may answer, whether an answer is ready to write, and
 * what became of it. No Svelte and no i18n here, so the Node spec can check the answers against the write rules.
 */
import type { Actor } from '$lib/domain/actor';
import { canTransition, needsReason, type ProposalStatus } from '$lib/domain/proposal';
import { parseDocName } from '$lib/schema/doc-names';
import {
	type AnswerReceipt,
	awaitsStreet,
	type ReferralCase,
	type Referrals,
	STREET_ANSWERS,
	type StreetAnswer
} from '$lib/schema/referrals-doc';

/** One overseen community as the inbox needs it. */
export interface InboxSource {
	/** Community id. */
	id: string;
	/** Its name from its community document; '' until that has synced. */
	name: string;
	referrals: Referrals;
}

/** What happened to an answer: kept on this device, sent and waiting for the relay, or the relay's receipt. */
export type AnswerState = 'queued' | 'waiting' | AnswerReceipt['result'];

export interface InboxItem {
	community: string;
	communityName: string;
	case: ReferralCase;
	/** The latest answer any street admin gave on the case, and its receipt if the relay wrote one. */
	answer: StreetAnswer | null;
	receipt: AnswerReceipt | null;
}

/** When a case reached the street, for ordering: its referral, else its filing. */
const referred = (c: ReferralCase) => c.referredAt || c.filed;

/** Every case of every community, newest referral first, split into those the street still has to act on and the rest. */
export function inbox(sources: readonly InboxSource[]): { waiting: InboxItem[]; handled: InboxItem[] } {
	const items: InboxItem[] = [];
	for (const s of sources) {
		for (const c of s.referrals.cases) {
			const answer = latestAnswer(s.referrals, c.id);
			items.push({
				community: s.id,
				communityName: s.name,
				case: c,
				answer,
				receipt: answer ? (s.referrals.applied.get(answer.id) ?? null) : null
			});
		}
	}
	items.sort((a, b) => referred(b.case) - referred(a.case) || a.community.localeCompare(b.community) || a.case.id.localeCompare(b.case.id));
	return { waiting: items.filter((i) => awaitsStreet(i.case)), handled: items.filter((i) => !awaitsStreet(i.case)) };
}

/** How many of a community's cases wait for the street. */
export const waitingCount = (r: Referrals) => r.cases.filter(awaitsStreet).length;

export function latestAnswer(r: Referrals, caseId: string): StreetAnswer | null {
	// readReferrals sorts answers by time.
	return r.answers.filter((a) => a.case === caseId).at(-1) ?? null;
}

/**
 * The answers a street admin may give a case now: those the street gives, that the status machine allows from
 * the case's status at its level (the relay's fold judges the step the same way).
 */
export function answerOptions(c: ReferralCase): ProposalStatus[] {
	if (!awaitsStreet(c)) return [];
	return STREET_ANSWERS.filter((to) => canTransition(c.status, to, 'street_admin', c.level));
}

/** The state of an answer: the relay's receipt, else whether this device still holds it unsent. */
export function answerState(receipt: AnswerReceipt | null, unsent: boolean): AnswerState {
	return receipt ? receipt.result : unsent ? 'queued' : 'waiting';
}

/**
 * Whether the case takes a new answer now: there is one to give, and no earlier answer is still on its way (no
 * receipt yet, or applied but the relay has not brought the case up to date). An answer that did not take effect
 * leaves the case open to a new one.
 */
export function mayAnswer(item: InboxItem): boolean {
	if (answerOptions(item.case).length === 0) return false;
	const { answer, receipt } = item;
	if (!answer) return true;
	if (!receipt) return false;
	return receipt.result !== 'applied' || answer.from !== item.case.status;
}

export interface AnswerDraft {
	to: ProposalStatus;
	reason: string;
	/** A street topic's document name and title (joining a topic). */
	target?: string;
	targetTitle?: string;
}

export type AnswerIssue = 'option' | 'reason' | 'target';

/** What keeps a draft from being written; the write rules refuse the same (and the relay's fold the option). */
export function answerIssues(c: ReferralCase, d: AnswerDraft): AnswerIssue[] {
	const issues: AnswerIssue[] = [];
	if (!answerOptions(c).includes(d.to)) issues.push('option');
	if (needsReason(d.to, c.status) && !d.reason.trim()) issues.push('reason');
	if (d.to === 'topic' && (parseDocName(d.target ?? '')?.kind !== 'topic' || !d.targetTitle?.trim())) issues.push('target');
	return issues;
}

/** The answer record, made against the status the case has now. */
export function buildAnswer(c: ReferralCase, d: AnswerDraft, meta: { id: string; by: Actor; at: number }): StreetAnswer {
	const reason = d.reason.trim();
	return {
		id: meta.id,
		case: c.id,
		from: c.status,
		to: d.to,
		...(reason ? { reason } : {}),
		...(d.to === 'topic' && d.target ? { target: d.target, targetTitle: (d.targetTitle ?? '').trim() } : {}),
		at: meta.at,
		by: meta.by
	};
}

/** The reason as recorded, naming the negative-list item a rejection cites (the answer has no field for it). */
export function citedReason(reason: string, citation: string): string {
	const text = reason.trim();
	if (!citation) return text;
	return text ? `${citation} ${text}` : citation;
}
