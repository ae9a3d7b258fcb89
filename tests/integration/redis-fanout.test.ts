/** The Fanout contract against a real Redis (startRedis: a fresh server on an ephemeral port). */
import { Redis } from 'ioredis';
import { fanoutContract } from '../../server/fanout/fanout.contract';
import { RedisFanout } from '../../server/fanout/redis-fanout';
import { type Service, startRedis } from '../services/services';
import { serviceForFile } from './helpers-lifecycle';

let redis: Service;
serviceForFile(startRedis, (s) => (redis = s), 60_000);

fanoutContract('redis', () => {
	// One prefix per test: the processes of one test share channels, tests do not hear each other.
	const prefix = `t${Math.random().toString(36).slice(2, 8)}`;
	return {
		make: async () => new RedisFanout(redis.url, { prefix }),
		bounce: async () => {
			// Kills every subscriber connection, as a dropped link would; ioredis reconnects and subscribes again.
			const admin = new Redis(redis.url);
			try {
				await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
			} finally {
				admin.disconnect();
			}
		}
	};
});
