/**
 * Dates that make no sense do not pass silently (issue 12, item 10).
 *
 * A facilitator schedules a bench meeting six days ahead, then — offline for real, as in a courtyard without
 * signal — tries to check an invitee in today and approve the minutes: the attendance and approval panels say
 * 会议日期是…，今天是…, refuse to go on without a reason, and keep the reason given with the check-in and the
 * approved version. Back online, a second facilitator's device shows both reasons. At 360 px.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import { connection, pending, submitMeeting } from './app-page';
import { startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { adminToken, apiInvitation, bootstrapLink, type Device, joinDevice } from './invite';

/** 12月9日, as the warning says it. */
const zhDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

describe('a meeting dated another day asks why before taking attendance or approval', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let zhou: Device;
	let meetingDoc = '';
	const today = cstDay(Date.now());
	const meetingDay = addDays(today, 6);
	const title = `5栋楼道照明议事会 ${Date.now().toString(36)}`;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('schedules a meeting six days ahead', async () => {
		zhou = await joinDevice(browser, bootstrapLink(relay, 'facilitator'), '周敏');
		const a = zhou.page;
		await a.setViewportSize({ width: 360, height: 740 });
		await waitForServiceWorker(a);
		await a.goto(`${relay.url}/meetings/new`);
		await a.getByTestId('meeting-kind-deliberation').check();
		await a.getByTestId('meeting-title-input').fill(title);
		await a.getByTestId('meeting-place').fill('社区活动室');
		await a.getByTestId('meeting-day').fill(meetingDay);
		meetingDoc = await submitMeeting(a);
		await expect.poll(() => pending(a), { timeout: 15_000 }).toBe(0);
	});

	it('offline, check-in today warns with both dates and goes on only with a reason', async () => {
		const a = zhou.page;
		await zhou.link.cut();
		await expect.poll(() => zhou.link.blocked, { timeout: 20_000 }).toBeGreaterThan(0);
		await zhou.context.setOffline(true);
		await expect.poll(() => connection(a), { timeout: 10_000 }).toBe('offline');
		expect(zhou.link.isCut).toBe(true);

		await a.goto(`${relay.url}/meeting?doc=${encodeURIComponent(meetingDoc)}`);
		const panel = a.getByTestId('attendance-panel');
		await panel.waitFor({ timeout: 15_000 });
		const warning = panel.getByTestId('date-warning');
		await warning.waitFor();
		expect(await warning.getAttribute('data-meeting-day')).toBe(meetingDay);
		expect(await warning.getAttribute('data-today')).toBe(today);
		expect(await warning.innerText()).toContain(`会议日期是${zhDay(meetingDay)}，今天是${zhDay(today)}`);

		// Without a reason nothing is recorded.
		await panel.locator('[data-testid=invitee-checkin][data-name="张桂英"]').click();
		await expect.poll(() => panel.getByRole('alert').innerText()).toContain('请先说明原因');
		expect(await panel.getByTestId('attendee').count()).toBe(0);
		expect(await a.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('date-reason');

		await panel.getByTestId('date-reason').fill('补录上周纸质签到表');
		await panel.locator('[data-testid=invitee-checkin][data-name="张桂英"]').click();
		const attendee = panel.locator('[data-testid=attendee][data-name="张桂英"]');
		await attendee.waitFor();
		expect(await attendee.getByTestId('attendee-reason').innerText()).toContain('补录上周纸质签到表');
		expect(await a.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	});

	it('offline, approving before the meeting day is held until a reason is given', async () => {
		const a = zhou.page;
		await a.getByTestId('decision-text').fill('5栋各层更换感应灯。');
		await a.getByTestId('decision-add').click();
		await a.getByTestId('decision').first().waitFor();
		const approval = a.getByTestId('approval-panel');
		await approval.locator('[data-testid=confirm-attendee][data-name="张桂英"]').check();

		await expect.poll(() => approval.locator('[data-testid=approval-issue][data-code=date_reason]').count()).toBe(1);
		expect(await approval.getByTestId('approve').isDisabled()).toBe(true);
		const warning = approval.getByTestId('date-warning');
		expect(await warning.innerText()).toContain(`会议日期是${zhDay(meetingDay)}，今天是${zhDay(today)}`);

		await approval.getByTestId('date-reason').fill('会议提前召开，日期未及修改');
		await expect.poll(() => approval.getByTestId('approve').isDisabled()).toBe(false);
		await approval.getByTestId('approve').click();
		await approval.getByTestId('approval-saved').waitFor();
		await expect.poll(() => a.getByTestId('published-reason').innerText()).toContain('会议提前召开，日期未及修改');
		expect(await connection(a)).not.toBe('online');
		expect(await a.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

		// Back online, everything reaches the relay (which refuses an early approval without its reason).
		zhou.link.restore();
		await zhou.context.setOffline(false);
		await expect.poll(() => pending(a), { timeout: 20_000 }).toBe(0);
	});

	it('another facilitator sees why, on the attendee and on the approved minutes', async () => {
		const lin = await joinDevice(
			browser,
			await apiInvitation(relay, await adminToken(relay), { role: 'facilitator', maxUses: 1, label: 'second facilitator' }),
			'林晓燕'
		);
		const b = lin.page;
		await b.setViewportSize({ width: 360, height: 740 });
		await b.goto(`${relay.url}/meeting?doc=${encodeURIComponent(meetingDoc)}`);
		await expect.poll(() => b.getByTestId('minutes-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('approved');
		await expect.poll(() => b.getByTestId('published-reason').innerText(), { timeout: 20_000 }).toContain('会议提前召开，日期未及修改');
		const attendee = b.locator('[data-testid=attendee][data-name="张桂英"]');
		await attendee.waitFor({ timeout: 20_000 });
		expect(await attendee.getByTestId('attendee-reason').innerText()).toContain('补录上周纸质签到表');
	});
});
