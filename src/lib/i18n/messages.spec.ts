import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogues, interpolate, loadLocale, LOCALES, translate, type MessageKey } from './messages';
import * as account from './messages/account';
import * as admin from './messages/admin';
import * as canvassing from './messages/canvassing';
import * as conventions from './messages/conventions';
import * as home from './messages/home';
import * as matters from './messages/matters';
import * as meetings from './messages/meetings';
import * as points from './messages/points';
import * as polls from './messages/polls';
import * as proposals from './messages/proposals';
import * as reports from './messages/reports';
import * as rooms from './messages/rooms';
import * as street from './messages/street';
import * as talents from './messages/talents';

// Every area registered (the imports above) and English loaded: the whole catalogue, as a page would see it.
await loadLocale('en');
const zh = catalogues['zh-CN'] as Record<MessageKey, string>;
const en = catalogues.en as Record<MessageKey, string>;
const AREAS = { account, admin, canvassing, conventions, home, matters, meetings, points, polls, proposals, reports, rooms, street, talents } as const;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return path.endsWith('i18n') ? [] : sourceFiles(path);
		return /\.(svelte|ts)$/.test(name) && !name.endsWith('.spec.ts') ? [path] : [];
	});
}
import { getLocale, setLocale, t, tDynamic } from './i18n.svelte';

const REQUIRED: MessageKey[] = [
	'app.name',
	'nav.proposals',
	'nav.newProposal',
	'nav.settings',
	'sync.online',
	'sync.offline',
	'sync.connecting',
	'sync.pending',
	'sync.lastSynced',
	'sync.neverSynced',
	'update.available',
	'update.reload',
	'update.later',
	'update.keepsChanges',
	'storage.persistedYes',
	'storage.persistedNo',
	'storage.usage',
	'storage.quotaBody',
	'storage.errorBody',
	'filter.allStatuses',
	'filter.allCategories',
	'proposal.timeline',
	'common.save',
	'common.saved',
	'common.cancel',
	'common.edit',
	'locale.switch'
];

