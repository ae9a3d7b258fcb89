import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ProtocolError } from '../../src/lib/protocol/messages';
import { changesNothing, checkStateVector, checkUpdate, isEmptyStateVector, parseYMessage, syncStep2Message } from './y-messages';

describe('y-messages', () => {
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
});
