/**
 * Photo metadata on PostgreSQL (DATABASE_URL), shared by every relay process: the contract of photo-meta.ts.
 * Schema: migrations/0003_photos.sql.
 *
 * Under READ COMMITTED each statement sees what committed before it started, so:
 * - a new photo's quota check takes a transaction-scoped advisory lock per device and per community, inserts the
 *   row and then sums the owner's photos (its own included): concurrent uploads of one device or community
 *   queue on the lock, and each sees the rows the one before it committed;
 * - `link` locks an existing photo's row FOR SHARE before adding a link, and `beginRemoval` locks it FOR UPDATE
 *   before looking for links in a later statement: whichever comes second sees the other's commit, so a removal
 *   never marks a photo that was just linked, and a link never lands on a photo being removed.
 */
import pg from 'pg';
import {
	checkQuota,
	type LinkOutcome,
	linkFromRow,
	mayBeginRemoval,
	type PhotoLink,
	type PhotoMetaStore,
	type PhotoOwner,
	type PhotoRecord,
	type PhotoRow,
	type PhotoUsage
} from '../photo-meta';
import { openPostgres, type Postgres, type PostgresOptions, transaction } from './db';

/** First keys of the advisory locks (the second is the hashed device or community): kinds never collide. */
const DEVICE_QUOTA_LOCK = 1701;
const COMMUNITY_QUOTA_LOCK = 1702;

export class PgPhotoMeta implements PhotoMetaStore {
	/**
	 * Metadata on `pool`. With `owned`, close() ends the connection too (PgPhotoMeta.open); otherwise whoever
	 * opened the pool (the relay, which shares it with documents and the access database) closes it.
	 */
	constructor(
		private readonly pool: pg.Pool,
		private readonly owned: Postgres | null = null
	) {}

	/** Connects (migrating the schema) with a pool of its own, ended by close(). */
	static async open(url: string, options: PostgresOptions = {}): Promise<PgPhotoMeta> {
		const postgres = await openPostgres(url, options);
		return new PgPhotoMeta(postgres.pool, postgres);
	}

	async link(sha: string, photo: PhotoRecord, doc: string, owner: PhotoOwner | null, now: number): Promise<LinkOutcome> {
		return transaction(this.pool, async (client) => {
			let row = await this.lockPhoto(client, sha, 'SHARE');
			let isNew = false;
			if (!row) {
				if (owner) {
					await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DEVICE_QUOTA_LOCK, owner.device]);
					await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [COMMUNITY_QUOTA_LOCK, owner.community]);
				}
				const inserted = await client.query(
					`INSERT INTO photos (sha, type, size, created_at, device, community) VALUES ($1, $2, $3, $4, $5, $6)
					 ON CONFLICT (sha) DO NOTHING`,
					[sha, photo.type, photo.size, now, owner?.device ?? null, owner?.community ?? null]
				);
				if (inserted.rowCount === 1) {
					isNew = true;
					if (owner) await this.checkQuota(client, owner, photo.size);
				} else {
					// Another upload of the same bytes added the photo meanwhile (its insert committed first).
					row = await this.lockPhoto(client, sha, 'SHARE');
					// …and it is gone again already: as busy as a removal, the caller retries.
					if (!row) return { linked: false, removingSince: now };
				}
			}
			if (row && row.removing_since !== null) return { linked: false, removingSince: row.removing_since };
			await client.query('INSERT INTO photo_links (sha, doc, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [sha, doc, now]);
			return { linked: true, isNew };
		});
	}

	/** After inserting a photo of `size` bytes for `owner`, under the owner's advisory locks. */
	private async checkQuota(client: pg.PoolClient, owner: PhotoOwner, size: number): Promise<void> {
		// The sums include the new photo: what was used before it is `size` less.
		const used = await this.sums(client, owner.device, owner.community);
		checkQuota(owner, { device: used.device - size, community: used.community - size }, size);
	}

	private async sums(client: pg.Pool | pg.PoolClient, device: string, community: string): Promise<PhotoUsage> {
		const { rows } = await client.query<PhotoUsage>(
			`SELECT COALESCE((SELECT SUM(size) FROM photos WHERE device = $1), 0)::bigint AS device,
			        COALESCE((SELECT SUM(size) FROM photos WHERE community = $2), 0)::bigint AS community`,
			[device, community]
		);
		return rows[0]!;
	}

	private async lockPhoto(client: pg.PoolClient, sha: string, mode: 'SHARE' | 'UPDATE'): Promise<PhotoRow | null> {
		const { rows } = await client.query<PhotoRow>(`SELECT type, size, created_at, removing_since FROM photos WHERE sha = $1 FOR ${mode}`, [sha]);
		return rows[0] ?? null;
	}

	async get(sha: string): Promise<PhotoRecord | null> {
		const { rows } = await this.pool.query<PhotoRecord>('SELECT type, size FROM photos WHERE sha = $1 AND removing_since IS NULL', [sha]);
		return rows[0] ?? null;
	}

	async docs(sha: string): Promise<string[]> {
		const { rows } = await this.pool.query<{ doc: string }>('SELECT doc FROM photo_links WHERE sha = $1 ORDER BY created_at, doc', [sha]);
		return rows.map((r) => r.doc);
	}

	async usage(device: string, community: string): Promise<PhotoUsage> {
		return this.sums(this.pool, device, community);
	}

	async linksBefore(before: number, limit: number, cursor?: { doc: string; sha: string }): Promise<PhotoLink[]> {
		const { rows } = await this.pool.query<{ sha: string; doc: string; created_at: number }>(
			'SELECT sha, doc, created_at FROM photo_links WHERE (doc, sha) > ($1, $2) AND created_at < $3 ORDER BY doc, sha LIMIT $4',
			[cursor?.doc ?? '', cursor?.sha ?? '', before, limit]
		);
		return rows.map(linkFromRow);
	}

	async unlink(sha: string, doc: string): Promise<void> {
		await this.pool.query('DELETE FROM photo_links WHERE sha = $1 AND doc = $2', [sha, doc]);
	}

	async unlinkedBefore(before: number, limit: number): Promise<string[]> {
		const { rows } = await this.pool.query<{ sha: string }>(
			'SELECT sha FROM photos p WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM photo_links l WHERE l.sha = p.sha) LIMIT $2',
			[before, limit]
		);
		return rows.map((r) => r.sha);
	}

	async beginRemoval(sha: string, before: number, now: number, staleBefore: number): Promise<{ size: number; since: number } | null> {
		return transaction(this.pool, async (client) => {
			const row = await this.lockPhoto(client, sha, 'UPDATE');
			if (!row || !mayBeginRemoval(row.created_at, row.removing_since, before, staleBefore)) return null;
			// A later statement: it sees a link committed by an upload that held the row until now.
			const { rowCount } = await client.query('SELECT 1 FROM photo_links WHERE sha = $1 LIMIT 1', [sha]);
			if (rowCount) return null;
			await client.query('UPDATE photos SET removing_since = $2 WHERE sha = $1', [sha, now]);
			return { size: row.size, since: now };
		});
	}

	async endRemoval(sha: string, since: number): Promise<boolean> {
		const { rowCount } = await this.pool.query('DELETE FROM photos WHERE sha = $1 AND removing_since = $2', [sha, since]);
		return (rowCount ?? 0) > 0;
	}

	async close(): Promise<void> {
		await this.owned?.close();
	}
}
