/**
 * Export and import of local changes, for a device that cannot sync them (revoked credential, signing out
 * before the relay is reachable). A backup holds the full Yjs state of each document, so importing it on any
 * device merges it like any other update: nothing is overwritten, nothing duplicated.
 */
import * as Y from 'yjs';
import { parseDocName } from '../schema/doc-names';
import type { LocalDocuments, LocalIndex, LocalSyncState } from './local-store';

export const BACKUP_FORMAT = 'courtyard-backup';
export const BACKUP_VERSION = 1;
/** Refuse absurd files before parsing them (a phone has little memory to spare). */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

export interface BackupDoc {
	doc: string;
	/** Base64 of Y.encodeStateAsUpdate. */
	update: string;
}

export interface Backup {
	format: typeof BACKUP_FORMAT;
	version: number;
	exportedAt: number;
	device: string;
	docs: BackupDoc[];
}

export class BackupError extends Error {
	constructor(
		readonly code: 'too_large' | 'not_json' | 'wrong_format' | 'newer_version' | 'bad_document',
		message: string
	) {
		super(message);
		this.name = 'BackupError';
	}
}

export function toBase64(bytes: Uint8Array): string {
	let s = '';
	for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
	const s = atob(text);
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
}

export function makeBackup(device: string, docs: { doc: string; update: Uint8Array }[], now: number): Backup {
	return {
		format: BACKUP_FORMAT,
		version: BACKUP_VERSION,
		exportedAt: now,
		device,
		docs: docs.map((d) => ({ doc: d.doc, update: toBase64(d.update) }))
	};
}

/** Parses and checks a backup file completely before anything is applied; throws BackupError. */
export function parseBackup(text: string): { doc: string; update: Uint8Array }[] {
	if (text.length > MAX_BACKUP_BYTES) throw new BackupError('too_large', 'backup file is too large');
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw new BackupError('not_json', 'not a backup file (not JSON)');
	}
	const b = data as Partial<Backup> | null;
	if (!b || b.format !== BACKUP_FORMAT || !Array.isArray(b.docs)) {
		throw new BackupError('wrong_format', 'not a Courtyard backup file');
	}
	if (typeof b.version !== 'number' || b.version > BACKUP_VERSION) {
		throw new BackupError('newer_version', 'backup made by a newer version of the app');
	}
	return b.docs.map((d, i) => {
		if (!d || typeof d.doc !== 'string' || !parseDocName(d.doc) || typeof d.update !== 'string') {
			throw new BackupError('bad_document', `entry ${i + 1} is damaged`);
		}
		let update: Uint8Array;
		try {
			update = fromBase64(d.update);
			// Decoding into a scratch document proves the update is well-formed before we store it.
			Y.applyUpdate(new Y.Doc({ guid: d.doc }), update);
		} catch {
			throw new BackupError('bad_document', `entry ${i + 1} (${d.doc}) is damaged`);
		}
		return { doc: d.doc, update };
	});
}

/** What the backup needs of the device's storage (the IndexedDB store in the app, the in-memory one in tests). */
export type BackupStore = Pick<LocalSyncState, 'dirtyDocs'> & Pick<LocalIndex, 'indexEntries'> & Pick<LocalDocuments, 'readState' | 'openDoc'>;

/** Documents with changes the relay has not acknowledged, with their titles where known. */
export async function pendingDocs(store: BackupStore): Promise<{ doc: string; title: string }[]> {
	const dirty = await store.dirtyDocs();
	const entries = await store.indexEntries(dirty);
	return dirty.map((doc, i) => ({ doc, title: entries[i]?.title ?? doc }));
}

/** A backup of every document with unsynced changes, as a JSON file the user can keep or import elsewhere. */
export async function exportPending(store: BackupStore, device: string, now = Date.now()): Promise<Blob> {
	const docs = await pendingDocs(store);
	const states = await Promise.all(docs.map(async (d) => ({ doc: d.doc, update: await store.readState(d.doc) })));
	return new Blob([JSON.stringify(makeBackup(device, states, now))], { type: 'application/json' });
}

/** Merges a backup file into local storage; it syncs like any local change. Throws BackupError when damaged. */
export async function importBackup(store: BackupStore, text: string): Promise<number> {
	const docs = parseBackup(text);
	for (const { doc, update } of docs) {
		const handle = await store.openDoc(doc);
		try {
			Y.applyUpdate(handle.doc, update);
			await handle.saved();
		} finally {
			handle.release();
		}
	}
	return docs.length;
}
