/**
 * The local-store contract: what the sync engine and the background queues need of the device's storage.
 *
 * - documents: Yjs documents, opened for pages or read and fed without loading them;
 * - sync state: per document, whether the relay holds everything (dirty, synced, local sequence, last error);
 * - settings: small key-value records (the catch-up cursor, when the device last synced);
 * - index: the derived entries of documents (titles for "what is still unsynced");
 * - outboxes: small records of work waiting for the relay's HTTP API, per queue (e.g. a resident's ballots).
 *
 * Two implementations pass one contract suite (local-store.contract.ts): DocStore (IndexedDB: y-indexeddb and
 * Dexie, doc-store.ts) and MemoryLocalStore (memory-local-store.ts), which specs use without any browser stand-in.
 */
import * as Y from 'yjs';
import type { IndexEntry } from '../schema/index-entry';
import type { SyncState } from './db';

export type { SyncState } from './db';

/** Origin of updates that came from the relay, so they are not sent back or counted as local changes. */
export const REMOTE = Symbol('remote');

export const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc({ guid: 'empty' }));
export const EMPTY_SV = Y.encodeStateVector(new Y.Doc({ guid: 'empty' }));

export interface DocHandle {
	name: string;
	doc: Y.Doc;
	/** Resolves once every change made so far is stored and recorded as pending. */
	saved(): Promise<void>;
	/** Makes a change (the IndexedDB store checks it against the relay's rules first) and resolves once it is saved. */
	change<T>(fn: (doc: Y.Doc) => T): Promise<T>;
	release(): void;
}

/** Called after a local change is stored, with the update and the document's new local sequence number. */
export type LocalChangeListener = (name: string, update: Uint8Array, localSeq: number) => void;

export interface LocalDocuments {
	onLocalChange(listener: LocalChangeListener): () => void;
	/** The document if a page has it open (live updates go into it), else undefined. */
	loaded(name: string): Y.Doc | undefined;
	openDoc(name: string): Promise<DocHandle>;
	/** The full stored state as one update (an empty update when the device holds nothing of it). */
	readState(name: string): Promise<Uint8Array>;
	/** Stores an update from the relay: it neither marks the document dirty nor reaches local-change listeners. */
	applyRemote(name: string, update: Uint8Array): Promise<void>;
}

export interface LocalSyncState {
	/** Sync states of the given documents, in order (undefined where the device holds none). */
	syncStates(names: readonly string[]): Promise<(SyncState | undefined)[]>;
	/** Documents with changes the relay has not acknowledged. */
	dirtyDocs(): Promise<string[]>;
	dirtyCount(): Promise<number>;
	/** Documents that are dirty or whose relay state has never been stored in full. */
	unsyncedDocs(): Promise<string[]>;
	/** The relay holds every change up to `localSeq`: clears dirty unless the document changed since. */
	acknowledge(name: string, localSeq: number): Promise<void>;
	/** The relay's full state of each is stored: synced, at `at`, with no error. */
	markSynced(names: readonly string[], at: number): Promise<void>;
	/** The relay could not serve it: it counts as unsynced until the next complete reply. */
	markUnsynced(name: string): Promise<void>;
	/** The relay's last refusal, shown to the user. */
	markError(name: string, error: string): Promise<void>;
}

export interface LocalSettings {
	getSetting(key: string): Promise<unknown>;
	putSetting(key: string, value: unknown): Promise<void>;
}

export interface LocalIndex {
	indexEntries(names: readonly string[]): Promise<(IndexEntry | undefined)[]>;
}

export interface OutboxRecord<T = unknown> {
	key: string;
	value: T;
}

/** Small records of work waiting for the relay, one keyed set per queue. */
export interface LocalOutboxes {
	outboxEntries<T>(queue: string): Promise<OutboxRecord<T>[]>;
	getOutbox<T>(queue: string, key: string): Promise<T | undefined>;
	putOutbox<T>(queue: string, key: string, value: T): Promise<void>;
	/**
	 * Read-modify-write of one record in one transaction: `change` gets the stored value (undefined if none) and
	 * returns the new one, or undefined to leave it. Resolves with what is stored afterwards.
	 */
	updateOutbox<T>(queue: string, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
	deleteOutbox(queue: string, key: string): Promise<void>;
}

export interface LocalStore extends LocalDocuments, LocalSyncState, LocalSettings, LocalIndex, LocalOutboxes {}

/** Settings keys of the sync engine (a wipe resets the cursor: see revocation.ts). */
export const CURSOR_KEY = 'sync.cursor';
export const LAST_SYNCED_KEY = 'sync.lastSynced';

/** Settings key under which the IndexedDB store keeps an outbox record (e.g. `outbox.ballot:<poll>`). */
export const outboxSettingKey = (queue: string, key: string): string => `outbox.${queue}:${key}`;

export function emptyState(doc: string): SyncState {
	return {
		doc,
		stateVector: EMPTY_SV,
		dirty: 0,
		localSeq: 0,
		synced: false,
		lastSynced: null,
		error: null
	};
}
