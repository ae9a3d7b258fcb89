/**
 * Assembles the relay: storage, credentials, hub, the two WebSocket endpoints and the HTTP handler (app, API) on
 * one port. Used by server/main.ts, and in-process by tests and benches (port 0).
 *
 * Authentication is by signed device credentials unless `auth: 'open'` is asked for explicitly (development and
 * tests that are not about access). The invitation API works in both modes.
 */
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, DOC_PATH_PREFIX, SYNC_PATH, TOKEN_PARAM } from '../src/lib/protocol/messages';
import { bearerToken, clientAddress, createApi } from './transport/api';
import { type Authorizer, CredentialAuthorizer, OpenAuthorizer } from './auth/auth';
import type { Connection } from './transport/connection';
import { type CredentialOptions, Credentials } from './auth/credentials';
import { DocConnection } from './transport/doc-endpoint';
import { createHttpHandler } from './transport/http';
import type { FirstStartSeed, BootstrapInvitation } from './core/first-start';
import { Hub } from './core/hub';
import { checkDatabase } from './storage/integrity';
import { type Limits, resolveLimits } from './core/limits';
import { consoleLogger, type Logger } from './core/log';
import { photoRoutes } from './features/photo-api';
import { type PhotoGcResult, schedulePhotoGc, storedState } from './features/photo-gc';
import { openPhotoStore } from './storage/photo-store';
import { createPointsBoard, type PointsBoardOptions } from './features/points-board';
import { createRoomsBoard } from './features/rooms-board';
import { createPolls } from './features/polls';
import { createReports, type ReportsOptions } from './features/reports';
import { ReferralBridge } from './features/referrals';
import { KeyedRateLimiter } from './core/rate-limit';
import { DB_FILE, SqliteStore } from './storage/sqlite-store';
import { monitorStore, StorageHealth } from './storage/storage-health';
import type { DocStore } from './storage/store';
import { SyncConnection } from './transport/sync-endpoint';

export interface RelayOptions {
	/** 0 (the default) picks a free port. */
	port?: number;
	host?: string;
	/**
	 * Where courtyard.db (documents, devices, invitations) and keys/ (the signing key) live; created if missing.
	 * With `store` and no dataDir, devices and the key live in memory.
	 */
	dataDir?: string;
	/** A store to use instead of SQLite in dataDir (e.g. MemoryStore). */
	store?: DocStore;
	staticDir?: string;
	limits?: Partial<Limits>;
	/** Shorthand for limits.idleUnloadMs. */
	idleUnloadMs?: number;
	/**
	 * 'credentials' (the default): every connection needs a valid device credential and gets the access of its
	 * grant. 'open': anyone may read and write every document — development and tests only.
	 */
	auth?: 'credentials' | 'open';
	/** A custom authorizer instead of the one `auth` picks. */
	authorizer?: Authorizer;
	credentials?: CredentialOptions;
	/** Origin for invitation links (e.g. https://courtyard.example.org); default: the request's Host header. */
	publicOrigin?: string;
	/** Behind a reverse proxy: the client address for rate limits comes from X-Forwarded-For. */
	trustProxy?: boolean;
	/** Invitation redemptions allowed per client address per minute (also the burst). Default 10. */
	joinsPerMinute?: number;
	/** Largest accepted API request body. Default 16 KiB. */
	maxBodyBytes?: number;
	/** The report publisher's clock, debounce, grace and timer (tests); defaults otherwise (reports.ts). */
	reports?: Pick<ReportsOptions, 'now' | 'debounceMs' | 'graceMs' | 'checkEveryMs' | 'scan' | 'startDelayMs'>;
	/** The public points board's clock, debounce and start (tests); defaults otherwise (points-board.ts). */
	pointsBoard?: Pick<PointsBoardOptions, 'now' | 'debounceMs' | 'maxWaitMs' | 'scan' | 'startDelayMs'>;
	/** The rooms' receipts and public calendar: clock, debounce and start (tests); defaults otherwise (rooms-board.ts). */
	roomsBoard?: Pick<PointsBoardOptions, 'now' | 'debounceMs' | 'maxWaitMs' | 'scan' | 'startDelayMs'>;
	/**
	 * Content for a first start (the store holds no documents), e.g. the demo community (demo/first-start.ts).
	 * The relay itself never imports the demo: whoever assembles it passes the seeder.
	 */
	seed?: FirstStartSeed;
	/** After seeding, create the seeder's invitations (relay.bootstrap). Default true. */
	bootstrapInvitations?: boolean;
	logger?: Logger;
}

