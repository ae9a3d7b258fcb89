/**
 * Acceptance story 4, reports (周收集、月汇总、季反馈), in real Chromium against the real relay (no demo seed):
 * "weekly, monthly and quarterly figures per level match the underlying data and export".
 *
 * Two communities of one street office, each with two grids of two buildings (three flats each: six households a
 * grid), are set up from Node with a community admin credential (structure, not the figures under test). All the
 * data the figures count is entered through the app, every role on its own device: in 东苑 the grid workers of
 * both grids record visits, one of them files a proposal at the door, a resident files one in the app and the
 * facilitator rejects it citing a negative-list item; in 西苑 the grid worker records two visits and files a
 * suggestion-box proposal that names no household. The relay publishes the reports; the facilitator (community
 * and each grid), the 西苑 grid worker (their grid) and the street admin (street and each community) find the
 * expected figures for the week, month and quarter; the CSV (with BOM) and XLSX exports hold the same numbers for
 * the scope and each of its grids or communities; the printable page renders the figures and its charts.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Browser, Download, Page } from 'playwright-core';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { DEFAULT_RULES } from '../../src/lib/domain/proposal';
import { NEGATIVE_LIST } from '../../src/lib/domain/lists';
import { periodOf } from '../../src/lib/domain/periods';
import type { Period, PeriodKind } from '../../src/lib/domain/report-facts';
import { type Building, readCommunity, writeCommunity } from '../../src/lib/schema/community-doc';
import { communityDocName, householdsDocName } from '../../src/lib/schema/doc-names';
import { type Household, readHouseholds, writeHouseholds } from '../../src/lib/schema/households-doc';
import { startApp, stopApp, waitUntil, type InviteOptions, type RelayHandle } from './harness';
import { type Device, installedDevice } from './invite';

const STREET = 'qingliu';
const STREET_NAME = '青柳街道';
const KINDS: readonly PeriodKind[] = ['week', 'month', 'quarter'];

// ---- the two communities (setup) ----

interface Layout {
	id: 'east' | 'west';
	name: string;
	grids: { id: string; name: string }[];
	buildings: Building[];
	households: Map<string, Household[]>;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
/** Two grids of two single-unit buildings, three floors of one flat each: six households a grid, twelve in all. */
function layout(id: 'east' | 'west', name: string, prefix: string): Layout {
	const grids = [
		{ id: 'g1', name: `${prefix}一网格` },
		{ id: 'g2', name: `${prefix}二网格` }
	];
	const buildings: Building[] = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, grid: n <= 2 ? 'g1' : 'g2', name: `${n}号楼`, units: 1, floors: 3, roomsPerFloor: 1 }));
	const households = new Map<string, Household[]>();
	let i = 0;
	for (const b of buildings) {
		for (const floor of [1, 2, 3]) {
			const room = `${floor}01`;
			const h: Household = { id: `${b.id}-1-${room}`, building: b.id, unit: 1, room, area: 60 + 5 * floor, members: [{ name: `${SURNAMES[i++ % SURNAMES.length]}${prefix}${floor}` }], tags: [] };
			households.set(b.grid, [...(households.get(b.grid) ?? []), h]);
		}
	}
	return { id, name, grids, buildings, households };
}

const EAST = layout('east', '东苑社区', '东苑');
const WEST = layout('west', '西苑社区', '西苑');
const HOUSEHOLDS_PER_GRID = 6;

/** A stock y-websocket provider on the relay's /ws endpoint with a credential, as any client may use. */
function provider(relay: RelayHandle, name: string, doc: Y.Doc, token: string): WebsocketProvider {
	return new WebsocketProvider(`${relay.url.replace(/^http/, 'ws')}/ws`, name, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		params: { token }
	});
}

function synced(p: WebsocketProvider): Promise<void> {
	return p.synced ? Promise.resolve() : new Promise((resolve) => p.once('sync', () => resolve()));
}

