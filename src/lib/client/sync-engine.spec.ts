import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './db';
import { DocStore } from './doc-store';
import { type ConnectionState, SyncEngine, type WebSocketLike } from './sync-engine';

/** A socket that never opens, as one can hang while the browser is offline. */
class HangingSocket implements WebSocketLike {
	static created = 0;
	binaryType = '';
	readyState = 0;
	onopen = null;
	onclose = null;
	onerror = null;
	onmessage = null;
	constructor() {
		HangingSocket.created++;
	}
	send(): void {}
	close(): void {
		this.readyState = 3;
	}
}

const engines: SyncEngine[] = [];
afterEach(() => {
	for (const e of engines.splice(0)) e.destroy();
});

function engine(online: { value: boolean }) {
	const states: ConnectionState[] = [];
	const e = new SyncEngine({
		url: 'ws://relay.invalid/sync',
		store: new DocStore(openDatabase(`engine-${Math.random()}`)),
		WebSocket: HangingSocket,
		isOnline: () => online.value,
		onStatus: (s) => states.push(s.connection)
	});
	engines.push(e);
	return { e, states };
}

describe('SyncEngine connection state', () => {
	it('says offline, not connecting, while the device has no network and an attempt hangs', () => {
		HangingSocket.created = 0;
		const { e, states } = engine({ value: false });
		e.start();
		expect(HangingSocket.created).toBe(1);
		expect(e.status.connection).toBe('offline');
		expect(states).not.toContain('connecting');
	});

	it('starts afresh when the network returns, and drops a hanging attempt when it goes', () => {
		HangingSocket.created = 0;
		const online = { value: false };
		const { e } = engine(online);
		e.start();
		online.value = true;
		e.reconnectNow();
		expect(e.status.connection).toBe('connecting');
		expect(HangingSocket.created).toBe(2);
		online.value = false;
		e.wentOffline();
		expect(e.status.connection).toBe('offline');
	});
});
