import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { setPhotoRefs } from '../schema/photos';
import { openDatabase, type CourtyardDB } from './db';
import {
	ORPHAN_TTL_MS,
	PhotoError,
	PhotoLibrary,
	type PhotoLibraryOptions,
	photoUploadCounts,
	RETRY_BASE_MS,
	RETRY_MAX_MS,
	withPendingPhotos
} from './photos';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
let seq = 0;
/** Bytes that pass as a PNG (the relay and the library look at the magic bytes only). */
const photoFile = (label = `photo ${++seq}`) => new Blob([new Uint8Array(PNG_MAGIC), label], { type: 'image/png' });
const shaOf = async (blob: Blob) => createHash('sha256').update(new Uint8Array(await blob.arrayBuffer())).digest('hex');
const actor: Actor = { id: 'w1', name: '网格员', role: 'grid_worker' };
const VISITS = 'demo:visits:g1';
const PROPOSAL = 'demo:proposal:p1';

/** The relay's photo API in memory, with a switch for the network and a queue of forced answers. */
class FakeRelay {
	online = true;
	readonly stored = new Map<string, Uint8Array>();
	readonly links: Array<{ sha: string; doc: string }> = [];
	readonly requests: Array<{ method: string; path: string; auth: string | null }> = [];
	/** Statuses to answer the next PUTs with, instead of storing. */
	readonly forced: number[] = [];

	fetch: typeof fetch = async (input, init) => {
		const url = new URL(String(input), 'http://relay');
		const method = init?.method ?? 'GET';
		const auth = new Headers(init?.headers).get('authorization');
		this.requests.push({ method, path: `${url.pathname}${url.search}`, auth });
		if (!this.online) throw new TypeError('Failed to fetch');
		const sha = url.pathname.split('/').pop() ?? '';
		if (method === 'PUT') {
			const status = this.forced.shift();
			if (status) return Response.json({ error: status === 403 ? 'forbidden' : 'busy' }, { status });
			const bytes = new Uint8Array(await new Response(init?.body as BodyInit).arrayBuffer());
			if (createHash('sha256').update(bytes).digest('hex') !== sha) return Response.json({ error: 'invalid' }, { status: 400 });
			const isNew = !this.stored.has(sha);
			this.stored.set(sha, bytes);
			this.links.push({ sha, doc: url.searchParams.get('doc') ?? '' });
			return Response.json({ sha }, { status: isNew ? 201 : 200 });
		}
		const bytes = this.stored.get(sha);
		if (!bytes) return Response.json({ error: 'not_found' }, { status: 404 });
		return new Response(new Uint8Array(bytes), { headers: { 'content-type': 'image/png' } });
	};

	docsOf(sha: string): string[] {
		return this.links.filter((l) => l.sha === sha).map((l) => l.doc);
	}
}

