/**
 * reportsBench: what the relay's report computation (src/lib/domain/report.ts) costs for a year of demo-scale
 * facts: a community of 2,000 households in 4 grids, 1,000 proposals with realistic step histories, 100 topics,
 * 150 meetings, 30 polls, 12,000 visits and 40 projects with money and ratings, generated with a seeded PRNG.
 *   (i)   baseline in the same run: one linear pass over every fact (reading each instant and testing it
 *         against the quarter), the least any computation of the figures must do;
 *   (ii)  a community's quarter (what the relay recomputes after a change, with the week and month);
 *   (iii) every period of the year at once (53 weeks + 12 months + 4 quarters: a first publication's year),
 *         beside the same periods one call each;
 *   (iv)  a street of 20 such communities: combining their published quarters, and computing them all first.
 * Each figure is the median of the runs of ~0.4–0.8 s after as long a warm-up; no timed assertions. Run alone: npx tsx bench/reports.ts
 */
import { CHANNELS, type Channel } from '../src/lib/domain/actor';
import { ENCOURAGED_CATEGORIES } from '../src/lib/domain/lists';
import { CAPACITIES, MEETING_KINDS } from '../src/lib/domain/meeting';
import { periodByKey, periodsBetween } from '../src/lib/domain/periods';
import { PROJECT_STAGES } from '../src/lib/domain/project';
import type { Level, ProposalStatus } from '../src/lib/domain/proposal';
import { communityReport, communityReports, streetReport } from '../src/lib/domain/report';
import type { CommunityFacts, Period, ProposalFacts, ProposalStep, VisitFact } from '../src/lib/domain/report-facts';
import type { Score } from '../src/lib/domain/satisfaction';
import { NEED_TAGS, type NeedTag, type VisitOutcome } from '../src/lib/domain/visit';
import { type BenchResult, isMain, result } from './relay-kit';
import { prng } from '../src/lib/domain/prng';
import { medianMs } from './timing';

const DAY = 86_400_000;
const YEAR_FROM = Date.parse('2026-01-01T00:00:00+08:00');
const YEAR_TO = Date.parse('2027-01-01T00:00:00+08:00');
/** Computed a week into the new year: the last quarter is closed, its grace time over. */
const NOW = YEAR_TO + 7 * DAY;
const GRIDS = ['g1', 'g2', 'g3', 'g4'];
const HOUSEHOLDS = 2_000;
const STREET = 20;