/** Writes a document through the relay and waits until a fresh connection reads it back (stored, not refused). */
async function putDoc(relay: RelayHandle, token: string, name: string, write: (d: Y.Doc) => void, landed: (d: Y.Doc) => boolean): Promise<void> {
	const doc = new Y.Doc();
	const p = provider(relay, name, doc, token);
	try {
		await synced(p);
		write(doc);
		await waitUntil(
			async () => {
				const copy = new Y.Doc();
				const q = provider(relay, name, copy, token);
				try {
					await synced(q);
					return landed(copy);
				} finally {
					q.destroy();
				}
			},
			15_000,
			`${name} stored on the relay`
		);
	} finally {
		p.destroy();
	}
}

async function setUp(relay: RelayHandle, c: Layout): Promise<void> {
	const token = await relay.token({ role: 'community_admin', community: c.id, name: `${c.name}管理员` });
	await putDoc(
		relay,
		token,
		communityDocName(c.id),
		(d) => writeCommunity(d, { id: c.id, name: c.name, street: STREET_NAME, district: '临江区', grids: c.grids, buildings: c.buildings, rules: DEFAULT_RULES }),
		(d) => readCommunity(d).buildings.length === c.buildings.length
	);
	for (const [grid, list] of c.households) {
		await putDoc(
			relay,
			token,
			householdsDocName(c.id, grid),
			(d) => writeHouseholds(d, grid, list),
			(d) => readHouseholds(d).length === list.length
		);
	}
}

// ---- what is entered in the app, and the figures it must give ----

/** One thing done in the app, with when it was saved and what it adds to the figures of its grid and community. */
interface Event {
	at: number;
	community: 'east' | 'west';
	/** The grid it counts in; null for a proposal that names no household (counted in the community only). */
	grid: string | null;
	intake?: { channel: string; category: string };
	visit?: { outcome: 'talked' | 'not_home' | 'declined'; tags: string[] };
	/** A rejection citing this negative-list item. */
	rejected?: number;
}

// The negative-list item cited: no. 4, 以营利为目的, whose keywords include 开店 (the resident's proposal says it).
const ITEM = NEGATIVE_LIST.find((i) => i.no === 4)!;

/** The figure values checked: `<figure id>` or `<breakdown id>-<key>`, as the report page's test ids name them. */
const CHECKED = [
	'intake.total',
	'intake.byChannel-app',
	'intake.byChannel-visit',
	'intake.byChannel-box',
	'intake.byCategory-facilities',
	'intake.byCategory-services',
	'intake.byCategory-greening',
	'screening.decisions',
	'screening.byOutcome-rejected',
	'screening.negativeItems-4',
	'visits.visits',
	'visits.coverage',
	'visits.coverage.part',
	'visits.coverage.whole',
	'visits.needsByTag-repair',
	'visits.needsByTag-elderly_care',
	'visits.needsByTag-safety',
	'visits.needsByTag-parking',
	'visits.needsByTag-environment'
] as const;
type Figures = Record<(typeof CHECKED)[number], number>;

/** A scope: the street (no community), a community, or a grid of one. */
interface Where {
	community?: 'east' | 'west';
	grid?: string;
}

const fill = (part: Partial<Figures> & { whole: number }): Figures => {
	const { whole, ...rest } = part;
	const f = Object.fromEntries(CHECKED.map((id) => [id, 0])) as Figures;
	Object.assign(f, rest);
	f['visits.coverage.whole'] = whole;
	f['visits.coverage'] = f['visits.coverage.part'] / whole;
	return f;
};

/**
 * The figures worked out by hand, when everything happens in one week (so in one month and quarter):
 *   东苑 g1: the door proposal (visit, facilities); 3 visits — 1-101 talked (repair, elderly care), 1-201 talked
 *            (safety), 2-1-101 not home — so 2 of 6 households reached; no screening decision.
 *   东苑 g2: the resident's proposal (app, services), rejected citing item 4; 1 visit, talked (parking): 1 of 6.
 *   东苑:    intake 2 (app 1, visit 1); 4 visits, 3 of 12 reached (25%); 1 decision, rejected, item 4 once.
 *   西苑 g1: 2 visits, talked (environment) and declined: both reached, 2 of 6; no intake (the box proposal
 *            names no household, so it counts in the community only).
 *   西苑:    intake 1 (box, greening); 2 visits, 2 of 12 reached.
 *   青柳街道: the two communities added up: intake 3 (app 1, visit 1, box 1); 6 visits; 5 of 24 reached; 1
 *            rejection citing item 4.
 */
