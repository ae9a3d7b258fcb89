/**
 * Stores for the client specs: real DocStores on (fake) IndexedDB, each closed after its test. A store given a
 * credential runs the relay's write rules before a change is written, as the app does. For specs only.
 */
import { afterEach } from 'vitest';
import type { Grant } from '../domain/access';
import type { Actor } from '../domain/actor';
import { openDatabase } from './db';
import { DocStore } from './doc-store';
import { deviceWriteCheck } from './write-check';

/** Call once at the top of a spec file: returns the opener, and closes what it opened after each test. */
export function specStores(): (dbName: string, prefix: string, checkAs?: { id: string; grant: Grant }) => DocStore {
	const stores: DocStore[] = [];
	afterEach(() => {
		for (const s of stores.splice(0)) s.db.close();
	});
	return (dbName, prefix, checkAs) => {
		const store = new DocStore(openDatabase(dbName), prefix);
		if (checkAs) store.writeCheck = deviceWriteCheck(store, () => checkAs);
		stores.push(store);
		return store;
	};
}

/**
 * Call once at the top of a spec file: returns a maker of devices acting as `actor`, each with its own IndexedDB
 * (`<name>-<n>`) and the relay's write rules run before a change is written, as in the app. The credential's grant
 * has the actor's role and the community 'demo' unless `grant` says otherwise; the actor id is its device id.
 */
export function specDevices(name: string) {
	const openStore = specStores();
	let n = 0;
	return (actor: Actor, grant: Partial<Grant> = {}) => {
		const id = `${name}-${++n}`;
		const full: Grant = { role: actor.role, community: 'demo', ...grant };
		const store = openStore(id, `${id}/`, { id: actor.id, grant: full });
		return { store, community: 'demo', actor, device: { id: actor.id, grant: full }, actorSnapshot: () => actor };
	};
}
