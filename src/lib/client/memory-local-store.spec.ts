import { localStoreContract } from './local-store.contract';
import { MemoryLocalStore } from './memory-local-store';

localStoreContract('memory', () => ({ store: new MemoryLocalStore(), close: () => {} }));