const BY_HAND: Record<string, Figures> = {
	'east/g1': fill({ whole: 6, 'intake.total': 1, 'intake.byChannel-visit': 1, 'intake.byCategory-facilities': 1, 'visits.visits': 3, 'visits.coverage.part': 2, 'visits.needsByTag-repair': 1, 'visits.needsByTag-elderly_care': 1, 'visits.needsByTag-safety': 1 }),
	'east/g2': fill({ whole: 6, 'intake.total': 1, 'intake.byChannel-app': 1, 'intake.byCategory-services': 1, 'screening.decisions': 1, 'screening.byOutcome-rejected': 1, 'screening.negativeItems-4': 1, 'visits.visits': 1, 'visits.coverage.part': 1, 'visits.needsByTag-parking': 1 }),
	east: fill({ whole: 12, 'intake.total': 2, 'intake.byChannel-app': 1, 'intake.byChannel-visit': 1, 'intake.byCategory-facilities': 1, 'intake.byCategory-services': 1, 'screening.decisions': 1, 'screening.byOutcome-rejected': 1, 'screening.negativeItems-4': 1, 'visits.visits': 4, 'visits.coverage.part': 3, 'visits.needsByTag-repair': 1, 'visits.needsByTag-elderly_care': 1, 'visits.needsByTag-safety': 1, 'visits.needsByTag-parking': 1 }),
	'west/g1': fill({ whole: 6, 'visits.visits': 2, 'visits.coverage.part': 2, 'visits.needsByTag-environment': 1 }),
	west: fill({ whole: 12, 'intake.total': 1, 'intake.byChannel-box': 1, 'intake.byCategory-greening': 1, 'visits.visits': 2, 'visits.coverage.part': 2, 'visits.needsByTag-environment': 1 }),
	street: fill({ whole: 24, 'intake.total': 3, 'intake.byChannel-app': 1, 'intake.byChannel-visit': 1, 'intake.byChannel-box': 1, 'intake.byCategory-facilities': 1, 'intake.byCategory-services': 1, 'intake.byCategory-greening': 1, 'screening.decisions': 1, 'screening.byOutcome-rejected': 1, 'screening.negativeItems-4': 1, 'visits.visits': 6, 'visits.coverage.part': 5, 'visits.needsByTag-repair': 1, 'visits.needsByTag-elderly_care': 1, 'visits.needsByTag-safety': 1, 'visits.needsByTag-parking': 1, 'visits.needsByTag-environment': 1 })
};
const key = (w: Where) => (w.community ? (w.grid ? `${w.community}/${w.grid}` : w.community) : 'street');

/**
 * The figures of a scope in a period, from the events that fall in it (China time, as the relay cuts them). When
 * every event falls in the one period this is BY_HAND (asserted); a run across a week, month or quarter boundary
 * splits them between two periods, and each is checked with its share.
 */
