/**
 * The demo community's points books and talents register, built from its register (buildDemo in demo-seed.ts)
 * so every passbook is a real demo household:
 *   - points:main   six activities, a catalogue of six goods with their restocks, the default settings;
 *   - passbooks     half a year of clean-ups, meeting duty, stair-seat upkeep and visits to elderly neighbours for
 *                   about forty households, redemptions at the counter (some handed over, one still to collect),
 *                   a large award waiting for a second staff member's approval, and one overdraft from two
 *                   counters that were offline at once, still to be resolved; a few households chose to appear
 *                   on the public board;
 *   - talents:main  the default skills and a register of residents who can help, activists and building heads.
 * The demo resident's household (the first of the first grid) earns, redeems and appears on the board, so a
 * newcomer who joins as that resident sees a full passbook. Everything is invented and deterministic.
 */
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import {
	type Activity,
	type CatalogueItem,
	DEFAULT_POINTS_SETTINGS,
	passbook,
	redemptionCode,
	type Restock,
	type Transfer
} from '../../src/lib/domain/points';
import type { Person, TalentRole } from '../../src/lib/domain/talents';
import type { Community } from '../../src/lib/schema/community-doc';
import { passbookDocName, pointsDocName, talentsDocName } from '../../src/lib/schema/doc-names';
import type { Household } from '../../src/lib/schema/households-doc';
import { addApproval, addHandover, addTransfer, readPassbookRecords, setBoardChoice } from '../../src/lib/schema/passbook-doc';
import { addRestock, putActivity, putItem, setPointsSettings } from '../../src/lib/schema/points-doc';
import { defaultSkills, putPerson, putSkill } from '../../src/lib/schema/talents-doc';
import { HE, LIN, ZHOU } from './staff';

const DAY = 24 * 60 * 60 * 1000;


export interface DemoPointsInput {
	community: Community;
	/** Grid id → households, as buildDemo returns them. */
	households: Map<string, Household[]>;
}

export interface DemoPointsDoc {
	name: string;
	doc: Y.Doc;
}

const ACTIVITIES: readonly Omit<Activity, 'at' | 'by'>[] = [
	{ id: 'cleanup', name: '楼道大扫除', points: 10, hours: 2 },
	{ id: 'meeting-duty', name: '议事会值班', points: 5, hours: 1 },
	{ id: 'stair-seats', name: '楼梯座椅维护', points: 8, hours: 1.5 },
	{ id: 'elderly-visit', name: '探访独居老人', points: 15, hours: 2 },
	{ id: 'garden', name: '花园除草浇水', points: 6, hours: 1 },
	{ id: 'night-patrol', name: '夜间巡逻', points: 12, hours: 3 }
];

const ITEMS: readonly (Omit<CatalogueItem, 'at' | 'by'> & { stock: number })[] = [
	{ id: 'rice', name: '大米 5 斤', price: 40, unit: '袋', stock: 20 },
	{ id: 'oil', name: '食用油', price: 60, unit: '瓶', stock: 10 },
	{ id: 'soap', name: '洗衣液', price: 25, unit: '瓶', stock: 30 },
	{ id: 'towel', name: '毛巾', price: 10, unit: '条', stock: 50 },
	{ id: 'haircut', name: '理发券', price: 15, unit: '张', stock: 40 },
	{ id: 'checkup', name: '社区医院体检券', price: 80, unit: '张', stock: 5 }
];

/** People of the register: [skills, roles, availability, consent]. */
const TALENTS: readonly [string[], TalentRole[], string, boolean][] = [
	[['plumbing', 'carpentry'], ['activist', 'volunteer'], '周末全天', true],
	[['calligraphy'], ['volunteer'], '春节前写春联', true],
	[['law', 'mediation'], ['activist'], '工作日晚上', true],
	[['health'], ['volunteer'], '周三下午', true],
	[['photography', 'design'], ['volunteer'], '周末上午', false],
	[['teaching'], ['volunteer'], '寒暑假', true],
	[['digital'], ['activist', 'building_head'], '每天下午', true],
	[['accounting'], ['building_head'], '月底', true],
	[['arts'], ['volunteer'], '周二、周四上午', true],
	[['plumbing'], ['building_head'], '随叫随到', true],
	[['mediation'], ['building_head'], '晚饭后', true],
	[['health', 'teaching'], ['activist'], '周末', false],
	[['design'], ['volunteer'], '不定期', true],
	[['calligraphy', 'arts'], ['activist'], '周一上午', true]
];

