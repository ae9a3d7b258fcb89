/**
 * Content-addressed bytes (photos), named by the hex SHA-256 of their content: the same key always holds the
 * same bytes, so a key already stored with the right size needs no second write.
 *
 * Implementations: MemoryBlobStore (here), DiskBlobStore (blob-store-disk.ts, the default: files under
 * DATA_DIR/photos) and S3BlobStore (blob-store-s3.ts, any S3-compatible service). One suite
 * (blob-store.contract.ts) runs them all. Which photo may be read, and when bytes may be deleted, is decided by
 * the photo metadata (photo-meta.ts), not here.
 */

export interface BlobStore {
	/**
	 * Stores the bytes under `key` unless a blob of that size is already there; true if it wrote them. Atomic (a
	 * reader sees the whole blob or none) and durable once it resolves.
	 */
	put(key: string, bytes: Uint8Array): Promise<boolean>;
	/** The whole blob, or null if there is none. */
	get(key: string): Promise<Uint8Array | null>;
	has(key: string): Promise<boolean>;
	/** The blob's size in bytes, or null if there is none. */
	size(key: string): Promise<number | null>;
	/** Deletes the blob; nothing happens when there is none. */
	delete(key: string): Promise<void>;
	close(): Promise<void>;
}

/** Keys are lower-case hex (content hashes): they can never name a path or an object outside the store. */
export function assertBlobKey(key: string): void {
	if (!/^[0-9a-f]{8,128}$/.test(key)) throw new Error(`not a blob key (lower-case hex content hash): ${JSON.stringify(key)}`);
}

export class MemoryBlobStore implements BlobStore {
	private readonly blobs = new Map<string, Uint8Array>();

	async put(key: string, bytes: Uint8Array): Promise<boolean> {
		assertBlobKey(key);
		if (this.blobs.get(key)?.length === bytes.length) return false;
		this.blobs.set(key, bytes.slice());
		return true;
	}

	async get(key: string): Promise<Uint8Array | null> {
		return this.blobs.get(key) ?? null;
	}

	async has(key: string): Promise<boolean> {
		return this.blobs.has(key);
	}

	async size(key: string): Promise<number | null> {
		return this.blobs.get(key)?.length ?? null;
	}

	async delete(key: string): Promise<void> {
		this.blobs.delete(key);
	}

	async close(): Promise<void> {}
}
