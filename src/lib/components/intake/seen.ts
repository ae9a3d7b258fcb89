/** The unread marker of "my proposals"; what the proposer has seen is kept by the client (client/seen.ts). */
import type { IndexEntry } from '$lib/schema/index-entry';

/**
 * Whether a proposal changed since its proposer last looked. Never looked: unread unless nothing happened
 * after they filed it themselves.
 */
export function isUnread(entry: IndexEntry, seen: number | undefined, me: string): boolean {
	const baseline = seen ?? (entry.createdBy === me ? (entry.created ?? entry.updated) : 0);
	return entry.updated > baseline;
}
