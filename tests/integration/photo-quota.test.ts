/**
 * Photo quotas and the collection of photos no document refers to, against the real relay: a device or a
 * community over its quota is refused with 413 `quota_exceeded` naming the quota while honest uploads before and
 * after land; the collector deletes an old photo no document names and keeps referenced and fresh ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import { photoPath } from '../../src/lib/protocol/photos';
import { setPhotoRefs } from '../../src/lib/schema/photos';
import { run as adminCli } from '../../server/admin/cli';
import type { Relay } from '../../server/relay';
import { pngImage, sha256Hex } from '../factories/images';
import { mintToken, removeDir, sleep, startTestRelay } from './helpers';
import { residentActor } from '../../src/lib/domain/testing';

type TestRelay = Relay & { dataDir: string };
let relay: TestRelay | null = null;

afterEach(async () => {
	if (!relay) return;
	await relay.close();
	removeDir(relay.dataDir);
	relay = null;
});

const RESIDENT: Grant = { role: 'resident', community: 'demo', household: 'h1' };
const NEIGHBOUR: Grant = { role: 'resident', community: 'demo', household: 'h2' };
const OTHER_COMMUNITY: Grant = { role: 'resident', community: 'east', household: 'h9' };
const ADMIN: Grant = { role: 'community_admin', community: 'demo' };
const ACTOR = residentActor({ id: 'd_test', name: 'test' });

let seed = 1;
/** A distinct PNG of exactly `size` bytes (padding after the image data is still a PNG by its first bytes). */
function photo(size = 40_000): Buffer {
	const head = pngImage(16, 16, seed++);
	return Buffer.concat([head, Buffer.alloc(size - head.length, seed % 251)]);
}

async function put(bytes: Uint8Array, doc: string, token: string) {
	const res = await fetch(`${relay!.url}${photoPath(sha256Hex(bytes), doc)}`, {
		method: 'PUT',
		headers: { 'content-type': 'image/png', authorization: `Bearer ${token}` },
		body: new Uint8Array(bytes)
	});
	return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
}

const get = (sha: string, token: string) => fetch(`${relay!.url}${photoPath(sha)}`, { headers: { authorization: `Bearer ${token}` } });

/** Stores a change to `doc` through the relay's durable write path. */
async function write(doc: string, edit: (ydoc: Y.Doc) => void): Promise<void> {
	const ydoc = new Y.Doc();
	edit(ydoc);
	await new Promise<void>((resolve, reject) =>
		relay!.hub.submit(doc, Y.encodeStateAsUpdate(ydoc), null, (error) => (error ? reject(error) : resolve()))
	);
}

describe('photo quotas', () => {
	it('refuses a device over its quota with 413 naming it, before and after which honest uploads land', async () => {
		relay = await startTestRelay({ limits: { photoQuotaDeviceBytes: 100_000, photoGcIntervalMs: 0 } });
		const token = await mintToken(relay, RESIDENT);
		const neighbour = await mintToken(relay, NEIGHBOUR);
		const first = photo();
		expect((await put(first, 'demo:proposal:p1', token)).status).toBe(201);
		expect((await put(photo(), 'demo:proposal:p1', token)).status).toBe(201);

		const over = await put(photo(), 'demo:proposal:p2', token);
		expect(over.status).toBe(413);
		expect(over.body.error).toBe('quota_exceeded');
		expect(over.body.message).toMatch(/quota per device/);
		expect(over.body.message).toContain('100000');

		// Bytes already stored cost nothing: linking them to one more document still works.
		expect((await put(first, 'demo:proposal:p2', token)).status).toBe(200);
		// Another device of the same community has its own quota.
		expect((await put(photo(), 'demo:proposal:p1', neighbour)).status).toBe(201);
		// Refused without reading or storing the body.
		expect(fs.readdirSync(path.join(relay.dataDir, 'photos')).flatMap((d) => fs.readdirSync(path.join(relay!.dataDir, 'photos', d)))).toHaveLength(3);
	});

	it("refuses uploads past a community's quota, whichever device sends them, and leaves other communities alone", async () => {
		relay = await startTestRelay({ limits: { photoQuotaCommunityBytes: 130_000, photoGcIntervalMs: 0 } });
		const a = await mintToken(relay, RESIDENT);
		const b = await mintToken(relay, NEIGHBOUR);
		const east = await mintToken(relay, OTHER_COMMUNITY);
		expect((await put(photo(), 'demo:proposal:p1', a)).status).toBe(201);
		expect((await put(photo(), 'demo:proposal:p1', b)).status).toBe(201);
		expect((await put(photo(), 'demo:proposal:p1', a)).status).toBe(201);

		const over = await put(photo(), 'demo:proposal:p3', b);
		expect(over.status).toBe(413);
		expect(over.body).toMatchObject({ error: 'quota_exceeded' });
		expect(over.body.message).toMatch(/quota per community/);
		// A small photo that still fits lands; the other community is not affected.
		expect((await put(photo(5_000), 'demo:proposal:p3', b)).status).toBe(201);
		expect((await put(photo(), 'east:proposal:p1', east)).status).toBe(201);
	});
});

