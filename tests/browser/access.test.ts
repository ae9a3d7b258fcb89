/**
 * Who sees the household register (product design §2, story 6), in a real browser against the real relay.
 *
 * A grid worker of the first grid joins by invitation and sees its households. A resident joins too: the
 * register page says "no permission" and why, the navigation does not offer it, and nothing of the register
 * ever reaches the resident's phone: no frame from the relay names a register or carries what only registers
 * hold, and neither IndexedDB nor the list index has a household document.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppPage, startApp, stopApp, type RelayHandle } from './harness';
import { storedRows } from './idb';
import { DEMO, joinWith } from './invite';

const GRID = 'g1';

/** Every WebSocket frame the page receives from now on. */
function receivedFrames(page: Page): Buffer[] {
	const frames: Buffer[] = [];
	page.on('websocket', (ws) => {
		ws.on('framereceived', ({ payload }) => frames.push(typeof payload === 'string' ? Buffer.from(payload) : payload));
	});
	return frames;
}

/** What this phone stores about household registers: y-indexeddb databases and index entries. */
async function householdTraces(page: Page) {
	type Tables = { index: { doc: string; kind: string }; syncState: { doc: string; stateVector: Uint8Array } };
	const { databases, rows } = await storedRows<Tables>(page, ['index', 'syncState']);
	return {
		databases: databases.filter((n) => n.includes(':households:')),
		index: rows.index.filter((e) => e.kind === 'households').map((e) => e.doc),
		states: rows.syncState.filter((s) => s.doc.includes(':households:') && s.stateVector.length > 1).map((s) => s.doc),
		proposals: rows.index.filter((e) => e.kind === 'proposal').length
	};
}

describe('household register access', () => {
	let relay: RelayHandle;
	let browser: Browser;
	/** Register-only strings seen in the frames the grid worker received (the control for the resident). */
	let workerSaw: string[] = [];

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('a grid worker of the grid sees its households', async () => {
		const { context, page } = await openAppPage(browser);
		const frames = receivedFrames(page);
		await joinWith(page, await relay.invite({ role: 'grid_worker', community: DEMO, grids: [GRID] }), '张网格');
		await page.getByTestId('nav-households').click();
		await expect.poll(() => new URL(page.url()).searchParams.get('grid')).toBe(GRID);
		await expect.poll(() => page.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(10);
		expect(await page.getByTestId('doc-refusal').count()).toBe(0);
		const received = Buffer.concat(frames);
		workerSaw = [':households:', ':visits:', 'elderly_alone'].filter((n) => received.includes(Buffer.from(n, 'utf8')));
		// Another grid's register is refused, with the reason.
		await page.goto(`${relay.url}/households?grid=g2`);
		await expect.poll(() => page.getByTestId('doc-refusal-why').innerText()).toContain('只能查看自己网格');
		await context.close();
	});

	it('a resident cannot open it, sees why, and never receives a byte of it', async () => {
		const { context, page } = await openAppPage(browser);
		const frames = receivedFrames(page);
		await joinWith(page, await relay.invite({ role: 'resident', community: DEMO, household: 'b01-1-101' }), '李奶奶');
		// The resident's phone syncs the public matters …
		await expect.poll(() => page.getByTestId('proposal-row').count()).toBeGreaterThanOrEqual(5);
		// … and is not offered the register at all.
		expect(await page.getByTestId('nav-households').count()).toBe(0);

		await page.goto(`${relay.url}/households?grid=${GRID}`);
		const refusal = page.getByTestId('doc-refusal');
		await refusal.waitFor();
		await expect.poll(() => refusal.innerText()).toContain('您没有查看此内容的权限');
		await expect.poll(() => page.getByTestId('doc-refusal-why').innerText()).toContain('居民不能查看');
		expect(await page.getByTestId('household-row').count()).toBe(0);
		// Let any late sync arrive before looking for traces.
		await page.waitForTimeout(1_500);

		const traces = await householdTraces(page);
		expect(traces.proposals).toBeGreaterThanOrEqual(5);
		expect(traces.databases).toEqual([]);
		expect(traces.index).toEqual([]);
		expect(traces.states).toEqual([]);
		const received = Buffer.concat(frames);
		expect(received.length).toBeGreaterThan(0);
		// Nothing names a register (no listing, no refusal, no data), and nothing only registers hold arrived:
		// the names of personal documents and a tag id only registers use. (Members' names are no proof: a
		// namesake may co-sign a public proposal; 'party_member' is also a meeting capacity in public minutes.)
		const leaked = [':households:', ':visits:', 'elderly_alone'].filter((n) => received.includes(Buffer.from(n, 'utf8')));
		expect(leaked).toEqual([]);
		// The grid worker's frames did carry them, so the check can see a leak.
		expect(workerSaw).toEqual([':households:', ':visits:', 'elderly_alone']);

		// In English too.
		await page.evaluate(() => localStorage.setItem('courtyard.locale', 'en'));
		await page.reload();
		await expect.poll(() => page.getByTestId('doc-refusal').innerText()).toContain('You do not have permission to see this');
		await expect.poll(() => page.getByTestId('doc-refusal-why').innerText()).toContain('residents cannot see it');
		await context.close();
	});

	it('a facilitator reads it without edit controls', async () => {
		const { context, page } = await openAppPage(browser);
		await joinWith(page, await relay.invite({ role: 'facilitator', community: DEMO }), '周主持');
		await page.goto(`${relay.url}/households?grid=${GRID}`);
		await expect.poll(() => page.getByTestId('household-row').count(), { timeout: 15_000 }).toBeGreaterThan(10);
		await expect.poll(() => page.getByTestId('read-only').innerText()).toContain('只读');
		await context.close();
	});
});
