/**
 * Photo metadata on a real PostgreSQL server: the shared PhotoMetaStore contract with two pools (as two relay
 * processes have), and the migration it needs.
 */
import { describe, expect, it } from 'vitest';
import { photoMetaContract } from '../../server/storage/photo-meta.contract';
import { PgPhotoMeta } from '../../server/storage/postgres/photos-pg';
import { type PostgresService, startPostgres } from '../services/services';
import { twoPools } from './helpers';
import { serviceForFile } from './helpers-lifecycle';

let server: PostgresService;
serviceForFile(startPostgres, (s) => (server = s));

photoMetaContract('PostgreSQL', async () => {
	const { one, two, close } = await twoPools(await server.freshDatabase());
	return {
		store: new PgPhotoMeta(one.pool),
		// Another relay process: its own pool on the same database.
		another: async () => new PgPhotoMeta(two.pool),
		cleanup: close
	};
});

describe('PgPhotoMeta', () => {
	it('opens with a pool of its own, migrating the schema, and ends it on close', async () => {
		const url = await server.freshDatabase();
		const store = await PgPhotoMeta.open(url);
		expect(await store.link('a'.repeat(64), { type: 'image/png', size: 3 }, 'demo:proposal:a', null, 1)).toEqual({ linked: true, isNew: true });
		await store.close();
		const again = await PgPhotoMeta.open(url);
		expect(await again.docs('a'.repeat(64))).toEqual(['demo:proposal:a']);
		await again.close();
	});
});
