import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IndexEntry } from '../schema/index-entry';
import { householdProposals } from './canvassing';
import { openDatabase, type CourtyardDB } from './db';
import { entriesOfKind, heldEntries, indexEntry, indexSize } from './index-reads';
import { MemoryLocalStore } from './memory-local-store';
import { BALLOT_QUEUE, ownBallotStates } from './outbox-keys';
import { pollCandidates, type QueuedBallot } from './polls';
import { mergeCandidates } from './proposals';

let n = 0;
const dbs: CourtyardDB[] = [];
afterEach(() => {
	for (const db of dbs.splice(0)) db.close();
});

function entry(doc: string, over: Partial<IndexEntry> = {}): IndexEntry {
	const [community = 'demo', kind = 'proposal'] = doc.split('/') as [string, IndexEntry['kind']];
	return { doc, community, kind, title: doc, status: 'submitted', category: '', proposalKind: '', channel: '', createdBy: 'u1', updated: 1, count: 0, ...over };
}

async function device(entries: IndexEntry[]) {
	const db = openDatabase(`index-reads-${++n}`);
	dbs.push(db);
	await db.index.bulkPut(entries);
	return { db };
}

describe('index reads', () => {
	it('reads one entry, the held ones of a list in order, and the size', async () => {
		const app = await device([entry('demo/proposal/a'), entry('demo/topic/t')]);
		expect((await indexEntry(app, 'demo/topic/t'))?.kind).toBe('topic');
		expect(await indexEntry(app, 'demo/topic/none')).toBeUndefined();
		expect((await heldEntries(app, ['demo/topic/t', 'demo/poll/none', 'demo/proposal/a'])).map((e) => e.doc)).toEqual(['demo/topic/t', 'demo/proposal/a']);
		expect(await indexSize(app)).toBe(2);
	});

	it('lists entries of one kind or several, through the filter', async () => {
		const app = await device([entry('demo/proposal/a'), entry('demo/topic/t'), entry('demo/poll/p'), entry('east/proposal/b')]);
		expect((await entriesOfKind(app, 'proposal', () => true)).map((e) => e.doc).sort()).toEqual(['demo/proposal/a', 'east/proposal/b']);
		expect((await entriesOfKind(app, ['proposal', 'topic'], (e) => e.community === 'demo')).map((e) => e.doc).sort()).toEqual(['demo/proposal/a', 'demo/topic/t']);
	});
});

describe('area lists on the index', () => {
	it('a household’s proposals: filed for it or co-signed, newest first', async () => {
		const app = await device([
			entry('demo/proposal/old', { household: 'h1', created: 1 }),
			entry('demo/proposal/cosigned', { household: 'h2', coSigners: ['h1'], created: 3 }),
			entry('demo/proposal/other', { household: 'h2', created: 2 }),
			entry('demo/topic/t', { household: 'h1' })
		]);
		expect((await householdProposals(app, 'h1')).map((e) => e.doc)).toEqual(['demo/proposal/cosigned', 'demo/proposal/old']);
	});

	it('merge candidates: other live proposals of the community, most recently changed first', async () => {
		const app = await device([
			entry('demo/proposal/self', { updated: 9 }),
			entry('demo/proposal/a', { updated: 2 }),
			entry('demo/proposal/b', { updated: 5, status: 'deliberating' }),
			entry('demo/proposal/draft', { status: 'draft' }),
			entry('demo/proposal/rejected', { status: 'rejected' }),
			entry('demo/proposal/merged', { status: 'merged' }),
			entry('east/proposal/c')
		]);
		expect((await mergeCandidates(app, 'demo', 'demo/proposal/self')).map((e) => e.doc)).toEqual(['demo/proposal/b', 'demo/proposal/a']);
	});

	it('poll candidates: proposals and topics still to decide, most recently changed first', async () => {
		const app = await device([
			entry('demo/proposal/a', { updated: 2, status: 'deliberating' }),
			entry('demo/topic/t', { updated: 4, status: '' }),
			entry('demo/proposal/closed', { status: 'closed' }),
			entry('demo/proposal/draft', { status: 'draft' }),
			entry('demo/poll/p'),
			entry('east/topic/u')
		]);
		expect((await pollCandidates(app, 'demo')).map((e) => e.doc)).toEqual(['demo/topic/t', 'demo/proposal/a']);
	});

	it('own ballot states per poll, from the ballot queue only', async () => {
		const store = new MemoryLocalStore();
		const ballot = (poll: string, state: QueuedBallot['state']): QueuedBallot => ({ poll, id: `b-${poll}`, option: 'yes', queuedAt: 1, state, attempts: 0 });
		await store.putOutbox(BALLOT_QUEUE, 'demo/poll/p1', ballot('demo/poll/p1', 'queued'));
		await store.putOutbox(BALLOT_QUEUE, 'demo/poll/p2', ballot('demo/poll/p2', 'sent'));
		await store.putOutbox('photos', 'x', { poll: 'demo/poll/p3', state: 'queued' });
		expect(await ownBallotStates(store)).toEqual(
			new Map([
				['demo/poll/p1', 'queued'],
				['demo/poll/p2', 'sent']
			])
		);
	});
});
