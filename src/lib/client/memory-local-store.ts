/**
 * The in-memory implementation of the local-store contract (local-store.ts), with the IndexedDB store's
 * semantics: a spec drives the sync engine and the queues with it, without a browser or an IndexedDB stand-in.
 * Nothing survives the process; `clone` hands the stored content to a new store, as a restart of the app would.
 */
import * as Y from 'yjs';
import { indexPair } from '../schema/doc-names';
import { indexEntry, type IndexEntry } from '../schema/index-entry';
import type { SyncState } from './db';
import {
	type DocHandle,
	EMPTY_UPDATE,
	emptyState,
	type LocalChangeListener,
	type LocalStore,
	type OutboxRecord,
	REMOTE
} from './local-store';

/** Origin of the stored state applied when a document is opened. */
const LOAD = Symbol('load');

interface OpenDoc {
	doc: Y.Doc;
	refs: number;
	writes: Promise<void>;
}

export class MemoryLocalStore implements LocalStore {
	private readonly updates = new Map<string, Uint8Array[]>();
	private readonly states = new Map<string, SyncState>();
	private readonly index = new Map<string, IndexEntry>();
	private readonly settings = new Map<string, unknown>();
	private readonly outboxes = new Map<string, Map<string, unknown>>();
	private readonly open = new Map<string, OpenDoc>();
	private readonly listeners = new Set<LocalChangeListener>();

