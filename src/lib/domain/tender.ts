/**
 * Vendor selection by open tender (公开比选): the bids, the selection with its reason, and the facts of the
 * public notice of the result. Two selections made offline both stay on record; the later one counts and the
 * earlier is shown as replaced, so a changed choice is never silent.
 */
import type { Actor } from './actor';
import { isManager } from './funding';
import { type Fen, isAmount } from './money';

export interface Tender {
	id: string;
	vendor: string;
	price: Fen;
	/** Model, specification or scope offered. */
	model: string;
	notes?: string;
	at: number;
	by: Actor;
}

export interface Selection {
	id: string;
	tender: string;
	reason: string;
	at: number;
	by: Actor;
}

export interface TenderResult {
	/** Valid bids, cheapest first. */
	tenders: Tender[];
	selected: { selection: Selection; tender: Tender } | null;
	/** Earlier selections the latest replaced, newest first. */
	replaced: { selection: Selection; tender: Tender | undefined }[];
	/** Whether the chosen bid is (one of) the cheapest: the notice says so, or the reason must explain why not. */
	selectedIsLowest: boolean;
	notCounted: { what: 'tender' | 'selection'; id: string; by: Actor }[];
}

const byTime = <T extends { at: number; id: string }>(a: T, b: T) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function tenderResult(tenders: readonly Tender[], selections: readonly Selection[]): TenderResult {
	const notCounted: TenderResult['notCounted'] = [];
	const valid = tenders.filter((t) => {
		const ok = isManager(t.by.role) && !!t.vendor.trim() && isAmount(t.price);
		if (!ok) notCounted.push({ what: 'tender', id: t.id, by: t.by });
		return ok;
	});
	valid.sort((a, b) => a.price - b.price || byTime(a, b));
	const byId = new Map(valid.map((t) => [t.id, t]));
	const chosen = selections
		.filter((s) => {
			const ok = isManager(s.by.role) && byId.has(s.tender) && !!s.reason.trim();
			if (!ok) notCounted.push({ what: 'selection', id: s.id, by: s.by });
			return ok;
		})
		.sort(byTime);
	const last = chosen.at(-1);
	const selected = last ? { selection: last, tender: byId.get(last.tender)! } : null;
	const lowest = valid[0]?.price;
	return {
		tenders: valid,
		selected,
		replaced: chosen
			.slice(0, -1)
			.reverse()
			.map((selection) => ({ selection, tender: byId.get(selection.tender) })),
		selectedIsLowest: !!selected && selected.tender.price === lowest,
		notCounted
	};
}

export interface TenderDraft {
	vendor: string;
	price: Fen | null;
	model: string;
	notes?: string;
}

export type TenderIssue = 'vendor' | 'price';

export function validateTender(d: TenderDraft): TenderIssue[] {
	const issues: TenderIssue[] = [];
	if (!d.vendor.trim()) issues.push('vendor');
	if (d.price === null || !isAmount(d.price)) issues.push('price');
	return issues;
}

/** What a tender-result notice must state: every bid, the choice, its price and model, and why. */
export interface TenderNoticeFacts {
	project: string;
	vendor: string;
	price: Fen;
	model: string;
	reason: string;
	selectedIsLowest: boolean;
	bids: { vendor: string; price: Fen; model: string }[];
}

export function tenderNoticeFacts(project: string, result: TenderResult): TenderNoticeFacts | null {
	const s = result.selected;
	if (!s) return null;
	return {
		project,
		vendor: s.tender.vendor,
		price: s.tender.price,
		model: s.tender.model,
		reason: s.selection.reason,
		selectedIsLowest: result.selectedIsLowest,
		bids: result.tenders.map((t) => ({ vendor: t.vendor, price: t.price, model: t.model }))
	};
}
