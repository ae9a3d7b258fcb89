/**
 * The matters a community referred to its street office (`<community>:referrals:main`). The street admin may not
 * read proposals, which name households; the relay copies each matter that reaches the street level here without
 * them (no proposer, co-signer or supporter names, no household ids or rooms, no comments), and carries the street
 * admin's answers back into the proposal's timeline, where the proposer and the community see them. Root keys:
 *   cases    Y.Map  proposal id → ReferralCase   written by the relay alone, replaced as the matter moves
 *   answers  Y.Map  answer id → StreetAnswer     written by street admins, once
 *   applied  Y.Map  answer id → AnswerReceipt    written by the relay alone: what became of each answer
 */
import * as Y from 'yjs';
import type { Actor, Role } from '../domain/actor';
import type { CategoryId } from '../domain/lists';
import { isTerminal, type Level, levelAfter, PROPOSAL_STATUSES, type ProposalKind, type ProposalStatus } from '../domain/proposal';
import type { Proposal } from './proposal-doc';

/** One step of a referred matter as the street may see it: who acted only by role. */
export interface ReferralStep {
	at: number;
	from: ProposalStatus;
	to: ProposalStatus;
	role: Role;
	/** The level after the step. */
	level: Level;
	/** The stated reason or guidance of a step at or into the street level (written for the street). */
	reason?: string;
	/** A street topic the matter joined, and its title. */
	target?: string;
	targetTitle?: string;
}

export interface ReferralCase {
	/** Proposal id (the key) and its document name. */
	id: string;
	doc: string;
	community: string;
	title: string;
	/**
	 * What the community wrote when it referred the matter to the street: the street reads this summary, not the
	 * resident's own description, which may name people and flats.
	 */
	description: string;
	category: CategoryId | '';
	kind: ProposalKind;
	/** How many households co-signed and supported it: counts, never who. */
	coSigners: number;
	supporters: number;
	filed: number;
	/** When it was last referred to the street. */
	referredAt: number;
	status: ProposalStatus;
	level: Level;
	/** Screening and workflow steps since filing (not comments, co-signatures or edits). */
	steps: ReferralStep[];
}

/** What a street admin decided on a referred matter; the relay records it as a timeline step of the proposal. */
export interface StreetAnswer {
	id: string;
	/** The proposal id (key of its case). */
	case: string;
	/** The status the street admin saw; a step made against a status already changed is kept as superseded. */
	from: ProposalStatus;
	to: ProposalStatus;
	reason?: string;
	target?: string;
	targetTitle?: string;
	at: number;
	by: Actor;
}

export interface AnswerReceipt {
	at: number;
	/** 'applied': it took effect; 'superseded': recorded, but the matter had moved on (or the role may not). */
	result: 'applied' | 'superseded' | 'unknown_case';
}

/**
 * The steps a street admin may record on a matter at the street, from taking it up to closing it; the status
 * machine says which apply from where it stands (a return to the community is 'submitted'). Matters of several
 * communities are gathered in a street topic rather than merged into one proposal.
 */
export const STREET_ANSWERS: readonly ProposalStatus[] = PROPOSAL_STATUSES.filter(
	(s) => s !== 'draft' && s !== 'screening' && s !== 'merged' && s !== 'escalated'
);

export interface Referrals {
	cases: ReferralCase[];
	answers: StreetAnswer[];
	applied: Map<string, AnswerReceipt>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readReferrals(doc: Y.Doc): Referrals {
	const cases = [...doc.getMap<unknown>('cases').values()].filter(
		(c): c is ReferralCase => isRecord(c) && typeof c.id === 'string' && typeof c.doc === 'string' && Array.isArray(c.steps)
	);
	const answers = [...doc.getMap<unknown>('answers').values()].filter(
		(a): a is StreetAnswer => isRecord(a) && typeof a.id === 'string' && typeof a.case === 'string' && typeof a.to === 'string'
	);
	const applied = new Map<string, AnswerReceipt>();
	for (const [id, r] of doc.getMap<unknown>('applied')) if (isRecord(r) && typeof r.result === 'string') applied.set(id, r as unknown as AnswerReceipt);
	cases.sort((a, b) => b.referredAt - a.referredAt || a.id.localeCompare(b.id));
	answers.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
	return { cases, answers, applied };
}

/** Whether a matter belongs in the street's inbox: it sits at the street level now, or did once. */
export function reachedStreet(c: ReferralCase): boolean {
	return c.level === 'street' || c.steps.some((s) => s.level === 'street');
}

/** The proposal's applied steps, as the street may see them. */
export function referralSteps(p: Proposal): ReferralStep[] {
	const steps: ReferralStep[] = [];
	let level: Level = p.filedAt;
	for (const ev of p.timeline.events) {
		if (ev.type !== 'transition' || p.timeline.superseded.has(ev.id)) continue;
		const before = level;
		level = levelAfter(ev.from, ev.to, level);
		// Reasons are copied only where they were written for the street: a referral to it and its own steps.
		const forStreet = level === 'street' || before === 'street';
		steps.push({
			at: ev.at,
			from: ev.from,
			to: ev.to,
			role: ev.by.role,
			level,
			...(ev.reason && forStreet ? { reason: ev.reason } : {}),
			...(ev.target && ev.to === 'topic' ? { target: ev.target } : {}),
			...(ev.targetTitle ? { targetTitle: ev.targetTitle } : {})
		});
	}
	return steps;
}

/** The redacted copy of a proposal for its community's referrals document. */
export function referralCase(p: Proposal, doc: string, community: string): ReferralCase {
	const steps = referralSteps(p);
	const referral = steps.filter((s) => s.to === 'escalated' && s.level === 'street').at(-1);
	const referredAt = referral?.at ?? 0;
	const filed = p.timeline.events.find((e) => e.type === 'created')?.at ?? p.createdAt;
	return {
		id: p.id,
		doc,
		community,
		title: p.title,
		description: referral?.reason ?? '',
		category: p.category,
		kind: p.kind,
		coSigners: p.coSigners.length,
		supporters: p.supporters.length,
		filed,
		referredAt,
		status: p.timeline.status,
		level: p.level,
		steps
	};
}

/** Whether the street still has to act on a case (it waits at the street and is not finished). */
export const awaitsStreet = (c: ReferralCase) => c.level === 'street' && !isTerminal(c.status);

export function setCase(doc: Y.Doc, c: ReferralCase): void {
	doc.getMap<ReferralCase>('cases').set(c.id, c);
}

export function addAnswer(doc: Y.Doc, answer: StreetAnswer): void {
	doc.getMap<StreetAnswer>('answers').set(answer.id, answer);
}

export function setReceipt(doc: Y.Doc, answer: string, receipt: AnswerReceipt): void {
	doc.getMap<AnswerReceipt>('applied').set(answer, receipt);
}
