/**
 * The link of one relay process to the others (REDIS_URL): wires a Fanout to the hub and its rooms.
 *
 * - Commits: the hub publishes its own and applies the others' (hub.ts, joinCluster); this subscribes it.
 * - Presence: each room's awareness changes from this process's clients are published, the others' applied
 *   (room.ts, applyRemoteAwareness). A room that loads asks the others for their states. Every process beats
 *   every `heartbeatMs`; one not heard for `peerTimeoutMs` (dead, or its Redis link dropped) has its states
 *   removed here, so no presence outlives its process (the Hocuspocus Redis extension's known leak). A process
 *   heard of again (new, or back after a drop) gets everyone's states again. After this link comes back, the hub
 *   catches up from the store, and presence is exchanged afresh both ways.
 * - Revocations: published by the process that revoked; the others read the shared revocation log at once
 *   (credentials.poll), so a message can close nothing the log does not say. The 2 s poll stays the safety net.
 * - Publishers (server/features) and the periodic photo collection: on the holder of the `publishers` lease only
 *   (leadership.ts, wired in relay.ts).
 * - Requests (ask/answer): a process asks whoever serves a topic and gets its result, e.g. a report correction
 *   posted to any process is applied by the reports publisher's process, which answers with the version. The
 *   request carries an id; the server first answers `accepted`, then the result; no taker within 3 s, or no
 *   result within 60 s, is an error for the caller (pub/sub may lose either message: nothing retries by itself).
 *
 * What stays per process, and why that is correct: the per-device budgets and limits (core/budgets.ts: sockets,
 * subscriptions, write budget and writes in flight per credential; core/rate-limit.ts per connection). The load
 * balancer routes on a hash of the device's credential (the `token` query parameter of both WebSocket endpoints,
 * the Authorization header of the API), so all of a device's sockets land on one process and its budget is
 * counted in one place. When that process dies its devices move on together, and the new process counts from
 * zero: at most one more window's worth of writes. Sockets per client address stay per process too, on purpose:
 * that limit protects the memory and file descriptors of the process holding the sockets, so N processes may hold
 * N times as many; a shared count would also need a round trip on every upgrade, and the counts of a killed
 * process would linger in Redis. Invitation redemptions per address are shared (shared-rate-limit.ts): a
 * redeeming device has no credential yet, its attempts land on any process, and the limit protects the codes.
 *
 * Write guards across processes (hub.ts submitGuarded): each process judges the guarded writes to a document one
 * at a time against the store's state as of a position (it first catches up to the store's head), and stores the
 * write only if no other process committed to that document since (a compare-and-set in the store's append);
 * else it catches up and judges the write again. So two writes to one document on two processes at once are
 * judged in the order they are stored, as within one process. What this does not cover: the other documents a
 * rule reads (a community's buildings, a project's chosen households, a meeting's date) are read as of the
 * judgement, not compared when storing.
 */
import type { Hub } from '../core/hub';
import type { ClusterOptions } from '../core/hub';
import type { Logger } from '../core/log';
import type { Room } from '../core/room';
import type { Fanout, FanoutHandlers } from './fanout';
import { Leadership, type LeadershipOptions } from './leadership';

/** A request no process answered, or one its answerer failed (`code`: what the answerer's error said). */
export class ClusterRequestError extends Error {
	constructor(
		message: string,
		readonly code: string | null
	) {
		super(message);
	}
}

/** What travels back for a request: first `accepted` (someone serves the topic), then `done` or `failed`. */
type Answer = { state: 'accepted' } | { state: 'done'; value: unknown } | { state: 'failed'; code: string | null; message: string };

export interface AskOptions {
	/** How long to wait for a process to take the request. Default 3 s. */
	acceptMs?: number;
	/** How long to wait for its result once taken. Default 60 s. */
	timeoutMs?: number;
}

/** Serves a request: its result, or null when this process does not serve the topic now (it stays silent). */
export type Answerer = (body: unknown) => Promise<unknown> | null;

export interface ClusterLinkOptions extends ClusterOptions {
	hub: Hub;
	fanout: Fanout;
	logger: Logger;
	/** Devices another process revoked (a hint: check the shared log). */
	onRevoked?: (deviceIds: readonly string[]) => void;
	/** Default 1 s. */
	heartbeatMs?: number;
	/** A process not heard for this long is gone. Default 5 s. */
	peerTimeoutMs?: number;
}

