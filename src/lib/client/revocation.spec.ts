import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { addVisit } from '../schema/visits-doc';
import { putHousehold } from '../schema/households-doc';
import { createProposal } from '../schema/proposal-doc';
import { setPhotoRefs } from '../schema/photos';
import type { PhotoMeta } from './db';
import { type DocStore, SealedError } from './doc-store';
import { BALLOT_OUTBOX_PREFIX } from './outbox-keys';
import {
	expiredLocally,
	isPersonalDoc,
	personalDocs,
	type Revocation,
	revocationKind,
	SYNC_CURSOR_KEY,
	WIPE_GRACE_MS,
	wipeDue
} from './revocation';
import { heldPersonalDocs, unsyncedPersonal, wipePersonalData } from './revocation-wipe';
import { specStores } from './spec-stores';

const worker: Actor = { id: 'w1', name: '王海涛', role: 'grid_worker' };
const HOUSEHOLDS = 'demo:households:g1';
const VISITS = 'demo:visits:g1';
const BALLOTS = 'demo:ballots:g1_poll1';
const MINUTES = 'demo:minutes:m1';
const PROPOSAL = 'demo:proposal:p1';
const POLL = 'demo:poll:poll1';
const sha = (c: string) => c.repeat(64);

let n = 0;
const openStore = specStores();
function newStore() {
	const id = `rv${++n}`;
	return openStore(`revocation-${id}`, `${id}/`);
}

/** An update as the relay would send it (stored as synced, not pending). */
function update(fill: (doc: Y.Doc) => void): Uint8Array {
	const doc = new Y.Doc();
	fill(doc);
	return Y.encodeStateAsUpdate(doc);
}
const household = (doc: Y.Doc) =>
	putHousehold(doc, 'g1', { id: 'b01-1-101', building: 'b01', unit: 1, room: '101', area: 80, members: [{ name: '李淑珍' }], tags: ['elderly_alone'] });
/** A visit; addVisit lists its photos in the document's photo map, as the app does. */
const visit = (id: string, photos: string[] = []) => (doc: Y.Doc) =>
	addVisit(doc, { id, household: 'b01-1-101', building: 'b01', grid: 'g1', outcome: 'talked', needs: { tags: [], text: '楼道灯' }, photos, at: 1, by: worker, channel: 'visit' });
const proposal = (doc: Y.Doc) =>
	createProposal(doc, { title: '修楼道灯', description: 'd', category: 'safety', kind: 'individual', channel: 'visit' }, { id: 'p1', actor: worker, now: 5, status: 'submitted' });

function photo(s: string, origin: PhotoMeta['origin'], docs: string[], uploaded: string[] = docs): PhotoMeta {
	const done = docs.every((d) => uploaded.includes(d));
	return { sha: s, type: 'image/jpeg', size: 3, addedAt: 1, origin, docs, uploaded, state: done ? 'done' : 'pending', attempts: 0, nextAttempt: 0, error: null };
}

async function databases(prefix: string): Promise<string[]> {
	return (await indexedDB.databases())
		.map((d) => d.name ?? '')
		.filter((name) => name.startsWith(prefix))
		.map((name) => name.slice(prefix.length))
		.sort();
}

/**
 * A grid worker's phone: the register and a ballot document synced from the relay, the working minutes synced, a
 * visit recorded offline (pending), a proposal filed offline (pending), photos of each kind, a sync cursor.
 */
async function workerPhone(store: DocStore) {
	await store.applyRemote(HOUSEHOLDS, update(household));
	await store.applyRemote(BALLOTS, update((d) => d.getMap('ballots').set('x', { household: 'b01-1-101', option: 'a' })));
	// The minutes show the same photo as the synced visit (both list it).
	await store.applyRemote(
		MINUTES,
		update((d) => {
			d.getText('notes').insert(0, '议事记录');
			setPhotoRefs(d, [sha('a')], worker, 1);
		})
	);
	await store.applyRemote(VISITS, update(visit('v-synced', [sha('a')])));
	await store.markSynced([HOUSEHOLDS, BALLOTS, MINUTES, VISITS], 2);
	await store.edit(VISITS, visit('v-offline', [sha('b')]));
	await store.edit(PROPOSAL, proposal);
	await store.db.photos.bulkPut([
		photo(sha('a'), 'remote', []), // a downloaded copy of the synced visit's photo
		photo(sha('b'), 'local', [VISITS], []), // taken at the offline visit, not uploaded
		photo(sha('c'), 'local', [VISITS, PROPOSAL], [VISITS]), // a visit photo reused for the proposal
		photo(sha('d'), 'local', [PROPOSAL]) // the proposal's own photo
	]);
	await store.db.photoData.bulkPut(['a', 'b', 'c', 'd'].map((c) => ({ sha: sha(c), blob: new Blob(['x']) })));
	await store.db.settings.bulkPut([
		{ key: SYNC_CURSOR_KEY, value: 42 },
		{ key: 'device.actor', value: worker }
	]);
}