/** Local documents with the change feed the library listens to. */
class FakeDocs {
	readonly docs = new Map<string, Y.Doc>();
	private listeners = new Set<(name: string) => void>();
	onLocalChange(listener: (name: string) => void) {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
	loaded(name: string) {
		return this.docs.get(name);
	}
	/** A document saved locally that lists `shas` among its photos. */
	save(name: string, shas: string[]) {
		const doc = this.docs.get(name) ?? new Y.Doc();
		this.docs.set(name, doc);
		setPhotoRefs(doc, shas, actor, 1);
		for (const l of this.listeners) l(name);
	}
}

const open: Array<{ db: CourtyardDB; lib: PhotoLibrary }> = [];
let dbCount = 0;

function setup(overrides: Partial<PhotoLibraryOptions> & { dbName?: string; relay?: FakeRelay; clock?: { now: number } } = {}) {
	const relay = overrides.relay ?? new FakeRelay();
	const clock = overrides.clock ?? { now: 1_000_000 };
	const docs = new FakeDocs();
	const db = openDatabase(overrides.dbName ?? `photos-${++dbCount}`);
	const lib = new PhotoLibrary({
		db,
		authHeaders: () => ({ authorization: 'Bearer device-token' }),
		compress: async (file) => file,
		fetch: relay.fetch,
		now: () => clock.now,
		random: () => 1,
		docs,
		...overrides
	});
	open.push({ db, lib });
	return { relay, clock, docs, db, lib };
}

afterEach(async () => {
	for (const { db, lib } of open.splice(0)) {
		await lib.stop();
		db.close();
	}
});

describe('adding a photo', () => {
	it('stores it in IndexedDB before resolving, named by the hash of the kept bytes', async () => {
		const { db, lib, relay } = setup({ compress: async () => photoFile('compressed') });
		relay.online = false;
		const sha = await lib.add(photoFile('original, large'), VISITS);
		expect(sha).toBe(await shaOf(photoFile('compressed')));
		const meta = await db.photos.get(sha);
		expect(meta).toMatchObject({ sha, type: 'image/png', origin: 'local', docs: [VISITS], uploaded: [], state: 'pending' });
		const data = await db.photoData.get(sha);
		expect(await data?.blob.text()).toContain('compressed');
	});

	it('refuses what is not an image, and a compressor failure, storing nothing', async () => {
		const { db, lib } = setup();
		await expect(lib.add(new Blob(['<svg/>'], { type: 'image/svg+xml' }), VISITS)).rejects.toMatchObject({ code: 'not_image' });
		const broken = setup({ compress: async () => Promise.reject(new Error('decode failed')) });
		await expect(broken.lib.add(photoFile(), VISITS)).rejects.toBeInstanceOf(PhotoError);
		expect(await db.photos.count()).toBe(0);
	});

	it('refuses a photo over the size limit even after compression', async () => {
		const { lib } = setup({ compress: async () => new Blob([new Uint8Array(PNG_MAGIC), new Uint8Array(3 * 1024 * 1024)]) });
		await expect(lib.add(photoFile(), VISITS)).rejects.toMatchObject({ code: 'too_large' });
	});

	it('keeps one copy of the same photo added twice, attached to both documents', async () => {
		const { db, lib, relay } = setup();
		await lib.start();
		const file = photoFile('same');
		const a = await lib.add(file, VISITS);
		const b = await lib.add(file, PROPOSAL);
		expect(a).toBe(b);
		await lib.idle();
		expect(await db.photoData.count()).toBe(1);
		expect(relay.docsOf(a).sort()).toEqual([PROPOSAL, VISITS]);
		expect((await db.photos.get(a))?.state).toBe('done');
	});
});

describe('the upload queue', () => {
	it('uploads right after an add when online, with the credential and the document', async () => {
		const { lib, relay, db } = setup();
		await lib.start();
		const sha = await lib.add(photoFile(), VISITS);
		await lib.idle();
		expect(relay.stored.has(sha)).toBe(true);
		expect(relay.requests.at(-1)).toEqual({ method: 'PUT', path: `/api/photos/${sha}?doc=${encodeURIComponent(VISITS)}`, auth: 'Bearer device-token' });
		expect(await db.photos.get(sha)).toMatchObject({ state: 'done', uploaded: [VISITS], error: null });
		expect(await photoUploadCounts(db)).toEqual({ pending: 0, failed: 0 });
	});

	it('backs off exponentially while the network is down, then uploads without a tap', async () => {
		const { lib, relay, db, clock } = setup();
		relay.online = false;
		await lib.start();
		const sha = await lib.add(photoFile(), VISITS);
		await lib.idle();
		let meta = await db.photos.get(sha);
		expect(meta).toMatchObject({ state: 'pending', attempts: 1, error: 'offline' });
		expect(meta!.nextAttempt).toBe(clock.now + RETRY_BASE_MS);

		// Not due yet: nothing is sent.
		const sent = relay.requests.length;
		lib.kick();
		await lib.idle();
		expect(relay.requests.length).toBe(sent);

		clock.now += RETRY_BASE_MS;
		lib.kick();
		await lib.idle();
		meta = await db.photos.get(sha);
		expect(meta).toMatchObject({ attempts: 2 });
		expect(meta!.nextAttempt).toBe(clock.now + 2 * RETRY_BASE_MS);
		for (let i = 0; i < 12; i++) {
			clock.now = (await db.photos.get(sha))!.nextAttempt;
			lib.kick();
			await lib.idle();
		}
		meta = await db.photos.get(sha);
		expect(meta!.nextAttempt - clock.now).toBe(RETRY_MAX_MS);
		expect(await photoUploadCounts(db)).toEqual({ pending: 1, failed: 0 });

		// The browser's `online` event (retryNow) skips the wait.
		relay.online = true;
		await lib.retryNow();
		expect(relay.stored.has(sha)).toBe(true);
		expect(await db.photos.get(sha)).toMatchObject({ state: 'done', attempts: 0 });
	});

	it('does not wait out a backoff stretched by the device clock being set back', async () => {
		const { lib, relay, db, clock } = setup();
		relay.online = false;
		await lib.start();
		const sha = await lib.add(photoFile('set back'), VISITS);
		await lib.idle();
		expect(await db.photos.get(sha)).toMatchObject({ attempts: 1, nextAttempt: clock.now + RETRY_BASE_MS });
		// The phone's date goes back a day: the next attempt now looks a day away, beyond any backoff.
		clock.now -= 24 * 60 * 60_000;
		relay.online = true;
		lib.kick();
		await lib.idle();
		expect(relay.stored.has(sha)).toBe(true);
		expect(await db.photos.get(sha)).toMatchObject({ state: 'done' });
	});

	it('retries a photo the relay could not take (5xx, 429) and gives up on a refusal until the next start', async () => {
		const { lib, relay, db, clock } = setup();
		await lib.start();
		relay.forced.push(503);
		const busy = await lib.add(photoFile(), VISITS);
		await lib.idle();
		expect(await db.photos.get(busy)).toMatchObject({ state: 'pending', attempts: 1, error: 'busy' });

		relay.forced.push(403);
		clock.now += RETRY_BASE_MS;
		lib.kick();
		await lib.idle();
		expect(await db.photos.get(busy)).toMatchObject({ state: 'failed', error: 'forbidden' });
		expect(await photoUploadCounts(db)).toEqual({ pending: 0, failed: 1 });
		const sent = relay.requests.length;
		clock.now += RETRY_MAX_MS;
		lib.kick();
		await lib.idle();
		expect(relay.requests.length).toBe(sent);

		// Another start tries once more; this time the relay takes it.
		await lib.stop();
		const again = new PhotoLibrary({ db, authHeaders: () => ({ authorization: 'Bearer t' }), fetch: relay.fetch, now: () => clock.now });
		open.push({ db, lib: again });
		await again.start();
		await again.idle();
		expect(await db.photos.get(busy)).toMatchObject({ state: 'done' });
	});

	it('waits for a credential before sending anything', async () => {
		let token: string | null = null;
		const { lib, relay, db, clock } = setup({ authHeaders: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}) });
		await lib.start();
		const sha = await lib.add(photoFile(), VISITS);
		await lib.idle();
		expect(relay.requests).toHaveLength(0);
		expect(await db.photos.get(sha)).toMatchObject({ state: 'pending', error: 'unauthorized' });
		token = 'joined';
		clock.now += RETRY_BASE_MS;
		lib.kick();
		await lib.idle();
		expect(relay.requests[0]?.auth).toBe('Bearer joined');
		expect(relay.stored.has(sha)).toBe(true);
	});