	onLocalChange(listener: LocalChangeListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	loaded(name: string): Y.Doc | undefined {
		return this.open.get(name)?.doc;
	}

	async openDoc(name: string): Promise<DocHandle> {
		let entry = this.open.get(name);
		if (!entry) {
			const doc = new Y.Doc({ guid: name });
			const stored = this.updates.get(name);
			if (stored) Y.applyUpdate(doc, Y.mergeUpdates(stored), LOAD);
			const opened: OpenDoc = { doc, refs: 0, writes: Promise.resolve() };
			doc.on('update', (update: Uint8Array, origin: unknown) => {
				const local = origin !== REMOTE;
				this.append(name, update);
				opened.writes = opened.writes.then(() => {
					const seq = this.record(name, doc, local);
					if (local) for (const l of this.listeners) l(name, update, seq);
				});
			});
			this.open.set(name, opened);
			entry = opened;
		}
		entry.refs++;
		const opened = entry;
		let released = false;
		const handle: DocHandle = {
			name,
			doc: opened.doc,
			saved: () => opened.writes,
			change: async (fn) => {
				const result = fn(opened.doc);
				await opened.writes;
				return result;
			},
			release: () => {
				if (released) return;
				released = true;
				if (--opened.refs === 0 && this.open.get(name) === opened) {
					this.open.delete(name);
					void opened.writes.then(() => opened.doc.destroy());
				}
			}
		};
		return handle;
	}

	async readState(name: string): Promise<Uint8Array> {
		const loaded = this.open.get(name);
		if (loaded) return Y.encodeStateAsUpdate(loaded.doc);
		const stored = this.updates.get(name);
		return stored ? Y.mergeUpdates(stored) : EMPTY_UPDATE;
	}

	async applyRemote(name: string, update: Uint8Array): Promise<void> {
		const loaded = this.open.get(name);
		if (loaded) {
			Y.applyUpdate(loaded.doc, update, REMOTE);
			await loaded.writes;
			return;
		}
		this.append(name, update);
		const doc = new Y.Doc({ guid: name });
		Y.applyUpdate(doc, Y.mergeUpdates(this.updates.get(name)!));
		this.record(name, doc, false);
		doc.destroy();
	}

	private append(name: string, update: Uint8Array): void {
		const list = this.updates.get(name);
		if (list) list.push(update);
		else this.updates.set(name, [update]);
	}

	/** Sync state and index entry after a write, as DocStore.record does; returns the local sequence number. */
	private record(name: string, doc: Y.Doc, local: boolean): number {
		const prev = this.states.get(name);
		const localSeq = (prev?.localSeq ?? 0) + (local ? 1 : 0);
		this.states.set(name, {
			...emptyState(name),
			...prev,
			stateVector: Y.encodeStateVector(doc),
			localSeq,
			dirty: local ? 1 : (prev?.dirty ?? 0)
		});
		const entry = this.derive(name, doc);
		if (entry) this.index.set(entry.doc, entry);
		return localSeq;
	}

	private derive(name: string, doc: Y.Doc): IndexEntry | null {
		const pair = indexPair(name);
		if (!pair) return indexEntry(name, doc);
		const other = this.copy(pair.other);
		try {
			if (pair.entry === name) return indexEntry(name, doc, other);
			return other && indexEntry(pair.entry, other, doc);
		} finally {
			other?.destroy();
		}
	}

	private copy(name: string): Y.Doc | null {
		const loaded = this.open.get(name)?.doc;
		const stored = this.updates.get(name);
		if (!loaded && !stored) return null;
		const doc = new Y.Doc({ guid: name });
		Y.applyUpdate(doc, loaded ? Y.encodeStateAsUpdate(loaded) : Y.mergeUpdates(stored!));
		return doc;
	}

	/** Resolves once the bookkeeping of every change so far to an open document is done. */
	async settle(): Promise<void> {
		await Promise.all([...this.open.values()].map((e) => e.writes));
	}

	async syncStates(names: readonly string[]): Promise<(SyncState | undefined)[]> {
		return names.map((n) => {
			const s = this.states.get(n);
			return s && { ...s };
		});
	}

	async dirtyDocs(): Promise<string[]> {
		return [...this.states.values()].filter((s) => s.dirty === 1).map((s) => s.doc);
	}

	async dirtyCount(): Promise<number> {
		return (await this.dirtyDocs()).length;
	}

	async unsyncedDocs(): Promise<string[]> {
		return [...this.states.values()].filter((s) => s.dirty === 1 || !s.synced).map((s) => s.doc);
	}

	async acknowledge(name: string, localSeq: number): Promise<void> {
		const s = this.states.get(name);
		if (s && s.localSeq <= localSeq) this.states.set(name, { ...s, dirty: 0 });
	}

	async markSynced(names: readonly string[], at: number): Promise<void> {
		for (const name of names) {
			this.states.set(name, { ...emptyState(name), ...this.states.get(name), synced: true, lastSynced: at, error: null });
		}
	}

	async markUnsynced(name: string): Promise<void> {
		const s = this.states.get(name);
		if (s) this.states.set(name, { ...s, synced: false });
	}

	async markError(name: string, error: string): Promise<void> {
		this.states.set(name, { ...emptyState(name), ...this.states.get(name), error });
	}

	async getSetting(key: string): Promise<unknown> {
		return structuredClone(this.settings.get(key));
	}

	async putSetting(key: string, value: unknown): Promise<void> {
		this.settings.set(key, structuredClone(value));
	}

	async indexEntries(names: readonly string[]): Promise<(IndexEntry | undefined)[]> {
		return names.map((n) => this.index.get(n));
	}

	private queue(name: string): Map<string, unknown> {
		let q = this.outboxes.get(name);
		if (!q) this.outboxes.set(name, (q = new Map()));
		return q;
	}

	async outboxEntries<T>(queue: string): Promise<OutboxRecord<T>[]> {
		return [...this.queue(queue)].map(([key, value]) => ({ key, value: structuredClone(value) as T }));
	}

	async getOutbox<T>(queue: string, key: string): Promise<T | undefined> {
		return structuredClone(this.queue(queue).get(key)) as T | undefined;
	}

	async putOutbox<T>(queue: string, key: string, value: T): Promise<void> {
		this.queue(queue).set(key, structuredClone(value));
	}

	async updateOutbox<T>(queue: string, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
		const current = await this.getOutbox<T>(queue, key);
		const next = change(current);
		if (next === undefined) return current;
		await this.putOutbox(queue, key, next);
		return structuredClone(next);
	}

	async deleteOutbox(queue: string, key: string): Promise<void> {
		this.queue(queue).delete(key);
	}
}
