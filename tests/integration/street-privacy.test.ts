/**
 * A street admin receives aggregates and never a personal record (product design §2, acceptance story 6). On the
 * seeded demo (two communities, registers, visits, ballots, proposals with co-signers, meetings with attendance,
 * projects with pledges), once the relay has published its reports and copied the referred matters: everything
 * the street admin's device can list and fetch, on both endpoints, is only community structure, reports,
 * notices and the referrals; none of it names a household, a resident or a room; every personal document and
 * every API that could reveal one is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { buildDemo, buildNeighbour, DEMO_NEIGHBOUR, DEMO_STREET } from '../../server/demo/seed';
import { BatchStatus, CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { DOC_KINDS, parseDocName, referralsDocName, reportDocName } from '../../src/lib/schema/doc-names';
import { readReportDoc } from '../../src/lib/schema/report-doc';
import { readReferrals } from '../../src/lib/schema/referrals-doc';
import { docUrl, RawClient, removeDir, startTestRelay, SyncClient, waitFor } from './helpers';
import { demoFirstStart } from '../../server/demo/invitations';

const COMMUNITIES = ['demo', DEMO_NEIGHBOUR];
/** What a street admin may receive of a community. */
const STREET_KINDS = new Set(['community', 'report', 'referrals', 'notice']);
/** ... and, of the points documents, only the public board the relay publishes (aggregates, opted-in names). */
const streetMay = (doc: string) => STREET_KINDS.has(parseDocName(doc)?.kind ?? '') || parseDocName(doc)?.id === 'public';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let token = '';

beforeAll(async () => {
	relay = await startTestRelay({ seed: demoFirstStart, reports: { startDelayMs: 0, debounceMs: 50 } });
	token = (await relay.credentials.issue({ role: 'street_admin', community: DEMO_STREET, communities: COMMUNITIES }, '街道办')).token;
	// Wait for what the relay derives: both communities' reports, and the street's copies of referred matters.
	await waitFor(
		async () => {
			await relay.hub.flush();
			for (const c of COMMUNITIES) {
				const d = new Y.Doc();
				for (const u of await relay.store.loadUpdates(reportDocName(c))) Y.applyUpdate(d, u);
				if (readReportDoc(d).open.size === 0) return false;
			}
			// The bridge copies referred matters after the devices' writes, in the background.
			const referred = new Y.Doc();
			for (const u of await relay.store.loadUpdates(referralsDocName('demo'))) Y.applyUpdate(referred, u);
			return readReferrals(referred).cases.length > 0;
		},
		{ what: 'the published reports', timeout: 20_000 }
	);
}, 30_000);

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

/** Every household id, resident name and room number in the demo registers. */
function personalStrings(): string[] {
	const out = new Set<string>();
	for (const demo of [buildDemo(), buildNeighbour()]) {
		for (const list of demo.households.values()) {
			for (const h of list) {
				out.add(h.id);
				// Two-character names are common words; three-character full names are specific enough to look for.
				for (const m of h.members) if (m.name.length >= 3) out.add(m.name);
			}
		}
	}
	return [...out];
}

describe('what a street admin receives', () => {
	it('lists and fetches only structure, reports, notices and referrals, with no household, name or room', async () => {
		const c = await SyncClient.connect(relay.url, token);
		try {
			c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
			const listed = (await c.waitFrame(MuxMessage.Changes)).entries.map((e) => e.doc);
			expect(listed.filter((d) => !streetMay(d))).toEqual([]);
			const kinds = new Set(listed.filter((d) => parseDocName(d)?.kind !== 'points').map((d) => parseDocName(d)?.kind));
			expect([...kinds].sort()).toEqual(['community', 'notice', 'referrals', 'report']);
			c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: listed.map((doc) => ({ doc, stateVector: Y.encodeStateVector(new Y.Doc()) })) });
			const reply = await c.waitFrame(MuxMessage.BatchSyncReply);
			let everything = '';
			for (const e of reply.entries) {
				// Read-only, but for the referrals, where the street answers.
				expect(e.status, e.doc).toBe(parseDocName(e.doc)?.kind === 'referrals' ? BatchStatus.Ok : BatchStatus.ReadOnly);
				// Every piece of content the update carries, whatever root or type holds it.
				everything += JSON.stringify(Y.decodeUpdate(e.diff).structs);
			}
			// The referred matters did reach the street, and the reports hold figures.
			expect(everything).toContain('小区南门外增设人行横道和减速带');
			expect(everything).toContain('"intake"');
			const leaked = personalStrings().filter((s) => everything.includes(s));
			expect(leaked).toEqual([]);
			expect(everything).not.toMatch(/"b\d\d-\d-\d{3}"/);
		} finally {
			c.close();
		}
	});

	it('is refused every other document kind of its communities, on both endpoints', async () => {
		const stored = new Set((await relay.store.changesSince(0, 100_000)).entries.map((e) => e.doc));
		const personal = [...stored].filter((d) => {
			const p = parseDocName(d);
			return p && COMMUNITIES.includes(p.community) && !streetMay(d);
		});
		// Every such kind exists in the demo, so each is probed for real.
		expect(new Set(personal.map((d) => parseDocName(d)?.kind))).toEqual(new Set(DOC_KINDS.filter((k) => !STREET_KINDS.has(k))));
		const c = await SyncClient.connect(relay.url, token);
		try {
			c.sendFrame({ kind: MuxMessage.BatchSync, requestId: 1, entries: personal.map((doc) => ({ doc, stateVector: new Uint8Array([0]) })) });
			const reply = await c.waitFrame(MuxMessage.BatchSyncReply);
			for (const e of reply.entries) {
				expect(e.status, e.doc).toBe(BatchStatus.Forbidden);
				expect(e.diff).toHaveLength(0);
			}
		} finally {
			c.close();
		}
		for (const kind of new Set(personal.map((d) => parseDocName(d)?.kind))) {
			const doc = personal.find((d) => parseDocName(d)?.kind === kind) as string;
			const ws = new RawClient(docUrl(relay.url, doc, token));
			const closed = await ws.closed;
			expect(closed.code, doc).toBe(CloseCode.Forbidden);
			expect(ws.received, doc).toHaveLength(0);
		}
	});

	it('gets nothing personal from the HTTP API either', async () => {
		const auth = { authorization: `Bearer ${token}` };
		const get = (path: string) => fetch(`${relay.url}${path}`, { headers: auth });
		const post = (path: string, body: unknown) =>
			fetch(`${relay.url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
		// Its own credential only.
		const me = (await (await get('/api/me')).json()) as { grant: { role: string } };
		expect(me.grant.role).toBe('street_admin');
		// No device list (device names are people's), no invitations, no ballots, no corrections of a community.
		expect((await get('/api/devices')).status).toBe(403);
		expect((await post('/api/invitations', { role: 'resident', household: 'b01-1-101' })).status).toBe(403);
		expect((await post('/api/polls/any/ballot', { id: 'ballot-probe-1', option: 'yes' })).status).toBe(403);
		expect((await post('/api/reports/correct', { community: 'demo', period: 'month:2026-01', reason: '试探' })).status).toBe(403);
	});
});
