import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BASE_CSP, htmlPolicy, inlineScriptHashes } from './security-headers';

const sha = (s: string) => `sha256-${createHash('sha256').update(s).digest('base64')}`;

describe('CSP for HTML', () => {
	it('lists the hash of every inline script, not of external ones', () => {
		const boot = '\n\t{ import("/_app/start.js") }\n';
		const html = `<script type="module" src="/x.js"></script><div><script>${boot}</script></div><SCRIPT>a()</SCRIPT>`;
		expect(inlineScriptHashes(html)).toEqual([sha(boot), sha('a()')]);
		expect(htmlPolicy(html)).toContain(`script-src 'self' '${sha(boot)}' '${sha('a()')}'`);
	});

	it('allows no inline script by default', () => {
		expect(BASE_CSP).toContain("script-src 'self';");
		expect(BASE_CSP).not.toMatch(/unsafe-eval|'unsafe-inline'.*script/);
	});
});
