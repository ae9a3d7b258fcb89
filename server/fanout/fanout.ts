/**
 * Fan-out between relay processes that serve the same documents from one shared store (DESIGN.md §4: Redis
 * pub/sub, never a home-made cluster protocol). Implementations: MemoryFanout (memory-fanout.ts: several hubs in
 * one process, for tests) and RedisFanout (redis-fanout.ts); one contract suite runs both (fanout.contract.ts).
 *
 * Everything here is best effort, as pub/sub is: a message may be lost (a dropped link, a process killed between
 * its commit and its publish). Nothing relies on it for correctness: commits carry the store's global sequence
 * and the hub repairs any gap from the store (hub.ts, catch-up); awareness states are re-sent by their clients
 * and dropped when their process stops beating (heartbeats); revocations are also polled from the access store.
 *
 * Channels are global, not per document: a process needs every commit anyway (its caches, write-rule lookups and
 * every /sync connection's change feed cover all documents, loaded or not), and only one global stream of the
 * global sequence lets a gap be seen at all. At the design's scale (tens of communities on a street) that is a
 * few hundred small messages a second at most.
 *
 * Besides messages, two atomic steps on the shared server, not best effort: leases (one process at a time runs
 * something: leadership.ts) and token buckets (limits shared by every process: shared-rate-limit.ts).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** One committed update, as the store numbered it; `data` null when too large to publish (read it from the store). */
export interface CommitNote {
	doc: string;
	seq: number;
	data: Uint8Array | null;
}

export interface FanoutHandlers {
	/** Updates another process committed, in its commit order. */
	commits(from: string, entries: readonly CommitNote[]): void;
	/** An awareness update from another process's clients (y-protocols encoding, without the message type). */
	awareness(from: string, doc: string, update: Uint8Array): void;
	/** Another process asks for the awareness states of `doc` (it just loaded the room). */
	awarenessWanted(from: string, doc: string): void;
	/** Another process is alive; `leaving` when it shuts down cleanly. */
	heartbeat(from: string, leaving: boolean): void;
	/** Devices revoked on another process. */
	revoked(from: string, deviceIds: readonly string[]): void;
	/** Another process asks whoever serves `topic` (cluster.ts, ask/answer); `body` is JSON. */
	request(from: string, id: string, topic: string, body: string): void;
	/** An answer to the request `id` of process `to` (every process hears it; only `to` takes it). */
	response(from: string, to: string, id: string, body: string): void;
	/** The link came back after a drop: anything may have been missed meanwhile. */
	reconnected(): void;
}

export interface Fanout {
	/** This process's id, unique per start. */
	readonly id: string;
	/** Starts delivering to `handlers` (a process's own messages are never delivered back to it). */
	start(handlers: FanoutHandlers): Promise<void>;
	publishCommits(entries: readonly CommitNote[]): Promise<void>;
	publishAwareness(doc: string, update: Uint8Array): Promise<void>;
	requestAwareness(doc: string): Promise<void>;
	publishHeartbeat(leaving?: boolean): Promise<void>;
	publishRevocation(deviceIds: readonly string[]): Promise<void>;
	publishRequest(id: string, topic: string, body: string): Promise<void>;
	publishResponse(to: string, id: string, body: string): Promise<void>;
	/**
	 * Takes one token from the bucket `name` shared by every process (holding up to `capacity`, refilled at
	 * `perSecond`, starting full): 0 when taken, else the milliseconds until one is there. Throws when the link
	 * is down (the caller decides whether to fail open).
	 */
	takeToken(name: string, capacity: number, perSecond: number): Promise<number>;
	/**
	 * Takes or renews the lease `name` for this process for `ttlMs`; true while this process holds it. A lease
	 * held by another process is free again once it was not renewed for `ttlMs`.
	 */
	acquireLease(name: string, ttlMs: number): Promise<boolean>;
	/** Gives the lease up if this process holds it. */
	releaseLease(name: string): Promise<void>;
	close(): Promise<void>;
}

/** Updates larger than this are announced without their bytes: receivers read them from the store. */
export const MAX_INLINE_UPDATE_BYTES = 256 * 1024;

