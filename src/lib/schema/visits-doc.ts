/**
 * A grid's visit records (personal data, same readers as the register). Root keys:
 *   meta      Y.Map  schema, grid
 *   visits    Y.Map  visit id → Visit; append-only (a key is written once), so offline devices merge by union
 *   proposals Y.Map  visit id → document name of the proposal filed for the household during that visit
 *   photos    Y.Map  SHA-256 → PhotoRef, every visit's photos (see ./photos.ts: how the device knows which
 *                    document a photo belongs to, and the relay whom to serve it)
 * The proposal link is a separate key so that linking never rewrites (and races with) the visit itself.
 */
import * as Y from 'yjs';
import { parseVisit, type Visit } from '../domain/visit';
import { PHOTOS_KEY, type PhotoRef } from './photos';
import { stampMeta } from './meta';

const visits = (doc: Y.Doc) => doc.getMap<Visit>('visits');
const links = (doc: Y.Doc) => doc.getMap<string>('proposals');

/** Records a visit; false (and nothing written) when a visit with that id is already there. */
export function addVisit(doc: Y.Doc, visit: Visit): boolean {
	const map = visits(doc);
	if (map.has(visit.id)) return false;
	doc.transact(() => {
		stampMeta(doc, { grid: visit.grid });
		const { proposal, ...record } = visit;
		map.set(visit.id, record);
		if (proposal) links(doc).set(visit.id, proposal);
		const photos = doc.getMap<PhotoRef>(PHOTOS_KEY);
		visit.photos.forEach((sha, i) => {
			if (!photos.has(sha)) photos.set(sha, { at: visit.at + i, by: visit.by });
		});
	});
	return true;
}

export function linkProposal(doc: Y.Doc, visitId: string, proposalDoc: string): void {
	if (links(doc).get(visitId) !== proposalDoc) links(doc).set(visitId, proposalDoc);
}

/** Every well-formed visit, oldest first (ties by id, the same order on every device). */
export function readVisits(doc: Y.Doc): Visit[] {
	const proposals = links(doc);
	const out: Visit[] = [];
	for (const [key, value] of visits(doc).entries()) {
		const v = parseVisit(value);
		if (!v || v.id !== key) continue;
		const proposal = proposals.get(key);
		out.push(typeof proposal === 'string' && proposal ? { ...v, proposal } : v);
	}
	return out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function visitCount(doc: Y.Doc): number {
	return visits(doc).size;
}

export function lastVisitAt(doc: Y.Doc): number {
	let last = 0;
	for (const v of visits(doc).values()) if (typeof v?.at === 'number' && v.at > last) last = v.at;
	return last;
}