describe('which documents are personal', () => {
	it('the registers, visits, ballots and working minutes, never public matters or bad names', () => {
		expect([HOUSEHOLDS, VISITS, BALLOTS, MINUTES].every(isPersonalDoc)).toBe(true);
		expect([PROPOSAL, POLL, 'demo:meeting:m1', 'demo:community:main', 'demo:project:x', 'demo:participation:x', 'demo:notice:n', 'demo:topic:t'].some(isPersonalDoc)).toBe(false);
		expect(isPersonalDoc('demo:households')).toBe(false);
		expect(isPersonalDoc('nonsense')).toBe(false);
		expect(personalDocs([PROPOSAL, VISITS, HOUSEHOLDS, VISITS, 'x:y'])).toEqual([HOUSEHOLDS, VISITS]);
	});
});

describe('what a refusal means', () => {
	it('revoked and expired credentials lose their personal data; other refusals do not', () => {
		expect(revocationKind('credential revoked', 10_000, 5)).toBe('revoked');
		expect(revocationKind('credential expired', 10_000, 5)).toBe('expired');
		// A refusal that says nothing more, for a credential the device knows has expired.
		expect(revocationKind('invalid credential', 4, 5)).toBe('expired');
		expect(revocationKind('invalid credential', 10_000, 5)).toBeNull();
		expect(revocationKind('missing credential', undefined, 5)).toBeNull();
	});

	it('the device notices an expiry by its own clock', () => {
		expect(expiredLocally(100, 99)).toBe(false);
		expect(expiredLocally(100, 100)).toBe(true);
		expect(expiredLocally(undefined, 100)).toBe(false);
		expect(expiredLocally(0, 100)).toBe(false);
	});

	it('wipes at once when nothing is unsynced, else waits for the person, at most the grace period', () => {
		const r: Revocation = { kind: 'revoked', reason: 'credential revoked', detectedAt: 1_000, wipedAt: null };
		const unsynced = [{ doc: VISITS, kind: 'visits', title: 'g1', what: 'changes' as const }];
		expect(wipeDue(r, [], 1_000)).toBe(true);
		expect(wipeDue(r, unsynced, 1_000)).toBe(false);
		expect(wipeDue(r, unsynced, 1_000 + WIPE_GRACE_MS - 1)).toBe(false);
		expect(wipeDue(r, unsynced, 1_000 + WIPE_GRACE_MS)).toBe(true);
		expect(wipeDue({ ...r, wipedAt: 2_000 }, [], 3_000)).toBe(false);
	});
});

describe('unsynced personal data', () => {
	it('lists edited personal documents, photos still to upload for one, and queued ballots; never public matters', async () => {
		const store = newStore();
		await workerPhone(store);
		await store.db.settings.bulkPut([
			{ key: `${BALLOT_OUTBOX_PREFIX}${POLL}`, value: { poll: POLL, id: 'b1', option: 'a', queuedAt: 1, state: 'queued', attempts: 0 } },
			{ key: `${BALLOT_OUTBOX_PREFIX}demo:poll:old`, value: { poll: 'demo:poll:old', id: 'b0', option: 'a', queuedAt: 1, state: 'sent', attempts: 1 } }
		]);
		// A minutes document whose photo never went up, though its text did.
		await store.db.photos.put(photo(sha('e'), 'local', [MINUTES], []));
		const items = await unsyncedPersonal(store.db);
		expect(items.map(({ doc, kind, what }) => ({ doc, kind, what }))).toEqual([
			{ doc: VISITS, kind: 'visits', what: 'changes' },
			{ doc: MINUTES, kind: 'minutes', what: 'photos' },
			{ doc: POLL, kind: 'ballots', what: 'ballot' }
		]);
		// Titles from the index where there is one (a register's is its grid), else the id.
		expect(items[0]!.title).toBe('g1');
	});

	it('is empty on a phone whose personal data all reached the relay', async () => {
		const store = newStore();
		await store.applyRemote(HOUSEHOLDS, update(household));
		await store.edit(PROPOSAL, proposal);
		expect(await unsyncedPersonal(store.db)).toEqual([]);
	});
});

