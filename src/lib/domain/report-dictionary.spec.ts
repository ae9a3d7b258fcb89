import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { periodByKey } from './periods';
import { communityReport, emptyFigures } from './report';
import { DICTIONARY_NOTES, dictionaryMarkdown, FIGURES, publicFigures, figureDef, figureRows, PUBLIC_FIGURES, SECTIONS, valueOf } from './report-dictionary';
import type { Figures } from './report-types';
import { cst, reportFixture } from './testing/reports';

/**
 * The figure ids Figures holds, found by walking its shape (not the dictionary): a ratio is its rate plus
 * .part and .whole, durations are .count, .median and .p90 (the days list is what streets combine, not a
 * figure), an object inside a section is a breakdown.
 */
function figureIds(f: Figures): string[] {
	const ids: string[] = [];
	const leaf = (id: string, v: unknown, inSection: boolean) => {
		if (typeof v === 'number' || v === null) ids.push(id);
		else if (v && typeof v === 'object' && 'part' in v && 'whole' in v && 'rate' in v) ids.push(id, `${id}.part`, `${id}.whole`);
		else if (v && typeof v === 'object' && 'days' in v) ids.push(`${id}.count`, `${id}.median`, `${id}.p90`);
		else if (inSection) ids.push(id);
		else for (const [k, x] of Object.entries(v as object)) leaf(`${id}.${k}`, x, true);
	};
	for (const [k, v] of Object.entries(f)) leaf(k, v, false);
	return ids;
}

const figures = communityReport(reportFixture(), periodByKey('2026-11')!, cst('2026-12-10 00:00')).figures;

describe('the data dictionary', () => {
	it('defines every figure of Figures, and nothing else', () => {
		const defined = FIGURES.map((d) => d.id);
		expect(new Set(defined).size).toBe(defined.length);
		expect([...defined].sort()).toEqual(figureIds(emptyFigures()).sort());
	});

	it('exports every defined figure, and nothing undefined, through figureRows', () => {
		const rowIds = new Set(figureRows(figures).map((r) => r.id));
		expect([...rowIds].sort()).toEqual(FIGURES.map((d) => d.id).sort());
		for (const id of rowIds) expect(figureDef(id), id).toBeDefined();
	});

	it('has a section, Chinese and English words and levels for each', () => {
		const sections = new Set(SECTIONS.map((s) => s.id));
		for (const d of FIGURES) {
			expect(sections.has(d.section), d.id).toBe(true);
			expect(d.zh.name, d.id).toMatch(/[\u4e00-\u9fff]/);
			expect(d.zh.definition, d.id).toMatch(/[\u4e00-\u9fff]/);
			expect(d.en.name.length * d.en.definition.length, d.id).toBeGreaterThan(0);
			expect(d.levels, d.id).toContain('community');
			expect(d.levels, d.id).toContain('street');
		}
		expect(DICTIONARY_NOTES.zh).toHaveLength(DICTIONARY_NOTES.en.length);
	});

	it('says which figures have no grid', () => {
		const gridless = FIGURES.filter((d) => !d.levels.includes('grid')).map((d) => d.section);
		expect([...new Set(gridless)]).toEqual(['topics', 'meetings', 'polls', 'projects', 'money', 'satisfaction']);
		const gridRows = figureRows(figures, { level: 'grid' });
		expect(gridRows.some((r) => r.id.startsWith('money.'))).toBe(false);
		expect(gridRows.some((r) => r.id === 'intake.total')).toBe(true);
	});

	it('publishes what a resident cares about, never grid figures or visits', () => {
		for (const id of ['intake.total', 'topics.formed', 'meetings.held', 'polls.participation', 'projects.byStage', 'money.pledged', 'money.received', 'money.spent', 'toDecision.median', 'toCompletion.median', 'resolution', 'satisfaction'])
			expect(PUBLIC_FIGURES, id).toContain(id);
		for (const id of ['screening.decisions', 'screening.negativeItems', 'visits.coverage', 'meetings.byCapacity', 'intake.byChannel']) expect(PUBLIC_FIGURES, id).not.toContain(id);
		expect(figureRows(figures, { level: 'grid', publicOnly: true })).toEqual([]);
		expect(new Set(figureRows(figures, { publicOnly: true }).map((r) => r.id))).toEqual(new Set(PUBLIC_FIGURES));
	});
});

describe('values', () => {
	it('reads a figure by id', () => {
		expect(valueOf(figures, 'polls.participation')).toBe(0.6);
		expect(valueOf(figures, 'polls.participation.whole')).toBe(500);
		expect(valueOf(figures, 'toDecision.median')).toBe(10);
		expect(valueOf(figures, 'resolution')).toBe(0.4);
		expect(valueOf(figures, 'screening.negativeItems')).toEqual({ '6': 1 });
		expect(valueOf(emptyFigures(), 'satisfaction')).toBeNull();
		expect(valueOf(figures, 'toDecision')).toBeUndefined();
		expect(valueOf(figures, 'nope.nothing')).toBeUndefined();
	});

	it('flattens breakdowns into one row per key', () => {
		const rows = figureRows(figures);
		expect(rows.filter((r) => r.id === 'intake.byCategory')).toContainEqual({ id: 'intake.byCategory', key: '', value: 1 });
		expect(rows.filter((r) => r.id === 'screening.negativeItems')).toEqual([{ id: 'screening.negativeItems', key: '6', value: 1 }]);
		expect(rows.find((r) => r.id === 'money.spent')).toEqual({ id: 'money.spent', value: 112_245 });
		expect(rows.find((r) => r.id === 'satisfaction')).toEqual({ id: 'satisfaction', value: 0.5 });
		// Rows follow the dictionary's order.
		const order = FIGURES.map((d) => d.id);
		const seen = [...new Set(rows.map((r) => r.id))];
		expect(seen).toEqual(order.filter((id) => seen.includes(id)));
	});
});

describe('the public figures', () => {
	it('keep every public figure and empty every other one, with no list of days', () => {
		const f = figures;
		const pub = publicFigures(f);
		for (const d of FIGURES) {
			const v = valueOf(pub, d.id);
			if (d.public) expect(v, d.id).toEqual(valueOf(f, d.id));
			else expect(v === 0 || v === null || (typeof v === 'object' && Object.keys(v as object).length === 0), d.id).toBe(true);
		}
		expect(pub.toDecision.days).toEqual([]);
		expect(pub.visits.needsByTag).toEqual({});
	});
});

describe('the README data dictionary', () => {
	it('is the dictionary as defined here (npm run dictionary rewrites it)', () => {
		const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
		const section = readme.slice(readme.indexOf('<!-- data-dictionary:start -->') + '<!-- data-dictionary:start -->'.length, readme.indexOf('<!-- data-dictionary:end -->'));
		expect(section.trim()).toBe(dictionaryMarkdown().trim());
	});
});
