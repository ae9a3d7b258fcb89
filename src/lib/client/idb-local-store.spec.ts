import 'fake-indexeddb/auto';
import { openDatabase } from './db';
import { DocStore } from './doc-store';
import { localStoreContract } from './local-store.contract';

let n = 0;
localStoreContract('IndexedDB (DocStore)', () => {
	const id = `contract-${++n}`;
	const store = new DocStore(openDatabase(`db-${id}`), `${id}/`);
	return {
		store,
		close: async () => {
			await store.settle();
			store.db.close();
		}
	};
});
