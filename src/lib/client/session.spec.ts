import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../protocol/api';
import { openDatabase, type CourtyardDB } from './db';
import { DocStore } from './doc-store';
import { EMPTY_UPDATE } from './local-store';
import type { Revocation } from './revocation';
import { deviceRecord } from './spec-relay';
import { readSession, requestJoin, storeActor, storeCredential, storeIndexVersion, storeRevocation, updateRevocation, wipeLocalData } from './session';

let n = 0;
const dbs: CourtyardDB[] = [];
function device() {
	const id = `session-${++n}`;
	const db = openDatabase(id);
	dbs.push(db);
	return { db, store: new DocStore(db, `${id}/`) };
}
afterEach(() => {
	for (const db of dbs.splice(0)) db.close();
});

const record = deviceRecord({
	id: 'dev-1',
	name: '王阿姨的手机',
	grant: { role: 'resident', community: 'demo', household: 'b01-1-101' },
	expiresAt: 10_000
});
const joined = { token: 'tok-1', device: record, actor: { id: 'dev-1', name: '王阿姨的手机', role: 'resident' as const } };
const revoked: Revocation = { kind: 'revoked', reason: 'credential revoked', detectedAt: 5, wipedAt: null };

/** A fetch answering the join request with `status` and `body`, recording what was asked. */
function relay(status: number, body: unknown) {
	const asked: { url: string; body: unknown }[] = [];
	const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
		asked.push({ url: String(input), body: JSON.parse(String(init?.body)) });
		return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
	}) as typeof fetch;
	return { fetchFn, asked };
}

describe('the stored session', () => {
	it('is empty on a new device', async () => {
		expect(await readSession(device())).toEqual({ actor: null, community: null, token: null, device: null, revocation: null, indexVersion: undefined });
	});

	it('keeps a credential, the actor chosen and the index version across restarts', async () => {
		const app = device();
		await storeCredential(app, joined, false);
		await storeIndexVersion(app, 6);
		expect(await readSession(app)).toEqual({ actor: joined.actor, community: 'demo', token: 'tok-1', device: record, revocation: null, indexVersion: 6 });
		await storeActor(app, { id: 'dev-1', name: '王阿姨', role: 'resident' });
		expect((await readSession(app)).actor?.name).toBe('王阿姨');
	});

	it('drops the token when revoked, and forgets the revocation when the device joins again', async () => {
		const app = device();
		await storeCredential(app, joined, false);
		await storeRevocation(app, revoked);
		expect(await readSession(app)).toMatchObject({ token: null, device: record, revocation: revoked });
		await updateRevocation(app, { ...revoked, wipedAt: 7 });
		expect((await readSession(app)).revocation?.wipedAt).toBe(7);
		await storeCredential(app, { ...joined, token: 'tok-2' }, true);
		expect(await readSession(app)).toMatchObject({ token: 'tok-2', revocation: null });
	});
});

describe('joining', () => {
	it('redeems the code at the relay and acts as the device record', async () => {
		const { fetchFn, asked } = relay(200, { token: 'tok-1', device: record });
		expect(await requestJoin('abcd1234', '王阿姨的手机', fetchFn)).toEqual(joined);
		expect(asked).toEqual([{ url: '/api/join', body: { code: 'abcd1234', deviceName: '王阿姨的手机' } }]);
	});

	it("throws the relay's refusal, or the HTTP status when there is none", async () => {
		const refusal: ApiError = { error: 'invitation_expired', message: 'invitation expired' };
		await expect(requestJoin('x', 'y', relay(410, refusal).fetchFn)).rejects.toEqual(refusal);
		await expect(requestJoin('x', 'y', relay(502, '<html>bad gateway</html>').fetchFn)).rejects.toEqual({ error: 'invalid', message: 'HTTP 502' });
	});
});

describe('signing out', () => {
	it('deletes every document, the index, the sync states and the settings', async () => {
		const app = device();
		await storeCredential(app, joined, false);
		await app.store.edit('demo:proposal:p1', (doc) => doc.getMap('meta').set('title', '楼道灯'));
		await app.store.edit('demo:passbook:b01-1-101', (doc) => doc.getMap('meta').set('n', 1));
		expect((await app.db.syncState.count()) + (await app.db.settings.count())).toBeGreaterThan(2);
		await wipeLocalData(app);
		expect([await app.db.syncState.count(), await app.db.settings.count(), await app.db.index.count()]).toEqual([0, 0, 0]);
		expect(await app.store.readState('demo:proposal:p1')).toEqual(EMPTY_UPDATE);
	});
});
