/**
 * A convention's document (`<community>:convention:<id>`): public to the community, drafted by staff,
 * commented on by residents. Root keys:
 *   meta           Y.Map          schema and the ConventionMeta (id, title, scope, by, at)
 *   content        Y.XmlFragment  the live text, bound to the minutes' editor by y-prosemirror
 *   versions       Y.Map          version number → Version (consolidations, never changed)
 *   suggestions    Y.Map          id → Suggestion (residents' comments and proposed changes)
 *   verdicts       Y.Map          `<suggestion>:<device>:<at>` → SuggestionVerdict (the earliest per suggestion holds)
 *   ratifications  Y.Map          id → Ratification (a version put to a poll)
 *   results        Y.Map          `<ratification>:<device>` → RatificationResult
 *
 * Anchors: a suggestion points at a passage with two Yjs relative positions inside the passage's paragraph.
 * They follow the text through later edits, local or merged; when the passage is deleted the anchor resolves
 * to nothing and the suggestion shows the passage it quoted.
 */
import * as Y from 'yjs';
import { fromBase64, toBase64 } from 'lib0/buffer';
import {
	type ConventionMeta,
	type ConventionState,
	conventionState,
	parseMeta,
	parseRatification,
	parseResult,
	parseSuggestion,
	parseVerdict,
	parseVersion,
	QUOTE_MAX,
	type Ratification,
	type RatificationResult,
	type Suggestion,
	type SuggestionVerdict,
	type Version
} from '../domain/conventions';
import type { Actor } from '../domain/actor';
import { cstDay } from '../domain/calendar';
import type { PollOutcome } from '../domain/poll';
import { SCHEMA_VERSION } from './doc-names';
import { meta } from './meta';

/** The root key of the rich text: the editor binds `doc.getXmlFragment(CONVENTION_CONTENT)`. */
export const CONVENTION_CONTENT = 'content';

const content = (doc: Y.Doc) => doc.getXmlFragment(CONVENTION_CONTENT);
const versions = (doc: Y.Doc) => doc.getMap<unknown>('versions');
const suggestions = (doc: Y.Doc) => doc.getMap<unknown>('suggestions');
const verdicts = (doc: Y.Doc) => doc.getMap<unknown>('verdicts');
const ratifications = (doc: Y.Doc) => doc.getMap<unknown>('ratifications');
const results = (doc: Y.Doc) => doc.getMap<unknown>('results');

function readMeta(doc: Y.Doc): ConventionMeta | null {
	return parseMeta(meta(doc).get('convention'));
}

function collect<T>(map: Y.Map<unknown>, parse: (v: unknown) => T | null): T[] {
	const out: T[] = [];
	for (const value of map.values()) {
		const x = parse(value);
		if (x) out.push(x);
	}
	return out;
}

/** The whole convention folded, or null while its document has not arrived. */
export function readConvention(doc: Y.Doc): ConventionState | null {
	const m = readMeta(doc);
	if (!m) return null;
	return conventionState(
		m,
		collect(versions(doc), parseVersion),
		collect(suggestions(doc), parseSuggestion),
		collect(verdicts(doc), parseVerdict),
		collect(ratifications(doc), parseRatification),
		collect(results(doc), parseResult)
	);
}

/** Starts a convention: its record and a first paragraph of text (a title line to write under). */
export function startConvention(doc: Y.Doc, m: ConventionMeta, firstLine: string): void {
	doc.transact(() => {
		meta(doc).set('schema', SCHEMA_VERSION);
		meta(doc).set('convention', { ...m, scope: { ...m.scope } });
		if (content(doc).length === 0) {
			const p = new Y.XmlElement('paragraph');
			p.insert(0, [new Y.XmlText(firstLine)]);
			content(doc).insert(0, [p]);
		}
	});
}

// ------------------------------------------------------------------------------------------- the text

/** The paragraphs' texts in reading order (list items and quotes flattened), as the leaves that hold them. */
function leaves(doc: Y.Doc): Y.XmlText[] {
	const out: Y.XmlText[] = [];
	const walk = (node: Y.XmlElement | Y.XmlFragment) => {
		const texts = node.toArray().filter((c): c is Y.XmlText => c instanceof Y.XmlText);
		const elements = node.toArray().filter((c): c is Y.XmlElement => c instanceof Y.XmlElement);
		if (texts.length && node instanceof Y.XmlElement) out.push(texts[0]!);
		for (const e of elements) walk(e);
	};
	walk(content(doc));
	return out;
}

