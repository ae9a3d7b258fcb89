/**
 * Acceptance follows the project's own conditions, and the representatives are households chosen for it.
 *
 * The demo's 5栋屋面防水维修 has ¥0 of ¥86,000 raised and none of its tasks done. A facilitator checks the
 * checklist and chooses representative households with the register's household picker: acceptance still does
 * not pass, and the override asks for a reason. The chosen household signs on its own phone while offline for
 * real; it reaches the facilitator once back online. A resident of another building sees the status but no
 * sign-off form. The facilitator records a second representative's paper form with its photo, then overrides
 * the unmet conditions with a reason: the project is accepted, and the override (who, when, why) shows in the
 * acceptance section and the project's timeline. All at 360 px.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngImage } from '../factories/images';
import { caughtUp, connection, pending } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitForServiceWorker, type RelayHandle, type RelayLink } from './harness';
import { bootstrapLink, DEMO, joinWith } from './invite';

const PROJECT = 'demo:project:roof-leak';
const REASON = '屋面漏水已危及顶楼住户，街道同意先行验收应急修补部分，后续款项由维修资金拨付。';

interface Phone {
	context: BrowserContext;
	page: Page;
	link: RelayLink;
}

describe('acceptance needs the project’s conditions or a recorded override; representatives are chosen households', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let facilitator: Phone;
	let chosen = '';
	let second = '';
	let outsider = '';
	const url = (tab: string) => `${relay.url}/project?doc=${encodeURIComponent(PROJECT)}&tab=${tab}`;

	async function phone(link: string, name: string): Promise<Phone> {
		const context = await newAppContext(browser);
		const cut = await relayLink(context);
		const page = await context.newPage();
		await page.setViewportSize({ width: 360, height: 740 });
		await joinWith(page, link, name);
		await waitForServiceWorker(page);
		return { context, page, link: cut };
	}

	/** Picks a household in the representative picker: the building, its first unit, a room by index. */
	async function pick(page: Page, buildingId: string, roomIndex: number): Promise<string> {
		const picker = page.getByTestId('representative-picker');
		const building = picker.getByTestId('pick-building');
		await expect.poll(() => building.locator(`option[value="${buildingId}"]`).count(), { timeout: 15_000 }).toBe(1);
		await building.selectOption(buildingId);
		if ((await picker.getByTestId('pick-unit').count()) > 0) await picker.getByTestId('pick-unit').first().click();
		const room = picker.getByTestId('pick-room').nth(roomIndex);
		await room.click();
		return (await room.getAttribute('data-household'))!;
	}

	const status = (page: Page) => page.getByTestId('acceptance').getAttribute('data-status');

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('with tasks undone and the target not raised, checks and a chosen representative do not accept it', async () => {
		facilitator = await phone(bootstrapLink(relay, 'facilitator'), '周敏');
		const f = facilitator.page;
		await f.goto(url('acceptance'));
		await f.getByTestId('acceptance').waitFor({ timeout: 20_000 });
		// The project's own conditions, derived from its tasks and money.
		const condition = (kind: string) => f.locator(`[data-testid=acceptance-condition][data-kind=${kind}]`);
		expect(await condition('tasks').getAttribute('data-met')).toBe('false');
		expect(await condition('funds').getAttribute('data-met')).toBe('false');
		expect(await condition('funds').innerText()).toContain('¥86,000.00');

		await f.getByTestId('check-text').fill('屋面闭水试验 48 小时无渗漏');
		await f.getByTestId('check-add').click();
		await f.getByTestId('check-item').waitFor();
		await f.getByTestId('check-pass').click();
		await expect.poll(() => f.getByTestId('check-item').getAttribute('data-result')).toBe('pass');
		await f.getByTestId('min-representatives').fill('2');
		await f.getByTestId('min-representatives').locator('xpath=following-sibling::button').click();

		// Representatives come from the register, not from free text; buildings in the register's order.
		expect(await f.getByTestId('signoff-name').count()).toBe(0);
		const order = await f.getByTestId('representative-picker').getByTestId('pick-building').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
		expect(order.slice(1, 4)).toEqual(['b01', 'b02', 'b03']);
		outsider = await pick(f, 'b09', 0);
		chosen = await pick(f, 'b05', 0);
		expect(chosen).toMatch(/^b05-/);
		expect(outsider.split('-')[0]).not.toBe('b05');
		await f.getByTestId('representative-add').click();
		await f.locator(`[data-testid=representative][data-household="${chosen}"]`).waitFor();
		second = await pick(f, 'b05', 1);
		await f.getByTestId('representative-add').click();
		await f.locator(`[data-testid=representative][data-household="${second}"]`).waitFor();
		expect(await f.getByTestId('representative').count()).toBe(2);

		expect(await status(f)).toBe('in_progress');
		await f.getByTestId('acceptance-blocked').waitFor();
		// No override without a reason.
		expect(await f.getByTestId('override-submit').isDisabled()).toBe(true);
		expect(await f.getByTestId('project-detail').getAttribute('data-stage')).not.toBe('accepted');
		expect(await f.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	});

	it('the chosen household signs on its own phone, offline; the facilitator sees it once it is back online', async () => {
		const resident = await phone(await relay.invite({ role: 'resident', community: DEMO, household: chosen }), '顶楼刘阿姨');
		const r = resident.page;
		await r.goto(url('acceptance'));
		await r.getByTestId('signoff-form').waitFor({ timeout: 20_000 });
		await expect.poll(() => caughtUp(r), { timeout: 20_000 }).toBe(true);

		await resident.link.cut();
		await resident.context.setOffline(true);
		await expect.poll(() => connection(r), { timeout: 10_000 }).toBe('offline');
		expect(resident.link.isCut).toBe(true);
		await r.getByTestId('signoff-comment').fill('漏水点已补好');
		await r.getByTestId('signoff-submit').click();
		await r.getByTestId('signoff-saved').waitFor();
		await expect.poll(() => pending(r)).toBeGreaterThan(0);
		expect(await facilitator.page.locator(`[data-testid=representative][data-household="${chosen}"]`).getAttribute('data-signed')).toBe('');

		await resident.context.setOffline(false);
		resident.link.restore();
		await expect.poll(() => pending(r), { timeout: 20_000 }).toBe(0);
		const f = facilitator.page;
		await expect.poll(() => f.locator(`[data-testid=representative][data-household="${chosen}"]`).getAttribute('data-signed'), { timeout: 20_000 }).toBe('true');
		await expect.poll(() => f.locator(`[data-testid=signoff][data-household="${chosen}"]`).innerText()).toContain('顶楼刘阿姨');
		expect(await status(f)).toBe('in_progress');
		await resident.context.close();
	});

	it('a resident of a household not chosen sees the status, not the sign-off form', async () => {
		const other = await phone(await relay.invite({ role: 'resident', community: DEMO, household: outsider }), '王师傅');
		const o = other.page;
		await o.goto(url('acceptance'));
		await o.getByTestId('acceptance').waitFor({ timeout: 20_000 });
		await expect.poll(() => o.locator(`[data-testid=representative][data-household="${chosen}"]`).getAttribute('data-signed'), { timeout: 20_000 }).toBe('true');
		await o.getByTestId('signoff-not-representative').waitFor();
		expect(await o.getByTestId('signoff-form').count()).toBe(0);
		expect(await o.getByTestId('override-submit').count()).toBe(0);
		expect(await o.getByTestId('representative-add').count()).toBe(0);
		await other.context.close();
	});

	it('staff record a paper sign-off with its photo, then override the unmet conditions with a reason', async () => {
		const f = facilitator.page;
		const form = f.getByTestId('paper-form');
		await form.getByTestId('paper-household').selectOption(second);
		await form.getByTestId('paper-name').fill('张大爷');
		expect(await form.getByTestId('paper-submit').isDisabled()).toBe(true);
		await form.locator('[data-testid=paper-photos] [data-testid=photo-input]').setInputFiles({ name: 'form.png', mimeType: 'image/png', buffer: pngImage(640, 480, 5) });
		await expect.poll(() => form.getByTestId('paper-photos').getAttribute('data-count')).toBe('1');
		await form.getByTestId('paper-submit').click();
		await form.getByTestId('paper-saved').waitFor();
		const paper = f.locator(`[data-testid=signoff][data-household="${second}"]`);
		await paper.waitFor();
		expect(await paper.getAttribute('data-paper')).toBe('true');
		// Both representatives agree, and still the unmet conditions hold it.
		expect(await status(f)).toBe('in_progress');

		await f.getByTestId('override-reason').fill(REASON);
		await f.getByTestId('override-submit').click();
		await f.getByTestId('override-saved').waitFor();
		await expect.poll(() => status(f)).toBe('passed');
		await expect.poll(() => f.getByTestId('project-detail').getAttribute('data-stage')).toBe('accepted');
		const override = await f.getByTestId('acceptance-override').innerText();
		expect(override).toContain('周敏');
		expect(override).toContain(REASON);
		expect(await f.locator('[data-testid=acceptance-condition][data-kind=tasks]').getAttribute('data-waived')).toBe('true');

		await f.goto(url('timeline'));
		const step = f.locator('[data-testid=project-step][data-type=override]');
		await step.waitFor({ timeout: 20_000 });
		expect(await step.innerText()).toContain(REASON);
		const types = await f.getByTestId('project-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
		expect(types.indexOf('accepted')).toBeGreaterThan(types.indexOf('override'));
		expect(await f.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	});
});
