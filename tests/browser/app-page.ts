/**
 * What the browser tests read off the app's pages: the status bar's sync state and pending count, the
 * proposal list's rows, and what the service worker has cached; and steps several stories take on the same form:
 * the last step of the new-meeting form, a new poll, a household picked and a ballot recorded at the door.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Online, a full catch-up finished, and none running now. */
export const caughtUp = async (page: Page) => {
	const bar = page.getByTestId('status-bar');
	return (
		(await bar.getAttribute('data-connection')) === 'online' &&
		Boolean(await bar.getAttribute('data-last-synced')) &&
		(await bar.getAttribute('data-syncing')) === 'false'
	);
};

/** The connection state the status bar shows. */
export const connection = (page: Page) => page.getAttribute('[data-testid=status-bar]', 'data-connection');

/** The status bar's count of changes waiting to be sent. */
export const pending = async (page: Page) => Number(await page.getAttribute('[data-testid=pending]', 'data-count'));

/** The rows of the proposal list. */
export const rows = (page: Page) => page.locator('[data-testid=proposal-row]');

/** Paths of everything in Cache Storage (workbox's revision parameter stripped). */
export function cachedPaths(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const paths = new Set<string>();
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			for (const req of await cache.keys()) paths.add(new URL(req.url).pathname);
		}
		return [...paths].sort();
	});
}

/**
 * On the new-meeting form, filled in but for its invitees: invites 张桂英 as a building head, submits, and returns
 * the new meeting's document once its page shows.
 */
export async function submitMeeting(page: Page): Promise<string> {
	await page.getByTestId('invitee-capacity').selectOption('building_head');
	await page.getByTestId('invitee-name').fill('张桂英');
	await page.getByTestId('invitee-add').click();
	await page.getByTestId('meeting-submit').click();
	await page.getByTestId('meeting-detail').waitFor();
	const doc = new URL(page.url()).searchParams.get('doc') ?? '';
	expect(doc).toMatch(/^demo:meeting:/);
	return doc;
}

/** Creates a poll titled `title` from the new-poll form; returns the poll's page address. */
export async function createPoll(page: Page, relayUrl: string, title: string): Promise<string> {
	await page.goto(`${relayUrl}/polls/new`);
	await page.getByTestId('poll-title-input').fill(title);
	await page.getByTestId('poll-create').click();
	await page.getByTestId('poll-detail').waitFor();
	return page.url();
}

/** A household as the pickers need it (the schema's Household has it). */
export interface PickedHousehold {
	id: string;
	building: string;
	unit: number;
}

/** Picks a household in a building, unit and room picker (`scope`, a page or the part holding the picker). */
export async function pickHousehold(scope: Page | Locator, h: PickedHousehold): Promise<void> {
	await scope.getByTestId('pick-building').selectOption(h.building);
	const units = scope.getByTestId('pick-unit');
	// Unit chips are in unit order; a single-unit building shows none.
	if ((await units.count()) > 0) await units.nth(h.unit - 1).click();
	await scope.locator(`[data-testid=pick-room][data-household="${h.id}"]`).click();
}

/** On the door ballot recorder: picks the household, checks its choice (the option's position) and saves. */
export async function recordBallot(recorder: Locator, h: PickedHousehold, option: number): Promise<void> {
	await pickHousehold(recorder, h);
	await recorder.getByTestId('ballot-option').nth(option).check();
	await recorder.getByTestId('ballot-submit').click();
	await recorder.getByTestId('ballot-saved').waitFor();
}
