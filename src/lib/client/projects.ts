/**
 * Actions on projects and notices. Each writes through the schema writers and resolves only once the change is
 * in IndexedDB (`handle.saved()`), so a page may say "saved" when it returns. Pages pass the handle of the
 * project they have open; documents they do not have open are opened and released here.
 */
import * as Y from 'yjs';
import type { Actor, Channel } from '../domain/actor';
import type { ConditionKind } from '../domain/acceptance';
import type { EntryDraft, PledgeDraft } from '../domain/funding';
import { newId } from '../domain/ids';
import type { Fen } from '../domain/money';
import type { Project } from '../domain/project';
import { forwardPath, type ProposalStatus, SCREENER_ROLES } from '../domain/proposal';
import type { Score } from '../domain/satisfaction';
import type { PublicNameFields } from '../domain/public-name';
import type { TaskDraft, UpdateMark } from '../domain/tasks';
import type { TenderDraft } from '../domain/tender';
import { accessFor, type Grant } from '../domain/access';
import { noticeDocName, parseDocName, participationDocName, projectDocName } from '../schema/doc-names';
import { createNotice, type NoticeFields, withdrawNotice } from '../schema/notice-doc';
import { readPhotoRefs, setPhotoRefs } from '../schema/photos';
import { appendEvent, isProposalDoc, readProposal } from '../schema/proposal-doc';
import { readTopic } from '../schema/topic-doc';
import * as schema from '../schema/project-doc';
import type { DocHandle, DocStore } from './doc-store';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export interface ProjectsApp {
	readonly store: DocStore;
	readonly community: string;
	/** Who acts: the role decides which proposals a project carries, the id keys a rating. */
	readonly actor: Pick<Actor, 'id' | 'role'>;
	/** The credential: staff who write the project itself record pledges and sign-offs there. */
	readonly device?: { readonly grant: Grant } | null;
	actorSnapshot(): Actor;
}

const who = (app: ProjectsApp): Actor => app.actorSnapshot();

/** The participation document of a project: where residents' pledges, sign-offs, ratings and requests go. */
function participationOf(projectName: string): string {
	const p = parseDocName(projectName);
	if (p?.kind !== 'project') throw new Error(`not a project: ${projectName}`);
	return participationDocName(p.community, p.id);
}

/** Staff write a pledge or sign-off they take down into the project itself; residents into its participation. */
function writesProject(app: ProjectsApp, projectName: string): boolean {
	const ref = parseDocName(projectName);
	const grant = app.device?.grant;
	return !!ref && !!grant && accessFor(grant, ref) === 'write';
}

/** Runs `fn` on the document a contribution to the project goes into, and waits until it is on disk. */
async function contribute<T>(app: ProjectsApp, project: DocHandle, staffWriteProject: boolean, fn: (doc: Y.Doc) => T): Promise<T> {
	if (staffWriteProject && writesProject(app, project.name)) return project.change(fn);
	return addToParticipation(app, project.name, fn);
}

/** Adds to the project's participation document (the store checks a change against the relay's rules first). */
function addToParticipation<T>(app: ProjectsApp, projectName: string, fn: (doc: Y.Doc) => T): Promise<T> {
	return app.store.edit(participationOf(projectName), fn);
}

/** Lists photos in the document's photo register too, so the device and relay know whose photos they are. */
function registerPhotos(app: ProjectsApp, doc: Y.Doc, shas: readonly string[]): void {
	if (shas.length > 0) setPhotoRefs(doc, [...readPhotoRefs(doc), ...shas], who(app), Date.now());
}

/** Starts carrying out a topic: the project shares the topic's id, so the topic finds it without a lookup. */
export async function createProject(app: ProjectsApp, topicDoc: string, title: string, target?: Fen): Promise<string> {
	const topic = parseDocName(topicDoc);
	if (topic?.kind !== 'topic') throw new Error(`not a topic: ${topicDoc}`);
	const name = projectDocName(topic.community, topic.id);
	await app.store.edit(name, (doc) => {
		// Two facilitators starting it offline both write the same fields; the merge keeps one of each.
		if (!schema.isProjectDoc(doc)) {
			schema.createProject(doc, { id: topic.id, title, topic: topicDoc, ...(target ? { target } : {}) }, who(app), Date.now());
		}
	});
	return name;
}

