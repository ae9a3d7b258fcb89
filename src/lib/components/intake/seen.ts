/**
 * What a proposer has already seen of their proposals, for the unread marker of "my proposals": per document,
 * the time of the last change they looked at, kept in Dexie settings under `seen:<doc>` (local to this device,
 * cleared with everything else on sign-out).
 */
import type { Courtyard } from '$lib/client/courtyard.svelte';
import type { IndexEntry } from '$lib/schema/index-entry';

export const SEEN_PREFIX = 'seen:';

export async function markSeen(app: Courtyard, doc: string, at: number): Promise<void> {
	const key = SEEN_PREFIX + doc;
	await app.db.transaction('rw', app.db.settings, async () => {
		const prev = await app.db.settings.get(key);
		if (typeof prev?.value === 'number' && prev.value >= at) return;
		await app.db.settings.put({ key, value: at });
	});
}

/** Every `seen:` record, as document name → time. */
export async function readSeen(app: Courtyard): Promise<Map<string, number>> {
	const rows = await app.db.settings.where('key').startsWith(SEEN_PREFIX).toArray();
	return new Map(rows.filter((r) => typeof r.value === 'number').map((r) => [r.key.slice(SEEN_PREFIX.length), r.value as number]));
}

/**
 * Whether a proposal changed since its proposer last looked. Never looked: unread unless nothing happened
 * after they filed it themselves.
 */
export function isUnread(entry: IndexEntry, seen: number | undefined, me: string): boolean {
	const baseline = seen ?? (entry.createdBy === me ? (entry.created ?? entry.updated) : 0);
	return entry.updated > baseline;
}
