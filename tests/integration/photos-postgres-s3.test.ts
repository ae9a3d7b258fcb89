/**
 * Photos with no local disk: two relays (as two processes behind a load balancer) on one PostgreSQL database
 * (photo metadata, documents, devices) and one S3-compatible bucket (photo bytes; moto's server). A photo uploaded
 * through one relay is served by the other, quotas count across both, and a collection run by either deletes
 * the object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Grant } from '../../src/lib/domain/access';
import { photoPath } from '../../src/lib/protocol/photos';
import { setPhotoRefs } from '../../src/lib/schema/photos';
import * as Y from 'yjs';
import type { Relay } from '../../server/relay';
import type { BlobStore } from '../../server/storage/blob-store';
import { S3BlobStore, type S3BlobStoreOptions } from '../../server/storage/blob-store-s3';
import { BlobPhotoStore } from '../../server/storage/photo-store';
import { PgPhotoMeta } from '../../server/storage/postgres/photos-pg';
import { pngImage, sha256Hex } from '../factories/images';
import { type S3Service, startS3 } from '../services/s3';
import { type PostgresService, startPostgres } from '../services/services';
import { mintToken, removeDir, startTestRelay, tempDir, twoPools } from './helpers';

let pg: PostgresService;
let s3: S3Service;
let round = 0;
const relays: Relay[] = [];
const dirs: string[] = [];

beforeAll(async () => {
	[pg, s3] = await Promise.all([startPostgres(), startS3()]);
}, 120_000);

afterEach(async () => {
	for (const relay of relays.splice(0)) await relay.close();
	for (const dir of dirs.splice(0)) removeDir(dir);
});

afterAll(async () => {
	await pg?.stop();
	await s3?.stop();
});

const WORKER: Grant = { role: 'grid_worker', community: 'demo', grids: ['g1'] };
const RESIDENT: Grant = { role: 'resident', community: 'demo', household: 'h1' };

let seed = 1;
function photo(size = 40_000): Buffer {
	const head = pngImage(16, 16, seed++);
	return Buffer.concat([head, Buffer.alloc(size - head.length, seed % 251)]);
}

/** A fresh database and a fresh bucket. */
async function freshStorage(): Promise<{ url: string; s3Options: S3BlobStoreOptions }> {
	const url = await pg.freshDatabase();
	const bucket = `courtyard-${process.pid}-${++round}`;
	await s3.createBucket(bucket);
	return { url, s3Options: { bucket, endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } };
}

/** Two relays sharing a fresh database, one bucket and the signing key (DATA_DIR/keys), as a deployment does. */
async function twoRelays(limits: Record<string, number> = {}) {
	const { url, s3Options } = await freshStorage();
	const dataDir = tempDir();
	dirs.push(dataDir);
	const start = () =>
		startTestRelay({ dataDir, databaseUrl: url, photoBlobs: new S3BlobStore(s3Options), limits: { photoGcIntervalMs: 0, ...limits } });
	const a = await start();
	const b = await start();
	relays.push(a, b);
	return { a, b, bucket: new S3BlobStore(s3Options), dataDir };
}