describe('message catalogue', () => {
	it('loads an area\'s messages wherever its keys are used: each such module imports the area file', () => {
		const missing: string[] = [];
		for (const file of sourceFiles('src')) {
			// The domain shows nothing: its ids (e.g. the report figure 'polls.participation') are not message keys.
			if (file.includes('/lib/domain/')) continue;
			const text = readFileSync(file, 'utf8');
			const literals = new Set([...text.matchAll(/['"]([a-zA-Z]+\.[\w.]+)['"]/g)].map((m) => m[1]));
			const prefixes = [...text.matchAll(/`([a-zA-Z]+\.[\w.]*\.)\$\{/g)].map((m) => m[1] as string);
			for (const [area, messages] of Object.entries(AREAS)) {
				const keys = Object.keys(messages.zh);
				const uses = keys.some((k) => literals.has(k) || prefixes.some((p) => k.startsWith(p)));
				if (uses && !text.includes(`i18n/messages/${area}'`)) missing.push(`${file} uses ${area} messages without importing them`);
			}
		}
		expect(missing).toEqual([]);
	});

	it('has no dead keys: each is written in the source, or built there from a family prefix', () => {
		const literals = new Set<string>();
		const prefixes = new Set<string>();
		for (const file of sourceFiles('src')) {
			const text = readFileSync(file, 'utf8');
			for (const m of text.matchAll(/['"`]([a-zA-Z]+\.[\w.]+)['"`]/g)) literals.add(m[1] as string);
			for (const m of text.matchAll(/[`'"]([a-zA-Z][\w.]*\.)(?:\$\{|['"]\s*\+)/g)) prefixes.add(m[1] as string);
		}
		const dead = Object.keys(zh).filter((k) => !literals.has(k) && ![...prefixes].some((p) => k.startsWith(p)));
		expect(dead).toEqual([]);
	});

	it('has the same keys in Chinese and English, none empty', () => {
		expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
		for (const [key, value] of [...Object.entries(zh), ...Object.entries(en)]) {
			expect(value.trim(), key).not.toBe('');
		}
	});

	it('uses the same placeholders in both languages', () => {
		const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
		for (const key of Object.keys(zh) as MessageKey[]) expect(names(en[key]), key).toEqual(names(zh[key]));
	});

	it('covers the families the UI builds from domain values', () => {
		const families: Record<string, string[]> = {
			status: ['draft', 'submitted', 'screening', 'accepted', 'rejected', 'merged', 'escalated', 'topic',
				'deliberating', 'voting', 'decided', 'funding', 'in_progress', 'inspected', 'publicised', 'closed'],
			kind: ['individual', 'joint', 'organisational'],
			channel: ['app', 'visit', 'box', 'meeting', 'online_group'],
			cat: ['facilities', 'greening', 'cleanup', 'safety', 'services', 'culture'],
			role: ['resident', 'grid_worker', 'facilitator', 'community_admin', 'street_admin']
		};
		for (const [family, ids] of Object.entries(families)) {
			for (const id of ids) expect(zh, `${family}.${id}`).toHaveProperty([`${family}.${id}`]);
		}
		for (const key of REQUIRED) expect(zh).toHaveProperty([key]);
		for (const locale of LOCALES) expect(zh).toHaveProperty([`locale.${locale}`]);
	});

	it('keeps keys computed from data (tDynamic) few: typed keys catch a missing parameter at compile time', () => {
		// Raise only for a key the types cannot follow (a server's error code, a field named in stored data).
		const BUDGET = 20;
		const calls = sourceFiles('src').reduce((n, file) => n + (readFileSync(file, 'utf8').match(/\btDynamic\(/g)?.length ?? 0), 0);
		expect(calls).toBeLessThanOrEqual(BUDGET);
	});

	it('is Chinese by default', () => {
		expect(zh['app.name']).toBe('院落议事');
		expect(zh['status.deliberating']).toMatch(/[\u4e00-\u9fff]/);
	});
});

describe('interpolation', () => {
	it('fills named parameters, numbers included', () => {
		expect(interpolate('{done}/{total} · {done}', { done: 3, total: 10 })).toBe('3/10 · 3');
		expect(translate('zh-CN', 'sync.pending', { count: 4 })).toBe('待同步 4 项');
		expect(translate('en', 'sync.progress', { done: 12, total: 40 })).toBe('Syncing 12/40');
	});

	it('leaves unknown placeholders visible and ignores extra parameters', () => {
		expect(interpolate('Hello {name}', {})).toBe('Hello {name}');
		expect(interpolate('Hello', { name: 'x' })).toBe('Hello');
		expect(interpolate('{a}{b}')).toBe('{a}{b}');
	});

	it('types each key\'s parameters from its placeholders', () => {
		// Compile-time checks (tsc fails if an expectation below stops being an error); at run time a gap stays visible.
		// @ts-expect-error a missing parameter
		expect(t('polls.cannotCreate')).toBe('{role}不能发起表决，请联系主持人。');
		// @ts-expect-error a misspelt parameter
		expect(t('sync.pending', { cuont: 2 })).toBe('待同步 {count} 项');
		// @ts-expect-error parameters for a message that has none
		expect(t('nav.proposals', { count: 2 })).toBe('提案');
		expect(t('polls.cannotCreate', { role: '住户' })).toBe('住户不能发起表决，请联系主持人。');
	});

	it('tDynamic checks a computed key and its parameters in development', () => {
		expect(tDynamic('status.draft')).toBe(t('status.draft'));
		expect(() => tDynamic('status.nonsense')).toThrow(/unknown message key/);
		expect(() => tDynamic('sync.pending')).toThrow(/\{count\}/);
		expect(tDynamic('sync.pending', { count: 1 })).toBe('待同步 1 项');
	});

	it('t() follows the current locale', async () => {
		expect(getLocale()).toBe('zh-CN');
		expect(t('nav.proposals')).toBe('提案');
		await setLocale('en');
		try {
			expect(getLocale()).toBe('en');
			expect(t('sync.lastSynced', { when: 'just now' })).toBe('Last synced just now');
		} finally {
			await setLocale('zh-CN');
		}
		expect(t('sync.lastSynced', { when: '刚刚' })).toBe('上次同步：刚刚');
	});
});
