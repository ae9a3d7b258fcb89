/**
 * Acceptance (验收) by the residents: a checklist checked item by item, resident representatives' sign-off,
 * and photos. It passes when every item passes and enough representatives agree with none objecting (an
 * objection makes it disputed until the objector signs again: their latest sign-off counts), and the project's
 * own conditions are met (its tasks done, its target raised, no more spent than came in) or staff recorded an
 * override naming the unmet conditions and why.
 *
 * Representatives are households staff choose from the register. A sign-off counts only for a chosen household:
 * signed on the household's own device (the relay lets a resident sign only for their own household), or
 * recorded by staff from the paper form, with a photo of it.
 */
import type { Actor } from './actor';
import { isManager } from './funding';
import type { Fen } from './money';

export interface ChecklistItem {
	id: string;
	text: string;
	at: number;
	by: Actor;
}

/** One result per item (keyed by item id): a re-check replaces the previous one. */
export interface Check {
	item: string;
	result: 'pass' | 'fail';
	note?: string;
	at: number;
	by: Actor;
}

/**
 * A representative's sign-off, keyed by their household. `paper` when staff record the signed paper form, whose
 * photo is in `photos`. (Older records named a representative by free text, without a household: not counted.)
 */
export interface Signoff {
	id: string;
	name: string;
	household?: string;
	agree: boolean;
	comment?: string;
	paper?: boolean;
	photos?: string[];
	at: number;
	by: Actor;
}

/** A household staff chose to sign for the residents, keyed by household; removed ones stay, marked. */
export interface Representative {
	household: string;
	/** How the household reads at the time (e.g. 3栋 1单元 401). */
	label: string;
	at: number;
	by: Actor;
	removed?: { at: number; by: Actor };
}

export type ConditionKind = 'tasks' | 'funds' | 'ledger';

/** One of the project's own conditions for acceptance, with the figures that decide it. */
export interface Condition {
	kind: ConditionKind;
	met: boolean;
	/** tasks: done of total; funds: raised of target (fen); ledger: spending of income (fen). */
	have: number;
	need: number;
}

/** Staff accept although conditions are unmet: the ones waived, who, when and why. */
export interface AcceptanceOverride {
	reason: string;
	waived: ConditionKind[];
	at: number;
	by: Actor;
}

/** What the conditions are derived from (the project's tasks and money). */
export interface ConditionFacts {
	tasks: number;
	tasksDone: number;
	target: Fen;
	raised: Fen;
	income: Fen;
	spending: Fen;
}

/**
 * The project's own conditions: at least one task and every task done; the target raised (when there is one);
 * no more spent than came in.
 */
export function acceptanceConditions(f: ConditionFacts): Condition[] {
	const out: Condition[] = [{ kind: 'tasks', met: f.tasks > 0 && f.tasksDone >= f.tasks, have: f.tasksDone, need: f.tasks }];
	if (f.target > 0) out.push({ kind: 'funds', met: f.raised >= f.target, have: f.raised, need: f.target });
	out.push({ kind: 'ledger', met: f.spending <= f.income, have: f.spending, need: f.income });
	return out;
}

/** The override as it counts: recorded by someone who manages the project, with a reason. */
export function validOverride(o: AcceptanceOverride | undefined): AcceptanceOverride | undefined {
	return o && isManager(o.by.role) && !!o.reason.trim() && Array.isArray(o.waived) ? o : undefined;
}

/** Households currently chosen (latest record per household, by someone who manages the project). */
export function chosenRepresentatives(reps: readonly Representative[]): Representative[] {
	const latest = new Map<string, Representative>();
	for (const r of [...reps].sort(byTime)) if (isManager(r.by.role)) latest.set(r.household, r);
	return [...latest.values()].filter((r) => !r.removed);
}

/** Whether a sign-off is one that can count: for its own household, from that household or staff's paper record. */
function signoffValid(s: Signoff): boolean {
	if (!s.household || s.id !== s.household || !s.name.trim()) return false;
	if (s.by.role === 'resident') return !s.paper;
	return isManager(s.by.role) && !!s.paper && (s.photos?.length ?? 0) > 0;
}

export interface AcceptanceRules {
	/** Representatives who must agree. */
	minRepresentatives: number;
}