function expected(events: readonly Event[], where: Where, period: Period): Figures {
	const mine = events.filter(
		(e) => (!where.community || e.community === where.community) && (!where.grid || e.grid === where.grid) && periodOf(period.kind, e.at).key === period.key
	);
	const count = (f: (e: Event) => boolean) => mine.filter(f).length;
	const f = fill({ whole: (where.grid ? 1 : where.community ? 2 : 4) * HOUSEHOLDS_PER_GRID });
	f['intake.total'] = count((e) => !!e.intake);
	for (const c of ['app', 'visit', 'box'] as const) f[`intake.byChannel-${c}`] = count((e) => e.intake?.channel === c);
	for (const c of ['facilities', 'services', 'greening'] as const) f[`intake.byCategory-${c}`] = count((e) => e.intake?.category === c);
	f['screening.decisions'] = f['screening.byOutcome-rejected'] = count((e) => e.rejected !== undefined);
	f['screening.negativeItems-4'] = count((e) => e.rejected === 4);
	f['visits.visits'] = count((e) => !!e.visit);
	// Each household is visited once, so households reached are the visits that found someone (not "not home").
	f['visits.coverage.part'] = count((e) => !!e.visit && e.visit.outcome !== 'not_home');
	f['visits.coverage'] = f['visits.coverage.part'] / f['visits.coverage.whole'];
	for (const tag of ['repair', 'elderly_care', 'safety', 'parking', 'environment'] as const) f[`visits.needsByTag-${tag}`] = count((e) => !!e.visit?.tags.includes(tag));
	return f;
}

/** The periods of a kind that the events fall in, oldest first (one, unless the run crossed a boundary). */
function periodsOf(events: readonly Event[], kind: PeriodKind): Period[] {
	const byKey = new Map(events.map((e) => periodOf(kind, e.at)).map((p) => [p.key, p]));
	return [...byKey.values()].sort((a, b) => a.from - b.from);
}

// ---- reading the app ----

/** The values the report page shows for CHECKED (data-value of `figure-<id>`); null when not shown. */
async function shown(page: Page): Promise<Record<string, number | null>> {
	const raw = await page.evaluate(
		(ids) => ids.map((id) => document.querySelector(`[data-testid="figure-${id}"]`)?.getAttribute('data-value') ?? null),
		[...CHECKED]
	);
	return Object.fromEntries(CHECKED.map((id, i) => [id, raw[i] === null || raw[i] === '' ? null : Number(raw[i])]));
}

/** What the page must show: a breakdown lists only keys that occur, so an item never cited has no row. */
function onPage(f: Figures): Record<string, number | null> {
	return { ...f, 'screening.negativeItems-4': f['screening.negativeItems-4'] || null };
}

/** The scope the level control shows (a select when there are several, else a line with data-value). */
async function levelValue(page: Page): Promise<string | null> {
	const level = page.getByTestId('report-level');
	return (await level.evaluate((el) => el.tagName)) === 'SELECT' ? level.inputValue() : level.getAttribute('data-value');
}

const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);

/** Chooses scope, kind and period with the page's own controls, waiting for each to reach the address. */
async function choose(page: Page, scope: string | null, period: Period): Promise<void> {
	await page.getByTestId('report-period-kind').waitFor({ timeout: 30_000 });
	if (scope !== null && (await levelValue(page)) !== scope) {
		await page.getByTestId('report-level').selectOption(scope);
		await expect.poll(() => param(page, 'scope')).toBe(scope);
	}
	if ((await page.getByTestId('report-period-kind').inputValue()) !== period.kind) {
		await page.getByTestId('report-period-kind').selectOption(period.kind);
		await expect.poll(() => param(page, 'kind')).toBe(period.kind);
	}
	if ((await page.getByTestId('report-period').inputValue()) !== period.key) {
		await page.getByTestId('report-period').selectOption(period.key);
		await expect.poll(() => param(page, 'period')).toBe(period.key);
	}
	await expect.poll(() => page.getByTestId('report-period').inputValue()).toBe(period.key);
	if (scope !== null) await expect.poll(() => levelValue(page)).toBe(scope);
}

/** CSV as rows of strings; the file must start with the UTF-8 byte-order mark. */
function csvRows(download: string): string[][] {
	const bytes = readFileSync(download);
	expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const parsed = Papa.parse<string[]>(bytes.subarray(3).toString('utf8'), { skipEmptyLines: false });
	return parsed.data;
}

type Cell = string | number | boolean | Date | null | undefined;
/**
 * The figures table of an export: its value columns by name, and each row's values by `<id>` or `<id>-<key>`.
 * The table starts at its header (whose value columns begin with the scope's name) and ends at the first blank row.
 */
