/** The in-memory Fanout: several relays in one process behave as several processes on one Redis (tests). */
import {
	decodeFanout,
	deliver,
	encodeFanout,
	type FanoutHandlers,
	type FanoutMessage,
	newProcessId,
	PublishingFanout
} from './fanout';
import { TokenBucket } from '../core/rate-limit';

/**
 * What several MemoryFanouts share, standing for Redis: messages go out encoded, are delivered asynchronously in
 * publish order, and a test may lose them (`drop`) or cut one process's link (`disconnect`/`reconnect`).
 */
export class MemoryBus {
	private readonly members = new Map<string, MemoryFanout>();
	private readonly leases = new Map<string, { owner: string; until: number }>();
	private readonly buckets = new Map<string, TokenBucket>();
	/** Return true to lose a message (tests of the repair paths). */
	drop: (message: FanoutMessage, to: string) => boolean = () => false;
	private chain: Promise<void> = Promise.resolve();

	join(member: MemoryFanout): void {
		this.members.set(member.id, member);
	}

	leave(member: MemoryFanout): void {
		this.members.delete(member.id);
	}

	publish(from: MemoryFanout, bytes: Uint8Array): Promise<void> {
		if (!from.linked) return Promise.reject(new Error('fan-out link is down'));
		// One chain for everyone: delivered in publish order, never synchronously inside the publisher's call.
		this.chain = this.chain.then(
			() =>
				new Promise<void>((resolve) =>
					setImmediate(() => {
						const message = decodeFanout(bytes);
						for (const member of this.members.values()) {
							if (member === from || !member.linked) continue;
							if (this.drop(message, member.id)) continue;
							member.receive(message);
						}
						resolve();
					})
				)
		);
		return Promise.resolve();
	}

	acquire(name: string, owner: string, ttlMs: number): boolean {
		const now = Date.now();
		const lease = this.leases.get(name);
		if (lease && lease.owner !== owner && lease.until > now) return false;
		this.leases.set(name, { owner, until: now + ttlMs });
		return true;
	}

	takeToken(name: string, capacity: number, perSecond: number): number {
		let bucket = this.buckets.get(name);
		if (!bucket) this.buckets.set(name, (bucket = new TokenBucket(capacity, perSecond)));
		return bucket.take() ? 0 : Math.max(1, Math.ceil(bucket.waitSeconds() * 1000));
	}

	release(name: string, owner: string): void {
		if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
	}

	/** Cuts a process's link: it neither sends nor receives, as when its Redis connection drops. */
	disconnect(id: string): void {
		const member = this.members.get(id);
		if (member) member.linked = false;
	}

	reconnect(id: string): void {
		const member = this.members.get(id);
		if (!member || member.linked) return;
		member.linked = true;
		member.reconnected();
	}
}

export class MemoryFanout extends PublishingFanout {
	readonly id: string;
	linked = true;
	private handlers: FanoutHandlers | null = null;

	constructor(
		private readonly bus: MemoryBus,
		id: string = newProcessId()
	) {
		super();
		this.id = id;
	}

	async start(handlers: FanoutHandlers): Promise<void> {
		this.handlers = handlers;
		this.bus.join(this);
	}

	receive(message: FanoutMessage): void {
		if (this.handlers) deliver(this.handlers, message);
	}

	reconnected(): void {
		this.handlers?.reconnected();
	}

	protected send(m: FanoutMessage): Promise<void> {
		return this.bus.publish(this, encodeFanout(m));
	}

	async takeToken(name: string, capacity: number, perSecond: number): Promise<number> {
		if (!this.linked) throw new Error('fan-out link is down');
		return this.bus.takeToken(name, capacity, perSecond);
	}

	async acquireLease(name: string, ttlMs: number): Promise<boolean> {
		if (!this.linked) throw new Error('fan-out link is down');
		return this.bus.acquire(name, this.id, ttlMs);
	}

	async releaseLease(name: string): Promise<void> {
		this.bus.release(name, this.id);
	}

	async close(): Promise<void> {
		this.bus.leave(this);
		this.handlers = null;
	}
}
