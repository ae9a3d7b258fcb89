/**
 * Joining by invitation and losing the credential, end to end against the real relay.
 *
 * A fresh phone sees the welcome screen, opens an invitation link, joins as a resident and gets the proposals.
 * The link cannot be used twice. Offline, the resident files a proposal; meanwhile the community admin revokes
 * the device. Back online the relay refuses it: a banner says so in plain words, the proposal is still in the
 * list, and "export unsynced changes" downloads a backup holding that proposal's document.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceInfo, DeviceList } from '../../src/lib/protocol/api';
import { caughtUp, pending } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitForServiceWorker, type RelayHandle, type RelayLink } from './harness';
import { adminSession, DEMO, type AdminSession } from './invite';

const rows = (page: Page) => page.getByTestId('proposal-row');
const rowTitled = (page: Page, title: string) => rows(page).filter({ hasText: title });

describe('joining by invitation, and a revoked device', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	let link: RelayLink;
	let admin: AdminSession;
	let invitation: string;
	const name = `王阿姨 ${Date.now().toString(36)}`;
	const offlineTitle = `楼道灯不亮 ${Date.now().toString(36)}`;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		admin = await adminSession(relay);
		context = await newAppContext(browser);
		// On the context, before any page opens, so every relay socket can be cut.
		link = await relayLink(context);
		page = await context.newPage();
		invitation = await relay.invite({ role: 'resident', community: DEMO, household: 'b01-1-101', label: name });
	});

	afterAll(() => stopApp(browser, relay));

	it('a device without a credential sees the welcome screen, not the proposals', async () => {
		await page.goto(relay.url);
		await page.getByTestId('welcome').waitFor();
		await expect.poll(() => page.getByTestId('welcome-scan').innerText()).toContain('请扫描社区工作人员提供的二维码或打开邀请链接加入');
		expect(await rows(page).count()).toBe(0);
		expect(await page.getByTestId('nav-list').count()).toBe(0);
		// Pasting something that is not an invitation says so.
		await page.getByTestId('invite-input').fill('你好');
		await page.getByTestId('invite-go').click();
		await expect.poll(() => page.locator('#invite-error').innerText()).toContain('没有找到邀请码');
	});

	it('pasting the invitation link opens the join page; joining shows what it was for, then the proposals', async () => {
		await page.getByTestId('invite-input').fill(`社区邀请：${invitation} 请查收`);
		await page.getByTestId('invite-go').click();
		await page.getByTestId('join-name').waitFor();
		await page.getByTestId('join-name').fill(name);
		await page.getByTestId('join-submit').click();
		await page.getByTestId('join-done').waitFor();
		await expect.poll(() => page.getByTestId('join-role').innerText()).toBe('居民');
		await expect.poll(() => page.getByTestId('scope-household').innerText()).toContain('101');
		// The used code is gone from the address bar, so a reload cannot try it again.
		expect(new URL(page.url()).searchParams.has('code')).toBe(false);

		await page.getByTestId('join-start').click();
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
		await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(5);
		// Settings show the credential's role and scope; the old identity picker is gone.
		await page.getByTestId('nav-settings').click();
		await expect.poll(() => page.getByTestId('device-role').innerText()).toBe('居民');
		await expect.poll(() => page.getByTestId('device-name').innerText()).toBe(name);
		expect(await page.getByTestId('identity-role').count()).toBe(0);
	});

	it('the same single-use link cannot be used on a second phone, and says why', async () => {
		const other = await newAppContext(browser);
		try {
			const second = await other.newPage();
			await second.goto(invitation);
			await second.getByTestId('join-submit').click();
			const error = second.getByTestId('join-error');
			await expect.poll(() => error.getAttribute('data-code')).toBe('invitation_used_up');
			await expect.poll(() => error.innerText()).toContain('已经被用完');
		} finally {
			await other.close();
		}
	});

	it('offline, the resident files a proposal; the admin revokes the device; online again, the banner explains', async () => {
		await page.getByTestId('nav-list').click();
		// Offline pages come from the service worker's precache: it must be installed before the network goes.
		await waitForServiceWorker(page);
		await context.setOffline(true);
		await link.cut();
		await page.getByTestId('nav-new').click();
		await page.getByTestId('field-title').fill(offlineTitle);
		await page.getByTestId('field-description').fill('2 单元楼道的灯坏了一个月，晚上老人下楼看不清台阶。');
		await page.getByTestId('category-safety').check();
		await page.getByTestId('submit').click();
		await page.getByTestId('proposal-detail').waitFor();
		await expect.poll(() => pending(page)).toBeGreaterThanOrEqual(1);

		const { devices } = await admin.get<DeviceList>('/api/devices');
		const device = devices.find((d) => d.name === name);
		expect(device, 'the resident device in the admin list').toBeTruthy();
		const revoked = await admin.post<DeviceInfo>(`/api/devices/${device!.id}/revoke`);
		expect(revoked.revokedAt).not.toBeNull();

		link.restore();
		await context.setOffline(false);
		const banner = page.getByTestId('refusal-banner');
		await banner.waitFor({ timeout: 20_000 });
		expect(await banner.getAttribute('data-kind')).toBe('revoked');
		await expect.poll(() => banner.innerText()).toContain('本设备已被管理员停用');
		await expect.poll(() => page.getByTestId('refusal-safe').innerText()).toContain('不会丢失');
		await expect.poll(() => page.getByTestId('connection').innerText()).toContain('同步已停止');
	});

	it('nothing is lost: the proposal stays in the list and the export holds its document', async () => {
		await page.getByTestId('nav-list').click();
		await expect.poll(() => rowTitled(page, offlineTitle).count()).toBe(1);
		const doc = await rowTitled(page, offlineTitle).getAttribute('data-doc');
		expect(doc).toMatch(/^demo:proposal:/);
		// The banner stays on every page.
		await page.getByTestId('refusal-banner').waitFor();

		const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('refusal-export').click()]);
		expect(download.suggestedFilename()).toMatch(/^courtyard-backup-\d{4}-\d{2}-\d{2}\.json$/);
		const backup = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; docs: { doc: string; update: string }[] };
		expect(backup.format).toBe('courtyard-backup');
		const entry = backup.docs.find((d) => d.doc === doc);
		expect(entry, 'the offline proposal in the backup').toBeTruthy();
		// Its update decodes to the proposal's title (Yjs stores strings as UTF-8).
		expect(Buffer.from(entry!.update, 'base64').toString('utf8')).toContain(offlineTitle);

		await page.getByTestId('refusal-rejoin').click();
		await page.getByTestId('invite-form').waitFor();
		expect(new URL(page.url()).pathname).toBe('/join');
	});
});
