/** Bounds the relay enforces on every connection. All sizes are in bytes, all durations in milliseconds. */
import { MAX_BATCH_ENTRIES } from '../src/lib/protocol/messages';

export interface Limits {
	/** Largest accepted message; a larger one closes the connection with 4413. */
	maxFrameBytes: number;
	/**
	 * Hard ceiling handed to `ws` (maxPayload): messages between maxFrameBytes and this get a clear 4413, anything
	 * beyond it is cut off by `ws` itself (1009) before it is buffered whole.
	 */
	hardFrameBytes: number;
	/** A connection whose unsent data exceeds this no longer gets broadcasts and is closed as too slow. */
	maxBufferedBytes: number;
	/**
	 * A BatchSyncReply larger than this is split into several replies carrying the same requestId. Kept below
	 * maxBufferedBytes so that a large reply being flushed leaves room for broadcasts.
	 */
	maxReplyBytes: number;
	/** Entries in one Changes reply (the protocol decoder accepts at most MAX_BATCH_ENTRIES). */
	changesPageSize: number;
	/** Documents one /sync connection may be subscribed to at once; more get DocError 4430. */
	maxSubscriptions: number;
	/** Documents in one BatchSync request; more close the connection with 4430. */
	maxBatchDocs: number;
	/**
	 * Per-connection rate limit, two token buckets: messages and bytes a client may send in a burst, refilled at
	 * the given rates per second. A client over either is closed with 4429 "rate limited".
	 */
	rateBurstMessages: number;
	rateMessagesPerSecond: number;
	rateBurstBytes: number;
	rateBytesPerSecond: number;
	/** BatchSync/ListChanges requests one /sync connection may have queued; more close it with 4429. */
	maxPendingRequests: number;
	/** Messages held for a connection while it authenticates or its room loads. */
	maxQueuedMessages: number;
	/** Update rows per document above which its rows are merged into one. */
	compactThreshold: number;
	/** Delay before a room with no subscribers is unloaded (and compacted). */
	idleUnloadMs: number;
	/** Bytes of merged document state kept in memory for BatchSync of unloaded documents. */
	stateCacheBytes: number;
	/** Interval of WebSocket pings; a connection that missed one pong is terminated. 0 disables. */
	pingIntervalMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
	maxFrameBytes: 2 * 1024 * 1024,
	hardFrameBytes: 8 * 1024 * 1024,
	maxBufferedBytes: 8 * 1024 * 1024,
	maxReplyBytes: 4 * 1024 * 1024,
	changesPageSize: MAX_BATCH_ENTRIES,
	maxSubscriptions: 5_000,
	maxBatchDocs: MAX_BATCH_ENTRIES,
	// A device back from a day of canvassing offline pushes its changes in one go; this leaves room for
	// thousands of documents in a burst while a flooding client is cut off within seconds.
	rateBurstMessages: 5_000,
	rateMessagesPerSecond: 500,
	rateBurstBytes: 32 * 1024 * 1024,
	rateBytesPerSecond: 4 * 1024 * 1024,
	maxPendingRequests: 16,
	maxQueuedMessages: 1_000,
	compactThreshold: 200,
	idleUnloadMs: 30_000,
	stateCacheBytes: 64 * 1024 * 1024,
	pingIntervalMs: 30_000
};

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
	const limits = { ...DEFAULT_LIMITS, ...overrides };
	limits.hardFrameBytes = Math.max(limits.hardFrameBytes, limits.maxFrameBytes + 1);
	limits.changesPageSize = Math.min(Math.max(1, limits.changesPageSize), MAX_BATCH_ENTRIES);
	limits.maxBatchDocs = Math.min(Math.max(1, limits.maxBatchDocs), MAX_BATCH_ENTRIES);
	// One message of the largest accepted size must always fit in the byte bucket.
	limits.rateBurstBytes = Math.max(limits.rateBurstBytes, limits.maxFrameBytes);
	return limits;
}
