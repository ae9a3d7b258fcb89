/**
 * Merging a duplicate (合并) seen from both sides. The merge is recorded once, as a step in the merged proposal's
 * own timeline; the proposal it joined reads it back from there. So a merge made offline, or superseded because
 * another screener decided first, is shown on the target exactly as it stands in the merged proposal, and the
 * target's document is never written for it.
 *
 * The target counts the households behind every proposal merged into it (directly, or into one merged into it in
 * turn): their co-signers, the households that filed them, and their supporters, each household once.
 */
import type { Actor, Channel } from './actor';
import type { FoldedTimeline, TransitionEvent } from './proposal';

/**
 * The merge that took effect, if the matter now stands merged: the applied transition to 'merged' and its target.
 * A merge recorded offline against a status already changed is superseded and names no target. (Here rather than
 * in proposal.ts, which the first page loads.)
 */
export function mergeOf(folded: FoldedTimeline): (TransitionEvent & { target: string }) | null {
	if (folded.status !== 'merged') return null;
	for (let i = folded.events.length - 1; i >= 0; i--) {
		const ev = folded.events[i]!;
		if (ev.type === 'transition' && ev.to === 'merged' && !folded.superseded.has(ev.id)) {
			return ev.target ? (ev as TransitionEvent & { target: string }) : null;
		}
	}
	return null;
}

/** What the merged view reads of a proposal (the schema's Proposal has it, with its document name). */
export interface MergeParty {
	doc: string;
	title: string;
	household?: string;
	createdAt: number;
	createdBy: Actor | null;
	channel: Channel;
	coSigners: readonly { household: string; name: string; at: number; by: Actor; channel: Channel }[];
	supporters: readonly { id: string; at: number; by: Actor }[];
	timeline: FoldedTimeline;
}

/** A proposal merged into the one viewed. */
export interface MergedSource extends Pick<MergeParty, 'doc' | 'title' | 'household' | 'createdAt' | 'createdBy' | 'channel'> {
	/** The merge step, as the merged proposal records it. */
	mergedAt: number;
	mergedBy: Actor;
	mergeChannel: Channel;
	reason?: string;
	/** The proposal it was merged into, when that is not the one viewed (merged into a proposal merged here). */
	via?: string;
	coSigners: number;
	supporters: number;
}

/** A co-signing household; `from` names the merged proposal it came with (none: the proposal's own). */
export interface MergedCoSigner {
	household: string;
	name: string;
	at: number;
	by: Actor;
	channel: Channel;
	from?: string;
	/** The household that filed the merged proposal `from`. */
	proposer?: boolean;
}

export interface MergedSupporter {
	id: string;
	at: number;
	by: Actor;
	from?: string;
}

/** The merge as the target's timeline shows it (never stored in the target). */
export interface MergedInEvent {
	id: string;
	type: 'merged_in';
	at: number;
	by: Actor;
	channel: Channel;
	source: string;
	title: string;
	reason?: string;
	via?: string;
}

export interface MergedView {
	sources: MergedSource[];
	coSigners: MergedCoSigner[];
	supporters: MergedSupporter[];
	events: MergedInEvent[];
}

/**
 * Documents merged into `target`, directly or through others merged into it, nearest first. `links` says where
 * each merged proposal went (e.g. index entries' `mergedInto`); a cycle, which no honest history makes, ends.
 */
export function mergedClosure(target: string, links: Iterable<{ doc: string; mergedInto?: string }>): string[] {
	const into = new Map<string, string[]>();
	for (const l of links) {
		if (!l.mergedInto || l.mergedInto === l.doc) continue;
		into.set(l.mergedInto, [...(into.get(l.mergedInto) ?? []), l.doc]);
	}
	const seen = new Set([target]);
	const out: string[] = [];
	for (let i = -1; i < out.length; i++) {
		for (const doc of into.get(i < 0 ? target : out[i]!) ?? []) {
			if (seen.has(doc)) continue;
			seen.add(doc);
			out.push(doc);
		}
	}
	return out;
}

