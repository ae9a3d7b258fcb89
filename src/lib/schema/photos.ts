/**
 * Photos a document refers to: root key `photos`, a Y.Map from SHA-256 hex to PhotoRef. Every document kind
 * that shows photos lists them here (a visit register may also name them in its own records), so the device
 * can tell which document a photo belongs to — the relay serves a photo only to those who may read such a
 * document. A map rather than a list: two devices adding photos offline both keep theirs after a merge.
 */
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { isPhotoId } from '../protocol/photos';

export const PHOTOS_KEY = 'photos';

export interface PhotoRef {
	at: number;
	by: Actor;
}

const photoMap = (doc: Y.Doc) => doc.getMap<PhotoRef>(PHOTOS_KEY);

/** The photos of a document, oldest first; nothing for a document without the key (it is not created). */
export function readPhotoRefs(doc: Y.Doc): string[] {
	if (!doc.share.has(PHOTOS_KEY)) return [];
	return [...photoMap(doc).entries()]
		.filter(([sha]) => isPhotoId(sha))
		.sort(([a, x], [b, y]) => (x?.at ?? 0) - (y?.at ?? 0) || (a < b ? -1 : 1))
		.map(([sha]) => sha);
}

/**
 * Makes the document's photos exactly `shas`: adds the missing ones and removes the others, leaving photos
 * that stay untouched so a concurrent change on another device merges. Returns whether anything changed.
 */
export function setPhotoRefs(doc: Y.Doc, shas: readonly string[], by: Actor, at: number): boolean {
	const wanted = new Set(shas.filter(isPhotoId));
	const current = readPhotoRefs(doc);
	const added = [...wanted].filter((sha) => !current.includes(sha));
	const removed = current.filter((sha) => !wanted.has(sha));
	if (added.length === 0 && removed.length === 0) return false;
	doc.transact(() => {
		const map = photoMap(doc);
		for (const sha of removed) map.delete(sha);
		// Consecutive times keep the order in which they were picked.
		added.forEach((sha, i) => map.set(sha, { at: at + i, by }));
	});
	return true;
}
