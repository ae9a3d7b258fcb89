/**
 * What a phone holds in IndexedDB, read in the page itself (the tests see the browser's storage, not the app's
 * view of it): the names of its databases (y-indexeddb keeps one per document, "courtyard-doc:<doc>") and
 * every row of some tables of the app's own Dexie database ("courtyard").
 */
import type { Page } from 'playwright-core';

/** `T` names the tables to read and the type of their rows. */
export function storedRows<T extends Record<string, unknown>>(
	page: Page,
	tables: (keyof T & string)[]
): Promise<{ databases: string[]; rows: { [K in keyof T]: T[K][] } }> {
	// One evaluate, so the names and the rows are read together, as the page holds them at that moment.
	return page.evaluate(async (tables) => {
		const databases = (await indexedDB.databases()).map((d) => d.name ?? '');
		const db = await new Promise<IDBDatabase>((ok, fail) => {
			const req = indexedDB.open('courtyard');
			req.onsuccess = () => ok(req.result);
			req.onerror = () => fail(req.error);
		});
		const all = (store: string) =>
			new Promise<unknown[]>((ok, fail) => {
				const req = db.transaction(store, 'readonly').objectStore(store).getAll();
				req.onsuccess = () => ok(req.result as unknown[]);
				req.onerror = () => fail(req.error);
			});
		const rows: Record<string, unknown[]> = {};
		for (const table of tables) rows[table] = await all(table);
		db.close();
		return { databases, rows };
	}, tables) as Promise<{ databases: string[]; rows: { [K in keyof T]: T[K][] } }>;
}
