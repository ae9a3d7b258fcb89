/** Shared by the relay integration tests: temp dirs, polling, an in-process or child-process relay, clients. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { expect } from 'vitest';
import * as Y from 'yjs';
import type { Grant } from '../../src/lib/domain/access';
import { BatchStatus, decodeFrame, encodeFrame, type Frame, MuxMessage, SYNC_PATH, TOKEN_PARAM } from '../../src/lib/protocol/messages';
import { silentLogger } from '../../server/core/log';
import { type Relay, type RelayOptions, startRelay } from '../../server/relay';
import { openPostgres, type Postgres } from '../../server/storage/postgres/db';
import type { DocStore } from '../../server/storage/store';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function tempDir(prefix = 'courtyard-test-'): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
	fs.rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a truthy value (or stops throwing); returns that value. */
export async function waitFor<T>(check: () => T | Promise<T>, { timeout = 5_000, interval = 10, what = 'condition' } = {}): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeout;
	let last: unknown = null;
	for (;;) {
		try {
			const value = await check();
			if (value) return value as NonNullable<T>;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
		}
		await sleep(interval);
	}
}

/** A relay in this process on a free port, quiet, in its own temp dir unless one is given. */
export async function startTestRelay(options: RelayOptions = {}): Promise<Relay & { dataDir: string }> {
	const dataDir = options.dataDir ?? tempDir();
	const relay = await startRelay({ logger: silentLogger, ...options, dataDir });
	return Object.assign(relay, { dataDir });
}

/** Subscribers of a document on the relay: in its room, or waiting on a vacancy while it has no stored rows. */
export function subscriberCount(relay: Relay, doc: string): number {
	return relay.hub.rooms.get(doc)?.subscribers.size ?? relay.hub.vacancies.get(doc)?.subscribers.size ?? 0;
}

/** Registers a device with `grant` on the relay and returns its credential (no invitation involved). */
export async function mintToken(relay: Relay, grant: Grant, opts: { name?: string; expiresAt?: number } = {}): Promise<string> {
	const { token } = await relay.credentials.issue(grant, opts.name ?? `${grant.role} test device`, { expiresAt: opts.expiresAt });
	return token;
}

/** The device id a credential names (its `sub`): the actor id the app writes into records. */
export function deviceOf(token: string): string {
	return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string }).sub;
}

/** `/ws/<doc>` URL with the credential as y-websocket passes it (the `token` query parameter). */
export const docUrl = (relayUrl: string, doc: string, token?: string) =>
	`${wsUrl(relayUrl)}/ws/${doc}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`;

export interface ChildRelay {
	url: string;
	port: number;
	child: ChildProcess;
	stdout(): string;
	stderr(): string;
	/** Resolves with the exit code (null when killed by a signal). */
	exited: Promise<number | null>;
}

/** Starts `node --import tsx server/main.ts` as a child process and waits for its listening line. */
export async function spawnRelay(dataDir: string, env: Record<string, string> = {}): Promise<ChildRelay> {
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
		cwd: ROOT,
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: path.join(dataDir, 'no-build'), SEED: '0', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 20_000);
		child.stdout?.on('data', (d: Buffer) => {
			stdout += d.toString();
			const m = /courtyard relay listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(stdout);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		void exited.then((code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
	});
	return { url: `http://127.0.0.1:${port}`, port, child, stdout: () => stdout, stderr: () => stderr, exited };
}

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/** A stock y-websocket provider against the relay's /ws endpoint (BroadcastChannel off so only the relay syncs). */
export function provider(relayUrl: string, docName: string, doc: Y.Doc, params: Record<string, string> = {}): WebsocketProvider {
	return new WebsocketProvider(`${wsUrl(relayUrl)}/ws`, docName, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		params
	});
}

export function whenSynced(p: WebsocketProvider, timeout = 10_000): Promise<void> {
	if (p.synced) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('provider did not sync')), timeout);
		p.once('sync', () => {
			clearTimeout(timer);
			resolve();
		});
	});
}

export interface Closed {
	code: number;
	reason: string;
}

/** A raw WebSocket that records what it receives and how it was closed. */
export class RawClient {
	readonly ws: WebSocket;
	readonly received: Uint8Array[] = [];
	readonly opened: Promise<void>;
	readonly closed: Promise<Closed>;

