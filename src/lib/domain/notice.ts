/**
 * Notices (公示/公开) and disclosure requests (依申请公开). A notice runs for a set period of calendar days; the
 * board shows what is running now, what is scheduled and what has ended. A resident's request for disclosure
 * is tracked until a notice answers it, and is overdue once it has waited longer than the answer period.
 */
import type { Actor } from './actor';
import { addDays, cstDay, type Day, daysBetween, isDay } from './calendar';

export type NoticeKind = 'funding' | 'tender' | 'acceptance' | 'minutes' | 'general' | 'answer';
export const NOTICE_KINDS: readonly NoticeKind[] = ['funding', 'tender', 'acceptance', 'minutes', 'general', 'answer'];

export interface Notice {
	id: string;
	kind: NoticeKind;
	title: string;
	body: string;
	/** First and last day it runs (inclusive). */
	from: Day;
	to: Day;
	/** Document name of the matter it is about (a project, a meeting, a proposal). */
	matter?: string;
	/** The disclosure request it answers. */
	request?: string;
	at: number;
	by: Actor;
	/** Taken down before its end (e.g. posted by mistake), with why. */
	withdrawn?: { at: number; by: Actor; reason: string };
}

export type NoticePhase = 'upcoming' | 'current' | 'ended' | 'withdrawn';

export function noticePhase(n: { from: Day; to: Day; withdrawn?: unknown }, today: Day): NoticePhase {
	if (n.withdrawn) return 'withdrawn';
	if (today < n.from) return 'upcoming';
	return today > n.to ? 'ended' : 'current';
}

/** Days a notice runs, counting both ends. */
export const periodDays = (from: Day, to: Day) => daysBetween(from, to) + 1;

/** The usual 公示期: seven days starting today. */
export const DEFAULT_NOTICE_DAYS = 7;

export function defaultPeriod(today: Day, days = DEFAULT_NOTICE_DAYS): { from: Day; to: Day } {
	return { from: today, to: addDays(today, days - 1) };
}

export interface NoticeDraft {
	kind: NoticeKind;
	title: string;
	body: string;
	from: string;
	to: string;
}

export type NoticeIssue = 'title' | 'body' | 'from' | 'to' | 'period';

export const NOTICE_TITLE_MAX = 80;

export function validateNotice(d: NoticeDraft): NoticeIssue[] {
	const issues: NoticeIssue[] = [];
	if (!d.title.trim() || d.title.trim().length > NOTICE_TITLE_MAX) issues.push('title');
	if (!d.body.trim()) issues.push('body');
	if (!isDay(d.from)) issues.push('from');
	if (!isDay(d.to)) issues.push('to');
	else if (isDay(d.from) && d.to < d.from) issues.push('period');
	return issues;
}

export interface BoardItem {
	doc: string;
	from: Day;
	to: Day;
	/** Truthy once taken down. */
	withdrawn?: unknown;
}

/** The notice board: running notices (ending soonest first), scheduled ones, and the archive (latest first). */
export function noticeBoard<T extends BoardItem>(items: readonly T[], today: Day): { current: T[]; upcoming: T[]; past: T[] } {
	const current: T[] = [];
	const upcoming: T[] = [];
	const past: T[] = [];
	for (const item of items) {
		const phase = noticePhase(item, today);
		(phase === 'current' ? current : phase === 'upcoming' ? upcoming : past).push(item);
	}
	current.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : a.doc < b.doc ? -1 : 1));
	upcoming.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.doc < b.doc ? -1 : 1));
	past.sort((a, b) => (a.to > b.to ? -1 : a.to < b.to ? 1 : a.doc < b.doc ? -1 : 1));
	return { current, upcoming, past };
}

export interface DisclosureRequest {
	id: string;
	/** What the resident asks to be made public. */
	question: string;
	household?: string;
	at: number;
	by: Actor;
}

/** A request answered by a notice (one per request: answering twice offline merges to the later one). */
export interface Answer {
	request: string;
	notice: string;
	at: number;
	by: Actor;
}

/** Days within which a request should be answered (community practice; 政府信息公开 allows 20 working days). */
export const ANSWER_DAYS = 15;

export interface RequestView {
	request: DisclosureRequest;
	answer?: Answer;
	due: Day;
	overdue: boolean;
}

/** Requests with their answer and due day: unanswered first (oldest first), then answered (latest first). */
export function disclosureQueue(
	requests: readonly DisclosureRequest[],
	answers: readonly Answer[],
	today: Day,
	answerDays = ANSWER_DAYS
): RequestView[] {
	const byRequest = new Map<string, Answer>();
	for (const a of answers) {
		const prev = byRequest.get(a.request);
		if (!prev || a.at > prev.at) byRequest.set(a.request, a);
	}
	const views = requests
		.filter((r) => r.question.trim())
		.map((request) => {
			const answer = byRequest.get(request.id);
			const due = addDays(cstDay(request.at), answerDays);
			return { request, ...(answer ? { answer } : {}), due, overdue: !answer && today > due };
		});
	const open = views.filter((v) => !v.answer).sort((a, b) => a.request.at - b.request.at);
	const done = views.filter((v) => v.answer).sort((a, b) => b.answer!.at - a.answer!.at);
	return [...open, ...done];
}
