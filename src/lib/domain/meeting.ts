/**
 * Meetings (议事会, 板凳会, 坝坝会, 楼头会, talk days such as 周二说事) and their minutes (product design §1.3).
 *
 * A meeting has a public part (kind, time, place, facilitator, agenda, invitees, the approved minutes) and a
 * private working part (live text, private notes, attendance with capacities, votes, decisions and actions while
 * in draft, attendees' confirmations). Approval publishes a snapshot of the private part's public pieces as a
 * version; a later version is a correction. Versions are append-only and numbered by (time, id), so two
 * facilitators approving offline both keep their record and every device numbers them alike.
 *
 * Times are instants (ms); a meeting's day and clock time are read in China Standard Time like calendar.ts.
 * Plain data and pure functions, tested in Node.
 */
import type { Actor, Role } from './actor';
import { addDays, CST_OFFSET_MS, cstDay, type Day, isDay } from './calendar';
import { can } from './permissions';

// ---- vocabulary ----

export type MeetingKind = 'deliberation' | 'bench' | 'courtyard' | 'building_head' | 'talk_day';
export const MEETING_KINDS: readonly MeetingKind[] = ['deliberation', 'bench', 'courtyard', 'building_head', 'talk_day'];

/** In what capacity someone attends; counts by capacity appear in the minutes. */
export type Capacity =
	| 'party_member'
	| 'resident_rep'
	| 'property_company'
	| 'owners_committee'
	| 'building_head'
	| 'deputy'
	| 'legal_adviser'
	| 'stakeholder'
	| 'third_party'
	| 'grid_worker'
	| 'resident';
export const CAPACITIES: readonly Capacity[] = [
	'party_member',
	'resident_rep',
	'property_company',
	'owners_committee',
	'building_head',
	'deputy',
	'legal_adviser',
	'stakeholder',
	'third_party',
	'grid_worker',
	'resident'
];

export const isMeetingKind = (v: unknown): v is MeetingKind => MEETING_KINDS.includes(v as MeetingKind);
export const isCapacity = (v: unknown): v is Capacity => CAPACITIES.includes(v as Capacity);

/**
 * Roles that run a community's meetings and write minutes (the access matrix gives them write on both documents);
 * a street admin runs only the street office's own, which the role alone does not tell.
 */
export const mayRunMeetings = (role: Role) => can({ role }, 'run-meeting');

// ---- China Standard Time ----

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const isClockTime = (v: unknown): v is string => typeof v === 'string' && TIME.test(v);

/** The instant of `day` at `time` ("19:30") in CST. */
export function cstInstant(day: Day, time: string): number {
	const [y, m, d] = day.split('-').map(Number) as [number, number, number];
	const [hh, mm] = time.split(':').map(Number) as [number, number];
	return Date.UTC(y, m - 1, d, hh, mm) - CST_OFFSET_MS;
}

/** "HH:MM" of an instant in CST. */
export function cstTime(at: number): string {
	return new Date(at + CST_OFFSET_MS).toISOString().slice(11, 16);
}