describe('collecting photos no document refers to', () => {
	it('deletes an old unreferenced photo, keeps referenced and fresh ones, and frees the quota', async () => {
		const graceMs = 600;
		relay = await startTestRelay({ limits: { photoGcGraceMs: graceMs, photoGcIntervalMs: 0, photoQuotaDeviceBytes: 100_000 } });
		const token = await mintToken(relay, RESIDENT);
		const admin = await mintToken(relay, ADMIN);

		const referenced = photo();
		const recordOnly = photo();
		const invented = photo();
		await Promise.all([
			put(referenced, 'demo:proposal:real', token),
			put(recordOnly, 'demo:project:t1', admin),
			put(invented, 'demo:proposal:made-up-name', token)
		]);
		// Also linked to a document that never names it: only that link goes.
		expect((await put(referenced, 'demo:proposal:other', token)).status).toBe(200);
		await write('demo:proposal:real', (d) => setPhotoRefs(d, [sha256Hex(referenced)], ACTOR, 1));
		// A project names acceptance photos in its own records, not in the photo register.
		await write('demo:project:t1', (d) => d.getMap('acceptancePhotos').set(sha256Hex(recordOnly), { sha: sha256Hex(recordOnly), at: 1 }));

		// The device is at its quota now.
		expect((await put(photo(), 'demo:proposal:real', token)).status).toBe(413);

		await sleep(graceMs + 100);
		// Uploaded within the grace period: its document change may still be on its way.
		const fresh = photo(20_000);
		expect((await put(fresh, 'demo:proposal:fresh', admin)).status).toBe(201);

		const result = await relay.collectPhotos();
		expect(result).toMatchObject({ deleted: 1, bytes: invented.length, unreadable: 0 });
		expect(result.unlinked).toBe(2);

		expect((await get(sha256Hex(invented), admin)).status).toBe(404);
		expect(fs.existsSync(path.join(relay.dataDir, 'photos', sha256Hex(invented).slice(0, 2), sha256Hex(invented)))).toBe(false);
		for (const kept of [referenced, recordOnly, fresh]) {
			const res = await get(sha256Hex(kept), admin);
			expect(res.status).toBe(200);
			expect(Buffer.from(await res.arrayBuffer()).equals(kept)).toBe(true);
		}
		// A second pass finds nothing more to do.
		expect(await relay.collectPhotos()).toMatchObject({ deleted: 0, unlinked: 0 });
		// The deleted photo no longer counts against the device.
		expect((await put(photo(), 'demo:proposal:real', token)).status).toBe(201);
	});

	it('keeps the photos of a document it cannot read', async () => {
		relay = await startTestRelay({ limits: { photoGcGraceMs: 0, photoGcIntervalMs: 0 } });
		const token = await mintToken(relay, RESIDENT);
		const bytes = photo();
		await write('demo:proposal:broken', (d) => d.getMap('meta').set('title', 'x'));
		expect((await put(bytes, 'demo:proposal:broken', token)).status).toBe(201);
		await relay.close();
		const Database = (await import('better-sqlite3')).default;
		const db = new Database(path.join(relay.dataDir, 'courtyard.db'));
		db.prepare("UPDATE updates SET data = ? WHERE doc = 'demo:proposal:broken'").run(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
		db.close();
		relay = await startTestRelay({ dataDir: relay.dataDir, limits: { photoGcGraceMs: 0, photoGcIntervalMs: 0 } });
		await sleep(5);
		const result = await relay.collectPhotos();
		expect(result).toMatchObject({ deleted: 0, unlinked: 0, unreadable: 1 });
		expect((await get(sha256Hex(bytes), await mintToken(relay, RESIDENT))).status).toBe(200);
	});

	it('runs from the admin command line too', async () => {
		relay = await startTestRelay({ limits: { photoGcIntervalMs: 0 } });
		const token = await mintToken(relay, RESIDENT);
		const orphan = photo();
		expect((await put(orphan, 'demo:proposal:invented', token)).status).toBe(201);
		await sleep(1_100);
		const previous = process.env.DATA_DIR;
		process.env.DATA_DIR = relay.dataDir;
		let printed = '';
		try {
			expect(await adminCli(['photo-gc', '--grace', '1s', '--json'], (text) => (printed += text))).toBe(0);
		} finally {
			if (previous === undefined) delete process.env.DATA_DIR;
			else process.env.DATA_DIR = previous;
		}
		expect(JSON.parse(printed)).toMatchObject({ unlinked: 1, deleted: 1, bytes: orphan.length });
		// While the relay runs: it no longer serves the photo.
		expect((await get(sha256Hex(orphan), token)).status).toBe(404);
	});
});
