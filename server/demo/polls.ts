/**
 * Demo household polls, built from the demo community's register (buildDemo in demo-seed.ts) so that ballots
 * name real demo households and the tallies add up:
 *   - drying-racks-site  open, simple majority, one building, results public, door and app ballots and a show of
 *                        hands at a building meeting;
 *   - pavilion-vote      open, Civil Code rule, the whole community, results hidden until it closes, participation
 *                        still short of 2/3, and three households that voted twice through different channels;
 *   - roof-leak-vote     closed, Civil Code rule for major works (maintenance fund), one building, carried, with
 *                        the facilitator's outcome statement — also appended to the roof-leak proposal's timeline;
 *   - room-rules-vote    closed, Civil Code rule, building 3, carried: the ratification of the activity room's
 *                        convention (demo-rooms.ts), whose first version is in force since.
 * Everything is invented and deterministic (a seeded PRNG); the public tallies are computed with the domain tally.
 */
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import {
	type Ballot,
	type BallotChannel,
	endsAt,
	type HandCount,
	type PollDraft,
	type PollOption,
	pollStatus,
	resolveElectorate,
	RULES,
	summarize,
	tallyPoll
} from '../../src/lib/domain/poll';
import type { TimelineEvent } from '../../src/lib/domain/proposal';
import { addBallot } from '../../src/lib/schema/ballots-doc';
import type { Community } from '../../src/lib/schema/community-doc';
import { ballotsDocName, conventionDocName, pollDocName, proposalDocName } from '../../src/lib/schema/doc-names';
import { DEMO_CONVENTION } from './rooms';
import type { Household } from '../../src/lib/schema/households-doc';
import { addClosure, createPoll, readPoll, recordHandCount, writePublicTally } from '../../src/lib/schema/poll-doc';
import { appendEvent } from '../../src/lib/schema/proposal-doc';
import { prng } from '../../src/lib/domain/prng';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

const FACILITATOR: Actor = { id: 'demo-fac-zhou', name: '周敏', role: 'facilitator' };
const GRID_WORKERS: Record<string, string> = { g1: '王海涛', g2: '陈丽娟', g3: '刘志强', g4: '赵春梅' };
const gridWorker = (grid: string): Actor => ({ id: `demo-gw-${grid}`, name: GRID_WORKERS[grid] ?? '网格员', role: 'grid_worker' });

export interface DemoPollsInput {
	community: Community;
	/** Grid id → households, as buildDemo returns them. */
	households: Map<string, Household[]>;
	/** The demo proposals; the closed poll's outcome is appended to the one it decided. */
	proposals?: readonly { id: string; doc: Y.Doc }[];
}

export interface DemoPollDoc {
	name: string;
	doc: Y.Doc;
}

interface Spec {
	id: string;
	draft: PollDraft;
	/** Share of the electorate that votes, and the chance of each option (in option order). */
	turnout: number;
	weights: number[];
	/** Households that also voted in the app before a grid worker recorded them at the door. */
	conflicts?: number;
	appShare?: number;
	hands?: { session: string; counts: Record<string, number> };
	outcome?: string;
}

const YES_NO_ABSTAIN = (yes: string): PollOption[] => [
	{ id: 'yes', label: yes },
	{ id: 'no', label: '不同意' },
	{ id: 'abstain', label: '弃权', abstain: true }
];

