import { fanoutContract } from './fanout.contract';
import { MemoryBus, MemoryFanout } from './memory-fanout';

fanoutContract('memory', () => {
	const bus = new MemoryBus();
	return {
		make: async () => new MemoryFanout(bus),
		bounce: async (f) => {
			bus.disconnect(f.id);
			bus.reconnect(f.id);
		}
	};
});
