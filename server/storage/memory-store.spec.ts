import { docStoreContract } from './doc-store.contract';
import { MemoryStore } from './memory-store';

docStoreContract('MemoryStore', async () => {
	const store = new MemoryStore();
	return { store, alongside: async () => store, cleanup: () => {} };
});
