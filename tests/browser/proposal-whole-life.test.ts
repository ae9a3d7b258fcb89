/**
 * Acceptance story 3, a proposal's whole life, in real Chromium against the real relay with the
 * seeded demo community, on four devices: the proposer, a neighbour, the grid worker of the building's grid and
 * a facilitator.
 *
 * A resident of a small building files a joint proposal; a neighbour co-signs in the app and the grid worker
 * records two more households at the door. Screening flags a negative-list item with its reason; the facilitator
 * accepts it nevertheless, forms a topic and opens deliberation, where the neighbour comments. A household poll
 * of that building under the Civil Code rule is decided by ballots the grid worker records at the door: short of
 * the participation threshold at first, carried once enough households and floor area have taken part. The
 * facilitator closes it with an outcome and records the decision, then carries the topic out as a project: a
 * target, a property subsidy and the proposer's pledge (both received, the ledger exact to the fen), a tender whose
 * selection generates the vendor notice, a task with progress, acceptance signed by two households chosen from
 * the register (the neighbour on paper, with a photo; the proposer on their phone) with the facilitator's
 * recorded override of the unraised part of the target, the acceptance notice, and the proposer's rating. The
 * proposer's device shows every step.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../server/demo/seed';
import { addDays, cstDay } from '../../src/lib/domain/calendar';
import { NEGATIVE_LIST } from '../../src/lib/domain/lists';
import { centiArea, reaches, RULES } from '../../src/lib/domain/poll';
import { zh } from '../../src/lib/i18n/messages';
import type { Household } from '../../src/lib/schema/households-doc';
import { pngImage } from '../factories/images';
import { pickHousehold } from './app-page';
import { openAppPage, startApp, stopApp, type InviteOptions, type RelayHandle } from './harness';
import { DEMO, joinWith } from './invite';

// 10栋: seven registered households, all in the second grid, so a handful of door ballots can decide for it.
const BUILDING = 'b10';
const demo = buildDemo();
const building = demo.community.buildings.find((b) => b.id === BUILDING)!;
const electorate: Household[] = [...demo.households.values()].flat().filter((h) => h.building === BUILDING);
const household = (id: string) => electorate.find((h) => h.id === `${BUILDING}-${id}`)!;
const proposerHome = household('1-102');
const neighbourHome = household('2-102');
const atTheDoor = [household('1-302'), household('2-501')];
// Door ballots in the order recorded: four in favour fall short of 2/3 of the households; one against brings
// participation over both thresholds and "yes" carries; an abstention changes nothing.
const ballots: [Household, 'yes' | 'no' | 'abstain'][] = [
	[household('1-102'), 'yes'],
	[household('1-302'), 'yes'],
	[household('1-602'), 'yes'],
	[household('2-102'), 'yes'],
	[household('2-501'), 'no'],
	[household('2-601'), 'abstain']
];
const QUORUM_AT = 5;

/** The Civil Code rule applied to the first `n` ballots, as the domain defines it: the outcome the tally must show. */
function civilCode(n: number): 'carried' | 'no_quorum' | 'not_carried' {
	const rule = RULES.civil_code;
	const cast = ballots.slice(0, n);
	const area = (list: typeof cast) => list.reduce((sum, [h]) => sum + centiArea(h.area), 0);
	const whole = electorate.reduce((sum, h) => sum + centiArea(h.area), 0);
	if (!reaches(cast.length, electorate.length, rule.participationHouseholds!) || !reaches(area(cast), whole, rule.participationArea!)) return 'no_quorum';
	const yes = cast.filter(([, o]) => o === 'yes');
	return reaches(yes.length, cast.length, rule.approvalHouseholds) && reaches(area(yes), area(cast), rule.approvalArea!) ? 'carried' : 'not_carried';
}

