import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { type Ballot, type PollDraft, summarize, tallyPoll } from '../domain/poll';
import { pollDraft } from '../domain/testing';
import { readBallots } from '../schema/ballots-doc';
import { readPoll } from '../schema/poll-doc';
import { createProposal, readProposal } from '../schema/proposal-doc';
import { addToTopic, createTopic } from '../schema/topic-doc';
import type { CourtyardDB } from './db';
import {
	castBallot,
	closePoll,
	createPoll,
	InvalidPollError,
	type OutboxApp,
	type PollsApp,
	queueAppBallot,
	queuedBallot,
	refreshOwnBallot,
	ownBallotKey,
	sendQueuedBallots
} from './polls';
import { countWaitingBallots } from './outbox-keys';
import { specStores } from './spec-stores';

const facilitator: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };
const worker: Actor = { id: 'gw1', name: '王海涛', role: 'grid_worker' };

let n = 0;
const openStore = specStores();
function device(actor: Actor, token: string | null = null): PollsApp & OutboxApp & { db: CourtyardDB } {
	const id = `polls-${++n}`;
	const store = openStore(id, `${id}/`);
	return {
		store,
		db: store.db,
		community: 'demo',
		device: { id: `dev-${actor.id}` },
		actorSnapshot: () => actor,
		authHeaders: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})
	};
}

async function read<T>(app: PollsApp, name: string, fn: (doc: Y.Doc) => T): Promise<T> {
	const h = await app.store.openDoc(name);
	try {
		return fn(h.doc);
	} finally {
		h.release();
	}
}

const draft = (over: Partial<PollDraft> = {}): PollDraft => pollDraft({ title: '小游园加建凉亭', opensAt: Date.now() - 1000, ...over }, Date.now());

describe('poll actions', () => {
	it('creates a poll on disk, pending for the relay, and refuses an invalid one', async () => {
		const app = device(facilitator);
		const name = await createPoll(app, draft());
		expect(await app.store.db.syncState.get(name)).toMatchObject({ dirty: 1 });
		expect(await app.store.db.index.get(name)).toMatchObject({ kind: 'poll', title: '小游园加建凉亭', status: 'voting' });
		await expect(createPoll(app, draft({ title: '', matters: ['demo:visits:g1'] }))).rejects.toThrow(InvalidPollError);
	});

	it("records a household's ballot into its grid's ballots document, by whom and on which device", async () => {
		const app = device(worker);
		const poll = await createPoll(app, draft());
		const id = poll.split(':')[2] as string;
		const b = await castBallot(app, { poll: id, grid: 'g2', household: 'b06-1-101', option: 'yes', channel: 'visit' });
		expect(b).toMatchObject({ household: 'b06-1-101', option: 'yes', channel: 'visit', by: worker, device: 'dev-gw1' });
		const stored = await read(app, `demo:ballots:g2_${id}`, readBallots);
		expect(stored).toEqual([b]);
		expect(await app.store.db.syncState.get(`demo:ballots:g2_${id}`)).toMatchObject({ dirty: 1 });
	});

	it("closes a poll and puts the outcome into the timeline of each proposal concerned, a topic's included", async () => {
		const app = device(facilitator);
		for (const p of ['p1', 'p2']) {
			const h = await app.store.openDoc(`demo:proposal:${p}`);
			createProposal(h.doc, { title: p, description: 'x', category: 'facilities', kind: 'individual', channel: 'app' }, { id: p, actor: facilitator, now: 1, status: 'submitted' });
			await h.saved();
			h.release();
		}
		const topic = await app.store.openDoc('demo:topic:t1');
		createTopic(topic.doc, { id: 't1', title: '凉亭', category: 'greening', level: 'community' }, facilitator, 1);
		addToTopic(topic.doc, 'demo:proposal:p2', facilitator, 2);
		await topic.saved();
		topic.release();

		const name = await createPoll(app, draft({ matters: ['demo:proposal:p1', 'demo:topic:t1', 'demo:proposal:absent'] }));
		const handle = await app.store.openDoc(name);
		try {
			const poll = readPoll(handle.doc);
			const yes: Ballot = { id: 'b1', household: 'h1', option: 'yes', at: Date.now(), channel: 'visit', by: worker, device: 'gw1' };
			const tally = summarize(tallyPoll(poll, [{ id: 'h1', area: 8000 }], [yes]));
			const written = await closePoll(app, handle, ' 同意建设凉亭。 ', tally);
			expect(written.sort()).toEqual(['demo:proposal:p1', 'demo:proposal:p2']);
			expect(readPoll(handle.doc).closures).toMatchObject([{ outcome: '同意建设凉亭。', tally: { outcome: { kind: 'carried', option: 'yes' } } }]);
		} finally {
			handle.release();
		}
		for (const p of ['p1', 'p2']) {
			const events = await read(app, `demo:proposal:${p}`, (d) => readProposal(d).timeline.events);
			expect(events.at(-1)).toMatchObject({ type: 'poll_outcome', poll: name, title: '小游园加建凉亭', outcome: '同意建设凉亭。', carried: '同意' });
		}
	});
});

