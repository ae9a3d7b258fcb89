/**
 * The device's Dexie database: what must be queried fast or is local-only. Document content lives in
 * y-indexeddb (one IndexedDB database per document); everything in `index` is derived from it and rebuildable.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { IndexEntry } from '../schema/index-entry';

export interface SyncState {
	doc: string;
	/** Local state vector (Y.encodeStateVector) kept here so a batch sync needs no document loaded. */
	stateVector: Uint8Array;
	/** 1 while the device holds changes the relay has not acknowledged (a number, so it can be indexed). */
	dirty: 0 | 1;
	/** Bumped on every local change; an Ack clears `dirty` only if nothing changed since the send. */
	localSeq: number;
	/** True once the relay's full state for this document has been received and stored. */
	synced: boolean;
	lastSynced: number | null;
	/** Last refusal by the relay (forbidden, malformed …), shown to the user. */
	error: string | null;
}

export interface Setting {
	key: string;
	value: unknown;
}

export type CourtyardDB = Dexie & {
	index: EntityTable<IndexEntry, 'doc'>;
	syncState: EntityTable<SyncState, 'doc'>;
	settings: EntityTable<Setting, 'key'>;
};

export const DB_NAME = 'courtyard';

export function openDatabase(name = DB_NAME): CourtyardDB {
	const db = new Dexie(name) as CourtyardDB;
	db.version(1).stores({
		index: 'doc, community, kind, status, category, updated, createdBy, [kind+updated]',
		syncState: 'doc, dirty, synced',
		settings: 'key'
	});
	return db;
}
