/**
 * A broadcast is the same bytes for every subscriber: it is framed once as a WebSocket binary frame and the frame
 * is written to each subscriber's TCP socket as one buffer, instead of `ws` framing it per socket (a header
 * allocated and a two-buffer writev per subscriber; the profile showed that per-socket work in every delivery).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** An unmasked (server to client), final, binary WebSocket frame holding `payload`. RFC 6455 §5.2. */
export function wsBinaryFrame(payload: Uint8Array): Buffer {
	const n = payload.length;
	const header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
	const frame = Buffer.allocUnsafe(header + n);
	frame[0] = 0x82;
	if (n < 126) frame[1] = n;
	else if (n < 65_536) {
		frame[1] = 126;
		frame.writeUInt16BE(n, 2);
	} else {
		frame[1] = 127;
		frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
		frame.writeUInt32BE(n >>> 0, 6);
	}
	frame.set(payload, header);
	return frame;
}

/** What this module reads of `ws` internals (ws 8): its socket and whether its sender holds queued frames. */
interface WsInternals {
	_socket?: Duplex | null;
	_sender?: { _queue?: unknown[]; _state?: number } | null;
}

/**
 * Writes a frame made by wsBinaryFrame straight to the socket under `ws`. Only while `ws` holds no frame of its
 * own waiting (compression, which the relay turns off, or a Blob being read), so frames keep their order; else,
 * and for any `ws` this does not recognise, returns false and the caller sends through `ws`.
 */
export function writeFrame(ws: WebSocket, frame: Uint8Array): boolean {
	const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
	if (!socket || !sender || !Array.isArray(sender._queue) || sender._queue.length > 0 || sender._state !== 0) return false;
	if (socket.destroyed || !socket.writable) return false;
	socket.write(frame);
	return true;
}
