import { describe, expect, it } from 'vitest';
import { latestClosure, pollStatus, resolveElectorate, tallyPoll } from '../../src/lib/domain/poll';
import { foldTimeline } from '../../src/lib/domain/proposal';
import { parseBallotsId, parseDocName } from '../../src/lib/schema/doc-names';
import { readBallots } from '../../src/lib/schema/ballots-doc';
import { readPoll, readPublicTally } from '../../src/lib/schema/poll-doc';
import { readProposal } from '../../src/lib/schema/proposal-doc';
import { buildDemoPolls } from './polls';
import { buildDemo } from './seed';

const NOW = Date.UTC(2025, 5, 1);

describe('demo polls', () => {
	const demo = buildDemo(NOW);
	const docs = buildDemoPolls(demo, NOW);
	const households = [...demo.households.values()].flat();
	const byId = new Map(households.map((h) => [h.id, h]));
	const gridOf = new Map(demo.community.buildings.map((b) => [b.id, b.grid]));
	const polls = docs.filter((d) => parseDocName(d.name)?.kind === 'poll').map((d) => ({ name: d.name, poll: readPoll(d.doc), doc: d.doc }));
	const ballotsOf = (id: string) =>
		docs.filter((d) => parseDocName(d.name)?.kind === 'ballots' && parseBallotsId(parseDocName(d.name)!.id)?.poll === id).flatMap((d) => readBallots(d.doc));
	const tally = (id: string) => {
		const p = polls.find((x) => x.poll.id === id)!.poll;
		return tallyPoll(p, resolveElectorate(p.electorate, households, demo.community.buildings), ballotsOf(id));
	};

	it('names real households, each ballot in the ballots document of its own grid', () => {
		expect(polls.map((p) => p.poll.id)).toEqual(['drying-racks-site', 'pavilion-vote', 'roof-leak-vote', 'room-rules-vote']);
		for (const d of docs.filter((x) => parseDocName(x.name)?.kind === 'ballots')) {
			const { grid } = parseBallotsId(parseDocName(d.name)!.id)!;
			const ballots = readBallots(d.doc);
			expect(ballots.length).toBeGreaterThan(0);
			for (const b of ballots) expect(gridOf.get(byId.get(b.household)!.building)).toBe(grid);
		}
	});

	it('has an open public building poll with a show of hands, tallied as the relay would publish it', () => {
		const p = polls.find((x) => x.poll.id === 'drying-racks-site')!;
		expect(pollStatus(p.poll, NOW)).toBe('open');
		const t = tally('drying-racks-site');
		expect(t.participants.hands).toBe(4);
		expect(readPublicTally(p.doc)).toMatchObject({ final: false, participants: t.participants, outcome: t.outcome });
	});

	it('has an open hidden Civil Code poll short of 2/3, with households that voted through two channels', () => {
		const p = polls.find((x) => x.poll.id === 'pavilion-vote')!;
		expect(p.poll.hideResults).toBe(true);
		expect(readPublicTally(p.doc)).toBeNull();
		const t = tally('pavilion-vote');
		expect(t.participationHouseholds?.reached).toBe(false);
		expect(t.participants.households).toBeGreaterThan(0);
		expect(t.conflicts).toHaveLength(3);
		for (const c of t.conflicts) expect(c.channels.sort()).toEqual(['app', 'visit']);
	});

	it('has a closed major-works poll that carried, its outcome in the proposal timeline', () => {
		const p = polls.find((x) => x.poll.id === 'roof-leak-vote')!;
		expect(pollStatus(p.poll, NOW)).toBe('closed');
		const t = tally('roof-leak-vote');
		expect(t.outcome).toEqual({ kind: 'carried', option: 'yes' });
		expect(latestClosure(p.poll)?.tally?.outcome).toEqual(t.outcome);
		expect(readPublicTally(p.doc)).toMatchObject({ final: true, outcome: t.outcome });
		const roof = readProposal(demo.proposals.find((x) => x.id === 'roof-leak')!.doc);
		const event = roof.timeline.events.find((e) => e.type === 'poll_outcome');
		expect(event).toMatchObject({ poll: p.name, carried: '同意使用公共维修资金' });
		expect(foldTimeline(roof.timeline.events).status).toBe('decided');
	});

	it('has the ratification of the activity room’s convention, carried under the Civil Code rule', () => {
		const p = polls.find((x) => x.poll.id === 'room-rules-vote')!;
		expect(pollStatus(p.poll, NOW)).toBe('closed');
		expect(p.poll.rule.kind).toBe('civil_code');
		expect(tally('room-rules-vote').outcome).toEqual({ kind: 'carried', option: 'yes' });
		expect(p.poll.matters).toEqual(['demo:convention:activity-room-rules']);
	});
});
