import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStore } from './memory-store';
import { DB_FILE, SqliteStore } from './sqlite-store';
import type { DocStore } from './store';

const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sqlite(): SqliteStore {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-store-'));
	dirs.push(dir);
	return SqliteStore.open(dir);
}

function edits(n: number): Uint8Array[] {
	const doc = new Y.Doc();
	const out: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => out.push(u));
	for (let i = 0; i < n; i++) doc.getText('t').insert(i, String(i % 10));
	return out;
}

for (const [name, make] of [
	['SqliteStore', sqlite],
	['MemoryStore', () => new MemoryStore()]
] as Array<[string, () => DocStore]>) {
	describe(name, () => {
		it('appends a batch with increasing seqs and row counts', async () => {
			const store = make();
			const [a, b, c] = edits(3) as [Uint8Array, Uint8Array, Uint8Array];
			const result = await store.appendUpdates([
				{ doc: 'demo:proposal:a', data: a },
				{ doc: 'demo:proposal:b', data: b },
				{ doc: 'demo:proposal:a', data: c }
			]);
			expect(result).toEqual([
				{ doc: 'demo:proposal:a', seq: 1, rows: 1, bytes: a.length },
				{ doc: 'demo:proposal:b', seq: 2, rows: 1, bytes: b.length },
				{ doc: 'demo:proposal:a', seq: 3, rows: 2, bytes: a.length + c.length }
			]);
			expect(await store.docBytes('demo:proposal:a')).toBe(a.length + c.length);
			expect(await store.docBytes('demo:proposal:none')).toBe(0);
			expect(await store.headSeq()).toBe(3);
			expect(await store.docCount()).toBe(2);
			expect((await store.loadUpdates('demo:proposal:a')).map((u) => [...u])).toEqual([[...a], [...c]]);
			expect(await store.loadUpdates('demo:proposal:none')).toEqual([]);
			await store.close();
		});

		it('lists each changed document once with its latest seq', async () => {
			const store = make();
			const u = edits(4);
			await store.appendUpdates(u.map((data, i) => ({ doc: `demo:proposal:${i % 2}`, data })));
			expect(await store.changesSince(0, 10)).toEqual({
				headSeq: 4,
				entries: [
					{ doc: 'demo:proposal:0', seq: 3 },
					{ doc: 'demo:proposal:1', seq: 4 }
				]
			});
			expect((await store.changesSince(3, 10)).entries).toEqual([{ doc: 'demo:proposal:1', seq: 4 }]);
			expect((await store.changesSince(0, 1)).entries).toHaveLength(1);
			await store.close();
		});

		it('compacts into one row with the same content, keeping last_seq', async () => {
			const store = make();
			const u = edits(50);
			await store.appendUpdates(u.map((data) => ({ doc: 'demo:proposal:c', data })));
			await store.appendUpdates([{ doc: 'demo:proposal:other', data: edits(1)[0] as Uint8Array }]);
			expect(await store.compact('demo:proposal:c')).toEqual({ before: 50, after: 1 });
			expect(await store.rowCount('demo:proposal:c')).toBe(1);
			const [merged] = await store.loadUpdates('demo:proposal:c');
			expect(await store.docBytes('demo:proposal:c')).toBe(merged?.length);
			expect(merged?.length).toBeLessThan(u.reduce((n, x) => n + x.length, 0));
			const d = new Y.Doc();
			for (const x of await store.loadUpdates('demo:proposal:c')) Y.applyUpdate(d, x);
			expect(d.getText('t').length).toBe(50);
			expect((await store.changesSince(0, 10)).entries).toEqual([
				{ doc: 'demo:proposal:c', seq: 50 },
				{ doc: 'demo:proposal:other', seq: 51 }
			]);
			const [next] = await store.appendUpdates([{ doc: 'demo:proposal:c', data: edits(1)[0] as Uint8Array }]);
			expect(next?.seq).toBe(52);
			await store.close();
		});
	});
}

describe('SqliteStore on disk', () => {
	it('gives a database made before docs.bytes existed the column, filled from its rows', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-store-'));
		dirs.push(dir);
		const store = SqliteStore.open(dir);
		const u = edits(5);
		await store.appendUpdates(u.map((data) => ({ doc: 'demo:proposal:old', data })));
		await store.close();
		const db = new Database(path.join(dir, DB_FILE));
		db.exec('ALTER TABLE docs DROP COLUMN bytes');
		db.close();
		const again = SqliteStore.open(dir);
		expect(await again.docBytes('demo:proposal:old')).toBe(u.reduce((n, x) => n + x.length, 0));
		await again.close();
	});

	it('reopens with its head and content', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-store-'));
		dirs.push(dir);
		const store = SqliteStore.open(dir);
		await store.appendUpdates(edits(5).map((data) => ({ doc: 'demo:proposal:r', data })));
		await store.close();
		const again = SqliteStore.open(dir);
		expect(await again.headSeq()).toBe(5);
		expect(await again.loadUpdates('demo:proposal:r')).toHaveLength(5);
		await again.close();
	});
});
