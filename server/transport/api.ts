/**
 * The relay's HTTP API (types in src/lib/protocol/api.ts). JSON in and out; every error is
 * `{ error: ApiErrorCode, message }` with the matching status.
 *
 *   POST /api/join                     redeem an invitation code → { token, device }     (rate-limited per IP)
 *   GET  /api/me                       the calling device's record                     (any valid credential)
 *   POST /api/invitations              create an invitation → { invitation, code, link }  (community admin)
 *   GET  /api/devices                  the community's devices → { devices }              (community admin)
 *   POST /api/devices/<id>/revoke      revoke a device; its connections close at once     (community admin)
 *
 * Admin calls carry the credential as `Authorization: Bearer <token>`; a community admin acts within their own
 * community only, and may invite every role but street admin (those come from the CLI). Request bodies must be
 * JSON (which a cross-site form cannot send) and at most `maxBodyBytes`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Grant } from '../../src/lib/domain/access';
import { INVITATION_CODE_MAX, INVITATION_LABEL_MAX, INVITATION_MAX_USES, INVITATION_TTL_S } from '../../src/lib/domain/invitation';
import { type Action, can } from '../../src/lib/domain/permissions';
import type {
	ApiError,
	ApiErrorCode,
	CreateInvitationRequest,
	CreateInvitationResponse,
	DeviceList,
	JoinRequest,
	JoinResponse
} from '../../src/lib/protocol/api';
import type { Credentials } from '../auth/credentials';
import { GrantError, normalizeGrant, parseRole } from '../auth/grants';
import type { Logger } from '../core/log';
import type { KeyedRateLimiter } from '../core/rate-limit';

export interface ApiOptions {
	credentials: Credentials;
	/** Invitation redemptions per client address (KeyedRateLimiter; across processes: fanout/shared-rate-limit.ts). */
	joinLimiter: Pick<KeyedRateLimiter, 'take'> | { take(key: string): Promise<ReturnType<KeyedRateLimiter['take']>> };
	/** Origin for invitation links, e.g. https://courtyard.example.org; default: the request's Host. */
	publicOrigin?: string;
	/** Take the client address from X-Forwarded-For (behind a reverse proxy). */
	trustProxy?: boolean;
	maxBodyBytes: number;
	logger: Logger;
	/** Feature APIs (photos, ballots …) mounted beside the core ones; tried in order after them. */
	routes?: readonly ApiRoute[];
}

/** What a feature route gets from the core API: the caller's verified credential and body parsing. */
export interface ApiContext {
	/** The verified credential of `Authorization: Bearer <token>`; throws ApiFailure('unauthorized' …) otherwise. */
	authenticate(req: IncomingMessage): Promise<{ deviceId: string; grant: Grant }>;
	/** Throws ApiFailure('invalid') (answered 405 with Allow) unless the method is `allowed`. */
	method(req: IncomingMessage, allowed: string): void;
	/** A JSON object body of at most maxBodyBytes. */
	readJson(req: IncomingMessage): Promise<Record<string, unknown>>;
	logger: Logger;
}

export interface ApiRoute {
	/** Matched against the decoded path; capture groups are passed to `handle`. */
	path: RegExp;
	handle(req: IncomingMessage, res: ServerResponse, params: string[], ctx: ApiContext): Promise<void>;
}

const STATUS: Record<ApiErrorCode, number> = {
	unauthorized: 401,
	revoked: 401,
	forbidden: 403,
	invalid: 400,
	not_found: 404,
	invitation_expired: 410,
	invitation_used_up: 410,
	rate_limited: 429,
	too_large: 413,
	quota_exceeded: 413,
	unavailable: 503
};

export class ApiFailure extends Error {
	constructor(
		readonly code: ApiErrorCode,
		message: string,
		readonly headers: Record<string, string> = {}
	) {
		super(message);
	}
}

