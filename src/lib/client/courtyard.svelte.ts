/**
 * The app's one instance of local storage and sync, with its status as runes state for the UI.
 * Components read `app.sync`, `app.actor`, and call the actions here or the area services (proposals.ts,
 * topics.ts, polls.ts …) with it; they never touch Dexie or sockets. The session's storage, the join request and
 * the sign-out wipe are in session.ts; this class holds the session as state and starts and stops sync around them.
 */
import { liveQuery } from 'dexie';
import type { Actor, Role } from '../domain/actor';
import type { ApiError, DeviceInfo } from '../protocol/api';
import { CloseCode, SYNC_PATH, TOKEN_PARAM } from '../protocol/messages';
import { openDatabase, type CourtyardDB } from './db';
import { DocStore, type DocHandle } from './doc-store';
import { deviceWriteCheck, preloadWriteRules } from './write-check';
import { LAST_SYNCED_KEY } from './local-store';
import { Outbox } from './outbox';
import { countWaitingBallots, withPendingBallots } from './outbox-keys';
import { photoUploadCounts, registerPhotoOptions, withPendingPhotos } from './photo-queue';
import {
	expiredLocally,
	isPersonalDoc,
	type Revocation,
	type RevocationKind,
	revocationKind,
	type UnsyncedPersonal,
	wipeDeadline,
	wipeDue
} from './revocation';
import {
	readSession,
	requestJoin,
	storeActor,
	storeCredential,
	storeIndexVersion,
	storeRevocation,
	updateRevocation,
	wipeLocalData
} from './session';
import { idleStatus, SyncEngine, type SyncEngineOptions, type SyncStatus } from './sync-engine';

