/**
 * Security headers on every HTTP response of the relay.
 *
 * The Content-Security-Policy allows only same-origin code. SvelteKit's prerendered pages start the app with an
 * inline <script>; rather than 'unsafe-inline', the relay hashes the inline scripts of each HTML file it serves
 * and lists those hashes in that response's policy (cached per file version), so no build configuration is
 * needed and a rebuilt app is covered at once. The service worker caches index.html with its headers, so the
 * offline shell carries the same policy. Styles allow 'unsafe-inline' (Svelte sets style attributes and
 * transitions insert <style> elements). connect-src includes ws:/wss: for the relay's WebSockets.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

function policy(scriptHashes: readonly string[]): string {
	return [
		"default-src 'self'",
		`script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join('')}`,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"font-src 'self' data:",
		"connect-src 'self' ws: wss:",
		"worker-src 'self'",
		"manifest-src 'self'",
		"media-src 'self' blob:",
		"object-src 'none'",
		"frame-ancestors 'none'",
		"base-uri 'self'",
		"form-action 'self'"
	].join('; ');
}

export const BASE_CSP = policy([]);

const STATIC_HEADERS: ReadonlyArray<[string, string]> = [
	['X-Content-Type-Options', 'nosniff'],
	['Referrer-Policy', 'no-referrer'],
	// Photos of a problem are taken in the app; nothing else needs a device capability.
	['Permissions-Policy', 'camera=(self), microphone=(), geolocation=()'],
	['X-Frame-Options', 'DENY'],
	['Cross-Origin-Opener-Policy', 'same-origin'],
	['Cross-Origin-Resource-Policy', 'same-origin']
];

/** Sets the headers every response carries, with the base policy (no inline scripts). */
export function setSecurityHeaders(res: ServerResponse): void {
	for (const [name, value] of STATIC_HEADERS) res.setHeader(name, value);
	res.setHeader('Content-Security-Policy', BASE_CSP);
}

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/** CSP source expressions ('sha256-…') for the inline scripts of an HTML document. */
export function inlineScriptHashes(html: string): string[] {
	const hashes = new Set<string>();
	for (const [, attrs, body] of html.matchAll(INLINE_SCRIPT)) {
		if (/\bsrc\s*=/i.test(attrs ?? '')) continue;
		hashes.add(`sha256-${createHash('sha256').update(body ?? '', 'utf8').digest('base64')}`);
	}
	return [...hashes];
}

/** The policy for one HTML document: the base policy plus the hashes of its inline scripts. */
export function htmlPolicy(html: string): string {
	return policy(inlineScriptHashes(html));
}
