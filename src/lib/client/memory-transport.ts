/**
 * An in-memory transport for specs: each connection the engine opens reaches `accept`, which plays the relay.
 * Frames are delivered asynchronously (a microtask later), as over a network, and in order.
 */
import type { SyncConnection, SyncTransport, TransportHandlers } from './sync-transport';

/** The relay's end of one connection. */
export class MemoryPeer {
	/** Set by the relay to hear the client's frames. */
	onMessage: (data: Uint8Array) => void = () => {};
	onClose: (code: number, reason: string) => void = () => {};
	state: 'connecting' | 'open' | 'closed' = 'connecting';
	readonly sent: Uint8Array[] = [];

	constructor(
		readonly url: string,
		private readonly client: TransportHandlers
	) {}

	/** Accepts the connection. */
	open(): void {
		if (this.state !== 'connecting') return;
		this.state = 'open';
		queueMicrotask(() => this.client.onOpen());
	}

	send(data: Uint8Array): void {
		if (this.state !== 'open') return;
		this.sent.push(data);
		queueMicrotask(() => {
			if (this.state === 'open') this.client.onMessage(data);
		});
	}

	/** The relay closes (or refuses) the connection. */
	close(code: number, reason = ''): void {
		if (this.state === 'closed') return;
		this.state = 'closed';
		queueMicrotask(() => this.client.onClose(code, reason));
	}

	/** From the client's side. */
	fromClient(data: Uint8Array): void {
		if (this.state !== 'open') return;
		queueMicrotask(() => this.onMessage(data));
	}

	clientClosed(code: number, reason: string): void {
		if (this.state === 'closed') return;
		this.state = 'closed';
		this.onClose(code, reason);
		queueMicrotask(() => this.client.onClose(code, reason));
	}
}

export class MemoryTransport implements SyncTransport {
	readonly peers: MemoryPeer[] = [];

	/** `accept` sees each new connection; it calls `peer.open()` to let it in (or never, for a hanging attempt). */
	constructor(private readonly accept: (peer: MemoryPeer) => void) {}

	connect(url: string, handlers: TransportHandlers): SyncConnection {
		const peer = new MemoryPeer(url, handlers);
		this.peers.push(peer);
		this.accept(peer);
		return {
			get isOpen() {
				return peer.state === 'open';
			},
			send: (data) => peer.fromClient(data),
			close: (code = 1000, reason = '') => peer.clientClosed(code, reason)
		};
	}

	/** The latest connection. */
	get last(): MemoryPeer | undefined {
		return this.peers.at(-1);
	}
}