const put = (relay: Relay, bytes: Uint8Array, doc: string, token: string) =>
	fetch(`${relay.url}${photoPath(sha256Hex(bytes), doc)}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: new Uint8Array(bytes) });
const get = (relay: Relay, sha: string, token: string) => fetch(`${relay.url}${photoPath(sha)}`, { headers: { authorization: `Bearer ${token}` } });

describe('photos on PostgreSQL and S3, through two relays', () => {
	it('serves through one relay what was uploaded through the other, with the same access checks, and nothing on disk', async () => {
		const { a, b, bucket, dataDir } = await twoRelays();
		const worker = await mintToken(a, WORKER);
		const resident = await mintToken(b, RESIDENT);
		const bytes = photo();
		const sha = sha256Hex(bytes);
		expect((await put(a, bytes, 'demo:visits:g1', worker)).status).toBe(201);
		expect((await put(b, bytes, 'demo:visits:g1', worker)).status).toBe(200);

		const down = await get(b, sha, worker);
		expect(down.status).toBe(200);
		expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
		// A visit photo is not a resident's to see, through either relay.
		expect((await get(b, sha, resident)).status).toBe(404);
		expect((await get(a, sha, resident)).status).toBe(404);
		expect(await bucket.size(sha)).toBe(bytes.length);
		expect(fs.existsSync(path.join(dataDir, 'photos'))).toBe(false);
	});

	it('counts a device’s quota across both relays', async () => {
		const { a, b } = await twoRelays({ photoQuotaDeviceBytes: 100_000 });
		const resident = await mintToken(a, RESIDENT);
		expect((await put(a, photo(), 'demo:proposal:p1', resident)).status).toBe(201);
		expect((await put(b, photo(), 'demo:proposal:p1', resident)).status).toBe(201);
		const over = await put(a, photo(), 'demo:proposal:p1', resident);
		expect(over.status).toBe(413);
		expect((await over.json()).message).toMatch(/quota per device/);
		const alsoOver = await put(b, photo(), 'demo:proposal:p2', resident);
		expect(alsoOver.status).toBe(413);
	});

	it('deletes an unreferenced photo’s object when either relay collects, and keeps a referenced one', async () => {
		const { a, b, bucket } = await twoRelays({ photoGcGraceMs: 0 });
		const resident = await mintToken(a, RESIDENT);
		const [kept, orphan] = [photo(), photo()];
		expect((await put(a, kept, 'demo:proposal:real', resident)).status).toBe(201);
		expect((await put(a, orphan, 'demo:proposal:invented', resident)).status).toBe(201);
		const ydoc = new Y.Doc();
		setPhotoRefs(ydoc, [sha256Hex(kept)], { id: 'd_test', name: 'test', role: 'resident' }, 1);
		await new Promise<void>((resolve, reject) =>
			a.hub.submit('demo:proposal:real', Y.encodeStateAsUpdate(ydoc), null, (error) => (error ? reject(error) : resolve()))
		);
		await new Promise((r) => setTimeout(r, 5));

		expect(await b.collectPhotos()).toMatchObject({ unlinked: 1, deleted: 1, bytes: orphan.length, unreadable: 0 });
		expect(await bucket.has(sha256Hex(orphan))).toBe(false);
		expect((await get(a, sha256Hex(orphan), resident)).status).toBe(404);
		expect(await bucket.size(sha256Hex(kept))).toBe(kept.length);
		expect((await get(a, sha256Hex(kept), resident)).status).toBe(200);
		// The other relay finds nothing more to do.
		expect(await a.collectPhotos()).toMatchObject({ unlinked: 0, deleted: 0 });
	});

	it('never leaves a linked photo without its object when one process collects while another uploads', async () => {
		const { url, s3Options } = await freshStorage();
		const { one, two, close } = await twoPools(url);
		const uploader = new BlobPhotoStore(new PgPhotoMeta(one.pool), new S3BlobStore(s3Options));
		// The collector's deletes take a while (a slow network), which widens the window an upload could slip into.
		const bucket = new S3BlobStore(s3Options);
		const slowDeletes: BlobStore = Object.assign(Object.create(bucket) as S3BlobStore, {
			delete: async (key: string) => {
				await new Promise((resolve) => setTimeout(resolve, 30));
				await bucket.delete(key);
			}
		});
		const collector = new BlobPhotoStore(new PgPhotoMeta(two.pool), slowDeletes);
		try {
			for (let n = 0; n < 12; n++) {
				const bytes = photo(2_000);
				const sha = sha256Hex(bytes);
				await uploader.put(sha, bytes, 'image/png', 'demo:proposal:a');
				await uploader.unlink(sha, 'demo:proposal:a');
				// The upload starts a little later each round, so that it meets every step of the removal.
				const later = async () => {
					await new Promise((resolve) => setTimeout(resolve, n));
					return uploader.put(sha, bytes, 'image/png', 'demo:proposal:b');
				};
				await Promise.all([collector.removeIfUnlinked(sha, Date.now() + 1), later()]);
				expect(await uploader.docs(sha)).toEqual(['demo:proposal:b']);
				expect((await collector.read(sha))?.bytes.length).toBe(bytes.length);
			}
		} finally {
			await close();
		}
	});
});
