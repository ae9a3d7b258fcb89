import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import { DEFAULT_POINTS_SETTINGS, type PointsSettings, redemptionCode, type Transfer } from '../../src/lib/domain/points';
import type { Person } from '../../src/lib/domain/talents';
import { passbookDocName, pointsBoardDocName, pointsDocName, talentsDocName } from '../../src/lib/schema/doc-names';
import { addApproval, addTransfer, setBoardChoice } from '../../src/lib/schema/passbook-doc';
import { addRestock, type PointsBoard, putItem, readPointsBoard, setPointsSettings } from '../../src/lib/schema/points-doc';
import { putPerson, putSkill } from '../../src/lib/schema/talents-doc';
import { Hub } from '../core/hub';
import { resolveLimits } from '../core/limits';
import { silentLogger } from '../core/log';
import { MemoryStore } from '../storage/memory-store';
import { boardTalents, computePointsBoard, createPointsBoard, type HouseholdFigures, householdFigures, pointsConfigOf, sameBoard } from './points-board';
import { adminActor, facilitatorActor } from '../../src/lib/domain/testing';

const T = Date.UTC(2026, 2, 4, 2);
const DAY = 86_400_000;
const fac = facilitatorActor({ id: 'dev-fac', name: '刘书记' });
const admin = adminActor({ id: 'dev-admin', name: '陈主任' });
const resident = (household: string): Actor => ({ id: `dev-${household}`, name: '居民', role: 'resident' });

const A = 'b01-1-101';
const B = 'b01-1-102';
const C = 'b02-3-501';

let seq = 0;
function award(household: string, amount: number, hours: number, at = T, by = fac): Transfer {
	return { id: `aw${++seq}`, kind: 'award', household, amount, at, by, channel: 'activity', note: '楼道清扫', hours };
}
function redeem(household: string, item: string, quantity: number, price: number, at = T + DAY): Transfer {
	const id = `rd${++seq}`;
	return { id, kind: 'redeem', household, amount: price * quantity, at, by: fac, channel: 'counter', note: '', item, itemName: '大米', quantity, code: redemptionCode(id) };
}
function reverse(of: Transfer, at = T + 2 * DAY): Transfer {
	return { id: `rv${++seq}`, kind: 'reverse', household: of.household, amount: of.amount, at, by: fac, channel: 'counter', note: '退回', reverses: of.id };
}

function passbookDoc(household: string, transfers: Transfer[], choice?: { show: boolean; name: string }): Y.Doc {
	const doc = new Y.Doc();
	for (const t of transfers) addTransfer(doc, t);
	if (choice) setBoardChoice(doc, { ...choice, at: T, by: resident(household) });
	return doc;
}

function pointsDoc(settings?: PointsSettings): Y.Doc {
	const doc = new Y.Doc();
	if (settings) setPointsSettings(doc, settings);
	putItem(doc, { id: 'rice', name: '大米', price: 20, unit: '袋', at: T, by: fac });
	putItem(doc, { id: 'oil', name: '食用油', price: 30, unit: '瓶', at: T, by: fac });
	putItem(doc, { id: 'soap', name: '肥皂', price: 5, unit: '块', retired: true, at: T, by: fac });
	addRestock(doc, { id: 'rs1', item: 'rice', quantity: 10, note: '', at: T - DAY, by: fac });
	addRestock(doc, { id: 'rs2', item: 'oil', quantity: 4, note: '', at: T - DAY, by: fac });
	addRestock(doc, { id: 'rs3', item: 'soap', quantity: 9, note: '', at: T - DAY, by: fac });
	return doc;
}

function person(id: string, name: string, skills: string[], roles: Person['roles'], extra: Partial<Person> = {}): Person {
	return { id, name, skills, availability: '周末', consent: true, roles, phone: '13800138000', household: A, at: T, by: fac, ...extra };
}

function talentsDoc(): Y.Doc {
	const doc = new Y.Doc();
	putPerson(doc, person('p1', '张师傅', ['plumbing', 'carpentry'], ['activist']));
	putPerson(doc, person('p2', '李老师', ['calligraphy'], ['building_head', 'activist']));
	putPerson(doc, person('p3', '王医生', ['health', 'plumbing'], ['volunteer']));
	putPerson(doc, person('p4', '搬走的人', ['plumbing'], ['activist'], { removed: true }));
	return doc;
}

/** The board from the documents as the publisher reads them. */
const boardOf = (households: HouseholdFigures[], points: Y.Doc | null, talents: Y.Doc | null, now: number) =>
	computePointsBoard(households, pointsConfigOf(points), boardTalents(talents), now);

const figuresOf = (docs: [string, Y.Doc][], settings = DEFAULT_POINTS_SETTINGS): HouseholdFigures[] =>
	docs.map(([h, d]) => householdFigures(d, h, settings, T + 10 * DAY));

