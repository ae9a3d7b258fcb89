import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { cstDay } from '../../src/lib/domain/calendar';
import { noticePhase } from '../../src/lib/domain/notice';
import { projectState, projectTimeline } from '../../src/lib/domain/project';
import { parseDocName, participationDocName, projectDocName } from '../../src/lib/schema/doc-names';
import { indexEntry } from '../../src/lib/schema/index-entry';
import { readNotice } from '../../src/lib/schema/notice-doc';
import { readProject } from '../../src/lib/schema/project-doc';
import { readTopic } from '../../src/lib/schema/topic-doc';
import { buildDemoProjects, DEMO_PROJECT_IDS } from './projects';
import { buildDemo } from './seed';

const NOW = Date.UTC(2025, 5, 1, 4);
const TODAY = cstDay(NOW);

describe('demo projects', () => {
	const demo = buildDemo(NOW);
	const { projects, participation, notices, topics } = buildDemoProjects(demo, NOW);
	const read = (id: string) =>
		readProject(
			projects.find((p) => p.name === projectDocName('demo', id))!.doc,
			participation.find((p) => p.name === participationDocName('demo', id))!.doc
		);
	const state = (id: string) => {
		const p = read(id);
		return { p, s: projectState(p, TODAY) };
	};
	const households = new Map([...demo.households.values()].flat().map((h) => [h.id, h]));

	it('covers every stage the demo means to show, for demo proposals that exist', () => {
		for (const id of DEMO_PROJECT_IDS) expect(demo.proposals.map((p) => p.id)).toContain(id);
		expect(
			Object.fromEntries(DEMO_PROJECT_IDS.map((id) => [id, state(id).s.stage]))
		).toEqual({
			'stair-seats': 'closed',
			'unit-door-7': 'publicised',
			'ev-charging': 'in_progress',
			'bin-kiosk': 'accepted',
			'roof-leak': 'funding'
		});
	});

	it('keeps exact, non-negative ledgers and counts nothing it should not', () => {
		const { s } = state('stair-seats');
		expect(s.funding.income).toBe(415000);
		expect(s.funding.spending).toBe(414650);
		expect(s.funding.balance).toBe(350);
		for (const id of DEMO_PROJECT_IDS) {
			const f = projectState(read(id), TODAY).funding;
			expect(f.notCounted).toEqual([]);
			expect(f.lines.every((l) => l.balance >= 0)).toBe(true);
		}
	});

	it('names real households of the project’s building in pledges, sign-offs and ratings', () => {
		const { p, s } = state('stair-seats');
		for (const pledge of p.pledges.filter((x) => x.household)) expect(households.get(pledge.household!)?.building).toBe('b03');
		for (const r of p.ratings) expect(households.get(r.household)?.building).toBe('b03');
		expect(s.satisfaction.count).toBe(8);
		expect(s.satisfaction.followUp.some((h) => h.current.score === 2)).toBe(true);
		expect(s.acceptance.status).toBe('passed');
	});

	it('keeps residents’ own records in the participation document and only staff records in the project', () => {
		for (const d of projects) {
			for (const value of d.doc.share.values()) {
				if (!(value instanceof Y.Map) || value === d.doc.getMap('meta')) continue;
				for (const record of value.values()) expect((record as { by: { role: string } }).by.role).not.toBe('resident');
			}
		}
		const own = participation.flatMap((d) => [...d.doc.getMap<{ by: { role: string } }>('ratings').values()]);
		expect(own.length).toBeGreaterThan(0);
		expect(own.every((r) => r.by.role === 'resident')).toBe(true);
	});

	it('shows an overdue task and a waiting disclosure request on the project under way', () => {
		const { s } = state('ev-charging');
		expect(s.work.overdue).toBe(1);
		expect(s.requests.filter((r) => !r.answer)).toHaveLength(1);
		expect(s.tender.selected?.tender.vendor).toBe('绿能充电');
	});

	it('links every notice to its project, and each project to a topic holding its proposal', () => {
		for (const d of notices) {
			const n = readNotice(d.doc)!;
			expect(parseDocName(n.matter!)?.kind).toBe('project');
			const p = readProject(projects.find((x) => x.name === n.matter)!.doc);
			expect(p.notices.map((x) => x.doc)).toContain(d.name);
		}
		const running = notices.map((d) => readNotice(d.doc)!).filter((n) => noticePhase(n, TODAY) === 'current');
		expect(running.map((n) => n.kind).sort()).toEqual(['acceptance', 'tender']);
		for (const t of topics) {
			const topic = readTopic(t.doc, t.name);
			expect(topic.proposals).toEqual([`demo:proposal:${topic.id}`]);
			expect(readProject(projects.find((p) => p.name === projectDocName('demo', topic.id))!.doc).topic).toBe(t.name);
		}
	});

	it('indexes each project and has a timeline step for everything recorded', () => {
		for (const d of projects) {
			expect(indexEntry(d.name, d.doc)).toMatchObject({ kind: 'project' });
			const p = readProject(d.doc);
			expect(projectTimeline(p, projectState(p, TODAY)).length).toBeGreaterThan(2);
		}
	});
});
