/**
 * The relay as the client specs see it: the device record it hands out on joining, and a socket that does only
 * what a spec makes it do. For specs only.
 */
import type { DeviceInfo } from '../protocol/api';
import type { WebSocketLike } from './sync-engine';

/** A device record as the relay returns it, fresh (created at 1, never seen, not revoked) unless `over` says so. */
export const deviceRecord = (over: Pick<DeviceInfo, 'id' | 'name' | 'grant' | 'expiresAt'> & Partial<DeviceInfo>): DeviceInfo => ({
	createdAt: 1,
	lastSeen: null,
	revokedAt: null,
	...over
});

/**
 * A relay that records every connection the device opens and then does only what `answer` makes the socket do;
 * by default nothing at all, as a relay that never answers or a proxy that never lets the socket through.
 */
export function fakeRelay(answer: (socket: WebSocketLike) => void = () => {}) {
	const opened: string[] = [];
	class Socket implements WebSocketLike {
		binaryType = 'arraybuffer';
		readyState = 0;
		onopen: WebSocketLike['onopen'] = null;
		onclose: WebSocketLike['onclose'] = null;
		onerror: WebSocketLike['onerror'] = null;
		onmessage: WebSocketLike['onmessage'] = null;
		constructor(url: string) {
			opened.push(url);
			answer(this);
		}
		send(): void {}
		close(): void {}
	}
	return { opened, WebSocket: Socket };
}
