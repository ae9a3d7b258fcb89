import { describe, expect, it } from 'vitest';
import { catalogues, loadLocale, messagesSettled, registerMessages, translate, type MessageKey } from './messages';

describe('messagesSettled', () => {
	it('is nothing to wait for in Chinese, and in English waits for an area registered late', async () => {
		expect(messagesSettled()).toBeUndefined();
		registerMessages({ 'late.title': '晚到的区域' }, () => Promise.resolve({ en: { 'late.title': 'An area registered late' } }));
		expect(messagesSettled()).toBeUndefined();

		await loadLocale('en');
		// A page further in imports its area while English is in use: its English is on the way.
		let arrive!: (m: { en: Record<string, string> }) => void;
		registerMessages({ 'later.title': '更晚的区域' }, () => new Promise((resolve) => (arrive = resolve)));
		const key = 'later.title' as MessageKey;
		expect(translate('en', key as 'app.name')).toBe('更晚的区域');
		let settled = false;
		const waiting = messagesSettled()?.then(() => (settled = true));
		expect(waiting).toBeDefined();
		await Promise.resolve();
		expect(settled).toBe(false);
		arrive({ en: { 'later.title': 'An area registered later' } });
		await waiting;
		expect(settled).toBe(true);
		expect((catalogues.en as Record<string, string>)['later.title']).toBe('An area registered later');
	});

	it('settles when an area’s English fails to load (offline before it was cached)', async () => {
		await loadLocale('en');
		registerMessages({ 'offline.title': '离线区域' }, () => Promise.reject(new Error('offline')));
		await expect(messagesSettled()).resolves.toBeUndefined();
	});

	it('stops waiting for a chunk that never arrives', async () => {
		await loadLocale('en');
		registerMessages({ 'stuck.title': '卡住的区域' }, () => new Promise(() => {}));
		await expect(messagesSettled(20)).resolves.toBeUndefined();
	});
});