function figuresTable(rows: readonly Cell[][], firstColumn: string): { columns: string[]; values: Map<string, Cell[]> } {
	const start = rows.findIndex((r) => r[5] === firstColumn);
	expect(start, `a header row naming ${firstColumn}`).toBeGreaterThanOrEqual(0);
	const columns = rows[start]!.slice(5).map((c) => String(c ?? ''));
	const values = new Map<string, Cell[]>();
	for (const r of rows.slice(start + 1)) {
		if (!r[0]) break;
		const k = r[2] === null || r[2] === undefined || r[2] === '' ? String(r[0]) : `${r[0]}-${r[2]}`;
		values.set(k, r.slice(5, 5 + columns.length));
	}
	return { columns, values };
}

/** A rate as the CSV writes it: a percentage with at most one decimal ('33.3%'). */
const csvPercent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

async function download(page: Page, testid: string): Promise<{ path: string; name: string }> {
	const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }) as Promise<Download>, page.getByTestId(testid).click()]);
	const path = await file.path();
	expect(await file.failure()).toBeNull();
	return { path, name: file.suggestedFilename() };
}

/**
 * Both exports of the page's current view hold `columns` (scope name → its expected figures): the CSV with the
 * BOM, counts as numbers and rates as percentages; the XLSX with numbers (rates as fractions).
 */
async function checkExports(page: Page, period: Period, columns: [string, Figures][]): Promise<void> {
	const csv = await download(page, 'export-csv');
	expect(csv.name).toMatch(new RegExp(`-${period.key}-.*\\.csv$`));
	const fromCsv = figuresTable(csvRows(csv.path), columns[0]![0]);
	const xlsx = await download(page, 'export-xlsx');
	expect(xlsx.name).toMatch(new RegExp(`-${period.key}-.*\\.xlsx$`));
	const fromXlsx = figuresTable((await readSheet(readFileSync(xlsx.path))) as Cell[][], columns[0]![0]);
	for (const table of [fromCsv, fromXlsx]) expect(table.columns).toEqual(columns.map(([name]) => name));
	for (const id of CHECKED) {
		columns.forEach(([name, f], i) => {
			const want = f[id];
			const isRate = id === 'visits.coverage';
			expect(fromCsv.values.get(id)?.[i], `CSV ${name} ${id}`).toBe(isRate ? csvPercent(want) : String(want));
			const cell = fromXlsx.values.get(id)?.[i];
			if (isRate) expect(cell as number, `XLSX ${name} ${id}`).toBeCloseTo(want, 9);
			else expect(cell, `XLSX ${name} ${id}`).toBe(want);
		});
	}
}

