import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import * as Y from 'yjs';
import { periodByKey } from '$lib/domain/periods';
import { emptyFigures } from '$lib/domain/report';
import { FIGURES } from '$lib/domain/report-dictionary';
import type { CommunityReport, Figures } from '$lib/domain/report-types';
import { readReportDoc, writeReportDoc } from '$lib/schema/report-doc';
import { reportFileName } from './format';
import { dictionaryGrid, figuresGrid, figuresTable, reportCsv, reportFile } from './tables';
import { reportView, scopesFor, statusOf, trendSeries } from './view';

const Q4 = periodByKey('2026-Q4')!;
const Q3 = periodByKey('2026-Q3')!;

function figures(over: (f: Figures) => void = () => {}): Figures {
	const f = emptyFigures();
	over(f);
	return f;
}

const community = figures((f) => {
	f.intake.total = 12;
	f.intake.byChannel = { ...f.intake.byChannel, app: 7, visit: 5 };
	f.screening.negativeItems = { '3': 2 };
	f.resolution = { part: 5, whole: 8, rate: 5 / 8 };
	f.money.pledged = 123_450;
});
const g1 = figures((f) => {
	f.intake.total = 7;
	f.visits.coverage = { part: 30, whole: 40, rate: 0.75 };
});
const g2 = figures((f) => {
	f.intake.total = 4;
});

const columns = [
	{ id: 'demo', name: '锦绣里社区', figures: community },
	{ id: 'g1', name: '第一网格', figures: g1 },
	{ id: 'g2', name: '第二网格', figures: g2 }
];

describe('report tables', () => {
	it('has every figure of the dictionary that exists at the level, with a value per column', () => {
		for (const level of ['grid', 'community', 'street'] as const) {
			const table = figuresTable(columns, { level });
			const ids = new Set(table.rows.map((r) => r.def.id));
			expect([...ids].sort()).toEqual(FIGURES.filter((d) => d.levels.includes(level)).map((d) => d.id).sort());
			for (const r of table.rows) expect(r.values).toHaveLength(3);
		}
		const table = figuresTable(columns, { level: 'community' });
		const row = (id: string, key?: string) => table.rows.find((r) => r.def.id === id && r.key === key)!;
		expect(row('intake.total').values).toEqual([12, 7, 4]);
		expect(row('intake.byChannel', 'app').values).toEqual([7, 0, 0]);
		expect(row('resolution').values).toEqual([5 / 8, null, null]);
		expect(row('screening.negativeItems', '3').values).toEqual([2, 0, 0]);
		expect(row('screening.negativeItems', '3').keyName).toMatch(/^第3条/);
	});

	it('keeps a breakdown with no key as one row, so no defined figure is left out', () => {
		const table = figuresTable([{ id: 'g2', name: 'g2', figures: g2 }], { level: 'community' });
		const rows = table.rows.filter((r) => r.def.id === 'screening.negativeItems');
		expect(rows).toHaveLength(1);
		expect(rows[0]!.key).toBeUndefined();
		expect(rows[0]!.values).toEqual([0]);
	});

	it('leaves a column without a report empty rather than zero', () => {
		const table = figuresTable([...columns, { id: 'east', name: '东区', figures: null }], { level: 'street' });
		expect(table.rows.find((r) => r.def.id === 'intake.total')!.values).toEqual([12, 7, 4, null]);
	});

	it('leaves figures that do not exist at a column\'s level empty (money in a grid)', () => {
		const table = figuresTable(
			columns.map((c, i) => ({ ...c, level: i === 0 ? ('community' as const) : ('grid' as const) })),
			{ level: 'community' }
		);
		expect(table.rows.find((r) => r.def.id === 'money.pledged')!.values).toEqual([123_450, null, null]);
		expect(table.rows.find((r) => r.def.id === 'meetings.byKind')!.values).toEqual([0, null, null]);
		expect(table.rows.find((r) => r.def.id === 'intake.total')!.values).toEqual([12, 7, 4]);
	});

	it('keeps only public figures, and none at grid level, for the residents', () => {
		const table = figuresTable(columns.slice(0, 1), { level: 'community', publicOnly: true });
		expect(table.rows.every((r) => r.def.public)).toBe(true);
		expect(new Set(table.rows.map((r) => r.def.id))).toEqual(new Set(FIGURES.filter((d) => d.public && d.levels.includes('community')).map((d) => d.id)));
		expect(figuresTable(columns, { level: 'grid', publicOnly: true }).rows).toEqual([]);
	});

	it('defines every figure in the data dictionary, with the notes after it', () => {
		const grid = dictionaryGrid('community');
		const ids = grid.slice(1).map((r) => r[0]);
		for (const d of FIGURES.filter((x) => x.levels.includes('community'))) {
			const row = grid.find((r) => r[0] === d.id)!;
			expect(row, d.id).toBeDefined();
			expect(row[1]).toBe(d.zh.name);
			expect(row[5]).toBe(d.zh.definition);
		}
		expect(ids).not.toContain('satisfaction.nope');
		expect(grid.at(-1)![0]).toMatch(/汇总数/);
	});

	it('writes a CSV Excel opens as UTF-8: BOM first, CRLF, every figure and the dictionary', async () => {
		const table = figuresTable(columns, { level: 'community' });
		const { csv } = reportFile(['锦绣里社区 2026年第4季度 季反馈'], table, 'community');
		const text = await reportCsv(csv);
		expect(text.charCodeAt(0)).toBe(0xfeff);
		expect(text.startsWith('\ufeff锦绣里社区')).toBe(true);
		expect(text).toContain('\r\n');
		const rows = Papa.parse<string[]>(text.slice(1)).data;
		// Every line has the same number of fields.
		expect(new Set(rows.map((r) => r.length)).size).toBe(1);
		const header = rows.find((r) => r[0] === '指标编号')!;
		expect(header.slice(5, 8)).toEqual(['锦绣里社区', '第一网格', '第二网格']);
		for (const d of FIGURES.filter((x) => x.levels.includes('community'))) {
			expect(rows.filter((r) => r[0] === d.id).length, d.id).toBeGreaterThanOrEqual(2); // figures and dictionary
		}
		const rate = rows.find((r) => r[0] === 'resolution' && r[4] === '比率')!;
		expect(rate[5]).toBe('62.5%');
		expect(rows.find((r) => r[0] === 'money.pledged')![5]).toBe('123450');
	});

	it('keeps rates numeric for the workbook', () => {
		const grid = figuresGrid(figuresTable(columns, { level: 'community' }), 'xlsx');
		expect(grid.find((r) => r[0] === 'resolution')![5]).toBe(0.625);
	});

	it('names files after the scope, the period and 报告', () => {
		expect(reportFileName('锦绣里社区', Q4, 'csv')).toBe('锦绣里社区-2026-Q4-报告.csv');
		expect(reportFileName('a/b: c', Q4, 'xlsx')).toBe('a_b_c-2026-Q4-报告.xlsx');
	});
});

