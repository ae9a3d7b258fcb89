import { describe, expect, it } from 'vitest';
import { foldTimeline, validateProposal } from '../src/lib/domain/proposal';
import { parseDocName } from '../src/lib/schema/doc-names';
import { readProposal } from '../src/lib/schema/proposal-doc';
import { buildDemo, seedDemo } from './demo-seed';
import { MemoryStore } from './memory-store';

const NOW = Date.UTC(2025, 5, 1);

describe('demo seed', () => {
	const demo = buildDemo(NOW);

	it('folds every proposal timeline to its intended status, with nothing superseded', () => {
		expect(demo.proposals).toHaveLength(12);
		for (const p of demo.proposals) {
			const proposal = readProposal(p.doc);
			const folded = foldTimeline(proposal.timeline.events);
			expect(folded.status, p.id).toBe(p.status);
			expect(folded.superseded.size, p.id).toBe(0);
			expect(proposal.timeline.updated).toBeLessThan(NOW);
		}
		expect(new Set(demo.proposals.map((p) => p.status)).size).toBe(12);
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

	it('names every document validly and stores each as one update', async () => {
		for (const d of demo.docs) expect(parseDocName(d.name), d.name).not.toBeNull();
		const store = new MemoryStore();
		expect(await seedDemo(store, NOW)).toBe(demo.docs.length);
		expect(await store.docCount()).toBe(demo.docs.length);
		expect(await store.headSeq()).toBe(demo.docs.length);
	});
});