/** ISO weekday of a day: 1 Monday … 7 Sunday. */
export function weekdayOf(day: Day): number {
	const [y, m, d] = day.split('-').map(Number) as [number, number, number];
	return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

// ---- the meeting ----

export interface AgendaItem {
	id: string;
	title: string;
	/** Document name of the topic (议题) the item deliberates, when it comes from the deliberation list. */
	topic?: string;
	/** Sort key; items added concurrently keep both, ordered by key then id. */
	order: number;
}

export interface Invitee {
	id: string;
	name: string;
	capacity: Capacity;
}

/** A recurring talk day: every week on `weekday` (1 Monday … 7 Sunday) at `time` CST. */
export interface Recurrence {
	weekday: number;
	time: string;
}

export function isRecurrence(r: unknown): r is Recurrence {
	if (!r || typeof r !== 'object') return false;
	const { weekday, time } = r as Recurrence;
	return Number.isInteger(weekday) && weekday >= 1 && weekday <= 7 && isClockTime(time);
}

export interface MeetingDraft {
	kind: MeetingKind;
	title: string;
	day: Day;
	time: string;
	durationMin: number;
	place: string;
	/** The person who chairs it, as entered (they may not have a device). */
	facilitator: string;
	agenda: { title: string; topic?: string }[];
	invitees: { name: string; capacity: Capacity }[];
	/** Talk days only: the weekly slot; the meeting is then a series, each session its own meeting. */
	recurrence?: Recurrence | null;
}

export const MEETING_TITLE_MAX = 80;
export const PLACE_MAX = 60;
export const NAME_MAX = 40;
export const AGENDA_MAX = 30;
export const TEXT_MAX = 2000;

export type MeetingIssue =
	| { field: 'title'; code: 'required' | 'too_long' }
	| { field: 'kind'; code: 'invalid' }
	| { field: 'day'; code: 'invalid' }
	| { field: 'time'; code: 'invalid' }
	| { field: 'duration'; code: 'invalid' }
	| { field: 'place'; code: 'required' | 'too_long' }
	| { field: 'facilitator'; code: 'required' | 'too_long' }
	| { field: 'agenda'; code: 'too_many' | 'blank' }
	| { field: 'invitees'; code: 'blank' | 'capacity' }
	| { field: 'recurrence'; code: 'invalid' | 'not_talk_day' };

export function validateMeeting(d: MeetingDraft): MeetingIssue[] {
	const issues: MeetingIssue[] = [];
	const title = d.title.trim();
	if (!title) issues.push({ field: 'title', code: 'required' });
	else if (title.length > MEETING_TITLE_MAX) issues.push({ field: 'title', code: 'too_long' });
	if (!isMeetingKind(d.kind)) issues.push({ field: 'kind', code: 'invalid' });
	if (!isDay(d.day)) issues.push({ field: 'day', code: 'invalid' });
	if (!isClockTime(d.time)) issues.push({ field: 'time', code: 'invalid' });
	if (!Number.isInteger(d.durationMin) || d.durationMin < 5 || d.durationMin > 12 * 60) issues.push({ field: 'duration', code: 'invalid' });
	const place = d.place.trim();
	if (!place) issues.push({ field: 'place', code: 'required' });
	else if (place.length > PLACE_MAX) issues.push({ field: 'place', code: 'too_long' });
	const facilitator = d.facilitator.trim();
	if (!facilitator) issues.push({ field: 'facilitator', code: 'required' });
	else if (facilitator.length > NAME_MAX) issues.push({ field: 'facilitator', code: 'too_long' });
	if (d.agenda.length > AGENDA_MAX) issues.push({ field: 'agenda', code: 'too_many' });
	if (d.agenda.some((a) => !a.title.trim())) issues.push({ field: 'agenda', code: 'blank' });
	if (d.invitees.some((i) => !i.name.trim())) issues.push({ field: 'invitees', code: 'blank' });
	if (d.invitees.some((i) => !isCapacity(i.capacity))) issues.push({ field: 'invitees', code: 'capacity' });
	if (d.recurrence) {
		if (!isRecurrence(d.recurrence)) issues.push({ field: 'recurrence', code: 'invalid' });
		else if (d.kind !== 'talk_day') issues.push({ field: 'recurrence', code: 'not_talk_day' });
	}
	return issues;
}

export function sortAgenda<T extends Pick<AgendaItem, 'id' | 'order'>>(items: readonly T[]): T[] {
	return [...items].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export type MeetingPhase = 'upcoming' | 'under_way' | 'past';

export function meetingPhase(m: { startsAt: number; durationMin: number }, now: number): MeetingPhase {
	if (now < m.startsAt) return 'upcoming';
	return now < m.startsAt + m.durationMin * 60_000 ? 'under_way' : 'past';
}

/** The next session of a series that has not ended by `now` (a session under way counts). */
export function nextOccurrence(r: Recurrence, durationMin: number, now: number): { day: Day; at: number } {
	let day = cstDay(now);
	for (let i = 0; i < 8; i++, day = addDays(day, 1)) {
		if (weekdayOf(day) !== r.weekday) continue;
		const at = cstInstant(day, r.time);
		if (at + durationMin * 60_000 > now) return { day, at };
	}
	// Unreachable for a valid recurrence: within eight days the weekday recurs after today.
	throw new RangeError('invalid recurrence');
}

/**
 * The meeting id of a series' session on `day`. Deterministic, so two facilitators opening the same session
 * offline open one meeting whose documents merge.
 */
export function sessionId(seriesId: string, day: Day): string {
	return `${seriesId}-${day.replaceAll('-', '')}`;
}

export interface MeetingListItem {
	doc: string;
	startsAt: number;
	durationMin: number;
	recurrence?: Recurrence | null;
	/** Set on a session of a series: the series' document name. */
	series?: string;
}

/** The meetings page: sessions to come (soonest first), recurring series, and past meetings (latest first). */
export function groupMeetings<T extends MeetingListItem>(items: readonly T[], now: number): { upcoming: T[]; series: T[]; past: T[] } {
	const upcoming: T[] = [];
	const series: T[] = [];
	const past: T[] = [];
	for (const m of items) {
		if (m.recurrence) series.push(m);
		else if (meetingPhase(m, now) === 'past') past.push(m);
		else upcoming.push(m);
	}
	const next = (m: T) => (m.recurrence ? nextOccurrence(m.recurrence, m.durationMin, now).at : m.startsAt);
	upcoming.sort((a, b) => a.startsAt - b.startsAt);
	series.sort((a, b) => next(a) - next(b));
	past.sort((a, b) => b.startsAt - a.startsAt);
	return { upcoming, series, past };
}

// ---- dates that make no sense ----

/**
 * What is done at or after a meeting and dated by the device's clock: a check-in or a vote recorded at the
 * meeting belongs to the meeting's day; approving the minutes comes on that day or later.
 */
export type DatedAction = 'attendance' | 'vote' | 'approval';
export const REASON_MAX = 200;

export interface DateMismatch {
	action: DatedAction;
	meetingDay: Day;
	actionDay: Day;
}

/**
 * The meeting's CST day and the action's when they make no sense together (a check-in on 3 December for a
 * meeting on the 9th), or null. A recurring series is not a meeting of its own: its sessions are checked.
 */
export function dateMismatch(
	action: DatedAction,
	meeting: { startsAt: number; recurrence?: Recurrence | null },
	at: number
): DateMismatch | null {
	if (meeting.recurrence || !Number.isFinite(meeting.startsAt) || !Number.isFinite(at)) return null;
	const meetingDay = cstDay(meeting.startsAt);
	const actionDay = cstDay(at);
	const off = action === 'approval' ? actionDay < meetingDay : actionDay !== meetingDay;
	return off ? { action, meetingDay, actionDay } : null;
}

export const hasReason = (reason: unknown): reason is string => typeof reason === 'string' && reason.trim().length > 0;

/** True when the action may not be recorded as it is: its date makes no sense and no reason is given. */
export function needsDateReason(action: DatedAction, meeting: { startsAt: number; recurrence?: Recurrence | null }, at: number, reason?: unknown): boolean {
	return dateMismatch(action, meeting, at) !== null && !hasReason(reason);
}

// ---- attendance ----

export interface Attendee {
	id: string;
	name: string;
	capacity: Capacity;
	/** The invitee this check-in answers, if it was one. */
	invitee?: string;
	/** The attendee's household and its grid, when picked from the register: their recorded vote on a household
	 * poll's question is then that household's ballot. */
	household?: string;
	grid?: string;
	/** Check-in time. */
	at: number;
	by: Actor;
	/** Checked in by mistake: kept for the record, counted nowhere. */
	removed?: boolean;
	/** Why a check-in was recorded on another day than the meeting's (see dateMismatch). */
	reason?: string;
}

export type CapacityCounts = Partial<Record<Capacity, number>>;

export interface AttendanceSummary {
	total: number;
	byCapacity: CapacityCounts;
	/**
	 * Check-ins under the same name (two devices checking one person in, or two people of one name): counted as
	 * recorded and shown to the facilitator to settle, never merged silently.
	 */
	sameName: Attendee[][];
}

export const normalizeName = (name: string) => name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

export const activeAttendees = (list: readonly Attendee[]) =>
	[...list].filter((a) => !a.removed).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));

