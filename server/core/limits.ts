/** Bounds the relay enforces on every connection. All sizes are in bytes, all durations in milliseconds. */
import { MAX_BATCH_ENTRIES } from '../../src/lib/protocol/messages';
import type { DocKind } from '../../src/lib/schema/doc-names';

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
	/**
	 * Bytes of recently written documents kept as the write rules' mirrors (hub.ts judge()): a write to one of
	 * them is judged at the cost of the update, any other at the cost of loading the document once.
	 */
	mirrorBytes: number;
	/**
	 * Largest stored size of a document per kind: the bytes of its stored update rows (compaction merges them).
	 * An update that would take a document past it is refused with 4413 and never stored or forwarded. Overrides
	 * name only the kinds they change; the others keep their default.
	 */
	maxDocBytes: Readonly<Partial<Record<DocKind, number>>>;
	/**
	 * Write budget per credential (device id), shared by all its sockets on both endpoints: updates and bytes it
	 * may write, as a burst refilled at the given rates per minute. An update over it is refused with 4429.
	 */
	writeBurstUpdates: number;
	writeUpdatesPerMinute: number;
	writeBurstBytes: number;
	writeBytesPerMinute: number;
	/**
	 * Writes of one credential being judged at once; its further (charged) writes wait their turn, each in a later
	 * turn of the event loop, so a device with a full budget cannot crowd everyone else out of the relay's time.
	 */
	maxWritesInFlightPerCredential: number;
	/** Documents one credential may be subscribed to across its sockets (a /ws socket counts one); more get 4430. */
	maxSubscriptionsPerCredential: number;
	/** WebSockets one credential may hold open; more are closed with 4429. */
	maxSocketsPerCredential: number;
	/** WebSockets one client address may hold open (see trustProxy); more are closed with 4429. */
	maxSocketsPerAddress: number;
	/** A WebSocket whose credential is not verified within this is closed with 4401. */
	authTimeoutMs: number;
	/** HTTP: the request headers (also of a WebSocket upgrade) must arrive within this (Node's headersTimeout). */
	httpHeadersTimeoutMs: number;
	/** HTTP: the whole request, body included, must arrive within this (Node's requestTimeout, 300 s by default). */
	httpRequestTimeoutMs: number;
	/** HTTP: a socket that sends or receives nothing this long, e.g. a stalled request body, is closed. */
	httpIdleTimeoutMs: number;
	/** HTTP: an idle keep-alive connection is closed after this. */
	httpKeepAliveTimeoutMs: number;
	/** Interval of WebSocket pings; a connection that missed one pong is terminated. 0 disables. */
	pingIntervalMs: number;
	/** Bytes of photos one device may store; more is refused with 413 quota_exceeded. */
	photoQuotaDeviceBytes: number;
	/** Bytes of photos stored for one community's documents; more is refused with 413 quota_exceeded. */
	photoQuotaCommunityBytes: number;
	/** Photos (and their links to documents) younger than this are kept even if no document refers to them yet. */
	photoGcGraceMs: number;
	/** Interval of the photo collection (also run shortly after start). 0 disables it. */
	photoGcIntervalMs: number;
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
	mirrorBytes: 16 * 1024 * 1024,
	// A proposal is text and a timeline: kilobytes. Registers and projects grow with a grid or a matter; live
	// minutes hold every keystroke of a long meeting. Far above honest use, low enough that serving one is quick:
	// loading or encoding a 4 MiB document takes ~50 ms, a 16 MiB one ~250 ms (npm run bench).
	maxDocBytes: {
		proposal: 256 * 1024,
		topic: 1024 * 1024,
		poll: 1024 * 1024,
		notice: 1024 * 1024,
		meeting: 1024 * 1024,
		community: 4 * 1024 * 1024,
		households: 4 * 1024 * 1024,
		visits: 4 * 1024 * 1024,
		ballots: 4 * 1024 * 1024,
		project: 4 * 1024 * 1024,
		participation: 4 * 1024 * 1024,
		minutes: 4 * 1024 * 1024,
		// The street answers in it; the cases are the relay's redacted copies of referred matters.
		referrals: 4 * 1024 * 1024,
		// Written by the relay alone: every week, month and quarter kept, grid by grid, for years.
		report: 16 * 1024 * 1024,
		// One household's movements for years: a few hundred small records.
		passbook: 1024 * 1024,
		// The points config (activities, catalogue, restocks) and the relay's public board.
		points: 4 * 1024 * 1024,
		// Thousands of people with their skills and contact details.
		talents: 8 * 1024 * 1024,
		// The rooms and their rules; the relay's calendar holds each room's bookings from yesterday on.
		rooms: 4 * 1024 * 1024,
		// One household's bookings for years, series included.
		bookings: 1024 * 1024,
		// Live text with every keystroke, residents' suggestions and the versions.
		convention: 4 * 1024 * 1024
	},
	// A device back from a day offline pushes thousands of small updates (and perhaps a whole minutes document)
	// at once: the burst holds that; after it, a flooding device gets ~50 small updates a second, spread over
	// all its sockets, while everyone else's budget is untouched.
	writeBurstUpdates: 10_000,
	writeUpdatesPerMinute: 3_000,
	writeBurstBytes: 32 * 1024 * 1024,
	writeBytesPerMinute: 8 * 1024 * 1024,
	// A few writes judged at a time per device keeps a flooding device's share of each turn of the event loop
	// small (a document's first write costs loading it into a mirror); thousands of small ones still take
	// seconds, not minutes.
	maxWritesInFlightPerCredential: 4,
	maxSubscriptionsPerCredential: 20_000,
	// The app holds one /sync socket per tab and one /ws socket for live minutes; an address may be a whole
	// community centre behind one NAT.
	maxSocketsPerCredential: 64,
	maxSocketsPerAddress: 512,
	authTimeoutMs: 10_000,
	httpHeadersTimeoutMs: 10_000,
	// A 3 MB photo over a poor mobile link still fits; a body trickled in to hold a socket does not.
	httpRequestTimeoutMs: 120_000,
	httpIdleTimeoutMs: 30_000,
	httpKeepAliveTimeoutMs: 5_000,
	pingIntervalMs: 30_000,
	// ~500–1,000 compressed photos per device; a community of a few thousand households fits years of matters.
	photoQuotaDeviceBytes: 200 * 1024 * 1024,
	photoQuotaCommunityBytes: 5 * 1024 * 1024 * 1024,
	// A photo taken offline reaches the relay before the document change that refers to it. A week: a phone that uploaded its photos and then lost the network before the change naming them (or
	// whose change waits on its write budget) still finds them kept when it comes back.
	photoGcGraceMs: 7 * 24 * 60 * 60 * 1000,
	photoGcIntervalMs: 60 * 60 * 1000
};

