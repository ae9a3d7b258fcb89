/**
 * Per-connection limits (rate of messages and bytes, documents per request and per connection, requests in
 * flight for a client that does not read) and the security headers of every HTTP response.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, encodeFrame, MuxMessage } from '../../src/lib/protocol/messages';
import type { RelayOptions } from '../../server/relay';
import { docUrl, mintToken, provider, RawClient, removeDir, SyncClient, tempDir, waitFor, whenSynced } from './helpers';
import { cleanupAfterEach, relayForTest } from './helpers-lifecycle';

const cleanup = cleanupAfterEach();

async function relayWith(options: RelayOptions) {
	const r = await relayForTest(cleanup, options);
	const token = await mintToken(r, { role: 'community_admin', community: 'demo' });
	return Object.assign(r, { token });
}

const DOC = 'demo:proposal:limits';

/** A well-behaved pair on DOC that must keep syncing while another client is cut off. */
async function bystanders(r: Awaited<ReturnType<typeof relayWith>>) {
	const a = new Y.Doc();
	const b = new Y.Doc();
	const pa = provider(r.url, DOC, a, { token: r.token });
	const pb = provider(r.url, DOC, b, { token: r.token });
	cleanup.push(() => pa.destroy(), () => pb.destroy());
	await Promise.all([whenSynced(pa), whenSynced(pb)]);
	return async () => {
		// The description: a root the write rules let staff change.
		const mark = `m${Math.random()}`;
		a.getText('description').insert(0, mark);
		await waitFor(() => b.getText('description').toString().includes(mark), { what: 'bystanders still syncing' });
	};
}

describe('rate limit per connection', () => {
	it('closes a /sync client that sends too many messages with 4429, and only that one', async () => {
		const r = await relayWith({ limits: { rateBurstMessages: 20, rateMessagesPerSecond: 10, maxPendingRequests: 1_000 } });
		const stillSyncing = await bystanders(r);
		const flood = await SyncClient.connect(r.url, r.token);
		for (let i = 0; i < 60; i++) flood.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		expect(await flood.closed).toEqual({ code: CloseCode.RateLimited, reason: 'rate limited' });
		await stillSyncing();
	});

	it('lets a client that stays under the rate carry on', async () => {
		const r = await relayWith({ limits: { rateBurstMessages: 10, rateMessagesPerSecond: 100 } });
		const steady = await SyncClient.connect(r.url, r.token);
		for (let i = 0; i < 40; i++) {
			steady.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
			await new Promise((resolve) => setTimeout(resolve, 15));
		}
		await waitFor(() => steady.frames.filter((f) => f.kind === MuxMessage.Changes).length === 40, { what: '40 answers' });
		expect(steady.ws.readyState).toBe(steady.ws.OPEN);
		steady.close();
	});

	it('closes a /ws client that sends too many bytes with 4429', async () => {
		const r = await relayWith({ limits: { maxFrameBytes: 16 * 1024, rateBurstBytes: 64 * 1024, rateBytesPerSecond: 16 * 1024 } });
		const stillSyncing = await bystanders(r);
		const flood = new RawClient(docUrl(r.url, DOC, r.token));
		await flood.opened;
		// Query-awareness messages padded to 15 KiB: harmless each, too many bytes together.
		const padded = new Uint8Array(15 * 1024);
		padded[0] = 3;
		for (let i = 0; i < 10; i++) flood.send(padded);
		expect(await flood.closed).toEqual({ code: CloseCode.RateLimited, reason: 'rate limited' });
		await stillSyncing();
	});
});

