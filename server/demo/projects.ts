/**
 * Demo projects and notices, built from the demo community's register (buildDemo in demo-seed.ts) so pledges,
 * ratings and sign-offs name real demo households of the right building:
 *   - stair-seats  closed: residents' pledges and a property subsidy, an open tender, installation, acceptance,
 *                  ledger/tender/acceptance notices (their periods over), ratings with one low one turned into
 *                  nothing yet (a follow-up candidate);
 *   - unit-door-7  publicised: public maintenance fund, tender, acceptance notice still running;
 *   - ev-charging  under way: tender notice running, one task overdue, a disclosure request waiting;
 *   - bin-kiosk    accepted, its acceptance notice not posted yet;
 *   - roof-leak    raising funds: maintenance fund approved, tasks planned.
 * Each project shares its id with its topic (and here with the proposal the topic gathers), so the topic
 * documents returned alongside link proposal → topic → project. Everything is invented and deterministic.
 */
import * as Y from 'yjs';
import type { ConditionKind } from '../../src/lib/domain/acceptance';
import type { Actor } from '../../src/lib/domain/actor';
import { cstDay } from '../../src/lib/domain/calendar';
import type { Pledge } from '../../src/lib/domain/funding';
import type { NoticeKind } from '../../src/lib/domain/notice';
import type { Score } from '../../src/lib/domain/satisfaction';
import type { Community } from '../../src/lib/schema/community-doc';
import { noticeDocName, participationDocName, projectDocName, proposalDocName, topicDocName } from '../../src/lib/schema/doc-names';
import type { Household } from '../../src/lib/schema/households-doc';
import { createNotice } from '../../src/lib/schema/notice-doc';
import {
	addAnswer,
	addChecklistItem,
	addEntry,
	addPledge,
	addPostedNotice,
	addRequest,
	addSelection,
	addSignoff,
	addTask,
	addTender,
	addUpdate,
	closeProject,
	createProject,
	overrideAcceptance,
	rate,
	recordReceipt,
	setCheck,
	setRepresentative
} from '../../src/lib/schema/project-doc';
import { addToTopic, createTopic } from '../../src/lib/schema/topic-doc';
import { HE, LIN, ZHOU } from './staff';

const DAY = 24 * 60 * 60 * 1000;
const COMMUNITY = 'demo';


export interface DemoProjectsInput {
	community: Community;
	/** Grid id → households, as buildDemo returns them. */
	households: Map<string, Household[]>;
}

export interface DemoProjectDoc {
	name: string;
	doc: Y.Doc;
}

export interface DemoProjects {
	projects: DemoProjectDoc[];
	/** Each project's participation document (same id). */
	participation: DemoProjectDoc[];
	notices: DemoProjectDoc[];
	/**
	 * One topic per project (same id, gathering the proposal of that id). For the proposal page to link to the
	 * project, each proposal's transition to 'topic' should name it as its target.
	 */
	topics: DemoProjectDoc[];
}

/** One project being built: the document, a clock in days before `now`, and helpers that name demo people. */
class Builder {
	readonly doc = new Y.Doc();
	/** Residents' own pledges, ratings and requests (the participation document). */
	readonly participation = new Y.Doc();
	readonly notices: DemoProjectDoc[] = [];
	private seq = 0;
	constructor(
		readonly id: string,
		private readonly now: number,
		readonly residents: Household[]
	) {}

	/** A time `days` before now, at a plausible hour, strictly increasing within the project. */
	at(days: number): number {
		return this.now - days * DAY + 9 * 3600_000 + ++this.seq * 60_000;
	}
	day(days: number): string {
		return cstDay(this.at(days));
	}
	resident(i: number): { household: Household; actor: Actor } {
		const household = this.residents[i % this.residents.length] as Household;
		const name = household.members[0]?.name ?? '居民';
		return { household, actor: { id: `demo-res-${household.id}`, name, role: 'resident' } };
	}
	next(prefix: string): string {
		return `${this.id}-${prefix}${++this.seq}`;
	}

	notice(kind: NoticeKind, title: string, body: string, postedDaysAgo: number, runs: number, by: Actor = ZHOU, request?: string): string {
		const id = this.next('n');
		const name = noticeDocName(COMMUNITY, id);
		const doc = new Y.Doc();
		const at = this.at(postedDaysAgo);
		const from = cstDay(at);
		const to = cstDay(at + (runs - 1) * DAY);
		createNotice(doc, { id, kind, title, body, from, to, matter: projectDocName(COMMUNITY, this.id), ...(request ? { request } : {}) }, by, at);
		addPostedNotice(this.doc, { doc: name, kind, title, from, to, ...(request ? { request } : {}), at, by });
		if (request) addAnswer(this.doc, { request, notice: name, at, by });
		this.notices.push({ name, doc });
		return name;
	}

