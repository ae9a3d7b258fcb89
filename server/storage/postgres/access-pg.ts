/**
 * The access database (access-store.ts) in PostgreSQL, on the relay's shared pool (db.ts; schema in
 * migrations/0002_access.sql). Every relay process of a deployment reads and writes the same rows, and each one's
 * revocation poll (credentials.ts) reads the same log, so a revocation made anywhere reaches every process.
 */
import type pg from 'pg';
import type { Grant } from '../../../src/lib/domain/access';
import type { Invitation } from '../../../src/lib/protocol/api';
import {
	type AccessStore,
	deviceFromRow,
	type DeviceRecord,
	type DeviceRow,
	deviceInfo,
	invitationFromRow,
	type InvitationRow,
	type NewDevice,
	type NewInvitation,
	newDeviceColumns,
	type RedeemingDevice,
	redeemRefusal,
	type RedeemResult
} from '../access-store';
import { transaction } from './db';

// PostgreSQL returns the grant's JSONB parsed and `revoked` as a boolean.
type PgDeviceRow = DeviceRow<Grant>;
type PgInvitationRow = InvitationRow<Grant, boolean>;

const toDevice = (row: PgDeviceRow): DeviceRecord => deviceFromRow(row, row.grant_json);
const toInvitation = (row: PgInvitationRow): Invitation => invitationFromRow(row, row.grant_json, row.revoked);

const INSERT_DEVICE = `INSERT INTO devices (id, name, grant_json, community, invitation_id, jti, created_at, expires_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`;

// In INSERT_DEVICE's column order.
function deviceValues(device: NewDevice, now: number): unknown[] {
	const c = newDeviceColumns(device, now);
	return [c.id, c.name, c.grant_json, c.community, c.invitation_id, c.jti, c.created_at, c.expires_at];
}

export class PgAccessStore implements AccessStore {
	/** `pool` belongs to the caller (db.ts's openPostgres): close() leaves it open. */
	constructor(private readonly pool: pg.Pool) {}

	async addDevice(device: NewDevice, now = Date.now()): Promise<DeviceRecord> {
		const { rows } = await this.pool.query<PgDeviceRow>(INSERT_DEVICE, deviceValues(device, now));
		return toDevice(rows[0] as PgDeviceRow);
	}

	async device(id: string): Promise<DeviceRecord | null> {
		const { rows } = await this.pool.query<PgDeviceRow>('SELECT * FROM devices WHERE id = $1', [id]);
		return rows[0] ? toDevice(rows[0]) : null;
	}

	async devices(community: string | null): Promise<DeviceRecord[]> {
		const { rows } =
			community === null
				? await this.pool.query<PgDeviceRow>('SELECT * FROM devices ORDER BY created_at, id')
				: await this.pool.query<PgDeviceRow>('SELECT * FROM devices WHERE community = $1 ORDER BY created_at, id', [community]);
		return rows.map(toDevice);
	}

	async revokeDevice(id: string, now = Date.now()): Promise<DeviceRecord | null> {
		return transaction(this.pool, async (client) => {
			// The device's row lock makes a concurrent second revocation wait, then match no row: logged once.
			const revoked = await client.query<PgDeviceRow>(
				'UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING *',
				[now, id]
			);
			if (revoked.rows[0]) {
				// The head's row lock is held until COMMIT: log entries commit in seq order (migration 0002).
				const head = await client.query<{ seq: number }>('UPDATE revocation_head SET seq = seq + 1 WHERE id = 1 RETURNING seq');
				await client.query('INSERT INTO revocations (seq, device_id, at) VALUES ($1, $2, $3)', [head.rows[0]?.seq, id, now]);
				return toDevice(revoked.rows[0]);
			}
			const { rows } = await client.query<PgDeviceRow>('SELECT * FROM devices WHERE id = $1', [id]);
			return rows[0] ? toDevice(rows[0]) : null;
		});
	}

	async revocationsSince(seq: number): Promise<{ seq: number; deviceIds: string[] }> {
		const { rows } = await this.pool.query<{ seq: number; device_id: string }>(
			'SELECT seq, device_id FROM revocations WHERE seq > $1 ORDER BY seq',
			[seq]
		);
		return { seq: rows.at(-1)?.seq ?? seq, deviceIds: rows.map((r) => r.device_id) };
	}

	async lastRevocationSeq(): Promise<number> {
		const { rows } = await this.pool.query<{ seq: number }>('SELECT seq FROM revocation_head WHERE id = 1');
		return rows[0]?.seq ?? 0;
	}

	async touch(ids: Iterable<string>, now = Date.now()): Promise<void> {
		const list = [...ids];
		if (list.length === 0) return;
		await this.pool.query('UPDATE devices SET last_seen = $1 WHERE id = ANY($2::text[])', [now, list]);
	}

	async addInvitation(inv: NewInvitation, now = Date.now()): Promise<Invitation> {
		const { rows } = await this.pool.query<PgInvitationRow>(
			`INSERT INTO invitations (id, code_hash, grant_json, community, label, expires_at, max_uses, created_by, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
			[inv.id, inv.codeHash, JSON.stringify(inv.grant), inv.grant.community, inv.label, inv.expiresAt, inv.maxUses, inv.createdBy, now]
		);
		return toInvitation(rows[0] as PgInvitationRow);
	}

	async invitations(community: string): Promise<Invitation[]> {
		const { rows } = await this.pool.query<PgInvitationRow>(
			'SELECT * FROM invitations WHERE community = $1 ORDER BY created_at, id',
			[community]
		);
		return rows.map(toInvitation);
	}

	async revokeInvitation(id: string): Promise<boolean> {
		const { rowCount } = await this.pool.query('UPDATE invitations SET revoked = TRUE WHERE id = $1', [id]);
		return (rowCount ?? 0) > 0;
	}

	async redeem(codeHash: string, device: RedeemingDevice, now = Date.now()): Promise<RedeemResult> {
		return transaction(this.pool, async (client): Promise<RedeemResult> => {
			// FOR UPDATE: concurrent redemptions of one invitation (from any process) queue here until COMMIT and then
			// see the counted use, so an invitation never registers more than max_uses devices.
			const { rows } = await client.query<PgInvitationRow>('SELECT * FROM invitations WHERE code_hash = $1 FOR UPDATE', [codeHash]);
			const row = rows[0];
			if (!row) return { ok: false, error: 'not_found' };
			const refusal = redeemRefusal(toInvitation(row), now);
			if (refusal) return refusal;
			const used = await client.query<PgInvitationRow>('UPDATE invitations SET uses = uses + 1 WHERE id = $1 RETURNING *', [row.id]);
			const inserted = await client.query<PgDeviceRow>(
				INSERT_DEVICE,
				deviceValues({ ...device, grant: row.grant_json, invitationId: row.id }, now)
			);
			return {
				ok: true,
				invitation: toInvitation(used.rows[0] as PgInvitationRow),
				device: deviceInfo(toDevice(inserted.rows[0] as PgDeviceRow))
			};
		});
	}

	async close(): Promise<void> {}
}
