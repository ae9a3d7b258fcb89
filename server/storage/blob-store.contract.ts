/**
 * The BlobStore contract (blob-store.ts) as one suite that every implementation runs: MemoryBlobStore and
 * DiskBlobStore in blob-store.spec.ts, S3BlobStore in tests/integration/photo-blobs-s3.test.ts against a real
 * S3-compatible server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store';

export interface OpenedBlobStore {
	store: BlobStore;
	/** Another store on the same storage (after `store` was closed), if the implementation persists. */
	reopen?: () => Promise<BlobStore>;
	cleanup?: () => Promise<void> | void;
}

/** Random bytes and their content key. */
export function blob(size: number): { key: string; bytes: Uint8Array } {
	const bytes = new Uint8Array(randomBytes(size));
	return { key: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function blobStoreContract(name: string, open: () => Promise<OpenedBlobStore>): void {
	describe(`BlobStore contract: ${name}`, () => {
		const opened: Array<{ stores: BlobStore[]; cleanup?: OpenedBlobStore['cleanup'] }> = [];
		afterEach(async () => {
			for (const o of opened.splice(0)) {
				for (const s of o.stores) await s.close();
				await o.cleanup?.();
			}
		});
		async function fresh(): Promise<OpenedBlobStore> {
			const o = await open();
			opened.push({ stores: [o.store], cleanup: o.cleanup });
			return o;
		}

		it('stores bytes under their key once, and answers get, has and size', async () => {
			const { store } = await fresh();
			const a = blob(1_000);
			expect(await store.get(a.key)).toBeNull();
			expect(await store.has(a.key)).toBe(false);
			expect(await store.size(a.key)).toBeNull();

			expect(await store.put(a.key, a.bytes)).toBe(true);
			expect(Buffer.from((await store.get(a.key))!).equals(Buffer.from(a.bytes))).toBe(true);
			expect(await store.has(a.key)).toBe(true);
			expect(await store.size(a.key)).toBe(1_000);
			// Same key, same size: the same bytes, not written again.
			expect(await store.put(a.key, a.bytes)).toBe(false);
		});

		it('keeps blobs apart, including an empty one', async () => {
			const { store } = await fresh();
			const list = [blob(0), blob(1), blob(70_000)];
			for (const b of list) expect(await store.put(b.key, b.bytes)).toBe(true);
			for (const b of list) {
				expect(await store.size(b.key)).toBe(b.bytes.length);
				expect(Buffer.from((await store.get(b.key))!).equals(Buffer.from(b.bytes))).toBe(true);
			}
		});

		it('does not keep a reference to the caller’s buffer', async () => {
			const { store } = await fresh();
			const a = blob(64);
			const copy = a.bytes.slice();
			await store.put(a.key, a.bytes);
			a.bytes.fill(0);
			expect(Buffer.from((await store.get(a.key))!).equals(Buffer.from(copy))).toBe(true);
		});

		it('deletes a blob, idempotently, and stores it again afterwards', async () => {
			const { store } = await fresh();
			const a = blob(500);
			const b = blob(500);
			await store.put(a.key, a.bytes);
			await store.put(b.key, b.bytes);
			await store.delete(a.key);
			await store.delete(a.key);
			await store.delete(blob(1).key);
			expect(await store.get(a.key)).toBeNull();
			expect(await store.has(a.key)).toBe(false);
			expect(await store.size(b.key)).toBe(500);
			expect(await store.put(a.key, a.bytes)).toBe(true);
			expect(await store.size(a.key)).toBe(500);
		});

		it('never shows part of a blob to a reader while it is written', async () => {
			const { store } = await fresh();
			const big = blob(512 * 1024);
			const seen: Array<number | null> = [];
			let done = false;
			const writing = store.put(big.key, big.bytes).finally(() => (done = true));
			while (!done) {
				const got = await store.get(big.key);
				seen.push(got ? got.length : null);
			}
			await writing;
			expect(seen.every((n) => n === null || n === big.bytes.length)).toBe(true);
			expect(await store.size(big.key)).toBe(big.bytes.length);
		});

		it('refuses a key that is not a lower-case hex hash', async () => {
			const { store } = await fresh();
			for (const key of ['../etc/passwd', 'ABCDEF0123', '', 'a/b']) {
				await expect(store.put(key, new Uint8Array([1]))).rejects.toThrow(/blob key/);
			}
		});

		it('keeps what it stored across a reopen, if it persists', async () => {
			const o = await fresh();
			const a = blob(2_000);
			await o.store.put(a.key, a.bytes);
			let again = o.store;
			if (o.reopen) {
				await o.store.close();
				again = await o.reopen();
				opened.at(-1)!.stores.push(again);
			}
			expect(Buffer.from((await again.get(a.key))!).equals(Buffer.from(a.bytes))).toBe(true);
		});
	});
}
