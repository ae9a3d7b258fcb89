import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import type { ProposalDraft } from '../domain/proposal';
import { PHOTOS_KEY, readPhotoRefs, setPhotoRefs } from './photos';
import { createProposal, editProposal, readProposal, type WithPhotos } from './proposal-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { facilitatorActor, gridWorkerActor, proposalDraft } from '../domain/testing';

const worker = gridWorkerActor({ id: 'w1', name: '网格员' });
const facilitator = facilitatorActor({ name: '主持人' });
const sha = (c: string) => c.repeat(64);

const draft = (photos?: string[]): WithPhotos<ProposalDraft> => ({
	...proposalDraft({ title: '单元门坏了', description: '3 栋 2 单元门关不上', channel: 'visit' }),
	...(photos ? { photos } : {})
});

describe('photo references', () => {
	it('keeps the order photos were added in and ignores malformed keys', () => {
		const doc = new Y.Doc();
		expect(setPhotoRefs(doc, [sha('b'), sha('a'), 'not-a-hash'], worker, 100)).toBe(true);
		expect(readPhotoRefs(doc)).toEqual([sha('b'), sha('a')]);
		expect(setPhotoRefs(doc, [sha('b'), sha('a')], worker, 200)).toBe(false);
		doc.getMap(PHOTOS_KEY).set('junk', { at: 1, by: worker });
		expect(readPhotoRefs(doc)).toEqual([sha('b'), sha('a')]);
	});

	it('does not create the root key on a document that has none', () => {
		const doc = new Y.Doc();
		expect(readPhotoRefs(doc)).toEqual([]);
		expect(doc.share.has(PHOTOS_KEY)).toBe(false);
	});

	it('merges photos added and removed on two devices offline', () => {
		const a = new Y.Doc();
		setPhotoRefs(a, [sha('1'), sha('2')], worker, 10);
		const b = new Y.Doc();
		sync(a, b);
		setPhotoRefs(a, [sha('1'), sha('2'), sha('3')], worker, 20);
		setPhotoRefs(b, [sha('2'), sha('4')], facilitator, 30);
		sync(a, b);
		expect(readPhotoRefs(a)).toEqual([sha('2'), sha('3'), sha('4')]);
		expect(readPhotoRefs(b)).toEqual(readPhotoRefs(a));
	});
});

describe('proposal photos', () => {
	it('are written on creation and read into the proposal', () => {
		const doc = new Y.Doc();
		createProposal(doc, draft([sha('c')]), { id: 'p1', actor: worker, now: 5, status: 'submitted' });
		expect(readProposal(doc).photos).toEqual([sha('c')]);
		expect(doc.getMap<{ by: Actor }>(PHOTOS_KEY).get(sha('c'))?.by).toEqual(worker);
	});

	it('default to none, and an edit that leaves them out keeps them', () => {
		const doc = new Y.Doc();
		createProposal(doc, draft(), { id: 'p1', actor: worker, now: 5, status: 'submitted' });
		expect(readProposal(doc).photos).toEqual([]);
		editProposal(doc, { photos: [sha('d')] }, worker, 'visit', 6);
		editProposal(doc, { title: '单元门关不上' }, worker, 'app', 7);
		expect(readProposal(doc).photos).toEqual([sha('d')]);
	});

	it('record an edit of the photos in the timeline, with who and through which channel', () => {
		const doc = new Y.Doc();
		createProposal(doc, draft(), { id: 'p1', actor: worker, now: 5, status: 'submitted' });
		expect(editProposal(doc, { photos: [sha('e')] }, facilitator, 'app', 9)).toEqual(['photos']);
		const edit = readProposal(doc).timeline.events.at(-1);
		expect(edit).toMatchObject({ type: 'edited', fields: ['photos'], by: facilitator, channel: 'app', at: 9 });
		expect(editProposal(doc, { photos: [sha('e')] }, facilitator, 'app', 10)).toEqual([]);
		expect(editProposal(doc, { photos: [] }, facilitator, 'app', 11)).toEqual(['photos']);
		expect(readProposal(doc).photos).toEqual([]);
	});
});
