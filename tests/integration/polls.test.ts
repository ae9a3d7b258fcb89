/**
 * Household polls against the real relay: a resident votes over HTTP for their own household only, the ballot
 * lands durably in their grid's ballots document, and the relay publishes the aggregate tally into the poll
 * document — for a public poll at once, for a poll hiding its results only once it has closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import {
	type AppBallotResponse,
	type Ballot,
	type OwnBallotStatus,
	pollBallotPath,
	type PollDraft,
	RULES,
	resolveElectorate,
	tallyPoll
} from '../../src/lib/domain/poll';
import { addBallot, readBallots } from '../../src/lib/schema/ballots-doc';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import { ballotsDocName, communityDocName, householdsDocName, pollDocName } from '../../src/lib/schema/doc-names';
import type { Household } from '../../src/lib/schema/households-doc';
import { writeHouseholds } from '../../src/lib/schema/households-doc';
import { addClosure, createPoll, readPoll, readPublicTally } from '../../src/lib/schema/poll-doc';
import { deviceOf, mintToken, provider, removeDir, sleep, startTestRelay, waitFor, whenSynced } from './helpers';
import { building, communityFixture, facilitatorActor, grid, occupied, pollDraft } from '../../src/lib/domain/testing';
import { storedDoc, submitUpdate } from './helpers-devices';

const C = 'demo';
const HOUR = 3_600_000;
const facilitator = facilitatorActor();

const household = (id: string, inBuilding: string, area: number): Household => occupied(id, { building: inBuilding, area });
const G1 = [household('b01-1-101', 'b01', 80), household('b01-1-102', 'b01', 95.5), household('b02-1-101', 'b02', 60)];
const G2 = [household('b06-1-101', 'b06', 70)];

const draft = (over: Partial<PollDraft>): PollDraft => pollDraft(over, Date.now());

let relay: Awaited<ReturnType<typeof startTestRelay>>;
const tokens = { resident: '', neighbour: '', worker: '', facilitator: '', residentG2: '' };

/** Writes a document through the hub, like any client, and waits until it is durable. */
function put(name: string, write: (doc: Y.Doc) => void): Promise<void> {
	const doc = new Y.Doc();
	write(doc);
	return submitUpdate(relay, name, Y.encodeStateAsUpdate(doc));
}

/** A document's durable state, straight from storage. */
const stored = (name: string): Promise<Y.Doc> => storedDoc(relay, name);

