import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { Courtyard } from './courtyard.svelte';
import { BALLOT_QUEUE } from './outbox-keys';

const apps: Courtyard[] = [];
afterEach(() => {
	for (const app of apps.splice(0)) {
		app.engine.destroy();
		app.db.close();
	}
});

async function until(check: () => boolean, what: string): Promise<void> {
	for (let i = 0; i < 2_000; i++) {
		if (check()) return;
		await new Promise((r) => setImmediate(r));
	}
	throw new Error(`never reached: ${what}`);
}

describe("the status bar's pending figure", () => {
	it("is the outbox's: documents to push, photos to upload and ballots to send", async () => {
		const app = new Courtyard({ dbName: `pending-${Date.now()}`, url: () => 'ws://relay.invalid/sync' });
		apps.push(app);
		await app.start();
		expect(app.sync.pending).toBe(0);

		await app.store.edit('demo:proposal:p1', (doc) => doc.getMap('meta').set('title', '楼道灯'));
		await until(() => app.sync.pending === 1, 'a document');
		expect(app.outbox.count('documents')).toBe(1);

		await app.store.putOutbox(BALLOT_QUEUE, 'demo:poll:q1', { poll: 'demo:poll:q1', id: 'b1', option: 'yes', queuedAt: 1, state: 'queued', attempts: 0 });
		await until(() => app.sync.pending === 2, 'a ballot');

		await app.db.photos.put({
			sha: 'a'.repeat(64),
			type: 'image/jpeg',
			size: 3,
			addedAt: 1,
			origin: 'local',
			docs: ['demo:proposal:p1'],
			uploaded: [],
			state: 'pending',
			attempts: 0,
			nextAttempt: 0,
			error: null
		});
		await until(() => app.sync.pending === 3, 'a photo');
		expect([app.outbox.count('documents'), app.outbox.count('photos'), app.outbox.count('ballots')]).toEqual([1, 1, 1]);

		// A ballot the relay took no longer counts.
		await app.store.updateOutbox<{ state: string }>(BALLOT_QUEUE, 'demo:poll:q1', (b) => b && { ...b, state: 'sent' });
		await until(() => app.sync.pending === 2, 'the ballot sent');
	});
});