export class ClusterLink {
	/** Other processes → when last heard. */
	private readonly peers = new Map<string, number>();
	private beat: NodeJS.Timeout | null = null;
	private readonly leaderships = new Set<Leadership>();
	private readonly answerers = new Map<string, Answerer>();
	/** Requests of this process awaiting their answer, by id. */
	private readonly asked = new Map<string, (answer: Answer) => void>();
	private requests = 0;
	private closed = false;

	private constructor(private readonly options: ClusterLinkOptions) {}

	static async start(options: ClusterLinkOptions): Promise<ClusterLink> {
		const link = new ClusterLink(options);
		await link.begin();
		return link;
	}

	get fanout(): Fanout {
		return this.options.fanout;
	}

	private async begin(): Promise<void> {
		const { hub, fanout, logger } = this.options;
		hub.onRoomLoaded = (room) => this.wire(room);
		for (const room of hub.rooms.values()) if (room.ready) this.wire(room);
		const handlers: FanoutHandlers = {
			commits: (from, entries) => {
				this.heard(from);
				hub.remoteCommits(entries);
			},
			awareness: (from, doc, update) => {
				this.heard(from);
				const room = hub.rooms.get(doc);
				if (!room?.ready) return;
				try {
					room.applyRemoteAwareness(update, from);
				} catch (error) {
					logger.warn(`a malformed awareness update for ${doc} from ${from} was ignored`, error);
				}
			},
			awarenessWanted: (from, doc) => {
				this.heard(from);
				this.sendPresence(hub.rooms.get(doc));
			},
			heartbeat: (from, leaving) => {
				if (leaving) this.gone(from);
				else this.heard(from);
			},
			revoked: (from, deviceIds) => {
				this.heard(from);
				this.options.onRevoked?.(deviceIds);
			},
			request: (from, id, topic, body) => {
				this.heard(from);
				this.serve(from, id, topic, body);
			},
			response: (from, to, id, body) => {
				this.heard(from);
				if (to !== fanout.id) return;
				try {
					this.asked.get(id)?.(JSON.parse(body) as Answer);
				} catch (error) {
					logger.warn(`a malformed answer from ${from} was ignored`, error);
				}
			},
			reconnected: () => {
				logger.info('fan-out link restored: catching up from the store');
				void hub.catchUp().catch((error: unknown) => logger.warn('catching up after a reconnect failed', error));
				void this.publish(() => fanout.publishHeartbeat());
				// Presence changed unheard meanwhile, both ways: drop what came from the others and ask afresh, and
				// send this process's own (the others may have given it up).
				for (const peer of [...this.peers.keys()]) this.gone(peer);
				for (const room of hub.rooms.values()) {
					if (!room.ready || room.closed) continue;
					this.sendPresence(room);
					void this.publish(() => fanout.requestAwareness(room.name));
				}
			}
		};
		await hub.joinCluster(fanout, this.options);
		await fanout.start(handlers);
		const heartbeatMs = this.options.heartbeatMs ?? 1_000;
		const timeout = this.options.peerTimeoutMs ?? 5_000;
		this.beat = setInterval(() => {
			void this.publish(() => fanout.publishHeartbeat());
			const now = Date.now();
			for (const [peer, at] of this.peers) if (now - at > timeout) this.gone(peer);
		}, heartbeatMs);
		this.beat.unref();
		await this.publish(() => fanout.publishHeartbeat());
	}

	/** Publishes the room's presence changes from this process's clients, and asks the others for theirs. */
	private wire(room: Room): void {
		if (this.closed) return;
		room.onLocalAwareness = (update) => void this.publish(() => this.options.fanout.publishAwareness(room.name, update));
		void this.publish(() => this.options.fanout.requestAwareness(room.name));
	}

	private sendPresence(room: Room | undefined): void {
		if (!room?.ready || room.closed) return;
		const update = room.localAwarenessUpdate();
		if (update) void this.publish(() => this.options.fanout.publishAwareness(room.name, update));
	}

	private heard(peer: string): void {
		const known = this.peers.has(peer);
		this.peers.set(peer, Date.now());
		// New, or back after it was given up: it lacks this process's presence (it dropped it, or never had it).
		if (!known) for (const room of this.options.hub.rooms.values()) this.sendPresence(room);
	}

