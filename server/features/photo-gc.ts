/**
 * Photo garbage collection: deletes the photos that no document references.
 *
 * An upload links a photo to the document named in the request, which the device may write, but nothing makes
 * the document refer to it: a device could store hundreds of megabytes "for" documents it invents. So, once a
 * link is older than the grace period, the document itself is read; a link whose document does not name the
 * photo (in its `photos` register or anywhere in its records, e.g. a project's receipts or acceptance photos) is
 * removed, and then every photo left without links, also older than the grace period, is deleted.
 *
 * The grace period exists because a photo taken offline is uploaded before (or together with) the document
 * change that refers to it; a week by default. A document the relay cannot read is left alone: nothing is deleted
 * for a reference the collector could not check.
 */
import * as Y from 'yjs';
import { isPhotoId } from '../../src/lib/protocol/photos';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { readPhotoRefs } from '../../src/lib/schema/photos';
import type { Logger } from '../core/log';
import type { PhotoStore } from '../storage/photo-store';

export interface PhotoGcOptions {
	photos: PhotoStore;
	/** A document's whole stored state as one update, or null when it has none; throws when unreadable. */
	readState(doc: string): Promise<Uint8Array | null>;
	/** Links and photos younger than this are kept whatever refers to them. */
	graceMs: number;
	now?: () => number;
	logger?: Logger;
}

export interface PhotoGcResult {
	/** Links removed because their document does not refer to the photo. */
	unlinked: number;
	/** Photos deleted, and their bytes. */
	deleted: number;
	bytes: number;
	/** Documents that could not be read (their links were kept). */
	unreadable: number;
}

const PAGE = 500;

/** Every photo id the document names: its photo register and any record field or map key holding one. */
export function referencedPhotos(doc: Y.Doc): Set<string> {
	const found = new Set<string>(readPhotoRefs(doc));
	const visit = (value: unknown, depth: number): void => {
		if (depth > 32) return;
		if (typeof value === 'string') {
			if (isPhotoId(value)) found.add(value);
		} else if (Array.isArray(value)) {
			for (const v of value) visit(v, depth + 1);
		} else if (value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) {
				if (isPhotoId(k)) found.add(k);
				visit(v, depth + 1);
			}
		}
	};
	for (const [name, type] of doc.share) {
		let json: unknown;
		try {
			if (type instanceof Y.Map || type instanceof Y.Array) json = type.toJSON();
			// A root not yet typed by a reader: a map if it has keys, otherwise a sequence.
			else json = type._map.size > 0 ? doc.getMap(name).toJSON() : doc.getArray(name).toJSON();
		} catch {
			continue;
		}
		visit(json, 0);
	}
	return found;
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One collection pass; safe to run while the relay serves (also from another process). */
export async function collectPhotoGarbage(options: PhotoGcOptions): Promise<PhotoGcResult> {
	const { photos, readState, graceMs } = options;
	const before = (options.now ?? Date.now)() - graceMs;
	const result: PhotoGcResult = { unlinked: 0, deleted: 0, bytes: 0, unreadable: 0 };
	// Each document is read once per pass; the links come ordered by document.
	let current = null as { doc: string; refs: Set<string> | null } | null;
	let cursor: { doc: string; sha: string } | undefined;
	for (;;) {
		const links = await photos.linksBefore(before, PAGE, cursor);
		for (const link of links) {
			cursor = { doc: link.doc, sha: link.sha };
			if (current?.doc !== link.doc) {
				current = { doc: link.doc, refs: await references(link.doc, readState, options.logger) };
				if (current.refs === null) result.unreadable++;
				await yieldToOthers();
			}
			if (current.refs === null || current.refs.has(link.sha)) continue;
			await photos.unlink(link.sha, link.doc);
			result.unlinked++;
		}
		if (links.length < PAGE) break;
	}
	for (;;) {
		const orphans = await photos.unlinkedBefore(before, PAGE);
		let removed = 0;
		for (const sha of orphans) {
			const size = await photos.removeIfUnlinked(sha, before);
			if (size === null) continue;
			removed++;
			result.deleted++;
			result.bytes += size;
		}
		if (orphans.length < PAGE || removed === 0) break;
	}
	return result;
}

/** The photos a document refers to; empty for an unknown document, null when it cannot be read. */
async function references(doc: string, readState: PhotoGcOptions['readState'], logger?: Logger): Promise<Set<string> | null> {
	if (!parseDocName(doc)) return new Set();
	let state: Uint8Array | null;
	try {
		state = await readState(doc);
	} catch (error) {
		logger?.warn(`photo collection: could not read ${doc}; its photos are kept`, error);
		return null;
	}
	if (!state) return new Set();
	const ydoc = new Y.Doc({ gc: true });
	try {
		Y.applyUpdate(ydoc, state);
		return referencedPhotos(ydoc);
	} catch (error) {
		logger?.warn(`photo collection: could not read ${doc}; its photos are kept`, error);
		return null;
	} finally {
		ydoc.destroy();
	}
}

/** A document's stored rows merged into one update (for collectors without a hub, e.g. the admin CLI). */
export async function storedState(loadUpdates: (doc: string) => Promise<Uint8Array[]>, doc: string): Promise<Uint8Array | null> {
	const rows = await loadUpdates(doc);
	if (rows.length === 0) return null;
	return rows.length === 1 ? (rows[0] as Uint8Array) : Y.mergeUpdates(rows);
}

/** Runs a collection at start (after `firstDelayMs`) and then every `intervalMs`; one pass at a time. */
export function schedulePhotoGc(
	options: PhotoGcOptions & { intervalMs: number; firstDelayMs?: number; logger: Logger }
): { stop(): Promise<void>; runNow(): Promise<PhotoGcResult> } {
	let running: Promise<PhotoGcResult> | null = null;
	let stopped = false;
	const runNow = (): Promise<PhotoGcResult> =>
		(running ??= collectPhotoGarbage(options)
			.then((result) => {
				if (result.deleted > 0 || result.unlinked > 0) {
					options.logger.info(`photo collection: ${result.unlinked} links and ${result.deleted} photos (${result.bytes} bytes) removed`);
				}
				return result;
			})
			.finally(() => {
				running = null;
			}));
	const tick = () => {
		if (stopped) return;
		runNow().catch((error: unknown) => options.logger.warn('photo collection failed', error));
	};
	const timers: NodeJS.Timeout[] = [];
	if (options.intervalMs > 0) {
		const first = setTimeout(tick, options.firstDelayMs ?? 60_000);
		first.unref();
		const every = setInterval(tick, options.intervalMs);
		every.unref();
		timers.push(first, every);
	}
	return {
		runNow,
		stop: async () => {
			stopped = true;
			for (const t of timers) clearTimeout(t);
			await running?.catch(() => {});
		}
	};
}
