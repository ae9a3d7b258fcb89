/**
 * Assembles the relay: storage, hub, the two WebSocket endpoints and the HTTP handler on one port. Used by
 * server/main.ts, and in-process by tests and benches (port 0).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, DOC_PATH_PREFIX, SYNC_PATH, TOKEN_PARAM } from '../src/lib/protocol/messages';
import { type Authorizer, OpenAuthorizer } from './auth';
import type { Connection } from './connection';
import { seedDemo } from './demo-seed';
import { DocConnection } from './doc-endpoint';
import { createHttpHandler } from './http';
import { Hub } from './hub';
import { type Limits, resolveLimits } from './limits';
import { consoleLogger, type Logger } from './log';
import { SqliteStore } from './sqlite-store';
import type { DocStore } from './store';
import { SyncConnection } from './sync-endpoint';

export interface RelayOptions {
	/** 0 (the default) picks a free port. */
	port?: number;
	host?: string;
	/** Where courtyard.db lives; created if missing. Ignored when `store` is given. */
	dataDir?: string;
	/** A store to use instead of SQLite in dataDir (e.g. MemoryStore). */
	store?: DocStore;
	staticDir?: string;
	limits?: Partial<Limits>;
	/** Shorthand for limits.idleUnloadMs. */
	idleUnloadMs?: number;
	authorizer?: Authorizer;
	/** Seed the demo community when the store holds no documents. */
	seed?: boolean;
	logger?: Logger;
}

export interface Relay {
	port: number;
	/** http://127.0.0.1:<port> (or the bound host). */
	url: string;
	hub: Hub;
	store: DocStore;
	/** Stops accepting, flushes storage, closes sockets with 4503 and the store. Idempotent. */
	close(): Promise<void>;
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
	const logger = options.logger ?? consoleLogger;
	const limits = resolveLimits({
		...options.limits,
		...(options.idleUnloadMs !== undefined ? { idleUnloadMs: options.idleUnloadMs } : {})
	});
	const store = options.store ?? SqliteStore.open(options.dataDir ?? './data');
	if (options.seed && (await store.docCount()) === 0) {
		const seeded = await seedDemo(store);
		logger.info(`seeded the demo community: ${seeded} documents`);
	}
	const hub = new Hub(store, limits, logger);
	const authorizer = options.authorizer ?? new OpenAuthorizer();
	const connections = new Set<Connection>();

	const server = http.createServer(
		createHttpHandler({
			staticDir: options.staticDir ?? './build',
			health: async () => {
				const { headSeq, docs } = await hub.stats();
				return { ok: !hub.isClosing, headSeq, docs };
			}
		})
	);
	const wss = new WebSocketServer({ noServer: true, maxPayload: limits.hardFrameBytes, perMessageDeflate: false });
	let closing = false;

	server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const url = new URL(req.url ?? '/', 'http://relay');
		const token = url.searchParams.get(TOKEN_PARAM);
		let docName: string | null = null;
		if (url.pathname.startsWith(DOC_PATH_PREFIX)) {
			try {
				docName = decodeURIComponent(url.pathname.slice(DOC_PATH_PREFIX.length));
			} catch {
				docName = '';
			}
		} else if (url.pathname !== SYNC_PATH || closing) {
			socket.end(`HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
			return;
		}
		wss.handleUpgrade(req, socket, head, (ws) => {
			const conn =
				docName === null ? new SyncConnection(ws, hub, token, authorizer) : new DocConnection(ws, hub, docName, token, authorizer);
			connections.add(conn);
			ws.on('close', () => connections.delete(conn));
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';

	let closed: Promise<void> | null = null;
	const close = (): Promise<void> =>
		(closed ??= (async () => {
			closing = true;
			const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeIdleConnections();
			// Deliver acks for everything already received, then close the sockets and flush what raced in.
			await hub.flush();
			for (const conn of connections) conn.close(CloseCode.ShuttingDown, 'relay shutting down');
			await hub.close();
			await store.close();
			// Give clients a moment to complete the closing handshake so they see 4503, then cut off the rest.
			const deadline = Date.now() + 1_000;
			while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
			for (const ws of wss.clients) ws.terminate();
			wss.close();
			server.closeAllConnections();
			await Promise.race([serverClosed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
		})());

	return { port, url: `http://${host}:${port}`, hub, store, close };
}
