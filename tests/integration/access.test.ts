/**
 * Access per document with real credentials: 'none' refuses before any byte of a document, 'read' receives but
 * cannot write, the change feed lists only what a device may read. (The full role × kind table is in
 * access-matrix.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BatchStatus, CloseCode, MuxMessage } from '../../src/lib/protocol/messages';
import { docUrl as docUrlOf, mintToken, provider, RawClient, removeDir, sleep, startTestRelay, SyncClient, waitFor, whenSynced } from './helpers';

const tokens: Record<'resident' | 'worker' | 'admin', string> = { resident: '', worker: '', admin: '' };

let relay: Awaited<ReturnType<typeof startTestRelay>>;

beforeAll(async () => {
	relay = await startTestRelay();
	tokens.resident = await mintToken(relay, { role: 'resident', community: 'demo', household: 'h1' });
	tokens.worker = await mintToken(relay, { role: 'grid_worker', community: 'demo', grids: ['g1'] });
	tokens.admin = await mintToken(relay, { role: 'community_admin', community: 'demo' });
	const seed = (doc: string, key: string) => {
		const d = new Y.Doc();
		d.getMap('meta').set('title', key);
		return { doc, data: Y.encodeStateAsUpdate(d) };
	};
	await relay.store.appendUpdates([
		seed('demo:community:main', 'community'),
		seed('demo:households:g1', 'register g1'),
		seed('demo:households:g2', 'register g2')
	]);
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

const docUrl = (doc: string, token?: string) => docUrlOf(relay.url, doc, token);

describe('/ws/<doc>', () => {
	it('refuses a connection without a valid credential with 4401', async () => {
		const c = new RawClient(docUrl('demo:community:main', 'forged'));
		expect((await c.closed).code).toBe(CloseCode.Unauthorized);
		expect(c.received).toHaveLength(0);
	});

	it("refuses 'none' with 4403 before any byte of the document", async () => {
		const c = new RawClient(docUrl('demo:households:g1', tokens.resident));
		const closed = await c.closed;
		expect(closed.code).toBe(CloseCode.Forbidden);
		expect(closed.reason).toMatch(/forbidden/);
		expect(c.received).toHaveLength(0);
	});

	it("lets 'read' receive the document but drops its edits", async () => {
		const doc = new Y.Doc();
		const p = provider(relay.url, 'demo:community:main', doc, { token: tokens.resident });
		await whenSynced(p);
		expect(doc.getMap('meta').get('title')).toBe('community');
		const head = (await relay.hub.stats()).headSeq;
		doc.getMap('meta').set('title', 'defaced');
		await sleep(100);
		expect((await relay.hub.stats()).headSeq).toBe(head);
		p.destroy();
		const check = new Y.Doc();
		const p2 = provider(relay.url, 'demo:community:main', check, { token: tokens.admin });
		await whenSynced(p2);
		expect(check.getMap('meta').get('title')).toBe('community');
		p2.destroy();
	});

	it("lets 'write' change its own grid's register", async () => {
		const doc = new Y.Doc();
		const p = provider(relay.url, 'demo:households:g1', doc, { token: tokens.worker });
		await whenSynced(p);
		// What a register's meta may hold is its grid (write-rules.ts).
		doc.getMap('meta').set('grid', 'g1');
		await waitFor(async () => {
			const rows = await relay.store.loadUpdates('demo:households:g1');
			const d = new Y.Doc();
			for (const u of rows) Y.applyUpdate(d, u);
			return d.getMap('meta').get('grid') === 'g1';
		}, { what: 'stored' });
		p.destroy();
		const other = new RawClient(docUrl('demo:households:g2', tokens.worker));
		expect((await other.closed).code).toBe(CloseCode.Forbidden);
	});
});

describe('/sync', () => {
	it('applies access per document in BatchSync, Subscribe, Update and the change feed', async () => {
		const c = await SyncClient.connect(relay.url, tokens.resident);
		const empty = Y.encodeStateVector(new Y.Doc());
		c.sendFrame({
			kind: MuxMessage.BatchSync,
			requestId: 1,
			entries: ['demo:community:main', 'demo:households:g1', 'demo:proposal:p1'].map((doc) => ({ doc, stateVector: empty }))
		});
		const reply = await c.waitFrame(MuxMessage.BatchSyncReply);
		expect(reply.entries.map((e) => e.status)).toEqual([BatchStatus.ReadOnly, BatchStatus.Forbidden, BatchStatus.Missing]);
		expect(reply.entries[0]?.diff.length).toBeGreaterThan(0);
		expect(reply.entries[1]?.diff).toHaveLength(0);

		c.sendFrame({ kind: MuxMessage.Subscribe, doc: 'demo:households:g1' });
		const refused = await c.waitFrame(MuxMessage.DocError, (f) => f.doc === 'demo:households:g1');
		expect(refused.code).toBe(CloseCode.Forbidden);
		await sleep(50);
		expect(c.frames.some((f) => f.kind === MuxMessage.Doc)).toBe(false);

		const d = new Y.Doc();
		d.getMap('meta').set('title', 'x');
		c.sendFrame({ kind: MuxMessage.Update, requestId: 2, doc: 'demo:community:main', update: Y.encodeStateAsUpdate(d) });
		const denied = await c.waitFrame(MuxMessage.DocError, (f) => f.requestId === 2);
		expect(denied.code).toBe(CloseCode.Forbidden);
		expect(denied.reason).toMatch(/read-only/);

		c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		const listed = await c.waitFrame(MuxMessage.Changes);
		expect(listed.entries.map((e) => e.doc)).not.toContain('demo:households:g1');
		expect(listed.entries.map((e) => e.doc)).toContain('demo:community:main');

		// A change to a register the resident may not see is not pushed to them.
		const admin = await SyncClient.connect(relay.url, tokens.admin);
		const register = new Y.Doc();
		register.getMap('meta').set('grid', 'g2');
		const proposal = new Y.Doc();
		proposal.getMap('meta').set('title', 'private');
		admin.sendFrame({ kind: MuxMessage.Update, requestId: 3, doc: 'demo:households:g2', update: Y.encodeStateAsUpdate(register) });
		admin.sendFrame({ kind: MuxMessage.Update, requestId: 4, doc: 'demo:proposal:p1', update: Y.encodeStateAsUpdate(proposal) });
		await admin.waitFrame(MuxMessage.Ack, (f) => f.requestId === 3);
		await admin.waitFrame(MuxMessage.Ack, (f) => f.requestId === 4);
		const pushed = await c.waitFrame(MuxMessage.Changes, (f) => f.entries.some((e) => e.doc === 'demo:proposal:p1'));
		expect(pushed.entries.map((e) => e.doc)).toEqual(['demo:proposal:p1']);
		admin.close();
		c.close();
	});

	it('refuses a /sync connection without a valid credential with 4401', async () => {
		const c = new SyncClient(relay.url, 'forged');
		expect((await c.closed).code).toBe(CloseCode.Unauthorized);
	});
});
