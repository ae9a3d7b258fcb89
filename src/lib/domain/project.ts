/**
 * A project (项目): one topic carried out from decision to a rated result. It gathers co-funding, actions, the
 * tender, notices, acceptance, satisfaction and disclosure requests, and derives from them its stage (which
 * follows from its tasks, acceptance and notices, never from a stored field) and its timeline of steps.
 */
import type { Actor } from './actor';
import {
	type Acceptance,
	acceptance,
	acceptanceConditions,
	type AcceptanceOverride,
	type Check,
	type ChecklistItem,
	type ConditionKind,
	DEFAULT_ACCEPTANCE,
	type Representative,
	type Signoff
} from './acceptance';
import { cstDay, type Day } from './calendar';
import { type Funding, funding, isManager, type LedgerEntry, type Pledge, type Receipt, type Void } from './funding';
import type { Fen } from './money';
import { type Answer, type DisclosureRequest, disclosureQueue, type NoticeKind, type RequestView } from './notice';
import type { ProposalStatus } from './proposal';
import { type Rating, type Satisfaction, satisfaction } from './satisfaction';
import { type ProgressUpdate, type Task, type Work, work } from './tasks';
import { type Selection, type Tender, type TenderResult, tenderResult } from './tender';

/** A notice posted about the project, as the project records it (the notice itself is its own document). */
export interface PostedNotice {
	doc: string;
	kind: NoticeKind;
	title: string;
	from: Day;
	to: Day;
	/** The disclosure request it answers. */
	request?: string;
	at: number;
	by: Actor;
}

/** A new proposal made from a rating (the closed loop), keyed by the proposal's document name. */
export interface FollowUp {
	proposal: string;
	household?: string;
	at: number;
	by: Actor;
}

export interface PhotoRecord {
	sha: string;
	at: number;
	by: Actor;
}

export interface Project {
	id: string;
	title: string;
	/** Document name of the topic carried out (the project shares the topic's id). */
	topic?: string;
	createdAt: number;
	createdBy: Actor | null;
	target: Fen;
	targetSet?: { at: number; by: Actor };
	minRepresentatives: number;
	closed?: { at: number; by: Actor; note?: string };
	pledges: Pledge[];
	receipts: Receipt[];
	entries: LedgerEntry[];
	voids: Void[];
	tasks: Task[];
	updates: ProgressUpdate[];
	tenders: Tender[];
	selections: Selection[];
	checklist: ChecklistItem[];
	checks: Check[];
	signoffs: Signoff[];
	/** Households chosen to sign the acceptance. */
	representatives: Representative[];
	/** Acceptance despite unmet conditions, with its reason. */
	acceptanceOverride?: AcceptanceOverride;
	acceptancePhotos: PhotoRecord[];
	ratings: Rating[];
	followUps: FollowUp[];
	requests: DisclosureRequest[];
	answers: Answer[];
	notices: PostedNotice[];
}

export type ProjectStage = 'preparing' | 'funding' | 'in_progress' | 'awaiting_acceptance' | 'accepted' | 'publicised' | 'closed';
export const PROJECT_STAGES: readonly ProjectStage[] = [
	'preparing',
	'funding',
	'in_progress',
	'awaiting_acceptance',
	'accepted',
	'publicised',
	'closed'
];

export interface ProjectState {
	stage: ProjectStage;
	/** The stage in the proposal workflow's words, for badges and lists shared with proposals. */
	status: ProposalStatus;
	funding: Funding;
	work: Work;
	tender: TenderResult;
	acceptance: Acceptance;
	satisfaction: Satisfaction;
	requests: RequestView[];
	/** Only a closing recorded by someone who manages the project counts. */
	closed: boolean;
}

const STATUS_OF: Record<ProjectStage, ProposalStatus> = {
	preparing: 'decided',
	funding: 'funding',
	in_progress: 'in_progress',
	awaiting_acceptance: 'in_progress',
	accepted: 'inspected',
	publicised: 'publicised',
	closed: 'closed'
};

export function stageStatus(stage: ProjectStage): ProposalStatus {
	return STATUS_OF[stage];
}

