import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryPhotoMeta } from './photo-meta';
import { photoMetaContract } from './photo-meta.contract';
import { SqlitePhotoMeta } from './photo-meta-sqlite';

photoMetaContract('memory', async () => ({ store: new MemoryPhotoMeta() }));

photoMetaContract('SQLite', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-photo-meta-'));
	return {
		store: SqlitePhotoMeta.open(dir),
		// A second connection to the same file, as the admin CLI has while the relay runs.
		another: async () => SqlitePhotoMeta.open(dir),
		cleanup: () => fs.rmSync(dir, { recursive: true, force: true })
	};
});
