/**
 * What a proposer has already seen of their proposals, for the unread marker of "my proposals": per document,
 * the time of the last change they looked at, kept in the settings table under `seen:<doc>` (local to this
 * device, cleared with everything else on sign-out).
 */
import type { CourtyardDB } from './db';

export const SEEN_PREFIX = 'seen:';

/** What the marks need: the settings table (`courtyard()` in the browser). */
export interface SeenStore {
	readonly db: Pick<CourtyardDB, 'settings' | 'transaction'>;
}

export async function markSeen(app: SeenStore, doc: string, at: number): Promise<void> {
	const key = SEEN_PREFIX + doc;
	await app.db.transaction('rw', app.db.settings, async () => {
		const prev = await app.db.settings.get(key);
		if (typeof prev?.value === 'number' && prev.value >= at) return;
		await app.db.settings.put({ key, value: at });
	});
}

/** Every `seen:` record, as document name → time. */
export async function readSeen(app: SeenStore): Promise<Map<string, number>> {
	const rows = await app.db.settings.where('key').startsWith(SEEN_PREFIX).toArray();
	return new Map(rows.filter((r) => typeof r.value === 'number').map((r) => [r.key.slice(SEEN_PREFIX.length), r.value as number]));
}
