/**
 * A photo taken offline reaches the relay and another device without a tap.
 *
 * Device A (a grid worker) joins the seeded demo community, goes fully offline (browser offline AND relay
 * sockets refused), files a proposal for a resident with a 2000×1500 photo (compressed in the browser to a JPEG
 * of at most 1600 px), closes the page and opens the app again, still offline: the proposal and its photo are
 * there. The network returns: the photo is uploaded by itself (the relay serves it to a credential) and device B
 * (a facilitator) sees it on the proposal. Then A transcribes a paper note with a photo of it taken sideways
 * (EXIF orientation): the photo is kept upright and uploaded for the new proposal.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoPath } from '../../src/lib/protocol/photos';
import { pngImage } from '../factories/images';
import { caughtUp, connection, rows } from './app-page';
import { newAppContext, relayLink, startApp, stopApp, waitForServiceWorker, waitUntil, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinInBrowser, joinWith } from './invite';

const thumb = (page: Page) => page.locator('[data-testid=proposal-photos] [data-testid=photo-thumb]');

/** What the device keeps of a photo, read from its IndexedDB (the app's Dexie database). */
function storedPhoto(page: Page, sha: string) {
	return page.evaluate(async (sha) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = indexedDB.open('courtyard');
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		const get = (store: string) =>
			new Promise<unknown>((resolve, reject) => {
				const req = db.transaction(store).objectStore(store).get(sha);
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
		const meta = (await get('photos')) as { state: string; type: string; docs: string[] } | undefined;
		const data = (await get('photoData')) as { blob: Blob } | undefined;
		db.close();
		if (!meta || !data) return null;
		const bitmap = await createImageBitmap(data.blob);
		const size = { width: bitmap.width, height: bitmap.height };
		bitmap.close();
		return { state: meta.state, type: meta.type, docs: meta.docs, bytes: data.blob.size, ...size };
	}, sha);
}

describe('a photo taken offline', () => {
	let relay: RelayHandle;
	let browser: Browser;
	let contextA: BrowserContext;
	let contextB: BrowserContext;
	let pageA: Page;
	let linkA: RelayLink;
	const title = `单元门坏了 ${Date.now().toString(36)}`;
	const photo = pngImage(2000, 1500, 7);
	let sha = '';
	let detailUrl = '';
	let facilitatorToken = '';

	beforeAll(async () => {
		({ relay, browser } = await startApp());
		facilitatorToken = await relay.token({ role: 'facilitator', community: DEMO, name: 'photo check' });
		contextA = await newAppContext(browser);
		contextB = await newAppContext(browser);
		linkA = await relayLink(contextA);
		pageA = await contextA.newPage();
	});

	afterAll(() => stopApp(browser, relay));

	const relayHas = async (id: string) =>
		(await fetch(`${relay.url}${photoPath(id)}`, { headers: { authorization: `Bearer ${facilitatorToken}` } })).status;

	it('A joins as a grid worker and goes offline', async () => {
		await joinInBrowser(pageA, await relay.invite({ role: 'grid_worker', community: DEMO, grids: ['g1'] }), '网格员甲');
		await pageA.getByTestId('join-start').click();
		await waitForServiceWorker(pageA);
		await expect.poll(() => caughtUp(pageA), { timeout: 20_000 }).toBe(true);
		await contextA.setOffline(true);
		await linkA.cut();
		await expect.poll(() => connection(pageA), { timeout: 10_000 }).toBe('offline');
	});

	it('offline, A files a proposal with a photo, compressed on the device', async () => {
		const res = await pageA.reload();
		expect(res?.fromServiceWorker()).toBe(true);
		await pageA.getByTestId('nav-new').click();
		await pageA.getByTestId('field-title').fill(title);
		await pageA.getByTestId('field-description').fill('2 号楼 1 单元的单元门锁坏了，关不上，居民担心安全。');
		await pageA.getByTestId('category-safety').check();
		await pageA.getByTestId('photo-input').setInputFiles({ name: 'door.png', mimeType: 'image/png', buffer: photo });
		const picked = pageA.locator('[data-testid=photo-picker] [data-testid=photo-thumb]');
		await expect.poll(() => picked.count(), { timeout: 15_000 }).toBe(1);
		// Not uploaded before the proposal exists.
		await expect.poll(() => picked.getAttribute('data-state')).toBe('unattached');
		sha = (await picked.getAttribute('data-sha')) ?? '';
		expect(sha).toMatch(/^[0-9a-f]{64}$/);

		await pageA.getByTestId('submit').click();
		await expect.poll(() => pageA.getByTestId('proposal-title').innerText(), { timeout: 10_000 }).toBe(title);
		detailUrl = pageA.url();
		await expect.poll(() => thumb(pageA).count()).toBe(1);
		expect(await thumb(pageA).getAttribute('data-sha')).toBe(sha);
		await expect.poll(() => thumb(pageA).getAttribute('data-state')).toBe('pending');
		await expect.poll(() => thumb(pageA).locator('[data-testid=photo-image]').getAttribute('data-loaded')).toBe('true');

		// Compressed in the browser: JPEG, long side 1600 px, orientation kept, far smaller than the original.
		const kept = await storedPhoto(pageA, sha);
		const doc = new URL(detailUrl).searchParams.get('doc');
		expect(kept).toMatchObject({ type: 'image/jpeg', width: 1600, height: 1200, docs: [doc] });
		expect(kept!.bytes).toBeLessThan(photo.length);
		expect(await relayHas(sha)).toBe(404);
	});

	it('A closes the app and opens it again, still offline: the photo is still there', async () => {
		await pageA.close();
		pageA = await contextA.newPage();
		const res = await pageA.goto(detailUrl);
		expect(res?.fromServiceWorker()).toBe(true);
		await expect.poll(() => pageA.getByTestId('proposal-title').innerText(), { timeout: 15_000 }).toBe(title);
		await expect.poll(() => thumb(pageA).locator('[data-testid=photo-image]').getAttribute('data-loaded')).toBe('true');
		await expect.poll(() => thumb(pageA).getAttribute('data-state')).toBe('pending');
		await expect.poll(() => pageA.getByTestId('status-bar').getByTestId('photo-uploads').getAttribute('data-pending')).toBe('1');
		expect(await relayHas(sha)).toBe(404);
	});

	it('the network returns: the photo is uploaded without a tap', async () => {
		linkA.restore();
		await contextA.setOffline(false);
		await waitUntil(async () => (await relayHas(sha)) === 200, 20_000, 'the photo on the relay');
		const res = await fetch(`${relay.url}${photoPath(sha)}`, { headers: { authorization: `Bearer ${facilitatorToken}` } });
		expect(res.headers.get('content-type')).toBe('image/jpeg');
		await expect.poll(() => thumb(pageA).getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
		await expect.poll(() => pageA.getByTestId('status-bar').getByTestId('photo-uploads').count()).toBe(0);
	});

	it('device B sees the photo on the proposal', async () => {
		const pageB = await contextB.newPage();
		await joinWith(pageB, await relay.invite({ role: 'facilitator', community: DEMO }), '主持人乙');
		await expect.poll(() => rows(pageB).filter({ hasText: title }).count(), { timeout: 15_000 }).toBe(1);
		await rows(pageB).filter({ hasText: title }).click();
		await expect.poll(() => pageB.getByTestId('proposal-title').innerText()).toBe(title);
		await expect.poll(() => thumb(pageB).count()).toBe(1);
		const image = thumb(pageB).locator('[data-testid=photo-image]');
		await expect.poll(() => image.getAttribute('data-loaded'), { timeout: 10_000 }).toBe('true');
		const natural = await image.locator('img').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
		expect(natural).toEqual([1600, 1200]);
		// Tap to enlarge.
		await thumb(pageB).locator('button.open').click();
		await expect.poll(() => pageB.getByTestId('photo-viewer').locator('img').count()).toBe(1);
		await pageB.getByTestId('photo-viewer-close').click();
	});

	it('A transcribes a paper note with a photo taken sideways: kept upright and uploaded for its proposal', async () => {
		// A real camera JPEG, 2000×1000 as stored, with EXIF orientation 6 (rotate 90° to view).
		const sideways = Buffer.from(
			await pageA.evaluate(async () => {
				const canvas = new OffscreenCanvas(2000, 1000);
				const ctx = canvas.getContext('2d')!;
				const gradient = ctx.createLinearGradient(0, 0, 2000, 1000);
				gradient.addColorStop(0, '#f4e8d0');
				gradient.addColorStop(1, '#6b5a50');
				ctx.fillStyle = gradient;
				ctx.fillRect(0, 0, 2000, 1000);
				const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
				// Big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, 1 value: 6.
				const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
				const exif = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
				const app1 = [0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 0xff, ...exif];
				// After the JFIF segment the encoder writes first.
				const cut = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
				return [...jpeg.slice(0, cut), ...app1, ...jpeg.slice(cut)];
			})
		);
		await pageA.goto(`${relay.url}/proposals/box`);
		await pageA.getByTestId('box-text').fill('希望在 5 号楼门口装一个快递架，老人取件方便。');
		await pageA.getByTestId('box-category-services').check();
		await pageA.locator('[data-testid=box-photos] [data-testid=photo-input]').setInputFiles({ name: 'note.jpg', mimeType: 'image/jpeg', buffer: sideways });
		const picked = pageA.locator('[data-testid=box-photos] [data-testid=photo-thumb]');
		await expect.poll(() => picked.count(), { timeout: 15_000 }).toBe(1);
		const note = (await picked.getAttribute('data-sha')) ?? '';
		expect(await storedPhoto(pageA, note)).toMatchObject({ type: 'image/jpeg', width: 800, height: 1600, state: 'unattached' });

		await pageA.getByTestId('box-save').click();
		await expect.poll(() => pageA.getByTestId('box-count').getAttribute('data-count')).toBe('1');
		// The form is ready for the next note, without the last photo.
		expect(await picked.count()).toBe(0);
		await waitUntil(async () => (await relayHas(note)) === 200, 20_000, 'the note photo on the relay');
		await pageA.locator('[data-testid=box-saved] a').first().click();
		await expect.poll(() => thumb(pageA).getAttribute('data-sha')).toBe(note);
		await expect.poll(() => thumb(pageA).getAttribute('data-state')).toBe('done');
		const saved = await storedPhoto(pageA, note);
		expect(saved?.docs).toEqual([new URL(pageA.url()).searchParams.get('doc')]);
	});
});