/** Bump when IndexEntry derivation changes: the index is rebuilt from the documents on next start. */
const INDEX_VERSION = 6;
/** setTimeout's ceiling (~24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// Code only a refused or revoked device runs, kept off the first load (the bundler splits each into its own file).
const backupCode = () => import('./backup');
const wipeCode = () => import('./revocation-wipe');

export class Courtyard {
	readonly db: CourtyardDB;
	readonly store: DocStore;
	readonly engine: SyncEngine;
	/** Everything waiting for the relay (documents, photos, ballots), on one retry policy; the status bar counts it. */
	readonly outbox = new Outbox();
	sync = $state<SyncStatus>(idleStatus());
	/** Who this device acts as: its credential's role once joined (see the session); a demo facilitator before. */
	actor = $state<Actor>({ id: 'device', name: '本机用户', role: 'facilitator' });
	community = $state('demo');
	/** A storage failure (quota, disk) the user must see; nothing already saved is affected. */
	storageError = $state<unknown>(null);
	/** This device's photos the relay has not taken yet (queued or refused): the status bar shows them while any. */
	photoUploads = $state.raw<{ pending: number; failed: number }>({ pending: 0, failed: 0 });
	/** Progress of an index rebuild, while one runs. */
	rebuilding = $state<{ done: number; total: number } | null>(null);
	/** This device's credential record, once it joined by invitation. */
	device = $state<DeviceInfo | null>(null);
	/** False until the stored credential has been read at start, so pages can tell "not joined" from "not loaded yet". */
	ready = $state(false);
	/**
	 * Set once this device's credential is known to be revoked or expired (by the relay, or by the device's clock):
	 * the credential is dropped, personal documents are sealed and deleted (see revocation.ts).
	 */
	revocation = $state<Revocation | null>(null);
	/** Unsynced personal data waiting for the person to export it or let it go before the wipe. */
	personalUnsynced = $state.raw<UnsyncedPersonal[]>([]);
	private token: string | null = null;
	private started = false;
	private expiryTimer: ReturnType<typeof setTimeout> | null = null;
	/** Fires when unsynced personal data of a revoked credential is due for deletion (WIPE_GRACE_MS). */
	private graceTimer: ReturnType<typeof setTimeout> | null = null;
	/** The revocation in progress (recording it, wiping), so a second refusal or a click does not run it twice. */
	private revoking: Promise<void> | null = null;

	constructor(opts: { dbName?: string; url?: () => string; WebSocket?: SyncEngineOptions['WebSocket'] } = {}) {
		this.db = openDatabase(opts.dbName);
		this.store = new DocStore(this.db);
		this.store.onWriteError = (err) => {
			this.storageError = err;
		};
		this.store.writeCheck = deviceWriteCheck(this.store, () => this.device);
		this.engine = new SyncEngine({
			url: opts.url ?? (() => this.syncUrl()),
			store: this.store,
			outbox: this.outbox,
			...(opts.WebSocket ? { WebSocket: opts.WebSocket } : {}),
			onStatus: (s) => {
				this.showStatus(s);
				if (s.refusal) this.loadBackupCode();
				if (s.refusal && !this.revocation) {
					const kind = revocationKind(s.refusal.reason, this.device?.expiresAt, Date.now());
					if (kind) this.revoke(kind, s.refusal.reason).catch((err: unknown) => void (this.storageError = err));
				}
			}
		});
	}

	/** The engine's status, with the pending figure of the whole outbox (documents, photos and ballots). */
	private showStatus(s: SyncStatus): void {
		this.sync = { ...s, pending: this.outbox.pending };
	}

	private syncUrl(): string {
		const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
		const query = this.token ? `?${TOKEN_PARAM}=${encodeURIComponent(this.token)}` : '';
		return `${proto}//${location.host}${SYNC_PATH}${query}`;
	}

	async start(): Promise<void> {
		if (this.started) return;
		this.started = true;
		const stored = await readSession(this);
		if (stored.device) this.device = stored.device;
		if (stored.actor) this.actor = stored.actor;
		if (stored.community !== null) this.community = stored.community;
		if (stored.token !== null) this.token = stored.token;
		if (stored.revocation) this.applyRevocation(stored.revocation);
		// Before `ready`, so pages can add and show photos (a page that does starts the library). The library loads
		// now only when the device holds photos (queued uploads resume, forgotten ones are cleaned up); a device
		// without any never loads it on its first page.
		const photoOptions = { db: this.db, authHeaders: () => this.authHeaders(), docs: this.store, fetch: this.relayFetch, outbox: this.outbox };
		registerPhotoOptions(photoOptions);
		void this.db.photos
			.count()
			.then(async (held) => {
				if (held > 0) (await import('./photos')).startPhotos(photoOptions);
			})
			.catch((err: unknown) => void (this.storageError = err));
		// Only the pending figure moves: the rest of the status stays what the engine (or a sign-out) set.
		this.outbox.onPending((pending) => {
			if (pending !== this.sync.pending) this.sync = { ...this.sync, pending };
		});
		// Ballots and photos are counted from their tables, which change without the engine.
		liveQuery(() => countWaitingBallots(this.db)).subscribe({
			next: (n) => this.outbox.report('ballots', n),
			error: (err: unknown) => void (this.storageError = err)
		});
		liveQuery(() => photoUploadCounts(this.db)).subscribe({
			next: (counts) => {
				this.photoUploads = counts;
				this.outbox.report('photos', counts.pending);
			},
			error: (err: unknown) => void (this.storageError = err)
		});
		this.ready = true;
		if (stored.indexVersion !== INDEX_VERSION) await this.rebuildIndex();
		if (this.revocation) {
			// The status bar still tells when this device last synced and what it holds unsynced; sync never starts.
			const last = await this.store.getSetting(LAST_SYNCED_KEY);
			if (typeof last === 'number') Object.assign(this.engine.status, { lastSynced: last });
			await this.engine.refreshPending();
			// A wipe left waiting (or cut short by closing the app) goes on; the credential is already gone.
			await this.continueRevocation();
		} else if (this.token && expiredLocally(this.device?.expiresAt, Date.now())) {
			// Expired while the app was closed: no need to ask the relay, which would only refuse it.
			await this.revoke('expired', 'credential expired (device clock)');
		} else if (this.token) {
			this.engine.start();
			this.watchExpiry();
			preloadWriteRules();
		}
		// Without a credential the relay would refuse us anyway; the app waits for an invitation instead.
		if (typeof window !== 'undefined') {
			window.addEventListener('online', () => {
				this.engine.reconnectNow();
				this.outbox.online();
			});
			window.addEventListener('offline', () => {
				this.engine.wentOffline();
				this.outbox.offline();
			});
			window.addEventListener('unhandledrejection', (ev) => {
				if (isStorageError(ev.reason)) this.storageError = ev.reason;
			});
		}
	}

	async rebuildIndex(): Promise<void> {
		this.rebuilding = { done: 0, total: 0 };
		try {
			await this.store.rebuildIndex((done, total) => {
				this.rebuilding = { done, total };
			});
			await storeIndexVersion(this, INDEX_VERSION);
		} finally {
			this.rebuilding = null;
		}
	}

	async setActor(actor: Actor): Promise<void> {
		this.actor = actor;
		await storeActor(this, $state.snapshot(actor) as Actor);
	}

	/** Opens a document for a page; subscribes it for live updates while open. Call `close` when leaving. */
	async open(name: string): Promise<DocHandle & { close(): void }> {
		const handle = await this.store.openDoc(name);
		this.engine.subscribe(name);
		return {
			...handle,
			close: () => {
				handle.release();
				if (!this.store.isOpen(name)) this.engine.unsubscribe(name);
			}
		};
	}

	/**
	 * The relay's HTTP answer to a request made with this device's credential: a 401 saying it is revoked or
	 * expired counts as contact with the relay just like the socket's 4401 (a network that lets HTTP through but
	 * not WebSockets still reaches it). Other answers are left to the caller.
	 */
	noticeRefusal(status: number, body: unknown): void {
		if (status !== 401 || !this.token || this.revocation) return;
		const error = body as Partial<ApiError> | null;
		const reason = typeof error?.message === 'string' ? error.message : '';
		const kind = error?.error === 'revoked' ? 'revoked' : revocationKind(reason, this.device?.expiresAt, Date.now());
		if (kind) this.revoke(kind, reason || `credential ${kind}`).catch((err: unknown) => void (this.storageError = err));
	}

	/** fetch for the photo uploads and downloads, watching for the credential's refusal (noticeRefusal). */
	private readonly relayFetch: typeof fetch = async (input, init) => {
		const res = await globalThis.fetch(input, init);
		if (res.status === 401) {
			const token = this.token;
			void res
				.clone()
				.json()
				.catch(() => null)
				.then((body) => {
					// Only a refusal of the credential still held (not one replaced by joining again meanwhile).
					if (token === this.token) this.noticeRefusal(res.status, body);
				});
		}
		return res;
	};

	/** Bearer header for the relay's HTTP API. */
	authHeaders(): Record<string, string> {
		return this.token ? { authorization: `Bearer ${this.token}` } : {};
	}

	/**
	 * Redeems an invitation code for this device's credential and starts syncing as that role.
	 * Throws the relay's ApiError (expired, used up, rate limited …) for the page to explain.
	 */
	async join(code: string, deviceName: string): Promise<DeviceInfo> {
		if (this.revocation && this.revocation.wipedAt === null) {
			// The old credential's personal data is still here; it must be exported or deleted before anyone else signs in.
			throw { error: 'forbidden', message: 'personal data of the revoked credential is still on this device' } satisfies ApiError;
		}
		const joined = await requestJoin(code, deviceName);
		const { token, device, actor } = joined;
		await storeCredential(this, joined, !!this.revocation);
		this.applyRevocation(null);
		this.token = token;
		this.device = device;
		this.actor = actor;
		this.community = device.grant.community;
		this.engine.stop();
		this.engine.start();
		this.watchExpiry();
		preloadWriteRules();
		return device;
	}

	// The backup code (backup.ts) loads when one of these is called, or as soon as the credential is refused: the
	// banners then offer the export, which must still work if an update elsewhere removes this version's files.
	private loadBackupCode(): void {
		void backupCode().catch(() => {});
	}

	/** Documents with changes the relay has not acknowledged, with their titles where known. */
	async pendingDocs(): Promise<{ doc: string; title: string }[]> {
		return (await backupCode()).pendingDocs(this.store);
	}

	/** A backup of every document with unsynced changes, as a JSON file the user can keep or import elsewhere. */
	async exportPending(): Promise<Blob> {
		return (await backupCode()).exportPending(this.store, this.actor.id);
	}

	/** Merges a backup file into local storage; it syncs like any local change. Throws BackupError when damaged. */
	async importBackup(text: string): Promise<number> {
		return (await backupCode()).importBackup(this.store, text);
	}

	/**
	 * Signs this device out: deletes every community document (personal data first) and the credential.
	 * Refuses while changes are unsynced unless `discardUnsynced` is set; the caller offers an export first.
	 */
	async signOut(opts: { discardUnsynced?: boolean } = {}): Promise<{ ok: true } | { ok: false; pending: { doc: string; title: string }[] }> {
		const pending = await withPendingBallots(this.db, await withPendingPhotos(this.db, await this.pendingDocs()));
		if (pending.length > 0 && !opts.discardUnsynced) return { ok: false, pending };
		this.engine.stop();
		if (this.expiryTimer) clearTimeout(this.expiryTimer);
		this.expiryTimer = null;
		// Personal data goes first and may not be opened meanwhile, as after a revocation.
		this.store.seal(isPersonalDoc);
		try {
			await wipeLocalData(this);
		} catch (err) {
			// A failed sign-out leaves the device as it was (still signed in, or still revoked).
			this.store.seal(this.revocation ? isPersonalDoc : null);
			throw err;
		}
		this.token = null;
		this.device = null;
		this.applyRevocation(null);
		this.actor = { id: 'device', name: '', role: 'resident' };
		// Nothing of the previous credential's sync history may show (or be re-emitted on the next join).
		Object.assign(this.engine.status, { lastSynced: null, error: null, refusal: null, pending: 0 });
		this.outbox.report('documents', 0);
		this.sync = { ...this.engine.status, connection: 'offline', pending: 0, done: 0, total: 0 };
		return { ok: true };
	}

	/**
	 * This device's credential was revoked or has expired. Drops the credential (no more reconnecting, uploads or
	 * ballot sends), records the revocation so it survives a restart, seals the personal documents so no page can
	 * open them, and deletes them at once but for those holding unsynced changes: they wait for the person to
	 * export them or let them go (wipePersonal), for WIPE_GRACE_MS at most. Idempotent.
	 */
	revoke(kind: RevocationKind, reason: string): Promise<void> {
		if (this.revocation) return this.revoking ?? Promise.resolve();
		const record: Revocation = { kind, reason, detectedAt: Date.now(), wipedAt: null };
		this.applyRevocation(record);
		this.revoking = (async () => {
			this.engine.stop();
			if (this.expiryTimer) clearTimeout(this.expiryTimer);
			this.expiryTimer = null;
			this.token = null;
			await storeRevocation(this, record);
			await this.continueRevocation();
		})().finally(() => {
			this.revoking = null;
		});
		return this.revoking;
	}

	/** Deletes the personal data now if nothing would be lost (or the grace period is over); else lists what waits. */
	private async continueRevocation(): Promise<void> {
		const revocation = this.revocation;
		if (!revocation || revocation.wipedAt !== null) return;
		// A change made just before the seal is counted as unsynced only once its bookkeeping is written.
		await this.store.settle();
		// The wipe's code loads only here: a device whose credential holds never needs it.
		const { unsyncedPersonal, wipePersonalData } = await wipeCode();
		const unsynced = await unsyncedPersonal(this.db);
		if (wipeDue(revocation, unsynced, Date.now())) {
			await this.wipePersonal({ discardUnsynced: true });
			return;
		}
		// What already reached the relay goes now; only the documents holding unsynced work wait for the person.
		await wipePersonalData(this.db, this.store, { keep: unsynced.map((u) => u.doc) });
		this.personalUnsynced = unsynced;
		// An app left open past the deadline deletes them then, as a restart would.
		if (this.graceTimer) clearTimeout(this.graceTimer);
		const wait = Math.max(0, wipeDeadline(revocation) - Date.now());
		this.graceTimer = setTimeout(() => {
			this.graceTimer = null;
			void this.continueRevocation().catch((err: unknown) => void (this.storageError = err));
		}, Math.min(wait, MAX_TIMER_MS));
	}

	/**
	 * Deletes the personal data of a revoked credential. Refuses while some of it is unsynced unless
	 * `discardUnsynced` is set; the caller offers the export first (exportPending includes those documents).
	 */
	async wipePersonal(opts: { discardUnsynced?: boolean } = {}): Promise<{ ok: true } | { ok: false; pending: UnsyncedPersonal[] }> {
		if (!this.revocation) throw new Error('the credential is not revoked');
		if (this.revocation.wipedAt !== null) return { ok: true };
		const { unsyncedPersonal, wipePersonalData } = await wipeCode();
		const unsynced = await unsyncedPersonal(this.db);
		if (unsynced.length > 0 && !opts.discardUnsynced) {
			this.personalUnsynced = unsynced;
			return { ok: false, pending: unsynced };
		}
		await wipePersonalData(this.db, this.store);
		if (this.graceTimer) clearTimeout(this.graceTimer);
		this.graceTimer = null;
		const done: Revocation = { ...($state.snapshot(this.revocation) as Revocation), wipedAt: Date.now() };
		await updateRevocation(this, done);
		this.revocation = done;
		this.personalUnsynced = [];
		await this.engine.refreshPending();
		return { ok: true };
	}

	/** Puts a revocation into effect in memory (or lifts it with null): sealed personal documents, sync shown as stopped. */
	private applyRevocation(revocation: Revocation | null): void {
		this.revocation = revocation;
		if (revocation) this.loadBackupCode();
		this.personalUnsynced = [];
		if (this.graceTimer) clearTimeout(this.graceTimer);
		this.graceTimer = null;
		this.store.seal(revocation ? isPersonalDoc : null);
		const refusal = revocation ? { code: CloseCode.Unauthorized, reason: revocation.reason } : null;
		Object.assign(this.engine.status, { refusal });
		this.showStatus(this.engine.status);
	}

	/**
	 * Notices the credential's expiry on the device itself, so a phone left offline past it stops showing personal
	 * data without waiting for the relay to say so.
	 */
	private watchExpiry(): void {
		if (this.expiryTimer) clearTimeout(this.expiryTimer);
		this.expiryTimer = null;
		const expiresAt = this.device?.expiresAt;
		if (!this.token || typeof expiresAt !== 'number' || typeof setTimeout === 'undefined') return;
		const wait = expiresAt - Date.now();
		if (wait <= 0) {
			this.revoke('expired', 'credential expired (device clock)').catch((err: unknown) => void (this.storageError = err));
			return;
		}
		this.expiryTimer = setTimeout(() => this.watchExpiry(), Math.min(wait, MAX_TIMER_MS));
	}

	/** Dexie live query as a Svelte-compatible store (`$store` in components). */
	live<T>(query: () => T | Promise<T>) {
		return liveQuery(query);
	}

	actorSnapshot(): Actor {
		return $state.snapshot(this.actor) as Actor;
	}

	get role(): Role {
		return this.actor.role;
	}
}

export function isStorageError(err: unknown): boolean {
	const name = (err as { name?: string } | null)?.name ?? '';
	return name === 'QuotaExceededError' || name === 'UnknownError' || name === 'InvalidStateError' || name.startsWith('Dexie');
}

let instance: Courtyard | null = null;

/** The app's shared instance (browser only). */
export function courtyard(): Courtyard {
	instance ??= new Courtyard();
	return instance;
}
