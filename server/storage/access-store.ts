/**
 * The access database: devices, invitations and the revocations log, behind one small async contract.
 * Implementations: MemoryAccessStore (here, for tests), AccessDb (SQLite beside the documents, access-db.ts) and
 * PgAccessStore (PostgreSQL, postgres/access-pg.ts). One contract suite runs them all (access-store.contract.ts).
 *
 * Semantics every implementation keeps:
 * - an invitation's secret code is never stored, only its SHA-256 (`codeHash`, unique);
 * - `redeem` is atomic: it checks existence, withdrawal, expiry and uses, counts the use and registers the device
 *   in one step, so concurrent redemptions (also from other processes) never exceed `maxUses`;
 * - `revokeDevice` marks a device revoked once and appends it to the revocations log; the log's `seq` only grows,
 *   and a reader polling `seq > last seen` never skips an entry (an entry with a higher seq never becomes visible
 *   before one with a lower seq), so every relay process learns of every revocation.
 * Times are milliseconds since the epoch.
 */
import type { Grant } from '../../src/lib/domain/access';
import type { DeviceInfo, Invitation } from '../../src/lib/protocol/api';

export interface NewDevice {
	id: string;
	name: string;
	grant: Grant;
	jti: string;
	expiresAt: number;
	invitationId?: string | null;
}

export interface NewInvitation {
	id: string;
	codeHash: string;
	grant: Grant;
	label: string;
	expiresAt: number;
	maxUses: number;
	createdBy: string;
}

export type RedeemResult =
	| { ok: true; invitation: Invitation; device: DeviceInfo }
	| { ok: false; error: 'not_found' | 'invitation_expired' | 'invitation_withdrawn' | 'invitation_used_up' };

export interface DeviceRecord extends DeviceInfo {
	jti: string;
}

/** The device a redemption registers: its grant comes from the invitation. */
export type RedeemingDevice = Omit<NewDevice, 'grant' | 'invitationId'>;

export interface AccessStore {
	/** Registers a device (without an invitation). Rejects a duplicate id. */
	addDevice(device: NewDevice, now?: number): Promise<DeviceRecord>;
	device(id: string): Promise<DeviceRecord | null>;
	/** Devices whose grant belongs to `community` (a street admin's: the street office id), oldest first; all when null. */
	devices(community: string | null): Promise<DeviceRecord[]>;
	/** Marks a device revoked (once) and logs it for running relays. Null if there is no such device. */
	revokeDevice(id: string, now?: number): Promise<DeviceRecord | null>;
	/** Device ids revoked after log position `seq`, in log order, and the new position. */
	revocationsSince(seq: number): Promise<{ seq: number; deviceIds: string[] }>;
	/** The log's current position (0 when empty). */
	lastRevocationSeq(): Promise<number>;
	/** Sets `lastSeen` of these devices (unknown ids are ignored). */
	touch(ids: Iterable<string>, now?: number): Promise<void>;
	/** Stores an invitation. Rejects a duplicate id or code hash. */
	addInvitation(inv: NewInvitation, now?: number): Promise<Invitation>;
	/** The community's invitations, oldest first. */
	invitations(community: string): Promise<Invitation[]>;
	/** Withdraws an invitation; false if there is no such invitation. */
	revokeInvitation(id: string): Promise<boolean>;
	/** Redeems an invitation by the hash of its code, registering the device, atomically. */
	redeem(codeHash: string, device: RedeemingDevice, now?: number): Promise<RedeemResult>;
	/** Releases what the store itself opened (a shared connection pool stays open for its owner). */
	close(): Promise<void>;
}

/** The API's view of a device (without the credential id). */
export function deviceInfo(record: DeviceRecord): DeviceInfo {
	const { jti: _jti, ...info } = record;
	return info;
}

interface StoredInvitation {
	invitation: Invitation;
	codeHash: string;
	createdBy: string;
}

const byCreation = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
	a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Records handed out are copies: callers may not change the store by mutating them.
const copyDevice = (d: DeviceRecord): DeviceRecord => ({ ...d, grant: structuredClone(d.grant) });
const copyInvitation = (i: Invitation): Invitation => ({ ...i, grant: structuredClone(i.grant) });

/** The access database in memory (tests, and relays without a data directory). */
/** The columns a SQL implementation stores for a device, `grant_json` as its driver returns it. */
export interface DeviceRow<G> {
	id: string;
	name: string;
	grant_json: G;
	community: string;
	invitation_id: string | null;
	jti: string;
	created_at: number;
	last_seen: number | null;
	expires_at: number;
	revoked_at: number | null;
}

/** The columns a SQL implementation stores for an invitation; `revoked` is 0/1 in SQLite, a boolean in PostgreSQL. */
export interface InvitationRow<G, R> {
	id: string;
	code_hash: string;
	grant_json: G;
	community: string;
	label: string;
	expires_at: number;
	max_uses: number;
	uses: number;
	created_by: string;
	created_at: number;
	revoked: R;
}

/** The columns a SQL implementation inserts for a new device, registered at `now`. */
export function newDeviceColumns(device: NewDevice, now: number) {
	return {
		id: device.id,
		name: device.name,
		grant_json: JSON.stringify(device.grant),
		community: device.grant.community,
		invitation_id: device.invitationId ?? null,
		jti: device.jti,
		created_at: now,
		expires_at: device.expiresAt
	};
}