const plainOf = (t: Y.XmlText) =>
	(t.toDelta() as { insert: unknown }[]).map((d) => (typeof d.insert === 'string' ? d.insert : '')).join('');

/** The live text, one paragraph per line: what a consolidation freezes and what versions are diffed on. */
export function plainText(doc: Y.Doc): string {
	return leaves(doc).map(plainOf).join('\n');
}

export interface Anchor {
	start: string;
	end: string;
	quote: string;
}

/**
 * An anchor for characters [from, to) of paragraph `paragraph` (0-based, reading order), or null if that
 * passage does not exist. The start is attached to the passage's first character and the end to the first one
 * after it (or the paragraph's end), so text typed inside the passage, even in place of all of it, stays in it,
 * and text typed before it stays out.
 */
export function anchorPassage(doc: Y.Doc, paragraph: number, from: number, to: number): Anchor | null {
	const leaf = leaves(doc)[paragraph];
	if (!leaf || from < 0 || to <= from || to > leaf.length) return null;
	const start = Y.createRelativePositionFromTypeIndex(leaf, from);
	const end = Y.createRelativePositionFromTypeIndex(leaf, to);
	return {
		start: toBase64(Y.encodeRelativePosition(start)),
		end: toBase64(Y.encodeRelativePosition(end)),
		quote: plainOf(leaf).slice(from, to).slice(0, QUOTE_MAX)
	};
}

/**
 * Where an anchor points now: the paragraph, the range and the passage's current text; null when the passage
 * was deleted (nothing is left between its ends), its ends are in different paragraphs, or the anchor is
 * corrupt, so the suggestion falls back to its quote.
 */
export function resolveAnchor(doc: Y.Doc, anchor: Pick<Anchor, 'start' | 'end'>): { paragraph: number; from: number; to: number; text: string } | null {
	try {
		const start = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(anchor.start)), doc);
		const end = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(anchor.end)), doc);
		if (!start || !end || start.type !== end.type || !(start.type instanceof Y.XmlText)) return null;
		const { index: from } = start;
		const { index: to } = end;
		if (to <= from) return null;
		const paragraph = leaves(doc).indexOf(start.type);
		if (paragraph < 0) return null;
		return { paragraph, from, to, text: plainOf(start.type).slice(from, to) };
	} catch {
		return null;
	}
}

// --------------------------------------------------------------------------------------------- records

export function putSuggestion(doc: Y.Doc, s: Suggestion): void {
	suggestions(doc).set(s.id, { ...s, anchor: { ...s.anchor } });
}

export function putVerdict(doc: Y.Doc, v: SuggestionVerdict): void {
	verdicts(doc).set(`${v.suggestion}:${v.by.id}:${v.at}`, { ...v });
}

/** Freezes a version (a number is written once: a second consolidation offline under the same number is kept
 * only if it came first, see conventionState). */
export function putVersion(doc: Y.Doc, v: Version): void {
	const key = `${v.n}:${v.by.id}:${v.at}`;
	versions(doc).set(key, { ...v, accepted: [...v.accepted], rules: v.rules ? structuredClone(v.rules) : null });
}

export function putRatification(doc: Y.Doc, r: Ratification): void {
	ratifications(doc).set(r.id, { ...r });
}

export function putResult(doc: Y.Doc, r: RatificationResult): void {
	results(doc).set(`${r.ratification}:${r.by.id}`, { ...r });
}

/**
 * Records the outcome of the ratification polled by `poll` (its id), when its poll is closed with a tally. False
 * when the convention has no open ratification for this poll.
 */
export function recordRatificationResult(doc: Y.Doc, poll: string, outcome: PollOutcome['kind'], by: Actor, at: number): boolean {
	const ratification = readConvention(doc)?.ratifications.find((r) => r.poll === poll && !r.result);
	if (!ratification) return false;
	putResult(doc, { ratification: ratification.id, outcome, day: cstDay(at), by, at });
	return true;
}