export const setTarget = (app: ProjectsApp, handle: DocHandle, target: Fen) =>
	handle.change((doc) => schema.setTarget(doc, target, who(app), Date.now()));

export const setMinRepresentatives = (app: ProjectsApp, handle: DocHandle, count: number) =>
	handle.change((doc) => schema.setMinRepresentatives(doc, count));

export async function pledge(app: ProjectsApp, handle: DocHandle, draft: PledgeDraft, channel: Channel = 'app'): Promise<string> {
	const id = newId();
	await contribute(app, handle, true, (doc) =>
		schema.addPledge(doc, {
			id,
			source: draft.source,
			kind: draft.kind,
			name: draft.name.trim(),
			...(draft.household ? { household: draft.household } : {}),
			amount: draft.amount ?? 0,
			...(draft.kind === 'materials' && draft.materials?.trim() ? { materials: draft.materials.trim() } : {}),
			...(draft.note?.trim() ? { note: draft.note.trim() } : {}),
			at: Date.now(),
			by: who(app),
			channel
		})
	);
	return id;
}

/** Withdraws a pledge in whichever document holds it (staff-recorded ones are in the project itself). */
export function withdrawPledge(app: ProjectsApp, handle: DocHandle, id: string): Promise<boolean> {
	const inProject = handle.doc.getMap('pledges').has(id);
	return contribute(app, handle, inProject, (doc) => schema.withdrawPledge(doc, id, who(app), Date.now(), handle.doc));
}

/** False when this device already holds a receipt for the pledge (it is counted once either way). */
export async function markReceived(app: ProjectsApp, handle: DocHandle, pledgeId: string, amount: Fen, date: string, note?: string): Promise<boolean> {
	let done = false;
	await handle.change((doc) => {
		done = schema.recordReceipt(doc, {
			pledge: pledgeId,
			amount,
			date,
			...(note?.trim() ? { note: note.trim() } : {}),
			at: Date.now(),
			by: who(app)
		});
	});
	return done;
}

export async function addEntry(app: ProjectsApp, handle: DocHandle, draft: EntryDraft, photos: string[] = []): Promise<string> {
	const id = newId();
	await handle.change((doc) => {
		registerPhotos(app, doc, photos);
		schema.addEntry(doc, {
			id,
			type: draft.type,
			amount: draft.amount ?? 0,
			date: draft.date,
			description: draft.description.trim(),
			...(draft.counterparty?.trim() ? { counterparty: draft.counterparty.trim() } : {}),
			photos,
			at: Date.now(),
			by: who(app)
		});
	});
	return id;
}

export const voidEntry = (app: ProjectsApp, handle: DocHandle, entry: string, reason: string) =>
	handle.change((doc) => schema.voidEntry(doc, { entry, reason: reason.trim(), at: Date.now(), by: who(app) }));

/** Plans a task; `person` links it to the register of talents when the responsible party was picked from it. */
export async function addTask(app: ProjectsApp, handle: DocHandle, draft: TaskDraft & { person?: string }): Promise<string> {
	const id = newId();
	await handle.change((doc) =>
		schema.addTask(doc, {
			id,
			title: draft.title.trim(),
			responsible: draft.responsible.trim(),
			...(draft.person ? { person: draft.person } : {}),
			due: draft.due,
			at: Date.now(),
			by: who(app)
		})
	);
	return id;
}

export const reportProgress = (app: ProjectsApp, handle: DocHandle, task: string, text: string, photos: string[], mark?: UpdateMark) =>
	handle.change((doc) => {
		registerPhotos(app, doc, photos);
		schema.addUpdate(doc, { id: newId(), task, text: text.trim(), photos, ...(mark ? { mark } : {}), at: Date.now(), by: who(app) });
	});

export async function addTender(app: ProjectsApp, handle: DocHandle, draft: TenderDraft): Promise<string> {
	const id = newId();
	await handle.change((doc) =>
		schema.addTender(doc, {
			id,
			vendor: draft.vendor.trim(),
			price: draft.price ?? 0,
			model: draft.model.trim(),
			...(draft.notes?.trim() ? { notes: draft.notes.trim() } : {}),
			at: Date.now(),
			by: who(app)
		})
	);
	return id;
}

