import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createProposal, readProposal } from '../schema/proposal-doc';
import { BackupError, exportPending, importBackup, makeBackup, parseBackup, pendingDocs, toBase64 } from './backup';
import { MemoryLocalStore } from './memory-local-store';

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

describe('exporting unsynced work and importing it elsewhere', () => {
	const liu = { id: 'r1', name: '刘阿姨', role: 'resident' as const };
	const draft = { title: '楼道灯不亮', description: '一个月了', category: 'facilities' as const, kind: 'individual' as const, channel: 'app' as const };

	/** Runs `fn` on a document of `store` and waits until the change is recorded. */
	async function withDoc<T>(store: MemoryLocalStore, name: string, fn: (doc: Y.Doc) => T): Promise<T> {
		const h = await store.openDoc(name);
		try {
			return await h.change(fn);
		} finally {
			h.release();
		}
	}

	it('lists only what the relay has not acknowledged, titled from the index, and carries it to another device', async () => {
		const phone = new MemoryLocalStore();
		await withDoc(phone, 'demo:proposal:p1', (doc) => createProposal(doc, draft, { id: 'p1', actor: liu, now: 1000, status: 'submitted' }));
		await withDoc(phone, 'demo:proposal:p2', (doc) => createProposal(doc, { ...draft, title: '已同步' }, { id: 'p2', actor: liu, now: 1000, status: 'submitted' }));
		await phone.acknowledge('demo:proposal:p2', (await phone.syncStates(['demo:proposal:p2']))[0]!.localSeq);
		expect(await pendingDocs(phone)).toEqual([{ doc: 'demo:proposal:p1', title: '楼道灯不亮' }]);

		const file = await exportPending(phone, 'dev-1', 5000);
		const text = await file.text();
		expect(JSON.parse(text)).toMatchObject({ device: 'dev-1', exportedAt: 5000 });

		const other = new MemoryLocalStore();
		expect(await importBackup(other, text)).toBe(1);
		const copy = await withDoc(other, 'demo:proposal:p1', readProposal);
		expect(copy.title).toBe('楼道灯不亮');
		// Imported work is this device's to send: pending like any local change.
		expect(await other.dirtyDocs()).toEqual(['demo:proposal:p1']);
	});
});