export function attendanceSummary(list: readonly Attendee[]): AttendanceSummary {
	const active = activeAttendees(list);
	const byCapacity: CapacityCounts = {};
	const byName = new Map<string, Attendee[]>();
	for (const a of active) {
		byCapacity[a.capacity] = (byCapacity[a.capacity] ?? 0) + 1;
		const key = normalizeName(a.name);
		byName.set(key, [...(byName.get(key) ?? []), a]);
	}
	return { total: active.length, byCapacity, sameName: [...byName.values()].filter((g) => g.length > 1) };
}

/** Invitees not checked in yet (a check-in answers an invitee by id, or by the same name). */
export function notArrived(invitees: readonly Invitee[], attendees: readonly Attendee[]): Invitee[] {
	const active = activeAttendees(attendees);
	const ids = new Set(active.map((a) => a.invitee).filter(Boolean));
	const names = new Set(active.map((a) => normalizeName(a.name)));
	return invitees.filter((i) => !ids.has(i.id) && !names.has(normalizeName(i.name)));
}

// ---- votes at the meeting ----

export type VoteMode = 'hands' | 'roll';

export interface VoteOption {
	id: string;
	label: string;
	/** 弃权: counts as taking part, never carries. */
	abstain?: boolean;
}

export interface MeetingVote {
	id: string;
	question: string;
	options: VoteOption[];
	/** 'hands': a count per option; 'roll': each attendee's choice is recorded. */
	mode: VoteMode;
	agendaItem?: string;
	/** Document name of the household poll this vote feeds (options then carry the poll's option ids). */
	poll?: string;
	at: number;
	by: Actor;
	removed?: boolean;
}

