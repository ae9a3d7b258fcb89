/**
 * A small, explicit community for the report specs: two grids, proposals with step histories, meetings, polls,
 * visits and projects, mostly in November 2026 (CST). The figures the specs expect are computed by hand in
 * the comments of report.spec.ts.
 */
import type { Channel } from '../actor';
import type { CategoryId } from '../lists';
import type { Level, ProposalStatus } from '../proposal';
import type { CommunityFacts, ProposalFacts, ProposalStep } from '../report-facts';

/** An instant given as China time: cst('2026-11-02 10:00'). */
export const cst = (text: string) => Date.parse(`${text.replace(' ', 'T')}${text.length <= 16 ? ':00' : ''}+08:00`);

/** A step; `to` is a string so 'settled' works whether or not ProposalStatus has it yet. */
export const step = (at: string, to: string, level: Level = 'community', negativeItem?: number): ProposalStep => ({
	at: cst(at),
	to: to as ProposalStatus,
	level,
	...(negativeItem !== undefined ? { negativeItem } : {})
});

function proposal(doc: string, grid: string, channel: Channel | '', category: CategoryId | '', filed: string | null, steps: ProposalStep[]): ProposalFacts {
	const last = steps.at(-1);
	return {
		doc,
		grid,
		channel,
		category,
		kind: 'individual',
		filed: filed === null ? null : cst(filed),
		status: last?.to ?? 'draft',
		level: last?.level ?? 'community',
		steps
	};
}

const workflow = (filed: string, ...rest: [string, string][]) => [step(filed, 'submitted'), ...rest.map(([at, to]) => step(at, to))];