export const DEFAULT_INVITATION_TTL_S = INVITATION_TTL_S.default;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.statusCode = status;
	res.setHeader('Content-Type', 'application/json; charset=utf-8');
	res.setHeader('Cache-Control', 'no-store');
	res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, code: ApiErrorCode, message: string, headers: Record<string, string> = {}): void {
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	const body: ApiError = { error: code, message };
	sendJson(res, STATUS[code], body);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
	if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
		throw new ApiFailure('invalid', 'send a JSON body (Content-Type: application/json)');
	}
	const tooLarge = () => new ApiFailure('too_large', `request body larger than ${maxBytes} bytes`, { Connection: 'close' });
	if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > maxBytes) throw tooLarge();
		chunks.push(chunk);
	}
	let body: unknown;
	try {
		body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw new ApiFailure('invalid', 'the body is not valid JSON');
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiFailure('invalid', 'the body must be a JSON object');
	return body as Record<string, unknown>;
}

/** The client's address for per-address limits: the last X-Forwarded-For hop when behind a trusted proxy. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
	if (trustProxy) {
		const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
		const last = forwarded.at(-1);
		if (last) return last;
	}
	return req.socket.remoteAddress ?? 'unknown';
}

function requestOrigin(req: IncomingMessage, options: ApiOptions): string {
	if (options.publicOrigin) return options.publicOrigin.replace(/\/+$/, '');
	const host = String(req.headers.host ?? '');
	const proto = options.trustProxy && req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
	return /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${proto}://${host}` : 'http://localhost';
}

export const invitationLink = (origin: string, code: string) => `${origin.replace(/\/+$/, '')}/join?code=${encodeURIComponent(code)}`;

function optionalInt(value: unknown, what: string, min: number, max: number, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new ApiFailure('invalid', `${what} must be a whole number from ${min} to ${max}`);
	}
	return value;
}

function text(value: unknown, what: string, max: number, fallback: string): string {
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'string') throw new ApiFailure('invalid', `${what} must be a string`);
	return value.trim().slice(0, max);
}

/** The credential of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: IncomingMessage): string | null {
	return /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? null;
}

export function createApi(options: ApiOptions): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
	const { credentials } = options;

	const authenticate = async (req: IncomingMessage) => {
		const verified = await credentials.verify(bearerToken(req));
		if (!verified.ok) throw new ApiFailure(verified.error, verified.reason);
		return verified;
	};

	const admin = async (req: IncomingMessage, action: Action) => {
		const caller = await authenticate(req);
		if (!can(caller.grant, action)) throw new ApiFailure('forbidden', 'only a community admin may do this');
		return caller;
	};

	const method = (req: IncomingMessage, allowed: string) => {
		if (req.method !== allowed) throw new ApiFailure('invalid', `use ${allowed}`, { Allow: allowed });
	};

	const join = async (req: IncomingMessage, res: ServerResponse) => {
		method(req, 'POST');
		const limited = await options.joinLimiter.take(clientAddress(req, options.trustProxy ?? false));
		if (!limited.ok) {
			throw new ApiFailure('rate_limited', 'too many attempts to join: wait a minute and try again', {
				'Retry-After': String(limited.retryAfterSeconds)
			});
		}
		const body = (await readJson(req, options.maxBodyBytes)) as Partial<Record<keyof JoinRequest, unknown>>;
		if (typeof body.code !== 'string' || body.code.length === 0 || body.code.length > INVITATION_CODE_MAX) {
			throw new ApiFailure('invalid', 'code must be the invitation code from the link');
		}
		const deviceName = text(body.deviceName, 'deviceName', 100, '') || 'unnamed device';
		const result = await credentials.redeem(body.code.trim(), deviceName);
		if (!result.ok) throw new ApiFailure(result.error, result.message);
		options.logger.info(`device ${result.device.id} joined as ${result.device.grant.role} of ${result.device.grant.community}`);
		const response: JoinResponse = { token: result.token, device: result.device };
		sendJson(res, 200, response);
	};

	const invite = async (req: IncomingMessage, res: ServerResponse) => {
		method(req, 'POST');
		const caller = await admin(req, 'issue-invitation');
		const body = (await readJson(req, options.maxBodyBytes)) as Partial<Record<keyof CreateInvitationRequest, unknown>>;
		if (body.community !== undefined && body.community !== caller.grant.community) {
			throw new ApiFailure('forbidden', `you may invite only into your own community (${caller.grant.community})`);
		}
		const invited = parseRole(body.role);
		if (invited && !can(caller.grant, 'issue-invitation', { role: invited })) {
			throw new ApiFailure('forbidden', 'street admin invitations are issued with the admin command line');
		}
		let grant: Grant;
		try {
			grant = normalizeGrant({ role: body.role, community: caller.grant.community, grids: body.grids, household: body.household });
		} catch (error) {
			if (error instanceof GrantError) throw new ApiFailure('invalid', error.message);
			throw error;
		}
		const expiresIn = optionalInt(body.expiresIn, 'expiresIn', INVITATION_TTL_S.min, INVITATION_TTL_S.max, INVITATION_TTL_S.default);
		const maxUses = optionalInt(body.maxUses, 'maxUses', 1, INVITATION_MAX_USES, 1);
		const label = text(body.label, 'label', INVITATION_LABEL_MAX, '');
		const { invitation, code } = await credentials.createInvitation(grant, {
			expiresAt: Date.now() + expiresIn * 1000,
			maxUses,
			label,
			createdBy: caller.deviceId
		});
		const response: CreateInvitationResponse = { invitation, code, link: invitationLink(requestOrigin(req, options), code) };
		sendJson(res, 201, response);
	};

	const devices = async (req: IncomingMessage, res: ServerResponse) => {
		method(req, 'GET');
		const caller = await admin(req, 'manage-devices');
		const response: DeviceList = { devices: await credentials.devices(caller.grant.community) };
		sendJson(res, 200, response);
	};

	const revoke = async (req: IncomingMessage, res: ServerResponse, id: string) => {
		method(req, 'POST');
		const caller = await admin(req, 'manage-devices');
		const device = await credentials.device(id);
		// Another community's device is reported as missing: an admin learns nothing about other communities.
		if (!device || device.grant.community !== caller.grant.community) throw new ApiFailure('not_found', `no device ${id} in your community`);
		const revoked = await credentials.revoke(id);
		if (!revoked) throw new ApiFailure('not_found', `no device ${id}`);
		options.logger.info(`device ${id} revoked by ${caller.deviceId}`);
		sendJson(res, 200, revoked);
	};

	const me = async (req: IncomingMessage, res: ServerResponse) => {
		method(req, 'GET');
		const caller = await authenticate(req);
		const device = await credentials.device(caller.deviceId);
		if (!device) throw new ApiFailure('unauthorized', 'invalid credential');
		const { jti: _jti, ...info } = device;
		sendJson(res, 200, info);
	};

	const context: ApiContext = {
		authenticate,
		method,
		readJson: (req) => readJson(req, options.maxBodyBytes),
		logger: options.logger
	};

	return async (req, res, path) => {
		try {
			if (path === '/api/join') return await join(req, res);
			if (path === '/api/me') return await me(req, res);
			if (path === '/api/invitations') return await invite(req, res);
			if (path === '/api/devices') return await devices(req, res);
			const revokeMatch = /^\/api\/devices\/([^/]{1,100})\/revoke$/.exec(path);
			if (revokeMatch) return await revoke(req, res, revokeMatch[1] as string);
			for (const route of options.routes ?? []) {
				const match = route.path.exec(path);
				if (match) return await route.handle(req, res, match.slice(1), context);
			}
			throw new ApiFailure('not_found', `no API at ${path}`);
		} catch (error) {
			if (error instanceof ApiFailure) {
				const status = error.headers.Allow ? 405 : STATUS[error.code];
				for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
				sendJson(res, status, { error: error.code, message: error.message } satisfies ApiError);
				return;
			}
			options.logger.warn(`API ${path} failed`, error);
			if (!res.headersSent) sendJson(res, 500, { error: 'invalid', message: 'internal error' });
			else res.end();
		}
	};
}