/**
 * The stage follows from the work: no task reported on yet → raising funds (when there is a target) or
 * preparing; some task under way → in progress; every task done → awaiting acceptance; accepted → publicised
 * once an acceptance notice is posted; closed when someone who manages it closes it.
 */
export function projectState(p: Project, today: Day): ProjectState {
	const f = funding(p);
	const w = work(p.tasks, p.updates, today);
	const conditions = acceptanceConditions({
		tasks: w.tasks.length,
		tasksDone: w.done,
		target: f.target,
		raised: f.raised,
		income: f.income,
		spending: f.spending
	});
	const acc = acceptance(
		p.checklist,
		p.checks,
		p.signoffs,
		{ minRepresentatives: p.minRepresentatives || DEFAULT_ACCEPTANCE.minRepresentatives },
		{ representatives: p.representatives, conditions, ...(p.acceptanceOverride ? { override: p.acceptanceOverride } : {}) }
	);
	const closed = !!p.closed && isManager(p.closed.by.role);
	let stage: ProjectStage;
	if (closed) stage = 'closed';
	else if (acc.status === 'passed') stage = p.notices.some((n) => n.kind === 'acceptance') ? 'publicised' : 'accepted';
	else if (w.allDone) stage = 'awaiting_acceptance';
	else if (w.started) stage = 'in_progress';
	else if (f.target > 0) stage = 'funding';
	else stage = 'preparing';
	return {
		stage,
		status: stageStatus(stage),
		funding: f,
		work: w,
		tender: tenderResult(p.tenders, p.selections),
		acceptance: acc,
		satisfaction: satisfaction(p.ratings),
		requests: disclosureQueue(p.requests, p.answers, today),
		closed
	};
}

interface StepBase {
	/** Unique and stable: the kind of record and its id. */
	key: string;
	at: number;
	by: Actor;
}

export type ProjectStep =
	| (StepBase & { type: 'created'; title: string })
	| (StepBase & { type: 'target'; amount: Fen })
	| (StepBase & { type: 'pledged'; pledge: Pledge })
	| (StepBase & { type: 'received'; pledge: Pledge; receipt: Receipt })
	| (StepBase & { type: 'withdrawn'; pledge: Pledge })
	| (StepBase & { type: 'entry'; entry: LedgerEntry })
	| (StepBase & { type: 'voided'; entry: LedgerEntry; reason: string })
	| (StepBase & { type: 'task'; task: Task })
	| (StepBase & { type: 'progress'; task: Task; update: ProgressUpdate })
	| (StepBase & { type: 'tender'; tender: Tender })
	| (StepBase & { type: 'selected'; tender: Tender; reason: string })
	| (StepBase & { type: 'notice'; notice: PostedNotice })
	| (StepBase & { type: 'checked'; item: ChecklistItem; check: Check })
	| (StepBase & { type: 'signoff'; signoff: Signoff })
	| (StepBase & { type: 'override'; reason: string; waived: ConditionKind[] })
	| (StepBase & { type: 'accepted' })
	| (StepBase & { type: 'rating'; rating: Rating })
	| (StepBase & { type: 'follow_up'; followUp: FollowUp })
	| (StepBase & { type: 'request'; request: DisclosureRequest })
	| (StepBase & { type: 'answered'; request: DisclosureRequest; answer: Answer })
	| (StepBase & { type: 'closed'; note?: string });

export type StepType = ProjectStep['type'];

/**
 * Every step of the matter with its time and who took it, oldest first: what the proposer and residents
 * follow. Only what counts is listed (a receipt recorded by a resident device, say, is not a step).
 */
