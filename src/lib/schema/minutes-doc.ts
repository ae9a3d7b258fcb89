/**
 * The minutes document: the PRIVATE working part of a meeting (facilitators and admins write, grid workers read,
 * residents and street admins never see it). Root keys:
 *   meta           Y.Map          schema, meeting (id), title
 *   content        Y.XmlFragment  the live rich text, bound to the editor by y-prosemirror (node names and
 *                                 attributes are ProseMirror's: paragraph, heading{level}, bullet_list …)
 *   notes          Y.Text         private notes, never published
 *   attendance     Y.Map          attendee id → Attendee (check-ins on several devices merge)
 *   votes          Y.Map          vote id → MeetingVote
 *   hands          Y.Map          count id → HandCountRecord (the latest per vote stands)
 *   choices        Y.Map          `<vote>:<attendee>` → AttendeeChoice (a roll call: one choice per attendee)
 *   decisions      Y.Map          id → Decision
 *   actions        Y.Map          id → ActionItem
 *   confirmations  Y.Map          attendee id → Confirmation (an attendee confirmed the minutes)
 * Approval copies the public parts into the meeting document (meeting-doc.ts).
 */
import * as Y from 'yjs';
import {
	type ActionItem,
	type Attendee,
	type AttendeeChoice,
	type Confirmation,
	type Decision,
	type HandCountRecord,
	isCapacity,
	type MeetingVote,
	type MinutesWork,
	type RichMark,
	type RichNode
} from '../domain/meeting';
import type { IndexEntry } from './index-entry';
import { meta, writeMeta } from './meta';

/** The root key of the rich text: the editor binds `doc.getXmlFragment(MINUTES_CONTENT)`. */
export const MINUTES_CONTENT = 'content';

const content = (doc: Y.Doc) => doc.getXmlFragment(MINUTES_CONTENT);
const notes = (doc: Y.Doc) => doc.getText('notes');
const attendance = (doc: Y.Doc) => doc.getMap<Attendee>('attendance');
const votes = (doc: Y.Doc) => doc.getMap<MeetingVote>('votes');
const hands = (doc: Y.Doc) => doc.getMap<HandCountRecord>('hands');
const choices = (doc: Y.Doc) => doc.getMap<AttendeeChoice>('choices');
const decisions = (doc: Y.Doc) => doc.getMap<Decision>('decisions');
const actions = (doc: Y.Doc) => doc.getMap<ActionItem>('actions');
const confirmations = (doc: Y.Doc) => doc.getMap<Confirmation>('confirmations');

export function isMinutesDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('meeting') === 'string';
}

/** FNV-1a, 32 bits: a client id derived from the template's own content. */
function fnv1a(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h || 1;
}

export interface TemplateSection {
	title: string;
}

/**
 * The minutes template as one Yjs update: a level-2 heading and an empty paragraph per agenda section.
 *
 * It is written under a client id derived from the meeting and the template itself, so two devices that create
 * the same template offline (two facilitators opening a talk-day session) produce byte-identical structs, which
 * Yjs merges into one copy. Different templates hash to different ids, so they never collide: both stay.
 */
export function minutesTemplateUpdate(meetingId: string, sections: readonly TemplateSection[]): Uint8Array {
	const fresh = new Y.Doc();
	fresh.clientID = fnv1a(JSON.stringify([meetingId, sections.map((s) => s.title)]));
	const fragment = fresh.getXmlFragment(MINUTES_CONTENT);
	const nodes: Y.XmlElement[] = [];
	for (const s of sections) {
		const heading = new Y.XmlElement('heading');
		// y-prosemirror keeps attribute values as typed: the level is a number, as the editor writes it.
		(heading as Y.XmlElement<{ level: number }>).setAttribute('level', 2);
		heading.insert(0, [new Y.XmlText(s.title)]);
		nodes.push(heading, new Y.XmlElement('paragraph'));
	}
	fragment.insert(0, nodes);
	const update = Y.encodeStateAsUpdate(fresh);
	fresh.destroy();
	return update;
}

export function createMinutes(doc: Y.Doc, opts: { meetingId: string; title: string; sections: readonly TemplateSection[] }): void {
	doc.transact(() => writeMeta(doc, { meeting: opts.meetingId, title: opts.title }));
	if (content(doc).length === 0) Y.applyUpdate(doc, minutesTemplateUpdate(opts.meetingId, opts.sections));
}

// ---- reading ----

function xmlToRich(node: Y.XmlElement | Y.XmlText | Y.XmlHook): RichNode[] {
	if (node instanceof Y.XmlText) {
		const out: RichNode[] = [];
		for (const op of node.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
			if (typeof op.insert !== 'string') continue;
			// y-prosemirror stores marks as formatting attributes: mark name → mark attributes.
			const marks: RichMark[] = Object.entries(op.attributes ?? {}).map(([type, attrs]) => ({
				type: type.split('--')[0] as string,
				...(attrs && typeof attrs === 'object' && Object.keys(attrs).length ? { attrs: attrs as Record<string, unknown> } : {})
			}));
			out.push({ type: 'text', text: op.insert, ...(marks.length ? { marks } : {}) });
		}
		return out;
	}
	if (!(node instanceof Y.XmlElement)) return [];
	const attrs = node.getAttributes() as Record<string, unknown>;
	const children = node.toArray().flatMap((c) => xmlToRich(c as Y.XmlElement | Y.XmlText));
	return [{ type: node.nodeName, ...(Object.keys(attrs).length ? { attrs } : {}), ...(children.length ? { content: children } : {}) }];
}

