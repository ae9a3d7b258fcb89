/**
 * The first half of a proposal's life, end to end against the real relay, on five devices.
 *
 * A resident files a joint proposal while offline; it syncs when the network returns. Two neighbours co-sign it
 * in the app (one also supports it), and the grid worker records a third household at the door. A neighbour
 * files a near-duplicate. On another device a facilitator screens: the proposal is flagged with a negative-list
 * item and its reason, the duplicate with too few co-signers and a link to the original; the duplicate is merged,
 * the original accepted, a vague demo proposal rejected citing the list (its version is recorded). An admin edits
 * the negative list; the next rejection cites version 2 while the first still shows version 1. A topic is formed,
 * and the proposer sees each step in "my proposals", marked unread until they look.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import type { Household } from '../../src/lib/schema/households-doc';
import { caughtUp } from './app-page';
import { startApp, stopApp, waitForServiceWorker, type RelayHandle } from './harness';
import { adminToken, apiInvitation, bootstrapLink, type Device, joinDevice } from './invite';

/** A single-use resident invitation for a household, made with the admin's credential. */
const residentInvitation = (relay: RelayHandle, token: string, household: string) =>
	apiInvitation(relay, token, { role: 'resident', household, maxUses: 1, label: household });

const proposalUrl = (relay: RelayHandle, doc: string) => `${relay.url}/proposal?doc=${encodeURIComponent(doc)}`;
const docOf = (page: Page) => new URL(page.url()).searchParams.get('doc') ?? '';

