/**
 * The photo routes (protocol in src/lib/protocol/photos.ts), mounted beside the core API.
 *
 * A photo can show a household's home, so access follows the documents it was uploaded for: uploading needs
 * write access to the named document, and every upload — even of bytes already stored — must carry the bytes,
 * so knowing a hash is never enough to link a photo to a document one can read. Downloading needs read access
 * to at least one linked document; anything else is answered 404, as for an unknown photo.
 *
 * The body is read here rather than by the core API's JSON reader: binary, with its own limit, refused from
 * Content-Length before a byte is read, and otherwise no longer buffered once past the limit.
 *
 * New bytes count against a quota per device and per community (the document's); an upload that would pass
 * either is answered 413 `quota_exceeded`, naming the quota, before its body is read when Content-Length
 * already tells. Photos that no document refers to are deleted by the collector (photo-gc.ts), which frees quota.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessFor } from '../../src/lib/domain/access';
import { isPhotoId, PHOTO_MAX_BYTES, sniffPhotoType } from '../../src/lib/protocol/photos';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { type ApiContext, ApiFailure, type ApiRoute, sendJson } from '../transport/api';
import { PhotoQuotaError, PhotoRemovalBusyError, type PhotoStore } from '../storage/photo-store';

export interface PhotoRouteOptions {
	maxBytes?: number;
	/** Bytes of photos one device may store (Infinity: no limit). */
	deviceQuotaBytes?: number;
	/** Bytes of photos stored for one community's documents (Infinity: no limit). */
	communityQuotaBytes?: number;
}

const tooLarge = (max: number) => new ApiFailure('too_large', `a photo may be at most ${max} bytes`);
/** How long a refused upload's remaining bytes are discarded before the connection is cut. */
const LINGER_MS = 10_000;

/**
 * After an answer given before the whole body arrived: discard what is still coming (never buffered) so the
 * client can read the answer, and cut the connection once more than `cap` bytes or LINGER_MS have passed.
 * Closing at once would make the peer's kernel reset the connection, and the client would see a network error
 * instead of the answer.
 */
function discardRest(req: IncomingMessage, cap: number): void {
	let discarded = 0;
	const cut = () => req.socket?.destroy();
	const timer = setTimeout(cut, LINGER_MS);
	timer.unref();
	req.on('data', (chunk: Buffer) => {
		discarded += chunk.length;
		if (discarded > cap) cut();
	});
	req.once('end', () => clearTimeout(timer));
	req.once('close', () => clearTimeout(timer));
	req.resume();
}

