/**
 * The access database (access-store.ts) in SQLite: devices, invitations and revocations beside the documents
 * (`<dataDir>/courtyard.db`, its own connection, WAL), so that the admin CLI can add invitations or revoke
 * devices while the relay runs.
 *
 *   devices(id PK, name, grant_json, community, invitation_id, jti, created_at, last_seen, expires_at, revoked_at)
 *   invitations(id PK, code_hash UNIQUE, grant_json, community, label, expires_at, max_uses, uses, created_by,
 *               created_at, revoked)
 *   revocations(seq PK AUTOINCREMENT, device_id, at)
 *
 * An invitation's secret code is never stored, only its SHA-256. `revocations` is an append-only log so that a
 * running relay learns of a revocation made by another process by polling `seq > last seen` (no clocks
 * involved). Times are milliseconds since the epoch.
 */
import type Database from 'better-sqlite3';
import type { Grant } from '../../src/lib/domain/access';
import type { Invitation } from '../../src/lib/protocol/api';
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
} from './access-store';
import { dbFileIn, openSqlite } from './sqlite-store';

export { type AccessStore, type DeviceRecord, deviceInfo, type NewDevice, type NewInvitation, type RedeemResult } from './access-store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	grant_json TEXT NOT NULL,
	community TEXT NOT NULL,
	invitation_id TEXT,
	jti TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen INTEGER,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS devices_community ON devices (community, created_at);