	pledgeFrom(i: number, amount: number, daysAgo: number, received?: number): void {
		const { household, actor } = this.resident(i);
		const building = household.building.replace(/^b0?/, '');
		const p: Pledge = {
			id: this.next('p'),
			source: 'residents',
			kind: 'money',
			name: `${building}栋 ${actor.name.slice(0, 1)}${i % 3 === 0 ? '阿姨' : '先生'}`,
			household: household.id,
			amount,
			at: this.at(daysAgo),
			by: actor,
			channel: 'app'
		};
		addPledge(this.participation, p);
		if (received !== undefined) recordReceipt(this.doc, { pledge: p.id, amount, date: this.day(received), at: this.at(received), by: LIN });
	}

	institution(source: Pledge['source'], name: string, amount: number, daysAgo: number, received?: number): void {
		const id = this.next('p');
		addPledge(this.doc, { id, source, kind: 'money', name, amount, at: this.at(daysAgo), by: ZHOU, channel: 'meeting' });
		if (received !== undefined) recordReceipt(this.doc, { pledge: id, amount, date: this.day(received), at: this.at(received), by: LIN });
	}

	tenders(bids: [vendor: string, price: number, model: string][], daysAgo: number, chosen: number, reason: string): void {
		const ids = bids.map(([vendor, price, model]) => {
			const id = this.next('d');
			addTender(this.doc, { id, vendor, price, model, at: this.at(daysAgo), by: ZHOU });
			return id;
		});
		addSelection(this.doc, { id: this.next('s'), tender: ids[chosen] as string, reason, at: this.at(daysAgo - 1), by: HE });
	}

	task(title: string, responsible: string, dueInDays: number, createdDaysAgo: number, reports: [text: string, daysAgo: number, mark?: 'started' | 'done'][] = []): void {
		const id = this.next('t');
		addTask(this.doc, { id, title, responsible, due: cstDay(this.now + dueInDays * DAY), at: this.at(createdDaysAgo), by: ZHOU });
		for (const [text, daysAgo, mark] of reports) {
			addUpdate(this.doc, { id: this.next('u'), task: id, text, photos: [], ...(mark ? { mark } : {}), at: this.at(daysAgo), by: mark === 'done' ? ZHOU : LIN });
		}
	}

	/**
	 * Checks every item, chooses the signers' households as representatives and has each sign on its own phone;
	 * `override` when the project's conditions are not all met (staff record why they accept it anyway).
	 */
	accept(items: string[], signers: number[], daysAgo: number, override?: { reason: string; waived: ConditionKind[] }): void {
		for (const text of items) {
			const id = this.next('i');
			addChecklistItem(this.doc, { id, text, at: this.at(daysAgo + 1), by: ZHOU });
			setCheck(this.doc, { item: id, result: 'pass', at: this.at(daysAgo), by: ZHOU });
		}
		for (const i of signers) {
			const { household, actor } = this.resident(i);
			const building = household.building.replace(/^b0?/, '');
			setRepresentative(this.doc, { household: household.id, label: `${building}栋 ${household.unit}单元 ${household.room}`, at: this.at(daysAgo + 2), by: ZHOU });
			addSignoff(this.participation, { id: household.id, name: actor.name, household: household.id, agree: true, at: this.at(daysAgo), by: actor });
		}
		if (override) overrideAcceptance(this.doc, { ...override, at: this.at(daysAgo + 1), by: HE });
	}

	ratings(scores: [index: number, score: Score, comment?: string][], daysAgo: number): void {
		for (const [i, score, comment] of scores) {
			const { household, actor } = this.resident(i);
			rate(this.participation, { household: household.id, score, comment: comment ?? '', at: this.at(daysAgo), by: actor, channel: 'app' }, actor.id);
		}
	}
}

const yuan = (y: number) => Math.round(y * 100);

/** Ids of the demo projects: each is also the id of its topic and of the demo proposal that topic gathers. */
export const DEMO_PROJECT_IDS: readonly string[] = ['stair-seats', 'unit-door-7', 'ev-charging', 'bin-kiosk', 'roof-leak'];

