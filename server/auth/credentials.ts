/**
 * Device credentials and invitations.
 *
 * A credential is a JWT signed with the relay's Ed25519 key (keys.ts): `sub` = device id, `grant` = the Grant
 * (role and scope, src/lib/domain/access.ts), `iss`/`aud`, `iat`, `exp` (180 days by default) and `jti`. It is
 * valid while its signature, issuer, audience and expiry check out AND its device row exists with the same
 * `jti` and no `revoked_at`. Devices are registered by redeeming an invitation (or, for operators and tests,
 * minted directly by `issue`).
 *
 * Devices, invitations and revocations live in an AccessStore (storage/access-store.ts): SQLite beside the
 * documents by default, PostgreSQL when the relay runs with DATABASE_URL (then every relay process of the
 * deployment shares them; each must also share the signing key file, keys.ts).
 *
 * Open connections are closed when their credential stops being valid: a timer fires at `exp`, an in-process
 * revocation (HTTP API) ends them at once, and revocations made by another process (the admin CLI, or another
 * relay process on the same PostgreSQL) are picked up by polling the append-only revocations log every
 * `revocationPollMs` (2 s by default). The same poll refreshes `last_seen` of connected devices; other
 * `last_seen` writes are throttled to one per device per `lastSeenIntervalMs`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Grant } from '../../src/lib/domain/access';
import type { DeviceInfo, Invitation } from '../../src/lib/protocol/api';
import { AccessDb } from '../storage/access-db';
import { type AccessStore, type DeviceRecord, deviceInfo, MemoryAccessStore } from '../storage/access-store';
import { parseGrant } from './grants';
import { ephemeralKey, KEY_ALG, loadOrCreateKey, type SigningKey } from './keys';
import { type Logger, silentLogger } from '../core/log';

export const ISSUER = 'courtyard-relay';
export const AUDIENCE = 'courtyard';
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface CredentialOptions {
	/** Lifetime of a credential issued when an invitation is redeemed (default 180 days). */
	credentialTtlMs?: number;
	/** How often a running relay looks for revocations made by another process (default 2 s; 0 disables). */
	revocationPollMs?: number;
	/** At most one `last_seen` write per device per this interval (default 60 s). */
	lastSeenIntervalMs?: number;
}

const DEFAULTS: Required<CredentialOptions> = {
	credentialTtlMs: 180 * DAY_MS,
	revocationPollMs: 2_000,
	lastSeenIntervalMs: 60_000
};