describe("a proposal's first half: intake, co-signing, screening, topic, feedback", () => {
	let relay: RelayHandle;
	let browser: Browser;
	let proposer: Device;
	let neighbourB: Device;
	let neighbourC: Device;
	let worker: Device;
	let facilitator: Device;
	let households: Household[];
	let original = '';
	let duplicate = '';
	const stamp = Date.now().toString(36);
	const title = `2单元楼道杂物堆放清理 ${stamp}`;
	const description = '2单元楼道被几户人家长期占用堆放旧家具和纸箱，老人上下楼不方便，也有消防隐患。建议组织一次集中清理，并约定以后不再堆放。';

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		households = buildDemo().households.get('g1') ?? [];
		expect(households.length).toBeGreaterThan(4);
	});

	afterAll(() => stopApp(browser, relay));

	it('a resident files a joint proposal offline; it is in "my proposals" and syncs when the network returns', async () => {
		proposer = await joinDevice(browser, bootstrapLink(relay, 'resident'), '刘阿姨');
		const { page, context, link } = proposer;
		// The service worker holds every page's code, so the app keeps working with no network at all.
		await waitForServiceWorker(page);
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
		await context.setOffline(true);
		await link.cut();
		await expect.poll(() => page.getAttribute('[data-testid=status-bar]', 'data-connection')).not.toBe('online');

		await page.getByTestId('nav-new').click();
		await page.getByTestId('field-title').fill(title);
		await page.getByTestId('field-description').fill(description);
		await page.getByTestId('category-cleanup').check();
		await page.getByTestId('kind-joint').check();
		await page.getByTestId('submit').click();
		await page.getByTestId('proposal-detail').waitFor();
		original = docOf(page);
		expect(original).toMatch(/^demo:proposal:/);
		// The co-signer minimum shows as progress: none yet of three.
		await expect.poll(() => page.getByTestId('cosign-progress').getAttribute('data-have')).toBe('0');
		expect(await page.getByTestId('cosign-progress').getAttribute('data-need')).toBe('3');

		await page.getByTestId('nav-mine').click();
		const item = page.locator(`[data-testid=mine-item][data-doc="${original}"]`);
		await item.waitFor();
		expect(await item.getAttribute('data-unread')).toBe('false');

		await context.setOffline(false);
		link.restore();
		await expect.poll(() => caughtUp(page), { timeout: 20_000 }).toBe(true);
		await expect.poll(async () => Number(await page.getAttribute('[data-testid=pending]', 'data-count')), { timeout: 20_000 }).toBe(0);
	});

	it('two neighbours co-sign in the app (one also supports it), and a third files a near-duplicate', async () => {
		const token = await adminToken(relay);
		const [, b, c] = households;
		neighbourB = await joinDevice(browser, await residentInvitation(relay, token, b!.id), '邻居乙');
		neighbourC = await joinDevice(browser, await residentInvitation(relay, token, c!.id), '邻居丙');

		for (const n of [neighbourB, neighbourC]) {
			await n.page.goto(proposalUrl(relay, original));
			await n.page.getByTestId('cosign-own').click({ timeout: 20_000 });
			await n.page.getByTestId('cosigned').waitFor();
		}
		await neighbourC.page.getByTestId('support-button').click();
		await neighbourC.page.getByTestId('supported').waitFor();
		await expect.poll(() => neighbourC.page.getByTestId('support-count').getAttribute('data-count')).toBe('1');
		await neighbourC.page.getByTestId('comment-text').fill('我家门口也堆着纸箱，支持清理。');
		await neighbourC.page.getByTestId('comment-send').click();
		await neighbourC.page.getByTestId('participation-saved').waitFor();
		await expect.poll(() => neighbourC.page.getByTestId('timeline').innerText()).toContain('我家门口也堆着纸箱，支持清理。');

		// Neighbour B files the same matter again, as a joint proposal nobody has co-signed.
		const page = neighbourB.page;
		await page.getByTestId('nav-new').click();
		await page.getByTestId('field-title').fill(`2单元楼道堆放杂物清理 ${stamp}`);
		await page.getByTestId('field-description').fill('2单元楼道长期被占用堆放旧家具和纸箱，老人上下楼不方便，有消防隐患，建议集中清理。');
		await page.getByTestId('category-cleanup').check();
		await page.getByTestId('kind-joint').check();
		await page.getByTestId('submit').click();
		await page.getByTestId('proposal-detail').waitFor();
		duplicate = docOf(page);
		expect(duplicate).not.toBe(original);
	});

	it('the grid worker records a third household at the door, picked from the register', async () => {
		worker = await joinDevice(browser, bootstrapLink(relay, 'grid worker'), '王海涛');
		const d = households[3]!;
		const page = worker.page;
		await page.goto(proposalUrl(relay, original));
		await page.getByTestId('cosign-record').click({ timeout: 20_000 });
		await page.getByTestId('pick-building').selectOption(d.building);
		const units = page.getByTestId('pick-unit');
		if ((await units.count()) > 0) await units.filter({ hasText: String(d.unit) }).first().click();
		await page.locator(`[data-testid=pick-room][data-household="${d.id}"]`).click();
		await page.getByTestId('picked-household').waitFor();
		await page.getByTestId('cosign-confirm').click();
		await expect.poll(() => page.getByTestId('cosign-progress').getAttribute('data-have'), { timeout: 20_000 }).toBe('3');
		const recorded = page.getByTestId('cosigner').filter({ hasText: '入户走访' });
		expect(await recorded.count()).toBe(1);
	});

	it('the grid worker transcribes two suggestion-box notes in a row', async () => {
		const page = worker.page;
		await page.goto(`${relay.url}/proposals/box`);
		await page.getByTestId('box-source').fill('北门意见箱');
		await page.getByTestId('box-text').fill(`北门岗亭旁的路灯坏了 n${stamp}。晚上看不清台阶。`);
		await page.getByTestId('box-category-safety').check();
		await page.getByTestId('box-save').click();
		await expect.poll(() => page.getByTestId('box-count').getAttribute('data-count')).toBe('1');
		// Ready for the next note: text and category cleared, the box kept, the cursor back in the text.
		expect(await page.getByTestId('box-text').inputValue()).toBe('');
		expect(await page.getByTestId('box-source').inputValue()).toBe('北门意见箱');
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('bx-text');
		await page.getByTestId('box-text').fill(`希望周末开放活动室给孩子们下棋 n${stamp}`);
		await page.getByTestId('box-writer').fill('7栋 张大爷');
		await page.getByTestId('box-category-culture').check();
		await page.getByTestId('box-save').click();
		await expect.poll(() => page.getByTestId('box-count').getAttribute('data-count')).toBe('2');
		const saved = page.getByTestId('box-saved').locator('a');
		expect(await saved.count()).toBe(2);
		await saved.first().click();
		await page.getByTestId('proposal-detail').waitFor();
		await expect.poll(() => page.getByTestId('proposal-title').innerText()).toBe(`希望周末开放活动室给孩子们下棋 n${stamp}`);
	});

	it('a facilitator on another device sees the flags: negative-list item with its reason, missing co-signers, the duplicate', async () => {
		facilitator = await joinDevice(browser, bootstrapLink(relay, 'facilitator'), '周敏');
		const page = facilitator.page;
		await page.getByTestId('nav-screening').click();
		const orig = page.locator(`[data-testid=screening-item][data-doc="${original}"]`);
		const dup = page.locator(`[data-testid=screening-item][data-doc="${duplicate}"]`);
		await orig.waitFor({ timeout: 20_000 });
		await dup.waitFor({ timeout: 20_000 });
		// "占用" suggests item 8; its reason is shown so the screener can judge.
		const negative = orig.locator('[data-testid=flag-negative][data-item="8"]');
		await expect.poll(() => negative.innerText()).toContain('该事项会损害他人合法权益或公共利益。');
		// Three households co-signed the original (one of them at the door): no missing-co-signers flag.
		await expect.poll(() => orig.getByTestId('flag-cosigners').count(), { timeout: 20_000 }).toBe(0);
		await expect.poll(() => dup.getByTestId('flag-cosigners').innerText()).toContain('已有 0 户');
		const dupLink = dup.getByTestId('flag-duplicates').getByTestId('duplicate-link');
		await expect.poll(() => dupLink.first().getAttribute('href')).toBe(`/proposal?doc=${encodeURIComponent(original)}`);
		// The original was filed first, so it comes first in the queue.
		const order = await page.getByTestId('screening-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-doc')));
		expect(order.indexOf(original)).toBeLessThan(order.indexOf(duplicate));
	});

	it('the facilitator finds the box notes by search and in this week\'s intake', async () => {
		const page = facilitator.page;
		await page.goto(`${relay.url}/search`);
		// Only the two notes carry "n<stamp>"; the search folds case.
		await page.getByTestId('search-input').fill(`N${stamp.toUpperCase()}`);
		await expect.poll(() => page.getByTestId('search-count').getAttribute('data-count'), { timeout: 20_000 }).toBe('2');
		await page.getByTestId('search-category').selectOption('safety');
		await expect.poll(() => page.getByTestId('search-count').getAttribute('data-count')).toBe('1');
		await page.getByTestId('search-input').fill(`路灯 n${stamp}`);
		await expect.poll(() => page.getByTestId('search-result').first().innerText()).toContain('北门岗亭旁的路灯坏了');

		await page.goto(`${relay.url}/intake`);
		const box = page.getByTestId('intake-by-channel').locator('tr[data-key="box"]');
		await expect.poll(async () => Number(await box.getAttribute('data-count'))).toBeGreaterThanOrEqual(2);
		expect(await page.getByTestId('week-list').innerText()).toContain(title);
	});

	it('merges the duplicate into the original, accepts the original, and rejects a vague proposal citing the list', async () => {
		const page = facilitator.page;
		await page.getByTestId('nav-screening').click();
		const dup = page.locator(`[data-testid=screening-item][data-doc="${duplicate}"]`);
		await dup.getByTestId('decide').click();
		await dup.getByTestId('decide-merged').click();
		expect(await dup.locator(`[data-testid=merge-target][value="${original}"]`).isChecked()).toBe(true);
		await dup.getByTestId('decide-confirm').click();
		await page.getByTestId('screening-done').waitFor();
		await expect.poll(() => dup.count()).toBe(0);

		const orig = page.locator(`[data-testid=screening-item][data-doc="${original}"]`);
		await orig.getByTestId('decide').click();
		await orig.getByTestId('decide-accepted').click();
		await orig.getByTestId('decide-confirm').click();
		await expect.poll(() => orig.count()).toBe(0);

		const vague = page.locator('[data-testid=screening-item][data-doc="demo:proposal:parking-lines"]');
		await vague.getByTestId('decide').click();
		await vague.getByTestId('decide-rejected').click();
		await vague.getByTestId('decide-negative-item').selectOption('10');
		await expect.poll(() => vague.getByTestId('decide-reason').inputValue()).toBe('内容空泛，请补充具体可实施的内容。');
		await vague.getByTestId('decide-confirm').click();
		await expect.poll(() => vague.count()).toBe(0);

		// The proposal's timeline names the item as it read in the list version the decision cited.
		await page.goto(proposalUrl(relay, 'demo:proposal:parking-lines'));
		const cited = page.getByTestId('timeline-negative');
		await expect.poll(() => cited.innerText()).toContain('负面清单第 10 项：内容空泛，无法实施');
		expect(await cited.innerText()).toContain('清单第 1 版');

		// The merged duplicate points at the original.
		await page.goto(proposalUrl(relay, duplicate));
		await expect.poll(() => page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('merged');
		expect(await page.getByTestId('timeline-target').getAttribute('href')).toBe(`/proposal?doc=${encodeURIComponent(original)}`);
	});

	it('an admin edits the negative list; a new rejection cites version 2, the earlier one still shows version 1', async () => {
		const admin = await joinDevice(browser, bootstrapLink(relay, 'community admin'), '何建华');
		const a = admin.page;
		await a.goto(`${relay.url}/admin/lists`);
		const item = a.getByTestId('lists-item').nth(9);
		await item.locator('summary').click();
		await item.getByTestId('lists-item-name').fill('内容空泛，没有可实施的具体内容');
		await item.getByTestId('lists-item-reason').fill('请写明具体地点、问题和希望的做法后重新提交。');
		await a.getByTestId('lists-save').click();
		await expect.poll(() => a.getByTestId('lists-saved').innerText()).toContain('第 2 版');
		await a.getByTestId('lists-history').waitFor();

		const page = facilitator.page;
		await page.goto(`${relay.url}/screening`);
		const card = page.locator('[data-testid=screening-item][data-doc="demo:proposal:after-school"]');
		await card.getByTestId('decide').click();
		await card.getByTestId('decide-rejected').click();
		// The list arrives from the admin's device: the choice offers the new wording of version 2.
		await expect.poll(() => card.getByText('依据负面清单（第 2 版）').count(), { timeout: 20_000 }).toBe(1);
		await card.getByTestId('decide-negative-item').selectOption('10');
		await expect.poll(() => card.getByTestId('decide-reason').inputValue()).toBe('请写明具体地点、问题和希望的做法后重新提交。');
		await card.getByTestId('decide-confirm').click();
		await expect.poll(() => card.count()).toBe(0);

		await page.goto(proposalUrl(relay, 'demo:proposal:after-school'));
		const cited = page.getByTestId('timeline-negative');
		await expect.poll(() => cited.innerText()).toContain('负面清单第 10 项：内容空泛，没有可实施的具体内容');
		expect(await cited.innerText()).toContain('清单第 2 版');
		await page.goto(proposalUrl(relay, 'demo:proposal:parking-lines'));
		await expect.poll(() => page.getByTestId('timeline-negative').innerText()).toContain('内容空泛，无法实施');
		expect(await page.getByTestId('timeline-negative').innerText()).toContain('清单第 1 版');
		await admin.context.close();
	});

	it('forms a topic from the accepted proposal; the deliberation list shows its supporters and households', async () => {
		const page = facilitator.page;
		await page.goto(`${relay.url}/topics`);
		await page.locator(`[data-testid=accepted-proposal][data-doc="${original}"]`).check();
		await expect.poll(() => page.getByTestId('topic-title').inputValue()).toBe(title);
		await page.getByTestId('topic-title').fill(`楼道清理 ${stamp}`);
		await page.getByTestId('topic-submit').click();
		await page.getByTestId('topic-done').waitFor();
		const row = page.getByTestId('topic-row').filter({ hasText: `楼道清理 ${stamp}` });
		await row.waitFor();
		// The proposer's household and the three co-signers; neighbour C's support is from a co-signing household.
		await expect.poll(() => row.getByTestId('topic-households').innerText()).toBe('4');
		expect(await row.getByTestId('topic-supporters').innerText()).toBe('1');
	});

	it('the proposer sees every step in "my proposals", marked unread until they look', async () => {
		const page = proposer.page;
		await page.getByTestId('nav-list').click();
		await page.getByTestId('nav-mine').click();
		const item = page.locator(`[data-testid=mine-item][data-doc="${original}"]`);
		await expect.poll(() => item.getAttribute('data-unread'), { timeout: 20_000 }).toBe('true');
		await expect.poll(() => item.getByTestId('status-badge').getAttribute('data-status'), { timeout: 20_000 }).toBe('topic');
		await item.getByTestId('unread-marker').waitFor();

		await item.getByTestId('mine-steps-toggle').click();
		const steps = item.getByTestId('mine-steps');
		await expect.poll(() => steps.getByTestId('timeline-event').count()).toBeGreaterThanOrEqual(6);
		const text = await steps.innerText();
		// The neighbours co-signed with the default public name (building and surname), never their full names.
		expect(text.match(/\d+栋邻家 联名支持/g)?.length).toBe(2);
		expect(text).not.toContain('邻居乙');
		expect(text).toContain('王海涛（网格员）');
		expect(text).toContain('已受理');
		expect(text).toContain('已列为议题');
		expect(text).toContain('周敏（主持人）');
		expect(text).toContain('我家门口也堆着纸箱，支持清理。');
		expect(await steps.getByTestId('timeline-topic').count()).toBe(1);
		// Looking at the steps clears the marker.
		await expect.poll(() => item.getAttribute('data-unread')).toBe('false');
		expect(await item.getByTestId('unread-marker').count()).toBe(0);
	});
});