CREATE TABLE IF NOT EXISTS invitations (
	id TEXT PRIMARY KEY,
	code_hash TEXT NOT NULL UNIQUE,
	grant_json TEXT NOT NULL,
	community TEXT NOT NULL,
	label TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	max_uses INTEGER NOT NULL,
	uses INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS invitations_community ON invitations (community, created_at);
CREATE TABLE IF NOT EXISTS revocations (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	device_id TEXT NOT NULL,
	at INTEGER NOT NULL
);
`;

type SqliteDeviceRow = DeviceRow<string>;
type SqliteInvitationRow = InvitationRow<string, number>;

const toDevice = (row: SqliteDeviceRow): DeviceRecord => deviceFromRow(row, JSON.parse(row.grant_json) as Grant);
const toInvitation = (row: SqliteInvitationRow): Invitation => invitationFromRow(row, JSON.parse(row.grant_json) as Grant, row.revoked !== 0);

/** Synchronous statements in one connection; the AccessStore methods wrap them (SQLite calls do not yield). */
export class AccessDb implements AccessStore {
	private readonly db: Database.Database;
	private readonly stmt;
	private readonly redeemTx: Database.Transaction<
		(codeHash: string, device: RedeemingDevice, now: number) => RedeemResult
	>;
	private readonly revokeTx: Database.Transaction<(id: string, now: number) => DeviceRecord | null>;

	/** Opens `<dataDir>/courtyard.db` (the documents' file), or an in-memory database when dataDir is null. */
	static open(dataDir: string | null): AccessDb {
		return new AccessDb(dataDir === null ? ':memory:' : dbFileIn(dataDir));
	}

	constructor(file: string) {
		this.db = openSqlite(file);
		this.db.exec(SCHEMA);
		this.stmt = {
			insertDevice: this.db.prepare(
				`INSERT INTO devices (id, name, grant_json, community, invitation_id, jti, created_at, expires_at)
				 VALUES (@id, @name, @grant_json, @community, @invitation_id, @jti, @created_at, @expires_at)`
			),
			device: this.db.prepare<[string], SqliteDeviceRow>('SELECT * FROM devices WHERE id = ?'),
			devices: this.db.prepare<[string], SqliteDeviceRow>('SELECT * FROM devices WHERE community = ? ORDER BY created_at, id'),
			allDevices: this.db.prepare<[], SqliteDeviceRow>('SELECT * FROM devices ORDER BY created_at, id'),
			revoke: this.db.prepare<[number, string]>('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
			logRevocation: this.db.prepare<[string, number]>('INSERT INTO revocations (device_id, at) VALUES (?, ?)'),
			revocationsSince: this.db.prepare<[number], { seq: number; device_id: string }>(
				'SELECT seq, device_id FROM revocations WHERE seq > ? ORDER BY seq'
			),
			lastRevocation: this.db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM revocations'),
			touch: this.db.prepare<[number, string]>('UPDATE devices SET last_seen = ? WHERE id = ?'),
			insertInvitation: this.db.prepare(
				`INSERT INTO invitations (id, code_hash, grant_json, community, label, expires_at, max_uses, created_by, created_at)
				 VALUES (@id, @code_hash, @grant_json, @community, @label, @expires_at, @max_uses, @created_by, @created_at)`
			),
			invitation: this.db.prepare<[string], SqliteInvitationRow>('SELECT * FROM invitations WHERE id = ?'),
			invitationByCode: this.db.prepare<[string], SqliteInvitationRow>('SELECT * FROM invitations WHERE code_hash = ?'),
			invitations: this.db.prepare<[string], SqliteInvitationRow>('SELECT * FROM invitations WHERE community = ? ORDER BY created_at, id'),
			useInvitation: this.db.prepare<[string]>('UPDATE invitations SET uses = uses + 1 WHERE id = ? AND uses < max_uses'),
			revokeInvitation: this.db.prepare<[string]>('UPDATE invitations SET revoked = 1 WHERE id = ?')
		};

		this.redeemTx = this.db.transaction((codeHash: string, device: RedeemingDevice, now: number): RedeemResult => {
			const row = this.stmt.invitationByCode.get(codeHash);
			if (!row) return { ok: false, error: 'not_found' };
			const invitation = toInvitation(row);
			const refusal = redeemRefusal(invitation, now);
			if (refusal) return refusal;
			// Counted with the check in one statement, inside one write transaction: concurrent redemptions (even
			// from another process) cannot exceed max_uses.
			if (this.stmt.useInvitation.run(row.id).changes === 0) return { ok: false, error: 'invitation_used_up' };
			this.insertDeviceRow({ ...device, grant: invitation.grant, invitationId: row.id }, now);
			const stored = this.stmt.device.get(device.id) as SqliteDeviceRow;
			return { ok: true, invitation: { ...invitation, uses: invitation.uses + 1 }, device: deviceInfo(toDevice(stored)) };
		});

		this.revokeTx = this.db.transaction((id: string, now: number): DeviceRecord | null => {
			const row = this.stmt.device.get(id);
			if (!row) return null;
			if (row.revoked_at === null) {
				this.stmt.revoke.run(now, id);
				this.stmt.logRevocation.run(id, now);
			}
			const stored = this.stmt.device.get(id);
			return stored ? toDevice(stored) : null;
		});
	}

	private insertDeviceRow(device: NewDevice, now: number): void {
		this.stmt.insertDevice.run(newDeviceColumns(device, now));
	}

	async addDevice(device: NewDevice, now = Date.now()): Promise<DeviceRecord> {
		this.insertDeviceRow(device, now);
		return toDevice(this.stmt.device.get(device.id) as SqliteDeviceRow);
	}

	async device(id: string): Promise<DeviceRecord | null> {
		const row = this.stmt.device.get(id);
		return row ? toDevice(row) : null;
	}

	async devices(community: string | null): Promise<DeviceRecord[]> {
		return (community === null ? this.stmt.allDevices.all() : this.stmt.devices.all(community)).map(toDevice);
	}

	// IMMEDIATE: takes the write lock first, so log entries commit in seq order across connections.
	async revokeDevice(id: string, now = Date.now()): Promise<DeviceRecord | null> {
		return this.revokeTx.immediate(id, now);
	}

	async revocationsSince(seq: number): Promise<{ seq: number; deviceIds: string[] }> {
		const rows = this.stmt.revocationsSince.all(seq);
		return { seq: rows.at(-1)?.seq ?? seq, deviceIds: rows.map((r) => r.device_id) };
	}

	async lastRevocationSeq(): Promise<number> {
		return this.stmt.lastRevocation.get()?.seq ?? 0;
	}

	async touch(ids: Iterable<string>, now = Date.now()): Promise<void> {
		this.db.transaction(() => {
			for (const id of ids) this.stmt.touch.run(now, id);
		})();
	}

	async addInvitation(inv: NewInvitation, now = Date.now()): Promise<Invitation> {
		this.stmt.insertInvitation.run({
			id: inv.id,
			code_hash: inv.codeHash,
			grant_json: JSON.stringify(inv.grant),
			community: inv.grant.community,
			label: inv.label,
			expires_at: inv.expiresAt,
			max_uses: inv.maxUses,
			created_by: inv.createdBy,
			created_at: now
		});
		return toInvitation(this.stmt.invitation.get(inv.id) as SqliteInvitationRow);
	}

	async invitations(community: string): Promise<Invitation[]> {
		return this.stmt.invitations.all(community).map(toInvitation);
	}

	async revokeInvitation(id: string): Promise<boolean> {
		return this.stmt.revokeInvitation.run(id).changes > 0;
	}

	async redeem(codeHash: string, device: RedeemingDevice, now = Date.now()): Promise<RedeemResult> {
		return this.redeemTx.immediate(codeHash, device, now);
	}

	async close(): Promise<void> {
		if (this.db.open) this.db.close();
	}
}
