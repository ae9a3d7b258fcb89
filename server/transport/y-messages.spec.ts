import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ProtocolError } from '../../src/lib/protocol/messages';
import {
	awarenessMessage,
	changesNothing,
	checkIncomingUpdate,
	checkStateVector,
	checkUpdate,
	isEmptyStateVector,
	parseYMessage,
	syncStep2Message,
	updateMessage
} from './y-messages';

describe('y-messages', () => {
	it('frames updates and awareness as y-protocols does, whatever their length', () => {
		for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_100_000]) {
			const payload = new Uint8Array(n).map((_, i) => i % 251);
			const update = parseYMessage(updateMessage(payload));
			expect(update.type).toBe('sync-update');
			expect(update.type === 'sync-update' && Buffer.from(update.update).equals(Buffer.from(payload))).toBe(true);
			const d = decoding.createDecoder(updateMessage(payload));
			expect([decoding.readVarUint(d), decoding.readVarUint(d)]).toEqual([0, 2]);
			const awareness = parseYMessage(awarenessMessage(payload));
			expect(awareness.type === 'awareness' && Buffer.from(awareness.update).equals(Buffer.from(payload))).toBe(true);
			expect(awarenessMessage(payload).length).toBe(updateMessage(payload).length - 1);
			// Sync step 2 as y-protocols writes it.
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint(e, 1);
			encoding.writeVarUint8Array(e, payload);
			expect(Buffer.from(syncStep2Message(payload)).equals(Buffer.from(encoding.toUint8Array(e)))).toBe(true);
		}
	});

	it('accepts well-formed state vectors and rejects others', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'x');
		expect(() => checkStateVector(Y.encodeStateVector(doc))).not.toThrow();
		expect(isEmptyStateVector(Y.encodeStateVector(new Y.Doc()))).toBe(true);
		for (const bad of [[], [5], [1, 200], [0, 1]]) expect(() => checkStateVector(new Uint8Array(bad))).toThrow(ProtocolError);
	});

	it('rejects updates that do not decode', () => {
		expect(() => checkUpdate(new Uint8Array([1, 2, 3, 4, 5, 6, 7]))).toThrow(/malformed update/);
		expect(() => checkUpdate(new Uint8Array())).toThrow(ProtocolError);
		const doc = new Y.Doc();
		doc.getMap('m').set('a', 1);
		expect(() => checkUpdate(Y.encodeStateAsUpdate(doc))).not.toThrow();
	});

	// Seeded work that takes about 5 s alone: the default 5 s limit made it fail whenever the machine was busy.
	it('refuses exactly the mutated updates a fresh document refuses to apply', () => {
		// checkUpdate skips applying updates that cannot integrate on a fresh document; its verdicts must not move.
		const freshApplies = (u: Uint8Array) => {
			const scratch = new Y.Doc({ gc: false });
			try {
				Y.applyUpdate(scratch, u);
				return true;
			} catch {
				return false;
			} finally {
				scratch.destroy();
			}
		};
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		const text = doc.getText('t');
		for (let i = 0; i < 60; i++) {
			text.insert(i % (text.length + 1), 'xy');
			if (i % 3 === 0) text.delete(0, 1);
			doc.getMap('m').set(`k${i % 7}`, { v: i });
			doc.getArray('a').push([new Uint8Array([i]), i]);
			if (i % 5 === 0) doc.getMap('m').set(`sub${i}`, new Y.Map());
		}
		updates.push(Y.encodeStateAsUpdate(doc));
		let seed = 7;
		const rnd = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
		let refused = 0;
		for (let round = 0; round < 40; round++) {
			for (const original of updates) {
				const u = original.slice();
				for (let j = 0; j <= rnd(3); j++) {
					const at = rnd(u.length);
					u[at] = rnd(3) === 0 ? u[at]! ^ (1 << rnd(8)) : rnd(256);
				}
				const applies = freshApplies(u);
				if (!applies) refused++;
				if (applies) expect(() => checkUpdate(u)).not.toThrow();
				else expect(() => checkUpdate(u)).toThrow(/malformed update/);
			}
		}
		expect(refused).toBeGreaterThan(100);
	}, 60_000);

	it('parses a sync step 2 it wrote', () => {
		const update = Y.encodeStateAsUpdate(new Y.Doc());
		expect(parseYMessage(syncStep2Message(update))).toEqual({ type: 'sync-update', update });
		expect(() => parseYMessage(new Uint8Array([7]))).toThrow(/unknown message type 7/);
	});

	it('recognises updates that change nothing, including re-sent deletions', () => {
		const server = new Y.Doc();
		const client = new Y.Doc();
		client.getText('t').insert(0, 'hello world');
		client.getText('t').delete(0, 6);
		Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
		// What a reconnecting client answers to the server's step 1: its delete set, no new structs.
		const resent = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
		expect(changesNothing(server, resent)).toBe(true);
		expect(changesNothing(server, Y.encodeStateAsUpdate(client))).toBe(true);

		const before = Y.encodeStateVector(client);
		client.getText('t').delete(0, 1);
		expect(changesNothing(server, Y.encodeStateAsUpdate(client, before))).toBe(false);
		client.getText('t').insert(0, '!');
		expect(changesNothing(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)))).toBe(false);
	});

	it('checks an incoming update and tells whether it changes anything, on one decoding', () => {
		const server = new Y.Doc();
		const client = new Y.Doc();
		client.getText('t').insert(0, 'hello');
		const first = Y.encodeStateAsUpdate(client);
		expect(checkIncomingUpdate(server, first)).toBe(false);
		Y.applyUpdate(server, first);
		expect(checkIncomingUpdate(server, first)).toBe(true);
		const before = Y.encodeStateVector(client);
		client.getText('t').insert(5, '!');
		// Continues the client's history: proved by decoding alone, and new to the server.
		expect(checkIncomingUpdate(server, Y.encodeStateAsUpdate(client, before))).toBe(false);
		// No document (nothing stored yet): only an empty update changes nothing.
		expect(checkIncomingUpdate(null, first)).toBe(false);
		expect(checkIncomingUpdate(null, Y.encodeStateAsUpdate(new Y.Doc()))).toBe(true);
		expect(() => checkIncomingUpdate(server, new Uint8Array())).toThrow(ProtocolError);
		expect(() => checkIncomingUpdate(server, first.subarray(0, first.length - 3))).toThrow(ProtocolError);
	});
});
