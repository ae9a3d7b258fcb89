import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { putHousehold } from '../schema/households-doc';
import { createProposal } from '../schema/proposal-doc';
import { addVisit } from '../schema/visits-doc';
import { parseBackup } from './backup';
import { Courtyard } from './courtyard.svelte';
import { SealedError } from './doc-store';
import { REVOCATION_KEY, type Revocation, WIPE_GRACE_MS } from './revocation';
import { deviceRecord, fakeRelay } from './spec-relay';

const HOUSEHOLDS = 'demo:households:g1';
const VISITS = 'demo:visits:g1';
const PROPOSAL = 'demo:proposal:p1';
const worker: Actor = { id: 'd_worker', name: '王海涛', role: 'grid_worker' };
const device = (expiresAt: number) =>
	deviceRecord({ id: 'd_worker', name: '王海涛', grant: { role: 'grid_worker', community: 'demo', grids: ['g1'] }, expiresAt });

/** A relay that refuses every connection as the real one does a revoked credential: close 4401 with the reason. */
const refusingRelay = (reason: string) =>
	fakeRelay((socket) =>
		setTimeout(() => {
			socket.readyState = 3;
			socket.onclose?.({ code: 4401, reason });
		}, 0)
	);

let n = 0;
const apps: Courtyard[] = [];
function phone(dbName: string, relay = refusingRelay('credential revoked')) {
	const app = new Courtyard({ dbName, url: () => 'ws://relay.test/sync?token=t', WebSocket: relay.WebSocket });
	apps.push(app);
	return { app, relay };
}

afterEach(() => {
	for (const app of apps.splice(0)) {
		app.engine.destroy();
		app.db.close();
	}
});

const names = async (app: Courtyard) => (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith(app.store.prefix));

/** A grid worker's phone that joined earlier: a credential, its synced register, a proposal filed offline. */
async function joinedWorker(app: Courtyard, expiresAt = Date.now() + 86_400_000) {
	await app.db.settings.bulkPut([
		{ key: 'device.token', value: 'header.payload.signature' },
		{ key: 'device.info', value: device(expiresAt) },
		{ key: 'device.actor', value: worker },
		{ key: 'device.community', value: 'demo' }
	]);
	const register = new Y.Doc();
	putHousehold(register, 'g1', { id: 'b01-1-101', building: 'b01', unit: 1, room: '101', area: 80, members: [{ name: '李淑珍' }], tags: [] });
	await app.store.applyRemote(HOUSEHOLDS, Y.encodeStateAsUpdate(register));
	await app.store.markSynced([HOUSEHOLDS], 1);
	await app.store.edit(PROPOSAL, (doc) =>
		createProposal(doc, { title: '修楼道灯', description: 'd', category: 'safety', kind: 'individual', channel: 'visit' }, { id: 'p1', actor: worker, now: 5, status: 'submitted' })
	);
}

const offlineVisit = (doc: Y.Doc) =>
	addVisit(doc, { id: 'v1', household: 'b01-1-101', building: 'b01', grid: 'g1', outcome: 'talked', needs: { tags: [], text: '楼道灯坏了' }, photos: [], at: 2, by: worker, channel: 'visit' });

