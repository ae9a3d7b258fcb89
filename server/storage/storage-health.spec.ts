import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store';
import { monitorStore, READ_WINDOW_MS, StorageHealth } from './storage-health';

describe('StorageHealth', () => {
	it('reports writes failing until a write succeeds, and reads failing for a while after a read failed', async () => {
		let now = 1_000_000;
		const health = new StorageHealth(() => now);
		const inner = new MemoryStore();
		let failAppends = false;
		const flaky = Object.assign(Object.create(Object.getPrototypeOf(inner)) as MemoryStore, inner, {
			appendUpdates: (batch: Parameters<MemoryStore['appendUpdates']>[0]) =>
				failAppends ? Promise.reject(new Error('disk I/O error')) : inner.appendUpdates(batch),
			loadUpdates: () => Promise.reject(new Error('database disk image is malformed'))
		});
		const store = monitorStore(flaky, health);
		expect(await health.check(store)).toEqual({ reads: 'ok', writes: 'ok', lastFailure: null });

		failAppends = true;
		await expect(store.appendUpdates([{ doc: 'demo:proposal:a', data: new Uint8Array([0, 0]) }])).rejects.toThrow('disk I/O');
		expect(await health.check(store)).toMatchObject({ writes: 'failing', lastFailure: { what: 'appendUpdates', message: 'disk I/O error' } });
		failAppends = false;
		await store.appendUpdates([{ doc: 'demo:proposal:a', data: new Uint8Array([0, 0]) }]);
		expect((await health.check(store)).writes).toBe('ok');

		await expect(store.loadUpdates('demo:proposal:a')).rejects.toThrow('malformed');
		expect((await health.check(store)).reads).toBe('failing');
		now += READ_WINDOW_MS;
		expect((await health.check(store)).reads).toBe('ok');
	});

	it('fails reads when the probe fails', async () => {
		const health = new StorageHealth();
		const store = Object.assign(new MemoryStore(), { probe: () => Promise.reject(new Error('SQLITE_CORRUPT')) });
		expect(await health.check(store)).toMatchObject({ reads: 'failing', lastFailure: { what: 'probe', message: 'SQLITE_CORRUPT' } });
	});
});
