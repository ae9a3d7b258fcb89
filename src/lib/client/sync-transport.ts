/**
 * The sync engine's link to the relay's `/sync` endpoint: binary frames (protocol/messages.ts) both ways over one
 * connection. The app's transport is a WebSocket; specs use memory-transport.ts.
 */

export interface TransportHandlers {
	onOpen(): void;
	onMessage(data: Uint8Array): void;
	/** The connection is gone: `code` is the WebSocket close code (1006 when it dropped without one). */
	onClose(code: number, reason: string): void;
}

export interface SyncConnection {
	/** True once open and until closed. */
	readonly isOpen: boolean;
	send(data: Uint8Array): void;
	close(code?: number, reason?: string): void;
}

export interface SyncTransport {
	/** Starts connecting; the handlers hear how it goes. May throw (a malformed URL). */
	connect(url: string, handlers: TransportHandlers): SyncConnection;
}

/** The part of a WebSocket (browser, or the `ws` package in Node) the transport uses. */
export interface WebSocketLike {
	binaryType: string;
	readyState: number;
	bufferedAmount?: number;
	send(data: Uint8Array): void;
	close(code?: number, reason?: string): void;
	onopen: ((ev: unknown) => void) | null;
	onclose: ((ev: { code: number; reason: string }) => void) | null;
	onerror: ((ev: unknown) => void) | null;
	onmessage: ((ev: { data: unknown }) => void) | null;
}

const OPEN = 1;

export function webSocketTransport(Impl?: new (url: string) => WebSocketLike): SyncTransport {
	return {
		connect(url, handlers) {
			const Socket = Impl ?? (globalThis.WebSocket as unknown as new (url: string) => WebSocketLike);
			const ws = new Socket(url);
			ws.binaryType = 'arraybuffer';
			ws.onopen = () => handlers.onOpen();
			ws.onmessage = (ev) => handlers.onMessage(ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : (ev.data as Uint8Array));
			ws.onerror = () => {};
			ws.onclose = (ev) => handlers.onClose(ev.code, ev.reason);
			return {
				get isOpen() {
					return ws.readyState === OPEN;
				},
				send: (data) => ws.send(data),
				close: (code, reason) => {
					try {
						ws.close(code, reason);
					} catch {
						// Closing a socket that never opened may throw in some implementations; it is gone either way.
					}
				}
			};
		}
	};
}