describe('report views', () => {
	const report = (c: string, period = Q4, f = community): CommunityReport => ({
		community: c,
		period,
		computedAt: 1000,
		figures: f,
		grids: { g1, g2 },
		gridNames: { g1: '第一网格', g2: '第二网格' }
	});
	function doc(c: string, opts: { open?: CommunityReport[]; frozen?: CommunityReport[]; corrected?: CommunityReport; late?: number } = {}) {
		const d = new Y.Doc();
		const key = (r: CommunityReport) => `${r.period.kind}:${r.period.key}`;
		writeReportDoc(d, c, 5000, {
			open: new Map((opts.open ?? []).map((r) => [key(r), r])),
			frozen: [
				...(opts.frozen ?? []).map((r) => ({ version: 1, frozenAt: 2000, report: r })),
				...(opts.corrected ? [{ version: 2, frozenAt: 3000, report: opts.corrected, correction: { reason: '补录走访', by: 'admin' } }] : [])
			],
			late: new Map(opts.late ? [[`quarter:${Q3.key}`, opts.late]] : [])
		});
		return readReportDoc(d);
	}

	it('offers each role its scopes', () => {
		expect(scopesFor({ role: 'grid_worker', community: 'demo', grids: ['g2'] }, ['g1', 'g2']).map((s) => s.value)).toEqual(['grid:g2']);
		expect(scopesFor({ role: 'facilitator', community: 'demo' }, ['g1', 'g2']).map((s) => s.value)).toEqual(['community:demo', 'grid:g1', 'grid:g2']);
		expect(scopesFor({ role: 'street_admin', community: 'st', communities: ['demo', 'east'] }, []).map((s) => s.value)).toEqual(['street', 'community:demo', 'community:east']);
		expect(scopesFor({ role: 'resident', community: 'demo', household: 'h' }, ['g1'])).toEqual([]);
	});

	it('tells open, frozen and corrected periods apart, with late changes', () => {
		const docs = new Map([['demo', doc('demo', { open: [report('demo')], frozen: [report('demo', Q3)], corrected: report('demo', Q3), late: 4 })]]);
		const [scope] = scopesFor({ role: 'community_admin', community: 'demo' }, []);
		const open = reportView(scope!, Q4, { docs, names: {} });
		expect(open.status).toEqual({ state: 'open', computedAt: 1000 });
		expect(open.columns.map((c) => c.id)).toEqual(['demo', 'g1', 'g2']);
		const closed = reportView(scope!, Q3, { docs, names: {} });
		expect(closed.status).toEqual({ state: 'corrected', frozenAt: 2000, version: 2, at: 3000, reason: '补录走访', late: 4 });
		expect(statusOf(null)).toEqual({ state: 'none' });
	});

	it('combines a street from its communities and names those missing', () => {
		const docs = new Map([
			['demo', doc('demo', { open: [report('demo')] })],
			['east', doc('east', { open: [report('east', Q4, g1)] })],
			['west', doc('west')]
		]);
		const [street] = scopesFor({ role: 'street_admin', community: 'st', communities: ['demo', 'east', 'west'] }, []);
		const v = reportView(street!, Q4, { docs, names: { street: '幸福街道' }, communities: ['demo', 'east', 'west'] });
		expect(v.missing).toEqual(['west']);
		expect(v.figures!.intake.total).toBe(12 + 7);
		expect(v.parts.map((p) => p.id)).toEqual(['demo', 'east', 'west']);
		expect(v.status).toEqual({ state: 'street', count: 2, total: 3 });
		const trend = trendSeries(street!, Q4, 2, { docs, names: {}, communities: ['demo', 'east', 'west'] }, ['intake.total']);
		expect(trend.values['intake.total']).toEqual([null, 19]);
	});
});

describe('report notice', () => {
	it('lists the public key figures by their dictionary names and links the public report', async () => {
		const { reportNotice, NOTICE_FIGURES } = await import('./notice');
		const n = reportNotice('锦绣里社区', Q4, community, 'https://x.example/reports/public?period=2026-Q4');
		expect(n.title).toBe('锦绣里社区2026年第4季度议事协商工作公示');
		expect(n.body).toContain('收集提案数：12');
		expect(n.body).toContain('办结率：62.5%');
		expect(n.body).toContain('https://x.example/reports/public?period=2026-Q4');
		for (const id of NOTICE_FIGURES) expect(FIGURES.find((d) => d.id === id)!.public).toBe(true);
		expect(NOTICE_FIGURES).not.toContain('resolution.part');
	});
});