/** The demo's project, notice and topic documents. */
export function buildDemoProjects(demo: DemoProjectsInput, now = Date.now()): DemoProjects {
	const all = [...demo.households.values()].flat();
	const of = (building: string) => all.filter((h) => h.building === building);
	const projects: DemoProjectDoc[] = [];
	const participation: DemoProjectDoc[] = [];
	const notices: DemoProjectDoc[] = [];
	const topics: DemoProjectDoc[] = [];

	const make = (id: string, title: string, building: string, startedDaysAgo: number, build: (b: Builder) => void) => {
		const b = new Builder(id, now, of(building));
		createProject(b.doc, { id, title, topic: topicDocName(COMMUNITY, id) }, ZHOU, b.at(startedDaysAgo));
		build(b);
		projects.push({ name: projectDocName(COMMUNITY, id), doc: b.doc });
		participation.push({ name: participationDocName(COMMUNITY, id), doc: b.participation });
		notices.push(...b.notices);
		const topic = new Y.Doc();
		createTopic(topic, { id, title, category: '', level: 'community' }, ZHOU, b.at(startedDaysAgo + 30));
		addToTopic(topic, proposalDocName(COMMUNITY, id), ZHOU, b.at(startedDaysAgo + 30));
		topics.push({ name: topicDocName(COMMUNITY, id), doc: topic });
	};

	make('stair-seats', '3栋楼道加装折叠座椅', 'b03', 60, (b) => {
		b.doc.getMap('meta').set('target', yuan(4800));
		b.doc.getMap('meta').set('targetSet', { at: b.at(60), by: ZHOU });
		[200, 100, 300, 100, 200, 150].forEach((amount, i) => b.pledgeFrom(i, yuan(amount), 58 - i, 50 - i));
		b.institution('property', '锦绣物业', yuan(3100), 57, 45);
		b.tenders(
			[
				['恒安五金', yuan(3960), 'ZD-150 壁挂折叠座椅 ×12，承重 150 公斤'],
				['宜居家具', yuan(3600), 'YJ-2 折叠座椅 ×12，承重 120 公斤'],
				['美家建材', yuan(4380), 'MJ-F8 折叠座椅 ×12，承重 150 公斤']
			],
			44,
			0,
			'承重 150 公斤更适合老人，质保三年；比最低价多 360 元，居民代表会同意。'
		);
		b.notice('tender', '“3栋楼道加装折叠座椅”供应商比选结果公示', '经公开比选，选定恒安五金，报价 ¥3,960.00（ZD-150，承重 150 公斤）。', 42, 7);
		addEntry(b.doc, { id: b.next('e'), type: 'spending', amount: yuan(3960), date: b.day(35), description: '折叠座椅 12 把', counterparty: '恒安五金', photos: [], at: b.at(35), by: LIN });
		addEntry(b.doc, { id: b.next('e'), type: 'spending', amount: yuan(186.5), date: b.day(33), description: '膨胀螺栓和安装辅料', counterparty: '建材市场', photos: [], at: b.at(33), by: LIN });
		b.task('采购座椅', '周敏', -38, 44, [['已下单，供应商承诺一周到货', 40, 'started'], ['12 把座椅已到货', 36, 'done']]);
		b.task('安装座椅（每单元二、四楼）', '物业工程部', -30, 44, [['二楼已装好', 33, 'started'], ['全部安装完成', 31, 'done']]);
		b.accept(['座椅安装牢固，承重测试通过', '收起后不占楼道通行宽度', '颜色与墙面协调'], [0, 2, 4], 28, {
			reason: '比选价低于预算，实际支出 ¥4,146.50 已由筹得的 ¥4,150.00 全额支付，不再继续筹款。',
			waived: ['funds']
		});
		b.notice('acceptance', '“3栋楼道加装折叠座椅”验收结果公示', '居民代表验收合格，三项全部通过。', 27, 7);
		b.notice('funding', '“3栋楼道加装折叠座椅”共筹收支公示', '收入 ¥4,150.00（居民自筹 ¥1,050.00，物业补贴 ¥3,100.00），支出 ¥4,146.50，结余 ¥3.50。', 26, 7);
		b.ratings([[0, 5], [1, 5], [2, 4], [3, 5], [4, 4], [5, 5, '老人上楼终于能歇脚了'], [6, 4], [7, 2, '我家门口那把座椅打开后挡住电表箱，希望挪个位置。']], 20);
		closeProject(b.doc, HE, b.at(15), '验收合格，公示期满无异议，办结。');
	});

	make('unit-door-7', '7栋2单元单元门更换', 'b07', 40, (b) => {
		b.doc.getMap('meta').set('target', yuan(18600));
		b.doc.getMap('meta').set('targetSet', { at: b.at(40), by: ZHOU });
		b.institution('maintenance_fund', '公共维修资金', yuan(18600), 40, 30);
		b.tenders(
			[
				['安居门业', yuan(18600), '可视对讲门禁单元门'],
				['平安智能', yuan(21500), '人脸识别门禁单元门']
			],
			32,
			0,
			'最低价，满足刷卡和对讲需求。'
		);
		addEntry(b.doc, { id: b.next('e'), type: 'spending', amount: yuan(18600), date: b.day(12), description: '单元门及门禁安装', counterparty: '安居门业', photos: [], at: b.at(12), by: LIN });
		b.task('拆除旧门、安装新门', '安居门业', -10, 30, [['旧门已拆除，临时门已装', 14, 'started'], ['新门安装调试完成', 11, 'done']]);
		b.task('为住户登记门禁卡', '楼长', -8, 30, [['已发放门禁卡 34 张', 9, 'done']]);
		b.accept(['门体牢固、闭门器正常', '门禁刷卡和对讲可用'], [0, 1, 2], 6);
		b.notice('acceptance', '“7栋2单元单元门更换”验收结果公示', '新单元门经居民代表验收合格。', 3, 7);
		b.ratings([[0, 5], [1, 4], [3, 5]], 2);
	});

	make('ev-charging', '小区增设电动车集中充电桩', 'b12', 25, (b) => {
		b.tenders(
			[
				['绿能充电', 0, '扫码充电桩 20 个，运营方投资，每度 0.8 元'],
				['快充科技', 0, '扫码充电桩 16 个，运营方投资，每度 1.0 元'],
				['城市电联', 0, '扫码充电桩 20 个，运营方投资，每度 0.9 元']
			],
			20,
			0,
			'充电桩数量多、收费最低，并负责雨棚建设。'
		);
		b.notice('tender', '“小区增设电动车集中充电桩”服务商比选结果公示', '选定绿能充电：20 个充电桩，每度 0.8 元，运营方投资建设。', 2, 7);
		b.task('场地平整和电缆敷设', '物业工程部', -9, 18, [['电缆已敷设到位', 12, 'done']]);
		b.task('安装充电桩', '绿能充电', -2, 18, [['已到货 20 个，正在安装', 4, 'started']]);
		b.task('加建雨棚', '绿能充电', 14, 18);
		const q = b.next('q');
		const { actor } = b.resident(1);
		addRequest(b.participation, { id: q, question: '充电收费标准和停车是否收费，能公开一下合同吗？', at: b.at(3), by: actor });
	});

	make('bin-kiosk', '垃圾分类亭异味整治', 'b18', 30, (b) => {
		b.institution('property', '锦绣物业', yuan(2400), 30, 25);
		addEntry(b.doc, { id: b.next('e'), type: 'spending', amount: yuan(1650), date: b.day(20), description: '冲洗水管和排水沟', counterparty: '物业工程部', photos: [], at: b.at(20), by: LIN });
		addEntry(b.doc, { id: b.next('e'), type: 'spending', amount: yuan(480), date: b.day(18), description: '消杀药剂（三个月）', photos: [], at: b.at(18), by: LIN });
		b.task('加装冲洗水管和排水沟', '物业工程部', -15, 28, [['已完工', 17, 'done']]);
		b.task('夏季每日清运两次', '物业保洁', -10, 28, [['清运时间表已张贴', 12, 'done']]);
		b.accept(['地面无积水', '异味明显减轻'], [0, 1, 2], 5);
	});

	make('roof-leak', '5栋屋面防水维修', 'b05', 10, (b) => {
		b.doc.getMap('meta').set('target', yuan(86000));
		b.doc.getMap('meta').set('targetSet', { at: b.at(10), by: HE });
		b.institution('maintenance_fund', '公共维修资金', yuan(86000), 9);
		b.task('委托第三方做屋面勘察和预算', '周敏', 10, 8);
		b.task('公开比选施工单位', '周敏', 25, 8);
	});

	return { projects, participation, notices, topics };
}
