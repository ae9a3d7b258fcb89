/**
 * A lost or retired phone (issue 11, "revocation wipes"), in real Chromium against the real relay.
 *
 * A grid worker's phone joins and syncs its grid's household register; a community admin revokes it. On the
 * phone's next contact the relay refuses it (4401 "credential revoked") and the phone deletes the register from
 * IndexedDB at once, says why, hides the register pages and never connects again, while public proposals stay;
 * joining again with a new invitation fetches the register anew. A facilitator's open meeting page loses its
 * working minutes the moment the revocation arrives.
 * A second phone has recorded a visit the relay never received: after the revocation it lists that visit,
 * offers 导出 first (the file holds the visit) and deletes it on "delete now", asking twice before an export.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceInfo, DeviceList } from '../../src/lib/protocol/api';
import { caughtUp, pending } from './app-page';
import { startApp, stopApp, type RelayHandle } from './harness';
import { storedRows } from './idb';
import { adminSession, DEMO, joinDevice, type AdminSession, type Device } from './invite';

const GRID = 'g1';
const PERSONAL = /:(households|visits|ballots|minutes):/;

/** What the phone holds of personal documents (y-indexeddb databases, index rows, sync state) and of the rest. */
async function traces(page: Page) {
	type Tables = { index: { doc: string; kind: string }; syncState: { doc: string }; settings: { key: string; value: unknown } };
	const { databases, rows } = await storedRows<Tables>(page, ['index', 'syncState', 'settings']);
	const { index, syncState: states, settings } = rows;
	return {
		personalDatabases: databases
			.filter((n) => n.startsWith('courtyard-doc:') && PERSONAL.test(n))
			.map((n) => n.slice('courtyard-doc:'.length))
			.sort(),
		personalIndex: index.filter((e) => PERSONAL.test(e.doc)).map((e) => e.doc).sort(),
		personalStates: states.filter((s) => PERSONAL.test(s.doc)).map((s) => s.doc).sort(),
		proposals: index.filter((e) => e.kind === 'proposal').length,
		hasToken: settings.some((s) => s.key === 'device.token'),
		revocation: (settings.find((s) => s.key === 'device.revocation')?.value ?? null) as { kind: string; wipedAt: number | null } | null
	};
}

/** Sockets the page opens to the relay's /sync endpoint from now on. */
function syncSockets(page: Page): string[] {
	const urls: string[] = [];
	page.on('websocket', (ws) => {
		if (new URL(ws.url()).pathname === '/sync') urls.push(ws.url());
	});
	return urls;
}

async function revoke(admin: AdminSession, name: string): Promise<void> {
	const { devices } = await admin.get<DeviceList>('/api/devices');
	const device = devices.find((d) => d.name === name);
	expect(device, `device ${name} in the admin's list`).toBeTruthy();
	const revoked = await admin.post<DeviceInfo>(`/api/devices/${device!.id}/revoke`);
	expect(revoked.revokedAt).not.toBeNull();
}