async function vote(poll: string, body: unknown, token: string | null = tokens.resident, init: RequestInit = {}) {
	const res = await fetch(`${relay.url}${pollBallotPath(poll)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body: typeof body === 'string' ? body : JSON.stringify(body),
		...init
	});
	return { status: res.status, body: (await res.json()) as AppBallotResponse & { error?: string; message?: string } };
}

beforeAll(async () => {
	relay = await startTestRelay();
	tokens.resident = await mintToken(relay, { role: 'resident', community: C, household: 'b01-1-101' });
	tokens.neighbour = await mintToken(relay, { role: 'resident', community: C, household: 'b01-1-102' });
	tokens.residentG2 = await mintToken(relay, { role: 'resident', community: C, household: 'b06-1-101' });
	tokens.worker = await mintToken(relay, { role: 'grid_worker', community: C, grids: ['g1'] });
	tokens.facilitator = await mintToken(relay, { role: 'facilitator', community: C });
	await put(communityDocName(C), (d) =>
		writeCommunity(d, communityFixture({ id: C, name: '测试社区', grids: [grid('g1'), grid('g2')], buildings: [building('b01'), building('b02'), building('b06', 'g2')] }))
	);
	await put(householdsDocName(C, 'g1'), (d) => writeHouseholds(d, 'g1', G1));
	await put(householdsDocName(C, 'g2'), (d) => writeHouseholds(d, 'g2', G2));
	const now = Date.now();
	const polls: Record<string, Partial<PollDraft>> = {
		public: {},
		hidden: { rule: RULES.civil_code, electorate: { scope: 'grid', ids: ['g1'] }, hideResults: true },
		closed: { opensAt: now - 48 * HOUR, closesAt: now - HOUR },
		scheduled: { opensAt: now + HOUR, closesAt: now + 48 * HOUR },
		b06only: { electorate: { scope: 'building', ids: ['b06'] } }
	};
	for (const [id, over] of Object.entries(polls)) {
		await put(pollDocName(C, id), (d) => createPoll(d, draft(over), { id, actor: facilitator, now }));
	}
});

afterAll(async () => {
	await relay.close();
	removeDir(relay.dataDir);
});

describe('POST /api/polls/<poll>/ballot', () => {
	it("stores a resident's ballot durably in their grid's ballots document, once per ballot id", async () => {
		const before = Date.now();
		const first = await vote('public', { id: 'ballot-resident-1', option: 'yes' });
		expect(first.status).toBe(201);
		expect(first.body.created).toBe(true);
		expect(first.body.ballot).toMatchObject({ id: 'ballot-resident-1', household: 'b01-1-101', option: 'yes', channel: 'app' });
		expect(first.body.ballot.at).toBeGreaterThanOrEqual(before);

		// Answered only once durable: storage already holds it.
		const ballots = readBallots(await stored(ballotsDocName(C, 'g1', 'public')));
		expect(ballots).toHaveLength(1);
		expect(ballots[0]).toEqual(first.body.ballot);
		expect((await stored(ballotsDocName(C, 'g2', 'public'))).getMap('ballots').size).toBe(0);

		// A queued ballot sent again (the first answer was lost) is not stored twice.
		const again = await vote('public', { id: 'ballot-resident-1', option: 'yes' });
		expect(again.status).toBe(200);
		expect(again.body).toEqual({ ballot: first.body.ballot, created: false });
		expect(readBallots(await stored(ballotsDocName(C, 'g1', 'public')))).toHaveLength(1);
		// Another household may not reuse that id.
		expect((await vote('public', { id: 'ballot-resident-1', option: 'no' }, tokens.neighbour)).status).toBe(400);
	});

	it('writes a household of another grid into that grid’s document', async () => {
		const res = await vote('public', { id: 'ballot-g2-resident', option: 'no' }, tokens.residentG2);
		expect(res.status).toBe(201);
		expect(readBallots(await stored(ballotsDocName(C, 'g2', 'public'))).map((b) => b.household)).toEqual(['b06-1-101']);
	});

	it('refuses forged, missing and non-resident credentials', async () => {
		expect((await vote('public', { id: 'ballot-x-0001', option: 'yes' }, null)).status).toBe(401);
		const forged = await vote('public', { id: 'ballot-x-0001', option: 'yes' }, `${tokens.resident.slice(0, -4)}AAAA`);
		expect(forged.status).toBe(401);
		const worker = await vote('public', { id: 'ballot-x-0001', option: 'yes' }, tokens.worker);
		expect(worker.status).toBe(403);
		expect(worker.body.message).toMatch(/only a resident/);
		expect((await vote('public', { id: 'ballot-x-0001', option: 'yes' }, tokens.facilitator)).status).toBe(403);
	});

	it('refuses a ballot for another household', async () => {
		const res = await vote('public', { id: 'ballot-x-0002', option: 'yes', household: 'b01-1-102' });
		expect(res.status).toBe(403);
		expect(res.body).toMatchObject({ error: 'forbidden', message: expect.stringMatching(/own household/) });
	});

	it('refuses a closed, a scheduled and an unknown poll, and a household outside the electorate', async () => {
		const closed = await vote('closed', { id: 'ballot-x-0003', option: 'yes' });
		expect(closed.status).toBe(403);
		expect(closed.body.message).toMatch(/closed/);
		const scheduled = await vote('scheduled', { id: 'ballot-x-0004', option: 'yes' });
		expect(scheduled.status).toBe(403);
		expect(scheduled.body.message).toMatch(/not open yet/);
		const unknown = await vote('nonesuch', { id: 'ballot-x-0005', option: 'yes' });
		expect(unknown.status).toBe(404);
		const outside = await vote('b06only', { id: 'ballot-x-0006', option: 'yes' });
		expect(outside.status).toBe(403);
		expect(outside.body.message).toMatch(/not among this poll's voters/);
		for (const poll of ['closed', 'scheduled', 'b06only']) {
			expect((await stored(ballotsDocName(C, 'g1', poll))).getMap('ballots').size).toBe(0);
		}
	});

	it('refuses garbage bodies with a clear error', async () => {
		const cases: [unknown, RegExp][] = [
			['not json', /not valid JSON/],
			['[1,2]', /JSON object/],
			[{ option: 'yes' }, /id must be a ballot id/],
			[{ id: 'short', option: 'yes' }, /id must be a ballot id/],
			[{ id: 'ballot-x-0007', option: 7 }, /option must be/],
			[{ id: 'ballot-x-0007', option: 'maybe' }, /option must be one of yes, no/]
		];
		for (const [body, message] of cases) {
			const res = await vote('public', body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect(res.body.message).toMatch(message);
		}
		const put = await fetch(`${relay.url}${pollBallotPath('public')}`, { method: 'PUT', headers: { authorization: `Bearer ${tokens.resident}` } });
		expect(put.status).toBe(405);
		expect(put.headers.get('allow')).toBe('GET, POST');
	});
});

describe('the public tally', () => {
	it('appears in a public poll for residents, and follows a later door ballot under the conflict rule', async () => {
		const doc = new Y.Doc();
		const p = provider(relay.url, pollDocName(C, 'public'), doc, { token: tokens.resident });
		try {
			await whenSynced(p);
			const tally = await waitFor(() => {
				const t = readPublicTally(doc);
				return t && t.participants.households === 2 ? t : null;
			});
			expect(tally.electorate.households).toBe(4);
			expect(tally.options.map((o) => [o.id, o.households])).toEqual([
				['yes', 1],
				['no', 1]
			]);
			expect(JSON.stringify(tally)).not.toContain('b01-1-101');

			// The grid worker records the same household at the door later, choosing 'no': that one counts.
			const door = new Y.Doc();
			const wp = provider(relay.url, ballotsDocName(C, 'g1', 'public'), door, { token: tokens.worker });
			await whenSynced(wp);
			// The relay checks that a ballot names the device that recorded it (write-rules.ts).
			const worker: Actor = { id: deviceOf(tokens.worker), name: '王海涛', role: 'grid_worker' };
			const ballot: Ballot = { id: 'door-ballot-1', household: 'b01-1-101', option: 'no', at: Date.now(), channel: 'visit', by: worker, device: worker.id };
			addBallot(door, 'g1', 'public', ballot);
			await waitFor(() => readPublicTally(doc)?.options[1]?.households === 2, { what: 'tally after the door ballot' });
			expect(readPublicTally(doc)?.options[0]?.households).toBe(0);
			wp.destroy();

			// Both ballots are kept, and a facilitator's own tally lists the household for audit.
			const all = [...readBallots(await stored(ballotsDocName(C, 'g1', 'public'))), ...readBallots(await stored(ballotsDocName(C, 'g2', 'public')))];
			expect(all.filter((b) => b.household === 'b01-1-101')).toHaveLength(2);
			const poll = readPoll(await stored(pollDocName(C, 'public')));
			const t = tallyPoll(poll, resolveElectorate(poll.electorate, [...G1, ...G2], [
				{ id: 'b01', grid: 'g1' },
				{ id: 'b02', grid: 'g1' },
				{ id: 'b06', grid: 'g2' }
			]), all);
			expect(t.conflicts.map((c) => [c.household, c.channels])).toEqual([['b01-1-101', ['app', 'visit']]]);
		} finally {
			p.destroy();
		}
	});

	it('is not published while a poll hides its results, and is once a facilitator closes it', async () => {
		const res = await vote('hidden', { id: 'ballot-hidden-1', option: 'yes' });
		expect(res.status).toBe(201);
		// Let the publisher see the change (its debounce is 500 ms); a public poll changed alongside proves it ran.
		expect((await vote('public', { id: 'ballot-resident-2', option: 'yes' })).status).toBe(201);
		await waitFor(async () => readPublicTally(await stored(pollDocName(C, 'public')))?.options[0]?.households === 1, { what: 'public tally' });
		await sleep(700);
		expect(readPublicTally(await stored(pollDocName(C, 'hidden')))).toBeNull();
		// Two resident ballots and one door ballot in g1: the relay wrote both of its own under one client id.
		const g1 = await stored(ballotsDocName(C, 'g1', 'public'));
		expect(readBallots(g1)).toHaveLength(3);
		expect(Y.decodeStateVector(Y.encodeStateVector(g1)).size).toBe(2);

		// Residents cannot close it; a facilitator can.
		const fdoc = new Y.Doc();
		const fp = provider(relay.url, pollDocName(C, 'hidden'), fdoc, { token: tokens.facilitator });
		try {
			await whenSynced(fp);
			// Closed in the facilitator device's own name, as the relay requires.
			addClosure(fdoc, { id: 'close-1', at: Date.now(), by: { ...facilitator, id: deviceOf(tokens.facilitator) }, outcome: '参与不足三分之二，未形成决定。' });
			const tally = await waitFor(() => readPublicTally(fdoc), { what: 'final tally' });
			expect(tally.final).toBe(true);
			expect(tally.electorate.households).toBe(3);
			expect(tally.participants.households).toBe(1);
			expect(tally.outcome).toEqual({ kind: 'no_quorum' });
		} finally {
			fp.destroy();
		}
	});

	it('appears for a hidden poll when its close time passes, without any further change', async () => {
		const now = Date.now();
		await put(pollDocName(C, 'soon'), (d) => createPoll(d, draft({ hideResults: true, closesAt: now + 1_500 }), { id: 'soon', actor: facilitator, now }));
		expect((await vote('soon', { id: 'ballot-soon-1', option: 'no' })).status).toBe(201);
		await sleep(600);
		expect(readPublicTally(await stored(pollDocName(C, 'soon')))).toBeNull();
		const tally = await waitFor(async () => readPublicTally(await stored(pollDocName(C, 'soon'))), { timeout: 6_000, what: 'tally at close' });
		expect(tally).toMatchObject({ final: true, participants: { households: 1 } });
		// After the close, the endpoint refuses.
		expect((await vote('soon', { id: 'ballot-soon-2', option: 'yes' })).status).toBe(403);
	});
});

describe('GET /api/polls/<poll>/ballot', () => {
	const own = async (poll: string, token: string | null) => {
		const res = await fetch(`${relay.url}${pollBallotPath(poll)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
		return { status: res.status, text: await res.text() };
	};

	it("tells a household that a door ballot replaced its app ballot, and reveals no other household's ballot", async () => {
		const now = Date.now();
		await put(pollDocName(C, 'override'), (d) => createPoll(d, draft({}), { id: 'override', actor: facilitator, now }));
		expect((await vote('override', { id: 'ballot-override-app', option: 'yes' })).status).toBe(201);
		expect((await vote('override', { id: 'ballot-override-nb', option: 'no' }, tokens.neighbour)).status).toBe(201);
		const worker: Actor = { id: deviceOf(tokens.worker), name: '王海涛', role: 'grid_worker' };
		const door: Ballot = { id: 'ballot-override-door', household: 'b01-1-101', option: 'no', at: Date.now() + 5, channel: 'visit', by: worker, device: worker.id };
		await sleep(10);
		await put(ballotsDocName(C, 'g1', 'override'), (d) => addBallot(d, 'g1', 'override', door));

		const mine = await own('override', tokens.resident);
		expect(mine.status).toBe(200);
		const body = JSON.parse(mine.text) as OwnBallotStatus;
		expect(body.voter).toBe(true);
		expect(body.counted).toEqual({ option: 'no', at: door.at, channel: 'visit', by: 'grid_worker', mine: false });
		expect(body.superseded).toMatchObject({ option: 'yes', channel: 'app', by: 'resident', mine: true });
		// Nothing of the neighbour, nor names or device ids.
		for (const leak of ['b01-1-102', 'ballot-override-nb', '王海涛', worker.id, 'household']) expect(mine.text).not.toContain(leak);

		// The neighbour sees only their own app ballot, counted, and nothing of the door ballot.
		const theirs = await own('override', tokens.neighbour);
		expect(JSON.parse(theirs.text)).toMatchObject({ counted: { option: 'no', channel: 'app', mine: true }, superseded: null });
		expect(theirs.text).not.toContain('visit');

		// The household answers in the app: its new ballot is the latest and counts again.
		expect((await vote('override', { id: 'ballot-override-app2', option: 'yes' })).status).toBe(201);
		expect(JSON.parse((await own('override', tokens.resident)).text)).toMatchObject({ counted: { option: 'yes', channel: 'app' }, superseded: null });
	});

	it('answers only a resident, and a household outside the electorate as not a voter', async () => {
		expect((await own('override', tokens.worker)).status).toBe(403);
		expect((await own('override', tokens.facilitator)).status).toBe(403);
		expect((await own('override', null)).status).toBe(401);
		expect((await own('nope', tokens.resident)).status).toBe(404);
		expect(JSON.parse((await own('b06only', tokens.resident)).text)).toEqual({ counted: null, superseded: null, voter: false });
	});
});
