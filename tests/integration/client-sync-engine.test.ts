/**
 * The app's sync engine (src/lib/client) against the real relay: two devices with their own IndexedDB
 * (fake-indexeddb in Node) and real WebSockets.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { openDatabase } from '../../src/lib/client/db';
import { DocStore } from '../../src/lib/client/doc-store';
import { SyncEngine, type WebSocketLike } from '../../src/lib/client/sync-engine';
import { MuxMessage } from '../../src/lib/protocol/messages';
import { createProposal, readProposal } from '../../src/lib/schema/proposal-doc';
import { startRelay } from '../../server/relay';

const actor = { id: 'u1', name: '网格员小周', role: 'grid_worker' as const };
let relay: Awaited<ReturnType<typeof startRelay>>;
let dataDir: string;
let devices = 0;

function device() {
	const id = `dev${++devices}`;
	const store = new DocStore(openDatabase(`courtyard-${id}`), `${id}/`);
	const engine = new SyncEngine({
		url: `ws://127.0.0.1:${relay.port}/sync`,
		store,
		WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike
	});
	return { store, engine };
}

async function until(check: () => boolean | Promise<boolean>, timeout = 10_000) {
	const start = Date.now();
	while (!(await check())) {
		if (Date.now() - start > timeout) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 20));
	}
}

async function addProposal(store: DocStore, id: string, title: string) {
	const h = await store.openDoc(`demo:proposal:${id}`);
	createProposal(h.doc, { title, description: '说明', category: 'services', kind: 'individual', channel: 'visit' }, { id, actor, now: Date.now(), status: 'submitted' });
	await h.saved();
	h.release();
}

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'courtyard-engine-'));
	relay = await startRelay({ port: 0, dataDir, auth: 'open' });
});

afterAll(async () => {
	await relay.close();
	rmSync(dataDir, { recursive: true, force: true });
});

describe('sync engine against a relay that cannot take everything at once', () => {
	it("sends again, without anyone's action, what was refused over the device's write budget", async () => {
		const dir = mkdtempSync(join(tmpdir(), 'courtyard-engine-budget-'));
		// Two updates in a burst, then one every 100 ms.
		const tight = await startRelay({ port: 0, dataDir: dir, auth: 'open', limits: { writeBurstUpdates: 2, writeUpdatesPerMinute: 600 } });
		const store = new DocStore(openDatabase(`courtyard-budget-${++devices}`), `budget${devices}/`);
		const refusals: string[] = [];
		const engine = new SyncEngine({
			url: `ws://127.0.0.1:${tight.port}/sync`,
			store,
			WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike,
			retryMs: 300,
			onStatus: (s) => s.error && refusals.push(s.error)
		});
		try {
			for (let i = 0; i < 6; i++) await addProposal(store, `budget${i}`, `预算内 ${i}`);
			engine.start();
			await until(async () => (await store.db.syncState.toArray()).every((s) => !s.dirty), 15_000);
			expect(refusals.some((r) => /rate limited: write budget/.test(r))).toBe(true);
			for (let i = 0; i < 6; i++) expect(await tight.store.rowCount(`demo:proposal:budget${i}`)).toBeGreaterThan(0);
		} finally {
			engine.stop();
			store.db.close();
			await tight.close();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('sync engine against the relay', () => {
	it('pushes offline changes when it connects and another device pulls them', async () => {
		const a = device();
		await addProposal(a.store, 'offline1', '楼道灯不亮');
		expect(a.engine.status.connection).toBe('offline');
		await a.engine.refreshPending();
		expect(a.engine.status.pending).toBe(1);

		a.engine.start();
		await until(async () => (await a.store.db.syncState.get('demo:proposal:offline1'))?.dirty === 0);
		await until(() => a.engine.status.pending === 0);

		const b = device();
		b.engine.start();
		await until(async () => (await b.store.db.index.get('demo:proposal:offline1'))?.title === '楼道灯不亮');
		a.engine.destroy();
		b.engine.destroy();
	});

	it('finishes a catch-up cut off while waiting for the change list, and catches up after reconnecting', async () => {
		// The first socket swallows the engine's ListChanges and then drops, as a lost signal does mid-request.
		let sockets = 0;
		let swallowed = 0;
		class FlakyFirstSocket extends WebSocket {
			constructor(url: string) {
				super(url);
				if (++sockets > 1) return;
				const send = this.send.bind(this);
				this.send = ((data: Uint8Array) => {
					if (data[0] === MuxMessage.ListChanges) {
						swallowed++;
						setTimeout(() => this.terminate(), 50);
						return;
					}
					send(data);
				}) as typeof this.send;
			}
		}
		const id = `dev${++devices}`;
		const store = new DocStore(openDatabase(`courtyard-${id}`), `${id}/`);
		await addProposal(store, 'cutoff1', '断网时提交的提案');
		const engine = new SyncEngine({
			url: `ws://127.0.0.1:${relay.port}/sync`,
			store,
			WebSocket: FlakyFirstSocket as unknown as new (url: string) => WebSocketLike
		});
		engine.start();
		await until(() => swallowed === 1 && sockets >= 2);
		engine.reconnectNow();
		await until(async () => (await store.db.syncState.get('demo:proposal:cutoff1'))?.dirty === 0, 15_000);
		expect((await relay.store.loadUpdates('demo:proposal:cutoff1')).length).toBeGreaterThan(0);
		engine.destroy();
	});

	it('learns of documents created elsewhere while connected, without subscribing', async () => {
		const a = device();
		const b = device();
		a.engine.start();
		b.engine.start();
		await until(() => a.engine.connected && b.engine.connected);
		await b.engine.syncNow();
		await addProposal(a.store, 'live1', '增设快递柜');
		await until(async () => (await b.store.db.index.get('demo:proposal:live1'))?.title === '增设快递柜');
		expect(b.engine.status.connection).toBe('online');
		a.engine.destroy();
		b.engine.destroy();
	});

	it('delivers live edits to a subscribed open document', async () => {
		const a = device();
		const b = device();
		await addProposal(a.store, 'shared1', '小游园凉亭');
		a.engine.start();
		b.engine.start();
		await until(async () => (await a.store.db.syncState.get('demo:proposal:shared1'))?.dirty === 0);
		await b.engine.syncNow(['demo:proposal:shared1']);
		const ha = await a.store.openDoc('demo:proposal:shared1');
		const hb = await b.store.openDoc('demo:proposal:shared1');
		a.engine.subscribe(ha.name);
		b.engine.subscribe(hb.name);
		ha.doc.getText('description').insert(0, '甲：');
		await until(() => readProposal(hb.doc).description.startsWith('甲：'));
		expect(readProposal(hb.doc).description).toBe('甲：说明');
		ha.release();
		hb.release();
		a.engine.destroy();
		b.engine.destroy();
	});

	it('holds every document once a fresh device reports its catch-up done', async () => {
		const a = device();
		for (let i = 0; i < 150; i++) await addProposal(a.store, `bulk${i}`, `提案 ${i}`);
		a.engine.start();
		await until(async () => (await a.store.db.syncState.where('dirty').equals(1).count()) === 0, 20_000);

		const fresh = device();
		fresh.engine.start();
		await until(() => fresh.engine.connected);
		await fresh.engine.syncNow();
		// The moment syncNow resolves, every document is stored and indexed locally.
		const titles = new Set((await fresh.store.db.index.toArray()).map((e) => e.title));
		for (let i = 0; i < 150; i++) expect(titles.has(`提案 ${i}`)).toBe(true);
		expect(fresh.engine.status.lastSynced).not.toBeNull();
		const state = await fresh.store.readState('demo:proposal:bulk7');
		const doc = new Y.Doc();
		Y.applyUpdate(doc, state);
		expect(readProposal(doc).title).toBe('提案 7');
		a.engine.destroy();
		fresh.engine.destroy();
	});
});
