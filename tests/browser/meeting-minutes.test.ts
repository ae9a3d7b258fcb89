/**
 * Acceptance story 2, the bench meeting, end to end against the real relay on two facilitators' devices.
 *
 * One facilitator schedules a bench meeting; both open the live minutes and see each other's cursor and name.
 * The second facilitator's relay traffic is then cut for real (sockets dropped and refused; the status bar says
 * so and nothing of theirs reaches the first). Both keep typing; when the traffic returns, both editors hold the
 * same merged text with every word typed. Then attendance is checked in by capacity, a show of hands, a decision
 * and an action item are recorded, an attendee confirms, the facilitator approves, and a resident reads the public
 * minutes (counts by capacity, no names, no private notes) while the working minutes stay closed to them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cstDay } from '../../src/lib/domain/calendar';
import { caughtUp, submitMeeting } from './app-page';
import { startApp, stopApp, type RelayHandle } from './harness';
import { adminToken, apiInvitation, bootstrapLink, type Device, joinDevice } from './invite';

/** A second facilitator invitation, made by the admin through the API as on the admin's own device. */
const facilitatorInvitation = (relay: RelayHandle, token: string) =>
	apiInvitation(relay, token, { role: 'facilitator', maxUses: 1, label: 'second facilitator' });

/** The text of the minutes, without the remote cursors' name labels drawn inside it. */
const editorText = (page: Page) =>
	page.getByTestId('minutes-text').evaluate((el) => {
		const copy = el.cloneNode(true) as HTMLElement;
		for (const cursor of copy.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove();
		return copy.innerText;
	});

/** Puts the caret at the end of the minutes and types. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
	await page.getByTestId('minutes-text').click();
	await page.keyboard.press('Control+End');
	await page.keyboard.type(text, { delay: 15 });
}

describe('acceptance story 2: a bench meeting with live minutes', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let zhou: Device;
	let lin: Device;
	let meetingDoc = '';
	let topicDoc = '';
	let topicTitle = '';
	const stamp = Date.now().toString(36);
	const title = `3栋楼道爱心椅板凳会 ${stamp}`;
	const words = { zhouOnline: `zhouOne${stamp}`, linOnline: `linOne${stamp}`, zhouCut: ['zhouTwo', 'zhouThree'], linCut: ['linTwo', 'linThree'] };

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('two facilitators co-edit the minutes, see each other’s cursors, and merge everything typed while one was cut off', async () => {
		zhou = await joinDevice(browser, bootstrapLink(relay, 'facilitator'), '周敏');
		lin = await joinDevice(browser, await facilitatorInvitation(relay, await adminToken(relay)), '林晓燕');

		// 周敏 schedules the bench meeting with an agenda item and an invitee.
		const a = zhou.page;
		await a.goto(`${relay.url}/meetings/new`);
		await a.getByTestId('meeting-kind-bench').check();
		await a.getByTestId('meeting-title-input').fill(title);
		await a.getByTestId('meeting-place').fill('小区凉亭');
		// Held today (China time): check-ins and votes on another day than the meeting's need a reason.
		await a.getByTestId('meeting-day').fill(cstDay(Date.now()));
		await a.getByTestId('agenda-new').fill('楼道爱心椅');
		await a.getByTestId('agenda-add-text').click();
		// A topic from the deliberation list (the demo has some): its proposals will show the decision.
		const topicBox = a.getByTestId('agenda-topic').first();
		await topicBox.waitFor({ timeout: 20_000 });
		topicDoc = (await topicBox.getAttribute('data-doc')) ?? '';
		topicTitle = (await topicBox.locator('xpath=..').innerText()).trim();
		await topicBox.check();
		meetingDoc = await submitMeeting(a);
		expect(await a.getByTestId('minutes-status').getAttribute('data-status')).toBe('draft');

		// Both open the live minutes; the template carries the agenda. Text and presence ride the app's one socket:
		// 周敏's page (reached within the app) opens none, 林晓燕's (loaded afresh) opens only /sync.
		const socketsOf = (page: Page) => {
			const paths: string[] = [];
			page.on('websocket', (ws) => paths.push(new URL(ws.url()).pathname));
			return paths;
		};
		const aSockets = socketsOf(a);
		await a.getByTestId('open-minutes').click();
		const b = lin.page;
		const bSockets = socketsOf(b);
		await b.goto(`${relay.url}/meeting/minutes?doc=${encodeURIComponent(meetingDoc)}`);
		for (const page of [a, b]) {
			await expect.poll(() => page.getByTestId('minutes-editor').getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
			await expect.poll(() => editorText(page), { timeout: 20_000 }).toContain('1. 楼道爱心椅');
			expect(await editorText(page)).toContain(`2. ${topicTitle}`);
			await expect.poll(() => page.getByTestId('minutes-link').getAttribute('data-status'), { timeout: 20_000 }).toBe('connected');
		}

		// Each types; each sees the other's words, cursor and name. 林晓燕 starts once 周敏's word has reached
		// her: typing at the end of a paragraph while the other's last keystrokes are still in flight may
		// legitimately interleave the two, which is the editor merging, not the relay losing anything.
		await typeAtEnd(a, words.zhouOnline);
		await expect.poll(() => editorText(b), { timeout: 15_000 }).toContain(words.zhouOnline);
		await typeAtEnd(b, ` ${words.linOnline}`);
		await expect.poll(() => editorText(a), { timeout: 15_000 }).toContain(words.linOnline);
		const linCursorOnA = a.locator('[data-testid=remote-cursor][data-name="林晓燕"]');
		const zhouCursorOnB = b.locator('[data-testid=remote-cursor][data-name="周敏"]');
		await expect.poll(() => linCursorOnA.count(), { timeout: 15_000 }).toBe(1);
		await expect.poll(() => zhouCursorOnB.count(), { timeout: 15_000 }).toBe(1);
		expect(await linCursorOnA.isVisible()).toBe(true);
		expect(await linCursorOnA.innerText()).toContain('林晓燕');
		expect(await a.locator('[data-testid=minutes-peer][data-name="林晓燕"]').count()).toBe(1);
		expect(aSockets).toEqual([]);
		expect(bSockets).toEqual(['/sync']);

		// 林晓燕 loses signal: every relay socket of her device is dropped and new ones are refused.
		await lin.link.cut();
		await expect.poll(() => b.getByTestId('status-bar').getAttribute('data-connection')).not.toBe('online');
		await expect.poll(() => b.getByTestId('minutes-link').getAttribute('data-status')).not.toBe('connected');
		// Her cursor leaves 周敏's screen: the relay saw her go.
		await expect.poll(() => linCursorOnA.count(), { timeout: 15_000 }).toBe(0);
		const connectedAtCut = lin.link.connected;

		// Both keep typing.
		for (let i = 0; i < 2; i++) {
			await typeAtEnd(a, ` ${words.zhouCut[i]}${stamp}`);
			await typeAtEnd(b, ` ${words.linCut[i]}${stamp}`);
		}
		expect(await editorText(b)).toContain(`${words.linCut[1]}${stamp}`);
		await expect.poll(() => b.getByTestId('minutes-saved').getAttribute('data-state')).toBe('saved');
		// Nothing passes while cut: her reconnect attempts are refused and her words do not reach 周敏.
		await expect.poll(() => lin.link.blocked, { timeout: 15_000 }).toBeGreaterThan(0);
		await a.waitForTimeout(1_500);
		expect(lin.link.connected).toBe(connectedAtCut);
		expect(await b.getByTestId('status-bar').getAttribute('data-connection')).not.toBe('online');
		const aWhileCut = await editorText(a);
		expect(aWhileCut).toContain(`${words.zhouCut[1]}${stamp}`);
		expect(aWhileCut).not.toContain(`${words.linCut[0]}${stamp}`);
		expect(await editorText(b)).not.toContain(`${words.zhouCut[0]}${stamp}`);

		// The traffic returns: both end with the same text holding every word.
		lin.link.restore();
		await expect.poll(() => b.getByTestId('minutes-link').getAttribute('data-status'), { timeout: 20_000 }).toBe('connected');
		const all = [words.zhouOnline, words.linOnline, ...[...words.zhouCut, ...words.linCut].map((w) => `${w}${stamp}`)];
		for (const page of [a, b]) {
			await expect
				.poll(async () => {
					const text = await editorText(page);
					return all.filter((w) => !text.includes(w));
				}, { timeout: 20_000 })
				.toEqual([]);
		}
		await expect.poll(async () => (await editorText(a)) === (await editorText(b)), { timeout: 10_000 }).toBe(true);
		// The background sync catches up too, and her status bar is back online.
		await expect.poll(() => caughtUp(b), { timeout: 40_000 }).toBe(true);
		await expect.poll(() => linCursorOnA.count(), { timeout: 15_000 }).toBe(1);
	}, 150_000);

	it('records attendance by capacity, a show of hands, a decision and an action; approval makes the minutes public', async () => {
		const a = zhou.page;
		await a.goto(`${relay.url}/meeting?doc=${encodeURIComponent(meetingDoc)}`);
		await a.getByTestId('attendance-panel').waitFor();

		// The invitee in one tap; two more by name and capacity.
		await a.locator('[data-testid=invitee-checkin][data-name="张桂英"]').click();
		await expect.poll(() => a.getByTestId('attendance-total').getAttribute('data-count')).toBe('1');
		for (const [name, capacity] of [
			['李建国', 'resident_rep'],
			['物业小陈', 'property_company'],
			['赵春梅', 'party_member']
		] as const) {
			await a.getByTestId('checkin-name').fill(name);
			await a.getByTestId('checkin-capacity').selectOption(capacity);
			await a.getByTestId('checkin-submit').click();
			await expect.poll(() => a.locator(`[data-testid=attendee][data-name="${name}"]`).count()).toBe(1);
		}
		await expect.poll(() => a.getByTestId('attendance-total').getAttribute('data-count')).toBe('4');
		expect(await a.locator('[data-testid=attendance-count][data-capacity=building_head]').getAttribute('data-count')).toBe('1');
		expect(await a.locator('[data-testid=attendance-count][data-capacity=property_company]').getAttribute('data-count')).toBe('1');

		// A show of hands: 3 in favour, 1 against.
		await a.getByTestId('vote-new').locator('summary').click();
		await a.getByTestId('vote-question').fill('是否同意在3栋各单元加装折叠爱心椅？');
		await a.getByTestId('vote-mode-hands').check();
		await a.getByTestId('vote-create').click();
		const vote = a.getByTestId('vote').first();
		await vote.waitFor();
		await vote.locator('[data-testid=hands-input][data-option=yes]').fill('3');
		await vote.locator('[data-testid=hands-input][data-option=no]').fill('1');
		await vote.getByTestId('hands-save').click();
		await expect.poll(() => vote.getByTestId('vote-result').getAttribute('data-carried')).toBe('yes');
		expect(await vote.locator('[data-testid=vote-option-count][data-option=yes]').getAttribute('data-count')).toBe('3');

		// The decision and who does what by when.
		await a.getByTestId('decision-text').fill('3栋各单元加装折叠爱心椅，由物业统一采购安装。');
		await a.getByTestId('decision-agenda').selectOption({ label: topicTitle });
		await a.getByTestId('decision-add').click();
		await a.getByTestId('decision').first().waitFor();
		await a.getByTestId('action-task').fill('询价并采购折叠椅');
		await a.getByTestId('action-owner').fill('物业公司');
		await a.getByTestId('action-due').fill('2030-06-10');
		await a.getByTestId('action-decision').selectOption({ index: 1 });
		await a.getByTestId('action-add').click();
		await expect.poll(() => a.getByTestId('decision').first().getByTestId('action').count()).toBe(1);

		// Private notes, which must never be published.
		await a.getByTestId('minutes-notes').fill(`内部备注 ${stamp}：物业预算偏紧`);
		await a.getByTestId('notes-save').click();
		await expect.poll(() => a.getByTestId('notes-save').isDisabled()).toBe(true);

		// Approval waits for an attendee's confirmation.
		await expect.poll(() => a.locator('[data-testid=approval-issue][data-code=no_confirmation]').count()).toBe(1);
		expect(await a.getByTestId('approve').isDisabled()).toBe(true);
		await a.locator('[data-testid=confirm-attendee][data-name="张桂英"]').check();
		await expect.poll(() => a.getByTestId('approve').isDisabled()).toBe(false);
		await a.getByTestId('approve').click();
		await a.getByTestId('approval-saved').waitFor();
		await expect.poll(() => a.getByTestId('minutes-status').getAttribute('data-status')).toBe('approved');
		const published = a.getByTestId('published-minutes');
		await expect.poll(() => published.getByTestId('published-content').innerText()).toContain(`${words.linCut[1]}${stamp}`);

		// The topic's proposals show the decision in their timelines.
		expect(await a.getByTestId('approval-saved').innerText()).toMatch(/\d+ 件提案/);
		const proposal = await a.getByTestId('decision').first().getByTestId('decision-proposals').locator('a').first().getAttribute('href');
		expect(proposal).toBeTruthy();
		await a.goto(`${relay.url}${proposal}`);
		await expect.poll(() => a.getByTestId('timeline-decision').first().innerText(), { timeout: 20_000 }).toContain('3栋各单元加装折叠爱心椅');
		expect(await a.getByTestId('timeline-meeting').first().getAttribute('href')).toBe(`/meeting?doc=${encodeURIComponent(meetingDoc)}`);
		expect(topicDoc).toMatch(/^demo:topic:/);

		// The other facilitator's device shows the approval too.
		const b = lin.page;
		await b.goto(`${relay.url}/meeting?doc=${encodeURIComponent(meetingDoc)}`);
		await expect.poll(() => b.getByTestId('minutes-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('approved');
	});

	it('a resident reads the public minutes with counts by capacity, but no names, no notes and no working minutes', async () => {
		const resident = await joinDevice(browser, bootstrapLink(relay, 'resident'), '刘阿姨');
		const page = resident.page;
		await page.goto(`${relay.url}/meeting?doc=${encodeURIComponent(meetingDoc)}`);
		const published = page.getByTestId('published-minutes');
		await published.waitFor({ timeout: 20_000 });
		expect(await published.getByTestId('published-content').innerText()).toContain(words.zhouOnline);
		expect(await published.getByTestId('attendance-total').getAttribute('data-count')).toBe('4');
		expect(await published.locator('[data-testid=attendance-count][data-capacity=resident_rep]').getAttribute('data-count')).toBe('1');
		const text = await page.getByTestId('meeting-detail').innerText();
		expect(text).toContain('3栋各单元加装折叠爱心椅');
		expect(text).toContain('询价并采购折叠椅');
		expect(text).not.toContain('李建国');
		expect(text).not.toContain(`内部备注 ${stamp}`);
		expect(await page.getByTestId('attendance-panel').count()).toBe(0);
		expect(await page.getByTestId('open-minutes').count()).toBe(0);
		// Opening the working minutes directly is refused without asking the relay.
		await page.goto(`${relay.url}/meeting/minutes?doc=${encodeURIComponent(meetingDoc)}`);
		await page.getByTestId('doc-refusal').waitFor();
		// The print layout for the bulletin board shows the approved minutes.
		await page.goto(`${relay.url}/meeting/print?doc=${encodeURIComponent(meetingDoc)}`);
		const sheet = page.getByTestId('print-sheet');
		await expect.poll(() => sheet.getByTestId('print-content').innerText(), { timeout: 20_000 }).toContain(words.linOnline);
		expect(await sheet.innerText()).not.toContain(`内部备注 ${stamp}`);
		await resident.context.close();
	});
});