/** A show-of-hands count; a later count of the same vote replaces an earlier one. */
export interface HandCountRecord {
	id: string;
	vote: string;
	counts: Record<string, number>;
	at: number;
	by: Actor;
	/** Why the count was recorded on another day than the meeting's. */
	reason?: string;
}

/** One attendee's recorded choice in a roll-call vote (one per attendee and vote; null withdraws it). */
export interface AttendeeChoice {
	vote: string;
	attendee: string;
	option: string | null;
	at: number;
	by: Actor;
	/** Why the choice was recorded on another day than the meeting's. */
	reason?: string;
}

export interface VoteResult {
	vote: string;
	question: string;
	mode: VoteMode;
	poll?: string;
	options: (VoteOption & { count: number })[];
	/** Hands raised or choices recorded, in all. */
	total: number;
	/** Attendees present when the result was read. */
	present: number;
	/** The option more than half of those present chose, if one did (never an abstention). */
	carried: string | null;
	/** More hands than attendees checked in: the count or the check-in is incomplete. */
	overCount: boolean;
}

export function latestHandCount(counts: readonly HandCountRecord[], vote: string): HandCountRecord | null {
	let latest: HandCountRecord | null = null;
	for (const c of counts) {
		if (c.vote !== vote) continue;
		if (!latest || c.at > latest.at || (c.at === latest.at && c.id > latest.id)) latest = c;
	}
	return latest;
}

export function voteResult(
	vote: MeetingVote,
	hands: readonly HandCountRecord[],
	choices: readonly AttendeeChoice[],
	attendees: readonly Attendee[]
): VoteResult {
	const active = new Set(activeAttendees(attendees).map((a) => a.id));
	const counts = new Map<string, number>(vote.options.map((o) => [o.id, 0]));
	if (vote.mode === 'hands') {
		const latest = latestHandCount(hands, vote.id);
		for (const [option, n] of Object.entries(latest?.counts ?? {})) {
			if (counts.has(option) && Number.isInteger(n) && n > 0) counts.set(option, n);
		}
	} else {
		for (const c of choices) {
			if (c.vote !== vote.id || c.option === null || !active.has(c.attendee) || !counts.has(c.option)) continue;
			counts.set(c.option, (counts.get(c.option) ?? 0) + 1);
		}
	}
	const total = [...counts.values()].reduce((s, n) => s + n, 0);
	const present = active.size;
	// Against those present; with nobody checked in, against those who voted.
	const base = present > 0 ? present : total;
	const carried = vote.options.find((o) => !o.abstain && (counts.get(o.id) ?? 0) * 2 > base && base > 0)?.id ?? null;
	return {
		vote: vote.id,
		question: vote.question,
		mode: vote.mode,
		...(vote.poll ? { poll: vote.poll } : {}),
		options: vote.options.map((o) => ({ ...o, count: counts.get(o.id) ?? 0 })),
		total,
		present,
		carried,
		overCount: present > 0 && total > present
	};
}

