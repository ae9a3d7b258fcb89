/**
 * The relay is the judge (product design §2), in a real browser against the real relay. A resident files a
 * proposal in the app. A neighbour's phone is tampered with: from the app's own origin and with its own
 * credential it sends a timeline event claiming a facilitator accepted the proposal. The relay refuses it with
 * its reason; the proposer's page, live on its own phone, still shows the proposal as submitted, and sees the
 * neighbour's honest comment sent right after.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { buildDemo } from '../../server/demo/seed';
import type { Actor } from '../../src/lib/domain/actor';
import type { TimelineEvent } from '../../src/lib/domain/proposal';
import type { DeviceInfo } from '../../src/lib/protocol/api';
import { decodeFrame, encodeFrame, type Frame, MuxMessage, SYNC_PATH, TOKEN_PARAM } from '../../src/lib/protocol/messages';
import { appendEvent } from '../../src/lib/schema/proposal-doc';
import { startApp, stopApp, type RelayHandle } from './harness';
import { bootstrapLink, DEMO, type Device, joinDevice } from './invite';

/** The credential and device a joined phone keeps in IndexedDB (the app's settings table). */
function stored(page: Page): Promise<{ token: string; device: DeviceInfo }> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((ok, fail) => {
			const req = indexedDB.open('courtyard');
			req.onsuccess = () => ok(req.result);
			req.onerror = () => fail(req.error);
		});
		const get = (key: string) =>
			new Promise<unknown>((ok, fail) => {
				const req = db.transaction('settings', 'readonly').objectStore('settings').get(key);
				req.onsuccess = () => ok((req.result as { value?: unknown } | undefined)?.value);
				req.onerror = () => fail(req.error);
			});
		const [token, device] = [await get('device.token'), await get('device.info')];
		db.close();
		return { token: token as string, device: device as DeviceInfo };
	});
}

/**
 * What a tampered app does: opens its own /sync socket from the page and sends `frames`, answering with every
 * frame the relay sent back until one answers the last request.
 */
async function sendFromPage(page: Page, token: string, frames: Frame[]): Promise<Frame[]> {
	const payloads = frames.map((f) => Array.from(encodeFrame(f)));
	const lastRequest = (frames.at(-1) as { requestId?: number }).requestId ?? 0;
	const received: number[][] = await page.evaluate(
		({ url, payloads }) =>
			new Promise<number[][]>((ok, fail) => {
				const ws = new WebSocket(url);
				ws.binaryType = 'arraybuffer';
				const got: number[][] = [];
				ws.onopen = () => payloads.forEach((p) => ws.send(new Uint8Array(p)));
				ws.onmessage = (ev) => got.push(Array.from(new Uint8Array(ev.data as ArrayBuffer)));
				ws.onerror = () => fail(new Error('socket error'));
				setTimeout(() => {
					ws.close();
					ok(got);
				}, 3_000);
			}),
		{ url: `${page.url().replace(/^http/, 'ws').replace(/\/[^/]*$/, '')}${SYNC_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`, payloads }
	);
	const decoded = received.map((bytes) => decodeFrame(new Uint8Array(bytes)));
	const answers = (f: Frame) => f.kind === MuxMessage.Ack || f.kind === MuxMessage.DocError || f.kind === MuxMessage.BatchSyncReply;
	expect(decoded.some((f) => answers(f) && (f as { requestId: number }).requestId === lastRequest)).toBe(true);
	return decoded;
}

describe('a tampered phone cannot forge a decision', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let proposer: Device;
	let neighbour: Device;

	beforeAll(async () => {
		({ relay, browser } = await startApp());
	});

	afterAll(() => stopApp(browser, relay));

	it('the relay refuses the forged acceptance and the proposer still sees the true status', async () => {
		proposer = await joinDevice(browser, bootstrapLink(relay, 'resident'), '刘阿姨');
		const page = proposer.page;
		await page.getByTestId('nav-new').click();
		await page.getByTestId('field-title').fill('3栋单元门禁维修');
		await page.getByTestId('field-description').fill('3栋1单元门禁坏了三个月，外人随便进出，老人晚上害怕。');
		await page.getByTestId('category-safety').check();
		await page.getByTestId('kind-individual').check();
		await page.getByTestId('submit').click();
		await page.getByTestId('proposal-detail').waitFor();
		const doc = new URL(page.url()).searchParams.get('doc') ?? '';
		expect(doc).toMatch(/^demo:proposal:/);
		await expect.poll(() => page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('submitted');

		// A neighbour of another household joins; its phone then misbehaves.
		const proposerHousehold = (await stored(page)).device.grant.household;
		const other = (buildDemo().households.get('g1') ?? []).find((h) => h.id !== proposerHousehold);
		expect(other).toBeDefined();
		neighbour = await joinDevice(browser, await relay.invite({ role: 'resident', community: DEMO, household: other!.id }), '张大爷');
		const { token, device } = await stored(neighbour.page);

		// The proposal as the relay holds it, fetched by the tampered phone itself, and the forged event on top.
		const [reply] = await sendFromPage(neighbour.page, token, [
			{ kind: MuxMessage.BatchSync, requestId: 1, entries: [{ doc, stateVector: Y.encodeStateVector(new Y.Doc()) }] }
		]).then((frames) => frames.filter((f): f is Extract<Frame, { kind: MuxMessage.BatchSyncReply }> => f.kind === MuxMessage.BatchSyncReply));
		const copy = new Y.Doc();
		Y.applyUpdate(copy, reply!.entries[0]!.diff);
		const sv = Y.encodeStateVector(copy);
		const claimed: Actor = { id: device.id, name: '周敏', role: 'facilitator' };
		appendEvent(copy, { id: 'forged', type: 'transition', at: Date.now(), by: claimed, channel: 'app', from: 'submitted', to: 'accepted' } as TimelineEvent);
		const forged = Y.encodeStateAsUpdate(copy, sv);
		// The honest comment does not build on the refused event: it is made from the relay's state.
		const base = new Y.Doc();
		Y.applyUpdate(base, reply!.entries[0]!.diff);
		const baseSv = Y.encodeStateVector(base);
		appendEvent(base, { id: 'honest', type: 'comment', at: Date.now(), by: { id: device.id, name: '张大爷', role: 'resident' }, channel: 'app', text: '我家也遇到过' } as TimelineEvent);
		const comment = Y.encodeStateAsUpdate(base, baseSv);

		const answers = await sendFromPage(neighbour.page, token, [
			{ kind: MuxMessage.Update, requestId: 2, doc, update: forged },
			{ kind: MuxMessage.Update, requestId: 3, doc, update: comment }
		]);
		const refusal = answers.find((f) => f.kind === MuxMessage.DocError && f.requestId === 2);
		expect(refusal).toMatchObject({ reason: expect.stringMatching(/^refused: .*author/) });
		expect(answers.some((f) => f.kind === MuxMessage.Ack && f.requestId === 3)).toBe(true);

		// The proposer's page is live: the honest comment arrives, the forged acceptance never does.
		await expect.poll(() => page.locator('[data-testid=timeline-event][data-type=comment]').count(), { timeout: 15_000 }).toBe(1);
		expect(await page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('submitted');
		await page.reload();
		await page.getByTestId('proposal-detail').waitFor();
		await expect.poll(() => page.locator('[data-testid=timeline-event][data-type=comment]').count(), { timeout: 15_000 }).toBe(1);
		expect(await page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('submitted');
		expect(await page.locator('[data-testid=timeline-event][data-type=transition]').count()).toBe(0);
	});
});
