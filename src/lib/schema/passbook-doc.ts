/**
 * A household's points passbook (`<community>:passbook:<household id>`): personal data, read by that household
 * and the staff who keep the books. Root keys:
 *   meta         Y.Map  schema, household (the document's id)
 *   transfers    Y.Map  transfer id → Transfer; written once, never changed or deleted (a mistake is reversed
 *                       by another transfer), so offline devices merge by union
 *   approvals    Y.Map  `<transfer id>:<approver device id>` → Approval, written once
 *   resolutions  Y.Map  `<flag key>:<device id>` → Resolution, written once (the first one recorded holds)
 *   handovers    Y.Map  transfer id → Handover: the goods of a redemption handed over against its code
 *   board        Y.Map  'choice' → BoardChoice: whether and under which name the household appears on the board
 * Only `board` is the household's own to write; everything else is staff's (see write-rules.ts). The balance is
 * never stored: the domain folds these records (domain/points.ts passbook()).
 */
import * as Y from 'yjs';
import {
	type Approval,
	type BoardChoice,
	type Handover,
	type PassbookRecords,
	parseApproval,
	parseBoardChoice,
	parseHandover,
	parseResolution,
	parseTransfer,
	type Resolution,
	type Transfer
} from '../domain/points';
import { meta, stampMeta } from './meta';
import { plain } from './plain';

const transfers = (doc: Y.Doc) => doc.getMap<unknown>('transfers');
const approvals = (doc: Y.Doc) => doc.getMap<unknown>('approvals');
const resolutions = (doc: Y.Doc) => doc.getMap<unknown>('resolutions');
const handovers = (doc: Y.Doc) => doc.getMap<unknown>('handovers');
const board = (doc: Y.Doc) => doc.getMap<unknown>('board');

/** The key of an approval: one decision per approver and award. */
export const approvalKey = (a: Pick<Approval, 'transfer' | 'by'>) => `${a.transfer}:${a.by.id}`;
/** The key of a resolution: one decision per device and flag. */
export const resolutionKey = (r: Pick<Resolution, 'flag' | 'by'>) => `${r.flag}:${r.by.id}`;
export const BOARD_CHOICE_KEY = 'choice';

/** True once the document holds a record or names its household (an empty one may still be syncing). */
export function isPassbookDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('household') === 'string' || transfers(doc).size > 0 || board(doc).has(BOARD_CHOICE_KEY);
}

/** Records go into a map once, with the document's schema (and household, when known) set alongside. */
function addOnce(doc: Y.Doc, map: Y.Map<unknown>, key: string, record: object, household?: string): boolean {
	if (map.has(key)) return false;
	doc.transact(() => {
		stampMeta(doc, household === undefined ? {} : { household });
		map.set(key, plain(record));
	});
	return true;
}

/** Records a transfer; false (and nothing written) when one with its id is already there. */
export function addTransfer(doc: Y.Doc, t: Transfer): boolean {
	return addOnce(doc, transfers(doc), t.id, t, t.household);
}

/** Records a decision on an award; false when this approver already decided it. */
export function addApproval(doc: Y.Doc, a: Approval): boolean {
	return addOnce(doc, approvals(doc), approvalKey(a), a);
}

/** Records what staff decided about a flag; false when this device already resolved it. */
export function addResolution(doc: Y.Doc, r: Resolution): boolean {
	return addOnce(doc, resolutions(doc), resolutionKey(r), r);
}

/** Records that a redemption's goods were handed over; false when that was already recorded. */
export function addHandover(doc: Y.Doc, h: Handover): boolean {
	return addOnce(doc, handovers(doc), h.transfer, h);
}

/** Sets how the household appears on the public board (the last choice made holds). */
export function setBoardChoice(doc: Y.Doc, c: BoardChoice): void {
	doc.transact(() => {
		stampMeta(doc);
		board(doc).set(BOARD_CHOICE_KEY, plain(c));
	});
}

const byTime = <T extends { at: number }>(key: (r: T) => string) => (a: T, b: T) => a.at - b.at || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The household's records as the domain folds them, oldest first (ties by key: the same order on every device).
 * Records that do not parse, or are not kept under their own key, are left out.
 */
export function readPassbookRecords(doc: Y.Doc, household: string): PassbookRecords {
	const ts: Transfer[] = [];
	for (const [key, value] of transfers(doc)) {
		const t = parseTransfer(value);
		if (t && t.id === key) ts.push(t);
	}
	const as: Approval[] = [];
	for (const [key, value] of approvals(doc)) {
		const a = parseApproval(value);
		if (a && approvalKey(a) === key) as.push(a);
	}
	const rs: Resolution[] = [];
	for (const [key, value] of resolutions(doc)) {
		const r = parseResolution(value);
		if (r && resolutionKey(r) === key) rs.push(r);
	}
	return {
		household,
		transfers: ts.sort(byTime<Transfer>((t) => t.id)),
		approvals: as.sort(byTime<Approval>(approvalKey)),
		resolutions: rs.sort(byTime<Resolution>(resolutionKey))
	};
}

/** Redemptions handed over: transfer id → Handover. */
export function readHandovers(doc: Y.Doc): Map<string, Handover> {
	const out = new Map<string, Handover>();
	for (const [key, value] of handovers(doc)) {
		const h = parseHandover(value);
		if (h && h.transfer === key) out.set(key, h);
	}
	return out;
}

/** How the household chose to appear on the public board; null when it never chose (it does not appear). */
export function readBoardChoice(doc: Y.Doc): BoardChoice | null {
	return parseBoardChoice(board(doc).get(BOARD_CHOICE_KEY));
}

/** The time of the latest record, for the index. */
export function lastRecordAt(doc: Y.Doc): number {
	let last = 0;
	for (const root of [transfers(doc), approvals(doc), resolutions(doc), handovers(doc), board(doc)]) {
		for (const v of root.values()) {
			const at = (v as { at?: unknown } | null)?.at;
			if (typeof at === 'number' && Number.isFinite(at) && at > last) last = at;
		}
	}
	return last;
}
