/**
 * Meeting actions: schedule a meeting (its public document and its private minutes with the template), run it
 * (check-in, votes, decisions, actions, confirmations, notes) and approve or correct the minutes. Each resolves
 * only once the change is in IndexedDB (and queued for the relay).
 *
 * Approval copies the public parts of the minutes into the meeting document as a new version and appends a
 * 'decision' event to the timeline of every proposal concerned. A vote that belongs to a household poll also
 * feeds the poll: a show of hands as the poll's hand count for this meeting, an attendee's recorded choice as their
 * household's ballot (channel 'meeting') when they were checked in with their household.
 */
import type * as Y from 'yjs';
import type { Role } from '../domain/actor';
import { newId } from '../domain/ids';
import {
	type ActionItem,
	approvalIssues,
	type ApprovalIssue,
	type Attendee,
	type Capacity,
	type DatedAction,
	dateMismatch,
	type Decision,
	decisionEvents,
	foldVersions,
	type MeetingDraft,
	type MeetingVote,
	type MinutesVersion,
	needsDateReason,
	publication,
	REASON_MAX,
	type Recurrence,
	sessionId,
	validateAction,
	validateDecision,
	validateMeeting,
	type VoteMode,
	type VoteOption
} from '../domain/meeting';
import type { TimelineEvent } from '../domain/proposal';
import { meetingDocName, minutesDocName, parseDocName } from '../schema/doc-names';
import * as meetingDoc from '../schema/meeting-doc';
import * as minutesDoc from '../schema/minutes-doc';
import { isPollDoc, readPoll } from '../schema/poll-doc';
import { appendEvent, isProposalDoc, readProposal } from '../schema/proposal-doc';
import { readTopic } from '../schema/topic-doc';
import type { ActionsApp } from './actions-app';
import type { DocHandle } from './doc-store';
import { castBallot, recordHandCount } from './polls';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export interface MeetingsApp extends ActionsApp {
	readonly device?: { id: string } | null;
}

export class InvalidMeetingInputError extends Error {
	override readonly name = 'InvalidMeetingInputError';
	constructor(readonly issues: readonly (string | { field: string; code: string })[]) {
		super(issues.map((i) => (typeof i === 'string' ? i : `${i.field}: ${i.code}`)).join('; '));
	}
}


/** Recording something on a day that makes no sense for the meeting, without saying why. */
export class DateReasonRequiredError extends Error {
	override readonly name = 'DateReasonRequiredError';
	constructor(readonly action: DatedAction) {
		super(`a reason is required: this ${action} is not on the meeting's day`);
	}
}

/** The meeting an action is dated against, and the reason given when its day makes no sense. */
export interface Dated {
	meeting: { startsAt: number; recurrence?: Recurrence | null };
	reason?: string;
}

/** The reason to store with a record made at `at`: none when the day is right; refused when one is needed. */
function reasonFor(action: DatedAction, dated: Dated | undefined, at: number): { reason?: string } {
	if (!dated || !dateMismatch(action, dated.meeting, at)) return {};
	if (needsDateReason(action, dated.meeting, at, dated.reason)) throw new DateReasonRequiredError(action);
	return { reason: dated.reason!.trim().slice(0, REASON_MAX) };
}

/** Sections of the minutes template: one per agenda item, then "other business" (titles already localized). */
export type TemplateSections = readonly minutesDoc.TemplateSection[];

/**
 * Schedules a meeting: the public meeting document and the private minutes with its template, both on disk
 * before it resolves. `id` is given for a talk-day session (deterministic, see sessionId).
 */
export async function createMeeting(
	app: MeetingsApp,
	draft: MeetingDraft,
	sections: TemplateSections,
	opts: { id?: string; series?: string; now?: number } = {}
): Promise<string> {
	const issues = validateMeeting(draft);
	if (issues.length > 0) throw new InvalidMeetingInputError(issues);
	const id = opts.id ?? newId();
	const name = meetingDocName(app.community, id);
	const actor = app.actorSnapshot();
	const now = opts.now ?? Date.now();
	await app.store.edit(name, (doc) => {
		// A session opened on two devices is one meeting: the second leaves the first's fields alone.
		if (!meetingDoc.isMeetingDoc(doc)) meetingDoc.createMeeting(doc, draft, { id, actor, now, ...(opts.series ? { series: opts.series } : {}) });
	});
	// A talk-day series has no minutes of its own: each session does.
	if (!draft.recurrence) {
		await app.store.edit(minutesDocName(app.community, id), (doc) => minutesDoc.createMinutes(doc, { meetingId: id, title: draft.title.trim(), sections }));
	}
	return name;
}

