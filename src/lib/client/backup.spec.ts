import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BackupError, makeBackup, parseBackup, toBase64 } from './backup';

function update(text: string) {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return Y.encodeStateAsUpdate(doc);
}

describe('backup', () => {
	it('round-trips documents', () => {
		const docs = [{ doc: 'demo:proposal:a', update: update('议事') }];
		const parsed = parseBackup(JSON.stringify(makeBackup('dev1', docs, 5)));
		expect(parsed).toEqual(docs);
	});

	it.each([
		['not json', '{oops', 'not_json'],
		['another file', JSON.stringify({ hello: 1 }), 'wrong_format'],
		['a newer version', JSON.stringify({ format: 'courtyard-backup', version: 99, docs: [] }), 'newer_version'],
		['a bad name', JSON.stringify({ format: 'courtyard-backup', version: 1, docs: [{ doc: '../x', update: '' }] }), 'bad_document'],
		['a corrupt update', JSON.stringify({ format: 'courtyard-backup', version: 1, docs: [{ doc: 'demo:proposal:a', update: toBase64(new Uint8Array([9, 9, 9, 9])) }] }), 'bad_document'],
		['bad base64', JSON.stringify({ format: 'courtyard-backup', version: 1, docs: [{ doc: 'demo:proposal:a', update: '%%%' }] }), 'bad_document']
	])('rejects %s with a clear error', (_what, text, code) => {
		expect(() => parseBackup(text)).toThrow(BackupError);
		try {
			parseBackup(text);
		} catch (err) {
			expect((err as BackupError).code).toBe(code);
		}
	});
});