export const selectTender = (app: ProjectsApp, handle: DocHandle, tender: string, reason: string) =>
	handle.change((doc) => schema.addSelection(doc, { id: newId(), tender, reason: reason.trim(), at: Date.now(), by: who(app) }));

export const addChecklistItem = (app: ProjectsApp, handle: DocHandle, text: string) =>
	handle.change((doc) => schema.addChecklistItem(doc, { id: newId(), text: text.trim(), at: Date.now(), by: who(app) }));

export const checkItem = (app: ProjectsApp, handle: DocHandle, item: string, result: 'pass' | 'fail', note?: string) =>
	handle.change((doc) =>
		schema.setCheck(doc, { item, result, ...(note?.trim() ? { note: note.trim() } : {}), at: Date.now(), by: who(app) })
	);

/**
 * A representative household's sign-off: a resident signs for their own household (into the participation
 * document); staff record a chosen household's signed paper form, with its photo.
 */
export function signOff(
	app: ProjectsApp,
	handle: DocHandle,
	s: { name: string; household: string; agree: boolean; comment?: string; paperPhotos?: readonly string[] }
): Promise<void> {
	const paper = !!s.paperPhotos;
	return contribute(app, handle, paper, (doc) => {
		doc.transact(() => {
			if (s.paperPhotos) registerPhotos(app, doc, s.paperPhotos);
			schema.addSignoff(doc, {
				id: s.household,
				name: s.name.trim(),
				household: s.household,
				agree: s.agree,
				...(s.comment?.trim() ? { comment: s.comment.trim() } : {}),
				...(s.paperPhotos ? { paper: true, photos: [...s.paperPhotos] } : {}),
				at: Date.now(),
				by: who(app)
			});
		});
	});
}

/** Staff choose a household of the register to sign the acceptance, or take it off the list. */
export const setRepresentative = (app: ProjectsApp, handle: DocHandle, household: string, label: string, chosen: boolean) =>
	handle.change((doc) =>
		schema.setRepresentative(doc, {
			household,
			label,
			at: Date.now(),
			by: who(app),
			...(chosen ? {} : { removed: { at: Date.now(), by: who(app) } })
		})
	);

/** Staff accept despite unmet conditions: the waived ones and why. */
export const overrideAcceptance = (app: ProjectsApp, handle: DocHandle, waived: readonly ConditionKind[], reason: string) =>
	handle.change((doc) => schema.overrideAcceptance(doc, { reason: reason.trim(), waived: [...waived], at: Date.now(), by: who(app) }));

export const setAcceptancePhotos = (app: ProjectsApp, handle: DocHandle, shas: readonly string[]) =>
	handle.change((doc) => {
		doc.transact(() => {
			registerPhotos(app, doc, shas);
			schema.setAcceptancePhotos(doc, shas, who(app), Date.now());
		});
	});

/** A household's rating; keyed by household and this device so another device of the household never overwrites it. */
export const rate = (app: ProjectsApp, handle: DocHandle, household: string, score: Score, comment: string, channel: Channel = 'app', shown?: PublicNameFields) =>
	contribute(app, handle, false, (doc) =>
		schema.rate(doc, { household, score, comment: comment.trim(), at: Date.now(), by: who(app), channel, ...(shown ?? {}) }, app.actor.id)
	);

export async function requestDisclosure(app: ProjectsApp, handle: DocHandle, question: string, household?: string): Promise<string> {
	const id = newId();
	await contribute(app, handle, false, (doc) =>
		schema.addRequest(doc, { id, question: question.trim(), ...(household ? { household } : {}), at: Date.now(), by: who(app) })
	);
	return id;
}

export const closeProject = (app: ProjectsApp, handle: DocHandle, note?: string) =>
	handle.change((doc) => schema.closeProject(doc, who(app), Date.now(), note?.trim() || undefined));

/** A notice to post: all of it but its id, which posting gives it. */
export type NoticeInput = Omit<NoticeFields, 'id'>;

