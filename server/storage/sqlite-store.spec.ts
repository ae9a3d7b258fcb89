import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { docStoreContract, textEdits as edits } from './doc-store.contract';
import { DB_FILE, SqliteStore } from './sqlite-store';

const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

docStoreContract('SqliteStore', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-store-'));
	return {
		store: SqliteStore.open(dir),
		reopen: async () => SqliteStore.open(dir),
		alongside: async () => SqliteStore.open(dir),
		cleanup: () => fs.rmSync(dir, { recursive: true, force: true })
	};
});

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
});
