import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { type Ballot, RULES, tallyPoll } from '../domain/poll';
import { addBallot, getBallot, readBallots } from './ballots-doc';
import { syncDocs as sync } from '../domain/testing/ydocs';
import { ballot as ballotOf, facilitatorActor, gridWorkerActor } from '../domain/testing';

const worker = gridWorkerActor({ id: 'gw1' });
const facilitator = facilitatorActor();

const ballot = (id: string, option: string | null, at: number, by: Actor, channel: Ballot['channel']): Ballot =>
	ballotOf({ id, household: 'b01-1-302', option, at, channel, by });

describe('ballots document', () => {
	it('keeps both ballots two offline devices recorded for one household; the latest counts and is audited', () => {
		const door = new Y.Doc();
		const meeting = new Y.Doc();
		addBallot(door, 'g1', 'p1', ballot('ballot-door', 'yes', 2_000, worker, 'visit'));
		addBallot(meeting, 'g1', 'p1', ballot('ballot-meet', 'no', 3_000, facilitator, 'meeting'));
		sync(door, meeting);
		for (const doc of [door, meeting]) {
			const all = readBallots(doc);
			expect(all.map((b) => b.id).sort()).toEqual(['ballot-door', 'ballot-meet']);
			const t = tallyPoll(
				{ options: [{ id: 'yes', label: '同意' }, { id: 'no', label: '不同意' }], rule: RULES.simple_majority, opensAt: 0, closesAt: 10_000, closures: [], handCounts: [] },
				[{ id: 'b01-1-302', area: 8000 }],
				all
			);
			expect(t.counted.get('b01-1-302')?.id).toBe('ballot-meet');
			expect(t.conflicts).toHaveLength(1);
		}
		expect(door.getMap('meta').toJSON()).toMatchObject({ grid: 'g1', poll: 'p1' });
	});

	it('leaves out entries that are not ballots, or stored under another id', () => {
		const doc = new Y.Doc();
		addBallot(doc, 'g1', 'p1', ballot('ok-ballot', 'yes', 1, worker, 'visit'));
		const map = doc.getMap<unknown>('ballots');
		map.set('junk', { id: 'junk', household: 'x' });
		map.set('moved', { ...ballot('elsewhere', 'yes', 1, worker, 'visit') });
		map.set('bad-channel', { ...ballot('bad-channel', 'yes', 1, worker, 'visit'), channel: 'pigeon' });
		expect(readBallots(doc).map((b) => b.id)).toEqual(['ok-ballot']);
		expect(getBallot(doc, 'ok-ballot')?.option).toBe('yes');
		expect(getBallot(doc, 'junk')).toBeNull();
	});
});