/** Posts a notice and, when it is about a project, records it there (and the answer to a request). */
export async function postNotice(app: ProjectsApp, input: NoticeInput): Promise<string> {
	const id = newId();
	const name = noticeDocName(app.community, id);
	const by = who(app);
	const now = Date.now();
	await app.store.edit(name, (doc) =>
		createNotice(
			doc,
			{
				id,
				kind: input.kind,
				title: input.title.trim(),
				body: input.body.trim(),
				from: input.from,
				to: input.to,
				...(input.matter ? { matter: input.matter } : {}),
				...(input.request ? { request: input.request } : {})
			},
			by,
			now
		)
	);
	if (input.matter && parseDocName(input.matter)?.kind === 'project') {
		await app.store.edit(input.matter, (doc) =>
			doc.transact(() => {
				schema.addPostedNotice(doc, {
					doc: name,
					kind: input.kind,
					title: input.title.trim(),
					from: input.from,
					to: input.to,
					...(input.request ? { request: input.request } : {}),
					at: now,
					by
				});
				if (input.request) schema.addAnswer(doc, { request: input.request, notice: name, at: now, by });
			})
		);
	}
	return name;
}

export const withdrawNoticeDoc = (app: ProjectsApp, handle: DocHandle, reason: string) =>
	handle.change((doc) => withdrawNotice(doc, who(app), Date.now(), reason.trim()));

/** Links a new proposal made from a rating back to its project (the closed loop). */
export async function recordFollowUp(app: ProjectsApp, projectDoc: string, proposalDoc: string, household?: string): Promise<void> {
	await addToParticipation(app, projectDoc, (doc) =>
		schema.addFollowUp(doc, { proposal: proposalDoc, ...(household ? { household } : {}), at: Date.now(), by: who(app) })
	);
}

/** Runs per project, one after another, so a stage seen while an earlier one is being carried is not lost. */
const carrying = new Map<string, Promise<unknown>>();

/**
 * Moves the proposals of the project's topic along with the project's stage (decided → funding → in progress
 * → inspected → publicised → closed), so that a proposer's own list and the deliberation list say where the
 * matter stands. Only decided proposals are carried: a project never decides for one still being deliberated.
 * Run by a facilitator's or admin's device whenever its project page sees the stage. Each step names the
 * project, so a step already tried from the same status is not recorded again; two devices doing it offline
 * merge like two screeners' decisions (one takes effect, the other stays visible as superseded). Returns the
 * proposals moved.
 */
export function carryProposals(app: ProjectsApp, project: Pick<Project, 'id' | 'topic'>, status: ProposalStatus): Promise<string[]> {
	const run = (carrying.get(project.id) ?? Promise.resolve())
		.catch(() => {})
		.then(() => carryOnce(app, project, status));
	carrying.set(project.id, run);
	void run.finally(() => carrying.get(project.id) === run && carrying.delete(project.id)).catch(() => {});
	return run;
}

async function carryOnce(app: ProjectsApp, project: Pick<Project, 'id' | 'topic'>, status: ProposalStatus): Promise<string[]> {
	const role = app.actor.role;
	if (!project.topic || !SCREENER_ROLES.includes(role)) return [];
	// Documents this device does not hold are not created here: the topic and its proposals sync first.
	if (!(await app.store.syncStates([project.topic]))[0]) return [];
	const members = await app.store.withDoc(project.topic, async (h) => readTopic(h.doc, project.topic!).proposals);
	const moved: string[] = [];
	for (const name of members) {
		if (!(await app.store.syncStates([name]))[0]) continue;
		const changed = await app.store.withDoc(name, async (handle) => {
			if (!isProposalDoc(handle.doc)) return false;
			const { timeline } = readProposal(handle.doc);
			const projectName = projectDocName(parseDocName(name)!.community, project.id);
			const steps = forwardPath(timeline.status, status, role);
			// The same step recorded before and still not taken was superseded by a merge: a person looks at it
			// rather than this device recording it again and again.
			const first = steps[0];
			const tried = timeline.events.some((e) => e.type === 'transition' && e.from === timeline.status && e.to === first && e.target === projectName);
			if (!first || tried) return false;
			const by = who(app);
			// After the latest event even if this device's clock is behind, or the step would fold as stale.
			const now = Math.max(Date.now(), timeline.updated + 1);
			await handle.change((doc) =>
				doc.transact(() => {
					// Inside: a change may be made more than once (DocStore.checkedEdit).
					let from = timeline.status;
					steps.forEach((to, i) => {
						appendEvent(doc, { id: newId(), type: 'transition', at: now + i, by, channel: 'app', from, to, target: projectName });
						from = to;
					});
				})
			);
			return true;
		});
		if (changed) moved.push(name);
	}
	return moved;
}
