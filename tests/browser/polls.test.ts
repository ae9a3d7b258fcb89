/**
 * A household poll end to end, in Chromium against the real relay with the seeded demo community:
 * a facilitator creates a poll; a resident votes while offline and sees "saved, waiting to send", and the vote
 * goes out by itself when the network returns; the relay's public tally reaches the resident and the
 * facilitator's live tally counts the vote; a grid worker records the same household at the door with another
 * choice, which counts (it is later) while the facilitator's audit list shows both; the facilitator closes the
 * poll with an outcome statement, after which the resident can no longer vote and sees the final result.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { createPoll, recordBallot } from './app-page';
import { openAppPage, relayLink, startApp, stopApp, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinWith } from './invite';

// A household of the first grid's register, as the relay seeds it.
const demo = buildDemo();
const household = demo.households.get('g1')![0]!;

describe('household poll', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let facilitator: Page;
	let resident: Page;
	let worker: Page;
	let residentLink: RelayLink;
	let pollUrl = '';
	const title = `单元门禁改造 ${Date.now().toString(36)}`;

	const device = () => openAppPage(browser);

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('a facilitator creates a poll for the whole community', async () => {
		facilitator = (await device()).page;
		await joinWith(facilitator, await relay.invite({ role: 'facilitator', community: DEMO }), '周主持');
		pollUrl = await createPoll(facilitator, relay.url, title);
		expect(await facilitator.getByTestId('poll-title').innerText()).toBe(title);
		expect(await facilitator.getByTestId('poll-status').getAttribute('data-status')).toBe('open');
		// The live tally: nobody has voted yet, every registered household may.
		const households = facilitator.getByTestId('participation-households');
		await expect.poll(() => households.getAttribute('data-whole'), { timeout: 10_000 }).toBe(String([...demo.households.values()].flat().length));
		expect(await households.getAttribute('data-have')).toBe('0');
	});

	it('a resident votes offline: saved, waiting to send — and sent by itself once online', async () => {
		const r = await device();
		resident = r.page;
		residentLink = await relayLink(r.context);
		await joinWith(resident, await relay.invite({ role: 'resident', community: DEMO, household: household.id }), '居民甲');
		await resident.goto(pollUrl);
		await resident.getByTestId('resident-vote').waitFor();
		// Open and public: the relay's tally is already there.
		await resident.getByTestId('public-tally').waitFor({ timeout: 10_000 });

		await r.context.setOffline(true);
		await residentLink.cut();
		await resident.getByTestId('vote-option').first().check();
		await resident.getByTestId('vote-submit').click();
		const mine = resident.getByTestId('my-vote');
		await expect.poll(() => mine.getAttribute('data-state')).toBe('queued');
		expect(await mine.innerText()).toContain('已保存，待提交');

		residentLink.restore();
		await r.context.setOffline(false);
		await expect.poll(() => mine.getAttribute('data-state'), { timeout: 20_000 }).toBe('sent');
		expect(await mine.innerText()).toContain('已提交');
	});

	it('the public tally reaches the resident and the facilitator’s live tally counts the vote', async () => {
		const yes = (page: Page, testid: string) => page.getByTestId(testid).locator('[data-testid=tally-option][data-option=yes]');
		await expect.poll(() => yes(resident, 'public-tally').getAttribute('data-votes'), { timeout: 15_000 }).toBe('1');
		await expect.poll(() => yes(facilitator, 'tally').getAttribute('data-votes'), { timeout: 15_000 }).toBe('1');
		expect(await facilitator.getByTestId('participation-households').getAttribute('data-have')).toBe('1');
	});

	it('a grid worker records the same household at the door; the later ballot counts and the audit shows both', async () => {
		worker = (await device()).page;
		await joinWith(worker, await relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '王网格');
		await worker.goto(pollUrl);
		const recorder = worker.getByTestId('ballot-recorder');
		await recorder.waitFor();
		await recordBallot(recorder, household, 1);

		const tally = facilitator.getByTestId('tally');
		await expect.poll(() => tally.locator('[data-option=no]').getAttribute('data-votes'), { timeout: 15_000 }).toBe('1');
		expect(await tally.locator('[data-option=yes]').getAttribute('data-votes')).toBe('0');
		const audited = facilitator.locator(`[data-testid=audit-household][data-household="${household.id}"]`);
		await audited.waitFor();
		expect(await audited.getByTestId('audit-ballot').count()).toBe(2);
		expect(await audited.locator('[data-counted=true]').innerText()).toContain('不同意');
	});

	it('the facilitator closes the poll with an outcome; the resident sees the final result and can no longer vote', async () => {
		await facilitator.getByTestId('close-start').click();
		await facilitator.getByTestId('outcome-text').fill('参与户数不足，未形成决定，下月再议。');
		await facilitator.getByTestId('close-submit').click();
		await facilitator.getByTestId('close-confirm-text').waitFor();
		await facilitator.getByTestId('close-submit').click();
		await facilitator.getByTestId('poll-outcome').waitFor();
		expect(await facilitator.getByTestId('poll-detail').getAttribute('data-status')).toBe('closed');

		await resident.getByTestId('vote-closed').waitFor({ timeout: 15_000 });
		await expect.poll(() => resident.getByTestId('public-tally').getAttribute('data-final'), { timeout: 15_000 }).toBe('true');
		expect(await resident.getByTestId('poll-outcome').innerText()).toContain('下月再议');
	});
});