export enum FanoutKind {
	Commits = 0,
	Awareness = 1,
	AwarenessWanted = 2,
	Heartbeat = 3,
	Revoked = 4,
	Request = 5,
	Response = 6
}

/** Which channel a message kind goes on (commits apart: the busiest, and the one gap detection reads). */
export type FanoutChannel = 'commits' | 'presence' | 'control';

export function channelOf(kind: FanoutKind): FanoutChannel {
	if (kind === FanoutKind.Commits) return 'commits';
	if (kind === FanoutKind.Awareness || kind === FanoutKind.AwarenessWanted) return 'presence';
	return 'control';
}

export type FanoutMessage =
	| { kind: FanoutKind.Commits; from: string; entries: CommitNote[] }
	| { kind: FanoutKind.Awareness; from: string; doc: string; update: Uint8Array }
	| { kind: FanoutKind.AwarenessWanted; from: string; doc: string }
	| { kind: FanoutKind.Heartbeat; from: string; leaving: boolean }
	| { kind: FanoutKind.Revoked; from: string; deviceIds: string[] }
	| { kind: FanoutKind.Request; from: string; id: string; topic: string; body: string }
	| { kind: FanoutKind.Response; from: string; to: string; id: string; body: string };

export function encodeFanout(m: FanoutMessage): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, m.kind);
	encoding.writeVarString(e, m.from);
	switch (m.kind) {
		case FanoutKind.Commits:
			encoding.writeVarUint(e, m.entries.length);
			for (const c of m.entries) {
				encoding.writeVarString(e, c.doc);
				encoding.writeVarUint(e, c.seq);
				encoding.writeVarUint(e, c.data ? 1 : 0);
				if (c.data) encoding.writeVarUint8Array(e, c.data);
			}
			break;
		case FanoutKind.Awareness:
			encoding.writeVarString(e, m.doc);
			encoding.writeVarUint8Array(e, m.update);
			break;
		case FanoutKind.AwarenessWanted:
			encoding.writeVarString(e, m.doc);
			break;
		case FanoutKind.Heartbeat:
			encoding.writeVarUint(e, m.leaving ? 1 : 0);
			break;
		case FanoutKind.Revoked:
			encoding.writeVarUint(e, m.deviceIds.length);
			for (const id of m.deviceIds) encoding.writeVarString(e, id);
			break;
		case FanoutKind.Request:
			encoding.writeVarString(e, m.id);
			encoding.writeVarString(e, m.topic);
			encoding.writeVarString(e, m.body);
			break;
		case FanoutKind.Response:
			encoding.writeVarString(e, m.to);
			encoding.writeVarString(e, m.id);
			encoding.writeVarString(e, m.body);
			break;
	}
	return encoding.toUint8Array(e);
}

/** Throws on a malformed message. */
export function decodeFanout(bytes: Uint8Array): FanoutMessage {
	const d = decoding.createDecoder(bytes);
	const kind = decoding.readVarUint(d) as FanoutKind;
	const from = decoding.readVarString(d);
	switch (kind) {
		case FanoutKind.Commits: {
			const n = decoding.readVarUint(d);
			if (n > bytes.length) throw new Error('fan-out: entry count exceeds length');
			const entries: CommitNote[] = [];
			for (let i = 0; i < n; i++) {
				const doc = decoding.readVarString(d);
				const seq = decoding.readVarUint(d);
				const data = decoding.readVarUint(d) === 1 ? decoding.readVarUint8Array(d).slice() : null;
				entries.push({ doc, seq, data });
			}
			return { kind, from, entries };
		}
		case FanoutKind.Awareness:
			return { kind, from, doc: decoding.readVarString(d), update: decoding.readVarUint8Array(d).slice() };
		case FanoutKind.AwarenessWanted:
			return { kind, from, doc: decoding.readVarString(d) };
		case FanoutKind.Heartbeat:
			return { kind, from, leaving: decoding.readVarUint(d) === 1 };
		case FanoutKind.Revoked: {
			const n = decoding.readVarUint(d);
			if (n > bytes.length) throw new Error('fan-out: id count exceeds length');
			const deviceIds: string[] = [];
			for (let i = 0; i < n; i++) deviceIds.push(decoding.readVarString(d));
			return { kind, from, deviceIds };
		}
		case FanoutKind.Request:
			return { kind, from, id: decoding.readVarString(d), topic: decoding.readVarString(d), body: decoding.readVarString(d) };
		case FanoutKind.Response:
			return { kind, from, to: decoding.readVarString(d), id: decoding.readVarString(d), body: decoding.readVarString(d) };
		default:
			throw new Error(`fan-out: unknown message kind ${kind as number}`);
	}
}

