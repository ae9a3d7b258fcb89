/**
 * Document kinds and names. A name is `<community>:<kind>:<id>`; access rules (enforced by the relay) map
 * onto kinds, which is why registers are split per grid rather than kept in one community document.
 */

export const SCHEMA_VERSION = 1;

export type DocKind = 'community' | 'proposal' | 'topic' | 'households';
export const DOC_KINDS: readonly DocKind[] = ['community', 'proposal', 'topic', 'households'];

export interface DocName {
	community: string;
	kind: DocKind;
	/** Proposal id, grid id (households) or 'main' (community). */
	id: string;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

export function docName(community: string, kind: DocKind, id: string): string {
	const name = `${community}:${kind}:${id}`;
	if (!parseDocName(name)) throw new Error(`invalid document name parts: ${name}`);
	return name;
}

/** Parses a document name; null for anything that is not a well-formed name of a known kind. */
export function parseDocName(name: string): DocName | null {
	const parts = name.split(':');
	if (parts.length !== 3) return null;
	const [community, kind, id] = parts as [string, string, string];
	if (!SEGMENT.test(community) || !SEGMENT.test(id)) return null;
	if (!DOC_KINDS.includes(kind as DocKind)) return null;
	return { community, kind: kind as DocKind, id };
}

export const communityDocName = (community: string) => docName(community, 'community', 'main');
export const householdsDocName = (community: string, grid: string) => docName(community, 'households', grid);
export const proposalDocName = (community: string, id: string) => docName(community, 'proposal', id);
export const topicDocName = (community: string, id: string) => docName(community, 'topic', id);
