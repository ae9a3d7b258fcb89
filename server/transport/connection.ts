/**
 * What both endpoints share about one WebSocket: authentication (4401 with the reason, then watching the
 * credential so the connection closes when it is revoked or expires), size and type checks and a rate limit on
 * every message, a queue for messages that arrive before the connection can answer them, backpressure,
 * keep-alive, and closing with a clear code and reason. A credential not verified within limits.authTimeoutMs
 * closes the connection with 4401; one holding too many sockets already (limits.maxSocketsPerCredential) with
 * 4429. The credential's budgets (budgets.ts) are shared by all its sockets on both endpoints.
 * Every handler runs inside a guard: a ProtocolError closes
 * this connection with 4400, any other error with 4500; nothing a client sends can throw past it.
 */
import type { RawData, WebSocket } from 'ws';
import { CloseCode, ProtocolError } from '../../src/lib/protocol/messages';
import type { Authorizer, Principal } from '../auth/auth';
import type { CredentialBudgets } from '../core/budgets';
import type { Limits } from '../core/limits';
import type { Logger } from '../core/log';
import { TokenBucket } from '../core/rate-limit';
import type { SharedBroadcast } from '../core/room';
import { wsBinaryFrame, writeFrame } from './ws-frame';

/** Close reasons are limited to 123 bytes of UTF-8 by RFC 6455. */
export function closeReason(reason: string): string {
	const bytes = Buffer.from(reason, 'utf8');
	if (bytes.length <= 123) return reason;
	return bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '') + '...';
}

export function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return Buffer.concat(data);
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return data;
}

export abstract class Connection {
	protected closed = false;
	private ready = false;
	private queue: Uint8Array[] = [];
	private alive = true;
	private pingTimer: NodeJS.Timeout | null = null;
	private readonly messageBudget: TokenBucket;
	private readonly byteBudget: TokenBucket;
	private unwatch: (() => void) | null = null;
	private authTimer: NodeJS.Timeout | null = null;
	private releaseSocket: (() => void) | null = null;
	/** Whose budgets this connection spends (budgets.ts); set once the credential is verified. The hub reads it
	 * from a write's origin to run each credential's writes a few at a time. */
	budgetKey = '';

	constructor(
		protected readonly ws: WebSocket,
		protected readonly limits: Limits,
		protected readonly log: Logger,
		/** Close code for a client that does not read fast enough. */
		private readonly slowCode: number
	) {
		this.messageBudget = new TokenBucket(limits.rateBurstMessages, limits.rateMessagesPerSecond);
		this.byteBudget = new TokenBucket(limits.rateBurstBytes, limits.rateBytesPerSecond);
		ws.on('message', (data, isBinary) => this.receive(data, isBinary));
		ws.on('close', () => this.dispose());
		ws.on('error', (error) => this.log.warn('socket error', error));
		ws.on('pong', () => {
			this.alive = true;
		});
		if (limits.pingIntervalMs > 0) {
			this.pingTimer = setInterval(() => this.ping(), limits.pingIntervalMs);
			this.pingTimer.unref();
		}
		if (limits.authTimeoutMs > 0) {
			this.authTimer = setTimeout(() => this.close(CloseCode.Unauthorized, 'authentication timed out'), limits.authTimeoutMs);
			this.authTimer.unref();
		}
	}

	get isOpen(): boolean {
		return !this.closed && this.ws.readyState === this.ws.OPEN;
	}

	/**
	 * Checks the credential. A refused one closes the connection with 4401 and the reason ("missing credential",
	 * "invalid credential", "credential expired", "credential revoked") and yields null; an accepted one is
	 * watched, so that the connection is closed with 4401 when it is revoked or expires.
	 */
	protected async authenticate(authorizer: Authorizer, token: string | null, budgets?: CredentialBudgets): Promise<Principal | null> {
		const result = await authorizer.authenticate(token);
		this.clearAuthTimer();
		if (this.closed) return null;
		if (!result.ok) {
			this.close(CloseCode.Unauthorized, result.reason);
			return null;
		}
		const unwatch = authorizer.watch(result.principal, (reason) => this.close(CloseCode.Unauthorized, reason));
		if (this.closed) {
			unwatch();
			return null;
		}
		this.unwatch = unwatch;
		if (budgets) {
			// The open development principal has no credential: each socket is its own.
			this.budgetKey = result.principal.grant === null ? `open:${Math.random()}` : result.principal.deviceId;
			const socket = budgets.openSocket(this.budgetKey);
			if (!socket.ok) {
				this.close(CloseCode.RateLimited, socket.reason);
				return null;
			}
			this.releaseSocket = socket.release;
		}
		return result.principal;
	}

