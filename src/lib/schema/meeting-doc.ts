/**
 * The meeting document: the PUBLIC part of a meeting (residents, grid workers and street admins read it;
 * facilitators and admins write it). Root keys:
 *   meta      Y.Map    schema, id, kind, title, startsAt, durationMin, place, facilitator, recurrence, series,
 *                      createdAt, createdBy (scalar fields, last writer wins per field)
 *   agenda    Y.Map    item id → AgendaItem (ordered by `order`, so items added on two devices both stay)
 *   invitees  Y.Map    id → Invitee (capacity and name as entered)
 *   versions  Y.Array  MinutesVersion, append-only: the approved minutes and later corrections (domain/meeting.ts)
 * The working minutes are in the private `minutes` document (minutes-doc.ts).
 */
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { newId } from '../domain/ids';
import {
	type AgendaItem,
	cstInstant,
	type FoldedVersion,
	foldVersions,
	type Invitee,
	isCapacity,
	isMeetingKind,
	isRecurrence,
	type MeetingDraft,
	type MeetingKind,
	type MinutesStatus,
	minutesStatus,
	type MinutesVersion,
	type Recurrence,
	sortAgenda
} from '../domain/meeting';
import type { IndexEntry } from './index-entry';
import { meta, writeMeta } from './meta';

export interface Meeting {
	id: string;
	kind: MeetingKind;
	title: string;
	startsAt: number;
	durationMin: number;
	place: string;
	facilitator: string;
	/** Talk days: the weekly slot of the series. */
	recurrence: Recurrence | null;
	/** A session of a series: the series' document name. */
	series?: string;
	agenda: AgendaItem[];
	invitees: Invitee[];
	versions: FoldedVersion[];
	status: MinutesStatus;
	createdAt: number;
	createdBy: Actor | null;
}

const agenda = (doc: Y.Doc) => doc.getMap<AgendaItem>('agenda');
const invitees = (doc: Y.Doc) => doc.getMap<Invitee>('invitees');
const versions = (doc: Y.Doc) => doc.getArray<MinutesVersion>('versions');

export function isMeetingDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('id') === 'string';
}

export interface CreateMeetingOptions {
	id: string;
	actor: Actor;
	now: number;
	/** The series a talk-day session belongs to. */
	series?: string;
}

export function createMeeting(doc: Y.Doc, draft: MeetingDraft, opts: CreateMeetingOptions): void {
	doc.transact(() => {
		writeMeta(doc, { id: opts.id, createdAt: opts.now, createdBy: opts.actor });
		if (opts.series) meta(doc).set('series', opts.series);
		editMeeting(doc, draft);
		draft.agenda.forEach((a, i) => addAgendaItem(doc, { id: newId(), title: a.title.trim(), ...(a.topic ? { topic: a.topic } : {}), order: i + 1 }));
		for (const i of draft.invitees) addInvitee(doc, { id: newId(), name: i.name.trim(), capacity: i.capacity });
	});
}

/** Writes the scalar fields of a draft that differ from the stored ones. */
export function editMeeting(doc: Y.Doc, d: Omit<MeetingDraft, 'agenda' | 'invitees'>): void {
	const m = meta(doc);
	const fields: Record<string, unknown> = {
		kind: d.kind,
		title: d.title.trim(),
		startsAt: cstInstant(d.day, d.time),
		durationMin: d.durationMin,
		place: d.place.trim(),
		facilitator: d.facilitator.trim(),
		recurrence: d.kind === 'talk_day' && d.recurrence ? d.recurrence : null
	};
	doc.transact(() => {
		for (const [key, value] of Object.entries(fields)) {
			if (JSON.stringify(m.get(key)) !== JSON.stringify(value)) m.set(key, value);
		}
	});
}

export function addAgendaItem(doc: Y.Doc, item: AgendaItem): void {
	agenda(doc).set(item.id, item);
}

export function removeAgendaItem(doc: Y.Doc, id: string): void {
	agenda(doc).delete(id);
}

export function addInvitee(doc: Y.Doc, invitee: Invitee): void {
	invitees(doc).set(invitee.id, invitee);
}

export function removeInvitee(doc: Y.Doc, id: string): void {
	invitees(doc).delete(id);
}

export function appendVersion(doc: Y.Doc, version: MinutesVersion): void {
	versions(doc).push([version]);
}

const isActor = (a: unknown): a is Actor => !!a && typeof a === 'object' && typeof (a as Actor).id === 'string' && typeof (a as Actor).name === 'string';

function isVersion(v: unknown): v is MinutesVersion {
	if (!v || typeof v !== 'object') return false;
	const x = v as MinutesVersion;
	return (
		typeof x.id === 'string' &&
		typeof x.at === 'number' &&
		isActor(x.by) &&
		!!x.content &&
		typeof x.content === 'object' &&
		!!x.attendance &&
		typeof x.attendance.total === 'number' &&
		Array.isArray(x.votes) &&
		Array.isArray(x.decisions) &&
		Array.isArray(x.actions)
	);
}

const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function readMeeting(doc: Y.Doc): Meeting {
	const m = meta(doc);
	const kind = m.get('kind');
	const recurrence = m.get('recurrence');
	const series = m.get('series');
	const folded = foldVersions(versions(doc).toArray().filter(isVersion));
	return {
		id: str(m.get('id')),
		kind: isMeetingKind(kind) ? kind : 'deliberation',
		title: str(m.get('title')),
		startsAt: num(m.get('startsAt')),
		durationMin: num(m.get('durationMin'), 60),
		place: str(m.get('place')),
		facilitator: str(m.get('facilitator')),
		recurrence: isRecurrence(recurrence) ? recurrence : null,
		...(typeof series === 'string' ? { series } : {}),
		agenda: sortAgenda([...agenda(doc).values()].filter((a) => typeof a?.id === 'string' && typeof a.title === 'string')),
		invitees: [...invitees(doc).values()].filter((i) => typeof i?.name === 'string' && isCapacity(i.capacity)),
		versions: folded,
		status: minutesStatus(folded),
		createdAt: num(m.get('createdAt')),
		createdBy: (m.get('createdBy') as Actor | undefined) ?? null
	};
}

type IndexSummary = Pick<IndexEntry, 'title' | 'createdBy' | 'updated' | 'count' | 'created' | 'members'>;

/** What the meetings list needs without opening each document; rides along in the index entry. */
export interface MeetingIndexFields {
	meetingKind: MeetingKind;
	startsAt: number;
	durationMin: number;
	place: string;
	minutes: MinutesStatus;
	recurrence?: Recurrence;
	series?: string;
}

export type MeetingIndexEntry = IndexEntry & MeetingIndexFields;

/** The index entry fields of a meeting (members: the agenda's topics); null while the document is empty. */
export function meetingSummary(doc: Y.Doc): (IndexSummary & MeetingIndexFields) | null {
	if (!isMeetingDoc(doc)) return null;
	const m = readMeeting(doc);
	return {
		title: m.title,
		createdBy: m.createdBy?.id ?? '',
		updated: Math.max(m.createdAt, m.versions.at(-1)?.at ?? 0),
		count: m.agenda.length,
		created: m.createdAt,
		members: m.agenda.flatMap((a) => (a.topic ? [a.topic] : [])),
		meetingKind: m.kind,
		startsAt: m.startsAt,
		durationMin: m.durationMin,
		place: m.place,
		minutes: m.status,
		...(m.recurrence ? { recurrence: m.recurrence } : {}),
		...(m.series ? { series: m.series } : {})
	};
}
