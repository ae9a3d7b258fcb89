/**
 * Fixture set-up shared by the relay integration tests that act as several devices: join devices with real
 * credentials, read what the relay holds durably, write as the relay itself, and edit as a device over the
 * socket. Kept apart from helpers.ts (relays, clients, polling), which it builds on.
 */
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import type { Actor } from '../../src/lib/domain/actor';
import type { Relay } from '../../server/relay';
import { provider, waitFor, whenSynced } from './helpers';

export interface Device {
	token: string;
	/** The actor the app writes into records: the credential's device id, the name given, the grant's role. */
	actor: Actor;
	household?: string;
}

/** Devices of a test by key ('liu', 'fac', …), joined on the relay `relay()` returns when `join` runs. */
export function relayDevices(relay: () => Relay) {
	const devices: Record<string, Device> = {};
	const who = (key: string): Device => {
		const d = devices[key];
		if (!d) throw new Error(`no device "${key}" joined`);
		return d;
	};
	async function join(key: string, grant: Grant, name: string): Promise<void> {
		const issued = await relay().credentials.issue(grant, name);
		devices[key] = { token: issued.token, actor: { id: issued.device.id, name, role: grant.role }, ...(grant.household ? { household: grant.household } : {}) };
	}
	return { devices, join, who, actor: (key: string) => who(key).actor, token: (key: string) => who(key).token };
}

/** A document's durable state, straight from storage; with `flush`, after the hub's pending writes land. */
export async function storedDoc(relay: Relay, name: string, { flush = false } = {}): Promise<Y.Doc> {
	if (flush) await relay.hub.flush();
	const doc = new Y.Doc();
	for (const u of await relay.store.loadUpdates(name)) Y.applyUpdate(doc, u);
	return doc;
}

/** Submits an update through the hub, like any client, and resolves once it is durable. */
export function submitUpdate(relay: Relay, name: string, update: Uint8Array): Promise<void> {
	return new Promise((resolve, reject) => relay.hub.submit(name, update, null, (e) => (e ? reject(e) : resolve())));
}

/** Writes `change` as the relay itself on top of what it holds durably (the starting state of a test). */
export async function seedDoc(relay: Relay, name: string, change: (doc: Y.Doc) => void): Promise<void> {
	const doc = await storedDoc(relay, name, { flush: true });
	const sv = Y.encodeStateVector(doc);
	change(doc);
	await submitUpdate(relay, name, Y.encodeStateAsUpdate(doc, sv));
}

/** Edits a document over the socket with `token` (a device in sync), and waits until the relay has stored the edit. */
export async function editAs(relay: Relay, token: string, name: string, change: (doc: Y.Doc) => void, who = 'the device'): Promise<void> {
	const doc = new Y.Doc();
	const p = provider(relay.url, name, doc, { token });
	try {
		await whenSynced(p);
		// Not wrapped in a transaction: createMinutes applies its template as an update of its own.
		change(doc);
		const want = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID);
		await waitFor(async () => Y.decodeStateVector(Y.encodeStateVector(await storedDoc(relay, name))).get(doc.clientID) === want, {
			what: `${who}'s edit of ${name} stored`
		});
	} finally {
		p.destroy();
		doc.destroy();
	}
}