/** Opens (creating on first use) the session of a recurring talk day held on `day`. */
export async function openSession(
	app: MeetingsApp,
	series: { doc: string; meeting: meetingDoc.Meeting },
	day: string,
	sections: TemplateSections
): Promise<string> {
	const seriesId = parseDocName(series.doc)?.id;
	const m = series.meeting;
	if (!seriesId || !m.recurrence) throw new InvalidMeetingInputError(['not_a_series']);
	const draft: MeetingDraft = {
		kind: m.kind,
		title: m.title,
		day,
		time: m.recurrence.time,
		durationMin: m.durationMin,
		place: m.place,
		facilitator: m.facilitator,
		agenda: m.agenda.map((a) => ({ title: a.title, ...(a.topic ? { topic: a.topic } : {}) })),
		invitees: m.invitees.map((i) => ({ name: i.name, capacity: i.capacity })),
		recurrence: null
	};
	return createMeeting(app, draft, sections, { id: sessionId(seriesId, day), series: series.doc });
}

export async function editMeeting(handle: DocHandle, draft: Omit<MeetingDraft, 'agenda' | 'invitees'>): Promise<void> {
	const issues = validateMeeting({ ...draft, agenda: [], invitees: [] });
	if (issues.length > 0) throw new InvalidMeetingInputError(issues);
	await handle.change((doc) => meetingDoc.editMeeting(doc, draft));
}

export async function addAgendaItem(meeting: DocHandle, title: string, topic?: string): Promise<void> {
	const m = meetingDoc.readMeeting(meeting.doc);
	const order = Math.max(0, ...m.agenda.map((a) => a.order)) + 1;
	await meeting.change((doc) => meetingDoc.addAgendaItem(doc, { id: newId(), title: title.trim(), ...(topic ? { topic } : {}), order }));
}

export async function removeAgendaItem(meeting: DocHandle, id: string): Promise<void> {
	await meeting.change((doc) => meetingDoc.removeAgendaItem(doc, id));
}

export async function addInvitee(meeting: DocHandle, name: string, capacity: Capacity): Promise<void> {
	if (!name.trim()) throw new InvalidMeetingInputError(['name_required']);
	await meeting.change((doc) => meetingDoc.addInvitee(doc, { id: newId(), name: name.trim(), capacity }));
}

export async function removeInvitee(meeting: DocHandle, id: string): Promise<void> {
	await meeting.change((doc) => meetingDoc.removeInvitee(doc, id));
}

// ---- running the meeting (the private minutes document) ----

export async function checkIn(
	app: MeetingsApp,
	minutes: DocHandle,
	who: { name: string; capacity: Capacity; invitee?: string; household?: { id: string; grid: string } },
	/** The meeting, to refuse a check-in on another day without a reason (the panel always passes it). */
	dated?: Dated
): Promise<Attendee> {
	const name = who.name.trim();
	if (!name) throw new InvalidMeetingInputError(['name_required']);
	const at = Date.now();
	const why = reasonFor('attendance', dated, at);
	const attendee: Attendee = {
		id: newId(),
		name,
		capacity: who.capacity,
		...(who.invitee ? { invitee: who.invitee } : {}),
		...(who.household ? { household: who.household.id, grid: who.household.grid } : {}),
		at,
		by: app.actorSnapshot(),
		...why
	};
	await minutes.change((doc) => minutesDoc.checkIn(doc, attendee));
	return attendee;
}

export async function setAttendeeRemoved(minutes: DocHandle, id: string, removed: boolean): Promise<void> {
	await minutes.change((doc) => minutesDoc.setAttendeeRemoved(doc, id, removed));
}

export async function addVote(
	app: MeetingsApp,
	minutes: DocHandle,
	v: { question: string; options: readonly VoteOption[]; mode: VoteMode; agendaItem?: string }
): Promise<MeetingVote> {
	const options = v.options.map((o) => ({ ...o, label: o.label.trim() })).filter((o) => o.label);
	if (!v.question.trim() || options.length < 2) throw new InvalidMeetingInputError(['vote_incomplete']);
	const vote: MeetingVote = {
		id: newId(),
		question: v.question.trim(),
		options,
		mode: v.mode,
		...(v.agendaItem ? { agendaItem: v.agendaItem } : {}),
		at: Date.now(),
		by: app.actorSnapshot()
	};
	await minutes.change((doc) => minutesDoc.addVote(doc, vote));
	return vote;
}

