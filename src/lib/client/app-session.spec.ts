import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { deviceHoldsSession, SESSION_KEYS } from './app-session.svelte';
import { Courtyard } from './courtyard.svelte';
import { DB_NAME, openDatabase } from './db';
import { REVOCATION_KEY } from './revocation';
import { deviceRecord, fakeRelay } from './spec-relay';

/** A relay that never answers: the app's start opens a socket and nothing more happens. */
const SilentSocket = fakeRelay().WebSocket;

const device = deviceRecord({
	id: 'd_resident',
	name: '李奶奶',
	grant: { role: 'resident', community: 'demo', household: 'b01-1-101' },
	expiresAt: Date.now() + 86_400_000
});

let n = 0;
const freshName = () => `session-probe-${++n}`;

describe('deviceHoldsSession: whether the shell must load the app', () => {
	it('says no for a device that never opened the app, and does not create the database', async () => {
		const name = freshName();
		expect(await deviceHoldsSession(indexedDB, name)).toBe(false);
		expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name);
	});

	it('says no for a device that opened the app but never joined', async () => {
		const name = freshName();
		const db = openDatabase(name);
		await db.settings.put({ key: 'index.version', value: 6 });
		db.close();
		expect(await deviceHoldsSession(indexedDB, name)).toBe(false);
	});

	it('says yes for each key of a session: the credential, its record, a revocation being handled', async () => {
		for (const key of SESSION_KEYS) {
			const name = freshName();
			const db = openDatabase(name);
			await db.settings.put({ key, value: 'x' });
			db.close();
			expect(await deviceHoldsSession(indexedDB, name), key).toBe(true);
		}
	});

	it('says yes when the database never answers, so the app loads and reports what it finds', async () => {
		// An open request whose events never fire, as WebKit's first open after launch can be.
		const hanging = { open: () => ({}) } as unknown as IDBFactory;
		expect(await deviceHoldsSession(hanging, 'never', 20)).toBe(true);
	});

	it('reads the keys the app keeps its session under', async () => {
		expect(DB_NAME).toBe('courtyard');
		expect(SESSION_KEYS).toContain(REVOCATION_KEY);
		// The app finds a credential stored under the other two keys, and the probe finds it there too.
		const name = freshName();
		const app = new Courtyard({ dbName: name, url: () => 'ws://127.0.0.1:9/never', WebSocket: SilentSocket });
		await app.db.settings.bulkPut([
			{ key: SESSION_KEYS[0], value: 'header.payload.signature' },
			{ key: SESSION_KEYS[1], value: device }
		]);
		expect(await deviceHoldsSession(indexedDB, name)).toBe(true);
		await app.start();
		expect(app.device?.id).toBe('d_resident');
		app.engine.destroy();
		app.db.close();
	});
});
