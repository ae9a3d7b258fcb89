/**
 * The shared contract suite of PhotoRecords: photo-records-memory.spec.ts and photo-records-idb.spec.ts (over
 * fake-indexeddb) run it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PhotoMeta } from './db';
import type { PhotoRecords } from './photo-records';

export interface PhotoRecordsHarness {
	records: PhotoRecords;
	close(): Promise<void> | void;
}

const meta = (sha: string, over: Partial<PhotoMeta> = {}): PhotoMeta => ({
	sha,
	type: 'image/png',
	size: 3,
	addedAt: 1_000,
	origin: 'local',
	docs: [],
	uploaded: [],
	state: 'pending',
	attempts: 0,
	nextAttempt: 0,
	error: null,
	...over
});

export function photoRecordsContract(name: string, make: () => PhotoRecordsHarness | Promise<PhotoRecordsHarness>): void {
	describe(`PhotoRecords contract: ${name}`, () => {
		const open: PhotoRecordsHarness[] = [];
		afterEach(async () => {
			for (const h of open.splice(0)) await h.close();
		});
		async function fresh(): Promise<PhotoRecords> {
			const h = await make();
			open.push(h);
			return h.records;
		}

		it('stores a record with its bytes, and reads them back', async () => {
			const r = await fresh();
			expect(await r.get('a')).toBeUndefined();
			const [stored] = await r.change(['a'], (m) => (m ? undefined : { meta: meta('a', { docs: ['demo:proposal:1'] }), blob: new Blob(['abc']) }));
			expect(stored).toMatchObject({ sha: 'a', docs: ['demo:proposal:1'], state: 'pending' });
			expect(await r.get('a')).toEqual(stored);
			expect(await (await r.bytes('a'))?.text()).toBe('abc');
			expect(await r.getMany(['a', 'b'])).toEqual([stored, undefined]);
		});

		it('leaves a record when the change returns nothing, and keeps the bytes when only the record changes', async () => {
			const r = await fresh();
			await r.change(['a'], () => ({ meta: meta('a'), blob: new Blob(['abc']) }));
			const [same] = await r.change(['a'], () => undefined);
			expect(same).toMatchObject({ sha: 'a', attempts: 0 });
			await r.change(['a'], (m) => m && { meta: { ...m, attempts: 2 } });
			expect(await r.get('a')).toMatchObject({ attempts: 2 });
			expect(await (await r.bytes('a'))?.text()).toBe('abc');
		});

		it('lists records by state, oldest first, and changes or deletes them by state', async () => {
			const r = await fresh();
			await r.change(['new', 'old', 'gone', 'done'], (_m, sha) => ({
				meta: meta(sha, {
					addedAt: { new: 3, old: 1, gone: 2, done: 4 }[sha]!,
					state: sha === 'gone' ? 'unattached' : sha === 'done' ? 'done' : 'failed'
				}),
				blob: new Blob([sha])
			}));
			expect((await r.inStates(['failed'])).map((m) => m.sha)).toEqual(['old', 'new']);
			expect((await r.inStates(['failed', 'unattached'])).map((m) => m.sha)).toEqual(['old', 'gone', 'new']);
			expect(await r.changeInStates(['unattached'], () => 'delete')).toBe(1);
			expect(await r.get('gone')).toBeUndefined();
			expect(await r.bytes('gone')).toBeUndefined();
			const changed = await r.changeInStates(['failed', 'done'], (m) => (m.state === 'failed' ? { meta: { ...m, state: 'pending', nextAttempt: 0 } } : undefined));
			expect(changed).toBe(2);
			expect((await r.inStates(['pending'])).map((m) => m.sha)).toEqual(['old', 'new']);
			expect(await r.get('done')).toMatchObject({ state: 'done' });
		});

		it('hands out copies: changing what was read changes nothing stored', async () => {
			const r = await fresh();
			await r.change(['a'], () => ({ meta: meta('a', { docs: ['d1'] }), blob: new Blob(['x']) }));
			const read = (await r.get('a'))!;
			read.docs.push('d2');
			read.attempts = 9;
			expect(await r.get('a')).toMatchObject({ docs: ['d1'], attempts: 0 });
		});

		it('deletes one record with its bytes, and clears everything', async () => {
			const r = await fresh();
			await r.change(['a', 'b'], (_m, sha) => ({ meta: meta(sha), blob: new Blob([sha]) }));
			const [gone] = await r.change(['a'], () => 'delete');
			expect(gone).toBeUndefined();
			expect(await r.bytes('a')).toBeUndefined();
			expect(await r.get('b')).toBeDefined();
			await r.clear();
			expect(await r.inStates(['pending'])).toEqual([]);
			expect(await r.bytes('b')).toBeUndefined();
		});
	});
}
