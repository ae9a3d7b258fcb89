/**
 * Photos over HTTP against the real relay: content-addressed upload and download, who may read a photo (those
 * who may read a document it was uploaded for), limits, and durability across a restart.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant } from '../../src/lib/domain/access';
import { PHOTO_MAX_BYTES, photoPath } from '../../src/lib/protocol/photos';
import { pngImage, sha256Hex } from '../factories/images';
import { Credentials } from '../../server/auth/credentials';
import { silentLogger } from '../../server/core/log';
import { mintToken, removeDir, spawnRelay, startTestRelay, tempDir } from './helpers';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
const tokens: Record<string, string> = {};

const GRANTS: Record<string, Grant> = {
	workerG1: { role: 'grid_worker', community: 'demo', grids: ['g1'] },
	workerG2: { role: 'grid_worker', community: 'demo', grids: ['g2'] },
	resident: { role: 'resident', community: 'demo', household: 'h1' },
	facilitator: { role: 'facilitator', community: 'demo' },
	admin: { role: 'community_admin', community: 'demo' },
	otherAdmin: { role: 'community_admin', community: 'other' },
	street: { role: 'street_admin', community: 'street1', communities: ['demo'] }
};

const VISITS = 'demo:visits:g1';
const HOUSEHOLDS = 'demo:households:g1';
const PROPOSAL = 'demo:proposal:p1';
let seed = 1;
const newPhoto = () => pngImage(64, 48, seed++);

async function put(bytes: Uint8Array, doc: string, token: string | null, sha = sha256Hex(bytes)) {
	return fetch(`${relay.url}${photoPath(sha, doc)}`, {
		method: 'PUT',
		headers: { 'content-type': 'image/png', ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body: new Uint8Array(bytes)
	});
}

async function get(sha: string, token: string | null, headers: Record<string, string> = {}) {
	return fetch(`${relay.url}${photoPath(sha)}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
}

/** Uploads as the g1 grid worker and returns the hash. */
async function stored(doc: string, bytes = newPhoto()): Promise<string> {
	const res = await put(bytes, doc, tokens.workerG1!);
	expect(res.status).toBe(201);
	return sha256Hex(bytes);
}

