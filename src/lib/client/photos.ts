/**
 * Photos on the device: taken, compressed, kept in IndexedDB and uploaded to the relay when it can be reached.
 *
 * `add` resolves only once the photo is in IndexedDB, so a page may say "saved" and the app may be closed at
 * once: the upload queue is the `photos` table itself, picked up again on the next start. The uploader runs on
 * start, after every add, on the browser's `online` event and on a backoff timer; it sends each photo once per
 * document it is attached to (the relay checks access per document) and treats a refusal as final until the
 * next start, a network failure or 5xx as a retry on the app's one retry policy (outbox.ts), each photo keeping
 * its own next attempt.
 *
 * A photo taken in a form for a document that does not exist yet (a new proposal) is 'unattached': it is
 * attached to the first document whose local change lists it among its photos (schema/photos.ts), and never
 * uploaded before. Unattached photos a form never saved are deleted after ORPHAN_TTL_MS.
 *
 * Showing a photo: the local copy if there is one; otherwise it is fetched with the device credential (an <img>
 * cannot send one) and kept locally as a 'remote' copy, which is evicted first when storage runs out.
 */
import type * as Y from 'yjs';
import { isPhotoId, PHOTO_MAX_BYTES, photoPath, sniffPhotoType, toHex, type PhotoType } from '../protocol/photos';
import { readPhotoRefs } from '../schema/photos';
import type { CourtyardDB, PhotoMeta, PhotoState } from './db';
import type { compressImage } from './photo-compress';
import { systemClock } from './clock';
import { isDue, Outbox, type OutboxQueue, RETRY_POLICY, retryAfterMs, retryDelay } from './outbox';
import { clearPhotoTables, registeredPhotoOptions } from './photo-queue';
import { idbPhotoRecords, type PhotoRecords } from './photo-records';

export { photoUploadCounts, withPendingPhotos } from './photo-queue';

export type PhotoErrorCode = 'not_image' | 'too_large' | 'quota' | 'storage' | 'not_found' | 'offline' | 'unauthorized';

export class PhotoError extends Error {
	constructor(
		readonly code: PhotoErrorCode,
		message: string,
		readonly cause?: unknown
	) {
		super(message);
		this.name = 'PhotoError';
	}
}

/** Turns a picked file into the bytes to keep (browser: compressImage). Injected so Node tests need no canvas. */
export type Compressor = (file: Blob) => Promise<Blob>;

/** The part of the document store the library watches to attach photos to new documents. */
export interface LocalDocs {
	onLocalChange(listener: (name: string) => void): () => void;
	loaded(name: string): Y.Doc | undefined;
}

export interface PhotoLibraryOptions {
	/** The device database (its `photos` and `photoData` tables hold the photos unless `records` is given). */
	db?: CourtyardDB;
	authHeaders: () => Record<string, string>;
	compress?: Compressor;
	fetch?: typeof fetch;
	now?: () => number;
	/** 0–1, for backoff jitter. */
	random?: () => number;
	docs?: LocalDocs;
	/** Base of relay URLs; '' for the page's origin. */
	origin?: string;
	/** The app's outbox, whose policy and timers the uploads follow (default: one of the library's own). */
	outbox?: Outbox;
	/** Where the photos are kept (default: the `photos` and `photoData` tables of `db`). */
	records?: PhotoRecords;
}

export const RETRY_BASE_MS = RETRY_POLICY.baseMs;
export const RETRY_MAX_MS = RETRY_POLICY.maxMs;
export const ORPHAN_TTL_MS = 7 * 24 * 60 * 60_000;
/** A request that has not finished by then counts as a network failure (a slow 2G upload of ~400 KB fits). */
export const REQUEST_TIMEOUT_MS = 120_000;

/** Statuses worth retrying: the relay was unreachable, overloaded or did not know the credential yet. */
const RETRYABLE = new Set([401, 408, 429, 500, 502, 503, 504]);