// ---- decisions and action items ----

export interface Decision {
	id: string;
	text: string;
	agendaItem?: string;
	/** The topic decided on; its proposals are listed in `proposals` when the decision is recorded. */
	topic?: string;
	/** Document names of the proposals concerned: their timelines show the decision once approved. */
	proposals: string[];
	/** The meeting vote it rests on. */
	vote?: string;
	at: number;
	by: Actor;
	removed?: boolean;
}

export interface ActionItem {
	id: string;
	/** What is to be done. */
	task: string;
	/** Who does it: a person, household or party (property company, building head …) as entered. */
	owner: string;
	due?: Day;
	decision?: string;
	topic?: string;
	at: number;
	by: Actor;
	removed?: boolean;
}

export type DecisionIssue = 'text_required' | 'text_too_long';
export type ActionIssue = 'task_required' | 'owner_required' | 'due_invalid' | 'too_long';

export function validateDecision(d: Pick<Decision, 'text'>): DecisionIssue[] {
	const text = d.text.trim();
	if (!text) return ['text_required'];
	return text.length > TEXT_MAX ? ['text_too_long'] : [];
}

export function validateAction(a: Pick<ActionItem, 'task' | 'owner' | 'due'>): ActionIssue[] {
	const issues: ActionIssue[] = [];
	if (!a.task.trim()) issues.push('task_required');
	if (!a.owner.trim()) issues.push('owner_required');
	if (a.due !== undefined && !isDay(a.due)) issues.push('due_invalid');
	if (a.task.length > TEXT_MAX || a.owner.length > NAME_MAX * 2) issues.push('too_long');
	return issues;
}

const byTime = <T extends { at: number; id: string }>(list: readonly T[]) =>
	[...list].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export const activeDecisions = (list: readonly Decision[]) => byTime(list.filter((d) => !d.removed));
export const activeActions = (list: readonly ActionItem[]) => byTime(list.filter((a) => !a.removed));
export const activeVotes = (list: readonly MeetingVote[]) => byTime(list.filter((v) => !v.removed));

/** An action item past its due day (the day itself is still on time). */
export const isOverdue = (a: Pick<ActionItem, 'due'>, today: Day) => !!a.due && a.due < today;

// ---- rich text (the minutes' content, as ProseMirror JSON) ----

export interface RichMark {
	type: string;
	attrs?: Record<string, unknown>;
}

export interface RichNode {
	type: string;
	attrs?: Record<string, unknown>;
	content?: RichNode[];
	text?: string;
	marks?: RichMark[];
}

const BLOCKS = new Set(['doc', 'paragraph', 'heading', 'blockquote', 'code_block', 'bullet_list', 'ordered_list', 'list_item', 'horizontal_rule']);
const INLINE = new Set(['text', 'hard_break']);
const MARKS = new Set(['strong', 'em', 'code', 'link']);
/** Nodes kept in a published snapshot at most, so a hostile document cannot blow up every reader. */
export const RICH_MAX_NODES = 50_000;

const safeHref = (href: unknown): string | null =>
	typeof href === 'string' && /^(https?:|mailto:)/i.test(href.trim()) ? href.trim() : null;

function sanitizeMarks(marks: readonly RichMark[] | undefined): RichMark[] {
	const out: RichMark[] = [];
	for (const m of marks ?? []) {
		if (!MARKS.has(m.type)) continue;
		if (m.type === 'link') {
			const href = safeHref(m.attrs?.href);
			if (href) out.push({ type: 'link', attrs: { href } });
		} else out.push({ type: m.type });
	}
	return out;
}

/**
 * Keeps only the node and mark types the public view renders, with checked attributes (heading level 1–6,
 * list start, http(s)/mailto links). Unknown blocks give way to their content; unknown inline nodes are dropped.
 */