/** Hands a decoded message to its handler (shared by both implementations). */
export function deliver(handlers: FanoutHandlers, m: FanoutMessage): void {
	switch (m.kind) {
		case FanoutKind.Commits:
			return handlers.commits(m.from, m.entries);
		case FanoutKind.Awareness:
			return handlers.awareness(m.from, m.doc, m.update);
		case FanoutKind.AwarenessWanted:
			return handlers.awarenessWanted(m.from, m.doc);
		case FanoutKind.Heartbeat:
			return handlers.heartbeat(m.from, m.leaving);
		case FanoutKind.Revoked:
			return handlers.revoked(m.from, m.deviceIds);
		case FanoutKind.Request:
			return handlers.request(m.from, m.id, m.topic, m.body);
		case FanoutKind.Response:
			return handlers.response(m.from, m.to, m.id, m.body);
	}
}

/**
 * The messages every fan-out publishes, built the same way whatever carries them: an implementation only says
 * how one encoded message is sent (send), how buckets and leases are kept, and how it starts and closes.
 */
export abstract class PublishingFanout implements Fanout {
	abstract readonly id: string;
	protected abstract send(message: FanoutMessage): Promise<void>;
	abstract start(handlers: FanoutHandlers): Promise<void>;
	abstract takeToken(name: string, capacity: number, perSecond: number): Promise<number>;
	abstract acquireLease(name: string, ttlMs: number): Promise<boolean>;
	abstract releaseLease(name: string): Promise<void>;
	abstract close(): Promise<void>;

	publishCommits(entries: readonly CommitNote[]): Promise<void> {
		return this.send({ kind: FanoutKind.Commits, from: this.id, entries: [...entries] });
	}

	publishAwareness(doc: string, update: Uint8Array): Promise<void> {
		return this.send({ kind: FanoutKind.Awareness, from: this.id, doc, update });
	}

	requestAwareness(doc: string): Promise<void> {
		return this.send({ kind: FanoutKind.AwarenessWanted, from: this.id, doc });
	}

	publishHeartbeat(leaving = false): Promise<void> {
		return this.send({ kind: FanoutKind.Heartbeat, from: this.id, leaving });
	}

	publishRevocation(deviceIds: readonly string[]): Promise<void> {
		return this.send({ kind: FanoutKind.Revoked, from: this.id, deviceIds: [...deviceIds] });
	}

	publishRequest(id: string, topic: string, body: string): Promise<void> {
		return this.send({ kind: FanoutKind.Request, from: this.id, id, topic, body });
	}

	publishResponse(to: string, id: string, body: string): Promise<void> {
		return this.send({ kind: FanoutKind.Response, from: this.id, to, id, body });
	}
}

export function newProcessId(): string {
	return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Runs `work` while holding the lease `name` (waiting for it if another process holds it), then gives it up. */
export async function withLease<T>(fanout: Fanout, name: string, work: () => Promise<T>, ttlMs = 60_000): Promise<T> {
	while (!(await fanout.acquireLease(name, ttlMs))) await new Promise((resolve) => setTimeout(resolve, 100));
	// Renewed while the work runs, however long it takes.
	const renew = setInterval(() => void fanout.acquireLease(name, ttlMs).catch(() => {}), ttlMs / 3);
	renew.unref();
	try {
		return await work();
	} finally {
		clearInterval(renew);
		await fanout.releaseLease(name).catch(() => {});
	}
}