export interface Relay {
	port: number;
	/** http://127.0.0.1:<port> (or the bound host). */
	url: string;
	hub: Hub;
	store: DocStore;
	/** Devices, invitations and credentials (also for tests: `relay.credentials.issue(grant, name)`). */
	credentials: Credentials;
	/** The demo invitations created on a first start that seeded the demo; empty otherwise. */
	bootstrap: BootstrapInvitation[];
	/** WebSocket connections currently open (both endpoints). */
	openConnections(): number;
	/** Runs a photo collection now (it also runs every limits.photoGcIntervalMs): photo-gc.ts. */
	collectPhotos(): Promise<PhotoGcResult>;
	/** Stops accepting, flushes storage, closes sockets with 4503 and the store. Idempotent. */
	close(): Promise<void>;
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
	const logger = options.logger ?? consoleLogger;
	const limits = resolveLimits({
		...options.limits,
		...(options.idleUnloadMs !== undefined ? { idleUnloadMs: options.idleUnloadMs } : {})
	});
	const dataDir = options.dataDir ?? (options.store ? null : './data');
	// Refuses to start on a damaged database (DamagedFileError names it); the key file is checked as it loads.
	if (dataDir !== null) checkDatabase(path.join(dataDir, DB_FILE));
	const storageHealth = new StorageHealth();
	const store = monitorStore(options.store ?? SqliteStore.open(dataDir ?? './data'), storageHealth);
	const credentials = await Credentials.open(dataDir, options.credentials, logger);
	const photos = openPhotoStore(dataDir);
	let seeded: Awaited<ReturnType<FirstStartSeed['seed']>> | null = null;
	if (options.seed && (await store.docCount()) === 0) {
		seeded = await options.seed.seed(store);
		logger.info(`seeded the first-start content: ${seeded.docs} documents`);
	}
	const hub = new Hub(store, limits, logger);
	hub.onUnreadable = (doc, error) => storageHealth.readFailed(`document ${doc}`, error);
	// The resident's ballot endpoint and the public tally publisher (follows the hub's change feed).
	const polls = createPolls({ hub, credentials, logger });
	// Each community's reports (aggregates only) and the correction API (reports.ts).
	const reports = createReports({ ...options.reports, hub, credentials, logger });
	// Matters referred to the street office, copied without names, and its answers carried back (referrals.ts).
	const referrals = new ReferralBridge({ hub, logger });
	// Each community's public points board: totals, opted-in names, stock and talent counts (points-board.ts).
	const pointsBoard = createPointsBoard({ ...options.pointsBoard, hub, logger });
	// Receipts of room bookings, the relay's confirmation rule and each room's public calendar (rooms-board.ts).
	const roomsBoard = createRoomsBoard({ ...options.roomsBoard, hub, logger });
	const auth = options.auth ?? 'credentials';
	const authorizer = options.authorizer ?? (auth === 'open' ? new OpenAuthorizer() : new CredentialAuthorizer(credentials));
	if (auth === 'open' && !options.authorizer) logger.warn('auth is open: anyone may read and write every document (development only)');
	const connections = new Set<Connection>();
	const joinsPerMinute = options.joinsPerMinute ?? 10;

	// Slow clients are bounded in time (limits.ts): headers, the whole request with its body, an idle socket.
	const server = http.createServer(
		{
			headersTimeout: limits.httpHeadersTimeoutMs,
			requestTimeout: limits.httpRequestTimeoutMs,
			connectionsCheckingInterval: Math.min(1_000, limits.httpHeadersTimeoutMs || 1_000)
		},
		createHttpHandler({
			staticDir: options.staticDir ?? './build',
			// Failing storage answers 503; counts and the failure's detail only for an admin credential (or open auth).
			health: async (req) => {
				const storage = await storageHealth.check(store);
				const ok = !hub.isClosing && storage.reads === 'ok' && storage.writes === 'ok';
				const summary = { ok, storage: { reads: storage.reads, writes: storage.writes } };
				const verified = auth === 'open' ? null : await credentials.verify(bearerToken(req));
				const admin = auth === 'open' || (verified?.ok === true && ['community_admin', 'street_admin'].includes(verified.grant.role));
				if (!admin) return summary;
				const stats = await hub.stats().catch(() => null);
				return { ...summary, ...stats, lastFailure: storage.lastFailure };
			},
			api: createApi({
				credentials,
				joinLimiter: new KeyedRateLimiter(joinsPerMinute, joinsPerMinute / 60),
				publicOrigin: options.publicOrigin,
				trustProxy: options.trustProxy,
				maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
				logger,
				// Feature APIs: one line each.
				routes: [
					...photoRoutes(photos, {
						deviceQuotaBytes: limits.photoQuotaDeviceBytes,
						communityQuotaBytes: limits.photoQuotaCommunityBytes
					}),
					polls.route,
					reports.route
				]
			})
		})
	);
	const photoGc = schedulePhotoGc({
		photos,
		readState: (doc) => storedState((name) => store.loadUpdates(name), doc),
		graceMs: limits.photoGcGraceMs,
		intervalMs: limits.photoGcIntervalMs,
		logger
	});
	server.keepAliveTimeout = limits.httpKeepAliveTimeoutMs;
	// ws clears this on the sockets it upgrades; a WebSocket is kept alive by pings instead.
	server.timeout = limits.httpIdleTimeoutMs;
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
			const address = hub.budgets.openAddress(clientAddress(req, options.trustProxy ?? false));
			if (!address.ok) {
				ws.close(CloseCode.RateLimited, address.reason);
				setTimeout(() => ws.terminate(), 2_000).unref();
				return;
			}
			ws.on('close', address.release);
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
	const url = `http://${host}:${port}`;
	const bootstrap =
		seeded && options.bootstrapInvitations !== false ? seeded.invitations(credentials, options.publicOrigin ?? url) : [];

	let closed: Promise<void> | null = null;
	const close = (): Promise<void> =>
		(closed ??= (async () => {
			closing = true;
			const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeIdleConnections();
			// Deliver acks for everything already received, then close the sockets and flush what raced in.
			await polls.close();
			await reports.close();
			await referrals.close();
			await pointsBoard.close();
			await roomsBoard.close();
			await photoGc.stop();
			await hub.flush();
			for (const conn of connections) conn.close(CloseCode.ShuttingDown, 'relay shutting down');
			await hub.close();
			await store.close();
			credentials.close();
			await photos.close();
			// Give clients a moment to complete the closing handshake so they see 4503, then cut off the rest.
			const deadline = Date.now() + 1_000;
			while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
			for (const ws of wss.clients) ws.terminate();
			wss.close();
			server.closeAllConnections();
			await Promise.race([serverClosed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
		})());

	return {
		port,
		url,
		hub,
		store,
		credentials,
		bootstrap,
		openConnections: () => connections.size,
		collectPhotos: () => photoGc.runNow(),
		close
	};
}