function specs(now: number): Spec[] {
	return [
		{
			id: 'drying-racks-site',
			draft: {
				title: '14栋公共晾衣架安装位置',
				description: '晾衣架装在哪里，请14栋各户选一处。按户计票，每户一票，以最后一次为准。',
				options: [
					{ id: 'south', label: '14栋南侧空地' },
					{ id: 'west', label: '西侧绿地旁' },
					{ id: 'abstain', label: '弃权', abstain: true }
				],
				electorate: { scope: 'building', ids: ['b14'] },
				rule: RULES.simple_majority,
				opensAt: now - 3 * DAY,
				closesAt: now + 7 * DAY,
				hideResults: false,
				matters: [proposalDocName('demo', 'drying-racks')]
			},
			turnout: 0.55,
			weights: [0.6, 0.3, 0.1],
			appShare: 0.3,
			hands: { session: '14栋楼头会', counts: { south: 3, west: 1 } }
		},
		{
			id: 'pavilion-vote',
			draft: {
				title: '小游园加建凉亭（居民自筹+物业补贴）',
				description:
					'方案：在小游园东南角建木结构凉亭一座，配石凳四张，费用由居民自筹与物业补贴共同承担。按《民法典》第二百七十八条表决：参与表决的户数和面积均需达到三分之二以上，同意票需超过参与表决户数和面积的一半。结果在表决结束后公布。',
				options: YES_NO_ABSTAIN('同意'),
				electorate: { scope: 'community', ids: [] },
				rule: RULES.civil_code,
				opensAt: now - 5 * DAY,
				closesAt: now + 10 * DAY,
				hideResults: true,
				matters: [proposalDocName('demo', 'pavilion')]
			},
			turnout: 0.45,
			weights: [0.7, 0.2, 0.1],
			conflicts: 3,
			appShare: 0.25
		},
		{
			id: 'roof-leak-vote',
			draft: {
				title: '5栋屋面防水维修使用公共维修资金',
				description: '5栋屋面整体重做防水，申请使用公共维修资金。属于使用维修资金的重大事项，同意票需达到参与表决户数和面积的四分之三以上。',
				options: YES_NO_ABSTAIN('同意使用公共维修资金'),
				electorate: { scope: 'building', ids: ['b05'] },
				rule: RULES.civil_code_major,
				opensAt: now - 20 * DAY,
				closesAt: now - 12 * DAY,
				hideResults: false,
				matters: [proposalDocName('demo', 'roof-leak')]
			},
			turnout: 0.85,
			weights: [0.92, 0.05, 0.03],
			appShare: 0.2,
			outcome: '5栋业主表决通过：参与表决的户数和面积均超过三分之二，同意票超过四分之三。申请使用公共维修资金，由物业组织施工招标。'
		},
		{
			id: 'room-rules-vote',
			draft: {
				title: '表决《3栋架空层活动室使用公约》第1版',
				description: '活动室改造完成后，居民共同起草了使用公约（开放时间、每户预约次数、用后打扫）。按《民法典》第二百七十八条表决。',
				options: YES_NO_ABSTAIN('同意公约'),
				electorate: { scope: 'building', ids: ['b03'] },
				rule: RULES.civil_code,
				opensAt: now - 62 * DAY,
				closesAt: now - 55 * DAY,
				hideResults: false,
				matters: [conventionDocName('demo', DEMO_CONVENTION)]
			},
			turnout: 0.9,
			weights: [0.85, 0.1, 0.05],
			appShare: 0.4,
			outcome: '3栋表决通过：参与户数和面积均超过三分之二，同意票过半。公约第1版即日生效。'
		}
	];
}

/**
 * The demo's poll documents and their ballots documents (one per grid that has ballots). Appends the closed
 * poll's outcome to the timeline of the proposal it decided when `proposals` holds it.
 */
