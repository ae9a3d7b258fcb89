/**
 * Blobs as files, `<root>/<first 2 hex>/<key>` (root: DATA_DIR/photos), the default. A blob is written to a
 * temp file, fsynced, renamed into place and its directory fsynced, so it is whole and durable once put()
 * resolves; a crash before the rename leaves only a temp file, removed by a later open.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertBlobKey, type BlobStore } from './blob-store';

const TEMP_SUFFIX = '.tmp';
/** Temp files older than this are leftovers of a crash; younger ones may be another relay process's write under way. */
const TEMP_MAX_AGE_MS = 10 * 60_000;

/** fsync a directory so a rename or a new entry in it survives a crash (not possible on Windows: skipped). */
async function syncDir(dir: string): Promise<void> {
	let handle: fs.promises.FileHandle | null = null;
	try {
		handle = await fs.promises.open(dir, 'r');
		await handle.sync();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
	} finally {
		await handle?.close();
	}
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export class DiskBlobStore implements BlobStore {
	constructor(private readonly root: string) {
		fs.mkdirSync(root, { recursive: true });
		this.removeTempFiles();
	}

	private file(key: string): string {
		assertBlobKey(key);
		return path.join(this.root, key.slice(0, 2), key);
	}

	/** Leftovers of writes a crash interrupted; never acknowledged, so nothing is lost by removing them. */
	private removeTempFiles(): void {
		const old = Date.now() - TEMP_MAX_AGE_MS;
		for (const shard of fs.readdirSync(this.root)) {
			const dir = path.join(this.root, shard);
			if (!fs.statSync(dir).isDirectory()) continue;
			for (const name of fs.readdirSync(dir)) {
				if (!name.endsWith(TEMP_SUFFIX)) continue;
				const file = path.join(dir, name);
				if ((fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < old) fs.rmSync(file, { force: true });
			}
		}
	}

	async put(key: string, bytes: Uint8Array): Promise<boolean> {
		const target = this.file(key);
		// Same name, same bytes: a stored blob is never rewritten.
		if ((await this.size(key)) === bytes.length) return false;
		const dir = path.dirname(target);
		if (await fs.promises.mkdir(dir, { recursive: true })) await syncDir(this.root);
		const temp = path.join(dir, `.${key}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
		const handle = await fs.promises.open(temp, 'wx');
		try {
			await handle.writeFile(bytes);
			await handle.sync();
		} catch (error) {
			await handle.close();
			await fs.promises.rm(temp, { force: true });
			throw error;
		}
		await handle.close();
		await fs.promises.rename(temp, target);
		await syncDir(dir);
		return true;
	}

	async get(key: string): Promise<Uint8Array | null> {
		try {
			return await fs.promises.readFile(this.file(key));
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}

	async has(key: string): Promise<boolean> {
		return (await this.size(key)) !== null;
	}

	async size(key: string): Promise<number | null> {
		try {
			return (await fs.promises.stat(this.file(key))).size;
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}

	async delete(key: string): Promise<void> {
		await fs.promises.rm(this.file(key), { force: true });
	}

	async close(): Promise<void> {}
}
