/**
 * The proposal document. Root keys:
 *   meta        Y.Map   scalar fields (last writer wins per field)
 *   description Y.Text  so two people editing the text merge instead of overwriting
 *   coSigners   Y.Map   household id → CoSigner (one signature per household, however often recorded)
 *   supporters  Y.Map   household or person id → Supporter (附议; one per household)
 *   timeline    Y.Array TimelineEvent, append-only; status is folded from it
 *   photos      Y.Map   SHA-256 → PhotoRef (schema/photos.ts): photos of the matter or of the paper note
 */
import * as Y from 'yjs';
import type { Actor, Channel } from '../domain/actor';
import { newId } from '../domain/ids';
import type { CategoryId } from '../domain/lists';
import type { NameDisplay } from '../domain/public-name';
import {
	type FoldedTimeline,
	foldTimeline,
	type Level,
	type ProposalDraft,
	type ProposalKind,
	type ProposalStatus,
	type TimelineEvent
} from '../domain/proposal';
import { SCHEMA_VERSION } from './doc-names';
import { readPhotoRefs, setPhotoRefs } from './photos';
import { meta, writeMeta } from './meta';

export interface CoSigner {
	household: string;
	name: string;
	at: number;
	by: Actor;
	channel: Channel;
	/** How the co-signer chose to appear to other residents (see domain/public-name.ts). */
	display?: NameDisplay;
	publicName?: string;
}

export interface Supporter {
	id: string;
	at: number;
	by: Actor;
}

/** A proposal as its document holds it: what was filed (the draft) and where it stands since. */
export interface Proposal extends ProposalDraft {
	id: string;
	schema: number;
	/** Where it is handled now (folded from where it was filed and the referrals since). */
	level: Level;
	/** The level it was filed at. */
	filedAt: Level;
	createdAt: number;
	createdBy: Actor | null;
	coSigners: CoSigner[];
	supporters: Supporter[];
	timeline: FoldedTimeline;
	/** SHA-256 of each photo, oldest first. */
	photos: string[];
}

/** A draft or patch may carry the photo list; it is edited like a field (and recorded as one in the timeline). */
export type WithPhotos<T> = T & { photos?: readonly string[] };

const description = (doc: Y.Doc) => doc.getText('description');
const coSigners = (doc: Y.Doc) => doc.getMap<CoSigner>('coSigners');
const timeline = (doc: Y.Doc) => doc.getArray<TimelineEvent>('timeline');
const supporters = (doc: Y.Doc) => doc.getMap<Supporter>('supporters');

/** True once the document holds a created proposal (an empty doc may be one still syncing). */
export function isProposalDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('id') === 'string';
}

function str(value: unknown, fallback = ''): string {
	return typeof value === 'string' ? value : fallback;
}

export function readProposal(doc: Y.Doc): Proposal {
	const m = meta(doc);
	const level = m.get('level');
	const filedAt: Level = level === 'grid' || level === 'street' ? level : 'community';
	const timelineOf = foldTimeline(timeline(doc).toArray(), filedAt);
	return {
		id: str(m.get('id')),
		schema: Number(m.get('schema') ?? SCHEMA_VERSION),
		title: str(m.get('title')),
		description: description(doc).toString(),
		category: str(m.get('category')) as CategoryId | '',
		kind: str(m.get('kind'), 'individual') as ProposalKind,
		channel: str(m.get('channel'), 'app') as Channel,
		household: (m.get('household') as string | undefined) || undefined,
		organisation: (m.get('organisation') as string | undefined) || undefined,
		source: (m.get('source') as string | undefined) || undefined,
		level: timelineOf.level,
		filedAt,
		createdAt: Number(m.get('createdAt') ?? 0),
		createdBy: (m.get('createdBy') as Actor | undefined) ?? null,
		coSigners: [...coSigners(doc).values()].sort((a, b) => a.at - b.at),
		supporters: [...supporters(doc).values()].sort((a, b) => a.at - b.at),
		timeline: timelineOf,
		photos: readPhotoRefs(doc)
	};
}

export interface CreateOptions {
	id: string;
	actor: Actor;
	now: number;
	/** 'draft' to keep it private to its author, 'submitted' to file it. */
	status: Extract<ProposalStatus, 'draft' | 'submitted'>;
	/** 'grid' files a grid matter, for the grid worker to settle or refer up; default 'community'. */
	level?: Extract<Level, 'grid' | 'community'>;
}

export function createProposal(doc: Y.Doc, draft: WithPhotos<ProposalDraft>, opts: CreateOptions): void {
	doc.transact(() => {
		writeMeta(doc, { id: opts.id, createdAt: opts.now, createdBy: opts.actor, level: opts.level ?? 'community' });
		writeFields(doc, draft, opts.actor, opts.now);
		timeline(doc).push([
			{ id: newId(), type: 'created', at: opts.now, by: opts.actor, channel: draft.channel, status: opts.status }
		]);
	});
}

const EDITABLE = ['title', 'category', 'kind', 'channel', 'household', 'organisation', 'source'] as const;

function writeFields(doc: Y.Doc, draft: WithPhotos<Partial<ProposalDraft>>, actor: Actor, now: number): string[] {
	const m = meta(doc);
	const changed: string[] = [];
	for (const key of EDITABLE) {
		const value = draft[key];
		if (value === undefined || m.get(key) === value) continue;
		m.set(key, value);
		changed.push(key);
	}
	if (draft.description !== undefined) {
		const text = description(doc);
		const current = text.toString();
		if (current !== draft.description) {
			// Replace only the differing middle so concurrent edits elsewhere in the text survive.
			let start = 0;
			while (start < current.length && current[start] === draft.description[start]) start++;
			let endOld = current.length;
			let endNew = draft.description.length;
			while (endOld > start && endNew > start && current[endOld - 1] === draft.description[endNew - 1]) {
				endOld--;
				endNew--;
			}
			text.delete(start, endOld - start);
			text.insert(start, draft.description.slice(start, endNew));
			changed.push('description');
		}
	}
	if (draft.photos !== undefined && setPhotoRefs(doc, draft.photos, actor, now)) changed.push('photos');
	return changed;
}

/** Applies an edit and records it in the timeline; returns the fields that changed. */
export function editProposal(
	doc: Y.Doc,
	patch: WithPhotos<Partial<ProposalDraft>>,
	actor: Actor,
	channel: Channel,
	now: number
): string[] {
	let changed: string[] = [];
	doc.transact(() => {
		changed = writeFields(doc, patch, actor, now);
		if (changed.length > 0) {
			timeline(doc).push([{ id: newId(), type: 'edited', at: now, by: actor, channel, fields: changed }]);
		}
	});
	return changed;
}

/** Appends a timeline event (a transition, comment or co-signature record). */
export function appendEvent(doc: Y.Doc, event: TimelineEvent): void {
	timeline(doc).push([event]);
}

export function addCoSigner(doc: Y.Doc, signer: CoSigner): void {
	doc.transact(() => {
		coSigners(doc).set(signer.household, signer);
		appendEvent(doc, {
			id: newId(),
			type: 'cosigned',
			at: signer.at,
			by: signer.by,
			channel: signer.channel,
			household: signer.household,
			name: signer.name,
			...(signer.display ? { display: signer.display, publicName: signer.publicName ?? '' } : {})
		});
	});
}

/** Records support (附议) by a household or resident; supporting twice is one entry. */
export function addSupporter(doc: Y.Doc, supporter: Supporter): void {
	supporters(doc).set(supporter.id, supporter);
}