describe('acceptance story 4: weekly, monthly and quarterly figures per level match the data and export', () => {
	let relay: RelayHandle;
	let browser: Browser;
	const devices: Device[] = [];
	const events: Event[] = [];
	let facilitator: Page;
	let westWorker: Page;
	let street: Page;
	const stamp = Date.now().toString(36);

	const device = async (invite: InviteOptions, name: string): Promise<Page> => (await installedDevice(browser, relay, invite, name, devices)).page;

	const url = (path: string) => `${relay.url}${path}`;

	/** A visit recorded in the finder: the household's flat, the outcome and its needs; saved back to the finder. */
	async function visit(page: Page, grid: string, household: string, outcome: 'talked' | 'not_home' | 'declined', tags: string[], then: 'finder' | 'proposal' = 'finder') {
		await page.goto(url(`/households?grid=${grid}`));
		const row = page.locator(`[data-testid=household-row][data-id="${household}"]`);
		await row.click({ timeout: 20_000 });
		await page.getByTestId('household-card').waitFor();
		await page.getByTestId(`outcome-${outcome}`).check();
		for (const tag of tags) await page.getByTestId(`need-${tag}`).check();
		if (tags.length) await page.getByTestId('needs-text').fill(`入户走访记录 ${stamp}`);
		if (then === 'proposal') {
			await page.getByTestId('file-proposal').click();
			await page.getByTestId('prefilled-household').waitFor({ timeout: 10_000 });
		} else {
			await page.getByTestId('visit-save').click();
			await page.getByTestId('visit-saved').waitFor();
			await expect.poll(() => page.locator(`[data-testid=household-row][data-id="${household}"]`).getAttribute('data-status')).toBe(outcome);
		}
	}

	/** Fills and submits the proposal form the page is on; resolves with the proposal's document name. */
	async function submitProposal(page: Page, title: string, description: string, category: string): Promise<string> {
		await page.getByTestId('field-title').fill(title);
		await page.getByTestId('field-description').fill(description);
		await page.getByTestId(`category-${category}`).check();
		await page.getByTestId('submit').click();
		await page.getByTestId('proposal-detail').waitFor({ timeout: 20_000 });
		const doc = new URL(page.url()).searchParams.get('doc') ?? '';
		expect(doc).toMatch(/^(east|west):proposal:/);
		return doc;
	}

	beforeAll(async () => {
		({ relay, browser } = await startApp({ SEED: '0', REPORTS_START_DELAY: '0s' }));
		await setUp(relay, EAST);
		await setUp(relay, WEST);
	});

	afterAll(() => stopApp(browser, relay, devices));

	it('东苑: the grid workers record visits, one files a proposal at the door', async () => {
		const g1 = await device({ role: 'grid_worker', community: 'east', grids: ['g1'] }, '东苑网格员甲');
		// Talked, needs heard, and on to a proposal for the household (channel: visit).
		await visit(g1, 'g1', 'b1-1-101', 'talked', ['repair', 'elderly_care'], 'proposal');
		events.push({ at: Date.now(), community: 'east', grid: 'g1', visit: { outcome: 'talked', tags: ['repair', 'elderly_care'] } });
		expect(await g1.getByTestId('field-channel').inputValue()).toBe('visit');
		await submitProposal(g1, `1号楼楼道扶手松动 ${stamp}`, '入户走访时居民反映：1号楼楼道扶手松动，老人上下楼不安全，希望社区协调更换扶手。', 'facilities');
		events.push({ at: Date.now(), community: 'east', grid: 'g1', intake: { channel: 'visit', category: 'facilities' } });

		await visit(g1, 'g1', 'b1-1-201', 'talked', ['safety']);
		events.push({ at: Date.now(), community: 'east', grid: 'g1', visit: { outcome: 'talked', tags: ['safety'] } });
		await visit(g1, 'g1', 'b2-1-101', 'not_home', []);
		events.push({ at: Date.now(), community: 'east', grid: 'g1', visit: { outcome: 'not_home', tags: [] } });

		const g2 = await device({ role: 'grid_worker', community: 'east', grids: ['g2'] }, '东苑网格员乙');
		await visit(g2, 'g2', 'b3-1-101', 'talked', ['parking']);
		events.push({ at: Date.now(), community: 'east', grid: 'g2', visit: { outcome: 'talked', tags: ['parking'] } });
	}, 240_000);

	it('东苑: a resident files a proposal in the app; the facilitator rejects it citing a negative-list item', async () => {
		const resident = await device({ role: 'resident', community: 'east', household: 'b3-1-201' }, '陈东苑2');
		await resident.getByTestId('nav-new').click();
		const title = `小区东门口开店卖早点 ${stamp}`;
		const doc = await submitProposal(resident, title, '建议在小区东门口的空地开店卖早点，方便上班的居民，也能增加一些收入。', 'services');
		events.push({ at: Date.now(), community: 'east', grid: 'g2', intake: { channel: 'app', category: 'services' } });

		facilitator = await device({ role: 'facilitator', community: 'east' }, '东苑议事员');
		await facilitator.goto(url('/screening'));
		const card = facilitator.locator(`[data-testid=screening-item][data-doc="${doc}"]`);
		await card.waitFor({ timeout: 30_000 });
		// Screening flags the item its keyword matches.
		await expect.poll(() => card.getByTestId('flag-negative').getAttribute('data-item'), { timeout: 20_000 }).toBe(String(ITEM.no));
		await card.getByTestId('decide').click();
		await card.getByTestId('decide-rejected').click();
		await card.getByTestId('decide-negative-item').selectOption(String(ITEM.no));
		expect(await card.getByTestId('decide-reason').inputValue()).toBe(ITEM.reasonZh);
		await card.getByTestId('decide-confirm').click();
		await facilitator.getByTestId('screening-done').waitFor();
		events.push({ at: Date.now(), community: 'east', grid: 'g2', rejected: ITEM.no });
		await expect.poll(() => card.count()).toBe(0);
	}, 180_000);

	it('西苑: the grid worker records two visits and files a suggestion-box proposal', async () => {
		westWorker = await device({ role: 'grid_worker', community: 'west', grids: ['g1'] }, '西苑网格员');
		await visit(westWorker, 'g1', 'b1-1-101', 'talked', ['environment']);
		events.push({ at: Date.now(), community: 'west', grid: 'g1', visit: { outcome: 'talked', tags: ['environment'] } });
		await visit(westWorker, 'g1', 'b2-1-301', 'declined', []);
		events.push({ at: Date.now(), community: 'west', grid: 'g1', visit: { outcome: 'declined', tags: [] } });

		// From the suggestion box: no household named, so no grid.
		await westWorker.getByTestId('nav-new').click();
		await westWorker.getByTestId('field-channel').selectOption('box');
		await westWorker.getByTestId('field-source').fill('西门意见箱');
		await submitProposal(westWorker, `西门花坛补种绿植 ${stamp}`, '意见箱里的纸条：西门花坛的绿植枯死了一大半，建议补种耐旱的灌木，并安排居民志愿者认养。', 'greening');
		events.push({ at: Date.now(), community: 'west', grid: null, intake: { channel: 'box', category: 'greening' } });
	}, 180_000);

	it('the hand-worked figures are what the events give when they fall in one period', () => {
		expect(events).toHaveLength(10);
		for (const kind of KINDS) {
			const periods = periodsOf(events, kind);
			if (periods.length !== 1) continue; // crossed a boundary: each period is checked with its share below
			for (const where of [{}, { community: 'east' }, { community: 'east', grid: 'g1' }, { community: 'east', grid: 'g2' }, { community: 'west' }, { community: 'west', grid: 'g1' }] as Where[]) {
				expect(expected(events, where, periods[0]!), `${key(where)} ${kind}`).toEqual(BY_HAND[key(where)]);
			}
		}
	});

	it("东苑's facilitator: the community and each grid, week, month and quarter", async () => {
		await facilitator.goto(url('/reports'));
		for (const kind of KINDS) {
			for (const period of periodsOf(events, kind)) {
				for (const [scope, where] of [
					['community:east', { community: 'east' }],
					['grid:g1', { community: 'east', grid: 'g1' }],
					['grid:g2', { community: 'east', grid: 'g2' }]
				] as [string, Where][]) {
					await choose(facilitator, scope, period);
					// The relay publishes about a second after a change; the device syncs the report document.
					await expect.poll(() => shown(facilitator), { timeout: 30_000, message: `${scope} ${period.key}` }).toEqual(onPage(expected(events, where, period)));
					expect(await facilitator.getByTestId('report-status').getAttribute('data-state')).toBe('open');
				}
			}
		}
		// The trend chart of the community's key figures is drawn.
		await choose(facilitator, 'community:east', periodsOf(events, 'month').at(-1)!);
		await expect.poll(() => facilitator.locator('[data-testid=chart-trend] [data-drawn=true] svg').count(), { timeout: 20_000 }).toBeGreaterThan(0);
	}, 180_000);

	it('西苑 grid worker: their own grid, week, month and quarter', async () => {
		await westWorker.goto(url('/reports'));
		for (const kind of KINDS) {
			for (const period of periodsOf(events, kind)) {
				await choose(westWorker, 'grid:g1', period);
				await expect.poll(() => shown(westWorker), { timeout: 30_000, message: `west g1 ${period.key}` }).toEqual(onPage(expected(events, { community: 'west', grid: 'g1' }, period)));
			}
		}
	}, 120_000);

	it('the street admin: the street and each community, week, month and quarter', async () => {
		street = await device({ role: 'street_admin', community: STREET, communities: ['east', 'west'] }, '街道办陈科长');
		await street.goto(url('/reports'));
		for (const kind of KINDS) {
			for (const period of periodsOf(events, kind)) {
				for (const [scope, where] of [
					['street', {}],
					['community:east', { community: 'east' }],
					['community:west', { community: 'west' }]
				] as [string, Where][]) {
					await choose(street, scope, period);
					await expect.poll(() => shown(street), { timeout: 30_000, message: `${scope} ${period.key}` }).toEqual(onPage(expected(events, where, period)));
				}
				await choose(street, 'street', period);
				// Combined from both communities' published reports, none missing.
				expect(await street.getByTestId('report-status').getAttribute('data-state')).toBe('street');
				expect(await street.getByTestId('report-missing').count()).toBe(0);
			}
		}
	}, 180_000);

	it('CSV and XLSX exports hold the same numbers, for the scope and each of its parts', async () => {
		// The community's quarter: 东苑, then each grid.
		const quarter = periodsOf(events, 'quarter').at(-1)!;
		await choose(facilitator, 'community:east', quarter);
		await expect.poll(() => shown(facilitator), { timeout: 30_000 }).toEqual(onPage(expected(events, { community: 'east' }, quarter)));
		await checkExports(facilitator, quarter, [
			[EAST.name, expected(events, { community: 'east' }, quarter)],
			[EAST.grids[0]!.name, expected(events, { community: 'east', grid: 'g1' }, quarter)],
			[EAST.grids[1]!.name, expected(events, { community: 'east', grid: 'g2' }, quarter)]
		]);

		// The street's week: the street, then each community.
		const week = periodsOf(events, 'week').at(-1)!;
		await choose(street, 'street', week);
		await expect.poll(() => shown(street), { timeout: 30_000 }).toEqual(onPage(expected(events, {}, week)));
		await checkExports(street, week, [
			[STREET_NAME, expected(events, {}, week)],
			[EAST.name, expected(events, { community: 'east' }, week)],
			[WEST.name, expected(events, { community: 'west' }, week)]
		]);
	}, 120_000);

	it('the printable page renders the figures and its charts', async () => {
		const quarter = periodsOf(events, 'quarter').at(-1)!;
		const want = expected(events, { community: 'east' }, quarter);
		await choose(facilitator, 'community:east', quarter);
		await facilitator.getByTestId('print-link').click();
		const sheet = facilitator.getByTestId('report-sheet');
		await sheet.waitFor({ timeout: 30_000 });
		expect(param(facilitator, 'scope')).toBe('community:east');
		expect(param(facilitator, 'period')).toBe(quarter.key);
		expect(await sheet.locator('h1').innerText()).toContain(EAST.name);
		const cell = (id: string) => sheet.getByTestId(`figure-${id}`).innerText();
		expect(await cell('intake.total')).toBe(String(want['intake.total']));
		expect(await cell('intake.byChannel-app')).toBe(String(want['intake.byChannel-app']));
		expect(await cell('visits.coverage.part')).toBe(String(want['visits.coverage.part']));
		expect(await cell('visits.coverage')).toBe(csvPercent(want['visits.coverage']));
		expect(await cell('screening.negativeItems-4')).toBe(String(want['screening.negativeItems-4']));
		// The grids' columns are printed beside the community's.
		const header = await sheet.getByTestId('report-table').first().locator('thead th').allInnerTexts();
		expect(header).toEqual(expect.arrayContaining([EAST.name, EAST.grids[0]!.name, EAST.grids[1]!.name]));
		await sheet.getByTestId('chart-trend').waitFor();
		await sheet.getByTestId('chart-compare').waitFor();
		await expect.poll(() => sheet.locator('figure.chart[data-drawn=true] svg').count(), { timeout: 20_000 }).toBeGreaterThan(0);
	}, 90_000);
});
