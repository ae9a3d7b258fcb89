import { describe, expect, it } from 'vitest';
import { inviteHints, linkWithHints, parseInvite } from './invite';

describe('parseInvite', () => {
	it('takes the code out of a link, a forwarded message or a bare code', () => {
		expect(parseInvite('https://courtyard.example/join?code=Ab3_x-9Zq')).toBe('Ab3_x-9Zq');
		expect(parseInvite('  https://courtyard.example/join?role=resident&code=Ab3xyz&name=x ')).toBe('Ab3xyz');
		expect(parseInvite('请点链接加入：https://c.example/join?code=K7pQ2mN8 谢谢')).toBe('K7pQ2mN8');
		expect(parseInvite('K7pQ2mN8')).toBe('K7pQ2mN8');
	});

	it('refuses text with no code in it', () => {
		expect(parseInvite('')).toBeNull();
		expect(parseInvite('   ')).toBeNull();
		expect(parseInvite('hello world')).toBeNull();
		expect(parseInvite('https://c.example/join')).toBeNull();
		expect(parseInvite('https://c.example/join?code=')).toBeNull();
	});
});

describe('hints', () => {
	it('adds role and name to a link and reads them back, ignoring an unknown role', () => {
		const link = linkWithHints('https://c.example/join?code=abcd1234', { role: 'grid_worker', name: '张网格' });
		const url = new URL(link);
		expect(url.searchParams.get('code')).toBe('abcd1234');
		expect(parseInvite(link)).toBe('abcd1234');
		expect(inviteHints(url.searchParams)).toEqual({ role: 'grid_worker', name: '张网格' });
		expect(inviteHints(new URLSearchParams('role=king&name=%20'))).toEqual({ role: null, name: '' });
	});
});
