/**
 * The fan-out over Redis pub/sub (REDIS_URL): three channels under a prefix (commits, presence, control), one
 * connection to publish and lease, a separate one to subscribe (a subscribed Redis connection can do nothing
 * else). ioredis reconnects and subscribes again by itself; after a drop the hub is told (`reconnected`), since
 * whatever was published meanwhile is gone. Publishing while the link is down fails at once instead of piling up
 * in ioredis's offline queue: the commit is durable already and the others repair the gap from the store.
 */
import { Redis } from 'ioredis';
import {
	channelOf,
	decodeFanout,
	deliver,
	encodeFanout,
	type FanoutChannel,
	type FanoutHandlers,
	type FanoutMessage,
	newProcessId,
	PublishingFanout
} from './fanout';
import type { Logger } from '../core/log';

/** Takes the lease when free, renews it when this owner holds it: one atomic step (SET NX PX, or PEXPIRE). */
const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
/**
 * A token bucket in one hash (tokens, at), on Redis's clock so that processes with skewed clocks share it fairly;
 * the key expires once the bucket would be full again. Returns 0 when a token was taken, else the ms to wait.
 */
const TAKE_TOKEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate)) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((cap - tokens) / rate)))
return wait`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface RedisFanoutOptions {
	/** Channel and key prefix, so several deployments may share one Redis. Default `courtyard`. */
	prefix?: string;
	logger?: Logger;
	id?: string;
}

export class RedisFanout extends PublishingFanout {
	readonly id: string;
	private readonly prefix: string;
	private readonly pub: Redis;
	private readonly sub: Redis;
	private handlers: FanoutHandlers | null = null;
	/** The subscriber lost its link since it last was ready: tell the hub when it is back. */
	private dropped = false;
	private closed = false;
	private connecting: Promise<void> | null = null;

	constructor(
		url: string,
		private readonly options: RedisFanoutOptions = {}
	) {
		super();
		this.id = options.id ?? newProcessId();
		this.prefix = options.prefix ?? 'courtyard';
		const common = {
			enableOfflineQueue: false,
			maxRetriesPerRequest: 1,
			// Back within a second of Redis being back, whatever the drop lasted.
			retryStrategy: (times: number) => Math.min(50 * times, 1_000)
		};
		this.pub = new Redis(url, { ...common, lazyConnect: true });
		this.sub = new Redis(url, { ...common, lazyConnect: true });
		for (const [name, client] of [
			['publisher', this.pub],
			['subscriber', this.sub]
		] as const) {
			// Without a listener ioredis prints every connection error; one line per drop is enough.
			client.on('error', (error: Error) => {
				if (!this.closed) this.options.logger?.warn(`redis ${name}: ${error.message}`);
			});
		}
		this.sub.on('close', () => {
			if (!this.closed) this.dropped = true;
		});
		this.sub.on('ready', () => {
			if (!this.dropped || this.closed) return;
			this.dropped = false;
			this.handlers?.reconnected();
		});
		this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onMessage(message));
	}

	private channel(name: FanoutChannel): string {
		return `${this.prefix}:${name}`;
	}

	/** Connects the publishing connection once (leases may be asked for before start: relay.ts, first start). */
	private connected(): Promise<void> {
		this.connecting ??= this.pub.connect();
		return this.connecting;
	}

	async start(handlers: FanoutHandlers): Promise<void> {
		this.handlers = handlers;
		await Promise.all([this.connected(), this.sub.connect()]);
		await this.sub.subscribe(this.channel('commits'), this.channel('presence'), this.channel('control'));
	}

	private onMessage(bytes: Buffer): void {
		if (!this.handlers) return;
		let message: FanoutMessage;
		try {
			message = decodeFanout(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
		} catch (error) {
			this.options.logger?.warn('a malformed fan-out message was ignored', error);
			return;
		}
		if (message.from === this.id) return;
		deliver(this.handlers, message);
	}

	protected async send(message: FanoutMessage): Promise<void> {
		// Also usable without start() (the admin CLI only publishes a revocation).
		await this.connected();
		await this.pub.publish(this.channel(channelOf(message.kind)), Buffer.from(encodeFanout(message)));
	}

	async takeToken(name: string, capacity: number, perSecond: number): Promise<number> {
		await this.connected();
		const wait = await this.pub.eval(TAKE_TOKEN, 1, `${this.prefix}:bucket:${name}`, String(capacity), String(perSecond));
		return Number(wait);
	}

	async acquireLease(name: string, ttlMs: number): Promise<boolean> {
		await this.connected();
		const held = await this.pub.eval(ACQUIRE, 1, `${this.prefix}:lease:${name}`, this.id, String(Math.max(1, Math.round(ttlMs))));
		return held === 1;
	}

	async releaseLease(name: string): Promise<void> {
		await this.connected();
		await this.pub.eval(RELEASE, 1, `${this.prefix}:lease:${name}`, this.id);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.handlers = null;
		await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
		this.sub.disconnect();
		this.pub.disconnect();
	}
}
