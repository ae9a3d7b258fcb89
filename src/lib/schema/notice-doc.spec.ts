import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { facilitator } from '../domain/testing/projects';
import { indexEntry } from './index-entry';
import { createNotice, readNotice, withdrawNotice } from './notice-doc';

describe('notice document', () => {
	it('reads back, withdraws, and indexes its kind, period and matter', () => {
		const doc = new Y.Doc();
		createNotice(
			doc,
			{ id: 'n1', kind: 'tender', title: '座椅比选结果公示', body: '经公开比选……', from: '2024-05-10', to: '2024-05-16', matter: 'demo:project:stair-seats' },
			facilitator,
			1000
		);
		expect(readNotice(doc)).toMatchObject({ id: 'n1', kind: 'tender', body: '经公开比选……', from: '2024-05-10', to: '2024-05-16', matter: 'demo:project:stair-seats', at: 1000 });
		expect(indexEntry('demo:notice:n1', doc)).toMatchObject({
			kind: 'notice',
			title: '座椅比选结果公示',
			noticeKind: 'tender',
			from: '2024-05-10',
			to: '2024-05-16',
			matter: 'demo:project:stair-seats',
			created: 1000
		});
		withdrawNotice(doc, facilitator, 2000, '贴错了');
		expect(readNotice(doc)?.withdrawn?.reason).toBe('贴错了');
		expect(indexEntry('demo:notice:n1', doc)).toMatchObject({ withdrawn: true });
		expect(readNotice(new Y.Doc())).toBeNull();
	});

	it('merges two edits of the body text', () => {
		const a = new Y.Doc();
		createNotice(a, { id: 'n2', kind: 'general', title: '停水通知', body: '明天停水。', from: '2024-05-10', to: '2024-05-10' }, facilitator, 1);
		const b = new Y.Doc();
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		a.getText('body').insert(0, '各位居民：');
		b.getText('body').insert(b.getText('body').length, '请提前储水。');
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		expect(readNotice(a)?.body).toBe('各位居民：明天停水。请提前储水。');
	});
});