/** Builds the demo's points and talents documents; `now` anchors the half year of records. */
export function buildDemoPoints({ community, households }: DemoPointsInput, now: number): DemoPointsDoc[] {
	const all = community.grids.flatMap((g) => households.get(g.id) ?? []);
	const resident = (households.get(community.grids[0]?.id ?? '') ?? [])[0];
	let seq = 0;
	/** A time `days` before now, at a plausible hour, strictly increasing in the order records are made. */
	const at = (days: number) => now - days * DAY + 9 * 3600_000 + ++seq * 60_000;
	const setupAt = now - 200 * DAY;

	const config = new Y.Doc();
	setPointsSettings(config, { ...DEFAULT_POINTS_SETTINGS });
	for (const a of ACTIVITIES) putActivity(config, { ...a, at: setupAt, by: HE });
	for (const { stock, ...item } of ITEMS) {
		putItem(config, { ...item, at: setupAt, by: HE });
		const restock: Restock = { id: `demo-restock-${item.id}`, item: item.id, quantity: stock, note: '首批物资（街道配送）', at: setupAt + DAY, by: HE };
		addRestock(config, restock);
	}

	// About forty households take part: every fifth, plus the demo resident's.
	const members = all.filter((_, i) => i % 5 === 0);
	if (resident && !members.includes(resident)) members.unshift(resident);
	const books = new Map<string, Y.Doc>();
	const book = (h: Household) => {
		let doc = books.get(h.id);
		if (!doc) books.set(h.id, (doc = new Y.Doc()));
		return doc;
	};
	const award = (h: Household, activity: (typeof ACTIVITIES)[number], days: number, by: Actor, batch: string) => {
		const t: Transfer = {
			id: `demo-pt-${++seq}`,
			kind: 'award',
			household: h.id,
			amount: activity.points,
			hours: activity.hours,
			activity: activity.id,
			activityName: activity.name,
			batch,
			at: at(days),
			by,
			channel: 'activity',
			note: ''
		};
		addTransfer(book(h), t);
		return t;
	};
	const redeem = (h: Household, item: (typeof ITEMS)[number], days: number, by: Actor, quantity = 1) => {
		const id = `demo-pt-${++seq}`;
		const t: Transfer = {
			id,
			kind: 'redeem',
			household: h.id,
			amount: item.price * quantity,
			item: item.id,
			itemName: item.name,
			quantity,
			code: redemptionCode(id),
			at: at(days),
			by,
			channel: 'counter',
			note: ''
		};
		addTransfer(book(h), t);
		return t;
	};

	// Every other week an activity; each household joins some of them.
	for (let week = 0; week < 12; week++) {
		const activity = ACTIVITIES[week % ACTIVITIES.length]!;
		const days = 175 - week * 14;
		const batch = `demo-batch-${week}`;
		const by = week % 2 ? LIN : ZHOU;
		members.forEach((h, i) => {
			if ((i + week) % 3 !== 0 || h === resident) award(h, activity, days, by, batch);
		});
	}
	// Redemptions at the counter over the months, handed over on the spot (the last one still to collect).
	// Each picks something its balance covers: the counter sees the balance when it is online.
	members.slice(0, 24).forEach((h, i) => {
		const days = 60 - i * 2;
		const records = readPassbookRecords(book(h), h.id);
		const then = now - days * DAY;
		const { balance } = passbook({ ...records, transfers: records.transfers.filter((t) => t.at < then) }, DEFAULT_POINTS_SETTINGS, then);
		const item = [...ITEMS.slice(0, 5)].sort((a, b) => b.price - a.price).find((it, k) => it.price <= balance && (k + i) % 2 === 0) ?? ITEMS.slice(0, 5).find((it) => it.price <= balance);
		if (!item) return;
		const t = redeem(h, item, days, i % 2 ? LIN : ZHOU);
		if (i !== 3) addHandover(book(h), { transfer: t.id, at: t.at + 5 * 60_000, by: t.by });
	});
	// A big award for a month of night patrols, waiting for the second staff member's approval.
	const patrol = members[5];
	if (patrol) {
		addTransfer(book(patrol), {
			id: `demo-pt-${++seq}`,
			kind: 'award',
			household: patrol.id,
			amount: 120,
			hours: 30,
			activity: 'night-patrol',
			activityName: '夜间巡逻',
			at: at(3),
			by: ZHOU,
			channel: 'activity',
			note: '十一月每晚巡逻，共 10 次'
		});
	}
	// One approved large award, so the approval shows in a passbook.
	const helper = members[7];
	if (helper) {
		const t = award(helper, ACTIVITIES[3]!, 40, LIN, 'demo-batch-extra');
		addApproval(book(helper), { id: `demo-approval-${t.id}`, transfer: t.id, decision: 'approve', note: '', at: t.at + DAY, by: HE });
	}
	// Two counters offline at once: both handed the same household something its balance covers only once.
	const twice = members[9];
	if (twice) {
		const { balance } = passbook(readPassbookRecords(book(twice), twice.id), DEFAULT_POINTS_SETTINGS, now);
		const item = [...ITEMS].sort((a, b) => b.price - a.price).find((it) => it.price <= balance && it.price * 2 > balance) ?? ITEMS[3]!;
		redeem(twice, item, 2, ZHOU);
		redeem(twice, item, 2, LIN);
	}
	// Households that chose to appear on the public board, under the names they chose.
	const shown = [resident, members[2], members[4], members[8]].filter((h): h is Household => !!h);
	shown.forEach((h, i) => {
		const building = h.building.replace(/^b0?/, '');
		const surname = (h.members[0]?.name ?? '').slice(0, 1);
		setBoardChoice(book(h), { show: true, name: `${building}栋${surname}${['阿姨', '师傅', '老师', '大姐'][i % 4]}`, at: at(30), by: HE });
	});

	const talents = new Y.Doc();
	for (const skill of defaultSkills()) putSkill(talents, skill);
	TALENTS.forEach(([skills, roles, availability, consent], i) => {
		const h = all[(i * 37 + 11) % all.length]!;
		const person: Person = {
			id: `demo-person-${i + 1}`,
			name: h.members[0]?.name ?? `居民${i + 1}`,
			household: h.id,
			building: h.building,
			skills,
			roles,
			availability,
			consent,
			at: setupAt + i * DAY,
			by: i % 3 ? ZHOU : HE
		};
		// Invented numbers in a block no carrier assigns (the register's own phones are masked).
		if (consent) person.phone = `1990000${String(1000 + i * 7).slice(-4)}`;
		putPerson(talents, person);
	});

	return [
		{ name: pointsDocName(community.id), doc: config },
		...[...books].map(([household, doc]) => ({ name: passbookDocName(community.id, household), doc })),
		{ name: talentsDocName(community.id), doc: talents }
	];
}
