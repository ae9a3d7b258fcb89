/**
 * The minutes page in Chromium, against the real relay serving the built app:
 *   1. the gzip size of the JavaScript the minutes page adds (opened from a meeting page, as a facilitator does),
 *      against the JavaScript of the app's home page on the same device;
 *   2. the time to open a meeting whose minutes hold 20,000 characters typed by two people (single-character
 *      edits at scattered places, with deletions, merged), against opening a meeting whose minutes hold only the
 *      template: the live editor and the meeting page (which reads the minutes for its panels), each a full page
 *      load with the documents already on the device, median of several loads, the two meetings alternating.
 * Service workers are blocked so every script is a network response that can be counted.
 */
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Actor } from '../src/lib/domain/actor';
import { meetingDocName, minutesDocName } from '../src/lib/schema/doc-names';
import { createMeeting } from '../src/lib/schema/meeting-doc';
import { createMinutes, MINUTES_CONTENT } from '../src/lib/schema/minutes-doc';
import { launchBrowser, type RelayHandle, startRelay } from '../tests/browser/harness';
import { result } from './relay-kit';
import { prng } from '../src/lib/domain/prng';

const CHARS = 20_000;
const RUNS = 7;
const PHRASES = ['物业同意先行垫付材料费', '楼长负责统计需要的户数', '居民代表提出加装扶手', '费用从公共收益中列支', '下周二前张贴公示', '老人上下楼不方便', '请网格员入户征求意见'];

const sync = (a: Y.Doc, b: Y.Doc) => {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};

function textOf(paragraph: Y.XmlElement): Y.XmlText {
	const first = paragraph.get(0);
	if (first instanceof Y.XmlText) return first;
	const text = new Y.XmlText();
	paragraph.insert(0, [text]);
	return text;
}

/** Characters of text in the minutes: what the editor shows once everything is loaded. */
function textLength(doc: Y.Doc): number {
	const walk = (n: Y.XmlElement | Y.XmlText): number => (n instanceof Y.XmlText ? n.length : n.toArray().reduce((s, c) => s + walk(c as Y.XmlElement | Y.XmlText), 0));
	return doc.getXmlFragment(MINUTES_CONTENT).toArray().reduce((s, c) => s + walk(c as Y.XmlElement | Y.XmlText), 0);
}

/**
 * Two writers type `chars` characters one edit at a time into the template's paragraphs and new ones, at the end
 * or in the middle, deleting now and then, and merge every few hundred characters: the item structure of a real
 * session rather than one pasted block.
 */