describe('the public points board, from the documents', () => {
	it('totals every household and names only those that chose to appear, without household ids', () => {
		const aRice = redeem(A, 'rice', 2, 20);
		const households = figuresOf([
			[A, passbookDoc(A, [award(A, 30, 2), award(A, 20, 1.5), aRice], { show: true, name: '1栋王阿姨' })],
			[B, passbookDoc(B, [award(B, 10, 1)], { show: false, name: '不想出现的名字' })],
			[C, passbookDoc(C, [award(C, 5, 0.5)])]
		]);
		const board = boardOf(households, pointsDoc(), talentsDoc(), T + 10 * DAY);
		expect(board.updated).toBe(T + 10 * DAY);
		expect(board.figures).toEqual({
			households: 3,
			earned: 65,
			hours: 5,
			redemptions: 1,
			names: [{ name: '1栋王阿姨', hours: 3.5, earned: 50 }]
		});
		const json = JSON.stringify(board);
		for (const h of [A, B, C]) expect(json).not.toContain(h);
		expect(json).not.toContain('不想出现的名字');
		expect(json).not.toContain(aRice.id);
		expect(json).not.toContain(aRice.code!);
		expect(json).not.toContain(fac.id);
	});

	it('leaves out awards awaiting approval under the community settings, and counts them once approved', () => {
		const big = award(A, 80, 4);
		const a = passbookDoc(A, [big, award(A, 10, 1)], { show: true, name: '王家' });
		const points = pointsDoc({ ...DEFAULT_POINTS_SETTINGS, approvalAbove: 50 });
		const settings = { ...DEFAULT_POINTS_SETTINGS, approvalAbove: 50 };
		expect(boardOf(figuresOf([[A, a]], settings), points, null, T).figures).toMatchObject({ earned: 10, hours: 1 });
		// Approved by the one who recorded it: still pending. By a second staff member: counted.
		addApproval(a, { id: 'ap1', transfer: big.id, decision: 'approve', note: '', at: T + 1, by: fac });
		expect(boardOf(figuresOf([[A, a]], settings), points, null, T).figures.earned).toBe(10);
		addApproval(a, { id: 'ap2', transfer: big.id, decision: 'approve', note: '', at: T + 2, by: admin });
		expect(boardOf(figuresOf([[A, a]], settings), points, null, T).figures).toMatchObject({ earned: 90, hours: 5 });
		// A transfer a resident device slipped in does not count either.
		const forged = passbookDoc(B, [award(B, 10, 1, T, resident(B))]);
		expect(boardOf(figuresOf([[B, forged]]), points, null, T).figures).toMatchObject({ households: 0, earned: 0 });
	});

	it('shows the stock left of each item still in the catalogue: restocks less redemptions, returns put back', () => {
		const r1 = redeem(A, 'rice', 2, 20);
		const r2 = redeem(B, 'rice', 3, 20);
		const o1 = redeem(B, 'oil', 1, 30);
		const s1 = redeem(C, 'soap', 1, 5);
		const households = figuresOf([
			[A, passbookDoc(A, [award(A, 100, 1), r1])],
			[B, passbookDoc(B, [award(B, 100, 1), r2, o1, reverse(o1)])],
			[C, passbookDoc(C, [award(C, 100, 1), s1])]
		]);
		const board = boardOf(households, pointsDoc(), null, T + 10 * DAY);
		expect(board.stock).toEqual([
			{ item: 'rice', name: '大米', price: 20, unit: '袋', remaining: 5 },
			{ item: 'oil', name: '食用油', price: 30, unit: '瓶', remaining: 4 }
		]);
		expect(board.figures.redemptions).toBe(3);
	});

	it('counts registered people by skill, activists and building heads, without names or contact details', () => {
		const talents = talentsDoc();
		const board = boardOf([], null, talents, T);
		const count = (skill: string) => board.talents.bySkill.find((s) => s.skill === skill)?.people;
		expect(count('plumbing')).toBe(2);
		expect(count('calligraphy')).toBe(1);
		expect(count('law')).toBe(0);
		expect(board.talents.bySkill.find((s) => s.skill === 'plumbing')?.name).toBe('水电维修');
		expect(board.talents).toMatchObject({ activists: 2, buildingHeads: 1, total: 3 });
		const json = JSON.stringify(board);
		for (const text of ['张师傅', '李老师', '13800138000', A, '周末']) expect(json).not.toContain(text);
		// A community's own list: retired skills are not shown.
		putSkill(talents, { id: 'law', name: '法律', order: 2, retired: true });
		expect(boardOf([], null, talents, T).talents.bySkill.map((s) => s.skill)).not.toContain('law');
	});

	it('starts empty: no passbooks, no config, no register', () => {
		const board = boardOf([], null, null, T);
		expect(board.figures).toEqual({ households: 0, earned: 0, hours: 0, redemptions: 0, names: [] });
		expect(board.stock).toEqual([]);
		expect(board.talents.total).toBe(0);
		expect(board.talents.bySkill.length).toBeGreaterThan(0);
	});

	it('compares boards by content, not by when they were computed', () => {
		const a = boardOf([], pointsDoc(), null, T);
		const b: PointsBoard = { ...a, updated: T + 5 };
		expect(sameBoard(a, b)).toBe(true);
		expect(sameBoard(a, { ...b, stock: [] })).toBe(false);
		expect(sameBoard(null, a)).toBe(false);
	});
});

