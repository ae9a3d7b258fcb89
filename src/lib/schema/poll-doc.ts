/**
 * A poll document (public: residents read it; facilitators and admins write it). Root keys:
 *   meta        Y.Map    schema, id, title, description, opensAt, closesAt, hideResults, rule, electorate,
 *                        createdAt, createdBy — written once at creation, since ballots are cast against them
 *   options     Y.Array  PollOption
 *   matters     Y.Array  document names of the proposals and topics the poll decides
 *   handCounts  Y.Map    id → HandCount (a show of hands at a meeting)
 *   closures    Y.Array  PollClosure, append-only: the earliest closes the poll, the latest outcome statement stands,
 *                        so two facilitators closing offline both keep their record
 *   public      Y.Map    'tally' → PublicTally, written by the relay (residents may not read ballots)
 */
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import {
	type HandCount,
	isElectorate,
	isHandCount,
	isPollRule,
	type Poll,
	type PollClosure,
	type PollDraft,
	type PollOption,
	type PublicTally,
	RULES
} from '../domain/poll';
import { meta, writeMeta } from './meta';

const options = (doc: Y.Doc) => doc.getArray<PollOption>('options');
const matters = (doc: Y.Doc) => doc.getArray<string>('matters');
const handCounts = (doc: Y.Doc) => doc.getMap<HandCount>('handCounts');
const closures = (doc: Y.Doc) => doc.getArray<PollClosure>('closures');
const publicMap = (doc: Y.Doc) => doc.getMap<unknown>('public');

/** True once the document holds a created poll (an empty one may still be syncing). */
export function isPollDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('id') === 'string';
}

export function createPoll(doc: Y.Doc, draft: PollDraft, opts: { id: string; actor: Actor; now: number }): void {
	doc.transact(() => {
		writeMeta(doc, {
			id: opts.id,
			title: draft.title.trim(),
			description: draft.description.trim(),
			opensAt: draft.opensAt,
			closesAt: draft.closesAt,
			hideResults: draft.hideResults,
			rule: draft.rule,
			electorate: draft.electorate,
			createdAt: opts.now,
			createdBy: opts.actor
		});
		options(doc).push(draft.options.map((o) => ({ id: o.id, label: o.label.trim(), ...(o.abstain ? { abstain: true } : {}) })));
		matters(doc).push([...new Set(draft.matters)]);
	});
}

const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function isOption(o: unknown): o is PollOption {
	return !!o && typeof o === 'object' && typeof (o as PollOption).id === 'string' && typeof (o as PollOption).label === 'string';
}

function isClosure(c: unknown): c is PollClosure {
	if (!c || typeof c !== 'object') return false;
	const x = c as PollClosure;
	return typeof x.id === 'string' && typeof x.at === 'number' && typeof x.outcome === 'string' && !!x.by && typeof x.by.id === 'string';
}

export function readPoll(doc: Y.Doc): Poll {
	const m = meta(doc);
	const rule = m.get('rule');
	const electorate = m.get('electorate');
	return {
		id: str(m.get('id')),
		title: str(m.get('title')),
		description: str(m.get('description')),
		options: options(doc).toArray().filter(isOption),
		// A damaged rule falls back to the strictest preset rather than letting anything carry.
		rule: isPollRule(rule) ? rule : RULES.civil_code_major,
		electorate: isElectorate(electorate) ? electorate : { scope: 'community', ids: [] },
		opensAt: num(m.get('opensAt')),
		closesAt: num(m.get('closesAt')),
		hideResults: m.get('hideResults') !== false,
		matters: matters(doc).toArray().filter((d) => typeof d === 'string'),
		createdAt: num(m.get('createdAt')),
		createdBy: (m.get('createdBy') as Actor | undefined) ?? null,
		closures: closures(doc).toArray().filter(isClosure).sort((a, b) => a.at - b.at),
		handCounts: [...handCounts(doc).values()].filter(isHandCount).sort((a, b) => a.at - b.at)
	};
}

export function recordHandCount(doc: Y.Doc, count: HandCount): void {
	handCounts(doc).set(count.id, count);
}

/** Closes the poll with an outcome statement (or, when closed already, amends the statement). */
export function addClosure(doc: Y.Doc, closure: PollClosure): void {
	closures(doc).push([closure]);
}

export function readPublicTally(doc: Y.Doc): PublicTally | null {
	const t = publicMap(doc).get('tally');
	return t && typeof t === 'object' && Array.isArray((t as PublicTally).options) ? (t as PublicTally) : null;
}

export function writePublicTally(doc: Y.Doc, tally: PublicTally): void {
	publicMap(doc).set('tally', tally);
}

export function clearPublicTally(doc: Y.Doc): void {
	publicMap(doc).delete('tally');
}