function isQuotaError(error: unknown): boolean {
	const e = error as { name?: string; inner?: { name?: string } } | null;
	return e?.name === 'QuotaExceededError' || e?.inner?.name === 'QuotaExceededError';
}

/** The state that follows from where a photo is attached and uploaded; 'failed' sticks until something changes. */
function settle(meta: PhotoMeta): PhotoState {
	if (meta.docs.length === 0) return meta.origin === 'local' ? 'unattached' : 'done';
	if (meta.docs.every((d) => meta.uploaded.includes(d))) return 'done';
	return meta.state === 'failed' ? 'failed' : 'pending';
}

async function sha256(blob: Blob): Promise<string> {
	return toHex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
}

export class PhotoLibrary {
	private readonly db: CourtyardDB | undefined;
	private readonly records: PhotoRecords;
	private readonly compress: Compressor;
	private readonly fetch: typeof fetch;
	private readonly now: () => number;
	private readonly random: () => number;
	private readonly origin: string;
	/** Unattached photos of this device, so a local change is checked against them without a query. */
	private readonly unattached = new Set<string>();
	private readonly outbox: Outbox;
	/** The upload queue's passes, while started. */
	private queue: OutboxQueue | null = null;
	private started = false;
	private unsubscribe: (() => void) | null = null;
	private readonly downloads = new Map<string, Promise<Blob>>();
	/** Aborts the requests in flight when the library stops (sign-out must not wait for a slow network). */
	private readonly inFlight = new Set<AbortController>();
	private readonly onOnline = () => void this.retryNow();

	constructor(private readonly options: PhotoLibraryOptions) {
		this.db = options.db;
		if (!options.records && !options.db) throw new Error('the photo library needs a database or photo records');
		this.records = options.records ?? idbPhotoRecords(options.db!);
		// The canvas code loads with the first photo, not with the app shell.
		this.compress = options.compress ?? (async (file) => (await import('./photo-compress')).compressImage(file));
		this.fetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
		this.origin = options.origin ?? '';
		// Due times are this library's `now`: its own outbox keeps the same wall clock.
		this.outbox = options.outbox ?? new Outbox({ random: this.random, clock: { ...systemClock, now: this.now } });
	}

	get database(): CourtyardDB | undefined {
		return this.db;
	}

	/** Picks up the queue left by the last run, watches for documents that take unattached photos, uploads. */
	async start(): Promise<void> {
		if (this.started) return;
		this.started = true;
		const now = this.now();
		await this.records.changeInStates(['unattached'], (p) => {
			if (now - p.addedAt > ORPHAN_TTL_MS) return 'delete';
			this.unattached.add(p.sha);
			return undefined;
		});
		// A refusal may have been fixed since (access granted, relay updated): one more try per start.
		await this.records.changeInStates(['failed'], (p) => ({ meta: { ...p, state: 'pending', attempts: 0, nextAttempt: 0 } }));
		this.queue = this.outbox.queue({ run: () => this.pass() });
		this.unsubscribe = this.options.docs?.onLocalChange((name) => this.onLocalChange(name)) ?? null;
		if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
		this.kick();
	}

	/** Stops uploading (sign-out, tests); what is queued stays queued. */
	async stop(): Promise<void> {
		this.started = false;
		this.unsubscribe?.();
		this.unsubscribe = null;
		if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
		const queue = this.queue;
		this.queue = null;
		if (queue) this.outbox.remove(queue);
		for (const controller of this.inFlight) controller.abort();
		await queue?.idle();
	}

	/** fetch with a timeout, aborted by stop(). */
	private async request(url: string, init: RequestInit): Promise<Response> {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
		this.inFlight.add(controller);
		try {
			return await this.fetch(url, { ...init, signal: controller.signal });
		} finally {
			clearTimeout(timer);
			this.inFlight.delete(controller);
		}
	}

	/** Deletes every photo on the device and starts afresh (sign-out: they may show someone's home). */
	async clear(): Promise<void> {
		await this.stop();
		await this.records.clear();
		this.unattached.clear();
		this.downloads.clear();
		await this.start();
	}