export interface AcceptanceContext {
	representatives?: readonly Representative[];
	conditions?: readonly Condition[];
	override?: AcceptanceOverride;
}

export const DEFAULT_ACCEPTANCE: AcceptanceRules = { minRepresentatives: 3 };

export type AcceptanceStatus = 'not_started' | 'in_progress' | 'failed' | 'disputed' | 'passed';

export interface Acceptance {
	items: { item: ChecklistItem; check?: Check }[];
	passed: number;
	failed: number;
	unchecked: number;
	signoffs: Signoff[];
	agree: number;
	object: number;
	need: number;
	status: AcceptanceStatus;
	/** Households chosen to sign, in the order chosen. */
	representatives: Representative[];
	conditions: Condition[];
	/** Unmet conditions no override waives: acceptance cannot pass while any is left. */
	blocked: Condition[];
	/** The recorded override, when valid. */
	override?: AcceptanceOverride;
	/** When the last condition for passing was met. */
	passedAt?: number;
	notCounted: { what: 'item' | 'check' | 'signoff'; id: string; by: Actor }[];
}

const byTime = <T extends { at: number }>(a: T, b: T) => a.at - b.at;

export function acceptance(
	checklist: readonly ChecklistItem[],
	checks: readonly Check[],
	signoffs: readonly Signoff[],
	rules: AcceptanceRules = DEFAULT_ACCEPTANCE,
	context: AcceptanceContext = {}
): Acceptance {
	const notCounted: Acceptance['notCounted'] = [];
	const items = checklist.filter((i) => {
		const ok = isManager(i.by.role) && !!i.text.trim();
		if (!ok) notCounted.push({ what: 'item', id: i.id, by: i.by });
		return ok;
	});
	items.sort((a, b) => byTime(a, b) || (a.id < b.id ? -1 : 1));
	const checkOf = new Map<string, Check>();
	for (const c of checks) {
		if (!isManager(c.by.role)) notCounted.push({ what: 'check', id: c.item, by: c.by });
		else checkOf.set(c.item, c);
	}
	const rows = items.map((item) => {
		const check = checkOf.get(item.id);
		return check ? { item, check } : { item };
	});
	const passed = rows.filter((r) => r.check?.result === 'pass').length;
	const failed = rows.filter((r) => r.check?.result === 'fail').length;
	const unchecked = rows.length - passed - failed;
	const representatives = chosenRepresentatives(context.representatives ?? []);
	const chosen = new Set(representatives.map((r) => r.household));
	// The latest counted sign-off of each chosen household (its own device or staff's paper record).
	const latest = new Map<string, Signoff>();
	for (const s of [...signoffs].sort(byTime)) {
		if (signoffValid(s) && chosen.has(s.id)) latest.set(s.id, s);
		else notCounted.push({ what: 'signoff', id: s.id, by: s.by });
	}
	const signed = [...latest.values()].sort(byTime);
	const conditions = [...(context.conditions ?? [])];
	const override = validOverride(context.override);
	const blocked = conditions.filter((c) => !c.met && !override?.waived.includes(c.kind));
	const agree = signed.filter((s) => s.agree).length;
	const object = signed.length - agree;
	const need = Math.max(1, rules.minRepresentatives);

	let status: AcceptanceStatus;
	if (rows.length === 0 && signed.length === 0) status = 'not_started';
	else if (failed > 0) status = 'failed';
	else if (object > 0) status = 'disputed';
	else if (rows.length > 0 && unchecked === 0 && agree >= need && blocked.length === 0) status = 'passed';
	else status = 'in_progress';

	const overrode = !!override && conditions.some((c) => !c.met);
	const passedAt =
		status === 'passed'
			? Math.max(...rows.map((r) => r.check!.at), ...signed.map((s) => s.at), ...(overrode ? [override.at] : []))
			: undefined;
	return {
		items: rows,
		passed,
		failed,
		unchecked,
		signoffs: signed,
		agree,
		object,
		need,
		status,
		representatives,
		conditions,
		blocked,
		...(override ? { override } : {}),
		...(passedAt !== undefined ? { passedAt } : {}),
		notCounted
	};
}