/** A year of demo-scale facts for one community, the same for the same seed. */
export function generate(community: string, seed: number): CommunityFacts {
	const rand = prng(seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
	const chance = (p: number) => rand() < p;
	const inYear = () => YEAR_FROM + Math.floor(rand() * (YEAR_TO - YEAR_FROM));
	const later = (at: number, maxDays: number) => at + Math.floor((0.1 + rand() * maxDays) * DAY);

	const proposals: ProposalFacts[] = [];
	for (let i = 0; i < 1_000; i++) {
		const filed = inYear();
		const steps: ProposalStep[] = [];
		let at = filed;
		let level: Level = 'community';
		const go = (to: string, maxDays: number, extra: Partial<ProposalStep> = {}): boolean => {
			const next = later(at, maxDays);
			if (next >= NOW) return false; // not happened yet
			at = next;
			steps.push({ at, to: to as ProposalStatus, level, ...extra });
			return true;
		};
		steps.push({ at: filed, to: 'submitted', level });
		run: {
			if (chance(0.6) && !go('screening', 3)) break run;
			const r = rand();
			if (r < 0.15) {
				go('rejected', 5, { negativeItem: 1 + Math.floor(rand() * 13) });
				break run;
			}
			if (r < 0.25) {
				go('merged', 5);
				break run;
			}
			if (r < 0.4) {
				level = 'grid';
				go('settled', 7);
				break run;
			}
			if (r < 0.45) {
				level = 'street';
				if (!go('escalated', 5)) break run;
				if (chance(0.5)) {
					go('rejected', 20, { negativeItem: 6 });
					break run;
				}
			}
			if (!go('accepted', 5)) break run;
			// The workflow, each stage with its delay; about one matter in eight stops at each stage for now.
			for (const [to, days, p] of [
				['topic', 7, 0.9],
				['deliberating', 14, 1],
				['voting', 10, 0.5],
				['decided', 10, 1],
				['funding', 20, 0.3],
				['in_progress', 20, 1],
				['inspected', 40, 1],
				['publicised', 7, 1],
				['closed', 14, 1]
			] as const) {
				if (!chance(p)) continue;
				if (chance(0.12) || !go(to, days)) break;
			}
		}
		const last = steps.at(-1) as ProposalStep;
		proposals.push({
			doc: `${community}:p${i}`,
			grid: chance(0.05) ? '' : pick(GRIDS),
			channel: chance(0.02) ? '' : (pick(CHANNELS) as Channel),
			category: chance(0.05) ? '' : pick(ENCOURAGED_CATEGORIES).id,
			kind: 'individual',
			filed,
			status: last.to,
			level: last.level,
			steps
		});
	}

	const topics = Array.from({ length: 100 }, (_, i) => ({ doc: `t${i}`, created: inYear(), category: pick(ENCOURAGED_CATEGORIES).id, proposals: 1 + Math.floor(rand() * 5) }));
	const meetings = Array.from({ length: 150 }, (_, i) => {
		const attendance: Partial<Record<(typeof CAPACITIES)[number], number>> = {};
		for (let k = 0; k < 4; k++) attendance[pick(CAPACITIES)] = 1 + Math.floor(rand() * 15);
		return { doc: `m${i}`, kind: pick(MEETING_KINDS), at: inYear(), held: chance(0.9), attendance };
	});
	const polls = Array.from({ length: 30 }, (_, i) => {
		const created = inYear();
		const electorate = 200 + Math.floor(rand() * 1_800);
		const closed = later(created, 14);
		return { doc: `v${i}`, created, closed: closed < NOW ? closed : null, electorate, voted: Math.floor(electorate * (0.4 + rand() * 0.5)) };
	});
	const perGrid = HOUSEHOLDS / GRIDS.length;
	const gridFacts = GRIDS.map((grid) => ({ grid, households: perGrid, visits: [] as VisitFact[] }));
	for (let i = 0; i < 12_000; i++) {
		const g = Math.floor(rand() * GRIDS.length);
		const r = rand();
		const outcome: VisitOutcome = r < 0.6 ? 'talked' : r < 0.9 ? 'not_home' : 'declined';
		const tags: NeedTag[] = outcome === 'talked' ? Array.from({ length: Math.floor(rand() * 3) }, () => pick(NEED_TAGS)) : [];
		gridFacts[g]!.visits.push({ household: `${GRIDS[g]}-h${Math.floor(rand() * perGrid)}`, at: inYear(), outcome, tags });
	}
	const money = (count: number, max: number) => Array.from({ length: count }, () => ({ at: inYear(), amount: 100 + Math.floor(rand() * max) }));
	const projects = Array.from({ length: 40 }, (_, i) => ({
		doc: `pr${i}`,
		stage: pick(PROJECT_STAGES),
		pledged: money(Math.floor(rand() * 30), 50_000),
		received: money(Math.floor(rand() * 10), 500_000),
		spent: money(Math.floor(rand() * 15), 300_000),
		ratings: Array.from({ length: Math.floor(rand() * 50) }, () => ({ at: inYear(), score: (1 + Math.floor(rand() * 5)) as Score }))
	}));
	return { community, grids: GRIDS.map((id, i) => ({ id, name: `第${i + 1}网格` })), proposals, topics, meetings, polls, gridFacts, projects };
}

/**
 * Median milliseconds per run of `fn`: warmed up for `budgetMs` first (so the JIT has optimised what it will
 * optimise; a handful of warm-up runs measures the interpreter), then run for `budgetMs`, at least `minRuns` times.
 */

/** The baseline: every instant of the facts read once and tested against the period, nothing computed. */
function linearPass(f: CommunityFacts, p: Period): number {
	let n = 0;
	const seen = (at: number | null) => {
		if (at !== null && at >= p.from && at < p.to) n++;
	};
	for (const x of f.proposals) {
		seen(x.filed);
		for (const s of x.steps) seen(s.at);
	}
	for (const x of f.topics) seen(x.created);
	for (const x of f.meetings) seen(x.at);
	for (const x of f.polls) seen(x.closed);
	for (const g of f.gridFacts) for (const v of g.visits) seen(v.at);
	for (const x of f.projects) for (const list of [x.pledged, x.received, x.spent, x.ratings]) for (const m of list) seen(m.at);
	return n;
}

export function reportsBench(): BenchResult {
	const facts = generate('c0', 1);
	const quarter = periodByKey('2026-Q4') as Period;
	const year: Period[] = (['week', 'month', 'quarter'] as const).flatMap((kind) => periodsBetween(kind, YEAR_FROM, YEAR_TO));
	const steps = facts.proposals.reduce((n, p) => n + p.steps.length, 0);

	const baseMs = medianMs(() => linearPass(facts, quarter));
	const quarterMs = medianMs(() => communityReport(facts, quarter, NOW));
	const yearMs = medianMs(() => communityReports(facts, year, NOW));
	const yearOneByOneMs = medianMs(() => year.map((p) => communityReport(facts, p, NOW)), 800, 5);

	const street = Array.from({ length: STREET }, (_, i) => generate(`c${i}`, 100 + i));
	const names = street.map((f) => f.community);
	const published = street.map((f) => communityReport(f, quarter, NOW));
	const combineMs = medianMs(() => streetReport('s', quarter, published, names));
	const streetAllMs = medianMs(() => streetReport('s', quarter, street.map((f) => communityReport(f, quarter, NOW)), names), 800, 5);

	const q = published[0] as (typeof published)[number];
	const rows = [
		{ measure: 'baseline: one linear pass over all facts', ms: baseMs, 'vs baseline': 1 },
		{ measure: "a community's quarter (community + 4 grids)", ms: quarterMs, 'vs baseline': +(quarterMs / baseMs).toFixed(1) },
		{ measure: `every period of the year at once (${year.length})`, ms: yearMs, 'vs baseline': +(yearMs / baseMs).toFixed(1) },
		{ measure: `the same ${year.length} periods, one call each`, ms: yearOneByOneMs, 'vs baseline': +(yearOneByOneMs / baseMs).toFixed(1) },
		{ measure: `street: combine ${STREET} published quarters`, ms: combineMs, 'vs baseline': +(combineMs / baseMs).toFixed(1) },
		{ measure: `street: compute ${STREET} quarters, then combine`, ms: streetAllMs, 'vs baseline': +(streetAllMs / baseMs).toFixed(1) }
	];
	return result('reports: computing figures from a year of facts', rows, [
		`facts per community: ${facts.proposals.length} proposals (${steps} steps), ${facts.topics.length} topics, ${facts.meetings.length} meetings, ${facts.polls.length} polls,`,
		`  ${facts.gridFacts.reduce((n, g) => n + g.visits.length, 0)} visits over ${HOUSEHOLDS} households in ${GRIDS.length} grids, ${facts.projects.length} projects;`,
		`quarter 2026-Q4: intake ${q.figures.intake.total}, resolution ${q.figures.resolution.part}/${q.figures.resolution.whole}, median days to decision ${q.figures.toDecision.median}, coverage ${((q.figures.visits.coverage.rate ?? 0) * 100).toFixed(1)}%;`,
		`"at once" is one pass per period kind (binary search for each fact's period); "one call each" is a pass per period.`
	]);
}

if (isMain(import.meta.url)) console.log(String(reportsBench()));