	/**
	 * Compresses, hashes and stores a photo for `doc` (null: for a document not created yet), then queues its
	 * upload. Resolves with its SHA-256 once it is in IndexedDB. Throws PhotoError: not_image, too_large, quota.
	 */
	async add(file: Blob, doc: string | null): Promise<string> {
		let blob: Blob;
		try {
			blob = await this.compress(file);
		} catch (error) {
			throw new PhotoError('not_image', 'the file is not an image this device can read', error);
		}
		const type = sniffPhotoType(new Uint8Array(await blob.slice(0, 16).arrayBuffer()));
		if (!type) throw new PhotoError('not_image', 'only JPEG, WebP and PNG photos can be kept');
		if (blob.size > PHOTO_MAX_BYTES) throw new PhotoError('too_large', `the photo is larger than ${PHOTO_MAX_BYTES} bytes`);
		const sha = await sha256(blob);
		const stored = blob.type === type ? blob : new Blob([blob], { type });
		const write = async () => {
			const [written] = await this.records.change([sha], (existing) => {
				const meta: PhotoMeta = existing
					? { ...existing, origin: 'local' }
					: {
							sha,
							type,
							size: stored.size,
							addedAt: this.now(),
							origin: 'local',
							docs: [],
							uploaded: [],
							state: 'unattached',
							attempts: 0,
							nextAttempt: 0,
							error: null
						};
				if (doc !== null && !meta.docs.includes(doc)) meta.docs = [...meta.docs, doc];
				meta.state = settle(meta);
				return existing ? { meta } : { meta, blob: stored };
			});
			return written!;
		};
		let meta: PhotoMeta;
		try {
			meta = await write();
		} catch (error) {
			if (!isQuotaError(error)) throw new PhotoError('storage', String((error as Error)?.message ?? error), error);
			// Downloaded copies can be fetched again; a photo taken here cannot.
			if ((await this.evictRemoteCopies()) === 0) throw new PhotoError('quota', 'the device storage is full', error);
			try {
				meta = await write();
			} catch (again) {
				throw new PhotoError(isQuotaError(again) ? 'quota' : 'storage', 'the device storage is full', again);
			}
		}
		if (meta.state === 'unattached') this.unattached.add(sha);
		else this.unattached.delete(sha);
		this.kick();
		return sha;
	}

	/** Attaches stored photos to a document (uploading them for it); photos not on this device are skipped. */
	async attach(shas: readonly string[], doc: string, opts: { onlyUnattached?: boolean } = {}): Promise<void> {
		let changed = false;
		await this.records.change(shas, (meta, sha) => {
			if (!meta || meta.origin !== 'local' || meta.docs.includes(doc)) return undefined;
			if (opts.onlyUnattached && meta.docs.length > 0) return undefined;
			meta.docs = [...meta.docs, doc];
			meta.state = meta.state === 'failed' ? 'pending' : settle(meta);
			meta.attempts = 0;
			meta.nextAttempt = 0;
			this.unattached.delete(sha);
			changed = true;
			return { meta };
		});
		if (changed) this.kick();
	}

	/**
	 * Makes sure photos a document lists and this device took for it are attached to it: the safety net for a
	 * document created while the app was closing. Only for documents the device may write.
	 */
	claim(shas: readonly string[], doc: string): Promise<void> {
		const mine = shas.filter((sha) => this.unattached.has(sha));
		return mine.length > 0 ? this.attach(mine, doc, { onlyUnattached: true }) : Promise.resolve();
	}

	/** Deletes a photo that was never attached (removed from a form before saving); attached photos stay. */
	async discard(sha: string): Promise<void> {
		await this.records.change([sha], (meta) => (meta?.state === 'unattached' ? 'delete' : undefined));
		this.unattached.delete(sha);
	}

