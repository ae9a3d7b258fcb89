/**
 * The wipe of revocation.ts: what of the personal kinds has not reached the relay, and the deletion of the rest.
 * Loaded only on a device whose credential was revoked or has expired (see revocation.ts for the rules).
 */
import * as Y from 'yjs';
import { parseDocName } from '../schema/doc-names';
import { readPhotoRefs } from '../schema/photos';
import type { CourtyardDB, PhotoMeta } from './db';
import type { DocStore } from './doc-store';
import { BALLOT_OUTBOX_PREFIX } from './outbox-keys';
import { isPersonalDoc, personalDocs, SYNC_CURSOR_KEY, type UnsyncedPersonal } from './revocation';

/**
 * Every personal document this device holds a trace of: in its sync state, in the index, or as a y-indexeddb
 * database (a document opened but never recorded, e.g. a write that failed half-way, still has one).
 */
export async function heldPersonalDocs(db: CourtyardDB, dbPrefix: string): Promise<string[]> {
	const [states, entries] = await Promise.all([db.syncState.toCollection().primaryKeys(), db.index.toCollection().primaryKeys()]);
	const databases = await listDatabases();
	const stored = databases.filter((n) => n.startsWith(dbPrefix)).map((n) => n.slice(dbPrefix.length));
	return personalDocs([...(states as string[]), ...(entries as string[]), ...stored]);
}

async function listDatabases(): Promise<string[]> {
	const factory = globalThis.indexedDB as (IDBFactory & { databases?: () => Promise<IDBDatabaseInfo[]> }) | undefined;
	if (!factory?.databases) return [];
	try {
		return (await factory.databases()).map((d) => d.name ?? '').filter(Boolean);
	} catch {
		// Some browsers refuse the listing in private mode; the sync state and index still name the documents.
		return [];
	}
}

/** What of the personal kinds has not reached the relay: edited documents, photos still queued, queued ballots. */
export async function unsyncedPersonal(db: CourtyardDB): Promise<UnsyncedPersonal[]> {
	const items: UnsyncedPersonal[] = [];
	const dirty = personalDocs((await db.syncState.where('dirty').equals(1).primaryKeys()) as string[]);
	for (const doc of dirty) items.push({ doc, kind: parseDocName(doc)!.kind, title: '', what: 'changes' });

	const photoDocs = new Set<string>();
	await db.photos
		.where('state')
		.anyOf('pending', 'failed')
		.each((p) => p.docs.filter((d) => !p.uploaded.includes(d) && isPersonalDoc(d)).forEach((d) => photoDocs.add(d)));
	for (const doc of [...photoDocs].sort()) {
		if (!dirty.includes(doc)) items.push({ doc, kind: parseDocName(doc)!.kind, title: '', what: 'photos' });
	}

	// A resident's vote waiting to be sent is a ballot too: it goes into the grid's ballots document on the relay.
	const outbox = await db.settings.where('key').startsWith(BALLOT_OUTBOX_PREFIX).toArray();
	for (const row of outbox) {
		const state = (row.value as { state?: string } | null)?.state;
		if (state === 'sent' || state === 'refused') continue;
		items.push({ doc: row.key.slice(BALLOT_OUTBOX_PREFIX.length), kind: 'ballots', title: '', what: 'ballot' });
	}

	const titles = await db.index.bulkGet(items.map((i) => i.doc));
	return items.map((item, i) => ({ ...item, title: titles[i]?.title || parseDocName(item.doc)?.id || item.doc }));
}

export interface WipeResult {
	/** Personal documents deleted. */
	docs: string[];
	/** Photos deleted. */
	photos: number;
	/** Queued ballots deleted. */
	ballots: number;
}

/**
 * Deletes the personal documents this device holds and everything derived from them, but for `keep`: documents
 * whose unsynced changes wait for the person's export (the rest goes at once, as nothing of it would be lost).
 * The caller has made sure nothing unsynced is lost without the person's say (unsyncedPersonal) and keeps the
 * documents from being opened meanwhile (DocStore.seal). Queued ballots go only with the final wipe (no `keep`).
 *
 * Photos: one a deleted document lists, or that was taken for one, is deleted, unless a kept document lists it
 * or waits for it; a photo this device took that is also attached to a document that stays (a proposal filed
 * from a visit) only loses the personal document from its uploads. Downloaded copies are deleted whatever else
 * lists them: they are a cache.
 */
export async function wipePersonalData(db: CourtyardDB, store: DocStore, opts: { keep?: readonly string[] } = {}): Promise<WipeResult> {
	const keep = new Set(personalDocs(opts.keep ?? []));
	const held = await heldPersonalDocs(db, store.prefix);
	const docs = held.filter((d) => !keep.has(d));
	const listed = await listedPhotos(store, docs);
	const kept = await listedPhotos(store, [...keep]);

	let photos = 0;
	await db.transaction('rw', db.photos, db.photoData, async () => {
		const remove: string[] = [];
		const update: PhotoMeta[] = [];
		for (const meta of await db.photos.toArray()) {
			const gone = meta.docs.filter((d) => isPersonalDoc(d) && !keep.has(d));
			if (!listed.has(meta.sha) && gone.length === 0) continue;
			if (kept.has(meta.sha) || meta.docs.some((d) => keep.has(d))) continue;
			const others = meta.docs.filter((d) => !isPersonalDoc(d));
			if (meta.origin === 'local' && others.length > 0) {
				const uploaded = meta.uploaded.filter((d) => !isPersonalDoc(d));
				const done = others.every((d) => uploaded.includes(d));
				update.push({ ...meta, docs: others, uploaded, state: done ? 'done' : meta.state === 'failed' ? 'failed' : 'pending' });
			} else remove.push(meta.sha);
		}
		await db.photos.bulkPut(update);
		await db.photos.bulkDelete(remove);
		await db.photoData.bulkDelete(remove);
		photos = remove.length;
	});

	// A wipe cut short (the tab closed) runs again on the next start: the revocation stays recorded until it ends.
	for (const name of docs) await store.remove(name);

	const ballots = keep.size > 0 ? [] : ((await db.settings.where('key').startsWith(BALLOT_OUTBOX_PREFIX).primaryKeys()) as string[]);
	await db.settings.bulkDelete([...ballots, SYNC_CURSOR_KEY]);
	return { docs, photos, ballots: ballots.length };
}

/** The photos the given documents list (an unreadable copy lists none; its attached photos are still caught). */
async function listedPhotos(store: DocStore, names: readonly string[]): Promise<Set<string>> {
	const shas = new Set<string>();
	for (const name of names) {
		const doc = new Y.Doc({ guid: name });
		try {
			Y.applyUpdate(doc, await store.readState(name));
			for (const sha of readPhotoRefs(doc)) shas.add(sha);
		} catch {
			// Damaged: deleted all the same.
		} finally {
			doc.destroy();
		}
	}
	return shas;
}
