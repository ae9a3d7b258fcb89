import { describe, expect, it } from 'vitest';
import type { IndexEntry } from '$lib/schema/index-entry';
import { isUnread } from './seen';

const entry = (over: Partial<IndexEntry>): IndexEntry => ({
	doc: 'demo:proposal:x',
	community: 'demo',
	kind: 'proposal',
	title: 't',
	status: 'submitted',
	category: '',
	proposalKind: 'individual',
	channel: 'app',
	createdBy: 'me',
	updated: 1000,
	count: 0,
	created: 1000,
	...over
});

describe('isUnread', () => {
	it('a proposal I just filed is not news to me', () => {
		expect(isUnread(entry({}), undefined, 'me')).toBe(false);
	});
	it('a step after my filing is news until I look', () => {
		expect(isUnread(entry({ updated: 2000 }), undefined, 'me')).toBe(true);
		expect(isUnread(entry({ updated: 2000 }), 2000, 'me')).toBe(false);
		expect(isUnread(entry({ updated: 3000 }), 2000, 'me')).toBe(true);
	});
	it('a proposal filed for my household by a grid worker is news the first time', () => {
		expect(isUnread(entry({ createdBy: 'worker', household: 'b01-1-101' }), undefined, 'me')).toBe(true);
	});
});