	/** The photo's bytes: the local copy, or downloaded with the credential and kept. Throws PhotoError. */
	async blob(sha: string): Promise<Blob> {
		if (!isPhotoId(sha)) throw new PhotoError('not_found', 'not a photo id');
		const local = await this.records.bytes(sha);
		if (local) return local;
		let pending = this.downloads.get(sha);
		if (!pending) {
			pending = this.download(sha).finally(() => this.downloads.delete(sha));
			this.downloads.set(sha, pending);
		}
		return pending;
	}

	/** An object URL for the photo; the caller revokes it when done. */
	async url(sha: string): Promise<string> {
		return URL.createObjectURL(await this.blob(sha));
	}

	/** Upload state of each photo held here (absent: not on this device). */
	async states(shas: readonly string[]): Promise<Map<string, PhotoMeta>> {
		const metas = await this.records.getMany(shas);
		return new Map(metas.filter((m): m is PhotoMeta => !!m).map((m) => [m.sha, m]));
	}

	/** Runs the upload queue now (after a backoff, too): the `online` event and the "retry" button. */
	async retryNow(): Promise<void> {
		await this.records.changeInStates(['pending', 'failed'], (p) => ({ meta: { ...p, state: 'pending', nextAttempt: 0 } }));
		this.kick();
		await this.idle();
	}

	/** Resolves once no upload pass is running (tests, sign-out). */
	async idle(): Promise<void> {
		await this.queue?.idle();
	}

	/** Runs an upload pass now; passes never overlap. */
	kick(): void {
		if (this.started) this.queue?.kick();
	}

	/** One pass: uploads what is due, then says when the next photo is due (the queue waits until then). */
	private async pass(): Promise<{ waiting: number; at?: number }> {
		await this.uploadDue();
		if (!this.started) return { waiting: 0 };
		const pending = await this.records.inStates(['pending']);
		if (pending.length === 0) return { waiting: 0 };
		return { waiting: pending.length, at: Math.min(...pending.map((p) => p.nextAttempt)) };
	}

	private onLocalChange(name: string): void {
		if (this.unattached.size === 0) return;
		const doc = this.options.docs?.loaded(name);
		if (!doc) return;
		const listed = readPhotoRefs(doc).filter((sha) => this.unattached.has(sha));
		if (listed.length > 0) void this.attach(listed, name, { onlyUnattached: true });
	}

	private async uploadDue(): Promise<void> {
		const now = this.now();
		// A next attempt further off than the policy's cap means the wall clock went back: it is due now.
		const due = (await this.records.inStates(['pending'])).filter((p) => isDue(p.nextAttempt, now));
		for (const meta of due) {
			if (!this.started) return;
			// The network is down (or the credential missing): the others would fail the same way.
			if ((await this.upload(meta)) === 'stop') return;
		}
	}

	private async upload(meta: PhotoMeta): Promise<'ok' | 'stop'> {
		const data = await this.records.bytes(meta.sha);
		if (!data) {
			await this.update(meta.sha, (m) => ({ ...m, state: 'failed', error: 'missing' }));
			return 'ok';
		}
		for (const doc of meta.docs.filter((d) => !meta.uploaded.includes(d))) {
			const headers = this.options.authHeaders();
			if (!headers.authorization) {
				await this.backoff(meta.sha, 'unauthorized');
				return 'stop';
			}
			let res: Response;
			try {
				res = await this.request(`${this.origin}${photoPath(meta.sha, doc)}`, {
					method: 'PUT',
					headers: { ...headers, 'content-type': meta.type },
					body: data,
					cache: 'no-store'
				});
			} catch {
				await this.backoff(meta.sha, 'offline');
				return 'stop';
			}
			if (res.ok) {
				await this.update(meta.sha, (m) => ({
					...m,
					uploaded: m.uploaded.includes(doc) ? m.uploaded : [...m.uploaded, doc],
					attempts: 0,
					error: null
				}));
				continue;
			}
			const body = (await res.json().catch(() => null)) as { error?: string } | null;
			const error = body?.error ?? `HTTP ${res.status}`;
			if (RETRYABLE.has(res.status)) {
				await this.backoff(meta.sha, error, retryAfterMs(res));
				return res.status === 401 || res.status >= 500 ? 'stop' : 'ok';
			}
			// Refused for good (no access, not an image, too large): say so; the next start tries once more.
			await this.update(meta.sha, (m) => ({ ...m, state: 'failed', error }));
			return 'ok';
		}
		return 'ok';
	}

