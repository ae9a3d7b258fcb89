/**
 * Three levels in real browsers against the real relay: a grid worker files a grid matter for a household at the
 * door and refers it up; a facilitator refers it on to the street office; the street admin, who may not open the
 * proposal, takes it up from the street inbox (a copy without names or rooms) and accepts it, gathers it into a
 * street topic and schedules a street-level meeting on that topic with the app's own meeting pages. The
 * household's own phone shows every step, the street's answers in the street admin's role included.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, DEMO_STREET } from '../../server/demo/seed';
import { startApp, type RelayHandle } from './harness';
import { DEMO, type Device, joinDevice } from './invite';

const TITLE = '1栋门口主路增设减速带';

async function openScreening(page: Page): Promise<void> {
	await page.goto(new URL('/screening', page.url()).href);
}

/** Decides on the screening card of our matter: `decision` (a decide-* test id) with a reason. */
async function decide(page: Page, decision: string, reason: string): Promise<void> {
	const card = page.locator('[data-testid=screening-item]', { hasText: TITLE });
	await card.waitFor({ timeout: 20_000 });
	await card.getByTestId('decide').click();
	await card.getByTestId(`decide-${decision}`).click();
	await card.getByTestId('decide-reason').fill(reason);
	await card.getByTestId('decide-confirm').click();
	await page.getByTestId('screening-done').waitFor();
}

describe('a matter referred from grid to community to street and decided there', () => {
	let relay: RelayHandle;
	let browser: Browser;
	const devices: Device[] = [];

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(async () => {
		for (const d of devices) await d.context.close();
		await browser?.close();
		await relay?.dispose();
	});

	it('reaches the street inbox without names, and the proposer sees each step', async () => {
		const household = (buildDemo().households.get('g1') ?? []).find((h) => h.building === 'b01');
		expect(household).toBeDefined();
		const h = household!;
		const join = async (link: Promise<string>, name: string) => {
			const d = await joinDevice(browser, await link, name);
			devices.push(d);
			return d.page;
		};
		const worker = await join(relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '王海涛');
		const resident = await join(relay.invite({ role: 'resident', community: DEMO, household: h.id }), '住户');
		const facilitator = await join(relay.invite({ role: 'facilitator', community: DEMO }), '周敏');
		const street = await join(relay.invite({ role: 'street_admin', community: DEMO_STREET, communities: [DEMO] }), '街道办陈科长');

		// At the door: a grid matter for the household.
		await worker.getByTestId('nav-new').click();
		await worker.getByTestId('field-title').fill(TITLE);
		await worker.getByTestId('field-description').fill('1栋门口的主路车速很快，老人出门过马路很危险，希望加装减速带。');
		await worker.getByTestId('category-safety').check();
		await worker.getByTestId('kind-individual').check();
		await worker.getByTestId('pick-building').selectOption(h.building);
		const units = worker.getByTestId('pick-unit');
		if ((await units.count()) > 0) await units.nth(h.unit - 1).click();
		await worker.locator(`[data-testid=pick-room][data-household="${h.id}"]`).click();
		await worker.getByTestId('grid-matter').check();
		await worker.getByTestId('submit').click();
		await worker.getByTestId('proposal-detail').waitFor();
		const doc = new URL(worker.url()).searchParams.get('doc') ?? '';
		expect(doc).toMatch(/^demo:proposal:/);

		// The facilitator's queue does not hold a grid matter; the grid worker refers it up.
		await openScreening(worker);
		await decide(worker, 'escalated', '涉及市政道路，网格内解决不了');
		await openScreening(facilitator);
		await decide(facilitator, 'escalated', '超出社区职权，需街道协调交警');

		// The street inbox: the case, without the household or a name.
		await street.goto(new URL('/street', street.url()).href);
		const card = street.locator('[data-testid=street-case]', { hasText: TITLE });
		await card.waitFor({ timeout: 20_000 });
		const text = (await card.textContent()) ?? '';
		for (const personal of [h.id, h.room, '王海涛', '周敏', ...h.members.map((m) => m.name)]) expect(text).not.toContain(personal);
		await card.getByTestId('street-answer-accepted').click();
		const reason = card.getByTestId('street-reason');
		if (await reason.isVisible()) await reason.fill('街道受理，协调交警大队现场查看');
		await card.getByTestId('street-confirm').click();
		await expect.poll(() => card.getByTestId('street-receipt').getAttribute('data-result'), { timeout: 20_000 }).toBe('applied');

		// The household's own phone: every step, the last by the street office.
		await resident.goto(new URL(`/proposal?doc=${encodeURIComponent(doc)}`, resident.url()).href);
		await expect.poll(() => resident.getByTestId('status-badge').first().getAttribute('data-status'), { timeout: 20_000 }).toBe('accepted');
		const steps = resident.locator('[data-testid=timeline-event][data-type=transition]');
		await expect.poll(() => steps.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-to')}:${e.getAttribute('data-role')}`))).toEqual([
			'escalated:grid_worker',
			'escalated:facilitator',
			'accepted:street_admin'
		]);
		await expect.poll(() => resident.getByTestId('timeline').textContent()).toContain('超出社区职权，需街道协调交警');

		// The street gathers it into a street topic (new), and holds a street-level meeting on it.
		const topicTitle = '南门交通安全';
		await expect.poll(() => card.getByTestId('street-answer-topic').count(), { timeout: 20_000 }).toBe(1);
		await card.getByTestId('street-answer-topic').click();
		await card.getByTestId('street-topic-new').check();
		await card.getByTestId('street-topic-title').fill(topicTitle);
		await card.getByTestId('street-confirm').click();
		// The receipt on the card still shows the first answer's until this one is back: wait for the case to move.
		await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('topic');
		await expect.poll(() => card.getByTestId('street-receipt').getAttribute('data-result'), { timeout: 20_000 }).toBe('applied');
		await street.goto(new URL('/meetings/new', street.url()).href);
		await street.getByTestId('meeting-kind-deliberation').check();
		await street.getByTestId('meeting-title-input').fill('南门交通安全协调会');
		await street.getByTestId('meeting-place').fill('街道办三楼会议室');
		// The checkbox's label carries the topic's title.
		const topicBox = street.locator('label', { hasText: topicTitle }).getByTestId('agenda-topic');
		await topicBox.waitFor({ timeout: 20_000 });
		expect(await topicBox.getAttribute('data-doc')).toMatch(new RegExp(`^${DEMO_STREET}:topic:`));
		await topicBox.check();
		await street.getByTestId('meeting-submit').click();
		await street.getByTestId('meeting-detail').waitFor();
		expect(new URL(street.url()).searchParams.get('doc')).toMatch(new RegExp(`^${DEMO_STREET}:meeting:`));

		// The household sees the matter joined the street topic, by its title (it cannot open a street document).
		await expect.poll(() => resident.getByTestId('status-badge').first().getAttribute('data-status'), { timeout: 20_000 }).toBe('topic');
		await expect.poll(() => resident.getByTestId('timeline-street-topic').textContent()).toContain(topicTitle);
	});
});
