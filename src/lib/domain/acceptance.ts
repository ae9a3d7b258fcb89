/**
 * Acceptance (验收) by the residents: a checklist checked item by item, resident representatives' sign-off,
 * and photos. It passes when every item passes and enough representatives agree with none objecting; an
 * objection makes it disputed until the objector signs again (their latest sign-off counts).
 */
import type { Actor } from './actor';
import { isManager } from './funding';

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

/** A representative's sign-off, keyed by who signs (their household, or a name when recorded for them). */
export interface Signoff {
	id: string;
	name: string;
	household?: string;
	agree: boolean;
	comment?: string;
	at: number;
	by: Actor;
}

export interface AcceptanceRules {
	/** Representatives who must agree. */
	minRepresentatives: number;
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
	/** When the last condition for passing was met. */
	passedAt?: number;
	notCounted: { what: 'item' | 'check'; id: string; by: Actor }[];
}

const byTime = <T extends { at: number }>(a: T, b: T) => a.at - b.at;

export function acceptance(
	checklist: readonly ChecklistItem[],
	checks: readonly Check[],
	signoffs: readonly Signoff[],
	rules: AcceptanceRules = DEFAULT_ACCEPTANCE
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
	const signed = [...signoffs].filter((s) => s.name.trim()).sort(byTime);
	const agree = signed.filter((s) => s.agree).length;
	const object = signed.length - agree;
	const need = Math.max(1, rules.minRepresentatives);

	let status: AcceptanceStatus;
	if (rows.length === 0 && signed.length === 0) status = 'not_started';
	else if (failed > 0) status = 'failed';
	else if (object > 0) status = 'disputed';
	else if (rows.length > 0 && unchecked === 0 && agree >= need) status = 'passed';
	else status = 'in_progress';

	const passedAt =
		status === 'passed' ? Math.max(...rows.map((r) => r.check!.at), ...signed.map((s) => s.at)) : undefined;
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
		...(passedAt !== undefined ? { passedAt } : {}),
		notCounted
	};
}
