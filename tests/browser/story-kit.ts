/**
 * Steps the browser stories share: a device losing the network for real and getting it back (both asserted),
 * the screen fitting the phone's width, and waiting until a device has sent everything and caught up.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { caughtUp, connection, pending } from './app-page';
import type { Device } from './invite';

/** Relay sockets let through when each device was cut off. */
const atCut = new Map<Device, number>();

/** The device loses the network for real: the browser is offline and every relay socket is refused. */
export async function goOffline(d: Device): Promise<void> {
	atCut.set(d, d.link.connected);
	await d.context.setOffline(true);
	await d.link.cut();
	await expect.poll(() => connection(d.page), { timeout: 15_000 }).toBe('offline');
	// The app keeps trying; every attempt is refused.
	await expect.poll(() => d.link.blocked, { timeout: 20_000 }).toBeGreaterThan(0);
	expect(d.link.isCut).toBe(true);
}

/** The network returns (none of the device's sockets got through meanwhile); the app reconnects by itself. */
export async function goOnline(d: Device): Promise<void> {
	expect(d.link.isCut).toBe(true);
	expect(d.link.connected, 'relay sockets let through while cut').toBe(atCut.get(d));
	d.link.restore();
	await d.context.setOffline(false);
}

/** The screen fits the phone's width: nothing to scroll sideways. */
export async function fits(page: Page, what: string): Promise<void> {
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	expect(overflow, `${what}: horizontal overflow at ${page.viewportSize()?.width} px`).toBeLessThanOrEqual(0);
}

/** Everything the device holds has reached the relay and it has caught up with the relay's changes. */
export async function synced(page: Page, what: string): Promise<void> {
	await expect.poll(async () => (await caughtUp(page)) && (await pending(page)) === 0, { timeout: 60_000, message: what }).toBe(true);
}
