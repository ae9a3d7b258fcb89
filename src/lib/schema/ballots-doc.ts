/**
 * The ballots of one grid's households in one poll (personal data: how each household voted). Root keys:
 *   meta     Y.Map  schema, grid, poll
 *   ballots  Y.Map  ballot id → Ballot
 * Keyed by ballot, not by household: two devices recording a ballot for the same household offline both keep
 * theirs after the merge, and the poll's conflict rule (domain/poll.ts) decides which one counts.
 */
import * as Y from 'yjs';
import { type Ballot, isBallot } from '../domain/poll';
import { stampMeta } from './meta';

const ballots = (doc: Y.Doc) => doc.getMap<Ballot>('ballots');

export function addBallot(doc: Y.Doc, grid: string, poll: string, ballot: Ballot): void {
	doc.transact(() => {
		stampMeta(doc, { grid, poll });
		ballots(doc).set(ballot.id, ballot);
	});
}

/** Every well-formed ballot; anything else (a damaged or hostile write) is left out. */
export function readBallots(doc: Y.Doc): Ballot[] {
	const out: Ballot[] = [];
	for (const [key, value] of ballots(doc).entries()) if (isBallot(value) && value.id === key) out.push(value);
	return out;
}

export function getBallot(doc: Y.Doc, id: string): Ballot | null {
	const b = ballots(doc).get(id);
	return isBallot(b) && b.id === id ? b : null;
}
