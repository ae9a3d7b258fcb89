/**
 * Local document storage. Each Yjs document lives in its own IndexedDB database in y-indexeddb's layout
 * (object store `updates`, auto-increment keys), so an open document is a plain `IndexeddbPersistence`, while
 * the background sync can read and append updates of documents nobody has open without loading a Y.Doc.
 *
 * Every write path ends in `markChanged`, which updates the document's sync state and its index entry in
 * Dexie; a caller that awaits it knows the change is on disk.
 */
import * as idb from 'lib0/indexeddb';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';

/**
 * The index derivation holds every document kind's reader; it loads on the first write rather than with the
 * app shell, which needs none of it to show the first page.
 */
let indexer: Promise<typeof import('../schema/index-entry')> | null = null;
const loadIndexer = () =>
	(indexer ??= import('../schema/index-entry').catch((err: unknown) => {
		// Not cached: a chunk missing after an app update must not stop every later write from indexing.
		indexer = null;
		throw err;
	}));
import { indexPair } from '../schema/doc-names';
import type { Verdict } from '../schema/record-changes';
import type { IndexEntry } from '../schema/index-entry';
import type { CourtyardDB, SyncState } from './db';
import {
	type DocHandle,
	EMPTY_SV,
	EMPTY_UPDATE,
	emptyState,
	type LocalChangeListener,
	type LocalStore,
	type OutboxRecord,
	outboxSettingKey,
	REMOTE
} from './local-store';

export { type DocHandle, EMPTY_SV, emptyState, type LocalChangeListener, REMOTE } from './local-store';

interface OpenDoc {
	doc: Y.Doc;
	persistence: IndexeddbPersistence;
	refs: number;
	/** Chain of bookkeeping writes, so `saved()` can wait for all of them. */
	writes: Promise<void>;
}

const UPDATES = 'updates';

/** The IndexedDB implementation of the local-store contract (local-store.ts). */
export class DocStore implements LocalStore {
	private open = new Map<string, OpenDoc>();
	private opening = new Map<string, Promise<OpenDoc>>();
	private listeners = new Set<LocalChangeListener>();
	/** Bookkeeping of the two documents of an index pair, one write at a time, so the later write's entry wins. */
	private pairs = new Map<string, Promise<number>>();
	/** Last error of a write (quota, failure), for the UI to show; nothing is dropped from memory. */
	onWriteError: (err: unknown) => void = () => {};
	/** Documents that may no longer be opened or fed (a revoked credential's personal data, until it is deleted). */
	private sealed: ((name: string) => boolean) | null = null;
	/** Documents deleted from this device (until one is opened again, e.g. after joining anew). */
	private readonly removed = new Set<string>();

	constructor(
		readonly db: CourtyardDB,
		/** Prefix of the per-document database names, so several devices can share one IndexedDB in tests. */
		readonly prefix = 'courtyard-doc:'
	) {}