describe('wiping the personal data', () => {
	it('deletes every trace of the personal documents and keeps the public ones', async () => {
		const store = newStore();
		await workerPhone(store);
		expect(await heldPersonalDocs(store.db, store.prefix)).toEqual([BALLOTS, HOUSEHOLDS, MINUTES, VISITS]);

		const result = await wipePersonalData(store.db, store);
		expect(result.docs).toEqual([BALLOTS, HOUSEHOLDS, MINUTES, VISITS]);
		// y-indexeddb databases, sync state and index rows: only the proposal is left.
		expect(await databases(store.prefix)).toEqual([PROPOSAL]);
		expect(await store.db.syncState.toCollection().primaryKeys()).toEqual([PROPOSAL]);
		expect(await store.db.index.toCollection().primaryKeys()).toEqual([PROPOSAL]);
		expect(await heldPersonalDocs(store.db, store.prefix)).toEqual([]);
		// The proposal stays pending, so it still syncs or exports.
		expect(await store.db.syncState.get(PROPOSAL)).toMatchObject({ dirty: 1 });

		// Photos: the visit's downloaded copy and its own photo go; the one reused for the proposal stays for the
		// proposal alone, and so does the proposal's own.
		expect((await store.db.photos.toCollection().primaryKeys()).sort()).toEqual([sha('c'), sha('d')]);
		expect((await store.db.photoData.toCollection().primaryKeys()).sort()).toEqual([sha('c'), sha('d')]);
		expect(await store.db.photos.get(sha('c'))).toMatchObject({ docs: [PROPOSAL], uploaded: [], state: 'pending' });
		expect(result.photos).toBe(2);
		// Joining again must fetch everything anew, so the catch-up cursor is gone; other settings stay.
		expect(await store.db.settings.get(SYNC_CURSOR_KEY)).toBeUndefined();
		expect(await store.db.settings.get('device.actor')).toBeTruthy();
	});

	it('deletes queued ballots with the final wipe only', async () => {
		const store = newStore();
		const key = `${BALLOT_OUTBOX_PREFIX}${POLL}`;
		await store.db.settings.put({ key, value: { poll: POLL, id: 'b1', option: 'a', queuedAt: 1, state: 'queued', attempts: 0 } });
		await store.edit(VISITS, visit('v1'));
		await wipePersonalData(store.db, store, { keep: [VISITS, POLL] });
		expect(await store.db.settings.get(key)).toBeTruthy();
		expect(await wipePersonalData(store.db, store)).toMatchObject({ docs: [VISITS], ballots: 1 });
		expect(await store.db.settings.get(key)).toBeUndefined();
	});

	it('keeps the documents whose unsynced work waits for an export, and their photos, deleting the rest', async () => {
		const store = newStore();
		await workerPhone(store);
		const waiting = (await unsyncedPersonal(store.db)).map((u) => u.doc);
		expect(waiting).toEqual([VISITS]);
		await wipePersonalData(store.db, store, { keep: waiting });
		expect(await databases(store.prefix)).toEqual([PROPOSAL, VISITS]);
		expect(await heldPersonalDocs(store.db, store.prefix)).toEqual([VISITS]);
		// The offline visit is still whole (for the export) and still pending.
		expect(await store.db.syncState.get(VISITS)).toMatchObject({ dirty: 1 });
		expect(new TextDecoder().decode(await store.readState(VISITS))).toContain('v-offline');
		// Every photo the visit lists or waits for stays, though the deleted minutes listed one of them too.
		expect((await store.db.photos.toCollection().primaryKeys()).sort()).toEqual([sha('a'), sha('b'), sha('c'), sha('d')]);
		// Then the final wipe.
		await wipePersonalData(store.db, store);
		expect(await databases(store.prefix)).toEqual([PROPOSAL]);
		expect((await store.db.photos.toCollection().primaryKeys()).sort()).toEqual([sha('c'), sha('d')]);
	});

	it('finds a personal document that only left a y-indexeddb database behind', async () => {
		const store = newStore();
		await store.edit(HOUSEHOLDS, household);
		// As if the bookkeeping write had failed: no sync state, no index row.
		await store.db.syncState.clear();
		await store.db.index.clear();
		expect(await heldPersonalDocs(store.db, store.prefix)).toEqual([HOUSEHOLDS]);
		await wipePersonalData(store.db, store);
		expect(await databases(store.prefix)).toEqual([]);
	});
});

describe('sealed documents', () => {
	it('cannot be opened or fed while they wait for deletion, but can still be exported', async () => {
		const store = newStore();
		await store.applyRemote(HOUSEHOLDS, update(household));
		store.seal(isPersonalDoc);
		await expect(store.openDoc(HOUSEHOLDS)).rejects.toBeInstanceOf(SealedError);
		await expect(store.edit(VISITS, visit('v1'))).rejects.toBeInstanceOf(SealedError);
		// A late frame from the relay is dropped.
		await store.applyRemote(VISITS, update(visit('v2')));
		expect(await store.db.syncState.get(VISITS)).toBeUndefined();
		expect(await databases(store.prefix)).toEqual([HOUSEHOLDS]);
		// Reading the stored state (what an export does) still works; public documents are unaffected.
		expect(new TextDecoder().decode(await store.readState(HOUSEHOLDS))).toContain('李淑珍');
		await store.edit(PROPOSAL, proposal);
		store.seal(null);
		await store.withDoc(HOUSEHOLDS, (h) => expect(h.doc.getMap('households').size).toBeGreaterThan(0));
	});
});
