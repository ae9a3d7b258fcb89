/**
 * The relay's storage contract. Every document is a log of Yjs updates; a global sequence number orders all
 * writes, and each document remembers the sequence of its last write, which is what the change feed lists.
 * Implementations: SqliteStore (sqlite-store.ts), PgStore (postgres/pg-store.ts) and MemoryStore (memory-store.ts,
 * for tests).
 *
 * An append may be conditional, as a compare-and-set: an update whose `unchangedSince` is set is stored only if
 * its document has no row with a later seq, earlier updates of the same batch included. The hub sets it on a
 * write it judged against the document as of that seq, so that a write another relay process committed in
 * between cannot slip under the judgement (core/hub.ts). The check and the append are one transaction.
 */
import type { ChangeEntry } from '../../src/lib/protocol/messages';

export interface PendingUpdate {
	doc: string;
	data: Uint8Array;
	/**
	 * Store it only if the document's last seq is at most this one (and no earlier update of the batch is to the
	 * same document); else the whole append is refused with a StaleWrite naming it. Unset: unconditional.
	 */
	unchangedSince?: number;
}

/**
 * A conditional append refused: nothing of the batch was stored. `stale` lists the batch indices of the updates
 * whose document moved on since their `unchangedSince`; the batch without them would be stored as it stands.
 */
export class StaleWrite extends Error {
	constructor(readonly stale: readonly number[]) {
		super(`${stale.length} conditional update(s) are stale: their document changed since it was judged`);
		this.name = 'StaleWrite';
	}
}

/**
 * The indices of the conditional updates of `batch` that are stale, given each document's last seq as it stands
 * before the batch (`lastSeq`, read inside the append's transaction; 0 for a document with no rows).
 */
export function staleUpdates(batch: readonly PendingUpdate[], lastSeq: (doc: string) => number): number[] {
	const stale: number[] = [];
	const earlier = new Set<string>();
	for (const [i, { doc, unchangedSince }] of batch.entries()) {
		// A stale update is not stored, so it moves nothing on: the others are judged as the batch without it.
		if (unchangedSince !== undefined && (earlier.has(doc) || lastSeq(doc) > unchangedSince)) stale.push(i);
		else earlier.add(doc);
	}
	return stale;
}

/** Whether any update of `batch` is conditional. */
export const isConditional = (batch: readonly PendingUpdate[]) => batch.some((u) => u.unchangedSince !== undefined);

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
	/**
	 * Appends a batch in ONE durable transaction; resolves once committed, with a result per input, in order.
	 * Rejects with StaleWrite, storing nothing, when a conditional update's document moved on (PendingUpdate).
	 */
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
