/**
 * The PhotoMetaStore contract (photo-meta.ts) as one suite that every implementation runs: MemoryPhotoMeta and
 * SqlitePhotoMeta in photo-meta.spec.ts, PgPhotoMeta in tests/integration/photo-meta-postgres.test.ts against a
 * real server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type PhotoMetaStore, type PhotoOwner, PhotoQuotaError } from './photo-meta';

export interface OpenedPhotoMeta {
	store: PhotoMetaStore;
	/** A second store on the same storage (another process's view), if the implementation persists. */
	another?: () => Promise<PhotoMetaStore>;
	cleanup?: () => Promise<void> | void;
}

export const sha = (n: number) => n.toString(16).padStart(64, '0');
const jpeg = (size: number) => ({ type: 'image/jpeg' as const, size });
const owner = (device: string, community: string, deviceQuota = Infinity, communityQuota = Infinity): PhotoOwner => ({
	device,
	community,
	deviceQuota,
	communityQuota
});

export function photoMetaContract(name: string, open: () => Promise<OpenedPhotoMeta>): void {
	describe(`PhotoMetaStore contract: ${name}`, () => {
		const opened: Array<{ stores: PhotoMetaStore[]; cleanup?: OpenedPhotoMeta['cleanup'] }> = [];
		afterEach(async () => {
			for (const o of opened.splice(0)) {
				for (const s of o.stores) await s.close();
				await o.cleanup?.();
			}
		});
		async function fresh(): Promise<OpenedPhotoMeta> {
			const o = await open();
			opened.push({ stores: [o.store], cleanup: o.cleanup });
			return o;
		}

		it('adds a photo on its first link and links it to more documents, oldest link first', async () => {
			const { store } = await fresh();
			expect(await store.get(sha(1))).toBeNull();
			expect(await store.docs(sha(1))).toEqual([]);
			expect(await store.link(sha(1), jpeg(100), 'demo:proposal:b', owner('d1', 'demo'), 10)).toEqual({ linked: true, isNew: true });
			expect(await store.link(sha(1), jpeg(100), 'demo:proposal:a', owner('d2', 'demo'), 20)).toEqual({ linked: true, isNew: false });
			expect(await store.link(sha(1), jpeg(100), 'demo:proposal:b', null, 30)).toEqual({ linked: true, isNew: false });
			expect(await store.get(sha(1))).toEqual(jpeg(100));
			expect(await store.docs(sha(1))).toEqual(['demo:proposal:b', 'demo:proposal:a']);
			// Counted once, for the device that first stored it.
			expect(await store.usage('d1', 'demo')).toEqual({ device: 100, community: 100 });
			expect(await store.usage('d2', 'other')).toEqual({ device: 0, community: 0 });
		});

		it('refuses a new photo past the device or the community quota, adding nothing, but links stored ones', async () => {
			const { store } = await fresh();
			await store.link(sha(1), jpeg(600), 'demo:proposal:a', owner('d1', 'demo', 1_000, 1_500), 1);
			const overDevice = store.link(sha(2), jpeg(500), 'demo:proposal:a', owner('d1', 'demo', 1_000, 1_500), 2);
			await expect(overDevice).rejects.toBeInstanceOf(PhotoQuotaError);
			await expect(overDevice).rejects.toMatchObject({ quota: 'device', limit: 1_000, used: 600 });
			expect(await store.get(sha(2))).toBeNull();
			expect(await store.docs(sha(2))).toEqual([]);

			await store.link(sha(3), jpeg(800), 'demo:proposal:a', owner('d2', 'demo', 1_000, 1_500), 3);
			await expect(store.link(sha(4), jpeg(200), 'demo:proposal:a', owner('d3', 'demo', 1_000, 1_500), 4)).rejects.toMatchObject({
				quota: 'community',
				limit: 1_500,
				used: 1_400
			});
			// Exactly at the quota is allowed; stored bytes cost nothing to link again.
			expect(await store.link(sha(5), jpeg(100), 'demo:proposal:a', owner('d3', 'demo', 1_000, 1_500), 5)).toMatchObject({ isNew: true });
			expect(await store.link(sha(1), jpeg(600), 'demo:proposal:c', owner('d9', 'demo', 0, 0), 6)).toEqual({ linked: true, isNew: false });
			expect(await store.usage('d3', 'demo')).toEqual({ device: 100, community: 1_500 });
		});

		it('never lets concurrent new photos pass a quota together', async () => {
			const o = await fresh();
			const stores = [o.store];
			if (o.another) {
				const other = await o.another();
				opened.at(-1)!.stores.push(other);
				stores.push(other);
			}
			const results = await Promise.allSettled(
				Array.from({ length: 8 }, (_, i) =>
					stores[i % stores.length]!.link(sha(100 + i), jpeg(1_000), 'demo:proposal:p', owner(`d${i}`, 'demo', Infinity, 3_000), i)
				)
			);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
			const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
			expect(refused.every((r) => r.reason instanceof PhotoQuotaError && r.reason.quota === 'community')).toBe(true);
			expect((await o.store.usage('none', 'demo')).community).toBe(3_000);
		});

		it('adds a photo once when two uploads of the same bytes race', async () => {
			const o = await fresh();
			const other = o.another ? await o.another() : o.store;
			if (other !== o.store) opened.at(-1)!.stores.push(other);
			const results = await Promise.all([
				o.store.link(sha(1), jpeg(10), 'demo:proposal:a', owner('d1', 'demo'), 1),
				other.link(sha(1), jpeg(10), 'demo:proposal:b', owner('d2', 'demo'), 1)
			]);
			expect(results.filter((r) => r.linked && r.isNew)).toHaveLength(1);
			expect((await o.store.docs(sha(1))).sort()).toEqual(['demo:proposal:a', 'demo:proposal:b']);
			expect((await o.store.usage('d1', 'demo')).community).toBe(10);
		});

		it('lists links created before a time by (doc, sha) from a cursor, and unlinks them', async () => {
			const { store } = await fresh();
			await store.link(sha(2), jpeg(1), 'demo:proposal:b', null, 10);
			await store.link(sha(1), jpeg(1), 'demo:proposal:b', null, 11);
			await store.link(sha(3), jpeg(1), 'demo:proposal:a', null, 12);
			await store.link(sha(1), jpeg(1), 'demo:proposal:c', null, 50);
			const all = await store.linksBefore(20, 10);
			expect(all).toEqual([
				{ sha: sha(3), doc: 'demo:proposal:a', createdAt: 12 },
				{ sha: sha(1), doc: 'demo:proposal:b', createdAt: 11 },
				{ sha: sha(2), doc: 'demo:proposal:b', createdAt: 10 }
			]);
			expect(await store.linksBefore(20, 1, { doc: 'demo:proposal:a', sha: sha(3) })).toEqual([all[1]]);
			expect(await store.linksBefore(20, 5, { doc: 'demo:proposal:b', sha: sha(1) })).toEqual([all[2]]);
			expect(await store.linksBefore(11, 5)).toEqual([all[2]]);

			await store.unlink(sha(1), 'demo:proposal:b');
			await store.unlink(sha(1), 'demo:proposal:none');
			expect(await store.docs(sha(1))).toEqual(['demo:proposal:c']);
			expect(await store.unlinkedBefore(100, 10)).toEqual([]);
			await store.unlink(sha(1), 'demo:proposal:c');
			expect(await store.get(sha(1))).toEqual(jpeg(1));
			expect(await store.unlinkedBefore(100, 10)).toEqual([sha(1)]);
			// Stored at 11: not before 11.
			expect(await store.unlinkedBefore(11, 10)).toEqual([]);
		});

		it('removes a photo without links in two steps, refusing links meanwhile, and frees its quota', async () => {
			const { store } = await fresh();
			await store.link(sha(1), jpeg(300), 'demo:proposal:a', owner('d1', 'demo'), 10);
			expect(await store.beginRemoval(sha(1), 100, 200, 0)).toBeNull();
			await store.unlink(sha(1), 'demo:proposal:a');
			// Too young, or unknown: nothing to remove.
			expect(await store.beginRemoval(sha(1), 10, 200, 0)).toBeNull();
			expect(await store.beginRemoval(sha(9), 100, 200, 0)).toBeNull();

			expect(await store.beginRemoval(sha(1), 100, 200, 150)).toEqual({ size: 300, since: 200 });
			// Another collector leaves a fresh mark alone.
			expect(await store.beginRemoval(sha(1), 100, 201, 150)).toBeNull();
			expect(await store.get(sha(1))).toBeNull();
			expect(await store.link(sha(1), jpeg(300), 'demo:proposal:b', owner('d2', 'demo'), 205)).toEqual({ linked: false, removingSince: 200 });
			expect(await store.docs(sha(1))).toEqual([]);
			// Still counted until the removal ends; a crashed removal is found again.
			expect(await store.usage('d1', 'demo')).toEqual({ device: 300, community: 300 });
			expect(await store.unlinkedBefore(100, 10)).toEqual([sha(1)]);

			expect(await store.endRemoval(sha(1), 199)).toBe(false);
			expect(await store.endRemoval(sha(1), 200)).toBe(true);
			expect(await store.endRemoval(sha(1), 200)).toBe(false);
			expect(await store.usage('d1', 'demo')).toEqual({ device: 0, community: 0 });
			expect(await store.unlinkedBefore(1_000, 10)).toEqual([]);
			expect(await store.link(sha(1), jpeg(300), 'demo:proposal:b', owner('d2', 'demo'), 300)).toEqual({ linked: true, isNew: true });
			expect(await store.usage('d2', 'demo')).toEqual({ device: 300, community: 300 });
		});

		it('lets a later collector take over a stale removal mark', async () => {
			const { store } = await fresh();
			await store.link(sha(1), jpeg(5), 'demo:proposal:a', null, 10);
			await store.unlink(sha(1), 'demo:proposal:a');
			expect(await store.beginRemoval(sha(1), 100, 200, 0)).toEqual({ size: 5, since: 200 });
			expect(await store.beginRemoval(sha(1), 100, 900, 300)).toEqual({ size: 5, since: 900 });
			expect(await store.endRemoval(sha(1), 200)).toBe(false);
			expect(await store.endRemoval(sha(1), 900)).toBe(true);
		});

		it('never begins removing a photo that another store linked meanwhile', async () => {
			const o = await fresh();
			const other = o.another ? await o.another() : o.store;
			if (other !== o.store) opened.at(-1)!.stores.push(other);
			for (let round = 0; round < 20; round++) {
				const key = sha(1_000 + round);
				await o.store.link(key, jpeg(1), 'demo:proposal:a', null, 1);
				await o.store.unlink(key, 'demo:proposal:a');
				const [linked, removal] = await Promise.all([other.link(key, jpeg(1), 'demo:proposal:b', null, 2), o.store.beginRemoval(key, 100, 200, 0)]);
				// Exactly one of them wins.
				expect(linked.linked).toBe(removal === null);
				if (removal) expect(await o.store.endRemoval(key, removal.since)).toBe(true);
				else expect(await o.store.docs(key)).toEqual(['demo:proposal:b']);
			}
		});
	});
}
