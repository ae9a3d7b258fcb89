/**
 * What the browser tests read off the app's pages: the status bar's sync state and pending count, and the
 * proposal list's rows.
 */
import type { Page } from 'playwright-core';

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
