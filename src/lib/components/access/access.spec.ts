import { describe, expect, it } from 'vitest';
import type { Grant } from '$lib/domain/access';
import { setLocale } from '$lib/i18n';
import { accessTo, isRefusal, mayReadHouseholds, readableGrids, refusalKind, refusalWhy, sealPersonalAccess } from './access';

const grids = [{ id: 'g1' }, { id: 'g2' }];

describe('what the UI offers each role', () => {
	it('lets only the roles of the matrix near a household register', () => {
		expect(mayReadHouseholds({ role: 'resident', community: 'demo', household: 'b01-1-101' })).toBe(false);
		expect(mayReadHouseholds({ role: 'street_admin', community: 'st', communities: ['demo'] })).toBe(false);
		expect(mayReadHouseholds({ role: 'grid_worker', community: 'demo', grids: [] })).toBe(false);
		expect(mayReadHouseholds({ role: 'grid_worker', community: 'demo', grids: ['g1'] })).toBe(true);
		expect(mayReadHouseholds({ role: 'facilitator', community: 'demo' })).toBe(true);
		expect(mayReadHouseholds(null)).toBe(false);
		expect(readableGrids({ role: 'grid_worker', community: 'demo', grids: ['g2'] }, grids)).toEqual([{ id: 'g2' }]);
		expect(readableGrids({ role: 'community_admin', community: 'demo' }, grids)).toEqual(grids);
	});

	it('reads access per document, none without a credential or a name', () => {
		expect(accessTo({ role: 'facilitator', community: 'demo' }, 'demo:households:g1')).toBe('read');
		expect(accessTo({ role: 'street_admin', community: 'st', communities: ['demo'] }, 'demo:proposal:p1')).toBe('none');
		expect(accessTo({ role: 'street_admin', community: 'st', communities: ['demo'] }, 'demo:referrals:main')).toBe('write');
		expect(accessTo({ role: 'resident', community: 'demo' }, 'demo:proposal:p1')).toBe('write');
		expect(accessTo(null, 'demo:proposal:p1')).toBe('none');
		expect(accessTo({ role: 'community_admin', community: 'demo' }, 'not a name')).toBe('none');
	});
});

describe('a revoked or expired device', () => {
	it('closes every personal document to every grant, and nothing else', () => {
		const admin: Grant = { role: 'community_admin', community: 'demo' };
		const worker: Grant = { role: 'grid_worker', community: 'demo', grids: ['g1'] };
		let revoked = false;
		sealPersonalAccess(() => revoked);
		try {
			expect(accessTo(admin, 'demo:minutes:m1')).toBe('write');
			revoked = true;
			for (const name of ['demo:households:g1', 'demo:visits:g1', 'demo:ballots:g1_p1', 'demo:minutes:m1']) expect(accessTo(admin, name)).toBe('none');
			expect(accessTo(admin, 'demo:proposal:p1')).toBe('write');
			expect(accessTo(worker, 'demo:meeting:m1')).toBe('read');
			expect(readableGrids(admin, grids)).toEqual([]);
			expect(mayReadHouseholds(worker)).toBe(false);
			expect(refusalWhy(worker, 'demo:households:g1')).toContain('本设备已停用');
			revoked = false;
			expect(readableGrids(worker, grids)).toEqual([{ id: 'g1' }]);
		} finally {
			sealPersonalAccess(() => false);
		}
	});
});

describe('explaining refusals', () => {
	it('says why per role, in the current language', async () => {
		expect(refusalWhy({ role: 'resident', community: 'demo' }, 'demo:households:g1')).toContain('居民不能查看');
		expect(refusalWhy({ role: 'grid_worker', community: 'demo', grids: ['g1'] }, 'demo:households:g2', () => '第一网格')).toContain('第一网格');
		expect(refusalWhy({ role: 'street_admin', community: 'st', communities: ['demo'] }, 'demo:households:g1')).toContain('不能查看住户个人信息');
		expect(refusalWhy({ role: 'resident', community: 'other' }, 'demo:proposal:p1')).toContain('其他社区');
		await setLocale('en');
		try {
			expect(refusalWhy({ role: 'resident', community: 'demo' }, 'demo:households:g1')).toContain('residents cannot see it');
		} finally {
			await setLocale('zh-CN');
		}
	});

	it('tells revoked, expired and invalid credentials apart from the close reason', () => {
		expect(refusalKind('credential revoked')).toBe('revoked');
		expect(refusalKind('credential expired')).toBe('expired');
		expect(refusalKind('invalid credential')).toBe('invalid');
		expect(refusalKind('', 1000, 2000)).toBe('expired');
		expect(isRefusal('forbidden')).toBe(true);
		expect(isRefusal('read-only: your changes are not accepted')).toBe(true);
		expect(isRefusal("refused: another household's record")).toBe(true);
		expect(isRefusal('could not load the document')).toBe(false);
		expect(isRefusal(null)).toBe(false);
	});
});
