/**
 * Proposal actions: file, edit, move along the workflow, co-sign, support, comment; the proposals a screener may
 * merge one into; and filing a new proposal with what follows from where it came from (a visit, a project's
 * rating). Each action resolves once the change is in IndexedDB (and queued for the relay).
 */
import type { Actor, Channel } from '../domain/actor';
import type { Grant } from '../domain/access';
import { newId } from '../domain/ids';
import type { PublicNameFields } from '../domain/public-name';
import type { Level, ProposalDraft, ProposalStatus, TimelineEvent } from '../domain/proposal';
import { proposalDocName } from '../schema/doc-names';
import type { IndexEntry } from '../schema/index-entry';
import { addCoSigner, addSupporter, appendEvent, createProposal as writeProposal, editProposal as writeEdit } from '../schema/proposal-doc';
import { linkVisitProposal } from './canvassing';
import type { DocHandle, DocStore } from './doc-store';
import { entriesOfKind, type IndexReader } from './index-reads';
import { type ProjectsApp, recordFollowUp } from './projects';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export interface ProposalsApp {
	readonly store: Pick<DocStore, 'openDoc'>;
	readonly community: string;
	/** Who acts; a device without a household supports as its person. */
	readonly actor: Pick<Actor, 'id'>;
	readonly device?: { readonly grant: Pick<Grant, 'household'> } | null;
	actorSnapshot(): Actor;
}

/** Creates a proposal locally; resolves with its document name once it is on disk. */
export async function createProposal(
	app: ProposalsApp,
	draft: ProposalDraft,
	status: 'draft' | 'submitted',
	level: 'grid' | 'community' = 'community'
): Promise<string> {
	const id = newId();
	const name = proposalDocName(app.community, id);
	const handle = await app.store.openDoc(name);
	try {
		await handle.change((doc) => writeProposal(doc, draft, { id, actor: app.actorSnapshot(), now: Date.now(), status, level }));
	} finally {
		handle.release();
	}
	return name;
}

export function editProposal(app: ProposalsApp, handle: DocHandle, patch: Partial<ProposalDraft>, channel: Channel): Promise<string[]> {
	return handle.change((doc) => writeEdit(doc, patch, app.actorSnapshot(), channel, Date.now()));
}

export interface TransitionExtra {
	reason?: string;
	negativeItem?: number;
	listVersion?: number;
	target?: string;
	channel?: Channel;
	level?: Level;
}

/** Records a step of the workflow; resolves with the event's id. */
export async function transition(app: ProposalsApp, handle: DocHandle, from: ProposalStatus, to: ProposalStatus, extra: TransitionExtra = {}): Promise<string> {
	const event: TimelineEvent = {
		id: newId(),
		type: 'transition',
		at: Date.now(),
		by: app.actorSnapshot(),
		channel: extra.channel ?? 'app',
		from,
		to,
		...(extra.reason ? { reason: extra.reason } : {}),
		...(extra.negativeItem ? { negativeItem: extra.negativeItem } : {}),
		...(extra.listVersion ? { listVersion: extra.listVersion } : {}),
		...(extra.level ? { level: extra.level } : {}),
		...(extra.target ? { target: extra.target } : {})
	};
	await handle.change((doc) => appendEvent(doc, event));
	// The id lets the page tell later whether this decision took effect or was superseded after a merge.
	return event.id;
}

/** Records a co-signing household (联名), in the app or by a grid worker at the door. */
export async function coSign(app: ProposalsApp, handle: DocHandle, household: string, name: string, channel: Channel, shown?: PublicNameFields): Promise<void> {
	await handle.change((doc) => addCoSigner(doc, { household, name, at: Date.now(), by: app.actorSnapshot(), channel, ...(shown ?? {}) }));
}

/** Support (附议) by this device's household, or its person when it has none. */
export async function support(app: ProposalsApp, handle: DocHandle): Promise<void> {
	const id = app.device?.grant.household ?? app.actor.id;
	await handle.change((doc) => addSupporter(doc, { id, at: Date.now(), by: app.actorSnapshot() }));
}

export async function comment(app: ProposalsApp, handle: DocHandle, text: string, channel: Channel = 'app'): Promise<void> {
	await handle.change((doc) => appendEvent(doc, { id: newId(), type: 'comment', at: Date.now(), by: app.actorSnapshot(), channel, text }));
}

/** Statuses a proposal can no longer be merged into from. */
const UNMERGEABLE = new Set(['draft', 'rejected', 'merged']);

/** Other proposals of the community that `self` may be merged into, most recently changed first. */
export async function mergeCandidates(app: IndexReader, community: string, self: string): Promise<IndexEntry[]> {
	const list = await entriesOfKind(app, 'proposal', (e) => e.community === community && e.doc !== self && !UNMERGEABLE.has(e.status));
	return list.sort((a, b) => b.updated - a.updated);
}

/** Proposals of the community merged into another, from the index (a proposal page follows the chains). */
export function mergedProposals(app: IndexReader, community: string): Promise<IndexEntry[]> {
	return app.db.index
		.where('status')
		.equals('merged')
		.filter((e) => e.kind === 'proposal' && e.community === community && !!e.mergedInto)
		.toArray();
}

export interface Filing {
	draft: ProposalDraft;
	status: 'draft' | 'submitted';
	/** 'grid': a grid worker settles it in the grid (网格事项) before anything reaches the community. */
	level?: 'grid' | 'community';
	/** The project whose rating this proposal follows up (the closed loop), and the household that rated. */
	followUp?: { project: string; household?: string };
	/** The visit it was filed at, for the household visited: the visit links to it when filed for that household. */
	visit?: { grid: string; id: string; household: string };
}

/**
 * Files a new proposal, then records where it came from: as the follow-up of a project's rating, and in the
 * visit it was filed at. The proposal is saved either way; those links are conveniences, and a failure to make
 * one does not undo it. Resolves with the proposal's document name.
 */
export async function fileProposal(app: ProposalsApp & ProjectsApp, filing: Filing): Promise<string> {
	const { draft, followUp, visit } = filing;
	const doc = await createProposal(app, followUp ? { ...draft, source: followUp.project } : draft, filing.status, filing.level ?? 'community');
	if (followUp) await recordFollowUp(app, followUp.project, doc, followUp.household).catch(() => {});
	if (visit && draft.household === visit.household) await linkVisitProposal(app, visit.grid, visit.id, doc).catch(() => {});
	return doc;
}
