/**
 * The device's Dexie database: what must be queried fast or is local-only. Document content lives in
 * y-indexeddb (one IndexedDB database per document); everything in `index` is derived from it and rebuildable.
 * Photos (photos.ts) keep their upload state in `photos` and their bytes in `photoData`, so that listing and
 * counting uploads never reads image bytes.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { PhotoType } from '../protocol/photos';
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

/**
 * 'unattached': taken for a document not created yet (a form not saved); 'pending': some document still
 * waits for the upload; 'failed': the relay refused it for good (shown, retried on the next start);
 * 'done': uploaded for every document, or downloaded to be shown here.
 */
export type PhotoState = 'unattached' | 'pending' | 'failed' | 'done';

export interface PhotoMeta {
	/** SHA-256 of the bytes, lower-case hex. */
	sha: string;
	type: PhotoType;
	size: number;
	addedAt: number;
	/** 'local': taken on this device (kept until sign-out); 'remote': a downloaded copy (may be evicted). */
	origin: 'local' | 'remote';
	/** Documents this device attached the photo to, each uploaded with the photo's name. */
	docs: string[];
	/** Those of `docs` the relay has confirmed. */
	uploaded: string[];
	state: PhotoState;
	attempts: number;
	/** Epoch ms before which the uploader leaves it alone (backoff). */
	nextAttempt: number;
	/** The last refusal or failure, for the UI. */
	error: string | null;
}

export interface PhotoData {
	sha: string;
	blob: Blob;
}

export type CourtyardDB = Dexie & {
	index: EntityTable<IndexEntry, 'doc'>;
	syncState: EntityTable<SyncState, 'doc'>;
	settings: EntityTable<Setting, 'key'>;
	photos: EntityTable<PhotoMeta, 'sha'>;
	photoData: EntityTable<PhotoData, 'sha'>;
};

export const DB_NAME = 'courtyard';

export function openDatabase(name = DB_NAME): CourtyardDB {
	const db = new Dexie(name) as CourtyardDB;
	db.version(1).stores({
		index: 'doc, community, kind, status, category, updated, createdBy, [kind+updated]',
		syncState: 'doc, dirty, synced',
		settings: 'key'
	});
	db.version(2).stores({
		photos: 'sha, state, addedAt',
		photoData: 'sha'
	});
	return db;
}
