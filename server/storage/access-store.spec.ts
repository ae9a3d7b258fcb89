import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccessDb } from './access-db';
import { accessStoreContract } from './access-store.contract';
import { MemoryAccessStore } from './access-store';

accessStoreContract('memory', async () => {
	const store = new MemoryAccessStore();
	return { store, other: store, cleanup: () => store.close() };
});

// Two connections to one file, as the relay and the admin CLI have.
accessStoreContract('SQLite', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-access-'));
	const store = AccessDb.open(dir);
	const other = AccessDb.open(dir);
	return {
		store,
		other,
		cleanup: async () => {
			await store.close();
			await other.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
});
