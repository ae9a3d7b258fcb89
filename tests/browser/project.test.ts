/**
 * From decision to a rated result, end to end against the real relay, on two devices (a facilitator and a
 * resident).
 *
 * The facilitator forms a topic from an accepted demo proposal, starts its project with a target and records a
 * property subsidy. The resident pledges while offline; it syncs when the network returns and the facilitator
 * marks it received: the ledger's balance is exact to the fen. Tasks are planned (one already overdue, shown on
 * the project and in the list) and reported done with a photo. Two bids are recorded, one selected with its
 * reason, and the generated result notice appears on the resident's notice board and prints as a poster with a
 * QR code to the project. Acceptance passes with two households chosen from the register (one recorded on paper
 * with a photo, the resident signing for their own household) and the facilitator's recorded override of the
 * target not fully raised. The resident rates 2 and turns the rating into a new proposal in one step; the
 * proposal points back at the project, and the original proposal shows the project's latest step.
 */
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import { pngImage } from '../factories/images';
import { caughtUp } from './app-page';
import { startApp, stopApp, type RelayHandle } from './harness';
import { bootstrapLink, type Device, joinDevice } from './invite';

describe('a project from decision to a rated result', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let facilitator: Device;
	let resident: Device;
	let topic = '';
	let project = '';
	let tenderNotice = '';
	const stamp = Date.now().toString(36);
	const title = `北侧通道路灯修复 ${stamp}`;
	const today = cstDay(Date.now());
	const projectUrl = (tab: string) => `${relay.url}/project?doc=${encodeURIComponent(project)}&tab=${tab}`;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('a facilitator forms a topic, starts its project with a target and records a property subsidy', async () => {
		facilitator = await joinDevice(browser, bootstrapLink(relay, 'facilitator'), '周敏');
		const page = facilitator.page;
		await page.goto(`${relay.url}/topics`);
		await page.locator('[data-testid=accepted-proposal][data-doc="demo:proposal:street-lights"]').check();
		await page.getByTestId('topic-title').fill(title);
		await page.getByTestId('topic-submit').click();
		await page.getByTestId('topic-done').waitFor();
		const row = page.getByTestId('topic-row').filter({ hasText: title });
		topic = (await row.getAttribute('data-doc')) ?? '';
		expect(topic).toMatch(/^demo:topic:/);
		project = topic.replace(':topic:', ':project:');

		await page.goto(`${relay.url}/projects`);
		await page.locator(`[data-testid=startable-topic][data-topic="${topic}"] a`).click();
		await page.getByTestId('project-start').waitFor();
		await expect.poll(() => page.getByTestId('project-title-input').inputValue()).toBe(title);
		await page.getByTestId('project-target-input').fill('3,000');
		await page.getByTestId('project-start-submit').click();
		await page.getByTestId('project-detail').waitFor();
		expect(await page.getByTestId('project-detail').getAttribute('data-stage')).toBe('funding');
		expect(await page.getByTestId('funding-target').innerText()).toBe('¥3,000.00');

		await page.getByTestId('pledge-source').selectOption('property');
		await page.getByTestId('pledge-name').fill('锦绣物业');
		await page.getByTestId('pledge-amount').fill('1500');
		await page.getByTestId('pledge-submit').click();
		await page.getByTestId('pledge-saved').waitFor();
		const subsidy = page.locator('[data-testid=pledge][data-name="锦绣物业"]');
		await subsidy.getByTestId('receive-open').click();
		await subsidy.getByTestId('receive-confirm').click();
		await page.getByTestId('receive-saved').waitFor();
		await expect.poll(() => subsidy.getAttribute('data-status')).toBe('received');
		expect(await page.getByTestId('ledger-balance').getAttribute('data-fen')).toBe('150000');
	});

	it('a resident pledges offline; it syncs on reconnect and the facilitator marks it received, exact to the fen', async () => {
		resident = await joinDevice(browser, bootstrapLink(relay, 'resident'), '刘阿姨');
		const { page, context, link } = resident;
		const loaded = Date.now();
		await page.goto(projectUrl('funding'));
		await page.getByTestId('project-detail').waitFor({ timeout: 20_000 });
		// Settled first: the catch-up this page load started has finished, so going offline interrupts nothing.
		await expect.poll(async () => Number(await page.getByTestId('status-bar').getAttribute('data-last-synced')) >= loaded, { timeout: 20_000 }).toBe(true);
		expect(await page.getByTestId('pledge-source').count()).toBe(0);
		expect(await page.getByTestId('receive-open').count()).toBe(0);

		await context.setOffline(true);
		await link.cut();
		await expect.poll(() => page.getAttribute('[data-testid=status-bar]', 'data-connection')).not.toBe('online');
		await page.getByTestId('pledge-name').fill(`1栋 刘阿姨 ${stamp}`);
		await page.getByTestId('pledge-amount').fill('200.5');
		await page.getByTestId('pledge-submit').click();
		await expect.poll(() => page.getByTestId('pledge-saved').innerText()).toContain('联网后自动同步');
		await expect.poll(async () => Number(await page.getAttribute('[data-testid=pending]', 'data-count'))).toBeGreaterThan(0);

		await context.setOffline(false);
		link.restore();
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
		await expect.poll(async () => Number(await page.getAttribute('[data-testid=pending]', 'data-count')), { timeout: 20_000 }).toBe(0);

		const f = facilitator.page;
		const pledge = f.locator(`[data-testid=pledge][data-name="1栋 刘阿姨 ${stamp}"]`);
		await pledge.waitFor({ timeout: 20_000 });
		await pledge.getByTestId('receive-open').click();
		expect(await pledge.getByTestId('receive-amount').inputValue()).toBe('200.50');
		await pledge.getByTestId('receive-confirm').click();
		await expect.poll(() => f.getByTestId('ledger-balance').getAttribute('data-fen')).toBe('170050');
		expect(await f.getByTestId('ledger-line').count()).toBe(2);
		expect(await f.getByTestId('funding-raised').innerText()).toBe('¥1,700.50');
		// The resident sees the same ledger.
		await expect.poll(() => page.getByTestId('ledger-balance').getAttribute('data-fen'), { timeout: 20_000 }).toBe('170050');
		await expect.poll(() => page.locator(`[data-testid=pledge][data-name="1栋 刘阿姨 ${stamp}"]`).getAttribute('data-status')).toBe('received');
	});

	it('tasks: an overdue one is highlighted on the project and in the list; progress with a photo completes them', async () => {
		const page = facilitator.page;
		await page.getByTestId('tab-tasks').click();
		for (const [what, due] of [
			['更换三盏坏路灯', addDays(today, 5)],
			['补装两盏太阳能路灯', addDays(today, -2)]
		] as const) {
			await page.getByTestId('task-title').fill(what);
			await page.getByTestId('task-responsible').fill('物业工程部');
			await page.getByTestId('task-due').fill(due);
			await page.getByTestId('task-submit').click();
			await page.getByTestId('task-saved').waitFor();
		}
		await expect.poll(() => page.getByTestId('task').count()).toBe(2);
		const late = page.locator('[data-testid=task][data-overdue=true]');
		expect(await late.count()).toBe(1);
		expect(await late.innerText()).toContain('补装两盏太阳能路灯');
		expect(await late.getByTestId('task-overdue').innerText()).toContain('逾期 2 天');

		await page.goto(`${relay.url}/projects`);
		const item = page.locator(`[data-testid=project-item][data-doc="${project}"]`);
		await expect.poll(() => item.getAttribute('data-overdue')).toBe('true');
		await item.locator('a').click();
		await page.getByTestId('tab-tasks').click();

		for (const [i, [what, text]] of [
			['更换三盏坏路灯', '三盏灯已换好'],
			['补装两盏太阳能路灯', '太阳能路灯已装好']
		].entries()) {
			const task = page.getByTestId('task').filter({ hasText: what! });
			await task.getByTestId('progress-open').click();
			await task.getByTestId('progress-text').fill(text!);
			await task.getByTestId('mark-done').check();
			if (i === 0) {
				await task.locator('[data-testid=progress-photos] [data-testid=photo-input]').setInputFiles({ name: 'lamp.png', mimeType: 'image/png', buffer: pngImage(640, 480, 3) });
				await expect.poll(() => task.getByTestId('progress-photos').getAttribute('data-count')).toBe('1');
			}
			await task.getByTestId('progress-submit').click();
			await page.getByTestId('progress-saved').waitFor();
		}
		await expect.poll(() => page.locator('[data-testid=task][data-status=done]').count()).toBe(2);
		expect(await page.locator('[data-testid=task][data-overdue=true]').count()).toBe(0);
		// The photo is listed with the update (and in the project's photo register, so it uploads for this project).
		expect(await page.getByTestId('task').filter({ hasText: '更换三盏坏路灯' }).getByTestId('task-update').getByTestId('photo-thumb').count()).toBe(1);
		await expect.poll(() => page.getByTestId('project-detail').getAttribute('data-stage')).toBe('awaiting_acceptance');
	});

	it('a tender selection generates a notice that appears on the resident\'s notice board and prints with a QR code', async () => {
		const page = facilitator.page;
		await page.getByTestId('tab-tender').click();
		for (const [vendor, price, model] of [
			['明亮照明', '2680', 'LED 路灯 60W ×5，质保三年'],
			['光源电器', '2450', 'LED 路灯 50W ×5，质保一年']
		]) {
			await page.getByTestId('bid-vendor').fill(vendor!);
			await page.getByTestId('bid-price').fill(price!);
			await page.getByTestId('bid-model').fill(model!);
			await page.getByTestId('bid-submit').click();
			await page.getByTestId('bid-saved').waitFor();
		}
		await page.locator('[data-testid=select-bid][data-vendor="明亮照明"]').check();
		await page.getByTestId('select-reason').fill('亮度更高，质保三年，居民代表同意多付 230 元。');
		await page.getByTestId('select-submit').click();
		await page.getByTestId('tender-result').waitFor();
		await page.getByTestId('tender-notice').click();
		const body = await page.getByTestId('notice-body').inputValue();
		expect(body).toContain('明亮照明：¥2,680.00');
		expect(body).toContain('光源电器：¥2,450.00');
		expect(body).toContain('中选报价不是最低报价');
		expect(await page.getByTestId('notice-from').inputValue()).toBe(today);
		await page.getByTestId('notice-post').click();
		await page.getByTestId('notice-posted').waitFor();
		const href = (await page.getByTestId('notice-posted-link').getAttribute('href')) ?? '';
		tenderNotice = decodeURIComponent(href.split('doc=')[1] ?? '');
		expect(tenderNotice).toMatch(/^demo:notice:/);

		const r = resident.page;
		await r.goto(`${relay.url}/notices`);
		const onBoard = r.locator(`[data-testid=board-notice][data-doc="${tenderNotice}"]`);
		await onBoard.waitFor({ timeout: 20_000 });
		expect(await onBoard.getAttribute('data-phase')).toBe('current');
		expect(await onBoard.getAttribute('data-kind')).toBe('tender');
		await onBoard.locator('a').click();
		await expect.poll(() => r.getByTestId('notice-text').innerText()).toContain('选定理由：亮度更高');
		expect(await r.getByTestId('notice-matter').getAttribute('href')).toBe(`/project?doc=${encodeURIComponent(project)}`);
		// A resident may not take a notice down.
		expect(await r.getByTestId('notice-withdraw').count()).toBe(0);

		await r.getByTestId('notice-print').click();
		const poster = r.getByTestId('poster');
		await poster.waitFor();
		expect(await poster.getAttribute('data-link')).toBe(`${relay.url}/project?doc=${encodeURIComponent(project)}`);
		await expect.poll(() => r.getByTestId('qr-code').getAttribute('data-ready')).toBe('true');
		expect(await r.locator('[data-testid=qr-code] svg').count()).toBe(1);
	});

	it('acceptance: the facilitator checks the item and chooses representatives, records one on paper, the resident signs for the household', async () => {
		const page = facilitator.page;
		await page.goto(projectUrl('acceptance'));
		await page.getByTestId('check-text').fill('五盏路灯夜间正常亮起');
		await page.getByTestId('check-add').click();
		await page.getByTestId('check-item').waitFor();
		await page.getByTestId('check-pass').click();
		await expect.poll(() => page.getByTestId('check-item').getAttribute('data-result')).toBe('pass');
		await page.getByTestId('min-representatives').fill('2');
		await page.getByTestId('min-representatives').locator('xpath=following-sibling::button').click();
		// Representatives are households chosen from the register: the resident's, and a neighbour who signs on paper.
		const home = /household ([\w-]+)/.exec(relay.output().split('\n').find((l) => l.trim().startsWith('resident ('))!)![1]!;
		const [building, unit] = home.split('-') as [string, string];
		const picker = page.getByTestId('representative-picker');
		const pickRoom = async (room: Locator) => {
			await picker.getByTestId('pick-building').selectOption(building);
			if ((await picker.getByTestId('pick-unit').count()) > 0) await picker.getByTestId('pick-unit').nth(Number(unit) - 1).click();
			await room.click();
			await page.getByTestId('representative-add').click();
		};
		await pickRoom(picker.locator(`[data-testid=pick-room][data-household="${home}"]`));
		await page.locator(`[data-testid=representative][data-household="${home}"]`).waitFor();
		const neighbourRoom = picker.locator(`[data-testid=pick-room]:not([data-household="${home}"])`).first();
		await pickRoom(neighbourRoom);
		await expect.poll(() => page.getByTestId('representative').count()).toBe(2);
		const neighbour = (await page.getByTestId('representative').evaluateAll((els) => els.map((e) => e.getAttribute('data-household')))).find((h) => h !== home)!;
		const paper = page.getByTestId('paper-form');
		await paper.getByTestId('paper-household').selectOption(neighbour);
		await paper.getByTestId('paper-name').fill('王建国');
		await paper.locator('[data-testid=paper-photos] [data-testid=photo-input]').setInputFiles({ name: 'form.png', mimeType: 'image/png', buffer: pngImage(640, 480, 4) });
		await expect.poll(() => paper.getByTestId('paper-photos').getAttribute('data-count')).toBe('1');
		await paper.getByTestId('paper-submit').click();
		await paper.getByTestId('paper-saved').waitFor();
		await expect.poll(() => page.getByTestId('acceptance').getAttribute('data-status')).toBe('in_progress');

		const r = resident.page;
		await r.goto(projectUrl('acceptance'));
		await r.getByTestId('acceptance').waitFor({ timeout: 20_000 });
		expect(await r.getByTestId('check-pass').count()).toBe(0);
		expect(await r.getByTestId('signoff-name').inputValue()).toBe('刘阿姨');
		await r.getByTestId('signoff-submit').click();
		await r.getByTestId('signoff-saved').waitFor();

		await expect.poll(() => page.locator(`[data-testid=representative][data-household="${home}"]`).getAttribute('data-signed'), { timeout: 20_000 }).toBe('true');
		// ¥1,700.50 of ¥3,000 raised: the facilitator accepts anyway only with a recorded reason.
		expect(await page.getByTestId('acceptance').getAttribute('data-status')).toBe('in_progress');
		await page.getByTestId('override-reason').fill('五盏灯实际花费低于预算，差额不再筹集。');
		await page.getByTestId('override-submit').click();
		await expect.poll(() => page.getByTestId('acceptance').getAttribute('data-status'), { timeout: 20_000 }).toBe('passed');
		await page.getByTestId('acceptance-notice').click();
		await page.getByTestId('notice-post').click();
		await page.getByTestId('notice-posted').waitFor();
		await expect.poll(() => page.getByTestId('project-detail').getAttribute('data-stage')).toBe('publicised');
	});

	it('the resident rates 2 and turns the rating into a new proposal that points back at the project', async () => {
		const r = resident.page;
		await r.goto(projectUrl('satisfaction'));
		await r.getByTestId('rating-form').waitFor({ timeout: 20_000 });
		await r.getByTestId('score-2').check();
		await r.getByTestId('rating-comment').fill('最里面那盏灯还是偏暗。希望再加一盏。');
		await r.getByTestId('rating-submit').click();
		await r.getByTestId('rating-saved').waitFor();
		const mine = r.locator('[data-testid=rating][data-score="2"]');
		await mine.waitFor();
		await mine.getByTestId('follow-up').click();

		await r.getByTestId('proposal-form').waitFor();
		expect(await r.getByTestId('field-title').inputValue()).toBe('最里面那盏灯还是偏暗');
		expect(await r.getByTestId('field-description').inputValue()).toContain(`在“${title}”的满意度测评中评了 2 分`);
		await r.getByTestId('category-safety').check();
		await r.getByTestId('submit').click();
		await r.getByTestId('proposal-detail').waitFor();
		const followUp = new URL(r.url()).searchParams.get('doc') ?? '';
		expect(followUp).toMatch(/^demo:proposal:/);
		await expect.poll(() => r.getByTestId('proposal-source-project').innerText()).toContain(title);

		await r.goto(projectUrl('satisfaction'));
		await expect.poll(() => r.getByTestId('follow-up-link').getAttribute('href')).toBe(`/proposal?doc=${encodeURIComponent(followUp)}`);
		const f = facilitator.page;
		await f.goto(projectUrl('satisfaction'));
		await expect.poll(() => f.getByTestId('satisfaction').getAttribute('data-count'), { timeout: 20_000 }).toBe('1');
		expect(await f.getByTestId('sat-rate').innerText()).toBe('0.0%');
	});

	it('the proposer follows every step: the original proposal shows the project, its timeline lists each step', async () => {
		const r = resident.page;
		await r.goto(`${relay.url}/proposal?doc=${encodeURIComponent('demo:proposal:street-lights')}`);
		const section = r.getByTestId('proposal-project');
		await section.waitFor({ timeout: 20_000 });
		expect(await section.getAttribute('data-stage')).toBe('publicised');
		await expect.poll(() => r.getByTestId('proposal-project-latest').innerText()).toContain('一条评价转为新提案');
		await r.getByTestId('proposal-project-link').click();
		await r.getByTestId('project-timeline').waitFor();
		const types = await r.getByTestId('project-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
		for (const type of ['created', 'target', 'pledged', 'received', 'task', 'progress', 'tender', 'selected', 'notice', 'checked', 'signoff', 'accepted', 'rating', 'follow_up']) {
			expect(types, type).toContain(type);
		}
		expect(types.indexOf('accepted')).toBeGreaterThan(types.lastIndexOf('signoff'));
		const text = await r.getByTestId('project-timeline').innerText();
		expect(text).toContain(`1栋 刘阿姨 ${stamp} 的认捐到账 ¥200.50`);
		expect(text).toContain('选定 明亮照明（¥2,680.00）');
		expect(text).toContain('周敏（主持人）');
	});
});
