/** The derived, queryable summary of a document: what the client's Dexie index and lists hold. */
import type * as Y from 'yjs';
import type { CategoryId } from '../domain/lists';
import { type Level, type ProposalKind, type ProposalStatus, proposerOf } from '../domain/proposal';
import { mergeOf } from '../domain/merge';
import type { Channel, Role } from '../domain/actor';
import { type DocKind, parseDocName } from './doc-names';
import { isProposalDoc, readProposal } from './proposal-doc';
import { readCommunity } from './community-doc';
import { readHouseholds } from './households-doc';
import { readTopic } from './topic-doc';
import { projectSummary } from './project-doc';
import { noticeSummary } from './notice-doc';
import { lastVisitAt, visitCount } from './visits-doc';
import { isPollDoc, readPoll } from './poll-doc';
import { meetingSummary } from './meeting-doc';
import { minutesSummary } from './minutes-doc';
import type { Approval, Resolution, Transfer } from '../domain/points';
import { isPassbookDoc, lastRecordAt, readHandovers, readPassbookRecords } from './passbook-doc';
import { isPointsDoc, readPointsBoard, readPointsConfig } from './points-doc';
import { activePeople, isTalentsDoc, lastPersonAt } from './talents-doc';
import type { ConventionScope, ConventionStage } from '../domain/conventions';
import { readConvention } from './convention-doc';
import { type BookingRecords, readBookings } from './bookings-doc';

export interface IndexEntry {
	doc: string;
	community: string;
	kind: DocKind;
	title: string;
	status: ProposalStatus | '';
	category: CategoryId | '';
	proposalKind: ProposalKind | '';
	channel: Channel | '';
	/** Creator id, so "my proposals" is a query. */
	createdBy: string;
	updated: number;
	/** Number of records in a register, co-signers of a proposal. */
	count: number;
	/** Proposals: the description, for search and duplicate detection. */
	text?: string;
	/** Proposals and topics: when it was filed, for the weekly intake (周收集). */
	created?: number;
	/** Proposals: the level it is handled at now (grid, community or street). */
	level?: Level;
	/** Proposals: the household filed for (a resident's own, or named by a grid worker). Passbooks: their household. */
	household?: string;
	/** Proposals filed for a household by someone else (a grid worker at the door): who recorded it. */
	recordedBy?: { name: string; role: Role };
	/** Proposals: co-signing household ids (联名). */
	coSigners?: string[];
	/** Proposals: supporter ids (附议), households or residents. */
	supporters?: string[];
	/** Proposals merged into another: the proposal or topic it joined (from the merge that took effect). */
	mergedInto?: string;
	/** Topics: document names of the proposals gathered under the topic. */
	members?: string[];
	/**
	 * Passbooks: the parsed records (handovers: the redemptions handed over), so staff screens fold every
	 * household's passbook with the current settings without opening each document.
	 */
	passbook?: { transfers: Transfer[]; approvals: Approval[]; resolutions: Resolution[]; handovers: string[] };
	/** Bookings: the household's parsed records, so staff screens fold every household's bookings without opening each. */
	bookings?: BookingRecords;
	/** Conventions: what they govern, where they stand, the version in force and the open ratification poll. */
	convention?: { scope: ConventionScope; stage: ConventionStage; inForce?: { version: number; since: string }; ratifying?: string };
}

/**
 * Derives the index entry of a document; null while the document is still empty. `companion` is the other
 * document of an index pair (see indexPair), when the device holds it.
 */