function typedMinutes(base: Y.Doc, chars: number): Y.Doc {
	const rnd = prng(20250520);
	const writers = [new Y.Doc(), new Y.Doc()];
	for (const w of writers) Y.applyUpdate(w, Y.encodeStateAsUpdate(base));
	let typed = 0;
	let sinceSync = 0;
	while (typed < chars) {
		const doc = writers[Math.floor(rnd() * 2)]!;
		const fragment = doc.getXmlFragment(MINUTES_CONTENT);
		const paragraphs = fragment.toArray().filter((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'paragraph');
		let paragraph = paragraphs[Math.floor(rnd() * paragraphs.length)];
		if (!paragraph || rnd() < 0.12) {
			paragraph = new Y.XmlElement('paragraph');
			fragment.insert(Math.floor(rnd() * (fragment.length + 1)), [paragraph]);
		}
		const text = textOf(paragraph);
		if (text.length > 20 && rnd() < 0.08) {
			const n = 1 + Math.floor(rnd() * 8);
			const at = Math.floor(rnd() * (text.length - n));
			for (let i = 0; i < n; i++) text.delete(at, 1);
		}
		const phrase = PHRASES[Math.floor(rnd() * PHRASES.length)]! + (rnd() < 0.5 ? '，' : '。');
		let at = rnd() < 0.7 ? text.length : Math.floor(rnd() * (text.length + 1));
		for (const ch of phrase) {
			if (typed >= chars) break;
			text.insert(at++, ch);
			typed++;
			sinceSync++;
		}
		if (sinceSync > 300) {
			sync(writers[0]!, writers[1]!);
			sinceSync = 0;
		}
	}
	sync(writers[0]!, writers[1]!);
	writers[1]!.destroy();
	return writers[0]!;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function connect(relay: RelayHandle, token: string, name: string, doc: Y.Doc): Promise<WebsocketProvider> {
	const p = new WebsocketProvider(`${relay.url.replace(/^http/, 'ws')}/ws`, name, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		params: { token }
	});
	return new Promise((resolve) => p.once('sync', () => resolve(p)));
}

/** Writes documents to the relay through the stock y-websocket endpoint, as a facilitator device would. */
async function upload(relay: RelayHandle, token: string, docs: { name: string; doc: Y.Doc }[]): Promise<void> {
	for (const { name, doc } of docs) {
		const copy = new Y.Doc();
		const writer = await connect(relay, token, name, copy);
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		// Stored once a fresh reader receives all of it.
		const want = Y.encodeStateVector(doc);
		for (;;) {
			const check = new Y.Doc();
			const reader = await connect(relay, token, name, check);
			const done = sameBytes(Y.encodeStateVector(check), want);
			reader.destroy();
			check.destroy();
			if (done) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		writer.destroy();
		copy.destroy();
	}
}

function meetingDocs(id: string, actor: Actor, typed: boolean): { name: string; doc: Y.Doc }[] {
	const meeting = new Y.Doc();
	const draft = {
		kind: 'bench' as const,
		title: typed ? '长篇记录的板凳会' : '空白记录的板凳会',
		day: '2025-05-20',
		time: '19:00',
		durationMin: 90,
		place: '小区凉亭',
		facilitator: actor.name,
		agenda: [{ title: '楼道爱心椅' }, { title: '电动车充电' }, { title: '垃圾分类' }],
		invitees: []
	};
	createMeeting(meeting, draft, { id, actor, now: Date.UTC(2025, 4, 18) });
	let minutes = new Y.Doc();
	createMinutes(minutes, { meetingId: id, title: draft.title, sections: [...draft.agenda, { title: '其他事项' }].map((a, i) => ({ title: `${i + 1}. ${a.title}` })) });
	if (typed) minutes = typedMinutes(minutes, CHARS);
	return [
		{ name: meetingDocName('demo', id), doc: meeting },
		{ name: minutesDocName('demo', id), doc: minutes }
	];
}

const gz = (bodies: Iterable<Buffer>) => [...bodies].reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Scripts the page fetches while `action` runs and the network settles. */
async function scriptsDuring(page: Page, action: () => Promise<void>): Promise<Map<string, Buffer>> {
	const bodies = new Map<string, Buffer>();
	const pending: Promise<void>[] = [];
	const onResponse = (res: import('playwright-core').Response) => {
		if (res.request().resourceType() !== 'script') return;
		pending.push(
			res.body().then(
				(b) => void bodies.set(res.url(), b),
				() => {}
			)
		);
	};
	page.on('response', onResponse);
	try {
		await action();
		await page.waitForLoadState('networkidle');
		await Promise.all(pending);
	} finally {
		page.off('response', onResponse);
	}
	return bodies;
}

/**
 * Ready checks, run in the page: the editor shows at least `n` characters of the minutes; the meeting page shows
 * its working panels (read from the minutes) and the published section.
 */
const editorReady = (n: number) => {
	const el = document.querySelector('[data-testid=minutes-editor][data-ready=true] [data-testid=minutes-text]');
	return !!el && (el.textContent ?? '').length >= n && performance.now();
};
const meetingReady = () =>
	!!document.querySelector('[data-testid=attendance-panel]') &&
	!!document.querySelector('[data-testid=minutes-unpublished], [data-testid=published-minutes]') &&
	performance.now();

/** Milliseconds from navigation start until the page is ready. */
async function timeTo(page: Page, url: string | null, ready: 'editor' | 'meeting', n = 0): Promise<number> {
	if (url) await page.goto(url, { waitUntil: 'commit' });
	else await page.reload({ waitUntil: 'commit' });
	const options = { polling: 'raf' as const, timeout: 60_000 };
	const handle = ready === 'editor' ? await page.waitForFunction(editorReady, n, options) : await page.waitForFunction(meetingReady, undefined, options);
	return (await handle.jsonValue()) as number;
}

export async function minutesBench(): Promise<string> {
	const relay = await startRelay();
	const browser = await launchBrowser();
	try {
		const token = await relay.token({ role: 'facilitator', community: 'demo', name: 'bench uploader' });
		// The relay takes records only in the name of the device that writes them: its credential's subject.
		const device = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string }).sub;
		const actor: Actor = { id: device, name: '周敏', role: 'facilitator' };
		const big = meetingDocs('benchtyped', actor, true);
		const empty = meetingDocs('benchempty', actor, false);
		const typedText = textLength(big[1]!.doc);
		const templateText = textLength(empty[1]!.doc);
		const updateBytes = Y.encodeStateAsUpdate(big[1]!.doc).length;
		await upload(relay, token, [...big, ...empty]);

		const context = await browser.newContext({ serviceWorkers: 'block', locale: 'zh-CN', viewport: { width: 360, height: 740 } });
		const page = await context.newPage();
		await page.goto(await relay.invite({ role: 'facilitator', community: 'demo' }));
		await page.getByTestId('join-name').fill('林晓燕');
		await page.getByTestId('join-submit').click();
		await page.getByTestId('join-done').waitFor();

		// The home page as a joined facilitator's device loads it, then what the minutes page adds to a meeting page.
		const shell = await scriptsDuring(page, async () => {
			await page.goto(relay.url, { waitUntil: 'load' });
		});
		const meetingUrl = (doc: string) => `${relay.url}/meeting?doc=${encodeURIComponent(doc)}`;
		const minutesUrl = (doc: string) => `${relay.url}/meeting/minutes?doc=${encodeURIComponent(doc)}`;
		await page.goto(meetingUrl(empty[0]!.name));
		await page.getByTestId('open-minutes').waitFor({ timeout: 30_000 });
		await page.waitForLoadState('networkidle');
		const extra = await scriptsDuring(page, async () => {
			await page.getByTestId('open-minutes').click();
			await page.locator('[data-testid=minutes-editor][data-ready=true]').waitFor({ timeout: 30_000 });
		});
		const shellGz = gz(shell.values());
		const extraGz = gz(extra.values());
		const biggest = [...extra].sort((a, b) => b[1].length - a[1].length)[0];

		// Opening, with both meetings' documents on the device (the background sync fetched them after joining):
		// the two meetings alternate, so load on the machine weighs on both alike.
		const cases = [
			{ label: 'template only', docs: empty, chars: templateText },
			{ label: `${CHARS.toLocaleString('en')} chars typed`, docs: big, chars: typedText }
		];
		const times = cases.map(() => ({ editor: [] as number[], meeting: [] as number[] }));
		for (let i = 0; i < RUNS; i++) {
			for (const [j, c] of cases.entries()) {
				times[j]!.editor.push(await timeTo(page, minutesUrl(c.docs[0]!.name), 'editor', c.chars));
				times[j]!.meeting.push(await timeTo(page, meetingUrl(c.docs[0]!.name), 'meeting'));
			}
		}
		const med = times.map((x) => ({ editor: median(x.editor), meeting: median(x.meeting) }));
		const rows = cases.map((c, j) => ({
			minutes: c.label,
			'live editor': `${med[j]!.editor.toFixed(0)} ms`,
			'meeting page': `${med[j]!.meeting.toFixed(0)} ms`
		}));
		const ratios = { editor: `${(med[1]!.editor / med[0]!.editor).toFixed(2)}×`, meeting: `${(med[1]!.meeting / med[0]!.meeting).toFixed(2)}×` };
		return String(
			result('Minutes page (Chromium, real relay, built app)', rows, [
				`extra JS of the minutes page: ${extra.size} scripts, ${kb(extraGz)} gzip (largest ${kb(gzipSync(biggest?.[1] ?? Buffer.alloc(0), { level: 9 }).length)}: the editor chunk); ` +
					`the home page of the same device loads ${shell.size} scripts, ${kb(shellGz)} gzip: the minutes page adds ${((extraGz / shellGz) * 100).toFixed(0)}% to that, and only when it is opened`,
				`20,000-character minutes: ${typedText.toLocaleString('en')} characters of text after ${CHARS.toLocaleString('en')} single-character edits by two writers (with deletions), ${kb(updateBytes)} as one Yjs update`,
				`time from navigation to the text (editor) or the panels (meeting page) on screen, median of ${RUNS} page loads; against template only: editor ${ratios.editor}, meeting page ${ratios.meeting}`
			])
		);
	} finally {
		await browser.close();
		await relay.dispose();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await minutesBench());