/** The body and its SHA-256, reading no further than `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<{ bytes: Buffer; sha: string }> {
	return new Promise((resolve, reject) => {
		const hash = createHash('sha256');
		const chunks: Buffer[] = [];
		let size = 0;
		const done = () => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onError);
			req.off('close', onClose);
		};
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > max) {
				done();
				reject(tooLarge(max));
				return;
			}
			hash.update(chunk);
			chunks.push(chunk);
		};
		const onEnd = () => {
			done();
			resolve({ bytes: Buffer.concat(chunks, size), sha: hash.digest('hex') });
		};
		const onError = (error: Error) => {
			done();
			reject(error);
		};
		const onClose = () => onError(new Error('upload aborted'));
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onError);
		req.on('close', onClose);
	});
}

const quotaFailure = (error: PhotoQuotaError) => new ApiFailure('quota_exceeded', error.message);

export function photoRoutes(store: PhotoStore, options: PhotoRouteOptions = {}): ApiRoute[] {
	const maxBytes = options.maxBytes ?? PHOTO_MAX_BYTES;
	const deviceQuota = options.deviceQuotaBytes ?? Infinity;
	const communityQuota = options.communityQuotaBytes ?? Infinity;

	const upload = async (req: IncomingMessage, res: ServerResponse, sha: string, ctx: ApiContext) => {
		try {
			await receive(req, res, sha, ctx);
		} catch (error) {
			if (!req.complete) discardRest(req, maxBytes);
			throw error;
		}
	};

	const receive = async (req: IncomingMessage, res: ServerResponse, sha: string, ctx: ApiContext) => {
		if (!isPhotoId(sha)) throw new ApiFailure('invalid', 'a photo is named by the lower-case hex SHA-256 of its bytes');
		const doc = new URL(req.url ?? '/', 'http://relay').searchParams.get('doc') ?? '';
		const ref = parseDocName(doc);
		if (!ref) throw new ApiFailure('invalid', 'name the document the photo is for: ?doc=<document name>');
		// Who may send bytes is decided before any byte is read.
		const caller = await ctx.authenticate(req);
		if (accessFor(caller.grant, ref) !== 'write') throw new ApiFailure('forbidden', `you may not add photos to ${doc}`);
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > maxBytes) throw tooLarge(maxBytes);
		const owner = { device: caller.deviceId, community: ref.community, deviceQuota, communityQuota };
		// Refused before the body is read when the declared size cannot fit; stored bytes cost nothing again.
		if (declared > 0 && !(await store.has(sha))) {
			const used = await store.usage(owner.device, owner.community);
			if (used.device + declared > deviceQuota) throw quotaFailure(new PhotoQuotaError('device', deviceQuota, used.device));
			if (used.community + declared > communityQuota) throw quotaFailure(new PhotoQuotaError('community', communityQuota, used.community));
		}
		const body = await readBody(req, maxBytes);
		if (body.sha !== sha) throw new ApiFailure('invalid', 'the bytes do not match the SHA-256 in the path');
		const type = sniffPhotoType(body.bytes.subarray(0, 16));
		if (!type) {
			sendJson(res, 415, { error: 'invalid', message: 'a photo must be a JPEG, WebP or PNG image' });
			return;
		}
		let isNew: boolean;
		try {
			isNew = await store.put(sha, body.bytes, type, doc, owner);
		} catch (error) {
			if (error instanceof PhotoQuotaError) throw quotaFailure(error);
			// The collector is deleting these very bytes (seconds at most): the client's retry stores them anew.
			if (error instanceof PhotoRemovalBusyError) throw new ApiFailure('unavailable', error.message, { 'Retry-After': '5' });
			throw error;
		}
		sendJson(res, isNew ? 201 : 200, { sha, type, size: body.bytes.length });
	};

	const download = async (req: IncomingMessage, res: ServerResponse, sha: string, ctx: ApiContext) => {
		const caller = await ctx.authenticate(req);
		const notFound = new ApiFailure('not_found', 'no such photo');
		if (!isPhotoId(sha)) throw notFound;
		const readable = (await store.docs(sha)).some((doc) => {
			const ref = parseDocName(doc);
			return ref !== null && accessFor(caller.grant, ref) !== 'none';
		});
		if (!readable) throw notFound;
		const photo = await store.read(sha);
		if (!photo) throw notFound;
		const etag = `"${sha}"`;
		res.setHeader('Content-Type', photo.type);
		// The app keeps its own copy in IndexedDB (deleted on sign-out); the browser's HTTP cache, which ignores the
		// credential, must not keep one that a later user of a shared device could read.
		res.setHeader('Cache-Control', 'no-store');
		res.setHeader('X-Content-Type-Options', 'nosniff');
		res.setHeader('ETag', etag);
		if (req.headers['if-none-match'] === etag) {
			res.statusCode = 304;
			res.end();
			return;
		}
		res.statusCode = 200;
		res.setHeader('Content-Length', photo.bytes.length);
		res.end(req.method === 'HEAD' ? undefined : photo.bytes);
	};

	return [
		{
			path: /^\/api\/photos\/([^/]*)$/,
			async handle(req, res, [sha = ''], ctx) {
				if (req.method === 'PUT') return upload(req, res, sha, ctx);
				if (req.method === 'GET' || req.method === 'HEAD') return download(req, res, sha, ctx);
				throw new ApiFailure('invalid', 'use GET or PUT', { Allow: 'GET, HEAD, PUT' });
			}
		}
	];
}
