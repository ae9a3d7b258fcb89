/**
 * What the browser tests read off the app's pages: the status bar's sync state and pending count, the
 * proposal list's rows, and what the service worker has cached; and the last step of the new-meeting form.
 */
import type { Page } from 'playwright-core';
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