/**
 * Households behind `target` with everything merged into it, as index entries list them: its co-signers, then
 * those of each merged proposal and the household that filed it. For the screening card's co-signer count.
 */
export function coSignersWithMerged(
	target: string,
	entries: readonly { doc: string; mergedInto?: string; household?: string; coSigners?: readonly string[] }[]
): string[] {
	const byDoc = new Map(entries.map((e) => [e.doc, e]));
	const out = [...(byDoc.get(target)?.coSigners ?? [])];
	for (const doc of mergedClosure(target, entries)) {
		const e = byDoc.get(doc);
		if (e?.household) out.push(e.household);
		out.push(...(e?.coSigners ?? []));
	}
	return [...new Set(out)];
}

/**
 * The target as it stands with what was merged into it. `others` may hold any proposals: only those whose own
 * timeline says they were merged into the target (or into one merged into it) count.
 */
export function mergedView(target: MergeParty, others: readonly MergeParty[]): MergedView {
	const merges = new Map<string, NonNullable<ReturnType<typeof mergeOf>>>();
	for (const p of others) {
		const m = mergeOf(p.timeline);
		if (m && p.doc !== target.doc) merges.set(p.doc, m);
	}
	const byDoc = new Map(others.map((p) => [p.doc, p]));
	const docs = mergedClosure(
		target.doc,
		[...merges].map(([doc, m]) => ({ doc, mergedInto: m.target }))
	);
	const sources = docs
		.map((doc) => ({ p: byDoc.get(doc)!, m: merges.get(doc)! }))
		.sort((a, b) => a.m.at - b.m.at || (a.p.doc < b.p.doc ? -1 : 1));

	const coSigners: MergedCoSigner[] = target.coSigners.map((c) => ({ ...c }));
	const signed = new Set([...coSigners.map((c) => c.household), ...(target.household ? [target.household] : [])]);
	const supporters: MergedSupporter[] = target.supporters.map((s) => ({ ...s }));
	const supported = new Set(supporters.map((s) => s.id));
	for (const { p } of sources) {
		const filer =
			p.household && p.createdBy
				? [{ household: p.household, name: p.createdBy.role === 'resident' ? p.createdBy.name : '', at: p.createdAt, by: p.createdBy, channel: p.channel, proposer: true }]
				: [];
		for (const c of [...filer, ...p.coSigners]) {
			if (signed.has(c.household)) continue;
			signed.add(c.household);
			coSigners.push({ ...c, from: p.doc });
		}
		for (const s of p.supporters) {
			if (supported.has(s.id)) continue;
			supported.add(s.id);
			supporters.push({ ...s, from: p.doc });
		}
	}

	const view: MergedView = { sources: [], coSigners, supporters, events: [] };
	for (const { p, m } of sources) {
		const via = m.target === target.doc ? undefined : m.target;
		view.sources.push({
			doc: p.doc,
			title: p.title,
			...(p.household ? { household: p.household } : {}),
			createdAt: p.createdAt,
			createdBy: p.createdBy,
			channel: p.channel,
			mergedAt: m.at,
			mergedBy: m.by,
			mergeChannel: m.channel,
			...(m.reason ? { reason: m.reason } : {}),
			...(via ? { via } : {}),
			coSigners: p.coSigners.length,
			supporters: p.supporters.length
		});
		view.events.push({
			id: `merged-in:${p.doc}`,
			type: 'merged_in',
			at: m.at,
			by: m.by,
			channel: m.channel,
			source: p.doc,
			title: p.title,
			...(m.reason ? { reason: m.reason } : {}),
			...(via ? { via } : {})
		});
	}
	return view;
}

/** The target's timeline with the merges into it, in time order (its creation stays first, ties keep their order). */
export function withMergeEvents<E extends { type: string; at: number }>(events: readonly E[], merged: readonly MergedInEvent[]): (E | MergedInEvent)[] {
	if (merged.length === 0) return [...events];
	return [...events, ...merged].sort((a, b) => Number(b.type === 'created') - Number(a.type === 'created') || a.at - b.at);
}
