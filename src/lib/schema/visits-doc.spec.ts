import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Visit } from '../domain/visit';
import { indexEntry } from './index-entry';
import { readPhotoRefs } from './photos';
import { addVisit, linkProposal, readVisits } from './visits-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { gridWorkerActor, visit as visitRecord } from '../domain/testing';

const worker = gridWorkerActor({ id: 'gw1' });
const visit = (id: string, at: number, over: Partial<Visit> = {}): Visit => visitRecord({ id, at, by: worker, ...over });

describe('visits document', () => {
	it('keeps both records when two offline devices visit the same household', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		addVisit(a, visit('va', 2000, { outcome: 'not_home' }));
		addVisit(b, visit('vb', 1000, { needs: { tags: ['repair'], text: '水管漏水' } }));
		sync(a, b);
		expect(readVisits(a)).toEqual(readVisits(b));
		expect(readVisits(a).map((v) => v.id)).toEqual(['vb', 'va']);
		expect(readVisits(a)[0]!.needs.text).toBe('水管漏水');
	});

	it('writes a record once: a second write with the same id is refused', () => {
		const doc = new Y.Doc();
		expect(addVisit(doc, visit('v1', 1000))).toBe(true);
		expect(addVisit(doc, visit('v1', 5000, { outcome: 'declined' }))).toBe(false);
		expect(readVisits(doc)).toEqual([visit('v1', 1000)]);
	});

	it('links the proposal filed during a visit without rewriting the visit', () => {
		const a = new Y.Doc();
		addVisit(a, visit('v1', 1000, { proposal: 'demo:proposal:p0' }));
		expect(readVisits(a)[0]!.proposal).toBe('demo:proposal:p0');
		const b = new Y.Doc();
		sync(a, b);
		linkProposal(b, 'v1', 'demo:proposal:p1');
		sync(a, b);
		expect(readVisits(a)[0]).toEqual(visit('v1', 1000, { proposal: 'demo:proposal:p1' }));
	});

	it('lists every visit’s photos as the document’s photos, so they upload for it', () => {
		const doc = new Y.Doc();
		const [a, b] = ['a'.repeat(64), 'b'.repeat(64)];
		addVisit(doc, visit('v1', 1000, { photos: [a] }));
		addVisit(doc, visit('v2', 2000, { photos: [b, a] }));
		expect(readPhotoRefs(doc)).toEqual([a, b]);
		expect(readVisits(doc)[1]!.photos).toEqual([b, a]);
	});

	it('leaves out entries that are not visits', () => {
		const doc = new Y.Doc();
		addVisit(doc, visit('v1', 1000));
		doc.getMap<unknown>('visits').set('junk', { id: 'junk', outcome: 'talked' });
		doc.getMap<unknown>('visits').set('v2', visit('other-id', 1000));
		expect(readVisits(doc).map((v) => v.id)).toEqual(['v1']);
	});

	it('is indexed with its count of visits and the time of the latest', () => {
		const doc = new Y.Doc();
		addVisit(doc, visit('v1', 1000));
		addVisit(doc, visit('v2', 3000));
		expect(indexEntry('demo:visits:g1', doc)).toMatchObject({ kind: 'visits', title: 'g1', count: 2, updated: 3000 });
	});
});
