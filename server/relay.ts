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
import { can } from '../src/lib/domain/permissions';
import { ApiFailure, bearerToken, clientAddress, createApi } from './transport/api';
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
import type { PhotoMetaStore } from './storage/photo-meta';
import type { BlobStore } from './storage/blob-store';
import { createPointsBoard, type PointsBoardOptions } from './features/points-board';
import { createRoomsBoard } from './features/rooms-board';
import { createPolls } from './features/polls';
import { correctionRoute, createReports, parsePeriod, type ReportsOptions } from './features/reports';
import { ReferralBridge } from './features/referrals';
import { KeyedRateLimiter } from './core/rate-limit';
import { DB_FILE, SqliteStore } from './storage/sqlite-store';
import { monitorStore, StorageHealth } from './storage/storage-health';
import type { DocStore } from './storage/store';
import { SyncConnection } from './transport/sync-endpoint';
import { ClusterLink, type ClusterLinkOptions, ClusterRequestError } from './fanout/cluster';
import { type Fanout, withLease } from './fanout/fanout';
import { SharedRateLimiter } from './fanout/shared-rate-limit';
import type { ApiErrorCode } from '../src/lib/protocol/api';

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
	/** postgres://… (DATABASE_URL): documents and change feed in PostgreSQL instead of SQLite in dataDir. */
	databaseUrl?: string;
	/** Photo metadata; default: in PostgreSQL with databaseUrl, else SQLite in dataDir (memory without one). */
	photoMeta?: PhotoMetaStore;
	/** Photo bytes (e.g. S3BlobStore); default: files in dataDir/photos (memory without a dataDir). */
	photoBlobs?: BlobStore;
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
	/**
	 * Other relay processes serve the same documents from the same store (REDIS_URL: fanout/redis-fanout.ts):
	 * commits, presence and revocations reach them, and the publishers run on one process at a time.
	 */
	fanout?: Fanout;
	/** Timings of the link to the other processes (tests); defaults otherwise (fanout/cluster.ts, hub.ts). */
	cluster?: Pick<ClusterLinkOptions, 'heartbeatMs' | 'peerTimeoutMs' | 'gapWaitMs' | 'checkEveryMs'> & { leaseTtlMs?: number };
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