/** Why an existing invitation cannot be redeemed at `now`, or null when it can. */
export function redeemRefusal(invitation: Invitation, now: number): Extract<RedeemResult, { ok: false }> | null {
	if (invitation.revoked) return { ok: false, error: 'invitation_withdrawn' };
	if (invitation.expiresAt <= now) return { ok: false, error: 'invitation_expired' };
	if (invitation.uses >= invitation.maxUses) return { ok: false, error: 'invitation_used_up' };
	return null;
}

export function deviceFromRow(row: DeviceRow<unknown>, grant: Grant): DeviceRecord {
	return {
		id: row.id,
		name: row.name,
		grant,
		createdAt: row.created_at,
		lastSeen: row.last_seen,
		expiresAt: row.expires_at,
		revokedAt: row.revoked_at,
		jti: row.jti
	};
}

export function invitationFromRow(row: InvitationRow<unknown, unknown>, grant: Grant, revoked: boolean): Invitation {
	return {
		id: row.id,
		grant,
		label: row.label,
		expiresAt: row.expires_at,
		maxUses: row.max_uses,
		uses: row.uses,
		createdAt: row.created_at,
		revoked
	};
}

export class MemoryAccessStore implements AccessStore {
	private readonly deviceRows = new Map<string, DeviceRecord>();
	private readonly invitationRows = new Map<string, StoredInvitation>();
	private readonly byCode = new Map<string, string>();
	private readonly revocations: { seq: number; deviceId: string; at: number }[] = [];
	private closed = false;

	private check(): void {
		if (this.closed) throw new Error('access store is closed');
	}

	private insertDevice(device: NewDevice, now: number): DeviceRecord {
		if (this.deviceRows.has(device.id)) throw new Error(`device ${device.id} already exists`);
		const record: DeviceRecord = {
			id: device.id,
			name: device.name,
			grant: structuredClone(device.grant),
			createdAt: now,
			lastSeen: null,
			expiresAt: device.expiresAt,
			revokedAt: null,
			jti: device.jti
		};
		this.deviceRows.set(device.id, record);
		return copyDevice(record);
	}

	async addDevice(device: NewDevice, now = Date.now()): Promise<DeviceRecord> {
		this.check();
		return this.insertDevice(device, now);
	}

	async device(id: string): Promise<DeviceRecord | null> {
		this.check();
		const record = this.deviceRows.get(id);
		return record ? copyDevice(record) : null;
	}

	async devices(community: string | null): Promise<DeviceRecord[]> {
		this.check();
		return [...this.deviceRows.values()]
			.filter((d) => community === null || d.grant.community === community)
			.sort(byCreation)
			.map(copyDevice);
	}

	async revokeDevice(id: string, now = Date.now()): Promise<DeviceRecord | null> {
		this.check();
		const record = this.deviceRows.get(id);
		if (!record) return null;
		if (record.revokedAt === null) {
			record.revokedAt = now;
			this.revocations.push({ seq: (this.revocations.at(-1)?.seq ?? 0) + 1, deviceId: id, at: now });
		}
		return copyDevice(record);
	}

	async revocationsSince(seq: number): Promise<{ seq: number; deviceIds: string[] }> {
		this.check();
		const rows = this.revocations.filter((r) => r.seq > seq);
		return { seq: rows.at(-1)?.seq ?? seq, deviceIds: rows.map((r) => r.deviceId) };
	}

	async lastRevocationSeq(): Promise<number> {
		this.check();
		return this.revocations.at(-1)?.seq ?? 0;
	}

	async touch(ids: Iterable<string>, now = Date.now()): Promise<void> {
		this.check();
		for (const id of ids) {
			const record = this.deviceRows.get(id);
			if (record) record.lastSeen = now;
		}
	}

	async addInvitation(inv: NewInvitation, now = Date.now()): Promise<Invitation> {
		this.check();
		if (this.invitationRows.has(inv.id)) throw new Error(`invitation ${inv.id} already exists`);
		if (this.byCode.has(inv.codeHash)) throw new Error('an invitation with this code already exists');
		const invitation: Invitation = {
			id: inv.id,
			grant: structuredClone(inv.grant),
			label: inv.label,
			expiresAt: inv.expiresAt,
			maxUses: inv.maxUses,
			uses: 0,
			createdAt: now,
			revoked: false
		};
		this.invitationRows.set(inv.id, { invitation, codeHash: inv.codeHash, createdBy: inv.createdBy });
		this.byCode.set(inv.codeHash, inv.id);
		return copyInvitation(invitation);
	}

	async invitations(community: string): Promise<Invitation[]> {
		this.check();
		return [...this.invitationRows.values()]
			.map((s) => s.invitation)
			.filter((i) => i.grant.community === community)
			.sort(byCreation)
			.map(copyInvitation);
	}

	async revokeInvitation(id: string): Promise<boolean> {
		this.check();
		const stored = this.invitationRows.get(id);
		if (!stored) return false;
		stored.invitation.revoked = true;
		return true;
	}

	// No await between the checks and the writes: one step of the event loop, hence atomic.
	async redeem(codeHash: string, device: RedeemingDevice, now = Date.now()): Promise<RedeemResult> {
		this.check();
		const id = this.byCode.get(codeHash);
		const invitation = id === undefined ? undefined : this.invitationRows.get(id)?.invitation;
		if (!invitation) return { ok: false, error: 'not_found' };
		const refusal = redeemRefusal(invitation, now);
		if (refusal) return refusal;
		const record = this.insertDevice({ ...device, grant: invitation.grant, invitationId: invitation.id }, now);
		invitation.uses += 1;
		return { ok: true, invitation: copyInvitation(invitation), device: deviceInfo(record) };
	}

	async close(): Promise<void> {
		this.closed = true;
	}
}
