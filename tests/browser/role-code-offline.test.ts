/**
 * Issue #16, item 7: role-specific code (the minutes editor, spreadsheet code, staff pages) is not precached for
 * roles that cannot use it; it is cached when first used and opens offline afterwards; a facilitator's device holds
 * its role's code as soon as it has joined; and an app update — here one whose editor file changed — keeps all
 * of it offline. Which files are role-specific comes from the build's plan (`_app/precache-plan.json`). Offline
 * means the browser context is offline and the relay's sockets are cut, checked by a failing API call.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFiles, type PrecachePlan, roleSpecificFiles } from '../../src/lib/pwa/precache-plan';
import { cachedPaths } from './app-page';
import { newAppContext, pollPage, relayLink, ROOT, STATIC_DIR, startApp, startRelay, stopApp, waitForServiceWorker, type RelayHandle, type RelayLink } from './harness';
import { DEMO, joinWith } from './invite';

const BUILD = join(ROOT, STATIC_DIR);
const PLAN_FILE = join(BUILD, '_app', 'precache-plan.json');
const HOUSEHOLD = 'b01-1-101';

/** What the device's worker remembers about it (see src/service-worker.ts). */
function deviceCode(page: Page): Promise<{ role: string | null; used: string[] } | null> {
	return page.evaluate(async () => {
		const res = await (await caches.open('courtyard-device')).match('/__courtyard/device.json');
		return res ? ((await res.json()) as { role: string | null; used: string[] }) : null;
	});
}

/** Whether the page can load a module of the build (the app's own dynamic imports take the same path). */
function loads(page: Page, path: string): Promise<boolean> {
	// A string, so that the test runner leaves the browser's import() alone.
	return page.evaluate(`import(${JSON.stringify(path)}).then(() => true, () => false)`);
}

const reachesRelay = (page: Page) =>
	page.evaluate(() =>
		fetch('/api/health', { cache: 'no-store' }).then(
			() => true,
			() => false
		)
	);

/** Takes the device fully offline (browser network and relay sockets) for `run`, and checks it really is. */
async function offline(context: BrowserContext, link: RelayLink, page: Page, run: () => Promise<void>): Promise<void> {
	await context.setOffline(true);
	await link.cut();
	try {
		expect(await reachesRelay(page)).toBe(false);
		await run();
	} finally {
		await context.setOffline(false);
		link.restore();
	}
}

const js = (files: string[]) => files.filter((file) => file.endsWith('.js')).map((file) => `/${file}`);