export function indexEntry(name: string, doc: Y.Doc, companion?: Y.Doc | null): IndexEntry | null {
	const parsed = parseDocName(name);
	if (!parsed) return null;
	const base = { doc: name, community: parsed.community, kind: parsed.kind };
	const blank = { status: '', category: '', proposalKind: '', channel: '', createdBy: '' } as const;
	switch (parsed.kind) {
		case 'proposal': {
			if (!isProposalDoc(doc)) return null;
			const p = readProposal(doc);
			const recorder = proposerOf(p).recordedBy;
			const merged = mergeOf(p.timeline);
			return {
				...base,
				title: p.title,
				status: p.timeline.status,
				category: p.category,
				proposalKind: p.kind,
				channel: p.channel,
				createdBy: p.createdBy?.id ?? '',
				updated: Math.max(p.timeline.updated, p.createdAt),
				count: p.coSigners.length,
				text: p.description,
				created: p.createdAt,
				level: p.level,
				...(p.household ? { household: p.household } : {}),
				...(recorder ? { recordedBy: { name: recorder.name, role: recorder.role } } : {}),
				coSigners: p.coSigners.map((c) => c.household),
				supporters: p.supporters.map((s) => s.id),
				...(merged ? { mergedInto: merged.target } : {})
			};
		}
		case 'community': {
			const c = readCommunity(doc);
			if (!c.id) return null;
			return { ...base, ...blank, title: c.name, updated: 0, count: c.buildings.length };
		}
		case 'topic': {
			const t = readTopic(doc, name);
			if (!t.id) return null;
			return {
				...base,
				...blank,
				title: t.title,
				category: t.category,
				createdBy: t.createdBy?.id ?? '',
				updated: t.createdAt,
				count: t.proposals.length,
				created: t.createdAt,
				members: t.proposals
			};
		}
		case 'households': {
			const list = readHouseholds(doc);
			return { ...base, ...blank, title: parsed.id, updated: 0, count: list.length };
		}
		case 'visits': {
			const count = visitCount(doc);
			return { ...base, ...blank, title: parsed.id, updated: lastVisitAt(doc), count };
		}
		case 'poll': {
			if (!isPollDoc(doc)) return null;
			const p = readPoll(doc);
			// 'voting' until a facilitator closes it; a close by time is judged from the poll where it is shown.
			return {
				...base,
				...blank,
				title: p.title,
				status: p.closures.length > 0 ? 'closed' : 'voting',
				createdBy: p.createdBy?.id ?? '',
				updated: Math.max(p.createdAt, ...p.closures.map((c) => c.at)),
				count: p.options.length,
				created: p.createdAt,
				members: p.matters
			};
		}
		case 'project': {
			// Stage, the earliest open due day and the topic ride along for the project list (ProjectIndexFields).
			const summary = projectSummary(doc, companion);
			return summary && { ...base, ...blank, ...summary };
		}
		case 'notice': {
			// Kind, period and matter ride along for the notice board (NoticeIndexFields).
			const summary = noticeSummary(doc);
			return summary && { ...base, ...blank, ...summary };
		}
		case 'meeting': {
			// Kind, time, place, minutes status and weekly slot ride along for the meetings list (MeetingIndexFields).
			const summary = meetingSummary(doc);
			return summary && { ...base, ...blank, ...summary };
		}
		case 'minutes': {
			const summary = minutesSummary(doc);
			return summary && { ...base, ...blank, ...summary };
		}
		case 'passbook': {
			if (!isPassbookDoc(doc)) return null;
			const records = readPassbookRecords(doc, parsed.id);
			return {
				...base,
				...blank,
				title: '',
				updated: lastRecordAt(doc),
				count: records.transfers.length,
				household: parsed.id,
				passbook: {
					transfers: [...records.transfers],
					approvals: [...records.approvals],
					resolutions: [...records.resolutions],
					handovers: [...readHandovers(doc).keys()].sort()
				}
			};
		}
		case 'points': {
			if (!isPointsDoc(doc)) return null;
			if (parsed.id === 'public') {
				const board = readPointsBoard(doc);
				return { ...base, ...blank, title: '', updated: board?.updated ?? 0, count: board?.stock.length ?? 0 };
			}
			const config = readPointsConfig(doc);
			const times = [...config.activities, ...config.items, ...config.restocks].map((r) => r.at);
			return { ...base, ...blank, title: '', updated: Math.max(0, ...times), count: config.items.length };
		}
		case 'talents': {
			if (!isTalentsDoc(doc)) return null;
			return { ...base, ...blank, title: '', updated: lastPersonAt(doc), count: activePeople(doc) };
		}
		case 'convention': {
			const c = readConvention(doc);
			if (!c) return null;
			const times = [c.meta.at, ...c.versions.map((v) => v.at), ...c.suggestions.map((x) => x.at), ...c.ratifications.map((r) => r.result?.at ?? r.at)];
			return {
				...base,
				...blank,
				title: c.meta.title,
				createdBy: c.meta.by.id,
				created: c.meta.at,
				updated: Math.max(...times),
				count: c.open.length,
				convention: {
					scope: c.meta.scope,
					stage: c.stage,
					...(c.inForce ? { inForce: { version: c.inForce.version.n, since: c.inForce.since } } : {}),
					...(c.ratifying ? { ratifying: c.ratifying.poll } : {})
				}
			};
		}
		case 'bookings': {
			const records = readBookings(doc, parsed.id);
			if (records.bookings.length === 0 && records.decisions.length === 0) return null;
			const times = [...records.bookings, ...records.cancellations, ...records.decisions].map((r) => r.at);
			return { ...base, ...blank, title: '', updated: Math.max(0, ...times), count: records.bookings.length, household: parsed.id, bookings: records };
		}
		case 'participation':
			// Listed through its project, whose entry counts its sign-offs.
			return null;
		default: {
			// Kinds without their own summary yet are listed by the title their meta map carries.
			const meta = doc.getMap<unknown>('meta');
			const title = meta.get('title');
			if (typeof title !== 'string') return null;
			const created = meta.get('createdAt');
			return { ...base, ...blank, title, updated: typeof created === 'number' ? created : 0, count: 0 };
		}
	}
}
