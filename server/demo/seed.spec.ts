import { describe, expect, it } from 'vitest';
import { validateHousehold } from '../../src/lib/domain/household';
import { foldTimeline, validateProposal } from '../../src/lib/domain/proposal';
import { coverage, cycleAt, shiftCycle, validateVisit } from '../../src/lib/domain/visit';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { readProposal } from '../../src/lib/schema/proposal-doc';
import { readVisits } from '../../src/lib/schema/visits-doc';
import { buildDemo, buildNeighbour, seedDemo } from './seed';
import { MemoryStore } from '../storage/memory-store';

const NOW = Date.UTC(2025, 5, 1);

describe('demo seed', () => {
	const demo = buildDemo(NOW);

	it('folds every proposal timeline to its intended status, with nothing superseded', () => {
		expect(demo.proposals).toHaveLength(14);
		for (const p of demo.proposals) {
			const proposal = readProposal(p.doc);
			const folded = foldTimeline(proposal.timeline.events, proposal.filedAt);
			expect(folded.status, p.id).toBe(p.status);
			expect(folded.superseded.size, p.id).toBe(0);
			expect(proposal.timeline.updated).toBeLessThan(NOW);
		}
		expect(new Set(demo.proposals.map((p) => p.status)).size).toBe(14);
		// One waits at the street office; one was settled in its grid.
		expect(readProposal(demo.proposals.find((p) => p.status === 'escalated')?.doc as never).level).toBe('street');
		expect(readProposal(demo.proposals.find((p) => p.status === 'settled')?.doc as never).level).toBe('grid');
	});

	it('gives every proposal valid content, co-signers for joint ones and a cited reason for the rejection', () => {
		for (const p of demo.proposals) {
			const proposal = readProposal(p.doc);
			const issues = validateProposal(proposal, proposal.coSigners.map((c) => c.household));
			expect(issues, p.id).toEqual([]);
		}
		const rejected = demo.proposals.find((p) => p.status === 'rejected');
		const event = readProposal(rejected?.doc as never).timeline.events.find((e) => e.type === 'transition' && e.to === 'rejected');
		expect(event).toMatchObject({ negativeItem: 3 });
		const kinds = new Set(demo.proposals.map((p) => readProposal(p.doc).kind));
		const channels = new Set(demo.proposals.map((p) => readProposal(p.doc).channel));
		expect([...kinds].sort()).toEqual(['individual', 'joint', 'organisational']);
		for (const c of ['app', 'visit', 'box', 'meeting']) expect(channels.has(c as never)).toBe(true);
	});

	it('builds a deterministic register of a few hundred households', () => {
		const again = buildDemo(NOW);
		expect(JSON.stringify([...again.households])).toBe(JSON.stringify([...demo.households]));
		const all = [...demo.households.values()].flat();
		expect(all.length).toBeGreaterThan(200);
		expect(all.length).toBeLessThan(600);
		for (const h of all) {
			expect(h.area).toBeGreaterThanOrEqual(50);
			expect(h.area).toBeLessThanOrEqual(140);
			expect(h.members.length).toBeGreaterThan(0);
		}
		expect(new Set(all.map((h) => h.id)).size).toBe(all.length);
	});

	it('keeps the household ids the other tests and invitations use', () => {
		const ids = new Set([...demo.households.values()].flat().map((h) => h.id));
		for (const id of ['b01-1-101', 'b01-1-201', 'b01-2-301']) expect(ids.has(id), id).toBe(true);
	});

	it('gives every household a valid record: areas by floor plan, one building contact per building', () => {
		for (const [grid, list] of demo.households) {
			for (const h of list) expect(validateHousehold(h, { grid, buildings: demo.community.buildings }), h.id).toEqual([]);
		}
		const all = [...demo.households.values()].flat();
		// Flats stacked in one unit share a floor plan, so the same area.
		const stacked = all.filter((h) => h.building === 'b03' && h.unit === 1 && h.room.endsWith('01'));
		expect(stacked.length).toBeGreaterThan(1);
		expect(new Set(stacked.map((h) => h.area)).size).toBe(1);
		const contacts = all.filter((h) => h.tags.includes('contact_person'));
		expect(new Set(contacts.map((h) => h.building)).size).toBe(contacts.length);
		expect(contacts.length).toBeGreaterThanOrEqual(15);
	});

	it('seeds canvassing at every stage this month, and last month covered', () => {
		const month = cycleAt(NOW);
		const docs = new Map(demo.docs.map((d) => [d.name, d.doc]));
		const visited: number[] = [];
		for (const grid of demo.community.grids) {
			const visits = readVisits(docs.get(`demo:visits:${grid.id}`)!);
			expect(visits).toEqual([...demo.visits.get(grid.id)!].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)));
			for (const v of visits) {
				expect(validateVisit(v), v.id).toEqual([]);
				expect(v.at).toBeLessThanOrEqual(NOW);
				expect(v.grid).toBe(grid.id);
			}
			const households = demo.households.get(grid.id)!;
			const now = coverage(households, visits, month).total;
			const last = coverage(households, visits, shiftCycle(month, -1)).total;
			visited.push(now.visited / now.households);
			expect(last.visited / last.households).toBeGreaterThan(0.6);
			if (now.visited > 0) expect(now.needs).toBeGreaterThan(0);
		}
		// Nearly done, part-done, just started, not begun.
		expect(visited[0]).toBeGreaterThan(0.6);
		expect(visited[1]).toBeGreaterThan(0.2);
		expect(visited[1]).toBeLessThan(0.6);
		expect(visited[2]).toBeGreaterThan(0);
		expect(visited[2]).toBeLessThan(0.2);
		expect(visited[3]).toBe(0);
	});

	it('names every document validly and stores each as one update', async () => {
		const neighbour = buildNeighbour(NOW);
		const all = [...demo.docs, ...neighbour.docs];
		for (const d of all) expect(parseDocName(d.name), d.name).not.toBeNull();
		expect(new Set(all.map((d) => d.name)).size).toBe(all.length);
		const store = new MemoryStore();
		expect(await seedDemo(store, NOW)).toBe(all.length);
		expect(await store.docCount()).toBe(all.length);
		expect(await store.headSeq()).toBe(all.length);
	});

	it('seeds a neighbour community under the same street office, with one matter waiting at the street', () => {
		const neighbour = buildNeighbour(NOW);
		expect(neighbour.community.grids).toHaveLength(2);
		expect([...neighbour.households.values()].flat().length).toBeGreaterThan(20);
		for (const p of neighbour.proposals) {
			const proposal = readProposal(p.doc);
			expect(proposal.timeline.status, p.id).toBe(p.status);
			expect(proposal.timeline.superseded.size, p.id).toBe(0);
		}
		expect(neighbour.proposals.filter((p) => readProposal(p.doc).level === 'street')).toHaveLength(1);
	});
});
