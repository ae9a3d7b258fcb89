/**
 * The app shell's view of the device before the app itself is loaded: whether the device holds anything the app
 * must start for (a credential, or a revocation still being handled), and the app once loaded. A device that has
 * not joined sees the welcome without loading local storage and sync (Dexie, Yjs and the client): its first page
 * stays small. Pages that need the app without a credential (joining, settings) load it through `load()`.
 */
import type { Courtyard } from './courtyard.svelte';

/** db.ts's DB_NAME (not imported: that module brings Dexie). */
const DB_NAME = 'courtyard';
/**
 * Settings that mean the app has work on this device: session.ts's credential keys and revocation.ts's
 * REVOCATION_KEY (app-session.spec.ts checks they stay the same).
 */
export const SESSION_KEYS = ['device.token', 'device.info', 'device.revocation'] as const;

/** How long the session check may take before the app loads anyway. */
const PROBE_WAIT_MS = 3_000;

/**
 * Whether the app's database holds a session, read with plain IndexedDB. A missing database is not created (the
 * upgrade is aborted). When the device cannot tell (no IndexedDB, an error), it answers true: the app loads and
 * reports the storage problem itself.
 */
export function deviceHoldsSession(idb: IDBFactory | undefined = globalThis.indexedDB, name = DB_NAME, waitMs = PROBE_WAIT_MS): Promise<boolean> {
	return new Promise((done) => {
		if (!idb) return done(true);
		// WebKit's first open after launch can hang (Dexie works around it; this plain read does not): after waitMs,
		// load the app, which opens the database through Dexie and reports what it finds.
		const timer = setTimeout(() => done(true), waitMs);
		const resolve = (holds: boolean) => {
			clearTimeout(timer);
			done(holds);
		};
		let absent = false;
		let request: IDBOpenDBRequest;
		try {
			request = idb.open(name);
		} catch {
			return resolve(true);
		}
		request.onupgradeneeded = () => {
			absent = true;
			request.transaction?.abort();
		};
		request.onerror = (event) => {
			event.preventDefault();
			resolve(!absent);
		};
		request.onsuccess = () => {
			const db = request.result;
			// Dexie upgrading the schema in another tab must not wait for this read.
			db.onversionchange = () => db.close();
			if (!db.objectStoreNames.contains('settings')) {
				db.close();
				return resolve(false);
			}
			let found = false;
			try {
				const tx = db.transaction('settings', 'readonly');
				const settings = tx.objectStore('settings');
				for (const key of SESSION_KEYS) {
					settings.count(key).onsuccess = (e) => {
						if (((e.target as IDBRequest<number>).result ?? 0) > 0) found = true;
					};
				}
				tx.oncomplete = () => {
					db.close();
					resolve(found);
				};
				tx.onerror = tx.onabort = () => {
					db.close();
					resolve(true);
				};
			} catch {
				db.close();
				resolve(true);
			}
		};
	});
}

/** Resumes a resident's ballots saved offline, whatever page is open; the poll code loads only when some wait. */
async function resumeWaitingBallots(app: Courtyard): Promise<void> {
	const { BALLOT_QUEUE } = await import('./outbox-keys');
	if ((await app.store.outboxEntries(BALLOT_QUEUE)).length === 0) return;
	const { startBallotOutbox } = await import('./polls');
	startBallotOutbox(app);
}

class AppSession {
	/** False until the device was looked at (`probe`). */
	probed = $state(false);
	/** The device holds a credential or a revocation: the app starts at once. */
	holds = $state(false);
	/** The app, once loaded and started. */
	app = $state.raw<Courtyard | null>(null);
	private loading: Promise<Courtyard> | null = null;

	async probe(): Promise<void> {
		this.holds = await deviceHoldsSession();
		this.probed = true;
	}

	/**
	 * Loads and starts the app (once). A failed load (offline before the app was cached) is tried again when the
	 * network returns.
	 */
	load(): Promise<Courtyard> {
		this.loading ??= import('./courtyard.svelte').then(
			({ courtyard }) => {
				const app = courtyard();
				this.app = app;
				// As before the shell loaded the app lazily: a failure surfaces as an unhandled rejection (storage errors
				// among them reach the status bar through the app's own listener).
				void app.start().then(() => resumeWaitingBallots(app));
				return app;
			},
			(err: unknown) => {
				this.loading = null;
				globalThis.addEventListener?.('online', () => void this.load().catch(() => {}), { once: true });
				throw err;
			}
		);
		return this.loading;
	}
}

export const appSession = new AppSession();