/** A vote on a household poll's question with the poll's options, so the meeting's count feeds the poll. */
export async function addPollVote(app: MeetingsApp, minutes: DocHandle, poll: string, mode: VoteMode): Promise<MeetingVote> {
	const handle = await app.store.openDoc(poll);
	let p;
	try {
		if (!isPollDoc(handle.doc)) throw new InvalidMeetingInputError(['poll_not_on_device']);
		p = readPoll(handle.doc);
	} finally {
		handle.release();
	}
	const vote: MeetingVote = {
		id: newId(),
		question: p.title,
		options: p.options.map((o) => ({ id: o.id, label: o.label, ...(o.abstain ? { abstain: true } : {}) })),
		mode,
		poll,
		at: Date.now(),
		by: app.actorSnapshot()
	};
	await minutes.change((doc) => minutesDoc.addVote(doc, vote));
	return vote;
}

export async function removeVote(minutes: DocHandle, id: string): Promise<void> {
	await minutes.change((doc) => minutesDoc.removeVote(doc, id));
}

/**
 * Records a show of hands (a later count replaces the earlier one). When the vote belongs to a poll, the same
 * count goes into the poll as this meeting's hand count; the poll's rule decides whether hands can count.
 */
export async function recordHands(app: MeetingsApp, minutes: DocHandle, vote: MeetingVote, counts: Record<string, number>, dated?: Dated): Promise<void> {
	const clean = Object.fromEntries(vote.options.map((o) => [o.id, Math.max(0, Math.floor(Number(counts[o.id]) || 0))]));
	const at = Date.now();
	const why = reasonFor('vote', dated, at);
	await minutes.change((doc) => minutesDoc.recordHands(doc, { id: newId(), vote: vote.id, counts: clean, at, by: app.actorSnapshot(), ...why }));
	if (!vote.poll) return;
	const meeting = meetingDocName(app.community, String(minutes.doc.getMap('meta').get('meeting') ?? ''));
	const poll = await app.store.openDoc(vote.poll);
	try {
		await recordHandCount(app, poll, meeting, clean);
	} finally {
		poll.release();
	}
}

/**
 * Records an attendee's choice in a roll-call vote (null takes it back). On a poll's question, an attendee checked
 * in with their household also casts that household's ballot through the meeting channel; the poll keeps every
 * ballot and counts the household's latest, so a vote at the door and one at the meeting are both on record.
 * Resolves with whether a ballot was cast.
 */
export async function recordChoice(
	app: MeetingsApp,
	minutes: DocHandle,
	vote: MeetingVote,
	attendee: Attendee,
	option: string | null,
	dated?: Dated
): Promise<boolean> {
	const at = Date.now();
	const why = reasonFor('vote', dated, at);
	await minutes.change((doc) => minutesDoc.recordChoice(doc, { vote: vote.id, attendee: attendee.id, option, at, by: app.actorSnapshot(), ...why }));
	const poll = vote.poll ? parseDocName(vote.poll)?.id : undefined;
	if (!poll || !attendee.household || !attendee.grid) return false;
	await castBallot(app, { poll, grid: attendee.grid, household: attendee.household, option, channel: 'meeting', at });
	return true;
}

/** The proposals a topic gathers, read from the topic document when this device holds it. */
export async function topicProposals(app: MeetingsApp, topic: string): Promise<string[]> {
	if (!(await app.store.db.syncState.get(topic))) return [];
	const handle = await app.store.openDoc(topic);
	try {
		return readTopic(handle.doc, topic).proposals;
	} finally {
		handle.release();
	}
}

export async function addDecision(
	app: MeetingsApp,
	minutes: DocHandle,
	d: { text: string; agendaItem?: string; topic?: string; proposals?: readonly string[]; vote?: string }
): Promise<Decision> {
	const issues = validateDecision(d);
	if (issues.length > 0) throw new InvalidMeetingInputError(issues);
	const proposals = new Set(d.proposals ?? []);
	if (d.topic) for (const p of await topicProposals(app, d.topic)) proposals.add(p);
	const decision: Decision = {
		id: newId(),
		text: d.text.trim(),
		...(d.agendaItem ? { agendaItem: d.agendaItem } : {}),
		...(d.topic ? { topic: d.topic } : {}),
		proposals: [...proposals],
		...(d.vote ? { vote: d.vote } : {}),
		at: Date.now(),
		by: app.actorSnapshot()
	};
	await minutes.change((doc) => minutesDoc.putDecision(doc, decision));
	return decision;
}

export async function removeDecision(minutes: DocHandle, id: string): Promise<void> {
	await minutes.change((doc) => minutesDoc.removeDecision(doc, id));
}

