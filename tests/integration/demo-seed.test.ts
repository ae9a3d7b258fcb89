/** The demo community is seeded on the first start only, and reads back through the relay. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { buildDemo, buildNeighbour } from '../../server/demo/seed';
import { BatchStatus, MuxMessage } from '../../src/lib/protocol/messages';
import { readCommunity } from '../../src/lib/schema/community-doc';
import { readHouseholds } from '../../src/lib/schema/households-doc';
import { readProposal } from '../../src/lib/schema/proposal-doc';
import { readVisits } from '../../src/lib/schema/visits-doc';
import { type ChildRelay, removeDir, spawnRelay, SyncClient, tempDir, waitFor } from './helpers';
import { cleanupAfterEach, relayForTest } from './helpers-lifecycle';
import { demoFirstStart } from '../../server/demo/invitations';

const cleanup = cleanupAfterEach();

type Health = { ok: boolean; headSeq: number; docs: number; rooms?: number };

async function health(url: string): Promise<Health> {
	return (await (await fetch(`${url}/api/health`)).json()) as Health;
}

describe('demo seed', () => {
	it('seeds on the first start of main.ts and not on the second', async () => {
		const dataDir = tempDir();
		cleanup.push(() => removeDir(dataDir));
		const stop = async (relay: ChildRelay) => {
			relay.child.kill('SIGTERM');
			expect(await relay.exited).toBe(0);
		};
		const first = await spawnRelay(dataDir, { SEED: '1', COURTYARD_AUTH: 'open' });
		// Every document the demo builds (community, registers, proposals, visits, polls, projects, meetings …, and
		// the neighbour community's), then the street's copies of the two referred matters, which the relay makes.
		const built = buildDemo().docs.length + buildNeighbour().docs.length;
		expect(built).toBeGreaterThan(21);
		const seeded = await waitFor(async () => {
			const h = await health(first.url);
			return h.docs === built + 2 ? h : null;
		}, { what: 'the seeded documents and the referrals' });
		await stop(first);

		const second = await spawnRelay(dataDir, { SEED: '1', COURTYARD_AUTH: 'open' });
		// The same documents and sequence (rooms open at the moment are the relay's cache, not what it stored).
		const { rooms: _rooms, ...stored } = seeded;
		expect(await health(second.url)).toMatchObject(stored);
		await stop(second);
	});

	it('reads back as the community, its registers and twelve proposals', async () => {
		const relay = await relayForTest(cleanup, { auth: 'open', seed: demoFirstStart });
		const c = await SyncClient.connect(relay.url);
		cleanup.push(() => c.close());
		c.sendFrame({ kind: MuxMessage.ListChanges, sinceSeq: 0 });
		const changes = await c.waitFrame(MuxMessage.Changes);
		c.sendFrame({
			kind: MuxMessage.BatchSync,
			requestId: 1,
			entries: changes.entries.map((e) => ({ doc: e.doc, stateVector: Y.encodeStateVector(new Y.Doc()) }))
		});
		const reply = await c.waitFrame(MuxMessage.BatchSyncReply);
		const docs = new Map(
			reply.entries.map((e) => {
				expect(e.status).toBe(BatchStatus.Ok);
				const d = new Y.Doc();
				Y.applyUpdate(d, e.diff);
				return [e.doc, d] as const;
			})
		);
		const community = readCommunity(docs.get('demo:community:main') as Y.Doc);
		expect(community.name).toBe('锦绣里社区');
		expect(community.grids).toHaveLength(4);
		expect(community.buildings).toHaveLength(20);

		const households = [...docs.entries()].filter(([name]) => name.startsWith('demo:households:')).flatMap(([, d]) => readHouseholds(d));
		expect(households.length).toBeGreaterThan(200);
		expect(households.length).toBeLessThan(600);
		const visits = [...docs.entries()].filter(([name]) => name.startsWith('demo:visits:')).flatMap(([, d]) => readVisits(d));
		expect(visits.length).toBeGreaterThan(households.length);
		const ids = new Set(households.map((h) => h.id));
		expect(visits.every((v) => ids.has(v.household))).toBe(true);

		const statuses = [...docs.entries()]
			.filter(([name]) => name.startsWith('demo:proposal:'))
			.map(([, d]) => readProposal(d).timeline.status)
			.sort();
		expect(statuses).toEqual(
			['submitted', 'screening', 'accepted', 'rejected', 'escalated', 'settled', 'topic', 'deliberating', 'voting', 'decided', 'in_progress', 'inspected', 'publicised', 'closed'].sort()
		);
	});
});