/** The rich text as ProseMirror JSON, without loading ProseMirror (the relay and lists use it too). */
export function readMinutesContent(doc: Y.Doc): RichNode {
	const children = content(doc)
		.toArray()
		.flatMap((c) => xmlToRich(c as Y.XmlElement | Y.XmlText));
	return { type: 'doc', ...(children.length ? { content: children } : {}) };
}

const isActorLike = (a: unknown) => !!a && typeof a === 'object' && typeof (a as { id?: unknown }).id === 'string';
const valid = <T extends { at: number; by: unknown }>(x: T | undefined): x is T =>
	!!x && typeof x === 'object' && typeof x.at === 'number' && isActorLike(x.by);

export interface MinutesDoc extends MinutesWork {
	meeting: string;
	title: string;
	notes: string;
}

export function readMinutes(doc: Y.Doc): MinutesDoc {
	const m = meta(doc);
	return {
		meeting: String(m.get('meeting') ?? ''),
		title: String(m.get('title') ?? ''),
		content: readMinutesContent(doc),
		notes: notes(doc).toString(),
		attendees: [...attendance(doc).values()].filter((a) => valid(a) && typeof a.name === 'string' && isCapacity(a.capacity)),
		confirmations: [...confirmations(doc).values()].filter((c) => valid(c) && typeof c.attendee === 'string'),
		votes: [...votes(doc).values()].filter((v) => valid(v) && Array.isArray(v.options) && (v.mode === 'hands' || v.mode === 'roll')),
		hands: [...hands(doc).values()].filter((h) => valid(h) && typeof h.vote === 'string' && !!h.counts && typeof h.counts === 'object'),
		choices: [...choices(doc).values()].filter((c) => valid(c) && typeof c.vote === 'string' && typeof c.attendee === 'string'),
		decisions: [...decisions(doc).values()].filter((d) => valid(d) && typeof d.text === 'string' && Array.isArray(d.proposals)),
		actions: [...actions(doc).values()].filter((a) => valid(a) && typeof a.task === 'string' && typeof a.owner === 'string')
	};
}

// ---- writing ----

export function checkIn(doc: Y.Doc, a: Attendee): void {
	attendance(doc).set(a.id, a);
}

/** Marks a check-in as a mistake (kept for the record); `removed: false` restores it. */
export function setAttendeeRemoved(doc: Y.Doc, id: string, removed: boolean): void {
	const a = attendance(doc).get(id);
	if (a) attendance(doc).set(id, { ...a, removed });
}

export function addVote(doc: Y.Doc, v: MeetingVote): void {
	votes(doc).set(v.id, v);
}

export function removeVote(doc: Y.Doc, id: string): void {
	const v = votes(doc).get(id);
	if (v) votes(doc).set(id, { ...v, removed: true });
}

export function recordHands(doc: Y.Doc, count: HandCountRecord): void {
	hands(doc).set(count.id, count);
}

export function recordChoice(doc: Y.Doc, c: AttendeeChoice): void {
	choices(doc).set(`${c.vote}:${c.attendee}`, c);
}

export function putDecision(doc: Y.Doc, d: Decision): void {
	decisions(doc).set(d.id, d);
}

export function putAction(doc: Y.Doc, a: ActionItem): void {
	actions(doc).set(a.id, a);
}

export function removeDecision(doc: Y.Doc, id: string): void {
	const d = decisions(doc).get(id);
	if (d) decisions(doc).set(id, { ...d, removed: true });
}

export function removeAction(doc: Y.Doc, id: string): void {
	const a = actions(doc).get(id);
	if (a) actions(doc).set(id, { ...a, removed: true });
}

export function confirm(doc: Y.Doc, c: Confirmation): void {
	confirmations(doc).set(c.attendee, c);
}

export function unconfirm(doc: Y.Doc, attendee: string): void {
	confirmations(doc).delete(attendee);
}

/** Replaces the private notes, touching only the part that differs so concurrent edits elsewhere survive. */
export function setNotes(doc: Y.Doc, next: string): boolean {
	const text = notes(doc);
	const current = text.toString();
	if (current === next) return false;
	let start = 0;
	while (start < current.length && current[start] === next[start]) start++;
	let endOld = current.length;
	let endNew = next.length;
	while (endOld > start && endNew > start && current[endOld - 1] === next[endNew - 1]) {
		endOld--;
		endNew--;
	}
	doc.transact(() => {
		text.delete(start, endOld - start);
		text.insert(start, next.slice(start, endNew));
	});
	return true;
}

type IndexSummary = Pick<IndexEntry, 'title' | 'createdBy' | 'updated' | 'count'>;

/** The private document's index entry: its meeting's title, attendance and the last record's time. */
export function minutesSummary(doc: Y.Doc): IndexSummary | null {
	if (!isMinutesDoc(doc)) return null;
	const m = meta(doc);
	const times = [attendance, decisions, actions, votes].flatMap((get) => [...get(doc).values()].map((x) => (typeof x?.at === 'number' ? x.at : 0)));
	return {
		title: String(m.get('title') ?? ''),
		createdBy: '',
		updated: Math.max(0, ...times),
		count: [...attendance(doc).values()].filter((a) => !a?.removed).length
	};
}