	private clearAuthTimer(): void {
		if (this.authTimer) clearTimeout(this.authTimer);
		this.authTimer = null;
	}

	/** Handles one binary message; may throw ProtocolError or return a promise that rejects with one. */
	protected abstract handle(data: Uint8Array): void | Promise<void>;

	/** Releases rooms and listeners; called exactly once. */
	protected abstract cleanup(): void;

	/** Starts handling messages, first those queued until now. */
	protected start(): void {
		if (this.closed || this.ready) return;
		this.ready = true;
		const queued = this.queue;
		this.queue = [];
		for (const data of queued) {
			if (this.closed) break;
			this.dispatch(data);
		}
	}

	/** Sends a reply the client asked for; a client that asks without reading the answers is closed. */
	protected send(bytes: Uint8Array): void {
		if (!this.isOpen) return;
		if (this.ws.bufferedAmount > 2 * this.limits.maxBufferedBytes) {
			this.close(this.slowCode, 'too slow: replies are not being read');
			return;
		}
		this.ws.send(bytes);
	}

	/** Sends a large reply, waiting until the socket drained below the bound first so replies cannot pile up. */
	protected async sendPaced(bytes: Uint8Array): Promise<void> {
		// `ws` exposes no drain event; polling is fine for the rare reply this large.
		while (this.isOpen && this.ws.bufferedAmount > this.limits.maxBufferedBytes / 4) {
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		if (!this.isOpen) return;
		this.ws.send(bytes);
	}

	/**
	 * Sends something the client did not ask for; a client too slow to take it is closed instead. Given `shared`
	 * (room.ts), the WebSocket frame is made once for all subscribers and written to each socket as it is.
	 */
	sendBroadcast(bytes: Uint8Array, shared?: SharedBroadcast): void {
		if (!this.isOpen) return;
		if (this.ws.bufferedAmount + bytes.length > this.limits.maxBufferedBytes) {
			this.close(this.slowCode, `too slow: more than ${this.limits.maxBufferedBytes} bytes unsent`);
			return;
		}
		if (shared) {
			shared.wire ??= wsBinaryFrame(bytes);
			if (writeFrame(this.ws, shared.wire)) return;
		}
		this.ws.send(bytes);
	}

	close(code: number, reason: string): void {
		if (this.closed) return;
		this.dispose();
		try {
			this.ws.close(code, closeReason(reason));
		} catch {
			this.ws.terminate();
			return;
		}
		// A client that does not complete the closing handshake (e.g. one too slow to read) is cut off.
		setTimeout(() => this.ws.terminate(), 2_000).unref();
	}

	private dispose(): void {
		if (this.closed) return;
		this.closed = true;
		this.queue = [];
		if (this.pingTimer) clearInterval(this.pingTimer);
		this.clearAuthTimer();
		this.unwatch?.();
		this.unwatch = null;
		this.releaseSocket?.();
		this.releaseSocket = null;
		try {
			this.cleanup();
		} catch (error) {
			this.log.warn('connection cleanup failed', error);
		}
	}

	private receive(data: RawData, isBinary: boolean): void {
		if (this.closed) return;
		const bytes = toBytes(data);
		if (bytes.length > this.limits.maxFrameBytes) {
			this.close(CloseCode.TooLarge, `message too large: ${bytes.length} bytes, max ${this.limits.maxFrameBytes}`);
			return;
		}
		if (!this.messageBudget.take(1) || !this.byteBudget.take(bytes.length)) {
			this.close(CloseCode.RateLimited, 'rate limited');
			return;
		}
		if (!isBinary) {
			this.close(CloseCode.Malformed, 'malformed message: text frames are not supported, send binary');
			return;
		}
		if (!this.ready) {
			if (this.queue.length >= this.limits.maxQueuedMessages) {
				this.close(this.slowCode, 'too many messages before the document was ready');
				return;
			}
			this.queue.push(bytes);
			return;
		}
		this.dispatch(bytes);
	}

	private dispatch(bytes: Uint8Array): void {
		try {
			const result = this.handle(bytes);
			if (result) result.catch((error: unknown) => this.fail(error));
		} catch (error) {
			this.fail(error);
		}
	}

	protected fail(error: unknown): void {
		if (error instanceof ProtocolError) {
			this.close(CloseCode.Malformed, error.message);
			return;
		}
		this.log.warn('handler failed', error);
		this.close(CloseCode.ServerError, 'internal error');
	}

	private ping(): void {
		if (this.closed) return;
		if (!this.alive) {
			this.ws.terminate();
			this.dispose();
			return;
		}
		this.alive = false;
		try {
			this.ws.ping();
		} catch {
			// The close event follows.
		}
	}
}