export async function addAction(
	app: MeetingsApp,
	minutes: DocHandle,
	a: { task: string; owner: string; due?: string; decision?: string; topic?: string }
): Promise<ActionItem> {
	const due = a.due?.trim() || undefined;
	const issues = validateAction({ task: a.task, owner: a.owner, ...(due ? { due } : {}) });
	if (issues.length > 0) throw new InvalidMeetingInputError(issues);
	const action: ActionItem = {
		id: newId(),
		task: a.task.trim(),
		owner: a.owner.trim(),
		...(due ? { due } : {}),
		...(a.decision ? { decision: a.decision } : {}),
		...(a.topic ? { topic: a.topic } : {}),
		at: Date.now(),
		by: app.actorSnapshot()
	};
	await minutes.change((doc) => minutesDoc.putAction(doc, action));
	return action;
}

export async function removeAction(minutes: DocHandle, id: string): Promise<void> {
	await minutes.change((doc) => minutesDoc.removeAction(doc, id));
}

/** Records that an attendee confirmed the minutes (on the facilitator's device), or takes it back. */
export async function setConfirmed(app: MeetingsApp, minutes: DocHandle, attendee: string, confirmed: boolean): Promise<void> {
	await minutes.change((doc) => {
		if (confirmed) minutesDoc.confirm(doc, { attendee, at: Date.now(), by: app.actorSnapshot() });
		else minutesDoc.unconfirm(doc, attendee);
	});
}

export async function saveNotes(minutes: DocHandle, text: string): Promise<void> {
	await minutes.change((doc) => minutesDoc.setNotes(doc, text));
}

// ---- approval ----

export class ApprovalRefusedError extends Error {
	override readonly name = 'ApprovalRefusedError';
	constructor(readonly issues: readonly ApprovalIssue[]) {
		super(issues.join('; '));
	}
}

export function pendingApprovalIssues(meeting: Y.Doc, minutes: Y.Doc, role: Role, note = '', date?: { at: number; reason?: string }): ApprovalIssue[] {
	const m = meetingDoc.readMeeting(meeting);
	return approvalIssues(minutesDoc.readMinutes(minutes), m.versions, role, note, date ? { meeting: m, ...date } : undefined);
}

/**
 * Approves the minutes (the first version) or publishes a correction (a later one, with a note): the public
 * parts go into the meeting document, then each decision into the timelines of its proposals. Resolves with
 * the proposals written to; a proposal this device does not hold is left alone rather than created empty.
 */
export async function approveMinutes(
	app: MeetingsApp,
	meeting: DocHandle,
	minutes: DocHandle,
	note = '',
	/** Why the minutes are approved before the meeting's day; required then. */
	reason = ''
): Promise<{ version: MinutesVersion; proposals: string[] }> {
	const actor = app.actorSnapshot();
	const at = Date.now();
	const issues = pendingApprovalIssues(meeting.doc, minutes.doc, actor.role, note, { at, reason });
	if (issues.length > 0) throw new ApprovalRefusedError(issues);
	const early = dateMismatch('approval', meetingDoc.readMeeting(meeting.doc), at);
	const version: MinutesVersion = {
		id: newId(),
		at,
		by: actor,
		...publication(minutesDoc.readMinutes(minutes.doc)),
		...(note.trim() ? { note: note.trim() } : {}),
		...(early ? { reason: reason.trim().slice(0, REASON_MAX) } : {})
	};
	await meeting.change((doc) => meetingDoc.appendVersion(doc, version));

	const folded = foldVersions(meetingDoc.readMeeting(meeting.doc).versions);
	const i = folded.findIndex((v) => v.id === version.id);
	const events = decisionEvents(folded[i]!, i > 0 ? folded[i - 1]! : null);
	const written = new Set<string>();
	for (const e of events) {
		if (!(await app.store.db.syncState.get(e.proposal))) continue;
		const ok = await app.store.edit(e.proposal, (doc) => {
			if (!isProposalDoc(doc) || readProposal(doc).timeline.events.some((x) => x.id === e.id)) return false;
			const event: TimelineEvent = {
				id: e.id,
				type: 'decision',
				at: version.at,
				by: actor,
				channel: 'meeting',
				meeting: meeting.name,
				text: e.text,
				...(e.actions.length ? { actions: e.actions } : {}),
				...(e.correction ? { correction: true } : {})
			};
			appendEvent(doc, event);
			return true;
		});
		if (ok) written.add(e.proposal);
	}
	return { version, proposals: [...written] };
}