describe('role-specific code and the service worker', () => {
	let plan: PrecachePlan;
	let relay: RelayHandle;
	let browser: Browser;
	const dirs: string[] = [];

	beforeAll(async () => {
		if (!existsSync(PLAN_FILE)) throw new Error(`${PLAN_FILE} is missing: run \`npx vite build\``);
		plan = JSON.parse(readFileSync(PLAN_FILE, 'utf8')) as PrecachePlan;
		expect(plan.groups.editor?.length).toBeGreaterThan(0);
		expect(plan.groups['register-files']?.length).toBeGreaterThan(0);
		({ relay, browser } = await startApp());
	});

	afterAll(async () => {
		await stopApp(browser, relay);
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	async function device(on: RelayHandle, invite: Parameters<RelayHandle['invite']>[0], name: string) {
		const context = await newAppContext(browser);
		const link = await relayLink(context);
		const page = await context.newPage();
		await joinWith(page, await on.invite(invite), name);
		await waitForServiceWorker(page);
		// The app has told the worker the device's role, and the worker has fetched that role's code.
		await expect.poll(() => deviceCode(page).then((d) => d?.role), { timeout: 20_000 }).toBe(invite.role);
		const role = deviceFiles(plan, { role: invite.role, used: [] }).map((file) => `/${file}`);
		await expect.poll(() => cachedPaths(page), { timeout: 20_000 }).toEqual(expect.arrayContaining(role));
		return { context, link, page };
	}

	it('a resident device holds no staff code; code it first uses online opens offline afterwards', async () => {
		const { context, link, page } = await device(relay, { role: 'resident', community: DEMO, household: HOUSEHOLD }, '刘阿姨');
		const cached = await cachedPaths(page);
		// The common code is precached, the editor, spreadsheet code and staff pages are not.
		expect(cached.some((path) => path.startsWith('/_app/immutable/entry/'))).toBe(true);
		expect(cached.filter((path) => roleSpecificFiles(plan).has(path.slice(1)))).toEqual([]);

		// First use, online (as when a resident opens a convention's draft): the editor's code is cached then.
		const [editor] = js(plan.groups.editor!);
		expect(await loads(page, editor!)).toBe(true);
		await expect.poll(() => cachedPaths(page)).toContain(editor);
		await expect.poll(() => deviceCode(page).then((d) => d?.used)).toContain('editor');

		await offline(context, link, page, async () => {
			const res = await page.reload();
			expect(res?.fromServiceWorker()).toBe(true);
			await page.getByTestId('status-bar').waitFor();
			expect(await loads(page, editor!)).toBe(true);
			// Code it never used is not on the device: offline, it cannot load.
			for (const file of js(plan.groups['admin-pages']!).slice(0, 1)) expect(await loads(page, file)).toBe(false);
		});
		await context.close();
	});

	it("a facilitator's device holds the editor and the staff pages once it has joined, and opens them offline", async () => {
		const { context, link, page } = await device(relay, { role: 'facilitator', community: DEMO }, '周主持');
		await offline(context, link, page, async () => {
			const reloaded = await page.reload();
			expect(reloaded?.fromServiceWorker()).toBe(true);
			await page.getByTestId('status-bar').waitFor();
			for (const group of plan.roles.facilitator!) {
				for (const file of js(plan.groups[group]!)) expect(await loads(page, file), `${group}: ${file}`).toBe(true);
			}
			// A staff page never opened on this device opens offline.
			const res = await page.goto(`${relay.url}/meetings/new`);
			expect(res?.fromServiceWorker()).toBe(true);
			await page.getByTestId('meeting-title-input').waitFor({ timeout: 15_000 });
			expect(await page.getByTestId('page-error').count()).toBe(0);
		});
		await context.close();
	});

	it('code a page loaded before the worker took over (the first visit) is kept, and opens offline', async () => {
		const context = await newAppContext(browser);
		const link = await relayLink(context);
		// The worker cannot be fetched for now, as when the network drops in the first seconds on a slow phone.
		const WORKER = '**/service-worker.js';
		await context.route(WORKER, (route) => route.abort('internetdisconnected'));
		const page = await context.newPage();
		await joinWith(page, await relay.invite({ role: 'resident', community: DEMO, household: HOUSEHOLD }), '赵阿姨');
		expect(await page.evaluate(() => navigator.serviceWorker.controller === null)).toBe(true);
		// The editor's code is used while no worker sees the request.
		const [editor] = js(plan.groups.editor!);
		expect(await loads(page, editor!)).toBe(true);

		// The network returns, the app registers its worker, and tells it the role and what it has loaded.
		await context.unroute(WORKER);
		await context.setOffline(true);
		await context.setOffline(false);
		await expect.poll(() => deviceCode(page).then((d) => d?.used), { timeout: 30_000 }).toContain('editor');
		await expect.poll(() => cachedPaths(page)).toContain(editor);

		await offline(context, link, page, async () => {
			const res = await page.reload();
			expect(res?.fromServiceWorker()).toBe(true);
			await page.getByTestId('status-bar').waitFor();
			expect(await loads(page, editor!)).toBe(true);
		});
		await context.close();
	});

	it("role code that failed to download while online is fetched again without waiting for the network to return", async () => {
		const context = await newAppContext(browser);
		const [editor] = js(plan.groups.editor!);
		// The relay fails the editor's file twice (a hiccup while online); the worker's fetches go through here.
		let refused = 0;
		await context.route(`**${editor}`, (route) => {
			if (refused >= 2) return route.fallback();
			refused++;
			return route.fulfill({ status: 503, body: 'busy' });
		});
		const page = await context.newPage();
		await joinWith(page, await relay.invite({ role: 'facilitator', community: DEMO }), '吴主持');
		await waitForServiceWorker(page);
		await expect.poll(() => cachedPaths(page), { timeout: 40_000 }).toContain(editor);
		expect(refused).toBe(2);
		await context.close();
	});

	it("an update whose editor changed fetches it for the role and for a device that used it, and it opens offline", async () => {
		// Version 1 is a copy of the build; version 2 has a new build version and the editor under a new name, as
		// when its code changes.
		const temp = (name: string) => {
			const dir = mkdtempSync(join(tmpdir(), `courtyard-${name}-`));
			dirs.push(dir);
			return dir;
		};
		const v1 = temp('v1');
		cpSync(BUILD, v1, { recursive: true });
		const dataDir = temp('data');
		let server = await startRelay({ dataDir, env: { STATIC_DIR: v1 } });
		try {
			const staff = await device(server, { role: 'facilitator', community: DEMO }, '林主持');
			const resident = await device(server, { role: 'resident', community: DEMO, household: HOUSEHOLD }, '王阿姨');
			const [oldEditor] = js(plan.groups.editor!);
			expect(await loads(resident.page, oldEditor!)).toBe(true);
			await expect.poll(() => deviceCode(resident.page).then((d) => d?.used)).toContain('editor');

			const v2 = temp('v2');
			cpSync(v1, v2, { recursive: true });
			const { version } = JSON.parse(readFileSync(join(v2, '_app', 'version.json'), 'utf8')) as { version: string };
			const oldName = basename(oldEditor!);
			const newName = oldName.replace(/\.js$/, 'v2.js');
			const newEditor = `${dirname(oldEditor!)}/${newName}`;
			renameSync(join(v2, oldEditor!), join(v2, newEditor));
			for (const file of readdirSync(v2, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(js|html|json)$/.test(f))) {
				const text = readFileSync(join(v2, file), 'utf8');
				let next = text.replaceAll(oldName, newName);
				if (file === 'service-worker.js') next = next.replaceAll(version, `${version}2`);
				if (next !== text) writeFileSync(join(v2, file), next);
			}
			expect(readFileSync(join(v2, 'service-worker.js'), 'utf8')).toContain(newName);

			// Deploy version 2 on the same origin; both devices look for the update as the app does.
			const port = server.port;
			await server.stop();
			server = await startRelay({ dataDir, port, env: { STATIC_DIR: v2 } });
			for (const { page } of [staff, resident]) {
				await page.evaluate(async () => {
					await (await navigator.serviceWorker.getRegistration())?.update();
				});
				await pollPage(page, async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting), {
					what: 'the new version to finish installing'
				});
				// Installed, not yet active: the new editor is here, and the old one too until the switch.
				expect(await cachedPaths(page)).toEqual(expect.arrayContaining([oldEditor, newEditor]));
			}

			// Offline, the facilitator accepts the update; the new version serves its editor from the cache.
			const { context, link, page } = staff;
			await offline(context, link, page, async () => {
				const prompt = page.getByTestId('update-prompt');
				await prompt.waitFor({ state: 'visible', timeout: 15_000 });
				await prompt.getByRole('button').first().click();
				// The switch is done when the new worker's activate has dropped the old editor.
				await expect.poll(() => cachedPaths(page), { timeout: 15_000 }).not.toContain(oldEditor);
				await page.reload();
				await page.getByTestId('status-bar').waitFor();
				expect(await loads(page, newEditor)).toBe(true);
				for (const file of js(plan.roles.facilitator!.flatMap((group) => plan.groups[group]!)).filter((f) => f !== oldEditor)) {
					expect(await loads(page, file), file).toBe(true);
				}
			});
			await staff.context.close();
			await resident.context.close();
		} finally {
			await server.dispose();
		}
	});
});