/** Report corrections asked of the process running the reports publisher (fanout/cluster.ts, ask/answer). */
const CORRECTION_TOPIC = 'reports.correct';
/** The codes an answering process's ApiFailure may carry back (anything else answers `unavailable`). */
const API_STATUS_CODES: Record<ApiErrorCode, true> = {
	unauthorized: true,
	revoked: true,
	forbidden: true,
	invalid: true,
	not_found: true,
	invitation_expired: true,
	invitation_used_up: true,
	rate_limited: true,
	too_large: true,
	quota_exceeded: true,
	unavailable: true
};

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
	const logger = options.logger ?? consoleLogger;
	const limits = resolveLimits({
		...options.limits,
		...(options.idleUnloadMs !== undefined ? { idleUnloadMs: options.idleUnloadMs } : {})
	});
	const dataDir = options.dataDir ?? (options.store ? null : './data');
	// One pool for everything that lives in PostgreSQL (DATABASE_URL); closed last (relay.close).
	const pgKit = options.databaseUrl && !options.store ? await importPostgres() : null;
	const postgres = pgKit && options.databaseUrl ? await pgKit.openPostgres(options.databaseUrl, { logger }) : null;
	// Refuses to start on a damaged database (DamagedFileError names it); the key file is checked as it loads.
	if (dataDir !== null && !postgres) checkDatabase(path.join(dataDir, DB_FILE));
	const storageHealth = new StorageHealth();
	const store = monitorStore(
		options.store ?? (postgres && pgKit ? new pgKit.PgStore(postgres.pool) : SqliteStore.open(dataDir ?? './data')),
		storageHealth
	);
	// Devices, invitations and revocations beside the documents: in PostgreSQL shared by every relay process (the
	// signing key stays in dataDir/keys, which every process of one deployment must share), else in SQLite.
	const credentials = await Credentials.open(dataDir, options.credentials, logger, postgres && pgKit ? new pgKit.PgAccessStore(postgres.pool) : undefined);
	const photos = openPhotoStore(dataDir, {
		meta: options.photoMeta ?? (postgres && pgKit ? new pgKit.PgPhotoMeta(postgres.pool) : undefined),
		blobs: options.photoBlobs
	});
	const seedIfEmpty = async (): Promise<Awaited<ReturnType<FirstStartSeed['seed']>> | null> => {
		if (!options.seed || (await store.docCount()) > 0) return null;
		const result = await options.seed.seed(store);
		logger.info(`seeded the first-start content: ${result.docs} documents`);
		return result;
	};
	// Processes starting together on an empty store seed it once: one at a time, the others then find it full.
	const seeded = options.seed && options.fanout ? await withLease(options.fanout, 'first-start', seedIfEmpty) : await seedIfEmpty();
	const hub = new Hub(store, limits, logger);
	hub.onUnreadable = (doc, error) => storageHealth.readFailed(`document ${doc}`, error);
	// With other relay processes: commits, presence and revocations reach them (fanout/cluster.ts). A revocation
	// message only makes the others read the shared revocation log now rather than at their next poll.
	const cluster = options.fanout
		? await ClusterLink.start({
				...options.cluster,
				hub,
				fanout: options.fanout,
				logger,
				onRevoked: () => void credentials.poll().then(() => credentials.poll())
			})
		: null;
	if (cluster) credentials.onRevoked = (id) => cluster.revoked([id]);
	// The publishers write derived documents and must run on one process at a time: with other relay processes,
	// on the holder of the `publishers` lease (leadership.ts), handed over when it dies or shuts down.
	const photoGcOptions = {
		photos,
		readState: (doc: string) => storedState((name) => store.loadUpdates(name), doc),
		graceMs: limits.photoGcGraceMs,
		logger
	};
	const startFeatures = () => ({
		// The public tally publisher (follows the hub's change feed).
		polls: createPolls({ hub, credentials, logger }),
		// Each community's reports (aggregates only) and the correction API (reports.ts).
		reports: createReports({ ...options.reports, hub, credentials, logger }),
		// Matters referred to the street office, copied without names, and its answers carried back (referrals.ts).
		referrals: new ReferralBridge({ hub, logger }),
		// Each community's public points board: totals, opted-in names, stock and talent counts (points-board.ts).
		pointsBoard: createPointsBoard({ ...options.pointsBoard, hub, logger }),
		// Receipts of room bookings, the relay's confirmation rule and each room's public calendar (rooms-board.ts).
		roomsBoard: createRoomsBoard({ ...options.roomsBoard, hub, logger }),
		// Photo garbage collection: one scan for all processes (every photoGcIntervalMs), photo-gc.ts.
		photoGc: schedulePhotoGc({ ...photoGcOptions, intervalMs: limits.photoGcIntervalMs })
	});
	let features: ReturnType<typeof startFeatures> | null = null;
	const stopFeatures = async () => {
		const running = features;
		features = null;
		if (!running) return;
		await running.polls.close();
		await running.reports.close();
		await running.referrals.close();
		await running.pointsBoard.close();
		await running.roomsBoard.close();
		await running.photoGc.stop();
	};
	const leadership = cluster
		? cluster.leadership('publishers', {
				ttlMs: options.cluster?.leaseTtlMs,
				onGain: () => {
					logger.info('this relay process now runs the publishers');
					features = startFeatures();
				},
				onLose: stopFeatures
			})
		: null;
	if (!leadership) features = startFeatures();
	// The resident's ballot endpoint answers on every process.
	const ballots = createPolls({ hub, credentials, logger, publish: false });
	// Report corrections answer on every process too: checked here, applied by the process running the reports
	// publisher, asked over the fan-out when that is another one (it answers with the version it appended).
	cluster?.answer(CORRECTION_TOPIC, (body) => {
		if (!features) return null;
		const c = body as { community: string; period: string; reason: string; by: string };
		return features.reports.publisher.correct(c.community, parsePeriod(c.period), c.reason, c.by);
	});
	const corrections = correctionRoute(async (community, period, reason, by) => {
		if (features) return features.reports.publisher.correct(community, period, reason, by);
		if (!cluster) throw new ApiFailure('unavailable', 'the report publisher is not running: try again in a minute');
		try {
			const version = await cluster.ask(CORRECTION_TOPIC, { community, period: `${period.kind}:${period.key}`, reason, by });
			if (typeof version !== 'number') throw new ClusterRequestError('the report publisher answered without a version', null);
			return version;
		} catch (error) {
			if (!(error instanceof ClusterRequestError)) throw error;
			const code = error.code && error.code in API_STATUS_CODES ? (error.code as ApiErrorCode) : 'unavailable';
			throw new ApiFailure(code, error.code ? error.message : `report corrections: ${error.message}; try again in a minute`);
		}
	}, credentials);
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
				const admin = auth === 'open' || (verified?.ok === true && can(verified.grant, 'read-relay-health'));
				if (!admin) return summary;
				const stats = await hub.stats().catch(() => null);
				return { ...summary, ...stats, lastFailure: storage.lastFailure };
			},
			api: createApi({
				credentials,
				// Shared by every process (a redeeming device has no credential to be routed on): shared-rate-limit.ts.
				joinLimiter: options.fanout
					? new SharedRateLimiter(options.fanout, 'joins', joinsPerMinute, joinsPerMinute / 60, logger)
					: new KeyedRateLimiter(joinsPerMinute, joinsPerMinute / 60),
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
					ballots.route,
					corrections
				]
			})
		})
	);
	// On demand (relay.collectPhotos) on any process; the periodic collection runs with the publishers.
	const photoGc = schedulePhotoGc({ ...photoGcOptions, intervalMs: 0 });
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
		// Read now: the closures made here live as long as the socket, and would keep the request (its URL and
		// headers) alive with them.
		const from = clientAddress(req, options.trustProxy ?? false);
		wss.handleUpgrade(req, socket, head, (ws) => {
			const address = hub.budgets.openAddress(from);
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
		seeded && options.bootstrapInvitations !== false ? await seeded.invitations(credentials, options.publicOrigin ?? url) : [];

	let closed: Promise<void> | null = null;
	const close = (): Promise<void> =>
		(closed ??= (async () => {
			closing = true;
			const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeIdleConnections();
			// Deliver acks for everything already received, then close the sockets and flush what raced in.
			// Hands the publishers over to another process at once (the lease is released), then stops linking.
			if (leadership) await leadership.stop();
			await stopFeatures();
			await ballots.close();
			await photoGc.stop();
			await hub.flush();
			for (const conn of connections) conn.close(CloseCode.ShuttingDown, 'relay shutting down');
			await hub.close();
			await cluster?.close();
			await store.close();
			await credentials.close();
			await photos.close();
			await postgres?.close();
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
		// The periodic collector when this process runs it (one pass at a time), else an on-demand one.
		collectPhotos: () => (features?.photoGc ?? photoGc).runNow(),
		close
	};
}

/**
 * The PostgreSQL storage, imported only when DATABASE_URL asks for it: pg (and the fetch machinery it loads)
 * would add ~12 MB to the RSS of every relay on SQLite.
 */
async function importPostgres() {
	const [db, store, access, photos] = await Promise.all([
		import('./storage/postgres/db'),
		import('./storage/postgres/pg-store'),
		import('./storage/postgres/access-pg'),
		import('./storage/postgres/photos-pg')
	]);
	return { openPostgres: db.openPostgres, PgStore: store.PgStore, PgAccessStore: access.PgAccessStore, PgPhotoMeta: photos.PgPhotoMeta };
}