	it('survives the app closing before the upload: the next start sends it', async () => {
		const first = setup({ dbName: 'photos-restart' });
		first.relay.online = false;
		await first.lib.start();
		const sha = await first.lib.add(photoFile(), VISITS);
		await first.lib.stop();
		first.db.close();

		const relay = new FakeRelay();
		const second = setup({ dbName: 'photos-restart', relay });
		await second.lib.start();
		await second.lib.idle();
		expect(relay.stored.has(sha)).toBe(true);
		expect(relay.docsOf(sha)).toEqual([VISITS]);
	});
});

describe('photos for a document not created yet', () => {
	it('are kept but not uploaded until a saved document lists them, then go up for that document', async () => {
		const { lib, relay, db, docs } = setup();
		await lib.start();
		const sha = await lib.add(photoFile(), null);
		await lib.idle();
		expect(relay.requests).toHaveLength(0);
		expect(await db.photos.get(sha)).toMatchObject({ state: 'unattached', docs: [] });
		expect(await photoUploadCounts(db)).toEqual({ pending: 0, failed: 0 });

		docs.save('demo:proposal:other', []);
		docs.save(PROPOSAL, [sha]);
		await expect.poll(() => relay.docsOf(sha)).toEqual([PROPOSAL]);
		expect(await db.photos.get(sha)).toMatchObject({ state: 'done', docs: [PROPOSAL] });
	});

	it('are attached by claim() when the document was saved while the app was closing', async () => {
		const first = setup({ dbName: 'photos-claim' });
		await first.lib.start();
		const sha = await first.lib.add(photoFile(), null);
		await first.lib.stop();
		first.db.close();

		const second = setup({ dbName: 'photos-claim' });
		await second.lib.start();
		await second.lib.claim([sha, 'f'.repeat(64)], PROPOSAL);
		await second.lib.idle();
		expect(second.relay.docsOf(sha)).toEqual([PROPOSAL]);
		// A photo already attached is not moved to another document by a claim.
		await second.lib.claim([sha], 'demo:proposal:p2');
		expect((await second.db.photos.get(sha))?.docs).toEqual([PROPOSAL]);
	});

	it('can be discarded from a form; attached photos cannot', async () => {
		const { lib, db } = setup();
		await lib.start();
		const loose = await lib.add(photoFile(), null);
		const kept = await lib.add(photoFile(), VISITS);
		await lib.discard(loose);
		await lib.discard(kept);
		expect(await db.photos.get(loose)).toBeUndefined();
		expect(await db.photoData.get(loose)).toBeUndefined();
		expect(await db.photos.get(kept)).toBeDefined();
	});

	it('are deleted at start when a form never saved them for a week', async () => {
		const clock = { now: 5_000_000 };
		const first = setup({ dbName: 'photos-orphans', clock });
		await first.lib.start();
		const old = await first.lib.add(photoFile(), null);
		clock.now += ORPHAN_TTL_MS / 2;
		const recent = await first.lib.add(photoFile(), null);
		await first.lib.stop();
		first.db.close();

		clock.now += ORPHAN_TTL_MS / 2 + 1;
		const second = setup({ dbName: 'photos-orphans', clock });
		await second.lib.start();
		expect(await second.db.photos.get(old)).toBeUndefined();
		expect(await second.db.photoData.get(old)).toBeUndefined();
		expect(await second.db.photos.get(recent)).toMatchObject({ state: 'unattached' });
	});
});