describe("the resident's queued ballot", () => {
	const POLL = 'demo:poll:pavilion';
	const reply = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

	it('stays queued while the relay cannot be reached, and is marked sent once it accepts', async () => {
		const app = device({ id: 'r1', name: '刘阿姨', role: 'resident' }, 'token-1');
		const q = await queueAppBallot(app, POLL, 'yes');
		expect(await queuedBallot(app, POLL)).toMatchObject({ id: q.id, state: 'queued' });

		const offline = async () => {
			throw new TypeError('Failed to fetch');
		};
		expect(await sendQueuedBallots(app, { fetch: offline })).toEqual({ sent: 0, refused: 0, waiting: 1 });
		expect(await queuedBallot(app, POLL)).toMatchObject({ state: 'queued', attempts: 1, error: 'Failed to fetch' });

		const seen: { url: string; body: unknown; auth: string | null }[] = [];
		const accept = async (url: string | URL | Request, init?: RequestInit) => {
			seen.push({ url: String(url), body: JSON.parse(String(init?.body)), auth: new Headers(init?.headers).get('authorization') });
			return reply(201, { ballot: { id: q.id, option: 'yes' }, created: true })();
		};
		expect(await sendQueuedBallots(app, { fetch: accept as typeof fetch })).toEqual({ sent: 1, refused: 0, waiting: 0 });
		expect(seen).toEqual([{ url: '/api/polls/pavilion/ballot', body: { id: q.id, option: 'yes' }, auth: 'Bearer token-1' }]);
		expect(await queuedBallot(app, POLL)).toMatchObject({ state: 'sent', ballot: { id: q.id } });
		// Nothing left to send.
		expect(await sendQueuedBallots(app, { fetch: accept as typeof fetch })).toEqual({ sent: 0, refused: 0, waiting: 0 });
	});

	it("keeps the relay's reason when it refuses, and retries after a relay error", async () => {
		const app = device({ id: 'r1', name: '刘阿姨', role: 'resident' }, 'token-1');
		await queueAppBallot(app, POLL, 'no');
		expect((await sendQueuedBallots(app, { fetch: reply(500, { error: 'invalid', message: 'internal error' }) as typeof fetch })).waiting).toBe(1);
		const refused = reply(403, { error: 'forbidden', message: 'the poll is closed: voting ended at 2025-06-01T00:00:00.000Z' });
		expect(await sendQueuedBallots(app, { fetch: refused as typeof fetch })).toEqual({ sent: 0, refused: 1, waiting: 0 });
		expect(await queuedBallot(app, POLL)).toMatchObject({ state: 'refused', error: expect.stringMatching(/closed/) });
	});

	it('does not mark a newer vote sent when an older one is answered', async () => {
		const app = device({ id: 'r1', name: '刘阿姨', role: 'resident' }, 'token-1');
		const first = await queueAppBallot(app, POLL, 'yes');
		let second: Awaited<ReturnType<typeof queueAppBallot>> | null = null;
		const slow = async () => {
			second = await queueAppBallot(app, POLL, 'no');
			return reply(201, { ballot: { id: first.id }, created: true })();
		};
		await sendQueuedBallots(app, { fetch: slow as typeof fetch });
		expect(await queuedBallot(app, POLL)).toMatchObject({ id: second!.id, option: 'no', state: 'queued' });
	});

	it('waits without a credential instead of sending', async () => {
		const app = device({ id: 'r1', name: '刘阿姨', role: 'resident' });
		await queueAppBallot(app, POLL, 'yes');
		let calls = 0;
		const count = async () => {
			calls++;
			return new Response('{}');
		};
		expect((await sendQueuedBallots(app, { fetch: count as typeof fetch })).waiting).toBe(1);
		expect(calls).toBe(0);
	});
});

describe('what counts for the household', () => {
	const POLL = 'demo:poll:lift';
	const answer = (option: string) => ({
		counted: { option, at: 1, channel: 'visit', by: 'grid_worker', mine: false },
		superseded: { option: 'yes', at: 0, channel: 'app', by: 'resident', mine: true },
		voter: true
	});

	it("keeps the relay's answer on the device, and an older answer arriving late does not overwrite a newer one", async () => {
		const app = device({ id: 'r1', name: '刘阿姨', role: 'resident' }, 'token-1');
		const releases: (() => void)[] = [];
		const slow = (option: string) =>
			(async (url: string | URL | Request, init?: RequestInit) => {
				expect(String(url)).toBe('/api/polls/lift/ballot');
				expect(init?.method ?? 'GET').toBe('GET');
				await new Promise<void>((r) => releases.push(r));
				return new Response(JSON.stringify(answer(option)), { status: 200 });
			}) as typeof fetch;
		const older = refreshOwnBallot(app, POLL, { fetch: slow('old') });
		const newer = refreshOwnBallot(app, POLL, { fetch: slow('new') });
		await new Promise((r) => setTimeout(r, 10));
		releases[1]!();
		await newer;
		releases[0]!();
		await older;
		expect((await app.db.settings.get(ownBallotKey(POLL)))?.value).toMatchObject({ counted: { option: 'new' } });
		// Offline: nothing is lost.
		const offline = (async () => {
			throw new TypeError('Failed to fetch');
		}) as typeof fetch;
		expect(await refreshOwnBallot(app, POLL, { fetch: offline })).toBeNull();
		expect((await app.db.settings.get(ownBallotKey(POLL)))?.value).toMatchObject({ counted: { option: 'new' } });
	});

	it('counts the ballots waiting to be sent, for the status bar', async () => {
		const app = device({ id: 'r1', name: '刘阿姨', role: 'resident' }, 'token-1');
		expect(await countWaitingBallots(app.db)).toBe(0);
		await queueAppBallot(app, POLL, 'yes');
		expect(await countWaitingBallots(app.db)).toBe(1);
	});
});
