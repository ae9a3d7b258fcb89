import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { setPhotoRefs } from '../../src/lib/schema/photos';
import { collectPhotoGarbage, referencedPhotos } from './photo-gc';
import { MemoryPhotoStore } from '../storage/photo-store';
import { facilitatorActor } from '../../src/lib/domain/testing';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const actor = facilitatorActor({ id: 'd1', name: 'x' });

/** A document as the relay reads it: from an update, with no reader having typed its roots. */
function fromUpdate(edit: (d: Y.Doc) => void): Y.Doc {
	const source = new Y.Doc();
	edit(source);
	const doc = new Y.Doc();
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
	return doc;
}

describe('referencedPhotos', () => {
	it('finds photos in the register, in record fields, in arrays and as map keys, and nothing else', () => {
		const doc = fromUpdate((d) => {
			setPhotoRefs(d, [sha(1)], actor, 1);
			d.getMap('receipts').set('r1', { amount: 100, photos: [sha(2)] });
			d.getMap('acceptancePhotos').set(sha(3), { at: 1 });
			d.getArray('progress').push([{ note: 'done', photo: sha(4) }]);
			d.getMap('meta').set('title', sha(0xabcdef).toUpperCase());
			d.getText('notes').insert(0, sha(6));
		});
		expect([...referencedPhotos(doc)].sort()).toEqual([sha(1), sha(2), sha(3), sha(4)]);
	});
});

describe('collectPhotoGarbage', () => {
	it('removes links their document does not name and then photos without links, keeping young ones', async () => {
		const photos = new MemoryPhotoStore();
		const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1]);
		await photos.put(sha(1), bytes, 'image/jpeg', 'demo:proposal:a');
		await photos.put(sha(2), bytes, 'image/jpeg', 'demo:proposal:a');
		await photos.put(sha(2), bytes, 'image/jpeg', 'demo:proposal:b');
		await photos.put(sha(3), bytes, 'image/jpeg', 'demo:proposal:unknown');
		const state = new Y.Doc();
		setPhotoRefs(state, [sha(1)], actor, 1);
		const b = new Y.Doc();
		setPhotoRefs(b, [sha(2)], actor, 1);
		const states: Record<string, Uint8Array> = { 'demo:proposal:a': Y.encodeStateAsUpdate(state), 'demo:proposal:b': Y.encodeStateAsUpdate(b) };
		const readState = async (doc: string) => states[doc] ?? null;

		// Everything is younger than the grace period: nothing goes.
		expect(await collectPhotoGarbage({ photos, readState, graceMs: 60_000 })).toMatchObject({ unlinked: 0, deleted: 0 });
		const result = await collectPhotoGarbage({ photos, readState, graceMs: 0, now: () => Date.now() + 1 });
		expect(result).toEqual({ unlinked: 2, deleted: 1, bytes: bytes.length, unreadable: 0 });
		expect(await photos.docs(sha(1))).toEqual(['demo:proposal:a']);
		expect(await photos.docs(sha(2))).toEqual(['demo:proposal:b']);
		expect(await photos.read(sha(3))).toBeNull();
	});

	it('keeps the links of a document it cannot read', async () => {
		const photos = new MemoryPhotoStore();
		await photos.put(sha(1), new Uint8Array([1]), 'image/jpeg', 'demo:proposal:a');
		const result = await collectPhotoGarbage({
			photos,
			readState: async () => new Uint8Array([0xff, 0xff, 0xff]),
			graceMs: 0,
			now: () => Date.now() + 1
		});
		expect(result).toEqual({ unlinked: 0, deleted: 0, bytes: 0, unreadable: 1 });
		expect(await photos.docs(sha(1))).toEqual(['demo:proposal:a']);
	});
});