/** setTimeout's ceiling (~24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type Verified =
	| { ok: true; deviceId: string; grant: Grant; expiresAt: number }
	| { ok: false; error: 'unauthorized' | 'revoked'; reason: string };

export type Redeemed =
	| { ok: true; token: string; device: DeviceInfo }
	| { ok: false; error: 'not_found' | 'invitation_expired' | 'invitation_used_up'; message: string };

export const REASONS = {
	missing: 'missing credential',
	invalid: 'invalid credential',
	expired: 'credential expired',
	revoked: 'credential revoked'
} as const;

export const hashCode = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');
const randomId = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

interface Watch {
	end(reason: string): void;
	timer: NodeJS.Timeout | null;
}

export class Credentials {
	private readonly options: Required<CredentialOptions>;
	private readonly watching = new Map<string, Set<Watch>>();
	private readonly touched = new Map<string, number>();
	/** Tokens whose signature and claims checked out, with those claims. */
	private readonly verified = new Map<string, { deviceId: string; jti: string; grant: Grant; expiresAt: number }>();
	/** Devices this process has seen revoked (here or in the log): refused without asking the store, never watched. */
	private readonly revoked = new Set<string>();
	private revocationSeq = 0;
	private pollTimer: NodeJS.Timeout | null = null;
	private polling: Promise<void> | null = null;
	/** last_seen writes not awaited by their caller; close() waits for them. */
	private readonly touching = new Set<Promise<void>>();
	private lastSeenFlush = 0;
	private closed = false;

	/**
	 * Opens the signing key in `<dataDir>/keys/` and the access database: `store` when given (PostgreSQL), else
	 * the SQLite tables in `<dataDir>/courtyard.db`; both in memory when dataDir is null. The Credentials own the
	 * store from here on (close() closes it).
	 */
	static async open(
		dataDir: string | null,
		options: CredentialOptions = {},
		logger: Logger = silentLogger,
		store?: AccessStore
	): Promise<Credentials> {
		const key = dataDir === null ? await ephemeralKey() : await loadOrCreateKey(dataDir, (m) => logger.warn(m));
		return Credentials.create(store ?? (dataDir === null ? new MemoryAccessStore() : AccessDb.open(dataDir)), key, options, logger);
	}

	static async create(store: AccessStore, key: SigningKey, options: CredentialOptions = {}, logger: Logger = silentLogger): Promise<Credentials> {
		// From here on every revocation is either seen by verify() (in the devices table) or by poll() (in the log).
		return new Credentials(store, key, await store.lastRevocationSeq(), options, logger);
	}

	private constructor(
		readonly store: AccessStore,
		private readonly key: SigningKey,
		revocationSeq: number,
		options: CredentialOptions,
		private readonly logger: Logger
	) {
		this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
		this.revocationSeq = revocationSeq;
	}

	get credentialTtlMs(): number {
		return this.options.credentialTtlMs;
	}

	// ---- credentials ----

	private sign(deviceId: string, grant: Grant, jti: string, expiresAt: number): Promise<string> {
		return new SignJWT({ grant })
			.setProtectedHeader({ alg: KEY_ALG, kid: this.key.kid, typ: 'JWT' })
			.setIssuer(ISSUER)
			.setAudience(AUDIENCE)
			.setSubject(deviceId)
			.setJti(jti)
			.setIssuedAt()
			.setExpirationTime(Math.floor(expiresAt / 1000))
			.sign(this.key.privateKey);
	}

	/** Registers a device with `grant` and returns its credential, without an invitation (CLI `token`, tests). */
	async issue(grant: Grant, name: string, opts: { expiresAt?: number } = {}): Promise<{ token: string; device: DeviceInfo }> {
		const expiresAt = secondsPrecision(opts.expiresAt ?? Date.now() + this.options.credentialTtlMs);
		const record = await this.store.addDevice({ id: randomId('d_', 12), name, grant, jti: randomId('', 12), expiresAt });
		return { token: await this.sign(record.id, grant, record.jti, expiresAt), device: deviceInfo(record) };
	}

	async verify(token: string | null | undefined): Promise<Verified> {
		if (!token) return { ok: false, error: 'unauthorized', reason: REASONS.missing };
		let claims = this.verified.get(token);
		if (claims && claims.expiresAt <= Date.now()) return { ok: false, error: 'unauthorized', reason: REASONS.expired };
		if (!claims) {
			let payload;
			try {
				({ payload } = await jwtVerify(token, this.key.publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [KEY_ALG] }));
			} catch (error) {
				const expired = error instanceof joseErrors.JWTExpired;
				return { ok: false, error: 'unauthorized', reason: expired ? REASONS.expired : REASONS.invalid };
			}
			const grant = parseGrant(payload.grant);
			if (!grant || typeof payload.sub !== 'string' || typeof payload.exp !== 'number' || typeof payload.jti !== 'string') {
				return { ok: false, error: 'unauthorized', reason: REASONS.invalid };
			}
			claims = { deviceId: payload.sub, jti: payload.jti, grant, expiresAt: payload.exp * 1000 };
			// A device opening one socket per document presents the same token many times: verify its signature once.
			if (this.verified.size >= 5_000) this.verified.clear();
			this.verified.set(token, claims);
		}
		// The device and its revocation are read from the store on every use (a revocation by another process must
		// refuse the next connection, not only the next poll); only revocations already seen skip the read.
		if (this.revoked.has(claims.deviceId)) return { ok: false, error: 'revoked', reason: REASONS.revoked };
		const device = await this.store.device(claims.deviceId);
		if (!device || device.jti !== claims.jti) return { ok: false, error: 'unauthorized', reason: REASONS.invalid };
		if (device.revokedAt !== null) return { ok: false, error: 'revoked', reason: REASONS.revoked };
		this.seen(device.id);
		return { ok: true, deviceId: device.id, grant: claims.grant, expiresAt: claims.expiresAt };
	}

	private seen(deviceId: string): void {
		const now = Date.now();
		if (now - (this.touched.get(deviceId) ?? 0) < this.options.lastSeenIntervalMs) return;
		if (this.touched.size > 10_000) this.touched.clear();
		this.touched.set(deviceId, now);
		// Not awaited: a device's first use is not held up by bookkeeping.
		const touch = this.store
			.touch([deviceId], now)
			.catch((error: unknown) => this.logger.warn('could not record last_seen', error))
			.finally(() => this.touching.delete(touch));
		this.touching.add(touch);
	}

	// ---- invitations ----

	/** Creates an invitation; the returned code is shown once and only its hash is stored. */
	async createInvitation(
		grant: Grant,
		opts: { expiresAt: number; maxUses: number; label: string; createdBy: string }
	): Promise<{ invitation: Invitation; code: string }> {
		const code = randomBytes(16).toString('base64url');
		const invitation = await this.store.addInvitation({
			id: randomId('i_', 9),
			codeHash: hashCode(code),
			grant,
			label: opts.label,
			expiresAt: opts.expiresAt,
			maxUses: opts.maxUses,
			createdBy: opts.createdBy
		});
		return { invitation, code };
	}

	/** Redeems an invitation code for a new device and its credential. */
	async redeem(code: string, deviceName: string): Promise<Redeemed> {
		const expiresAt = secondsPrecision(Date.now() + this.options.credentialTtlMs);
		const jti = randomId('', 12);
		const result = await this.store.redeem(hashCode(code), { id: randomId('d_', 12), name: deviceName, jti, expiresAt });
		if (!result.ok) {
			switch (result.error) {
				case 'not_found':
					return { ok: false, error: 'not_found', message: 'no such invitation: check the link or ask for a new one' };
				case 'invitation_withdrawn':
					return { ok: false, error: 'invitation_expired', message: 'this invitation was withdrawn: ask for a new one' };
				case 'invitation_expired':
					return { ok: false, error: 'invitation_expired', message: 'this invitation has expired: ask for a new one' };
				case 'invitation_used_up':
					return { ok: false, error: 'invitation_used_up', message: 'this invitation has been used up: ask for a new one' };
			}
		}
		const { device } = result;
		return { ok: true, token: await this.sign(device.id, device.grant, jti, expiresAt), device };
	}

	// ---- devices ----

	async devices(community: string | null): Promise<DeviceInfo[]> {
		return (await this.store.devices(community)).map(deviceInfo);
	}

	device(id: string): Promise<DeviceRecord | null> {
		return this.store.device(id);
	}

	/** Told of each device this process revokes, once stored (relay.ts: the other relay processes hear of it). */
	onRevoked: (deviceId: string) => void = () => {};

	/** Revokes a device and closes its open connections now. Null if there is no such device. */
	async revoke(id: string): Promise<DeviceInfo | null> {
		const record = await this.store.revokeDevice(id);
		if (!record) return null;
		this.revokedSeen(id);
		this.onRevoked(id);
		return deviceInfo(record);
	}

	// ---- open connections ----

	/**
	 * Calls `end(reason)` once the device's credential is revoked (here or by another process) or expires at
	 * `expiresAt`. Returns a function that stops watching. Starts the revocation poll on first use.
	 */
	watch(deviceId: string, expiresAt: number, end: (reason: string) => void): () => void {
		// Revoked between verify() and here (verify awaits the store): the poll that saw it has already run.
		if (this.revoked.has(deviceId)) {
			end(REASONS.revoked);
			return () => {};
		}
		const watch: Watch = { end, timer: null };
		let set = this.watching.get(deviceId);
		if (!set) this.watching.set(deviceId, (set = new Set()));
		set.add(watch);
		const arm = () => {
			const left = expiresAt - Date.now();
			if (left <= 0) {
				this.unwatch(deviceId, watch);
				end(REASONS.expired);
				return;
			}
			watch.timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
			watch.timer.unref();
		};
		arm();
		this.startPolling();
		return () => this.unwatch(deviceId, watch);
	}

	private unwatch(deviceId: string, watch: Watch): void {
		if (watch.timer) clearTimeout(watch.timer);
		watch.timer = null;
		const set = this.watching.get(deviceId);
		if (!set) return;
		set.delete(watch);
		if (set.size === 0) this.watching.delete(deviceId);
	}

	private revokedSeen(deviceId: string): void {
		// Revocations are rare; the bound only guards memory (a cleared id is read from the store again).
		if (this.revoked.size >= 100_000) this.revoked.clear();
		this.revoked.add(deviceId);
		this.end(deviceId, REASONS.revoked);
	}

	private end(deviceId: string, reason: string): void {
		const set = this.watching.get(deviceId);
		if (!set) return;
		this.watching.delete(deviceId);
		for (const watch of set) {
			if (watch.timer) clearTimeout(watch.timer);
			try {
				watch.end(reason);
			} catch (error) {
				this.logger.warn('closing a revoked connection failed', error);
			}
		}
	}

	private startPolling(): void {
		if (this.pollTimer || this.closed || this.options.revocationPollMs <= 0) return;
		this.lastSeenFlush = Date.now();
		this.pollTimer = setInterval(() => this.poll(), this.options.revocationPollMs);
		this.pollTimer.unref();
	}

	/** Picks up revocations from other processes; refreshes last_seen of connected devices. One at a time. */
	poll(): Promise<void> {
		if (this.closed) return Promise.resolve();
		this.polling ??= this.pollOnce().finally(() => (this.polling = null));
		return this.polling;
	}

	private async pollOnce(): Promise<void> {
		try {
			const { seq, deviceIds } = await this.store.revocationsSince(this.revocationSeq);
			if (this.closed) return;
			this.revocationSeq = seq;
			for (const id of deviceIds) this.revokedSeen(id);
			const now = Date.now();
			if (now - this.lastSeenFlush >= this.options.lastSeenIntervalMs && this.watching.size > 0) {
				this.lastSeenFlush = now;
				const ids = [...this.watching.keys()];
				for (const id of ids) this.touched.set(id, now);
				await this.store.touch(ids, now);
			}
		} catch (error) {
			this.logger.warn('checking for revoked devices failed', error);
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		if (this.pollTimer) clearInterval(this.pollTimer);
		this.pollTimer = null;
		for (const set of this.watching.values()) for (const w of set) if (w.timer) clearTimeout(w.timer);
		this.watching.clear();
		// A poll and last_seen writes in flight finish on the open store first.
		await this.polling;
		await Promise.all(this.touching);
		await this.store.close();
	}
}

/** JWT times are whole seconds; the device row keeps the same instant so both expire together. */
function secondsPrecision(ms: number): number {
	return Math.floor(ms / 1000) * 1000;
}