export function sanitizeRich(root: RichNode): RichNode {
	let budget = RICH_MAX_NODES;
	const walk = (n: RichNode): RichNode[] => {
		if (budget-- <= 0 || !n || typeof n !== 'object' || typeof n.type !== 'string') return [];
		if (n.type === 'text') {
			if (typeof n.text !== 'string' || !n.text) return [];
			const marks = sanitizeMarks(n.marks);
			return [{ type: 'text', text: n.text, ...(marks.length ? { marks } : {}) }];
		}
		if (n.type === 'hard_break' || n.type === 'horizontal_rule') return [{ type: n.type }];
		const content = (Array.isArray(n.content) ? n.content : []).flatMap(walk);
		if (!BLOCKS.has(n.type)) return INLINE.has(n.type) ? [] : content;
		const node: RichNode = { type: n.type };
		if (n.type === 'heading') {
			const level = Number(n.attrs?.level);
			node.attrs = { level: Number.isInteger(level) && level >= 1 && level <= 6 ? level : 2 };
		} else if (n.type === 'ordered_list') {
			const order = Number(n.attrs?.order);
			if (Number.isInteger(order) && order > 1) node.attrs = { order };
		}
		if (content.length) node.content = content;
		return [node];
	};
	const [doc] = walk({ ...root, type: 'doc' });
	return doc ?? { type: 'doc' };
}

/** The text of a rich document, blocks separated by newlines (for search, previews and tests). */
export function richPlainText(node: RichNode): string {
	if (node.type === 'text') return node.text ?? '';
	if (node.type === 'hard_break') return '\n';
	const inner = (node.content ?? []).map(richPlainText);
	const isBlockParent = (node.content ?? []).some((c) => BLOCKS.has(c.type));
	return inner.join(isBlockParent ? '\n' : '');
}

// ---- approval and published versions ----

export interface Confirmation {
	attendee: string;
	at: number;
	by: Actor;
}

/** What approval publishes of a decision and of an action item: not who recorded it, when, or where on the agenda. */
export type PublicDecision = Omit<Decision, 'agendaItem' | 'at' | 'by' | 'removed'>;
export type PublicAction = Omit<ActionItem, 'at' | 'by' | 'removed'>;

/** What approval publishes: no private notes, no attendee names (counts by capacity only). */
export interface PublishedMinutes {
	content: RichNode;
	attendance: { total: number; byCapacity: CapacityCounts };
	/** Attendees who confirmed the minutes. */
	confirmed: number;
	votes: VoteResult[];
	decisions: PublicDecision[];
	actions: PublicAction[];
}

export interface MinutesVersion extends PublishedMinutes {
	id: string;
	at: number;
	by: Actor;
	/** What a correction changed and why. */
	note?: string;
	/** Why the minutes were approved before the meeting's day (see dateMismatch). */
	reason?: string;
}

export interface FoldedVersion extends MinutesVersion {
	/** 1 for the approved minutes, 2… for corrections. */
	number: number;
	correction: boolean;
}

/** Orders versions by time then id and numbers them: the first is the approval, every later one a correction. */
export function foldVersions(versions: readonly MinutesVersion[]): FoldedVersion[] {
	return byTime(versions).map((v, i) => ({ ...v, number: i + 1, correction: i > 0 }));
}

export type MinutesStatus = 'draft' | 'approved' | 'corrected';

export function minutesStatus(versions: readonly MinutesVersion[]): MinutesStatus {
	return versions.length === 0 ? 'draft' : versions.length === 1 ? 'approved' : 'corrected';
}

/** The private working state from which a version is published. */
export interface MinutesWork {
	content: RichNode;
	attendees: readonly Attendee[];
	confirmations: readonly Confirmation[];
	votes: readonly MeetingVote[];
	hands: readonly HandCountRecord[];
	choices: readonly AttendeeChoice[];
	decisions: readonly Decision[];
	actions: readonly ActionItem[];
}

/** Confirmations by attendees still counted (a removed check-in's confirmation does not count). */
export function confirmedAttendees(w: Pick<MinutesWork, 'attendees' | 'confirmations'>): string[] {
	const active = new Set(activeAttendees(w.attendees).map((a) => a.id));
	return [...new Set(w.confirmations.map((c) => c.attendee))].filter((id) => active.has(id));
}