describe('documents per connection', () => {
	it('closes a /sync client asking for more documents in one request than allowed with 4430', async () => {
		const r = await relayWith({ limits: { maxBatchDocs: 100 } });
		const c = await SyncClient.connect(r.url, r.token);
		const entries = Array.from({ length: 101 }, (_, i) => ({ doc: `demo:proposal:p${i}`, stateVector: new Uint8Array([0]) }));
		c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries });
		const closed = await c.closed;
		expect(closed.code).toBe(CloseCode.TooManyDocuments);
		expect(closed.reason).toMatch(/too many documents/);
		expect(c.frames).toHaveLength(0);
	});

	it('refuses subscriptions beyond the cap with DocError 4430 and keeps the connection', async () => {
		const r = await relayWith({ limits: { maxSubscriptions: 3 } });
		const c = await SyncClient.connect(r.url, r.token);
		for (let i = 0; i < 4; i++) c.sendFrame({ kind: MuxMessage.Subscribe, doc: `demo:proposal:s${i}` });
		const refused = await c.waitFrame(MuxMessage.DocError);
		expect(refused).toMatchObject({ doc: 'demo:proposal:s3', code: CloseCode.TooManyDocuments });
		c.sendFrame({ kind: MuxMessage.Unsubscribe, doc: 'demo:proposal:s0' });
		c.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:proposal:s3' });
		await c.waitFrame(MuxMessage.Doc, (f) => f.doc === 'demo:proposal:s3');
		expect(c.ws.readyState).toBe(c.ws.OPEN);
		c.close();
	});
});

describe('backpressure', () => {
	it('cuts off a /sync client that keeps asking without reading; memory stays bounded', async () => {
		const r = await relayWith({ limits: { maxBufferedBytes: 512 * 1024, maxReplyBytes: 256 * 1024 } });
		const big = new Y.Doc();
		big.getText('t').insert(0, 'x'.repeat(200_000));
		const docs = Array.from({ length: 20 }, (_, i) => `demo:proposal:big${i}`);
		await r.store.appendUpdates(docs.map((doc) => ({ doc, data: Y.encodeStateAsUpdate(big) })));
		const stillSyncing = await bystanders(r);

		const greedy = new RawClient(`${r.url.replace(/^http/, 'ws')}/sync?token=${r.token}`);
		await greedy.opened;
		(greedy.ws as unknown as { _socket: Socket })._socket.pause();
		const request = (id: number) =>
			encodeFrame({ kind: MuxMessage.BatchSync, requestId: id, entries: docs.map((doc) => ({ doc, stateVector: new Uint8Array([0]) })) });
		// Each reply is ~4 MB, sent paced one at a time; more than 16 requests waiting close the connection.
		for (let i = 1; i <= 40; i++) greedy.send(request(i));
		// The client reads nothing, so it cannot see the close frame: watch the relay's side instead.
		await waitFor(() => r.openConnections() === 2, { what: 'the greedy client cut off', timeout: 5_000 });
		(greedy.ws as unknown as { _socket: Socket })._socket.resume();
		await greedy.closed;
		expect(greedy.received.length).toBeLessThan(40);
		await stillSyncing();
	});
});

describe('security headers', () => {
	it('sends CSP and friends on every response; HTML gets the hash of its inline bootstrap script', async () => {
		const staticDir = tempDir('courtyard-csp-');
		cleanup.push(() => removeDir(staticDir));
		const script = '\n\t\t\t\t{ __sveltekit_x = { base: "" }; import("/_app/immutable/entry/start.js"); }\n\t\t\t';
		fs.writeFileSync(path.join(staticDir, 'index.html'), `<!doctype html><div style="display: contents"><script>${script}</script></div>`);
		fs.writeFileSync(path.join(staticDir, 'app.js'), 'export {}');
		const r = await relayWith({ staticDir });
		const hash = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

		const html = await fetch(`${r.url}/some/route`);
		const csp = html.headers.get('content-security-policy') ?? '';
		expect(csp).toContain(`script-src 'self' ${hash}`);
		for (const directive of [
			"default-src 'self'",
			"connect-src 'self' ws: wss:",
			"img-src 'self' data: blob:",
			"style-src 'self' 'unsafe-inline'",
			"worker-src 'self'",
			"manifest-src 'self'",
			"frame-ancestors 'none'",
			"base-uri 'self'",
			"form-action 'self'",
			"object-src 'none'"
		]) {
			expect(csp).toContain(directive);
		}
		expect(csp).not.toContain("'unsafe-eval'");

		for (const res of [html, await fetch(`${r.url}/app.js`), await fetch(`${r.url}/api/health`), await fetch(`${r.url}/missing.png`), await fetch(`${r.url}/api/me`)]) {
			expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
			expect(res.headers.get('referrer-policy')).toBe('no-referrer');
			expect(res.headers.get('x-frame-options')).toBe('DENY');
			expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
			expect(res.headers.get('permissions-policy')).toMatch(/camera=\(self\).*geolocation=\(\)/);
			expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
		}
	});
});