	constructor(url: string) {
		this.ws = new WebSocket(url);
		this.ws.binaryType = 'nodebuffer';
		this.ws.on('message', (data: Buffer) => this.received.push(new Uint8Array(data)));
		this.ws.on('error', () => {});
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', () => resolve());
			this.ws.once('error', reject);
		});
		this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	}

	send(data: Uint8Array | string): void {
		this.ws.send(data);
	}

	close(): void {
		this.ws.close();
	}
}

/** A client of the multiplexed /sync endpoint that decodes every frame it receives. */
export class SyncClient extends RawClient {
	readonly frames: Frame[] = [];
	private waiters: Array<() => void> = [];
	private nextRequestId = 1;

	constructor(relayUrl: string, token?: string) {
		super(`${wsUrl(relayUrl)}${SYNC_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`);
		this.ws.on('message', (data: Buffer) => {
			this.frames.push(decodeFrame(new Uint8Array(data)));
			for (const w of this.waiters.splice(0)) w();
		});
	}

	static async connect(relayUrl: string, token?: string): Promise<SyncClient> {
		const client = new SyncClient(relayUrl, token);
		await client.opened;
		return client;
	}

	requestId(): number {
		return this.nextRequestId++;
	}

	sendFrame(frame: Frame): void {
		this.send(encodeFrame(frame));
	}

	/** Waits for the first frame (received so far or later) matching `match`, removing nothing. */
	async waitFrame<K extends Frame['kind']>(
		kind: K,
		match: (frame: Extract<Frame, { kind: K }>) => boolean = () => true,
		timeout = 10_000
	): Promise<Extract<Frame, { kind: K }>> {
		const deadline = Date.now() + timeout;
		for (;;) {
			const found = this.frames.find((f): f is Extract<Frame, { kind: K }> => f.kind === kind && match(f as Extract<Frame, { kind: K }>));
			if (found) return found;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`no frame of kind ${kind} arrived in time`);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}
}

/** Full-state BatchSync of `docs` through `url`, every entry Ok; the documents as the reply carries them. */
export async function batchSync(url: string, docs: readonly string[], token?: string): Promise<Map<string, Y.Doc>> {
	const c = await SyncClient.connect(url, token);
	try {
		const requestId = c.requestId();
		c.sendFrame({ kind: MuxMessage.BatchSync, requestId, entries: docs.map((doc) => ({ doc, stateVector: new Uint8Array([0]) })) });
		const reply = await c.waitFrame(MuxMessage.BatchSyncReply, (f) => f.requestId === requestId);
		const out = new Map<string, Y.Doc>();
		for (const e of reply.entries) {
			expect(e.status).toBe(BatchStatus.Ok);
			const d = new Y.Doc();
			Y.applyUpdate(d, e.diff);
			out.set(e.doc, d);
		}
		return out;
	} finally {
		c.close();
	}
}

/** A store that hands every call to `inner`: tests extend it to change one method. */
export class DelegatingStore implements DocStore {
	constructor(protected readonly inner: DocStore) {}
	loadUpdates(doc: string) {
		return this.inner.loadUpdates(doc);
	}
	appendUpdates(batch: Parameters<DocStore['appendUpdates']>[0]) {
		return this.inner.appendUpdates(batch);
	}
	changesSince(seq: number, limit: number) {
		return this.inner.changesSince(seq, limit);
	}
	headSeq() {
		return this.inner.headSeq();
	}
	compact(doc: string) {
		return this.inner.compact(doc);
	}
	docCount() {
		return this.inner.docCount();
	}
	rowCount(doc: string) {
		return this.inner.rowCount(doc);
	}
	docBytes(doc: string) {
		return this.inner.docBytes(doc);
	}
	close() {
		return this.inner.close();
	}
}

/** Wraps a store so that loading a document takes `delayMs`: makes "answered before loaded" bugs visible. */
export class SlowLoadStore extends DelegatingStore {
	constructor(
		inner: DocStore,
		private readonly delayMs: number
	) {
		super(inner);
	}
	override async loadUpdates(doc: string) {
		await sleep(this.delayMs);
		return this.inner.loadUpdates(doc);
	}
}

/** Two pools on one database, as two relay processes (or a relay and the admin CLI) have; `close` ends both. */
export async function twoPools(url: string): Promise<{ one: Postgres; two: Postgres; close: () => Promise<void> }> {
	const [one, two] = [await openPostgres(url), await openPostgres(url)];
	return { one, two, close: () => one.close().then(() => two.close()) };
}