	private async backoff(sha: string, error: string, retryAfter: number | null = null): Promise<void> {
		await this.update(sha, (m) => {
			const attempts = m.attempts + 1;
			return { ...m, attempts, error, nextAttempt: this.now() + retryDelay(RETRY_POLICY, attempts, this.random, retryAfter) };
		});
	}

	/** Read-modify-write of one photo's state (an attach may have landed meanwhile). */
	private async update(sha: string, change: (meta: PhotoMeta) => PhotoMeta): Promise<void> {
		await this.records.change([sha], (meta) => {
			if (!meta) return undefined;
			const next = change(meta);
			return { meta: { ...next, state: next.state === 'failed' ? 'failed' : settle(next) } };
		});
	}

	private async download(sha: string): Promise<Blob> {
		let res: Response;
		try {
			res = await this.request(`${this.origin}${photoPath(sha)}`, { headers: this.options.authHeaders() });
		} catch (error) {
			throw new PhotoError('offline', 'the photo is not on this device and the relay cannot be reached', error);
		}
		if (res.status === 401) throw new PhotoError('unauthorized', 'the relay did not accept this device');
		if (!res.ok) throw new PhotoError('not_found', `the relay has no photo ${sha} for this device`);
		const bytes = await res.arrayBuffer();
		const type = sniffPhotoType(new Uint8Array(bytes, 0, Math.min(16, bytes.byteLength)));
		if (!type || toHex(await crypto.subtle.digest('SHA-256', bytes)) !== sha) {
			throw new PhotoError('not_found', 'the relay answered with other bytes than the photo asked for');
		}
		const blob = new Blob([bytes], { type });
		try {
			await this.records.change([sha], (existing) => {
				if (existing) return undefined;
				const meta: PhotoMeta = {
					sha,
					type,
					size: blob.size,
					addedAt: this.now(),
					origin: 'remote',
					docs: [],
					uploaded: [],
					state: 'done',
					attempts: 0,
					nextAttempt: 0,
					error: null
				};
				return { meta, blob };
			});
		} catch {
			// Keeping a copy is an optimisation; a full disk must not stop the photo from showing.
		}
		return blob;
	}

	/** Deletes downloaded copies (never photos taken here); returns how many. */
	private async evictRemoteCopies(): Promise<number> {
		return this.records.changeInStates(['done'], (p) => (p.origin === 'remote' ? 'delete' : undefined));
	}
}

let shared: PhotoLibrary | null = null;

/** Starts the app's photo library (once; Courtyard.start calls it). */
export function startPhotos(options: PhotoLibraryOptions): PhotoLibrary {
	let library = shared;
	if (!library || library.database !== options.db) {
		void library?.stop();
		library = shared = new PhotoLibrary(options);
	}
	void library.start();
	return library;
}

/**
 * The app's photo library. The app registers its options on start and loads this module after the first page
 * (photo-queue.ts), so a page that needs photos before that starts the library itself; throws before the app
 * has started.
 */
export function photos(): PhotoLibrary {
	if (!shared) {
		const options = registeredPhotoOptions();
		if (!options) throw new Error('the photo library has not been started');
		startPhotos(options);
	}
	return shared!;
}

/** Sign-out: deletes every photo on the device, queued uploads included (the caller has asked first). */
export async function clearPhotos(db: CourtyardDB): Promise<void> {
	if (shared) await shared.clear();
	else await clearPhotoTables(db);
}

export const addPhoto = (file: Blob, doc: string | null): Promise<string> => photos().add(file, doc);
export const photoUrl = (sha: string): Promise<string> => photos().url(sha);