describe('the publisher', () => {
	const cleanup: Array<() => Promise<void> | void> = [];
	afterEach(async () => {
		for (const fn of cleanup.splice(0).reverse()) await fn();
	});

	async function setup() {
		const store = new MemoryStore();
		const hub = new Hub(store, resolveLimits({}), silentLogger);
		const loads: string[] = [];
		const load = store.loadUpdates.bind(store);
		store.loadUpdates = (doc: string) => {
			loads.push(doc);
			return load(doc);
		};
		const put = (name: string, doc: Y.Doc) =>
			new Promise<void>((resolve, reject) => hub.submit(name, Y.encodeStateAsUpdate(doc), 'test', (e) => (e ? reject(e) : resolve())));
		const board = async () => {
			const d = new Y.Doc();
			for (const u of await store.loadUpdates(pointsBoardDocName('demo'))) Y.applyUpdate(d, u);
			return readPointsBoard(d);
		};
		const until = async (check: (b: PointsBoard | null) => boolean) => {
			for (let i = 0; i < 500; i++) {
				const b = await board();
				if (check(b)) return b!;
				await new Promise((r) => setTimeout(r, 10));
			}
			throw new Error(`the board never matched: ${JSON.stringify(await board())}`);
		};
		cleanup.push(() => hub.close());
		return { store, hub, loads, put, board, until };
	}

	it('publishes what was stored before the start, then follows changes, reading only what changed', async () => {
		const { hub, loads, put, until } = await setup();
		const a = passbookDoc(A, [award(A, 30, 2)], { show: true, name: '王家' });
		const b = passbookDoc(B, [award(B, 10, 1)]);
		const points = pointsDoc();
		await put(passbookDocName('demo', A), a);
		await put(passbookDocName('demo', B), b);
		await put(pointsDocName('demo'), points);
		await put(talentsDocName('demo'), talentsDoc());
		// Another community's and other kinds' documents are not read for this board.
		await put(passbookDocName('other', C), passbookDoc(C, [award(C, 7, 1)]));

		const boards = createPointsBoard({ hub, logger: silentLogger, startDelayMs: 0, debounceMs: 5 });
		cleanup.push(() => boards.close());
		const first = await until((x) => x?.figures.earned === 40);
		expect(first.figures.names).toEqual([{ name: '王家', hours: 2, earned: 30 }]);
		expect(first.talents.total).toBe(3);

		// One passbook changes: only it is read again.
		loads.length = 0;
		const a2 = new Y.Doc();
		Y.applyUpdate(a2, Y.encodeStateAsUpdate(a));
		addTransfer(a2, redeem(A, 'rice', 1, 20));
		await put(passbookDocName('demo', A), a2);
		await until((x) => x?.figures.redemptions === 1 && x.stock[0]?.remaining === 9);
		// (The other community's board may still be computed meanwhile: it reads only its own documents.)
		const reads = loads.filter((n) => n.startsWith('demo:') && !n.endsWith(':points:public'));
		expect(reads).toEqual([passbookDocName('demo', A)]);

		// New settings fold every passbook again: the 30-point award now waits for approval.
		loads.length = 0;
		setPointsSettings(points, { ...DEFAULT_POINTS_SETTINGS, approvalAbove: 20 });
		await put(pointsDocName('demo'), points);
		await until((x) => x?.figures.earned === 10);
		expect(new Set(loads.filter((n) => n.startsWith('demo:') && !n.endsWith(':points:public')))).toEqual(
			new Set([pointsDocName('demo'), passbookDocName('demo', A), passbookDocName('demo', B)])
		);
	});

	it('waits for its start delay before publishing anything', async () => {
		const { hub, put, board, until } = await setup();
		const boards = createPointsBoard({ hub, logger: silentLogger, startDelayMs: 200, debounceMs: 5 });
		cleanup.push(() => boards.close());
		await put(passbookDocName('demo', A), passbookDoc(A, [award(A, 30, 2)]));
		await new Promise((r) => setTimeout(r, 100));
		await boards.publisher.settled();
		expect(await board()).toBeNull();
		// Remembered meanwhile: published once the delay is over (the listing finds it too).
		await until((x) => x?.figures.earned === 30);
	});
});