	onLocalChange(listener: LocalChangeListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	isOpen(name: string): boolean {
		return this.open.has(name);
	}

	loaded(name: string): Y.Doc | undefined {
		return this.open.get(name)?.doc;
	}

	/**
	 * From now on, documents matching `predicate` cannot be opened (openDoc throws SealedError) and updates for
	 * them are dropped; reading their stored state for an export still works. `null` lifts it.
	 */
	seal(predicate: ((name: string) => boolean) | null): void {
		this.sealed = predicate;
	}

	isSealed(name: string): boolean {
		return this.sealed?.(name) ?? false;
	}

	async openDoc(name: string): Promise<DocHandle> {
		if (this.isSealed(name)) throw new SealedError(name);
		let entry = this.open.get(name);
		if (!entry) {
			let pending = this.opening.get(name);
			if (!pending) {
				pending = this.load(name);
				this.opening.set(name, pending);
			}
			try {
				entry = await pending;
			} finally {
				this.opening.delete(name);
			}
		}
		entry.refs++;
		const opened = entry;
		let released = false;
		const handle: DocHandle = {
			name,
			doc: opened.doc,
			saved: () => this.saved(name),
			change: (fn) => this.change(handle, fn),
			release: () => {
				if (released) return;
				released = true;
				if (--opened.refs === 0) void this.close(name);
			}
		};
		return handle;
	}

	private async load(name: string): Promise<OpenDoc> {
		this.removed.delete(name);
		const doc = new Y.Doc({ guid: name });
		const persistence = new IndexeddbPersistence(this.prefix + name, doc);
		await persistence.whenSynced;
		const entry: OpenDoc = { doc, persistence, refs: 0, writes: Promise.resolve() };
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			const local = origin !== REMOTE && origin !== persistence;
			entry.writes = entry.writes
				.then(() => this.afterWrite(name, doc, local))
				.then((seq) => {
					if (local) for (const l of this.listeners) l(name, update, seq);
				})
				.catch((err) => this.onWriteError(err));
		});
		this.open.set(name, entry);
		return entry;
	}

	private async close(name: string): Promise<void> {
		const entry = this.open.get(name);
		if (!entry || entry.refs > 0) return;
		this.open.delete(name);
		await entry.writes;
		await entry.persistence.destroy();
		entry.doc.destroy();
	}

	/** Runs `fn` with the document open (loading it if need be), then releases it. */
	async withDoc<T>(name: string, fn: (handle: DocHandle) => T | Promise<T>): Promise<T> {
		const handle = await this.openDoc(name);
		try {
			return await fn(handle);
		} finally {
			handle.release();
		}
	}

	/**
	 * Changes a document and resolves with `fn`'s result once the change is in IndexedDB (see saved()). With a
	 * writeCheck set, `fn` runs on a copy first and the change is written only if the check passes; otherwise
	 * it rejects with WriteRefusedError and the document is left as it was.
	 */
	edit<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
		return this.withDoc(name, (handle) => this.change(handle, fn));
	}

	/** edit() for a document already open. */
	async change<T>(handle: DocHandle, fn: (doc: Y.Doc) => T): Promise<T> {
		// A revoked credential's personal documents take no more changes (their unsynced state is being settled).
		if (this.isSealed(handle.name)) throw new SealedError(handle.name);
		const result = this.writeCheck ? await this.checkedEdit(handle.name, handle.doc, fn, this.writeCheck) : fn(handle.doc);
		await handle.saved();
		return result;
	}

	/**
	 * The relay's write rules, run before a change is written: a change it would refuse would otherwise stay in
	 * the document and hold up every later change of it.
	 */
	writeCheck: WriteCheck | null = null;

	private async checkedEdit<T>(name: string, doc: Y.Doc, fn: (doc: Y.Doc) => T, check: WriteCheck): Promise<T> {
		for (let attempt = 0; attempt < CHECK_ATTEMPTS; attempt++) {
			const trial = new Y.Doc({ guid: name });
			const target = new Y.Doc({ guid: name });
			try {
				const state = Y.encodeStateAsUpdate(doc);
				const id = doc.clientID;
				const clock = Y.getState(doc.store, id);
				Y.applyUpdate(trial, state);
				Y.applyUpdate(target, state);
				// The same client id, so the change applied back below is this device's own, at its next clock. Set
				// after the state: a doc that receives structs under its own id takes another one.
				trial.clientID = id;
				const sv = Y.encodeStateVector(trial);
				let changed = false;
				trial.on('update', () => {
					changed = true;
				});
				const result = fn(trial);
				if (!changed) return result;
				const update = Y.encodeStateAsUpdate(trial, sv);
				const verdict = await check(name, target, update);
				if (!verdict.ok) throw new WriteRefusedError(name, verdict.reason);
				if (this.isSealed(name)) throw new SealedError(name);
				// Changed here meanwhile (typing in the same document): the update's clocks are taken; make it again.
				if (doc.clientID !== id || Y.getState(doc.store, id) !== clock) continue;
				Y.applyUpdate(doc, update);
				// Yjs takes its own id arriving in an update for another client's and picks a new one; these are ours.
				doc.clientID = id;
				return result;
			} finally {
				trial.destroy();
				target.destroy();
			}
		}
		// A document this busy is changed directly; the relay still judges what it receives.
		return fn(doc);
	}

	/** Waits until y-indexeddb has committed every update so far, then for our own bookkeeping. */
	async saved(name: string): Promise<void> {
		const entry = this.open.get(name);
		if (!entry) return;
		const db = await (entry.persistence as unknown as { _db: Promise<IDBDatabase> })._db;
		// IndexedDB runs overlapping read-write transactions in order: once this one completes, every
		// update y-indexeddb queued before it has been committed (or has failed, which we surface).
		await new Promise<void>((resolve, reject) => {
			const tx = db.transaction([UPDATES], 'readwrite');
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error);
			tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
		});
		await entry.writes;
	}

	private afterWrite(name: string, doc: Y.Doc, local: boolean): Promise<number> {
		// A deleted document still open somewhere must not write its index row back. (A sealed one not yet deleted
		// still counts its local changes: they are what the export is offered for.)
		if (this.removed.has(name)) return Promise.resolve(0);
		const pair = indexPair(name);
		if (!pair) return this.record(name, doc, local);
		const run = (this.pairs.get(pair.entry) ?? Promise.resolve(0)).catch(() => 0).then(() => this.record(name, doc, local));
		this.pairs.set(pair.entry, run);
		void run.finally(() => {
			if (this.pairs.get(pair.entry) === run) this.pairs.delete(pair.entry);
		}).catch(() => {});
		return run;
	}

	private async record(name: string, doc: Y.Doc, local: boolean): Promise<number> {
		// The state vector is taken now, matching what was just written; the entry may see later changes (it is derived).
		const sv = Y.encodeStateVector(doc);
		// The index is derived and rebuildable; failing to derive it must never keep the sync state unwritten.
		const entry = await this.derive(name, doc).catch((err: unknown) => {
			this.onWriteError(err);
			return null;
		});
		let seq = 0;
		await this.db.transaction('rw', this.db.syncState, this.db.index, async () => {
			const prev = await this.db.syncState.get(name);
			seq = (prev?.localSeq ?? 0) + (local ? 1 : 0);
			await this.db.syncState.put({
				...emptyState(name),
				...prev,
				stateVector: sv,
				localSeq: seq,
				dirty: local ? 1 : (prev?.dirty ?? 0)
			});
			if (entry) await this.db.index.put(entry);
		});
		return seq;
	}

	/** The index entry a change to `name` makes: its own, or for one of an index pair the pair's entry. */
	private async derive(name: string, doc: Y.Doc): Promise<IndexEntry | null> {
		const { indexEntry } = await loadIndexer();
		const pair = indexPair(name);
		if (!pair) return indexEntry(name, doc);
		const other = await this.storedCopy(pair.other);
		try {
			if (pair.entry === name) return indexEntry(name, doc, other);
			return other && indexEntry(pair.entry, other, doc);
		} finally {
			other?.destroy();
		}
	}

	/** A throwaway copy of a document this device holds, or null if it holds none. */
	private async storedCopy(name: string): Promise<Y.Doc | null> {
		if (!this.open.has(name) && !(await this.db.syncState.get(name))) return null;
		const doc = new Y.Doc({ guid: name });
		Y.applyUpdate(doc, await this.readState(name));
		return doc;
	}

	/** The full stored state of a document as one update (empty update if there is none). */
	async readState(name: string): Promise<Uint8Array> {
		const loaded = this.open.get(name);
		if (loaded) return Y.encodeStateAsUpdate(loaded.doc);
		const updates = await this.withUpdates(name, 'readonly', (store) => idb.getAll(store) as Promise<Uint8Array[]>);
		return updates.length === 0 ? EMPTY_UPDATE : Y.mergeUpdates(updates);
	}

	/**
	 * Stores an update that came from the relay. An open document applies it (y-indexeddb persists it);
	 * otherwise it is appended in y-indexeddb's layout and the index entry is derived from the merged state.
	 */
	async applyRemote(name: string, update: Uint8Array): Promise<void> {
		// A late frame must not bring back a document that is being deleted.
		if (this.isSealed(name)) return;
		const loaded = this.open.get(name);
		if (loaded) {
			Y.applyUpdate(loaded.doc, update, REMOTE);
			await this.saved(name);
			return;
		}
		// Both requests are issued before awaiting, so the transaction cannot commit in between.
		const all = await this.withUpdates(name, 'readwrite', async (store) => {
			const added = idb.addAutoKey(store, update as unknown as ArrayBuffer);
			const stored = idb.getAll(store) as Promise<Uint8Array[]>;
			await added;
			return stored;
		});
		const doc = new Y.Doc({ guid: name });
		Y.applyUpdate(doc, all.length === 1 ? update : Y.mergeUpdates(all));
		await this.afterWrite(name, doc, false);
		doc.destroy();
	}

	/** Records that the relay has acknowledged everything up to `localSeq`. */
	async acknowledge(name: string, localSeq: number): Promise<void> {
		await this.db.transaction('rw', this.db.syncState, async () => {
			const s = await this.db.syncState.get(name);
			if (s && s.localSeq <= localSeq) await this.db.syncState.update(name, { dirty: 0 });
		});
	}

	async markSynced(all: readonly string[], at: number): Promise<void> {
		// A reply still being applied when documents were sealed must not bring back their rows.
		const names = all.filter((n) => !this.isSealed(n));
		await this.db.transaction('rw', this.db.syncState, async () => {
			const states = await this.db.syncState.bulkGet([...names]);
			await this.db.syncState.bulkPut(
				names.map((name, i) => ({ ...emptyState(name), ...states[i], synced: true, lastSynced: at, error: null }))
			);
		});
	}

	async markError(name: string, error: string): Promise<void> {
		if (this.isSealed(name)) return;
		const s = await this.db.syncState.get(name);
		await this.db.syncState.put({ ...emptyState(name), ...s, error });
	}

	async markUnsynced(name: string): Promise<void> {
		if (this.isSealed(name)) return;
		await this.db.syncState.update(name, { synced: false });
	}

	syncStates(names: readonly string[]): Promise<(SyncState | undefined)[]> {
		return this.db.syncState.bulkGet([...names]);
	}

	async dirtyDocs(): Promise<string[]> {
		return (await this.db.syncState.where('dirty').equals(1).primaryKeys()) as string[];
	}

	dirtyCount(): Promise<number> {
		return this.db.syncState.where('dirty').equals(1).count();
	}

	async unsyncedDocs(): Promise<string[]> {
		return (await this.db.syncState.filter((s) => s.dirty === 1 || !s.synced).primaryKeys()) as string[];
	}

	async getSetting(key: string): Promise<unknown> {
		return (await this.db.settings.get(key))?.value;
	}

	async putSetting(key: string, value: unknown): Promise<void> {
		await this.db.settings.put({ key, value });
	}

	indexEntries(names: readonly string[]): Promise<(IndexEntry | undefined)[]> {
		return this.db.index.bulkGet([...names]);
	}

	// Outbox records live in the settings table (`outbox.<queue>:<key>`): small, cleared with the credential on
	// sign-out, and readable by the app shell without loading the queue's code.

	async outboxEntries<T>(queue: string): Promise<OutboxRecord<T>[]> {
		const prefix = outboxSettingKey(queue, '');
		const rows = await this.db.settings.where('key').startsWith(prefix).toArray();
		return rows.map((r) => ({ key: r.key.slice(prefix.length), value: r.value as T }));
	}

	async getOutbox<T>(queue: string, key: string): Promise<T | undefined> {
		return (await this.db.settings.get(outboxSettingKey(queue, key)))?.value as T | undefined;
	}

	async putOutbox<T>(queue: string, key: string, value: T): Promise<void> {
		await this.db.settings.put({ key: outboxSettingKey(queue, key), value });
	}

	updateOutbox<T>(queue: string, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
		const id = outboxSettingKey(queue, key);
		return this.db.transaction('rw', this.db.settings, async () => {
			const current = (await this.db.settings.get(id))?.value as T | undefined;
			const next = change(current);
			if (next === undefined) return current;
			await this.db.settings.put({ key: id, value: next });
			return next;
		});
	}

	async deleteOutbox(queue: string, key: string): Promise<void> {
		await this.db.settings.delete(outboxSettingKey(queue, key));
	}

	/** Resolves once the bookkeeping of every change made so far to an open document is done. */
	async settle(): Promise<void> {
		await Promise.all([...this.open.values()].map((entry) => entry.writes));
	}

	/** Deletes a document's local copy entirely (sign-out of a shared device). */
	async remove(name: string): Promise<void> {
		this.removed.add(name);
		const entry = this.open.get(name);
		if (entry) {
			this.open.delete(name);
			await entry.persistence.clearData();
		} else {
			await idb.deleteDB(this.prefix + name);
		}
		await this.db.transaction('rw', this.db.syncState, this.db.index, async () => {
			await this.db.syncState.delete(name);
			await this.db.index.delete(name);
		});
	}

	/** Rebuilds the whole derived index from the stored documents. */
	async rebuildIndex(onProgress?: (done: number, total: number) => void): Promise<number> {
		const names = (await this.db.syncState.toCollection().primaryKeys()) as string[];
		let done = 0;
		await this.db.index.clear();
		if (names.length === 0) return 0;
		for (const name of names) {
			const state = await this.readState(name);
			const doc = new Y.Doc({ guid: name });
			Y.applyUpdate(doc, state);
			const entry = await this.derive(name, doc);
			if (entry) await this.db.index.put(entry);
			doc.destroy();
			onProgress?.(++done, names.length);
		}
		return done;
	}

	private async withUpdates<T>(
		name: string,
		mode: 'readonly' | 'readwrite',
		fn: (store: IDBObjectStore) => Promise<T>
	): Promise<T> {
		const db = await idb.openDB(this.prefix + name, (d) =>
			idb.createStores(d, [[UPDATES, { autoIncrement: true }], ['custom']])
		);
		try {
			const [store] = idb.transact(db, [UPDATES], mode);
			return await fn(store!);
		} finally {
			db.close();
		}
	}
}

/** Tries of a checked change before it is made without the check (see DocStore.checkedEdit). */
const CHECK_ATTEMPTS = 5;

/** Judges a device's change to a document as the relay will, applying it to `target`, a copy of the document. */
export type WriteCheck = (name: string, target: Y.Doc, update: Uint8Array) => Verdict | Promise<Verdict>;

/** A change the relay's write rules would refuse; nothing was written. */
export class WriteRefusedError extends Error {
	constructor(
		readonly doc: string,
		readonly reason: string
	) {
		super(`refused: ${reason}`);
		this.name = 'WriteRefusedError';
	}
}

/** Thrown by openDoc for a sealed document (see DocStore.seal). */
export class SealedError extends Error {
	constructor(readonly doc: string) {
		super(`${doc} is no longer available on this device`);
		this.name = 'SealedError';
	}
}
