/**
 * Reads of the device's derived index: what pages list or link to without opening a document. Each is one Dexie
 * query, so a page runs it under `app.live(…)` and gets it again whenever the index changes. The area services
 * (canvassing, proposals, polls) build their lists on these.
 */
import type { DocKind } from '../schema/doc-names';
import type { IndexEntry } from '../schema/index-entry';
import type { CourtyardDB } from './db';
import type { LocalSyncState } from './local-store';

/** What an index read needs of the app: the index table (`courtyard()` in the browser, a bare database in tests). */
export interface IndexReader {
	readonly db: Pick<CourtyardDB, 'index'>;
}

/** The entry of one document, undefined when the device holds none. */
export const indexEntry = (app: IndexReader, doc: string): Promise<IndexEntry | undefined> => app.db.index.get(doc);

/** The entries of the given documents this device holds, in the order given. */
export async function heldEntries(app: IndexReader, docs: readonly string[]): Promise<IndexEntry[]> {
	const found = await app.db.index.bulkGet([...docs]);
	return found.filter((e): e is IndexEntry => !!e);
}

/** The entries of the given kinds that `keep` accepts (any community: callers filter by the one they show). */
export function entriesOfKind(app: IndexReader, kinds: DocKind | readonly DocKind[], keep: (e: IndexEntry) => boolean): Promise<IndexEntry[]> {
	const where = app.db.index.where('kind');
	return (typeof kinds === 'string' ? where.equals(kinds) : where.anyOf([...kinds])).filter(keep).toArray();
}

/** Whether the device holds the document at all (has a sync state for it), without opening it. */
export const holds = async (store: Pick<LocalSyncState, 'syncStates'>, doc: string): Promise<boolean> => !!(await store.syncStates([doc]))[0];

/** How many entries the index holds (after a rebuild, the documents it found). */
export const indexSize = (app: IndexReader): Promise<number> => app.db.index.count();