describe('a revoked device', () => {
	it('on the relay’s refusal drops its credential, stops reconnecting and deletes the synced register at once', async () => {
		const { app, relay } = phone(`cy-revoke-${++n}`);
		await joinedWorker(app);
		await app.start();
		await vi.waitFor(() => expect(app.revocation?.wipedAt).toBeTypeOf('number'));
		expect(app.revocation).toMatchObject({ kind: 'revoked', reason: 'credential revoked' });
		expect(app.personalUnsynced).toEqual([]);
		// The register is gone from IndexedDB and from the index; the public proposal (still unsynced) stays.
		expect(await names(app)).toEqual([`${app.store.prefix}${PROPOSAL}`]);
		expect(await app.db.index.get(HOUSEHOLDS)).toBeUndefined();
		expect((await app.pendingDocs()).map((d) => d.doc)).toEqual([PROPOSAL]);
		// No credential left: nothing to connect with, no header for uploads.
		expect(await app.db.settings.get('device.token')).toBeUndefined();
		expect(app.authHeaders()).toEqual({});
		expect(app.sync.refusal).toMatchObject({ code: 4401 });
		// Who the device was stays, to explain the page.
		expect(app.device?.name).toBe('王海涛');
		await expect(app.open(HOUSEHOLDS)).rejects.toBeInstanceOf(SealedError);
		await new Promise((r) => setTimeout(r, 1_200));
		expect(relay.opened).toHaveLength(1);

		// After a restart: still revoked, never connecting, the register still sealed.
		await app.db.settings.put({ key: 'sync.lastSynced', value: 12_345 });
		const again = phone(app.db.name, refusingRelay('credential revoked'));
		await again.app.start();
		expect(again.app.revocation).toMatchObject({ kind: 'revoked' });
		expect(again.relay.opened).toEqual([]);
		// The status bar still shows the proposal waiting and when the phone last synced.
		expect(again.app.sync).toMatchObject({ pending: 1, lastSynced: 12_345, refusal: { code: 4401 } });
		await expect(again.app.open(HOUSEHOLDS)).rejects.toBeInstanceOf(SealedError);
		await again.app.open(PROPOSAL).then((h) => h.close());
	});

	it('with an unsynced visit: deletes the rest at once, lists the visit, exports it, deletes it only when told', async () => {
		const { app } = phone(`cy-revoke-${++n}`);
		await joinedWorker(app);
		await app.store.edit(VISITS, offlineVisit);
		await app.start();
		await vi.waitFor(() => expect(app.personalUnsynced.map((u) => [u.doc, u.what])).toEqual([[VISITS, 'changes']]));
		expect(app.revocation?.wipedAt).toBeNull();
		// The synced register went at once; the visit waits, sealed.
		expect((await names(app)).sort()).toEqual([`${app.store.prefix}${PROPOSAL}`, `${app.store.prefix}${VISITS}`]);
		await expect(app.open(VISITS)).rejects.toBeInstanceOf(SealedError);
		// Nobody joins on this phone before the decision.
		await expect(app.join('code', 'someone')).rejects.toMatchObject({ error: 'forbidden' });

		// The export holds the visit (and the unsynced proposal).
		const backup = parseBackup(await (await app.exportPending()).text());
		expect(backup.map((d) => d.doc).sort()).toEqual([PROPOSAL, VISITS]);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, backup.find((d) => d.doc === VISITS)!.update);
		expect(copy.getMap('visits').has('v1')).toBe(true);

		// Without consent nothing unsynced is deleted.
		expect(await app.wipePersonal()).toMatchObject({ ok: false, pending: [{ doc: VISITS }] });
		expect(await names(app)).toContain(`${app.store.prefix}${VISITS}`);
		expect(await app.wipePersonal({ discardUnsynced: true })).toEqual({ ok: true });
		expect(await names(app)).toEqual([`${app.store.prefix}${PROPOSAL}`]);
		expect(app.revocation?.wipedAt).toBeTypeOf('number');
		expect((await app.db.settings.get(REVOCATION_KEY))?.value).toMatchObject({ wipedAt: app.revocation?.wipedAt });
		expect(app.personalUnsynced).toEqual([]);
	});

	it('deletes unsynced personal data left waiting once the grace period is over', async () => {
		const { app, relay } = phone(`cy-grace-${++n}`);
		await joinedWorker(app);
		await app.store.edit(VISITS, offlineVisit);
		const stale = (detectedAt: number): Revocation => ({ kind: 'revoked', reason: 'credential revoked', detectedAt, wipedAt: null });
		await app.db.settings.put({ key: REVOCATION_KEY, value: stale(Date.now() - WIPE_GRACE_MS + 60_000) });
		await app.db.settings.delete('device.token');
		// Within the grace period, a restart keeps the visit waiting.
		await app.start();
		expect(app.personalUnsynced.map((u) => u.doc)).toEqual([VISITS]);
		expect(await names(app)).toContain(`${app.store.prefix}${VISITS}`);
		// Past it, the next start deletes it without asking.
		await app.db.settings.put({ key: REVOCATION_KEY, value: stale(Date.now() - WIPE_GRACE_MS - 1) });
		const later = phone(app.db.name, relay);
		await later.app.start();
		expect(later.app.revocation?.wipedAt).toBeTypeOf('number');
		expect(await names(later.app)).toEqual([`${app.store.prefix}${PROPOSAL}`]);
		expect(relay.opened).toEqual([]);
	});

	it('learns of the revocation from an HTTP answer too (a photo upload refused 401 "revoked")', async () => {
		// The socket never gets through (a proxy that blocks WebSockets); HTTP does.
		const { app } = phone(`cy-http-${++n}`, fakeRelay());
		await joinedWorker(app);
		// Other refusals say nothing about this device's rights.
		app.noticeRefusal(401, { error: 'unauthorized', message: 'invalid credential' });
		app.noticeRefusal(403, { error: 'revoked', message: 'credential revoked' });
		expect(app.revocation).toBeNull();

		const sha = 'f'.repeat(64);
		await app.db.photos.put({ sha, type: 'image/jpeg', size: 1, addedAt: Date.now(), origin: 'local', docs: [PROPOSAL], uploaded: [], state: 'pending', attempts: 0, nextAttempt: 0, error: null });
		await app.db.photoData.put({ sha, blob: new Blob(['x']) });
		const requests: string[] = [];
		vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
			requests.push(`${init?.method ?? 'GET'} ${String(input)} ${new Headers(init?.headers).get('authorization')}`);
			return Response.json({ error: 'revoked', message: 'credential revoked' }, { status: 401 });
		});
		try {
			await app.start();
			await vi.waitFor(() => expect(app.revocation?.wipedAt).toBeTypeOf('number'));
		} finally {
			vi.unstubAllGlobals();
		}
		expect(requests[0]).toMatch(/^PUT \/api\/photos\/f+\?doc=demo%3Aproposal%3Ap1 Bearer header\.payload\.signature$/);
		expect(app.revocation).toMatchObject({ kind: 'revoked', reason: 'credential revoked' });
		expect(await names(app)).toEqual([`${app.store.prefix}${PROPOSAL}`]);
		expect(app.authHeaders()).toEqual({});
	});

	it('notices an expired credential by its own clock, without contacting the relay', async () => {
		const { app, relay } = phone(`cy-expire-${++n}`);
		await joinedWorker(app, Date.now() - 1_000);
		await app.start();
		await vi.waitFor(() => expect(app.revocation?.wipedAt).toBeTypeOf('number'));
		expect(app.revocation?.kind).toBe('expired');
		expect(relay.opened).toEqual([]);
		expect(await names(app)).toEqual([`${app.store.prefix}${PROPOSAL}`]);
	});

	it('notices the expiry while it runs', async () => {
		// A relay that accepts the connection and never answers: the device alone must notice the expiry.
		const relay = fakeRelay();
		const { app } = phone(`cy-expire-${++n}`, relay);
		await joinedWorker(app, Date.now() + 1_500);
		await app.start();
		expect(app.revocation).toBeNull();
		expect(relay.opened).toHaveLength(1);
		await vi.waitFor(() => expect(app.revocation?.wipedAt).toBeTypeOf('number'), { timeout: 5_000 });
		expect(app.revocation?.kind).toBe('expired');
		expect(await names(app)).toEqual([`${app.store.prefix}${PROPOSAL}`]);
	});
});