	private gone(peer: string): void {
		this.peers.delete(peer);
		for (const room of this.options.hub.rooms.values()) room.dropRemotePresence(peer);
	}

	private async publish(send: () => Promise<void>): Promise<void> {
		if (this.closed) return;
		try {
			await send();
		} catch {
			// The link is down: the others time this process out, and it re-sends once back (see the file comment).
		}
	}

	/** Tells the others that this process revoked devices. */
	revoked(deviceIds: readonly string[]): void {
		void this.publish(() => this.options.fanout.publishRevocation(deviceIds));
	}

	/** Serves requests on `topic` from the other processes (while `answer` does not return null). */
	answer(topic: string, answer: Answerer): void {
		this.answerers.set(topic, answer);
	}

	private serve(from: string, id: string, topic: string, body: string): void {
		let parsed: unknown;
		try {
			parsed = JSON.parse(body);
		} catch {
			return;
		}
		const answerer = this.answerers.get(topic);
		let work: Promise<unknown> | null;
		try {
			work = answerer ? answerer(parsed) : null;
		} catch (error) {
			// A malformed request thrown at while being read: answered as a failure, never thrown into the link.
			work = Promise.reject(error);
		}
		if (!work) return;
		const reply = (answer: Answer) => void this.publish(() => this.options.fanout.publishResponse(from, id, JSON.stringify(answer)));
		reply({ state: 'accepted' });
		work.then(
			(value) => reply({ state: 'done', value }),
			(error: unknown) => {
				const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : null;
				reply({ state: 'failed', code, message: error instanceof Error ? error.message : String(error) });
			}
		);
	}

	/**
	 * Asks the process that serves `topic` (a lease holder: see answer) and waits for its result. Rejects with a
	 * ClusterRequestError when nobody takes it within `acceptMs` (code null), when the result does not come within
	 * `timeoutMs` (code null), or with the answerer's error (its code and message). Pub/sub may lose the request or
	 * its answer: the caller then sees a timeout, though the work may have been done; nothing retries by itself.
	 */
	ask(topic: string, body: unknown, options: AskOptions = {}): Promise<unknown> {
		const id = `${this.options.fanout.id}.${++this.requests}`;
		return new Promise((resolve, reject) => {
			let timer: NodeJS.Timeout;
			const wait = (ms: number, message: string) => {
				clearTimeout(timer);
				timer = setTimeout(() => finish(() => reject(new ClusterRequestError(message, null))), ms);
				timer.unref();
			};
			const finish = (settle: () => void) => {
				clearTimeout(timer);
				this.asked.delete(id);
				settle();
			};
			this.asked.set(id, (answer) => {
				if (answer.state === 'accepted') wait(options.timeoutMs ?? 60_000, `the relay process serving ${topic} did not finish in time`);
				else if (answer.state === 'done') finish(() => resolve(answer.value));
				else finish(() => reject(new ClusterRequestError(answer.message, answer.code)));
			});
			wait(options.acceptMs ?? 3_000, `no relay process serving ${topic} answered`);
			this.options.fanout.publishRequest(id, topic, JSON.stringify(body)).catch((error: unknown) =>
				finish(() => reject(new ClusterRequestError(`the link to the other relay processes is down: ${(error as Error).message}`, null)))
			);
		});
	}

	/** Runs `onGain`…`onLose` on one process at a time (leadership.ts). */
	leadership(name: string, options: Omit<LeadershipOptions, 'logger'>): Leadership {
		const leadership = new Leadership(this.options.fanout, name, { ...options, logger: this.options.logger });
		this.leaderships.add(leadership);
		leadership.start();
		return leadership;
	}

	/** Other processes heard from within the timeout. */
	peerCount(): number {
		return this.peers.size;
	}

	/** Steps down from every leadership, says goodbye (the others drop this process's presence at once), closes. */
	async close(): Promise<void> {
		for (const l of this.leaderships) await l.stop();
		await this.publish(() => this.options.fanout.publishHeartbeat(true));
		this.closed = true;
		for (const settle of this.asked.values()) settle({ state: 'failed', code: null, message: 'the relay is shutting down' });
		if (this.beat) clearInterval(this.beat);
		this.beat = null;
		this.options.hub.onRoomLoaded = () => {};
		await this.options.fanout.close();
	}
}
