/**
 * HTTP side of the relay: the built app (SvelteKit adapter-static output), `/api/health` and the API (api.ts).
 * Every response carries the security headers of security-headers.ts; HTML gets a CSP with the hashes of its
 * inline scripts.
 *
 * Caching follows how the PWA updates: `index.html` and `service-worker.js` must be revalidated on every load
 * (no-cache) or a device would keep an old shell; `/_app/immutable/*` carries content hashes in its names, so it
 * is cached for a year. Unknown paths without a file extension fall back to index.html (client-side routing);
 * unknown files are 404. Compressible files are gzipped when the client accepts it (a precompressed `.gz`/`.br`
 * beside the file is preferred).
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { sendJson } from './api';
import { htmlPolicy, setSecurityHeaders } from './security-headers';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.txt': 'text/plain; charset=utf-8',
	'.xml': 'application/xml; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.gif': 'image/gif',
	'.webp': 'image/webp',
	'.avif': 'image/avif',
	'.ico': 'image/x-icon',
	'.wasm': 'application/wasm',
	'.woff': 'font/woff',
	'.woff2': 'font/woff2',
	'.ttf': 'font/ttf',
	'.otf': 'font/otf',
	'.pdf': 'application/pdf'
};

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.map', '.txt', '.xml', '.svg', '.wasm']);
const IMMUTABLE_PREFIX = '/_app/immutable/';
const NO_CACHE = new Set(['/index.html', '/service-worker.js']);

export interface HttpOptions {
	staticDir: string;
	/** `/api/health`: answered 200 when `ok`, 503 otherwise (e.g. storage failing). */
	health(req: IncomingMessage): Promise<{ ok: boolean }>;
	/** Handles every other `/api/*` path. */
	api?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
}

interface Served {
	file: string;
	stat: fs.Stats;
	/** URL path of the file actually served, which decides its caching. */
	urlPath: string;
}

export function createHttpHandler(options: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
	const root = path.resolve(options.staticDir);
	const gzipCache = new Map<string, Buffer>();
	let gzipBytes = 0;
	const policies = new Map<string, string>();

	const htmlCsp = (file: string, stat: fs.Stats): string => {
		const key = `${file}:${stat.mtimeMs}:${stat.size}`;
		let csp = policies.get(key);
		if (!csp) {
			csp = htmlPolicy(fs.readFileSync(file, 'utf8'));
			if (policies.size > 1_000) policies.clear();
			policies.set(key, csp);
		}
		return csp;
	};

	const gzipped = (file: string, stat: fs.Stats): Buffer => {
		const key = `${file}:${stat.mtimeMs}:${stat.size}`;
		let out = gzipCache.get(key);
		if (!out) {
			out = zlib.gzipSync(fs.readFileSync(file));
			gzipCache.set(key, out);
			gzipBytes += out.length;
			// A crude bound: the app is small; rebuilds change keys, so drop everything when it grows.
			if (gzipBytes > 64 * 1024 * 1024) {
				gzipCache.clear();
				gzipBytes = 0;
			}
		}
		return out;
	};

	const statFile = (file: string): fs.Stats | null => {
		try {
			const stat = fs.statSync(file);
			return stat.isFile() ? stat : null;
		} catch {
			return null;
		}
	};

	const resolve = (urlPath: string): Served | 'not-found' | 'fallback' => {
		const file = path.join(root, urlPath);
		if (file !== root && !file.startsWith(root + path.sep)) return 'not-found';
		const candidates: Array<[string, string]> = [[file, urlPath]];
		if (urlPath.endsWith('/')) candidates.push([path.join(file, 'index.html'), `${urlPath}index.html`]);
		else if (!path.extname(urlPath)) {
			candidates.push([`${file}.html`, `${urlPath}.html`], [path.join(file, 'index.html'), `${urlPath}/index.html`]);
		}
		for (const [candidate, served] of candidates) {
			const stat = statFile(candidate);
			if (stat) return { file: candidate, stat, urlPath: served };
		}
		return path.extname(urlPath) ? 'not-found' : 'fallback';
	};

	const sendFile = (req: IncomingMessage, res: ServerResponse, served: Served): void => {
		const { file, stat, urlPath } = served;
		const ext = path.extname(file).toLowerCase();
		res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
		if (ext === '.html') res.setHeader('Content-Security-Policy', htmlCsp(file, stat));
		if (urlPath.startsWith(IMMUTABLE_PREFIX)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
		else if (NO_CACHE.has(urlPath) || ext === '.html') res.setHeader('Cache-Control', 'no-cache');
		else res.setHeader('Cache-Control', 'public, max-age=0, must-revalidate');
		const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
		res.setHeader('ETag', etag);
		res.setHeader('Last-Modified', stat.mtime.toUTCString());
		if (req.headers['if-none-match'] === etag) {
			res.statusCode = 304;
			res.end();
			return;
		}
		const accept = String(req.headers['accept-encoding'] ?? '');
		if (COMPRESSIBLE.has(ext) && stat.size > 1024) {
			res.setHeader('Vary', 'Accept-Encoding');
			for (const [encoding, suffix] of [
				['br', '.br'],
				['gzip', '.gz']
			] as const) {
				const pre = accept.includes(encoding) ? statFile(file + suffix) : null;
				if (pre) {
					res.setHeader('Content-Encoding', encoding);
					res.setHeader('Content-Length', pre.size);
					if (req.method === 'HEAD') res.end();
					else fs.createReadStream(file + suffix).pipe(res);
					return;
				}
			}
			if (accept.includes('gzip')) {
				const body = gzipped(file, stat);
				res.setHeader('Content-Encoding', 'gzip');
				res.setHeader('Content-Length', body.length);
				res.end(req.method === 'HEAD' ? undefined : body);
				return;
			}
		}
		res.setHeader('Content-Length', stat.size);
		if (req.method === 'HEAD') res.end();
		else fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
	};

	return (req, res) => {
		setSecurityHeaders(res);
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://relay');
			let urlPath: string;
			try {
				urlPath = decodeURIComponent(url.pathname);
			} catch {
				res.statusCode = 400;
				res.end('bad request');
				return;
			}
			if (urlPath === '/api/health') {
				const health = await options.health(req);
				sendJson(res, health.ok ? 200 : 503, health);
				return;
			}
			if (urlPath.startsWith('/api/')) {
				if (options.api) await options.api(req, res, urlPath);
				else sendJson(res, 404, { error: 'not_found', message: `no API at ${urlPath}` });
				return;
			}
			if (req.method !== 'GET' && req.method !== 'HEAD') {
				res.statusCode = 405;
				res.setHeader('Allow', 'GET, HEAD');
				res.end('method not allowed');
				return;
			}
			const index = statFile(path.join(root, 'index.html'));
			if (!index) {
				res.statusCode = 503;
				res.setHeader('Content-Type', 'text/plain; charset=utf-8');
				res.setHeader('Cache-Control', 'no-store');
				res.end(`Courtyard relay is running, but the app is not built: no index.html in ${root}.\nRun \`npm run build\` and restart (or set STATIC_DIR).\n`);
				return;
			}
			const found = resolve(urlPath);
			if (found === 'not-found') {
				res.statusCode = 404;
				res.setHeader('Content-Type', 'text/plain; charset=utf-8');
				res.end('not found');
				return;
			}
			sendFile(req, res, found === 'fallback' ? { file: path.join(root, 'index.html'), stat: index, urlPath: '/index.html' } : found);
		})().catch(() => {
			if (!res.headersSent) res.statusCode = 500;
			res.end();
		});
	};
}