export function publication(w: MinutesWork): PublishedMinutes {
	const summary = attendanceSummary(w.attendees);
	return {
		content: sanitizeRich(w.content),
		attendance: { total: summary.total, byCapacity: summary.byCapacity },
		confirmed: confirmedAttendees(w).length,
		votes: activeVotes(w.votes).map((v) => voteResult(v, w.hands, w.choices, w.attendees)),
		decisions: activeDecisions(w.decisions).map((d) => ({
			id: d.id,
			text: d.text.trim(),
			...(d.topic ? { topic: d.topic } : {}),
			proposals: [...new Set(d.proposals)],
			...(d.vote ? { vote: d.vote } : {})
		})),
		actions: activeActions(w.actions).map((a) => ({
			id: a.id,
			task: a.task.trim(),
			owner: a.owner.trim(),
			...(a.due ? { due: a.due } : {}),
			...(a.decision ? { decision: a.decision } : {}),
			...(a.topic ? { topic: a.topic } : {})
		}))
	};
}

/** Whether two publications say the same (so a correction with no change is refused). */
export function samePublication(a: PublishedMinutes, b: PublishedMinutes): boolean {
	const key = (p: PublishedMinutes) =>
		JSON.stringify([p.content, p.attendance.total, CAPACITIES.map((c) => p.attendance.byCapacity[c] ?? 0), p.confirmed, p.votes, p.decisions, p.actions]);
	return key(a) === key(b);
}

export type ApprovalIssue = 'role' | 'no_attendance' | 'no_confirmation' | 'empty' | 'unchanged' | 'note_required' | 'date_reason';

/**
 * What blocks publishing: approval is the facilitator's (or an admin's), needs attendance, at least one attendee's
 * confirmation and some content; a correction needs a note saying what changed, and a change; approving before
 * the meeting's day needs a reason.
 */
export function approvalIssues(
	w: MinutesWork,
	versions: readonly MinutesVersion[],
	role: Role,
	note = '',
	/** When given: approving at `at` before the meeting's day needs a reason. */
	date?: { meeting: { startsAt: number; recurrence?: Recurrence | null }; at: number; reason?: string }
): ApprovalIssue[] {
	const issues: ApprovalIssue[] = [];
	if (!mayRunMeetings(role)) issues.push('role');
	const pub = publication(w);
	if (pub.attendance.total === 0) issues.push('no_attendance');
	if (pub.confirmed === 0) issues.push('no_confirmation');
	if (!richPlainText(pub.content).trim() && pub.decisions.length === 0) issues.push('empty');
	const latest = foldVersions(versions).at(-1);
	if (latest) {
		if (!note.trim()) issues.push('note_required');
		if (samePublication(pub, latest)) issues.push('unchanged');
	}
	if (date && needsDateReason('approval', date.meeting, date.at, date.reason)) issues.push('date_reason');
	return issues;
}

// ---- decisions into proposal timelines ----

export interface DecisionEventPayload {
	/** Stable per version and decision, so appending twice (a retry, two devices) is one event. */
	id: string;
	proposal: string;
	text: string;
	actions: { task: string; owner: string; due?: Day }[];
	correction: boolean;
}

/**
 * The timeline events a published version adds to the proposals concerned: every decision of the first version;
 * in a correction, only decisions that are new or whose text or actions changed.
 */
export function decisionEvents(version: FoldedVersion, previous: FoldedVersion | null): DecisionEventPayload[] {
	const actionsOf = (v: PublishedMinutes, d: string) =>
		v.actions.filter((a) => a.decision === d).map((a) => ({ task: a.task, owner: a.owner, ...(a.due ? { due: a.due } : {}) }));
	const out: DecisionEventPayload[] = [];
	for (const d of version.decisions) {
		const actions = actionsOf(version, d.id);
		const before = previous?.decisions.find((p) => p.id === d.id);
		if (previous && before && before.text === d.text && JSON.stringify(actionsOf(previous, d.id)) === JSON.stringify(actions)) continue;
		for (const proposal of d.proposals) {
			out.push({ id: `${version.id}-${d.id}-${proposal.split(':').at(-1)}`, proposal, text: d.text, actions, correction: version.correction });
		}
	}
	return out;
}
