import { docStoreContract } from './doc-store.contract';
import { MemoryStore } from './memory-store';

docStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: () => {} }));
