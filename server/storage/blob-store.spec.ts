import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from './blob-store';
import { blob, blobStoreContract } from './blob-store.contract';
import { DiskBlobStore } from './blob-store-disk';
import { tempDirsAfterEach } from './temp-dirs.testing';

const tempDir = tempDirsAfterEach('courtyard-blobs-');

blobStoreContract('memory', async () => ({ store: new MemoryBlobStore() }));

blobStoreContract('disk', async () => {
	const root = path.join(tempDir(), 'photos');
	return { store: new DiskBlobStore(root), reopen: async () => new DiskBlobStore(root) };
});

describe('DiskBlobStore', () => {
	it('shards files by the first two hex digits and removes old temp files of interrupted writes on open', async () => {
		const root = path.join(tempDir(), 'photos');
		const store = new DiskBlobStore(root);
		const a = blob(100);
		await store.put(a.key, a.bytes);
		expect(fs.readFileSync(path.join(root, a.key.slice(0, 2), a.key)).equals(Buffer.from(a.bytes))).toBe(true);
		const leftover = path.join(root, a.key.slice(0, 2), `.${a.key}.abc123.tmp`);
		const underWay = path.join(root, a.key.slice(0, 2), `.${a.key}.def456.tmp`);
		fs.writeFileSync(leftover, 'partial');
		fs.writeFileSync(underWay, 'partial');
		const anHourAgo = new Date(Date.now() - 3_600_000);
		fs.utimesSync(leftover, anHourAgo, anHourAgo);
		new DiskBlobStore(root);
		// A fresh temp file may be another relay process's write on the same DATA_DIR: left alone.
		expect(fs.readdirSync(path.join(root, a.key.slice(0, 2))).sort()).toEqual([`.${a.key}.def456.tmp`, a.key].sort());
	});

	it('rewrites a file whose size is wrong (a damaged copy) instead of keeping it', async () => {
		const root = path.join(tempDir(), 'photos');
		const store = new DiskBlobStore(root);
		const a = blob(100);
		fs.mkdirSync(path.join(root, a.key.slice(0, 2)), { recursive: true });
		fs.writeFileSync(path.join(root, a.key.slice(0, 2), a.key), 'short');
		expect(await store.put(a.key, a.bytes)).toBe(true);
		expect(await store.size(a.key)).toBe(100);
	});
});