export function reportFixture(): CommunityFacts {
	return {
		community: 'c1',
		grids: [
			{ id: 'g1', name: '一网格' },
			{ id: 'g2', name: '二网格' }
		],
		proposals: [
			// P1: through the whole workflow in November: decided after 10 days, closed after 20.
			proposal(
				'p1',
				'g1',
				'app',
				'facilities',
				'2026-11-02 10:00',
				workflow(
					'2026-11-02 10:00',
					['2026-11-03 09:00', 'screening'],
					['2026-11-04 09:00', 'accepted'],
					['2026-11-05 09:00', 'topic'],
					['2026-11-06 09:00', 'deliberating'],
					['2026-11-12 10:00', 'decided'],
					['2026-11-13 09:00', 'funding'],
					['2026-11-15 09:00', 'in_progress'],
					['2026-11-20 09:00', 'inspected'],
					['2026-11-21 09:00', 'publicised'],
					['2026-11-22 10:00', 'closed']
				)
			),
			// P2: rejected citing negative-list item 6.
			proposal('p2', 'g1', 'visit', 'safety', '2026-11-05 10:00', [step('2026-11-05 10:00', 'submitted'), step('2026-11-06 10:00', 'rejected', 'community', 6)]),
			// P3: merged at screening.
			proposal('p3', 'g2', 'box', 'greening', '2026-11-07 10:00', workflow('2026-11-07 10:00', ['2026-11-08 10:00', 'merged'])),
			// P4: settled at grid level 12 hours after filing (0.5 days).
			proposal('p4', 'g2', 'meeting', 'cleanup', '2026-11-09 12:00', [step('2026-11-09 12:00', 'submitted', 'grid'), step('2026-11-10 00:00', 'settled', 'grid')]),
			// P5: filed and accepted in October, decided in December.
			proposal(
				'p5',
				'g1',
				'app',
				'services',
				'2026-10-20 10:00',
				workflow('2026-10-20 10:00', ['2026-10-22 10:00', 'accepted'], ['2026-11-01 10:00', 'topic'], ['2026-12-03 10:00', 'deliberating'], ['2026-12-03 11:00', 'decided'])
			),
			// P6: escalated at screening, then accepted by the street (not a second screening decision).
			proposal(
				'p6',
				'g2',
				'online_group',
				'culture',
				'2026-11-25 10:00',
				[step('2026-11-25 10:00', 'submitted'), step('2026-11-26 10:00', 'escalated', 'street'), step('2026-11-28 10:00', 'accepted', 'street')]
			),
			// P7: a draft: never counts.
			proposal('p7', 'g1', 'app', 'facilities', null, [step('2026-11-10 10:00', 'draft')]),
			// P8: no grid, no category, filed in the last second of November (CST).
			proposal('p8', '', 'app', '', '2026-11-30 23:59:59', [step('2026-11-30 23:59:59', 'submitted')]),
			// P9: filed at 00:00 CST on 1 December: not November.
			proposal('p9', 'g1', 'app', 'facilities', '2026-12-01 00:00', [step('2026-12-01 00:00', 'submitted')]),
			// P10: decided in November after 17 days 2 hours (17.1), closed in December.
			proposal(
				'p10',
				'g2',
				'app',
				'facilities',
				'2026-11-03 08:00',
				workflow(
					'2026-11-03 08:00',
					['2026-11-04 08:00', 'accepted'],
					['2026-11-05 08:00', 'topic'],
					['2026-11-06 08:00', 'deliberating'],
					['2026-11-20 10:00', 'decided'],
					['2026-11-21 10:00', 'in_progress'],
					['2026-12-05 10:00', 'closed']
				)
			),
			// P11: accepted in October, merged into another topic in November (counts in October's resolution only).
			proposal('p11', 'g1', 'app', 'facilities', '2026-10-10 10:00', workflow('2026-10-10 10:00', ['2026-10-12 10:00', 'accepted'], ['2026-10-13 10:00', 'topic'], ['2026-11-15 10:00', 'merged']))
		],
		topics: [
			{ doc: 't1', created: cst('2026-11-05 09:00'), category: 'facilities', proposals: 2 },
			{ doc: 't2', created: cst('2026-10-13 10:00'), category: 'facilities', proposals: 1 }
		],
		meetings: [
			{ doc: 'm1', kind: 'deliberation', at: cst('2026-11-06 19:00'), held: true, attendance: { party_member: 2, resident_rep: 5, property_company: 1 } },
			{ doc: 'm2', kind: 'bench', at: cst('2026-11-18 15:00'), held: true, attendance: { resident: 12, grid_worker: 1 } },
			{ doc: 'm3', kind: 'courtyard', at: cst('2026-11-25 15:00'), held: false, attendance: {} },
			{ doc: 'm4', kind: 'deliberation', at: cst('2026-12-02 19:00'), held: true, attendance: { resident_rep: 7 } }
		],
		polls: [
			{ doc: 'v1', created: cst('2026-11-01 09:00'), closed: cst('2026-11-10 20:00'), electorate: 400, voted: 260 },
			{ doc: 'v2', created: cst('2026-11-20 09:00'), closed: cst('2026-11-29 20:00'), electorate: 100, voted: 40 },
			{ doc: 'v3', created: cst('2026-11-25 09:00'), closed: null, electorate: 50, voted: 10 }
		],
		gridFacts: [
			{
				grid: 'g1',
				households: 10,
				visits: [
					{ household: 'h1', at: cst('2026-11-03 10:00'), outcome: 'talked', tags: ['repair', 'elderly_care'] },
					{ household: 'h1', at: cst('2026-11-20 10:00'), outcome: 'talked', tags: ['repair'] },
					{ household: 'h2', at: cst('2026-11-04 10:00'), outcome: 'not_home', tags: [] },
					{ household: 'h3', at: cst('2026-11-05 10:00'), outcome: 'declined', tags: [] },
					{ household: 'h4', at: cst('2026-10-30 10:00'), outcome: 'talked', tags: ['parking'] }
				]
			},
			{
				grid: 'g2',
				households: 8,
				visits: [
					{ household: 'h5', at: cst('2026-11-10 10:00'), outcome: 'talked', tags: ['safety'] },
					{ household: 'h6', at: cst('2026-11-30 23:00'), outcome: 'not_home', tags: [] },
					{ household: 'h7', at: cst('2026-12-01 00:00'), outcome: 'talked', tags: [] }
				]
			}
		],
		projects: [
			{
				doc: 'pr1',
				stage: 'in_progress',
				pledged: [
					{ at: cst('2026-11-03 10:00'), amount: 50_000 },
					{ at: cst('2026-10-28 10:00'), amount: 20_000 }
				],
				received: [{ at: cst('2026-11-10 10:00'), amount: 30_000 }],
				spent: [{ at: cst('2026-11-15 10:00'), amount: 12_345 }],
				ratings: [
					{ at: cst('2026-11-20 10:00'), score: 5 },
					{ at: cst('2026-11-21 10:00'), score: 4 },
					{ at: cst('2026-11-22 10:00'), score: 2 }
				]
			},
			{
				doc: 'pr2',
				stage: 'closed',
				pledged: [],
				received: [{ at: cst('2026-11-02 10:00'), amount: 100_000 }],
				spent: [
					{ at: cst('2026-11-25 10:00'), amount: 99_900 },
					{ at: cst('2026-12-02 10:00'), amount: 100 }
				],
				ratings: [
					{ at: cst('2026-11-26 10:00'), score: 3 },
					{ at: cst('2026-10-30 10:00'), score: 5 }
				]
			},
			{ doc: 'pr3', stage: 'preparing', pledged: [], received: [], spent: [], ratings: [] }
		]
	};
}