/**
 * Parses per-kind size caps written as `kind=size,…` with sizes in bytes or with a k/m suffix (KiB, MiB), e.g.
 * `proposal=512k,minutes=32m` (the MAX_DOC_BYTES variable). Throws on an unknown kind or a bad size.
 */
export function parseDocSizes(raw: string): Partial<Record<DocKind, number>> {
	const sizes: Partial<Record<DocKind, number>> = {};
	for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
		const m = /^([a-z]+)=(\d+)([km]?)$/i.exec(part);
		const kind = m?.[1] as DocKind | undefined;
		if (!m || !kind || !(kind in DEFAULT_LIMITS.maxDocBytes)) throw new Error(`not a document size: ${part} (write kind=size, e.g. proposal=512k)`);
		const unit = m[3]?.toLowerCase() === 'm' ? 1024 * 1024 : m[3]?.toLowerCase() === 'k' ? 1024 : 1;
		sizes[kind] = Number(m[2]) * unit;
	}
	return sizes;
}

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
	const limits = { ...DEFAULT_LIMITS, ...overrides };
	limits.hardFrameBytes = Math.max(limits.hardFrameBytes, limits.maxFrameBytes + 1);
	limits.changesPageSize = Math.min(Math.max(1, limits.changesPageSize), MAX_BATCH_ENTRIES);
	limits.maxBatchDocs = Math.min(Math.max(1, limits.maxBatchDocs), MAX_BATCH_ENTRIES);
	// One message of the largest accepted size must always fit in the byte bucket.
	limits.rateBurstBytes = Math.max(limits.rateBurstBytes, limits.maxFrameBytes);
	limits.writeBurstBytes = Math.max(limits.writeBurstBytes, limits.maxFrameBytes);
	limits.writeBurstUpdates = Math.max(1, limits.writeBurstUpdates);
	limits.maxWritesInFlightPerCredential = Math.max(1, limits.maxWritesInFlightPerCredential);
	limits.maxDocBytes = { ...DEFAULT_LIMITS.maxDocBytes, ...overrides.maxDocBytes };
	// Node refuses a headers timeout above the request timeout.
	if (limits.httpRequestTimeoutMs > 0) limits.httpHeadersTimeoutMs = Math.min(limits.httpHeadersTimeoutMs, limits.httpRequestTimeoutMs);
	return limits;
}
