/** The relay serves the built app with PWA-friendly caching, an SPA fallback, and /api/health. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, buildNeighbour } from '../../server/demo/seed';
import { removeDir, startTestRelay, tempDir } from './helpers';
import { demoFirstStart } from '../../server/demo/invitations';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let staticDir: string;

beforeAll(async () => {
	staticDir = tempDir('courtyard-static-');
	const write = (file: string, content: string | Buffer) => {
		fs.mkdirSync(path.dirname(path.join(staticDir, file)), { recursive: true });
		fs.writeFileSync(path.join(staticDir, file), content);
	};
	write('index.html', '<!doctype html><title>院落议事</title>');
	write('service-worker.js', 'self.addEventListener("install", () => {});');
	write('_app/immutable/entry/start.abc123.js', `export const x = "${'a'.repeat(5000)}";`);
	write('_app/version.json', '{"version":"1"}');
	write('manifest.webmanifest', '{"name":"院落议事"}');
	write('icon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
	write('icon-192.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
	write('about.html', '<!doctype html><title>about</title>');
	relay = await startTestRelay({ auth: 'open', staticDir, seed: demoFirstStart });
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
	removeDir(staticDir);
});

const get = (p: string, headers: Record<string, string> = {}) => fetch(`${relay.url}${p}`, { headers });

describe('static app', () => {
	it('serves index.html and the service worker with no-cache', async () => {
		for (const p of ['/', '/index.html', '/service-worker.js']) {
			const res = await get(p);
			expect(res.status, p).toBe(200);
			expect(res.headers.get('cache-control'), p).toBe('no-cache');
		}
		expect((await get('/service-worker.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
		expect(await (await get('/')).text()).toContain('院落议事');
	});

	it('caches immutable assets for a year and gzips them when asked', async () => {
		const res = await fetch(`${relay.url}/_app/immutable/entry/start.abc123.js`, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
		expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		expect(res.headers.get('content-encoding')).toBe('gzip');
		const body = Buffer.from(await res.arrayBuffer());
		// fetch may already have decoded it; either way the content is the file's.
		const text = body[0] === 0x1f ? zlib.gunzipSync(body).toString() : body.toString();
		expect(text).toContain('export const x');
	});

	it('sends the right content types', async () => {
		const types: Record<string, RegExp> = {
			'/manifest.webmanifest': /^application\/manifest\+json/,
			'/icon.svg': /^image\/svg\+xml/,
			'/icon-192.png': /^image\/png/,
			'/_app/version.json': /^application\/json/
		};
		for (const [p, type] of Object.entries(types)) expect((await get(p)).headers.get('content-type'), p).toMatch(type);
	});

	it('falls back to index.html for client-side routes, 404 for missing files, and blocks traversal', async () => {
		const route = await get('/proposals/demo:proposal:stair-seats');
		expect(route.status).toBe(200);
		expect(await route.text()).toContain('院落议事');
		expect((await get('/about')).status).toBe(200);
		expect(await (await get('/about')).text()).toContain('about');
		expect((await get('/missing.js')).status).toBe(404);
		expect((await get('/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(404);
		expect(await (await get('/%2e%2e/%2e%2e/etc/passwd')).text()).not.toContain('root:');
	});

	it('answers conditional requests with 304', async () => {
		const first = await get('/icon.svg');
		const etag = first.headers.get('etag') as string;
		expect((await get('/icon.svg', { 'if-none-match': etag })).status).toBe(304);
	});
});

describe('/api/health', () => {
	it('reports working storage, and the head sequence and document count to an admin (everyone, with open auth)', async () => {
		const res = await get('/api/health');
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		const seeded = buildDemo().docs.length + buildNeighbour().docs.length;
		const health = (await res.json()) as { docs: number; headSeq: number };
		expect(health).toEqual({
			ok: true,
			storage: { reads: 'ok', writes: 'ok' },
			headSeq: expect.any(Number),
			docs: expect.any(Number),
			rooms: expect.any(Number),
			lastFailure: null
		});
		// The seeded documents, and what the relay derives from them (the street's copies of referred matters).
		expect(health.docs).toBeGreaterThanOrEqual(seeded);
		expect(health.headSeq).toBeGreaterThanOrEqual(health.docs);
	});
});

describe('without a build', () => {
	it('answers 503 saying to run npm run build', async () => {
		const bare = await startTestRelay({ auth: 'open', staticDir: path.join(staticDir, 'nothing') });
		const res = await fetch(`${bare.url}/`);
		expect(res.status).toBe(503);
		expect(await res.text()).toContain('npm run build');
		expect((await fetch(`${bare.url}/api/health`)).status).toBe(200);
		await bare.close();
		removeDir(bare.dataDir);
	});
});
