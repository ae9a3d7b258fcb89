/**
 * The relay's PostgreSQL connection (DATABASE_URL=postgres://…): one pool shared by every store that lives there
 * (documents and change feed, the access database, photo metadata). Opening it brings the schema up to date with
 * node-pg-migrate, from the SQL files in ./migrations (NNNN_name.sql, `-- Up Migration` / `-- Down Migration`),
 * under node-pg-migrate's advisory lock, so relay processes starting together migrate once.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from '../../core/log';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATIONS_TABLE = 'courtyard_migrations';

// BIGINT (int8) columns hold sequence numbers and millisecond times, all below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface Postgres {
	pool: pg.Pool;
	url: string;
	close(): Promise<void>;
}

export interface PostgresOptions {
	/** Pool size per relay process (default 10). */
	max?: number;
	logger?: Logger;
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(url: string, logger?: Logger): Promise<string[]> {
	const applied = await runner({
		databaseUrl: url,
		dir: MIGRATIONS_DIR,
		direction: 'up',
		migrationsTable: MIGRATIONS_TABLE,
		checkOrder: true,
		singleTransaction: true,
		advisoryLockMode: 'wait',
		log: () => {},
		logger: { debug: () => {}, info: () => {}, warn: (m: string) => logger?.warn(m), error: (m: string) => logger?.warn(m) }
	});
	return applied.map((m) => m.name);
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Postgres> {
	await migrate(url, options.logger);
	const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
	// An idle client losing its server (restart, failover) must not crash the relay; the pool replaces it.
	pool.on('error', (error) => options.logger?.warn('postgres: idle client error', error));
	let closed: Promise<void> | null = null;
	return { pool, url, close: () => (closed ??= pool.end()) };
}

/**
 * Runs `work` in one transaction on a client of `pool`. Durable whatever the server's default: COMMIT returns
 * once the commit record is flushed to disk, which is what lets the relay acknowledge after it (one round trip
 * with BEGIN). A client whose ROLLBACK fails too (connection lost) is discarded rather than returned to the pool.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: { first?: string } = {}): Promise<T> {
	const client = await pool.connect();
	try {
		// `first`: a statement without parameters run with BEGIN, in the same round trip (e.g. taking a lock).
		await client.query(`BEGIN; SET LOCAL synchronous_commit TO on${options.first ? `; ${options.first}` : ''}`);
		const result = await work(client);
		await client.query('COMMIT');
		client.release();
		return result;
	} catch (error) {
		await client.query('ROLLBACK').then(
			() => client.release(),
			(rollbackError: unknown) => client.release(rollbackError instanceof Error ? rollbackError : true)
		);
		throw error;
	}
}