beforeAll(async () => {
	relay = await startTestRelay();
	for (const [name, grant] of Object.entries(GRANTS)) tokens[name] = await mintToken(relay, grant);
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

describe('upload and download', () => {
	it('stores a photo under its hash and serves it back, never to be kept in a shared HTTP cache', async () => {
		const bytes = newPhoto();
		const sha = sha256Hex(bytes);
		const up = await put(bytes, VISITS, tokens.workerG1!);
		expect(up.status).toBe(201);
		expect(await up.json()).toEqual({ sha, type: 'image/png', size: bytes.length });

		const down = await get(sha, tokens.workerG1!);
		expect(down.status).toBe(200);
		expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
		expect(down.headers.get('content-type')).toBe('image/png');
		expect(down.headers.get('cache-control')).toBe('no-store');
		expect(down.headers.get('x-content-type-options')).toBe('nosniff');
		expect(down.headers.get('etag')).toBe(`"${sha}"`);

		const again = await get(sha, tokens.workerG1!, { 'if-none-match': `"${sha}"` });
		expect(again.status).toBe(304);

		// Sharded by the first two hex digits of the hash, beside the documents.
		const file = path.join(relay.dataDir, 'photos', sha.slice(0, 2), sha);
		expect(fs.readFileSync(file).equals(bytes)).toBe(true);
		expect(fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
	});

	it('is idempotent: a re-upload answers 200 and links the photo to one more document', async () => {
		const bytes = newPhoto();
		const sha = await stored(VISITS, bytes);
		expect((await get(sha, tokens.resident!)).status).toBe(404);

		const again = await put(bytes, VISITS, tokens.workerG1!);
		expect(again.status).toBe(200);
		const linked = await put(bytes, PROPOSAL, tokens.workerG1!);
		expect(linked.status).toBe(200);
		// Now attached to a public proposal too, so a resident may see it.
		expect((await get(sha, tokens.resident!)).status).toBe(200);
	});

	it('refuses bytes that do not match the hash in the path, and stores nothing', async () => {
		const bytes = newPhoto();
		const claimed = sha256Hex(newPhoto());
		const res = await put(bytes, VISITS, tokens.workerG1!, claimed);
		expect(res.status).toBe(400);
		expect((await res.json()).error).toBe('invalid');
		expect((await get(claimed, tokens.admin!)).status).toBe(404);
		expect((await get(sha256Hex(bytes), tokens.admin!)).status).toBe(404);
	});

	it('refuses anything but JPEG, WebP or PNG by its bytes, whatever the declared type', async () => {
		const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
		const res = await put(svg, VISITS, tokens.workerG1!);
		expect(res.status).toBe(415);
		expect((await get(sha256Hex(svg), tokens.admin!)).status).toBe(404);
	});

	it('refuses a malformed hash or document name', async () => {
		const bytes = newPhoto();
		expect((await put(bytes, VISITS, tokens.workerG1!, 'ABC')).status).toBe(400);
		expect((await put(bytes, VISITS, tokens.workerG1!, sha256Hex(bytes).toUpperCase())).status).toBe(400);
		expect((await put(bytes, 'demo:nonsense:x', tokens.workerG1!)).status).toBe(400);
		const noDoc = await fetch(`${relay.url}${photoPath(sha256Hex(bytes))}`, {
			method: 'PUT',
			headers: { authorization: `Bearer ${tokens.workerG1}` },
			body: new Uint8Array(bytes)
		});
		expect(noDoc.status).toBe(400);
		const post = await fetch(`${relay.url}${photoPath(sha256Hex(bytes))}`, { method: 'POST', headers: { authorization: `Bearer ${tokens.workerG1}` } });
		expect(post.status).toBe(405);
		expect(post.headers.get('allow')).toContain('PUT');
	});
});

describe('size limit', () => {
	/**
	 * A raw HTTP/1.1 upload that keeps sending `chunk` (up to 10 MiB) until the relay answers, reading the answer
	 * as it comes: the relay may answer and close before the body is done, which an HTTP client would report
	 * only as a write error.
	 */
	function partialUpload(sha: string, chunk: Buffer, mode: { contentLength: number } | 'chunked') {
		return new Promise<{ status: number; sent: number }>((resolve, reject) => {
			const url = new URL(`${relay.url}${photoPath(sha, VISITS)}`);
			const socket = net.connect(Number(url.port), url.hostname);
			let received = '';
			let sent = 0;
			let answered = false;
			socket.on('data', (data: Buffer) => {
				received += data.toString('latin1');
				const status = /^HTTP\/1\.1 (\d{3}) /.exec(received);
				if (status && !answered) {
					answered = true;
					resolve({ status: Number(status[1]), sent });
					socket.destroy();
				}
			});
			socket.on('error', () => {});
			socket.on('close', () => answered || reject(new Error(`closed without an answer after ${sent} bytes`)));
			const length = mode === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${mode.contentLength}`;
			socket.write(
				`PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${tokens.workerG1}\r\n${length}\r\n\r\n`
			);
			const frame = mode === 'chunked' ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
			const pump = () => {
				while (!answered && !socket.destroyed && sent < 10 * 1024 * 1024) {
					sent += chunk.length;
					if (!socket.write(frame)) return void socket.once('drain', pump);
				}
			};
			// With a declared length, one chunk is enough to show that the relay does not wait for the rest.
			if (mode === 'chunked') pump();
			else {
				sent += chunk.length;
				socket.write(frame);
			}
		});
	}

	it('answers 413 from Content-Length before reading the body', async () => {
		const chunk = Buffer.alloc(64 * 1024, 1);
		const result = await partialUpload('a'.repeat(64), chunk, { contentLength: PHOTO_MAX_BYTES + 1 });
		expect(result).toEqual({ status: 413, sent: chunk.length });
	});

	it('cuts off a streamed body as soon as it passes the limit', async () => {
		const result = await partialUpload('b'.repeat(64), Buffer.alloc(256 * 1024, 2), 'chunked');
		expect(result.status).toBe(413);
		expect(result.sent).toBeLessThan(10 * 1024 * 1024);
		// The relay still serves others afterwards.
		expect((await put(newPhoto(), VISITS, tokens.workerG1!)).status).toBe(201);
	});

	it('accepts a photo just under the limit', async () => {
		const head = pngImage(8, 8, 99);
		const bytes = Buffer.concat([head, Buffer.alloc(PHOTO_MAX_BYTES - head.length, 7)]);
		expect((await put(bytes, VISITS, tokens.workerG1!)).status).toBe(201);
	});
});

describe('who may upload and see a photo', () => {
	it('refuses a missing or forged credential with 401, for upload and download', async () => {
		const sha = await stored(VISITS);
		expect((await put(newPhoto(), VISITS, null)).status).toBe(401);
		expect((await put(newPhoto(), VISITS, 'forged.token.here')).status).toBe(401);
		expect((await get(sha, null)).status).toBe(401);
		const forged = await get(sha, `${tokens.admin!.slice(0, -4)}AAAA`);
		expect(forged.status).toBe(401);
		expect(forged.headers.get('content-type')).toMatch(/json/);
	});

	it('lets only a writer of the document upload for it', async () => {
		expect((await put(newPhoto(), VISITS, tokens.workerG2!)).status).toBe(403);
		expect((await put(newPhoto(), HOUSEHOLDS, tokens.resident!)).status).toBe(403);
		expect((await put(newPhoto(), VISITS, tokens.facilitator!)).status).toBe(403);
		expect((await put(newPhoto(), 'other:proposal:p1', tokens.resident!)).status).toBe(403);
		expect((await put(newPhoto(), PROPOSAL, tokens.resident!)).status).toBe(201);
	});

	it("keeps a grid's household and visit photos from a grid worker of another grid (404, as if unknown)", async () => {
		for (const doc of [VISITS, HOUSEHOLDS]) {
			const sha = await stored(doc);
			expect((await get(sha, tokens.workerG1!)).status).toBe(200);
			const refused = await get(sha, tokens.workerG2!);
			expect(refused.status).toBe(404);
			const unknown = await get(sha256Hex(newPhoto()), tokens.workerG2!);
			expect(unknown.status).toBe(404);
			expect(await refused.json()).toEqual(await unknown.json());
		}
	});

	it('shows a resident the photo of a public proposal but never a visit photo', async () => {
		const visit = await stored(VISITS);
		const proposal = await stored(PROPOSAL);
		expect((await get(visit, tokens.resident!)).status).toBe(404);
		const res = await get(proposal, tokens.resident!);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/png');
	});

	it('follows the access matrix for staff: facilitators read registers, street admins no matter of a community', async () => {
		const visit = await stored(VISITS);
		const proposal = await stored(PROPOSAL);
		expect((await get(visit, tokens.facilitator!)).status).toBe(200);
		expect((await get(visit, tokens.admin!)).status).toBe(200);
		expect((await get(visit, tokens.street!)).status).toBe(404);
		// A proposal's photos show households and their doors: the street level receives aggregates only.
		expect((await get(proposal, tokens.street!)).status).toBe(404);
		expect((await get(proposal, tokens.otherAdmin!)).status).toBe(404);
	});

	it('stops serving a revoked device', async () => {
		const { token, device } = await relay.credentials.issue(GRANTS.workerG1!, 'soon revoked');
		const sha = await stored(VISITS);
		expect((await get(sha, token)).status).toBe(200);
		await relay.credentials.revoke(device.id);
		expect((await get(sha, token)).status).toBe(401);
	});
});

describe('durability', () => {
	it('serves an acknowledged photo, with its links, after the relay restarts on the same data', async () => {
		const visit = await stored(VISITS);
		const proposal = await stored(PROPOSAL);
		const dataDir = relay.dataDir;
		await relay.close();
		relay = await startTestRelay({ dataDir });
		const token = await mintToken(relay, GRANTS.resident!);
		const worker = await mintToken(relay, GRANTS.workerG1!);
		expect((await get(visit, worker)).status).toBe(200);
		expect((await get(visit, token)).status).toBe(404);
		expect((await get(proposal, token)).status).toBe(200);
		for (const name of Object.keys(tokens)) tokens[name] = await mintToken(relay, GRANTS[name]!);
	});

	it('loses no acknowledged photo to kill -9', async () => {
		const dataDir = tempDir();
		const first = await spawnRelay(dataDir);
		try {
			// The admin CLI's way: a device registered in the relay's database while it runs.
			const credentials = await Credentials.open(dataDir, {}, silentLogger);
			const { token } = await credentials.issue(GRANTS.workerG1!, 'kill -9 test');
			await credentials.close();
			const photos = Array.from({ length: 8 }, () => newPhoto());
			const acked = await Promise.all(
				photos.map(async (bytes) => {
					const res = await fetch(`${first.url}${photoPath(sha256Hex(bytes), VISITS)}`, {
						method: 'PUT',
						headers: { authorization: `Bearer ${token}` },
						body: new Uint8Array(bytes)
					});
					return res.status === 201 ? sha256Hex(bytes) : null;
				})
			);
			first.child.kill('SIGKILL');
			await first.exited;
			expect(acked.every(Boolean)).toBe(true);

			const second = await spawnRelay(dataDir);
			try {
				for (const [i, sha] of acked.entries()) {
					const res = await fetch(`${second.url}${photoPath(sha!)}`, { headers: { authorization: `Bearer ${token}` } });
					expect(res.status).toBe(200);
					expect(Buffer.from(await res.arrayBuffer()).equals(photos[i]!)).toBe(true);
				}
			} finally {
				second.child.kill('SIGKILL');
				await second.exited;
			}
		} finally {
			if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
			removeDir(dataDir);
		}
	});
});