export function projectTimeline(p: Project, state: ProjectState = projectState(p, cstDay(Date.now()))): ProjectStep[] {
	const steps: ProjectStep[] = [];
	if (p.createdBy) steps.push({ key: 'created', type: 'created', at: p.createdAt, by: p.createdBy, title: p.title });
	if (p.targetSet && p.target > 0) steps.push({ key: 'target', type: 'target', at: p.targetSet.at, by: p.targetSet.by, amount: p.target });
	for (const v of state.funding.pledges) {
		steps.push({ key: `pledge:${v.pledge.id}`, type: 'pledged', at: v.pledge.at, by: v.pledge.by, pledge: v.pledge });
		if (v.receipt) {
			steps.push({ key: `receipt:${v.pledge.id}`, type: 'received', at: v.receipt.at, by: v.receipt.by, pledge: v.pledge, receipt: v.receipt });
		} else if (v.status === 'withdrawn' && v.pledge.withdrawn) {
			steps.push({ key: `withdrawn:${v.pledge.id}`, type: 'withdrawn', at: v.pledge.withdrawn.at, by: v.pledge.withdrawn.by, pledge: v.pledge });
		}
	}
	for (const l of state.funding.lines) {
		if (!l.entry) continue;
		const entry = p.entries.find((e) => e.id === l.entry)!;
		steps.push({ key: `entry:${entry.id}`, type: 'entry', at: entry.at, by: entry.by, entry });
	}
	for (const { entry, void: v } of state.funding.voided) {
		steps.push({ key: `entry:${entry.id}`, type: 'entry', at: entry.at, by: entry.by, entry });
		steps.push({ key: `void:${entry.id}`, type: 'voided', at: v.at, by: v.by, entry, reason: v.reason });
	}
	for (const t of state.work.tasks) {
		steps.push({ key: `task:${t.task.id}`, type: 'task', at: t.task.at, by: t.task.by, task: t.task });
		for (const u of t.updates) steps.push({ key: `update:${u.id}`, type: 'progress', at: u.at, by: u.by, task: t.task, update: u });
	}
	for (const tender of state.tender.tenders) steps.push({ key: `tender:${tender.id}`, type: 'tender', at: tender.at, by: tender.by, tender });
	const selections = [...state.tender.replaced, ...(state.tender.selected ? [state.tender.selected] : [])];
	for (const { selection, tender } of selections) {
		if (tender) steps.push({ key: `selection:${selection.id}`, type: 'selected', at: selection.at, by: selection.by, tender, reason: selection.reason });
	}
	for (const n of p.notices) steps.push({ key: `notice:${n.doc}`, type: 'notice', at: n.at, by: n.by, notice: n });
	for (const row of state.acceptance.items) {
		if (row.check) steps.push({ key: `check:${row.item.id}`, type: 'checked', at: row.check.at, by: row.check.by, item: row.item, check: row.check });
	}
	for (const s of state.acceptance.signoffs) steps.push({ key: `signoff:${s.id}`, type: 'signoff', at: s.at, by: s.by, signoff: s });
	const override = state.acceptance.override;
	if (override) steps.push({ key: 'override', type: 'override', at: override.at, by: override.by, reason: override.reason, waived: override.waived });
	if (state.acceptance.passedAt !== undefined) {
		const last = [...state.acceptance.signoffs, ...state.acceptance.items.map((r) => r.check!), ...(override ? [override] : [])].find(
			(r) => r.at === state.acceptance.passedAt
		)!;
		steps.push({ key: 'accepted', type: 'accepted', at: state.acceptance.passedAt, by: last.by });
	}
	for (const h of state.satisfaction.households) {
		steps.push({ key: `rating:${h.household}`, type: 'rating', at: h.current.at, by: h.current.by, rating: h.current });
	}
	for (const f of p.followUps) steps.push({ key: `follow:${f.proposal}`, type: 'follow_up', at: f.at, by: f.by, followUp: f });
	for (const r of state.requests) {
		steps.push({ key: `request:${r.request.id}`, type: 'request', at: r.request.at, by: r.request.by, request: r.request });
		if (r.answer) steps.push({ key: `answer:${r.request.id}`, type: 'answered', at: r.answer.at, by: r.answer.by, request: r.request, answer: r.answer });
	}
	if (state.closed && p.closed) {
		steps.push({ key: 'closed', type: 'closed', at: p.closed.at, by: p.closed.by, ...(p.closed.note ? { note: p.closed.note } : {}) });
	}
	// Passing acceptance shares its time with the check or sign-off that completed it, and follows it.
	const rank = (s: ProjectStep) => (s.type === 'accepted' ? 1 : 0);
	return steps.sort((a, b) => a.at - b.at || rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
