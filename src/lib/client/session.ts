/**
 * The device's session: its credential as stored on the device (token, device record, actor, community), the
 * join request that gets one for an invitation code, and the wipe of every local record on sign-out. The app
 * (courtyard.svelte.ts) holds the session as runes state and starts or stops sync around these.
 */
import type { Actor } from '../domain/actor';
import { PERSONAL_KINDS } from '../domain/access';
import type { ApiError, DeviceInfo, JoinResponse } from '../protocol/api';
import { parseDocName } from '../schema/doc-names';
import type { CourtyardDB } from './db';
import type { DocStore } from './doc-store';
import { REVOCATION_KEY, type Revocation } from './revocation';

const ACTOR_KEY = 'device.actor';
const COMMUNITY_KEY = 'device.community';
const TOKEN_KEY = 'device.token';
const DEVICE_KEY = 'device.info';
const INDEX_VERSION_KEY = 'index.version';

/** What the credential storage needs: the settings table. */
export interface SessionSettings {
	readonly db: Pick<CourtyardDB, 'settings' | 'transaction'>;
}

/** What the device remembers of its session, read in one go at start. */
export interface StoredSession {
	actor: Actor | null;
	community: string | null;
	token: string | null;
	device: DeviceInfo | null;
	revocation: Revocation | null;
	/** The version of the index derivation the stored index was built with. */
	indexVersion: unknown;
}

export async function readSession(app: SessionSettings): Promise<StoredSession> {
	const [actor, community, token, indexVersion, device, revocation] = await app.db.settings.bulkGet([
		ACTOR_KEY,
		COMMUNITY_KEY,
		TOKEN_KEY,
		INDEX_VERSION_KEY,
		DEVICE_KEY,
		REVOCATION_KEY
	]);
	return {
		actor: (actor?.value as Actor | undefined) || null,
		community: typeof community?.value === 'string' ? community.value : null,
		token: typeof token?.value === 'string' ? token.value : null,
		device: (device?.value as DeviceInfo | undefined) || null,
		revocation: (revocation?.value as Revocation | undefined) || null,
		indexVersion: indexVersion?.value
	};
}

export async function storeIndexVersion(app: SessionSettings, version: number): Promise<void> {
	await app.db.settings.put({ key: INDEX_VERSION_KEY, value: version });
}

export async function storeActor(app: SessionSettings, actor: Actor): Promise<void> {
	await app.db.settings.put({ key: ACTOR_KEY, value: actor });
}

/** A credential the relay issued for an invitation code. */
export interface Joined {
	token: string;
	device: DeviceInfo;
	/** Who the device acts as from now on: the device record's name and role. */
	actor: Actor;
}

/**
 * Redeems an invitation code at the relay. Throws the relay's ApiError (expired, used up, rate limited …), or an
 * 'invalid' one naming the HTTP status when the answer is not one.
 */
export async function requestJoin(code: string, deviceName: string, fetchFn: typeof fetch = (input, init) => fetch(input, init)): Promise<Joined> {
	const res = await fetchFn('/api/join', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ code, deviceName })
	});
	const body = (await res.json().catch(() => null)) as JoinResponse | ApiError | null;
	if (!res.ok || !body || !('token' in body)) {
		throw body && 'error' in body ? body : ({ error: 'invalid', message: `HTTP ${res.status}` } satisfies ApiError);
	}
	const { token, device } = body;
	return { token, device, actor: { id: device.id, name: device.name, role: device.grant.role } };
}

/** Stores a new credential (and forgets a recorded revocation, when there was one). */
export async function storeCredential(app: SessionSettings, joined: Joined, hadRevocation: boolean): Promise<void> {
	await app.db.settings.bulkPut([
		{ key: TOKEN_KEY, value: joined.token },
		{ key: DEVICE_KEY, value: joined.device },
		{ key: ACTOR_KEY, value: joined.actor },
		{ key: COMMUNITY_KEY, value: joined.device.grant.community }
	]);
	if (hadRevocation) await app.db.settings.delete(REVOCATION_KEY);
}

/** Drops the token and records the revocation, in one transaction, so a restart neither syncs nor forgets it. */
export async function storeRevocation(app: SessionSettings, record: Revocation): Promise<void> {
	await app.db.transaction('rw', app.db.settings, async () => {
		await app.db.settings.delete(TOKEN_KEY);
		await app.db.settings.put({ key: REVOCATION_KEY, value: record });
	});
}

export async function updateRevocation(app: SessionSettings, record: Revocation): Promise<void> {
	await app.db.settings.put({ key: REVOCATION_KEY, value: record });
}

/**
 * Deletes every local record of the session: photos, every document (personal ones first), the index, sync
 * states and settings (the credential with them). The caller seals personal documents first and stops sync.
 */
export async function wipeLocalData(app: { readonly db: CourtyardDB; readonly store: Pick<DocStore, 'remove'> }): Promise<void> {
	const { db, store } = app;
	await (await import('./photos')).clearPhotos(db);
	const names = (await db.syncState.toCollection().primaryKeys()) as string[];
	const personal = (n: string) => PERSONAL_KINDS.has(parseDocName(n)?.kind ?? '');
	for (const name of [...names.filter(personal), ...names.filter((n) => !personal(n))]) await store.remove(name);
	await db.transaction('rw', db.index, db.settings, db.syncState, async () => {
		await db.index.clear();
		await db.syncState.clear();
		await db.settings.clear();
	});
}
