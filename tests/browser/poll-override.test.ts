/**
 * A resident's app vote replaced by a door ballot, at 360 px in Chromium against the real relay: the resident
 * votes 同意 offline — the status bar counts the queued ballot as pending — and it goes out once online; a grid
 * worker then records 不同意 at the door for the same household. The resident's page must say what counts now,
 * through which channel and when, and that the app vote was replaced — not "已提交：同意" — and let the household
 * answer: voting again in the app counts as the latest.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { createPoll, pending, recordBallot } from './app-page';
import { openAppPage, relayLink, startApp, stopApp, waitForServiceWorker, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinWith } from './invite';

const demo = buildDemo();
const household = demo.households.get('g1')![0]!;

describe("a resident's vote replaced at the door", () => {
	let relay: RelayHandle;
	let browser: Browser;
	let facilitator: Page;
	let resident: Page;
	let residentContext: BrowserContext;
	let residentLink: RelayLink;
	let pollUrl = '';

	const device = () => openAppPage(browser);

	const yesVotes = () => facilitator.getByTestId('tally').locator('[data-option=yes]').getAttribute('data-votes');
	const noVotes = () => facilitator.getByTestId('tally').locator('[data-option=no]').getAttribute('data-votes');

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('a facilitator opens a poll', async () => {
		facilitator = (await device()).page;
		await joinWith(facilitator, await relay.invite({ role: 'facilitator', community: DEMO }), '周主持');
		pollUrl = await createPoll(facilitator, relay.url, `加装电梯意见 ${Date.now().toString(36)}`);
	});

	it('a ballot queued offline counts in the status bar as pending, and goes out once online', async () => {
		const r = await device();
		resident = r.page;
		residentContext = r.context;
		residentLink = await relayLink(r.context);
		await joinWith(resident, await relay.invite({ role: 'resident', community: DEMO, household: household.id }), '刘阿姨');
		await waitForServiceWorker(resident);
		await resident.goto(pollUrl);
		await resident.getByTestId('resident-vote').waitFor();
		await expect.poll(() => pending(resident), { timeout: 10_000 }).toBe(0);

		await residentContext.setOffline(true);
		await residentLink.cut();
		await resident.getByTestId('vote-option').first().check();
		await resident.getByTestId('vote-submit').click();
		const mine = resident.getByTestId('my-vote');
		await expect.poll(() => mine.getAttribute('data-state')).toBe('queued');
		// The cut held: no socket got through, and the ballot could not be sent.
		expect(residentLink.isCut).toBe(true);
		expect(await mine.getAttribute('data-state')).toBe('queued');
		// The status bar says a ballot waits (before: 无待同步 while the ballot was queued).
		await expect.poll(() => pending(resident), { timeout: 5_000 }).toBe(1);
		expect(await resident.getByTestId('pending').innerText()).not.toContain('无待同步');

		residentLink.restore();
		await residentContext.setOffline(false);
		await expect.poll(() => mine.getAttribute('data-state'), { timeout: 20_000 }).toBe('sent');
		await expect.poll(() => pending(resident), { timeout: 10_000 }).toBe(0);
		await expect.poll(yesVotes, { timeout: 15_000 }).toBe('1');
	});

	it('a door ballot replaces it: the resident sees what counts, from which channel and when', async () => {
		const worker = (await device()).page;
		await joinWith(worker, await relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '王网格');
		await worker.goto(pollUrl);
		const recorder = worker.getByTestId('ballot-recorder');
		await recorder.waitFor();
		await recordBallot(recorder, household, 1);
		await expect.poll(noVotes, { timeout: 15_000 }).toBe('1');
		expect(await yesVotes()).toBe('0');

		// The resident's open page learns it without a reload (the published tally moved).
		const counted = resident.getByTestId('counted-vote');
		await counted.waitFor({ timeout: 15_000 });
		expect(await counted.getAttribute('data-channel')).toBe('visit');
		const text = await counted.innerText();
		expect(text).toMatch(/计入的是：不同意（网格员入户记录，.*\d{1,2}:\d{2}）/);
		expect(text).toContain('您在应用里的 同意 已被替代');
		expect(text).toContain('请在下面重新投票');
		// The stale "已提交：同意" is gone.
		expect(await resident.getByTestId('my-vote').count()).toBe(0);

		// Still said after a reload (kept on the device, asked again from the relay).
		await resident.reload();
		await counted.waitFor({ timeout: 15_000 });
		expect(await counted.innerText()).toContain('您在应用里的 同意 已被替代');
		expect(await resident.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
	});

	it('the household answers by voting again in the app, which counts as the latest', async () => {
		await resident.getByTestId('vote-option').first().check();
		await resident.getByTestId('vote-submit').click();
		const mine = resident.getByTestId('my-vote');
		await expect.poll(() => mine.getAttribute('data-state'), { timeout: 20_000 }).toBe('sent');
		expect(await mine.innerText()).toContain('已提交：同意');
		await expect.poll(() => resident.getByTestId('counted-vote').count(), { timeout: 15_000 }).toBe(0);
		await expect.poll(yesVotes, { timeout: 15_000 }).toBe('1');
		expect(await noVotes()).toBe('0');
	});
});