export function buildDemoPolls(demo: DemoPollsInput, now = Date.now()): DemoPollDoc[] {
	const rand = prng(5278);
	const all = [...demo.households.values()].flat();
	const gridOf = new Map(demo.community.buildings.map((b) => [b.id, b.grid]));
	const out: DemoPollDoc[] = [];

	for (const spec of specs(now)) {
		const { draft } = spec;
		const created = draft.opensAt - DAY;
		const pollDoc = new Y.Doc();
		createPoll(pollDoc, draft, { id: spec.id, actor: FACILITATOR, now: created });
		const voters = resolveElectorate(draft.electorate, all, demo.community.buildings);
		const households = new Map(all.map((h) => [h.id, h]));
		const window = Math.min(draft.closesAt, now) - draft.opensAt;
		const at = () => draft.opensAt + HOUR + Math.floor(rand() * (window - 2 * HOUR));
		const choose = () => {
			let r = rand();
			for (const [i, w] of spec.weights.entries()) {
				if ((r -= w) < 0) return draft.options[i]?.id ?? null;
			}
			return draft.options[0]?.id ?? null;
		};

		const ballots: Ballot[] = [];
		let n = 0;
		const ballot = (household: string, channel: BallotChannel, option: string | null, when: number): Ballot => {
			const grid = gridOf.get(households.get(household)?.building ?? '') ?? 'g1';
			const by: Actor =
				channel === 'app' ? { id: `demo-res-${household}`, name: households.get(household)?.members[0]?.name ?? '', role: 'resident' } : gridWorker(grid);
			return { id: `${spec.id}-${String(++n).padStart(4, '0')}`, household, option, at: when, channel, by, device: by.id };
		};
		for (const v of voters) {
			if (rand() >= spec.turnout) continue;
			ballots.push(ballot(v.id, rand() < (spec.appShare ?? 0) ? 'app' : 'visit', choose(), at()));
		}
		// A few households voted in the app, and the grid worker later recorded another choice at the door.
		for (const first of ballots.filter((b) => b.channel === 'visit').slice(0, spec.conflicts ?? 0)) {
			ballots.push(ballot(first.household, 'app', draft.options.find((o) => o.id !== first.option && !o.abstain)?.id ?? null, Math.max(draft.opensAt + HOUR / 2, first.at - 6 * HOUR)));
		}

		const byGrid = new Map<string, Ballot[]>();
		for (const b of ballots) {
			const grid = gridOf.get(households.get(b.household)?.building ?? '') ?? 'g1';
			byGrid.set(grid, [...(byGrid.get(grid) ?? []), b]);
		}
		for (const [grid, list] of [...byGrid].sort(([a], [b]) => a.localeCompare(b))) {
			const doc = new Y.Doc();
			for (const b of list) addBallot(doc, grid, spec.id, b);
			out.push({ name: ballotsDocName('demo', grid, spec.id), doc });
		}

		if (spec.hands) {
			const count: HandCount = { id: `${spec.id}-hands`, session: spec.hands.session, at: draft.opensAt + DAY + 19 * HOUR, by: FACILITATOR, counts: spec.hands.counts };
			recordHandCount(pollDoc, count);
		}
		if (spec.outcome) {
			const closing = draft.closesAt + 2 * HOUR;
			const summary = summarize(tallyPoll(readPoll(pollDoc), voters, ballots));
			addClosure(pollDoc, { id: `${spec.id}-closed`, at: closing, by: FACILITATOR, outcome: spec.outcome, tally: summary });
			const carried = summary.outcome.kind === 'carried' ? summary.outcome.option : null;
			const proposal = demo.proposals?.find((p) => draft.matters.includes(proposalDocName('demo', p.id)));
			if (proposal) {
				const event: TimelineEvent = {
					id: `${spec.id}-outcome`,
					type: 'poll_outcome',
					at: closing,
					by: FACILITATOR,
					channel: 'app',
					poll: pollDocName('demo', spec.id),
					title: draft.title,
					outcome: spec.outcome,
					...(carried ? { carried: draft.options.find((o) => o.id === carried)?.label ?? carried } : {})
				};
				appendEvent(proposal.doc, event);
			}
		}

		// What the relay would publish: nothing for a hidden poll still open.
		const poll = readPoll(pollDoc);
		const closed = pollStatus(poll, now) === 'closed';
		if (!poll.hideResults || closed) {
			writePublicTally(pollDoc, { ...summarize(tallyPoll(poll, voters, ballots)), at: closed ? endsAt(poll) : now, final: closed });
		}
		out.push({ name: pollDocName('demo', spec.id), doc: pollDoc });
	}
	return out;
}