/** The grid's register, on screen. */
async function showRegister(page: Page, relay: RelayHandle): Promise<void> {
	await page.goto(`${relay.url}/households?grid=${GRID}`);
	await expect.poll(() => page.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(10);
}

describe('a revoked device deletes the personal data it holds', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let admin: AdminSession;
	const devices: Device[] = [];

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		admin = await adminSession(relay);
	});

	afterAll(() => stopApp(browser, relay, devices));

	it('everything synced: the register is deleted at once, its pages say why, the phone never connects again', async () => {
		const name = `张网格 ${Date.now().toString(36)}`;
		const phone = await joinDevice(browser, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), name);
		devices.push(phone);
		const { page } = phone;
		await showRegister(page, relay);
		const before = await traces(page);
		// The control: the register is on the phone before the revocation.
		expect(before.personalDatabases).toContain(`${DEMO}:households:${GRID}`);
		expect(before.personalIndex).toContain(`${DEMO}:households:${GRID}`);
		expect(before.hasToken).toBe(true);

		// The relay ends the open connection at once (4401 "credential revoked"): that is the phone's next contact.
		await revoke(admin, name);
		const banner = page.getByTestId('refusal-banner');
		await expect.poll(() => banner.getAttribute('data-state'), { timeout: 20_000 }).toBe('wiped');
		expect(await banner.getAttribute('data-kind')).toBe('revoked');
		await expect.poll(() => banner.innerText()).toContain('本设备已被管理员停用');
		expect(await page.getByTestId('revoked-wiped').innerText()).toContain('住户名册、走访记录、表决票和会议记录工作稿已经删除');
		expect(await page.getByTestId('refusal-safe').innerText()).toContain('公开内容没有未同步的更改');

		// The register page no longer shows a household; it says why instead.
		await page.getByTestId('personal-page-hidden').waitFor();
		expect(await page.getByTestId('household-row').count()).toBe(0);
		expect(await page.getByTestId('nav-households').count()).toBe(0);

		const after = await traces(page);
		expect(after.personalDatabases).toEqual([]);
		expect(after.personalIndex).toEqual([]);
		expect(after.personalStates).toEqual([]);
		expect(after.hasToken).toBe(false);
		expect(after.revocation).toMatchObject({ kind: 'revoked', wipedAt: expect.any(Number) });
		// Public matters stay.
		expect(after.proposals).toBe(before.proposals);
		expect(after.proposals).toBeGreaterThanOrEqual(5);

		// Reopened, the phone stays revoked and does not try the relay again; the proposal list still works.
		const sockets = syncSockets(page);
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		await page.getByTestId('personal-page-hidden').waitFor();
		expect(await page.getByTestId('household-row').count()).toBe(0);
		await page.getByTestId('nav-list').click();
		await expect.poll(() => page.getByTestId('proposal-row').count()).toBeGreaterThanOrEqual(5);
		await page.waitForTimeout(1_500);
		expect(sockets).toEqual([]);
		expect((await traces(page)).personalDatabases).toEqual([]);
		await expect.poll(() => page.getByTestId('connection').innerText()).toContain('同步已停止');
		// It still says when it last synced.
		expect(Number(await page.getByTestId('status-bar').getAttribute('data-last-synced'))).toBeGreaterThan(0);

		// In English too.
		await page.evaluate(() => localStorage.setItem('courtyard.locale', 'en'));
		await page.reload();
		await expect.poll(() => page.getByTestId('revoked-wiped').innerText()).toContain('have been deleted');
	});

	it('joining again with a new invitation brings the register back from the relay', async () => {
		const { page } = devices[0]!;
		await page.getByTestId('refusal-rejoin').click();
		await page.getByTestId('invite-form').waitFor();
		await page.goto(await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }));
		await page.getByTestId('join-submit').click();
		await page.getByTestId('join-done').waitFor();
		await page.getByTestId('join-start').click();
		expect(await page.getByTestId('refusal-banner').count()).toBe(0);
		// The wipe reset the catch-up cursor, so the background catch-up fetches the deleted register again although
		// it did not change on the relay, before any page opens it.
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
		await expect.poll(async () => (await traces(page)).personalDatabases, { timeout: 10_000 }).toContain(`${DEMO}:households:${GRID}`);
		await showRegister(page, relay);
		const back = await traces(page);
		expect(back.personalDatabases).toContain(`${DEMO}:households:${GRID}`);
		expect(back.hasToken).toBe(true);
		expect(back.revocation).toBeNull();
	});

	it('a facilitator’s open meeting page drops the working minutes at once; the public part stays', async () => {
		const name = `周主持 ${Date.now().toString(36)}`;
		const phone = await joinDevice(browser, await relay.invite({ role: 'facilitator', community: DEMO }), name);
		devices.push(phone);
		const { page } = phone;
		await page.goto(`${relay.url}/meetings`);
		const withMinutes = page.getByTestId('meeting-item').filter({ has: page.getByTestId('meeting-minutes-status') });
		await withMinutes.first().waitFor({ timeout: 15_000 });
		const meeting = (await withMinutes.first().getAttribute('data-doc'))!;
		await page.goto(`${relay.url}/meeting?doc=${encodeURIComponent(meeting)}`);
		await page.getByTestId('attendance-panel').waitFor({ timeout: 15_000 });
		expect(await page.getByTestId('open-minutes').count()).toBe(1);
		const minutes = meeting.replace(':meeting:', ':minutes:');
		expect((await traces(page)).personalDatabases).toContain(minutes);

		await revoke(admin, name);
		const banner = page.getByTestId('refusal-banner');
		await expect.poll(() => banner.getAttribute('data-state'), { timeout: 20_000 }).toBe('wiped');
		// The same page, still mounted: the working minutes are gone from it, the meeting itself is not.
		await expect.poll(() => page.getByTestId('attendance-panel').count()).toBe(0);
		expect(await page.getByTestId('open-minutes').count()).toBe(0);
		expect(await page.getByTestId('minutes-status').count()).toBe(1);
		expect((await traces(page)).personalDatabases).toEqual([]);
		await page.goto(`${relay.url}/meeting/minutes?doc=${encodeURIComponent(meeting)}`);
		await page.getByTestId('personal-page-hidden').waitFor();
		expect(await page.getByTestId('minutes-text').count()).toBe(0);
	});

	it('an unsynced visit: listed, exported first, deleted only on "delete now"', async () => {
		const name = `李网格 ${Date.now().toString(36)}`;
		const phone = await joinDevice(browser, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), name);
		devices.push(phone);
		const { page, link } = phone;
		await showRegister(page, relay);

		// No signal on the stairs: a visit recorded on the phone only.
		await link.cut();
		const note = `门禁坏了 ${Date.now().toString(36)}`;
		const row = page.locator('[data-testid=household-row][data-status=none]').first();
		await row.click();
		await page.getByTestId('household-card').waitFor();
		await page.getByTestId('outcome-talked').check();
		await page.getByTestId('needs-text').fill(note);
		await page.getByTestId('visit-save').click();
		await page.getByTestId('visit-saved').waitFor();
		await expect.poll(() => pending(page)).toBeGreaterThanOrEqual(1);

		await revoke(admin, name);
		link.restore();
		// The browser says it is online again: the phone's next contact, refused.
		await page.evaluate(() => window.dispatchEvent(new Event('online')));
		const banner = page.getByTestId('refusal-banner');
		await expect.poll(() => banner.getAttribute('data-state'), { timeout: 20_000 }).toBe('waiting');
		const listed = page.getByTestId('revoked-pending').locator('li');
		await expect.poll(() => listed.count()).toBe(1);
		expect(await listed.first().getAttribute('data-doc')).toBe(`${DEMO}:visits:${GRID}`);
		expect(await listed.first().innerText()).toContain('走访记录 · 第一网格（未同步的更改）');
		expect(await page.getByTestId('revoked-deadline').innerText()).toContain('自动删除');
		// Nothing personal is on screen meanwhile, and nobody can join on this phone before the decision.
		await page.getByTestId('personal-page-hidden').waitFor();
		expect(await page.getByTestId('household-row').count()).toBe(0);
		expect(await page.getByTestId('refusal-rejoin').count()).toBe(0);

		// The synced register went at once; only the unsynced visit waits.
		const waiting = await traces(page);
		expect(waiting.personalDatabases).toEqual([`${DEMO}:visits:${GRID}`]);
		expect(waiting.hasToken).toBe(false);

		// Reopened on an invitation link: still waiting for the decision, and joining is not possible yet.
		await page.goto(await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }));
		await page.getByTestId('join-wipe-first').waitFor();
		expect(await page.getByTestId('join-submit').isDisabled()).toBe(true);
		await expect.poll(() => banner.getAttribute('data-state')).toBe('waiting');
		await expect.poll(() => listed.count()).toBe(1);

		// "Delete now" before exporting asks again; cancelling keeps the visit.
		await page.getByTestId('revoked-wipe').click();
		await page.getByTestId('revoked-wipe-confirm').waitFor();
		await page.getByTestId('revoked-wipe-cancel').click();
		expect((await traces(page)).personalDatabases).toEqual([`${DEMO}:visits:${GRID}`]);

		// 导出: the file holds the visit.
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('revoked-export').click()]);
		expect(download.suggestedFilename()).toMatch(/^courtyard-backup-\d{4}-\d{2}-\d{2}\.json$/);
		const backup = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; docs: { doc: string; update: string }[] };
		expect(backup.format).toBe('courtyard-backup');
		const entry = backup.docs.find((d) => d.doc === `${DEMO}:visits:${GRID}`);
		expect(entry, 'the unsynced visit in the backup').toBeTruthy();
		expect(Buffer.from(entry!.update, 'base64').toString('utf8')).toContain(note);
		await page.getByTestId('revoked-exported').waitFor();

		// Exported, so one tap deletes it.
		await page.getByTestId('revoked-wipe').click();
		await expect.poll(() => banner.getAttribute('data-state'), { timeout: 10_000 }).toBe('wiped');
		const after = await traces(page);
		expect(after.personalDatabases).toEqual([]);
		expect(after.personalIndex).toEqual([]);
		expect(after.personalStates).toEqual([]);
		expect(after.revocation).toMatchObject({ wipedAt: expect.any(Number) });
		// Now the phone may join again.
		expect(await page.getByTestId('refusal-rejoin').isEnabled()).toBe(true);
	});
});