describe("acceptance story 3: a proposal's whole life", () => {
	let relay: RelayHandle;
	let browser: Browser;
	let proposer: Page;
	let neighbour: Page;
	let worker: Page;
	let facilitator: Page;
	let proposal = '';
	let topic = '';
	let poll = '';
	let project = '';
	let tenderNotice = '';
	let acceptanceNotice = '';
	const stamp = Date.now().toString(36);
	const title = `${building.name}门厅清理并加装扶手 ${stamp}`;
	// "占用" is a keyword of negative-list item 8: screening must flag it, with the item's reason.
	const description = `${building.name}两个单元的门厅长期被旧家具和纸箱占用，老人进出要侧身，台阶旁的扶手也松了。建议清理门厅，并在台阶两侧加装不锈钢扶手。`;
	const flagged = NEGATIVE_LIST.find((i) => i.no === 8)!;
	const today = cstDay(Date.now());
	const proposalUrl = () => `${relay.url}/proposal?doc=${encodeURIComponent(proposal)}`;
	const projectUrl = (tab: string) => `${relay.url}/project?doc=${encodeURIComponent(project)}&tab=${tab}`;

	async function device(invite: InviteOptions, name: string): Promise<Page> {
		const { page } = await openAppPage(browser);
		await joinWith(page, await relay.invite(invite), name);
		return page;
	}

	beforeAll(async () => {
		// The story's premises, from the same seed the relay uses.
		expect(electorate.length).toBe(7);
		expect(electorate.every((h) => demo.households.get(building.grid)!.includes(h))).toBe(true);
		expect(civilCode(QUORUM_AT - 1)).toBe('no_quorum');
		expect(civilCode(QUORUM_AT)).toBe('carried');
		expect(civilCode(ballots.length)).toBe('carried');
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('a resident of the building files a joint proposal; a neighbour co-signs in the app', async () => {
		proposer = await device({ role: 'resident', community: DEMO, household: proposerHome.id }, proposerHome.members[0]!.name);
		await proposer.getByTestId('nav-new').click();
		await proposer.getByTestId('field-title').fill(title);
		await proposer.getByTestId('field-description').fill(description);
		await proposer.getByTestId('category-cleanup').check();
		await proposer.getByTestId('kind-joint').check();
		await proposer.getByTestId('submit').click();
		await proposer.getByTestId('proposal-detail').waitFor();
		proposal = new URL(proposer.url()).searchParams.get('doc') ?? '';
		expect(proposal).toMatch(/^demo:proposal:/);
		await expect.poll(() => proposer.getByTestId('cosign-progress').getAttribute('data-have')).toBe('0');
		expect(await proposer.getByTestId('cosign-progress').getAttribute('data-need')).toBe('3');
		await expect.poll(async () => Number(await proposer.getAttribute('[data-testid=pending]', 'data-count')), { timeout: 20_000 }).toBe(0);

		neighbour = await device({ role: 'resident', community: DEMO, household: neighbourHome.id }, neighbourHome.members[0]!.name);
		await neighbour.goto(proposalUrl());
		await neighbour.getByTestId('cosign-own').click({ timeout: 20_000 });
		await neighbour.getByTestId('cosigned').waitFor();
		await neighbour.getByTestId('support-button').click();
		await neighbour.getByTestId('supported').waitFor();
	});

	it("the grid worker of the building's grid records two more households at the door", async () => {
		worker = await device({ role: 'grid_worker', community: DEMO, grids: [building.grid] }, '韦志刚');
		await worker.goto(proposalUrl());
		for (const [i, h] of atTheDoor.entries()) {
			await worker.getByTestId('cosign-record').click({ timeout: 20_000 });
			await pickHousehold(worker, h);
			await worker.getByTestId('picked-household').waitFor();
			await worker.getByTestId('cosign-confirm').click();
			await expect.poll(() => worker.getByTestId('cosign-progress').getAttribute('data-have'), { timeout: 20_000 }).toBe(String(i + 2));
		}
		// Enough co-signers: the proposer's device sees all three.
		await expect.poll(() => proposer.getByTestId('cosign-progress').getAttribute('data-have'), { timeout: 20_000 }).toBe('3');
	});

	it('screening flags the negative-list item with its reason; the facilitator accepts it nevertheless and forms a topic', async () => {
		facilitator = await device({ role: 'facilitator', community: DEMO }, '周敏');
		await facilitator.getByTestId('nav-screening').click();
		const card = facilitator.locator(`[data-testid=screening-item][data-doc="${proposal}"]`);
		await card.waitFor({ timeout: 20_000 });
		const negative = card.getByTestId('flag-negative');
		await expect.poll(() => negative.count(), { timeout: 20_000 }).toBe(1);
		expect(await negative.getAttribute('data-item')).toBe(String(flagged.no));
		expect(await negative.innerText()).toContain(flagged.reasonZh);
		expect(await negative.innerText()).toContain('占用');
		await expect.poll(() => card.getByTestId('flag-cosigners').count(), { timeout: 20_000 }).toBe(0);

		await card.getByTestId('decide').click();
		await card.getByTestId('decide-accepted').click();
		await card.getByTestId('decide-confirm').click();
		await expect.poll(() => card.count()).toBe(0);

		await facilitator.goto(`${relay.url}/topics`);
		await facilitator.locator(`[data-testid=accepted-proposal][data-doc="${proposal}"]`).check({ timeout: 20_000 });
		await expect.poll(() => facilitator.getByTestId('topic-title').inputValue()).toBe(title);
		await facilitator.getByTestId('topic-submit').click();
		await facilitator.getByTestId('topic-done').waitFor();
		const row = facilitator.getByTestId('topic-row').filter({ hasText: title });
		await row.waitFor();
		topic = (await row.getAttribute('data-doc')) ?? '';
		expect(topic).toMatch(/^demo:topic:/);
		// The proposer's household and its three co-signers.
		await expect.poll(() => row.getByTestId('topic-households').innerText()).toBe('4');
		expect(await row.getByTestId('topic-supporters').innerText()).toBe('1');
	});

	it('deliberation opens on the proposal and the neighbour takes part', async () => {
		await facilitator.goto(proposalUrl());
		await expect.poll(() => facilitator.getByTestId('status-badge').first().getAttribute('data-status'), { timeout: 20_000 }).toBe('topic');
		await facilitator.getByTestId('transition-deliberating').click();
		await facilitator.getByTestId('transition-confirm').click();
		await facilitator.getByTestId('transition-saved').waitFor();
		await expect.poll(() => facilitator.getByTestId('status-badge').first().getAttribute('data-status')).toBe('deliberating');

		await neighbour.goto(proposalUrl());
		await expect.poll(() => neighbour.getByTestId('status-badge').first().getAttribute('data-status'), { timeout: 20_000 }).toBe('deliberating');
		await neighbour.getByTestId('comment-text').fill('扶手建议装在两侧，下雨天台阶很滑。');
		await neighbour.getByTestId('comment-send').click();
		await neighbour.getByTestId('participation-saved').waitFor();
		await expect.poll(() => facilitator.locator('[data-testid=timeline-event][data-type=comment]').count(), { timeout: 20_000 }).toBe(1);
	});

	it("a household poll of the building under the Civil Code rule is created from the topic", async () => {
		await facilitator.goto(`${relay.url}/topic?doc=${encodeURIComponent(topic)}`);
		await facilitator.getByTestId('topic-new-poll').click({ timeout: 20_000 });
		await facilitator.getByTestId('poll-form').waitFor({ timeout: 20_000 });
		await expect.poll(() => facilitator.getByTestId('poll-title-input').inputValue()).toBe(title);
		await facilitator.locator('[data-testid=poll-rule-choice][value=civil_code]').check();
		await facilitator.locator('[data-testid=poll-scope][value=building]').check();
		await facilitator.locator(`[data-testid=poll-scope-id][data-id=${BUILDING}]`).click();
		expect(await facilitator.locator(`[data-testid=poll-scope-id][data-id=${BUILDING}]`).getAttribute('aria-pressed')).toBe('true');
		expect(await facilitator.getByTestId('poll-matter-chosen').count()).toBe(1);
		await facilitator.getByTestId('poll-create').click();
		await facilitator.getByTestId('poll-detail').waitFor();
		poll = (await facilitator.getByTestId('poll-detail').getAttribute('data-doc')) ?? '';
		expect(poll).toMatch(/^demo:poll:/);
		expect(await facilitator.getByTestId('poll-detail').getAttribute('data-status')).toBe('open');
		expect(await facilitator.getByTestId('poll-rule').getAttribute('data-rule')).toBe('civil_code');
		expect(await facilitator.getByTestId('poll-matter').getAttribute('href')).toBe(`/topic?doc=${encodeURIComponent(topic)}`);
		// Exactly the building's households may vote; nobody has yet.
		const households = facilitator.getByTestId('participation-households');
		await expect.poll(() => households.getAttribute('data-whole'), { timeout: 20_000 }).toBe(String(electorate.length));
		expect(await households.getAttribute('data-have')).toBe('0');
		expect(await facilitator.getByTestId('tally').getAttribute('data-outcome')).toBe('no_quorum');
	});

	it('the grid worker records ballots at the doors; the tally reaches both thresholds only with enough households and area', async () => {
		await worker.goto(`${relay.url}/poll?doc=${encodeURIComponent(poll)}`);
		const recorder = worker.getByTestId('ballot-recorder');
		await recorder.waitFor({ timeout: 20_000 });
		expect(await recorder.getAttribute('data-channel')).toBe('visit');
		const tally = facilitator.getByTestId('tally');
		for (const [i, [h, option]] of ballots.entries()) {
			await pickHousehold(recorder, h);
			await recorder.locator(`[data-testid=ballot-option][value=${option}]`).check();
			await recorder.getByTestId('ballot-submit').click();
			await recorder.getByTestId('ballot-saved').waitFor();
			await expect.poll(() => recorder.locator(`[data-testid=recorded-ballot][data-household="${h.id}"]`).count()).toBe(1);
			if (i === QUORUM_AT - 2) {
				// Four households in favour: not yet 2/3 of the building's households, so nothing is decided.
				await expect.poll(() => facilitator.getByTestId('participation-households').getAttribute('data-have'), { timeout: 20_000 }).toBe(String(QUORUM_AT - 1));
				expect(await tally.getAttribute('data-outcome')).toBe(civilCode(QUORUM_AT - 1));
				expect(await facilitator.getByTestId('participation-households').locator('.need.ok').count()).toBe(0);
			}
		}
		await expect.poll(() => facilitator.getByTestId('participation-households').getAttribute('data-have'), { timeout: 20_000 }).toBe(String(ballots.length));
		expect(await tally.getAttribute('data-outcome')).toBe(civilCode(ballots.length));
		const option = (id: string) => tally.locator(`[data-testid=tally-option][data-option=${id}]`);
		expect(await option('yes').getAttribute('data-votes')).toBe('4');
		expect(await option('yes').getAttribute('data-approved')).toBe('true');
		expect(await option('no').getAttribute('data-votes')).toBe('1');
		expect(await option('abstain').getAttribute('data-votes')).toBe('1');
		// Both participation thresholds (households and floor area) are marked reached.
		expect(await facilitator.getByTestId('participation-households').locator('.need.ok').count()).toBe(1);
		expect(await facilitator.getByTestId('participation-area').locator('.need.ok').count()).toBe(1);
		// The grid worker's device lists one ballot per household it visited.
		expect(await recorder.getByTestId('recorded-ballot').count()).toBe(ballots.length);
	});

	it('the facilitator closes the poll with an outcome and records the decision on the proposal', async () => {
		await facilitator.getByTestId('close-start').click();
		await facilitator.getByTestId('outcome-text').fill(`${building.name}六户参与，同意清理门厅并加装扶手，交由项目实施。`);
		await facilitator.getByTestId('close-submit').click();
		await facilitator.getByTestId('close-confirm-text').waitFor();
		await facilitator.getByTestId('close-submit').click();
		// Saved once the outcome is in the poll and in the proposals' timelines on this device.
		await facilitator.getByTestId('outcome-saved').waitFor();
		await facilitator.getByTestId('poll-outcome').waitFor();
		expect(await facilitator.getByTestId('poll-detail').getAttribute('data-status')).toBe('closed');
		expect(await facilitator.getByTestId('tally').getAttribute('data-final')).toBe('true');
		expect(await facilitator.getByTestId('tally').getAttribute('data-outcome')).toBe('carried');

		// The outcome went into the timeline of the topic's proposal.
		await facilitator.goto(proposalUrl());
		const outcome = facilitator.locator('[data-testid=timeline-event][data-type=poll_outcome]');
		await outcome.waitFor({ timeout: 20_000 });
		expect(await outcome.getByTestId('timeline-poll').getAttribute('href')).toBe(`/poll?doc=${encodeURIComponent(poll)}`);
		await facilitator.getByTestId('transition-decided').click();
		await facilitator.getByTestId('transition-confirm').click();
		await facilitator.getByTestId('transition-saved').waitFor();
		await expect.poll(() => facilitator.getByTestId('status-badge').first().getAttribute('data-status')).toBe('decided');
	});

	it('the facilitator starts the project with a target and records a property subsidy as received', async () => {
		await facilitator.goto(`${relay.url}/projects`);
		await facilitator.locator(`[data-testid=startable-topic][data-topic="${topic}"] a`).click({ timeout: 20_000 });
		await facilitator.getByTestId('project-start').waitFor();
		await expect.poll(() => facilitator.getByTestId('project-title-input').inputValue()).toBe(title);
		await facilitator.getByTestId('project-target-input').fill('2,000');
		await facilitator.getByTestId('project-start-submit').click();
		await facilitator.getByTestId('project-detail').waitFor();
		project = (await facilitator.getByTestId('project-detail').getAttribute('data-doc')) ?? '';
		expect(project).toBe(topic.replace(':topic:', ':project:'));
		expect(await facilitator.getByTestId('project-detail').getAttribute('data-stage')).toBe('funding');
		expect(await facilitator.getByTestId('funding-summary').getAttribute('data-target')).toBe('200000');

		await facilitator.getByTestId('pledge-source').selectOption('property');
		await facilitator.getByTestId('pledge-name').fill('锦绣物业');
		await facilitator.getByTestId('pledge-amount').fill('1200');
		await facilitator.getByTestId('pledge-submit').click();
		await facilitator.getByTestId('pledge-saved').waitFor();
		const subsidy = facilitator.locator('[data-testid=pledge][data-name="锦绣物业"]');
		await subsidy.getByTestId('receive-open').click();
		await subsidy.getByTestId('receive-confirm').click();
		await facilitator.getByTestId('receive-saved').waitFor();
		await expect.poll(() => subsidy.getAttribute('data-status')).toBe('received');
		expect(await facilitator.getByTestId('ledger-balance').getAttribute('data-fen')).toBe('120000');
	});

	it('the proposer pledges; the facilitator marks it received and both see the ledger balance', async () => {
		const giver = `${building.name}${proposerHome.unit}单元${proposerHome.room} ${proposerHome.members[0]!.name}`;
		await proposer.goto(projectUrl('funding'));
		await proposer.getByTestId('pledge-form').waitFor({ timeout: 20_000 });
		await proposer.getByTestId('pledge-name').fill(giver);
		await proposer.getByTestId('pledge-amount').fill('300');
		await proposer.getByTestId('pledge-submit').click();
		await proposer.getByTestId('pledge-saved').waitFor();

		const pledge = facilitator.locator(`[data-testid=pledge][data-name="${giver}"]`);
		await pledge.waitFor({ timeout: 20_000 });
		await pledge.getByTestId('receive-open').click();
		expect(await pledge.getByTestId('receive-amount').inputValue()).toBe('300.00');
		await pledge.getByTestId('receive-confirm').click();
		await expect.poll(() => facilitator.getByTestId('ledger-balance').getAttribute('data-fen')).toBe('150000');
		expect(await facilitator.getByTestId('ledger-line').count()).toBe(2);
		await expect.poll(() => proposer.getByTestId('ledger-balance').getAttribute('data-fen'), { timeout: 20_000 }).toBe('150000');
		await expect.poll(() => proposer.locator(`[data-testid=pledge][data-name="${giver}"]`).getAttribute('data-status')).toBe('received');
	});

	it('tender entries and a selection generate the vendor notice, which is posted and reaches the notice board', async () => {
		await facilitator.getByTestId('tab-tender').click();
		for (const [vendor, price, model] of [
			['安居五金', '1460', '不锈钢扶手 12 米，含门厅清运，质保两年'],
			['宏达装修', '1780', '不锈钢扶手 12 米，含门厅清运，质保三年']
		] as const) {
			await facilitator.getByTestId('bid-vendor').fill(vendor);
			await facilitator.getByTestId('bid-price').fill(price);
			await facilitator.getByTestId('bid-model').fill(model);
			await facilitator.getByTestId('bid-submit').click();
			await facilitator.getByTestId('bid-saved').waitFor();
		}
		await expect.poll(() => facilitator.getByTestId('bid').count()).toBe(2);
		await facilitator.locator('[data-testid=select-bid][data-vendor="安居五金"]').check();
		await facilitator.getByTestId('select-reason').fill('报价最低，材料与另一家相同。');
		await facilitator.getByTestId('select-submit').click();
		await facilitator.getByTestId('tender-result').waitFor();
		expect(await facilitator.locator('[data-testid=bid][data-selected=true]').count()).toBe(1);
		await facilitator.getByTestId('tender-notice').click();
		expect(await facilitator.getByTestId('notice-body').inputValue()).toContain('安居五金：¥1,460.00');
		await facilitator.getByTestId('notice-post').click();
		await facilitator.getByTestId('notice-posted').waitFor();
		const href = (await facilitator.getByTestId('notice-posted-link').getAttribute('href')) ?? '';
		tenderNotice = decodeURIComponent(href.split('doc=')[1] ?? '');
		expect(tenderNotice).toMatch(/^demo:notice:/);

		await proposer.goto(`${relay.url}/notices`);
		const onBoard = proposer.locator(`[data-testid=board-notice][data-doc="${tenderNotice}"]`);
		await onBoard.waitFor({ timeout: 20_000 });
		expect(await onBoard.getAttribute('data-kind')).toBe('tender');
		expect(await onBoard.getAttribute('data-phase')).toBe('current');
	});

	it('a task is planned and its progress recorded until done', async () => {
		await facilitator.goto(projectUrl('tasks'));
		await facilitator.getByTestId('task-title').fill('清运门厅杂物并安装扶手');
		await facilitator.getByTestId('task-responsible').fill('安居五金');
		await facilitator.getByTestId('task-due').fill(addDays(today, 10));
		await facilitator.getByTestId('task-submit').click();
		await facilitator.getByTestId('task-saved').waitFor();
		const task = facilitator.getByTestId('task');
		await expect.poll(() => task.count()).toBe(1);

		for (const [text, mark, stage] of [
			['门厅杂物已清运，扶手开始安装', 'mark-started', 'in_progress'],
			['两侧扶手已装好，牢固可用', 'mark-done', 'awaiting_acceptance']
		] as const) {
			await task.getByTestId('progress-open').click();
			await task.getByTestId('progress-text').fill(text);
			await task.getByTestId(mark).check();
			await task.getByTestId('progress-submit').click();
			await facilitator.getByTestId('progress-saved').waitFor();
			await expect.poll(() => facilitator.getByTestId('project-detail').getAttribute('data-stage')).toBe(stage);
		}
		expect(await task.getAttribute('data-status')).toBe('done');
		expect(await task.getByTestId('task-update').count()).toBe(2);
	});

	it('acceptance: a representative and the proposer sign off, and a notice publicises the result', async () => {
		await facilitator.goto(projectUrl('acceptance'));
		await facilitator.getByTestId('check-text').fill('两侧扶手牢固，门厅通行无阻');
		await facilitator.getByTestId('check-add').click();
		await facilitator.getByTestId('check-item').waitFor();
		await facilitator.getByTestId('check-pass').click();
		await expect.poll(() => facilitator.getByTestId('check-item').getAttribute('data-result')).toBe('pass');
		await facilitator.getByTestId('min-representatives').fill('2');
		await facilitator.getByTestId('min-representatives').locator('xpath=following-sibling::button').click();
		// Representatives are households chosen from the register: the proposer's and the neighbour's.
		const picker = facilitator.getByTestId('representative-picker');
		for (const h of [proposerHome, neighbourHome]) {
			await pickHousehold(picker, h);
			await facilitator.getByTestId('representative-add').click();
			await facilitator.locator(`[data-testid=representative][data-household="${h.id}"]`).waitFor();
		}
		// The neighbour signed the paper form: the facilitator records it with a photo of the form.
		const paper = facilitator.getByTestId('paper-form');
		await paper.getByTestId('paper-household').selectOption(neighbourHome.id);
		await paper.getByTestId('paper-name').fill(neighbourHome.members[0]!.name);
		await paper.locator('[data-testid=paper-photos] [data-testid=photo-input]').setInputFiles({ name: 'form.png', mimeType: 'image/png', buffer: pngImage(640, 480, 7) });
		await expect.poll(() => paper.getByTestId('paper-photos').getAttribute('data-count')).toBe('1');
		await paper.getByTestId('paper-submit').click();
		await paper.getByTestId('paper-saved').waitFor();
		await expect.poll(() => facilitator.getByTestId('acceptance').getAttribute('data-status')).toBe('in_progress');

		await proposer.goto(projectUrl('acceptance'));
		await proposer.getByTestId('acceptance').waitFor({ timeout: 20_000 });
		expect(await proposer.getByTestId('signoff-name').inputValue()).toBe(proposerHome.members[0]!.name);
		await proposer.getByTestId('signoff-submit').click();
		await proposer.getByTestId('signoff-saved').waitFor();

		await expect.poll(() => facilitator.locator(`[data-testid=representative][data-household="${proposerHome.id}"]`).getAttribute('data-signed'), { timeout: 20_000 }).toBe('true');
		expect(await facilitator.locator('[data-testid=signoff][data-agree=true]').count()).toBe(2);
		// ¥1,500 of the ¥2,000 target came in: acceptance waits for the facilitator's override and its reason.
		expect(await facilitator.locator('[data-testid=acceptance-condition][data-kind=funds]').getAttribute('data-met')).toBe('false');
		expect(await facilitator.getByTestId('acceptance').getAttribute('data-status')).toBe('in_progress');
		await facilitator.getByTestId('override-reason').fill('扶手实际造价低于预算，已到账款项足以支付，不再筹款。');
		await facilitator.getByTestId('override-submit').click();
		await expect.poll(() => facilitator.getByTestId('acceptance').getAttribute('data-status'), { timeout: 20_000 }).toBe('passed');
		await facilitator.getByTestId('acceptance-notice').click();
		await facilitator.getByTestId('notice-post').click();
		await facilitator.getByTestId('notice-posted').waitFor();
		const href = (await facilitator.getByTestId('notice-posted-link').getAttribute('href')) ?? '';
		acceptanceNotice = decodeURIComponent(href.split('doc=')[1] ?? '');
		expect(acceptanceNotice).toMatch(/^demo:notice:/);
		await expect.poll(() => facilitator.getByTestId('project-detail').getAttribute('data-stage')).toBe('publicised');

		await proposer.goto(`${relay.url}/notices`);
		const onBoard = proposer.locator(`[data-testid=board-notice][data-doc="${acceptanceNotice}"]`);
		await onBoard.waitFor({ timeout: 20_000 });
		expect(await onBoard.getAttribute('data-kind')).toBe('acceptance');
	});

	it('the proposer rates the result', async () => {
		await proposer.goto(projectUrl('satisfaction'));
		await proposer.getByTestId('rating-form').waitFor({ timeout: 20_000 });
		await proposer.getByTestId('score-5').check();
		await proposer.getByTestId('rating-comment').fill('门厅宽敞了，扶手很结实。');
		await proposer.getByTestId('rating-submit').click();
		await proposer.getByTestId('rating-saved').waitFor();
		await proposer.locator(`[data-testid=rating][data-household="${proposerHome.id}"][data-score="5"]`).waitFor();
		await facilitator.goto(projectUrl('satisfaction'));
		await expect.poll(() => facilitator.getByTestId('satisfaction').getAttribute('data-count'), { timeout: 20_000 }).toBe('1');
	});

	it("the proposer's device shows each step: in the proposal's timeline and, through it, the project's", async () => {
		await proposer.goto(`${relay.url}/mine`);
		const item = proposer.locator(`[data-testid=mine-item][data-doc="${proposal}"]`);
		// The facilitator's device moved the proposal along with the project, as far as publicised.
		await expect.poll(() => item.getByTestId('status-badge').getAttribute('data-status'), { timeout: 20_000 }).toBe('publicised');

		await proposer.goto(proposalUrl());
		const events = proposer.getByTestId('timeline-event');
		await expect.poll(() => proposer.locator('[data-testid=timeline-event][data-type=poll_outcome]').count(), { timeout: 20_000 }).toBe(1);
		expect(await proposer.locator('[data-testid=timeline-event][data-type=cosigned]').count()).toBe(3);
		expect(await proposer.locator('[data-testid=timeline-event][data-type=comment]').count()).toBe(1);
		// Accepted, made a topic (linked), opened for deliberation, decided — in that order, then the poll's outcome.
		const steps = await proposer.locator('[data-testid=timeline-event][data-type=transition] strong').allInnerTexts();
		expect(steps.slice(0, 4)).toEqual([zh['status.accepted'], zh['status.topic'], zh['status.deliberating'], zh['status.decided']]);
		// Then the project's stages, each recorded once (funding only if the device saw the project raising funds).
		const carried = steps.slice(4).filter((s) => s !== zh['status.funding']);
		expect(carried).toEqual([zh['status.in_progress'], zh['status.inspected'], zh['status.publicised']]);
		expect(await proposer.getByTestId('timeline-project').first().getAttribute('href')).toBe(`/project?doc=${encodeURIComponent(project)}&tab=timeline`);
		expect(await proposer.getByTestId('timeline-topic').getAttribute('href')).toBe(`/topic?doc=${encodeURIComponent(topic)}`);
		const types = await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
		expect(types.indexOf('poll_outcome')).toBeGreaterThan(types.indexOf('transition'));
		const outcome = proposer.locator('[data-testid=timeline-event][data-type=poll_outcome]');
		expect(await outcome.getByTestId('timeline-poll-outcome').innerText()).toContain('同意清理门厅并加装扶手');
		expect(await outcome.getByTestId('timeline-poll').getAttribute('href')).toBe(`/poll?doc=${encodeURIComponent(poll)}`);

		// The poll it points to: the relay's final tally, carried, on the proposer's device.
		await outcome.getByTestId('timeline-poll').click();
		const published = proposer.getByTestId('public-tally');
		await expect.poll(() => published.getAttribute('data-final'), { timeout: 20_000 }).toBe('true');
		expect(await published.getAttribute('data-outcome')).toBe('carried');
		expect(await published.locator('[data-testid=tally-option][data-option=yes]').getAttribute('data-approved')).toBe('true');

		await proposer.goto(proposalUrl());
		const section = proposer.getByTestId('proposal-project');
		await section.waitFor({ timeout: 20_000 });
		expect(await section.getAttribute('data-stage')).toBe('publicised');
		await section.getByTestId('proposal-project-link').click();
		await proposer.getByTestId('project-timeline').waitFor({ timeout: 20_000 });
		const projectSteps = await proposer.getByTestId('project-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
		for (const type of ['created', 'target', 'pledged', 'received', 'tender', 'selected', 'notice', 'task', 'progress', 'checked', 'signoff', 'accepted', 'rating']) {
			expect(projectSteps, type).toContain(type);
		}
		// Two sources received, two progress reports, two sign-offs, two notices (vendor and acceptance).
		const count = (type: string) => projectSteps.filter((t) => t === type).length;
		expect(count('received')).toBe(2);
		expect(count('progress')).toBe(2);
		expect(count('signoff')).toBe(2);
		expect(count('notice')).toBe(2);
		expect(projectSteps.indexOf('accepted')).toBeGreaterThan(projectSteps.lastIndexOf('signoff'));
		expect(projectSteps.lastIndexOf('rating')).toBeGreaterThan(projectSteps.indexOf('accepted'));
	});
});