describe('showing a photo', () => {
	it('uses the local copy without asking the relay', async () => {
		const { lib, relay } = setup();
		const file = photoFile('local');
		const sha = await lib.add(file, VISITS);
		expect(await (await lib.blob(sha)).text()).toBe(await file.text());
		expect(relay.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
	});

	it('fetches another device’s photo with the credential once, then keeps a copy', async () => {
		const { lib, relay, db } = setup();
		const bytes = new Uint8Array(await photoFile('remote').arrayBuffer());
		const sha = await shaOf(new Blob([bytes]));
		relay.stored.set(sha, bytes);
		const [a, b] = await Promise.all([lib.blob(sha), lib.blob(sha)]);
		expect(new Uint8Array(await a.arrayBuffer())).toEqual(bytes);
		expect(a.type).toBe('image/png');
		expect(b.size).toBe(a.size);
		expect(relay.requests.filter((r) => r.method === 'GET')).toEqual([{ method: 'GET', path: `/api/photos/${sha}`, auth: 'Bearer device-token' }]);
		expect(await db.photos.get(sha)).toMatchObject({ origin: 'remote', state: 'done' });
		relay.online = false;
		expect(await (await lib.blob(sha)).arrayBuffer()).toEqual(bytes.buffer);
	});

	it('says why a photo cannot be shown: unknown, offline, or bytes that are not the photo', async () => {
		const { lib, relay } = setup();
		await expect(lib.blob('a'.repeat(64))).rejects.toMatchObject({ code: 'not_found' });
		const other = new Uint8Array(await photoFile('tampered').arrayBuffer());
		relay.stored.set('b'.repeat(64), other);
		await expect(lib.blob('b'.repeat(64))).rejects.toMatchObject({ code: 'not_found' });
		relay.online = false;
		await expect(lib.blob('c'.repeat(64))).rejects.toMatchObject({ code: 'offline' });
		await expect(lib.blob('../x')).rejects.toMatchObject({ code: 'not_found' });
	});
});

describe('storage running out', () => {
	function failPutsOnce(db: CourtyardDB, times: number) {
		const original = db.photoData.put.bind(db.photoData);
		let left = times;
		db.photoData.put = ((...args: Parameters<typeof original>) => {
			if (left-- > 0) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
			return original(...args);
		}) as typeof db.photoData.put;
	}

	it('evicts downloaded copies to make room for a photo taken here', async () => {
		const { lib, relay, db } = setup();
		const bytes = new Uint8Array(await photoFile('cached').arrayBuffer());
		const cached = await shaOf(new Blob([bytes]));
		relay.stored.set(cached, bytes);
		await lib.blob(cached);
		failPutsOnce(db, 1);
		const sha = await lib.add(photoFile('new'), VISITS);
		expect(await db.photoData.get(sha)).toBeDefined();
		expect(await db.photos.get(cached)).toBeUndefined();
	});

	it('reports a full disk clearly and leaves nothing half-stored', async () => {
		const { lib, db } = setup();
		failPutsOnce(db, 2);
		const error = await lib.add(photoFile(), VISITS).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(PhotoError);
		expect((error as PhotoError).code).toBe('quota');
		expect(await db.photos.count()).toBe(0);
	});
});

describe('sign-out', () => {
	it('lists documents whose photos wait, once each beside unsynced documents, and clear() deletes every photo', async () => {
		const { lib, db, relay } = setup();
		relay.online = false;
		await lib.start();
		await db.index.put({ doc: PROPOSAL, title: '单元门', community: 'demo', kind: 'proposal', updated: 1 } as never);
		await lib.add(photoFile(), PROPOSAL);
		await lib.add(photoFile(), VISITS);
		await lib.add(photoFile(), null);
		const merged = await withPendingPhotos(db, [{ doc: VISITS, title: '走访' }]);
		expect(merged).toEqual([
			{ doc: VISITS, title: '走访' },
			{ doc: PROPOSAL, title: '单元门' }
		]);

		await lib.clear();
		expect(await db.photos.count()).toBe(0);
		expect(await db.photoData.count()).toBe(0);
		expect(await withPendingPhotos(db, [])).toEqual([]);
	});
});
