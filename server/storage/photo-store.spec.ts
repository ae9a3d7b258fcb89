import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from './blob-store';
import { MemoryPhotoMeta } from './photo-meta';
import { BlobPhotoStore, DiskPhotoStore, PhotoQuotaError, PhotoRemovalBusyError, STALE_REMOVAL_MS } from './photo-store';
import { tempDirsAfterEach } from './temp-dirs.testing';

const tempDir = tempDirsAfterEach('courtyard-photos-');
const sha = (n: number) => n.toString(16).padStart(64, '0');
const jpeg = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i < 3 ? [0xff, 0xd8, 0xff][i]! : i % 251));

describe('DiskPhotoStore', () => {
	it('never lets concurrent uploads of one device pass its quota together, and leaves no bytes of the refused', async () => {
		const dir = tempDir();
		const store = DiskPhotoStore.open(dir);
		const owner = { device: 'd1', community: 'demo', deviceQuota: 3_000, communityQuota: Infinity };
		const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => store.put(sha(n), jpeg(1_000), 'image/jpeg', 'demo:proposal:p', owner)));
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
		const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(refused.every((r) => r.reason instanceof PhotoQuotaError && r.reason.quota === 'device')).toBe(true);
		expect(await store.usage('d1', 'demo')).toEqual({ device: 3_000, community: 3_000 });
		const files = fs.readdirSync(path.join(dir, 'photos')).flatMap((d) => fs.readdirSync(path.join(dir, 'photos', d)));
		expect(files).toHaveLength(3);
		await store.close();
	});

	it('re-writes bytes the collector deleted meanwhile when they are linked again', async () => {
		const store = DiskPhotoStore.open(tempDir());
		await store.put(sha(1), jpeg(500), 'image/jpeg', 'demo:proposal:a');
		await store.unlink(sha(1), 'demo:proposal:a');
		expect(await store.removeIfUnlinked(sha(1), Date.now() + 1)).toBe(500);
		expect(await store.read(sha(1))).toBeNull();
		expect(await store.put(sha(1), jpeg(500), 'image/jpeg', 'demo:proposal:b')).toBe(true);
		expect((await store.read(sha(1)))?.bytes).toHaveLength(500);
		await store.close();
	});

	it('counts photos stored before quotas existed for the community of their first document', async () => {
		const dir = tempDir();
		const db = new Database(path.join(dir, 'courtyard.db'));
		db.exec(`CREATE TABLE photos (sha TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL);
			CREATE TABLE photo_links (sha TEXT NOT NULL, doc TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (sha, doc)) WITHOUT ROWID;
			INSERT INTO photos VALUES ('${sha(7)}', 'image/png', 100, 1);
			INSERT INTO photo_links VALUES ('${sha(7)}', 'demo:proposal:x', 1);`);
		db.close();
		const store = DiskPhotoStore.open(dir);
		expect(await store.usage('d1', 'demo')).toEqual({ device: 0, community: 100 });
		await store.close();
	});
});

describe('BlobPhotoStore', () => {
	/** A store whose clock the test moves, and a removal left marked as by a collector that stopped midway. */
	async function markedForRemoval() {
		let now = 1_000;
		const meta = new MemoryPhotoMeta();
		const blobs = new MemoryBlobStore();
		const store = new BlobPhotoStore(meta, blobs, () => now);
		await store.put(sha(1), jpeg(10), 'image/jpeg', 'demo:proposal:a');
		await store.unlink(sha(1), 'demo:proposal:a');
		now = 2_000;
		const removal = await meta.beginRemoval(sha(1), 1_500, now, 0);
		expect(removal).not.toBeNull();
		return { store, blobs, meta, advance: (ms: number) => (now += ms) };
	}

	it('makes an upload wait for a removal under way, then stores the photo anew with its bytes', async () => {
		const { store, blobs, meta } = await markedForRemoval();
		const upload = store.put(sha(1), jpeg(10), 'image/jpeg', 'demo:proposal:b');
		// The collector finishes: bytes first, then the row.
		await blobs.delete(sha(1));
		await meta.endRemoval(sha(1), 2_000);
		expect(await upload).toBe(true);
		expect((await store.read(sha(1)))?.bytes).toHaveLength(10);
		expect(await store.docs(sha(1))).toEqual(['demo:proposal:b']);
	});

	it('gives up after a few seconds on a removal that does not end, and takes over a stale one', async () => {
		const { store, advance } = await markedForRemoval();
		await expect(store.put(sha(1), jpeg(10), 'image/jpeg', 'demo:proposal:b')).rejects.toBeInstanceOf(PhotoRemovalBusyError);
		advance(STALE_REMOVAL_MS + 1);
		expect(await store.put(sha(1), jpeg(10), 'image/jpeg', 'demo:proposal:b')).toBe(true);
		expect((await store.read(sha(1)))?.bytes).toHaveLength(10);
	});

	it('never leaves a linked photo without bytes when a collector (another connection) races uploads', async () => {
		const dir = tempDir();
		const relay = DiskPhotoStore.open(dir);
		const cli = DiskPhotoStore.open(dir);
		for (let round = 0; round < 30; round++) {
			const key = sha(100 + round);
			await relay.put(key, jpeg(300), 'image/jpeg', 'demo:proposal:a');
			await relay.unlink(key, 'demo:proposal:a');
			// The upload starts a little later each round, so that it meets every step of the removal.
			const later = async () => {
				for (let i = 0; i < round; i++) await new Promise((resolve) => setImmediate(resolve));
				return relay.put(key, jpeg(300), 'image/jpeg', 'demo:proposal:b');
			};
			await Promise.all([cli.removeIfUnlinked(key, Date.now() + 1), later()]);
			expect(await relay.docs(key)).toEqual(['demo:proposal:b']);
			expect((await relay.read(key))?.bytes).toHaveLength(300);
		}
		await cli.close();
		await relay.close();
	});

	it('keeps the bytes of a photo linked while the collector looked at it', async () => {
		const store = new BlobPhotoStore(new MemoryPhotoMeta(), new MemoryBlobStore());
		await store.put(sha(1), jpeg(10), 'image/jpeg', 'demo:proposal:a');
		await store.unlink(sha(1), 'demo:proposal:a');
		const [removed] = await Promise.all([
			store.removeIfUnlinked(sha(1), Date.now() + 1),
			store.put(sha(1), jpeg(10), 'image/jpeg', 'demo:proposal:b')
		]);
		// Whichever went first, a linked photo has its bytes.
		expect(await store.docs(sha(1))).toEqual(['demo:proposal:b']);
		expect((await store.read(sha(1)))?.bytes).toHaveLength(10);
		expect(removed === null || removed === 10).toBe(true);
	});
});

