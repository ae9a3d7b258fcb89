/**
 * The relay's storage contract. Every document is a log of Yjs updates; a global sequence number orders all
 * writes, and each document remembers the sequence of its last write, which is what the change feed lists.
 * Implementations: SqliteStore (sqlite-store.ts) and MemoryStore (memory-store.ts, for tests). Async so that a
 * PostgreSQL implementation fits the same contract.
 */
import type { ChangeEntry } from '../../src/lib/protocol/messages';

export interface PendingUpdate {
	doc: string;
	data: Uint8Array;
}

export interface AppendedUpdate {
	doc: string;
	seq: number;
	/** Update rows the document holds after this append (drives compaction). */
	rows: number;
	/** Bytes of the document's stored rows after this append (the per-kind size cap, limits.maxDocBytes). */
	bytes: number;
}

export interface ChangePage {
	/** Highest last_seq of any document at the time of the query. */
	headSeq: number;
	/** Documents whose last_seq is greater than the asked sequence, in ascending seq order, each once. */
	entries: ChangeEntry[];
}

export interface CompactResult {
	before: number;
	after: number;
}

export interface DocStore {
	/** All stored updates of a document in write order; empty if it has none. */
	loadUpdates(doc: string): Promise<Uint8Array[]>;
	/** Appends a batch in ONE durable transaction; resolves once committed, with a result per input, in order. */
	appendUpdates(batch: readonly PendingUpdate[]): Promise<AppendedUpdate[]>;
	changesSince(seq: number, limit: number): Promise<ChangePage>;
	headSeq(): Promise<number>;
	/** Replaces a document's rows by one merged update, keeping its last_seq. */
	compact(doc: string): Promise<CompactResult>;
	/** Number of documents with at least one update. */
	docCount(): Promise<number>;
	/** Number of update rows a document holds. */
	rowCount(doc: string): Promise<number>;
	/** Bytes of a document's stored update rows (0 if it has none); kept as a running count, never summed. */
	docBytes(doc: string): Promise<number>;
	/** A cheap read of what every write touches; throws when storage is failing (storage-health.ts). Optional. */
	probe?(): Promise<void>;
	close(): Promise<void>;
}
