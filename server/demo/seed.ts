/**
 * The demo community seeded on a relay's first start (no documents stored), so a first start shows realistic
 * content. Everything is invented: the community, its streets, and every name (built from surname and given-name
 * characters by a seeded PRNG, so the register is the same on every start). Phone numbers are masked.
 *
 * Proposals are written with the schema writers and carry timelines of valid transition events only, so
 * foldTimeline yields each proposal's intended status (demo-seed.spec.ts checks it).
 */
import * as Y from 'yjs';
import type { Actor, Channel } from '../../src/lib/domain/actor';
import type { CategoryId } from '../../src/lib/domain/lists';
import { NEGATIVE_LIST } from '../../src/lib/domain/lists';
import { DEFAULT_RULES, type ProposalKind, type ProposalStatus, type TimelineEvent } from '../../src/lib/domain/proposal';
import { cycleAt, NEED_TAGS, type NeedTag, shiftCycle, type Visit, type VisitOutcome } from '../../src/lib/domain/visit';
import type { Building, Community, Grid } from '../../src/lib/schema/community-doc';
import { writeCommunity } from '../../src/lib/schema/community-doc';
import { communityDocName, householdsDocName, proposalDocName, topicDocName, visitsDocName } from '../../src/lib/schema/doc-names';
import { HOUSEHOLD_TAGS } from '../../src/lib/domain/household';
import { type Household, type HouseholdTag, type Member, writeHouseholds } from '../../src/lib/schema/households-doc';
import { addCoSigner, appendEvent, createProposal } from '../../src/lib/schema/proposal-doc';
import { addVisit } from '../../src/lib/schema/visits-doc';
import { buildDemoMeetings } from './meetings';
import { buildDemoPoints } from './points';
import { buildDemoPolls } from './polls';
import { buildDemoProjects, DEMO_PROJECT_IDS } from './projects';
import { buildDemoRooms } from './rooms';
import type { DocStore } from '../storage/store';
import { prng } from '../../src/lib/domain/prng';

export const DEMO_COMMUNITY = 'demo';
const DAY = 24 * 60 * 60 * 1000;

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰玉梅红建国志文德淑珍凤琴云海林春荣晓宇浩欣怡子涵婷佳俊鹏飞雪慧颖琳瑞雨晨阳光辉永福庆友德贵'];

class Rng {
	private readonly next: () => number;
	constructor(seed: number) {
		this.next = prng(seed);
	}
	float(): number {
		return this.next();
	}
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}
	pick<T>(list: readonly T[]): T {
		return list[Math.floor(this.next() * list.length)] as T;
	}
	chance(p: number): boolean {
		return this.next() < p;
	}
	name(surname?: string): string {
		const given = this.chance(0.7) ? this.pick(GIVEN) + this.pick(GIVEN) : this.pick(GIVEN);
		return (surname ?? this.pick(SURNAMES)) + given;
	}
	phone(): string {
		return `1${this.pick(['38', '39', '58', '86', '37', '51'])}****${String(this.int(0, 9999)).padStart(4, '0')}`;
	}
}

export interface DemoDoc {
	name: string;
	doc: Y.Doc;
}

export interface DemoProposal extends DemoDoc {
	id: string;
	/** The status its timeline must fold to. */
	status: ProposalStatus;
}

export interface Demo {
	community: Community;
	households: Map<string, Household[]>;
	/** Grid id → visits (this month's canvassing and last month's). */
	visits: Map<string, Visit[]>;
	proposals: DemoProposal[];
	docs: DemoDoc[];
}

function buildCommunity(rng: Rng): Community {
	const grids: Grid[] = ['第一网格', '第二网格', '第三网格', '第四网格'].map((name, i) => ({ id: `g${i + 1}`, name }));
	const buildings: Building[] = [];
	for (let n = 1; n <= 20; n++) {
		buildings.push({
			id: `b${String(n).padStart(2, '0')}`,
			grid: `g${Math.ceil(n / 5)}`,
			name: `${n}栋`,
			units: rng.int(2, 3),
			floors: 6,
			roomsPerFloor: rng.int(2, 4)
		});
	}
	return demoStreetCommunity(DEMO_COMMUNITY, '锦绣里社区', grids, buildings);
}

/** A community of the demo street (both demo communities are in it), with the default rules and no lists. */
function demoStreetCommunity(id: string, name: string, grids: Grid[], buildings: Building[]): Community {
	return { id, name, street: '青柳街道', district: '临江区', grids, buildings, rules: DEFAULT_RULES, lists: [] };
}

/**
 * Floor areas by floor plan: flats stacked in a building share one, so the area depends on the building's
 * layout (two large flats per landing, or three or four smaller ones) and the flat's position, not its floor.
 */
function planAreas(b: Building): number[] {
	const r = new Rng([...b.id].reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
	const around = (min: number, max: number) => Math.round((min + r.float() * (max - min)) * 10) / 10;
	switch (b.roomsPerFloor) {
		case 2:
			return [around(96, 135), around(96, 135)];
		case 3: {
			const end = around(86, 112);
			return [end, around(60, 78), Math.round((end + around(-6, 6)) * 10) / 10];
		}
		default:
			return Array.from({ length: b.roomsPerFloor }, (_, i) => (i === 0 || i === b.roomsPerFloor - 1 ? around(76, 96) : around(52, 70)));
	}
}

function buildHouseholds(rng: Rng, community: Community): Map<string, Household[]> {
	const byGrid = new Map<string, Household[]>(community.grids.map((g) => [g.id, []]));
	const names = new Rng(90210);
	for (const b of community.buildings) {
		const areas = planAreas(b);
		for (let unit = 1; unit <= b.units; unit++) {
			for (let floor = 1; floor <= b.floors; floor++) {
				for (let r = 1; r <= b.roomsPerFloor; r++) {
					// About two in five flats are in the register so far; canvassing fills in the rest.
					if (!rng.chance(0.4)) continue;
					const room = `${floor}0${r}`;
					const surname = rng.pick(SURNAMES);
					const size = rng.int(1, 4);
					const members: Member[] = [];
					for (let m = 0; m < size; m++) {
						members.push(m === 0 ? { name: rng.name(surname), phone: rng.phone(), contact: true } : { name: rng.name(m === 1 ? undefined : surname) });
					}
					// Two members drawn with one name would be one person twice: rename (from another generator, so
					// the main sequence and every id stay as they were).
					for (let m = 1; m < members.length; m++) {
						while (members.slice(0, m).some((x) => x.name === members[m]!.name)) members[m]!.name = names.name(surname);
					}
					const tags: HouseholdTag[] = [];
					if (size === 1 && rng.chance(0.5)) tags.push('elderly_alone');
					if (size >= 3 && rng.chance(0.6)) tags.push('children');
					if (rng.chance(0.1)) tags.push('party_member');
					if (rng.chance(0.12)) tags.push('volunteer');
					if (rng.chance(0.03)) tags.push('disabled');
					if (rng.chance(0.15)) tags.push('renter');
					// Drawn to keep the generator's sequence (and so every id) as it was; the plan gives the area.
					rng.float();
					byGrid.get(b.grid)?.push({
						id: `${b.id}-${unit}-${room}`,
						building: b.id,
						unit,
						room,
						area: areas[r - 1] ?? 80,
						members,
						tags
					});
				}
			}
		}
	}
	// One building contact (楼栋联络人) per building: the largest household of its first unit that has one.
	for (const list of byGrid.values()) {
		for (const b of new Set(list.map((h) => h.building))) {
			const pick = list
				.filter((h) => h.building === b && h.unit === 1 && !h.tags.includes('elderly_alone'))
				.sort((x, y) => y.members.length - x.members.length)[0];
			if (pick) pick.tags = HOUSEHOLD_TAGS.filter((t) => t === 'contact_person' || pick.tags.includes(t));
		}
	}
	return byGrid;
}

/** What residents say at the door, by need; the grid worker writes it down as heard. */
const NEEDS_HEARD: Readonly<Record<NeedTag, readonly string[]>> = {
	repair: ['楼道声控灯坏了，晚上上下楼看不见。', '厨房下水管漏水，渗到楼下。', '单元门闭门器坏了，门一直关不上。'],
	safety: ['楼道里堆了纸箱和旧家具，怕着火。', '有人把电动车推进楼道充电。', '窗外空调架子锈了，担心掉下去。'],
	environment: ['垃圾桶满了没人清，夏天有味道。', '楼下绿地被人占了种菜。', '楼顶水箱好久没清洗了。'],
	elderly_care: ['老人一个人住，希望有人定期上门看看。', '想申请助餐，腿脚不方便下楼买菜。', '希望楼道里装扶手。'],
	childcare: ['孩子放学后没人管，想参加四点半课堂。', '小区里没有适合小孩玩的地方。'],
	parking: ['晚上回来没地方停车。', '电动车充电桩太少，要排队。'],
	neighbours: ['楼上装修噪音太大，中午也不停。', '邻居家狗晚上叫。'],
	hardship: ['家里老人住院，医药费压力大。', '刚失业，想问问有没有就业帮扶。'],
	policy: ['想了解老旧小区改造什么时候轮到我们楼。', '想问加装电梯的补贴政策。']
};

/**
 * Canvassing in the demo: last month every grid was covered, and this month (the cycle containing `now`)
 * the first grid is nearly done, the second half done, the third just started and the fourth not begun,
 * so the coverage page has something to show at every stage. A closed door is often knocked on again.
 */
function buildVisits(community: Community, households: Map<string, Household[]>, now: number): Map<string, Visit[]> {
	const rng = new Rng(51820);
	const thisMonth = cycleAt(now);
	const lastMonth = shiftCycle(thisMonth, -1);
	const HOUR = 60 * 60 * 1000;
	const progress: Record<string, number> = { g1: 0.88, g2: 0.5, g3: 0.12, g4: 0 };
	const out = new Map<string, Visit[]>();
	let n = 0;
	/** A working hour (9:00–19:00 Beijing time) on a day of [from, to); never after `to`. */
	const when = (from: number, to: number) => {
		const days = Math.max(1, Math.floor((to - from) / DAY));
		// `from` is midnight in Beijing (a cycle's start), so the hour is Beijing time.
		const at = from + rng.int(0, days - 1) * DAY + rng.int(9, 18) * HOUR + rng.int(0, 59) * 60_000;
		return at < to ? at : from + Math.floor(rng.float() * (to - from));
	};
	for (const grid of community.grids) {
		const list: Visit[] = [];
		const by = gridWorker(grid.id);
		const visit = (h: Household, at: number, outcome: VisitOutcome, needs = false): void => {
			const tags: NeedTag[] = needs ? [rng.pick(NEED_TAGS)] : [];
			if (needs && rng.chance(0.3)) {
				const more = rng.pick(NEED_TAGS);
				if (!tags.includes(more)) tags.push(more);
			}
			list.push({
				id: `demo-visit-${String(++n).padStart(4, '0')}`,
				household: h.id,
				grid: grid.id,
				building: h.building,
				at,
				by,
				channel: 'visit',
				outcome,
				needs: { tags, text: needs ? tags.map((t) => rng.pick(NEEDS_HEARD[t])).join('') : '' },
				photos: []
			});
		};
		const round = (from: number, to: number, share: number) => {
			for (const h of households.get(grid.id) ?? []) {
				if (!rng.chance(share)) continue;
				const at = when(from, to);
				const r = rng.float();
				if (r < 0.24) {
					visit(h, at, 'not_home');
					// Knocked again a few days later: usually someone is in then.
					const again = at + rng.int(2, 6) * DAY;
					if (again < to && rng.chance(0.6)) {
						const talked = rng.chance(0.9);
						visit(h, again, talked ? 'talked' : 'declined', talked && rng.chance(0.35));
					}
				} else if (r < 0.29) visit(h, at, 'declined');
				else visit(h, at, 'talked', rng.chance(0.35));
			}
		};
		round(lastMonth.start, lastMonth.end, 0.92);
		round(thisMonth.start, Math.min(now, thisMonth.end), progress[grid.id] ?? 0);
		out.set(grid.id, list);
	}
	return out;
}

interface ProposalSpec {
	id: string;
	title: string;
	description: string;
	category: CategoryId;
	kind: ProposalKind;
	channel: Channel;
	/** Building whose residents propose (and co-sign). */
	building: string;
	organisation?: string;
	coSigners?: number;
	ageDays: number;
	/** Filed as a grid matter (default: at the community). */
	level?: 'grid';
	/** Statuses after 'submitted', in order; each step is a valid transition. */
	path: ProposalStatus[];
	reasons?: Partial<Record<ProposalStatus, string>>;
	negativeItem?: number;
	comments?: string[];
}

const PROPOSALS: ProposalSpec[] = [
	{
		id: 'stair-seats',
		title: '3栋楼道加装折叠座椅',
		description:
			'3栋住着不少七八十岁的老人，爬到四五楼要歇好几次。建议在每个单元二、四楼的楼道转角处加装壁挂式折叠座椅（爱心座椅），不占通道，用时放下、不用时收起。',
		category: 'facilities',
		kind: 'joint',
		channel: 'visit',
		building: 'b03',
		coSigners: 6,
		ageDays: 118,
		path: ['screening', 'accepted', 'topic', 'deliberating', 'voting', 'decided', 'funding', 'in_progress', 'inspected', 'publicised', 'closed'],
		reasons: { decided: '入户征求意见：同意率86%，采用“居民自筹+物业补贴”方案。', closed: '验收合格，公示期满无异议，办结。' },
		comments: ['座椅选了承重150公斤的款式，颜色和楼道墙面一致。']
	},
	{
		id: 'unit-door-7',
		title: '7栋2单元单元门更换',
		description: '7栋2单元的单元门锁坏了大半年，门也关不严，夜里常有外来人员进出，冬天楼道漏风。建议更换带门禁的新单元门。',
		category: 'safety',
		kind: 'joint',
		channel: 'app',
		building: 'b07',
		coSigners: 5,
		ageDays: 96,
		path: ['screening', 'accepted', 'topic', 'deliberating', 'voting', 'decided', 'in_progress', 'inspected', 'publicised'],
		reasons: { decided: '经业主表决，使用公共维修资金更换单元门。' }
	},
	{
		id: 'ev-charging',
		title: '小区增设电动车集中充电桩',
		description: '不少居民把电动车推进楼道、从窗户拉电线“飞线充电”，存在很大火灾隐患。建议在12栋和15栋之间的空地建一处带雨棚的集中充电点，扫码计费。',
		category: 'safety',
		kind: 'individual',
		channel: 'app',
		building: 'b12',
		ageDays: 80,
		path: ['screening', 'accepted', 'topic', 'deliberating', 'decided', 'funding', 'in_progress'],
		reasons: { decided: '议事会协商一致：由物业公开比选服务商，场地免费提供。' }
	},
	{
		id: 'pavilion',
		title: '小游园加建凉亭',
		description: '小游园里老人下棋、带孩子的家长都没有遮阳避雨的地方。老年协会建议在小游园东南角加建一座木结构凉亭，配几张石凳。',
		category: 'greening',
		kind: 'organisational',
		organisation: '锦绣里老年协会',
		channel: 'meeting',
		building: 'b16',
		ageDays: 60,
		path: ['screening', 'accepted', 'topic', 'deliberating', 'voting']
	},
	{
		id: 'activity-room',
		title: '社区活动室改造',
		description: '活动室墙面脱落、灯光昏暗，桌椅也不够用。志愿者协会建议重新粉刷、换LED灯、添置可折叠桌椅和一个书架，平时可以办四点半课堂和书画活动。',
		category: 'culture',
		kind: 'organisational',
		organisation: '锦绣里志愿者协会',
		channel: 'meeting',
		building: 'b10',
		ageDays: 45,
		path: ['screening', 'accepted', 'topic', 'deliberating']
	},
	{
		id: 'pet-noise',
		title: '9栋楼上住户养狗噪音扰民',
		description: '楼上邻居家的狗白天晚上都叫，和他们沟通过几次，闹成了邻里纠纷，希望社区出面让他们把狗送走。',
		category: 'services',
		kind: 'individual',
		channel: 'box',
		building: 'b09',
		ageDays: 40,
		path: ['screening', 'rejected'],
		negativeItem: 3
	},
	{
		id: 'bin-kiosk',
		title: '垃圾分类亭异味整治',
		description: '18栋旁边的垃圾分类亭夏天异味很大，周边地面常有污水。建议增加清运频次，加装冲洗水管和排水沟，并定期消杀。',
		category: 'cleanup',
		kind: 'joint',
		channel: 'visit',
		building: 'b18',
		coSigners: 4,
		ageDays: 70,
		path: ['screening', 'accepted', 'topic', 'deliberating', 'decided', 'in_progress', 'inspected'],
		reasons: { decided: '物业承诺夏季每日清运两次，加装冲洗设施。' }
	},
	{
		id: 'roof-leak',
		title: '5栋屋面防水维修',
		description: '5栋顶楼六户家里天花板渗水发霉，下雨天更严重。建议对屋面整体重做防水。',
		category: 'facilities',
		kind: 'joint',
		channel: 'app',
		building: 'b05',
		coSigners: 3,
		ageDays: 50,
		path: ['screening', 'accepted', 'topic', 'deliberating', 'voting', 'decided'],
		reasons: { decided: '业主表决通过（参与面积与人数均超三分之二），申请使用公共维修资金。' }
	},
	{
		id: 'drying-racks',
		title: '院内增设公共晾衣架',
		description: '老楼阳台小，晴天大家在树之间拉绳晒被子，既不安全也不好看。建议在14栋南侧空地安装几组不锈钢晾衣架。',
		category: 'services',
		kind: 'individual',
		channel: 'box',
		building: 'b14',
		ageDays: 30,
		path: ['screening', 'accepted', 'topic']
	},
	{
		id: 'street-lights',
		title: '北侧通道夜间路灯补装',
		description: '小区北门到19栋的通道有三盏路灯坏了，晚上下班回来黑乎乎的，老人孩子容易摔倒。建议修复并补装两盏太阳能路灯。',
		category: 'safety',
		kind: 'individual',
		channel: 'visit',
		building: 'b19',
		ageDays: 20,
		path: ['screening', 'accepted']
	},
	{
		id: 'after-school',
		title: '开设儿童四点半课堂',
		description: '双职工家庭的孩子放学后没人照看。建议利用活动室开设四点半课堂，请退休教师和大学生志愿者辅导作业。',
		category: 'services',
		kind: 'individual',
		channel: 'meeting',
		building: 'b11',
		ageDays: 12,
		path: ['screening']
	},
	{
		id: 'parking-lines',
		title: '小区停车位重新划线',
		description: '小区停车位的标线已经看不清，乱停车堵住消防通道的情况时有发生。建议重新施划车位线和消防通道标识。',
		category: 'safety',
		kind: 'individual',
		channel: 'meeting',
		building: 'b02',
		ageDays: 5,
		path: []
	},
	{
		// Beyond the community's authority (a city road): referred to the street office, where it waits.
		id: 'crossing',
		title: '小区南门外增设人行横道和减速带',
		description: '南门外的锦江路车速快，老人和孩子过马路很危险，去年发生过两次剐蹭。建议在南门正对的位置施划人行横道、安装减速带和警示牌。',
		category: 'safety',
		kind: 'joint',
		channel: 'app',
		building: 'b16',
		coSigners: 4,
		ageDays: 20,
		path: ['screening', 'escalated'],
		reasons: { escalated: '市政道路不属于社区管辖，需街道协调交警和城管部门。' }
	},
	{
		// A grid matter the grid worker settled on the spot with the property company.
		id: 'corridor-light',
		title: '6栋2单元楼道灯不亮',
		description: '6栋2单元三楼到五楼的楼道灯坏了一个多星期，晚上上下楼看不见台阶。',
		category: 'safety',
		kind: 'individual',
		channel: 'visit',
		building: 'b06',
		level: 'grid',
		ageDays: 9,
		path: ['settled'],
		reasons: { settled: '已联系物业，第二天更换了三盏声控灯，住户确认已亮。' }
	}
];

const FACILITATORS: Actor[] = [
	{ id: 'demo-fac-zhou', name: '周敏', role: 'facilitator' },
	{ id: 'demo-fac-lin', name: '林晓燕', role: 'facilitator' }
];
const ADMIN: Actor = { id: 'demo-admin-he', name: '何建华', role: 'community_admin' };

function gridWorker(grid: string): Actor {
	const names: Record<string, string> = { g1: '王海涛', g2: '陈丽娟', g3: '刘志强', g4: '赵春梅' };
	return { id: `demo-gw-${grid}`, name: names[grid] ?? '网格员', role: 'grid_worker' };
}

function buildProposal(spec: ProposalSpec, rng: Rng, community: Community, households: Map<string, Household[]>, now: number): DemoProposal {
	const building = community.buildings.find((b) => b.id === spec.building);
	if (!building) throw new Error(`demo: unknown building ${spec.building}`);
	const local = (households.get(building.grid) ?? []).filter((h) => h.building === building.id);
	const proposer = local[0];
	if (!proposer) throw new Error(`demo: no household in ${building.id}`);
	const residentName = proposer.members[0]?.name ?? '居民';
	const resident: Actor = { id: `demo-res-${proposer.id}`, name: residentName, role: 'resident' };
	// Visits and paper boxes are recorded by the grid worker; meetings by a facilitator.
	const recorder = spec.channel === 'visit' || spec.channel === 'box' ? gridWorker(building.grid) : spec.channel === 'meeting' ? FACILITATORS[0] : resident;

	const doc = new Y.Doc();
	const steps = spec.path.length + (spec.comments?.length ?? 0) + (spec.coSigners ?? 0) + 1;
	const step = Math.floor((spec.ageDays * DAY) / (steps + 1));
	let at = now - spec.ageDays * DAY + rng.int(8, 11) * 60 * 60 * 1000;
	const tick = () => (at += step + rng.int(0, 3 * 60 * 60 * 1000));

	createProposal(
		doc,
		{
			title: spec.title,
			description: spec.description,
			category: spec.category,
			kind: spec.kind,
			channel: spec.channel,
			household: spec.kind === 'organisational' ? undefined : proposer.id,
			organisation: spec.organisation
		},
		{ id: spec.id, actor: recorder ?? resident, now: at, status: 'submitted', ...(spec.level ? { level: spec.level } : {}) }
	);
	for (const h of local.slice(1, 1 + (spec.coSigners ?? 0))) {
		addCoSigner(doc, {
			household: h.id,
			name: h.members[0]?.name ?? '',
			at: tick(),
			by: spec.channel === 'visit' ? gridWorker(building.grid) : { id: `demo-res-${h.id}`, name: h.members[0]?.name ?? '', role: 'resident' },
			channel: spec.channel
		});
	}
	let from: ProposalStatus = 'submitted';
	let n = 0;
	for (const to of spec.path) {
		const by =
			to === 'decided' || to === 'closed'
				? ADMIN
				: spec.level === 'grid'
					? gridWorker(building.grid)
					: (FACILITATORS[n++ % FACILITATORS.length] as Actor);
		const negative = spec.negativeItem ? NEGATIVE_LIST.find((i) => i.no === spec.negativeItem) : undefined;
		const event: TimelineEvent = {
			id: `${spec.id}-${to}`,
			type: 'transition',
			at: tick(),
			by,
			channel: 'app',
			from,
			to,
			...(to === 'rejected' && negative ? { reason: negative.reasonZh, negativeItem: negative.no } : {}),
			...(spec.reasons?.[to] ? { reason: spec.reasons[to] } : {}),
			// Proposals carried out as demo projects sit in a topic of the same id.
			...(to === 'topic' && DEMO_PROJECT_IDS.includes(spec.id) ? { target: topicDocName(community.id, spec.id) } : {}),
			...(to === 'escalated' ? { level: 'street' as const } : {})
		};
		appendEvent(doc, event);
		from = to;
	}
	for (const [i, text] of (spec.comments ?? []).entries()) {
		appendEvent(doc, { id: `${spec.id}-comment-${i}`, type: 'comment', at: tick(), by: FACILITATORS[1] as Actor, channel: 'app', text });
	}
	return { id: spec.id, name: proposalDocName(community.id, spec.id), doc, status: spec.path.at(-1) ?? 'submitted' };
}

/** Builds the demo documents; `now` anchors the timelines (the demo's matters are days to months old). */
export function buildDemo(now = Date.now()): Demo {
	const rng = new Rng(20240521);
	const community = buildCommunity(rng);
	const households = buildHouseholds(rng, community);
	const docs: DemoDoc[] = [];

	const communityDoc = new Y.Doc();
	writeCommunity(communityDoc, community);
	docs.push({ name: communityDocName(DEMO_COMMUNITY), doc: communityDoc });

	for (const [grid, list] of households) {
		const doc = new Y.Doc();
		writeHouseholds(doc, grid, list);
		docs.push({ name: householdsDocName(DEMO_COMMUNITY, grid), doc });
	}
	const proposals = PROPOSALS.map((spec) => buildProposal(spec, rng, community, households, now));
	// The approved bench meeting's decisions go into the timelines of the proposals they concern.
	const meetings = buildDemoMeetings(now);
	for (const { proposal, event } of meetings.timeline) {
		const target = proposals.find((p) => p.name === proposal);
		if (!target) throw new Error(`demo meeting decides on an unknown proposal ${proposal}`);
		appendEvent(target.doc, event);
	}
	docs.push(...proposals, ...meetings.docs);
	// Before encoding: the closed poll adds its outcome to a proposal's timeline.
	docs.push(...buildDemoPolls({ community, households, proposals }, now));
	const projects = buildDemoProjects({ community, households }, now);
	docs.push(...projects.projects, ...projects.participation, ...projects.notices, ...projects.topics);
	docs.push(...buildDemoPoints({ community, households }, now));
	docs.push(...buildDemoRooms({ community, households }, now));

	const visits = buildVisits(community, households, now);
	for (const [grid, list] of visits) {
		const doc = new Y.Doc();
		for (const v of list) addVisit(doc, v);
		docs.push({ name: visitsDocName(DEMO_COMMUNITY, grid), doc });
	}
	return { community, households, visits, proposals, docs };
}

/** The street office the demo community belongs to (the scope of the demo street admin). */
export const DEMO_STREET = 'demo-street';
/** A smaller neighbour under the same street office, so the street level compares two communities. */
export const DEMO_NEIGHBOUR = 'demo-cuihu';

const NEIGHBOUR_PROPOSALS: ProposalSpec[] = [
	{
		id: 'nb-garden',
		title: '中心花园闲置角落改成小菜园',
		description: '花园东北角一直荒着，杂草很多。几位退休老人愿意带头，把它改成居民共管的小菜园，也能让孩子认识蔬菜。',
		category: 'greening',
		kind: 'joint',
		channel: 'meeting',
		building: 'b02',
		coSigners: 3,
		ageDays: 70,
		path: ['accepted', 'topic', 'deliberating', 'decided']
	},
	{
		id: 'nb-bikes',
		title: '清理地下室僵尸自行车',
		description: '地下室堆了几十辆没人骑的旧自行车，占地方也有火灾隐患。建议张贴公告限期认领，逾期统一清理。',
		category: 'cleanup',
		kind: 'individual',
		channel: 'box',
		building: 'b05',
		ageDays: 40,
		path: ['accepted', 'topic', 'deliberating', 'decided', 'in_progress', 'inspected', 'publicised', 'closed']
	},
	{
		id: 'nb-bus',
		title: '申请在翠湖路口增设公交站',
		description: '小区离最近的公交站要走二十分钟，老人去医院很不方便。希望街道向公交公司反映，在翠湖路口增设一个站点。',
		category: 'services',
		kind: 'joint',
		channel: 'app',
		building: 'b03',
		coSigners: 5,
		ageDays: 16,
		path: ['screening', 'escalated'],
		reasons: { escalated: '公交线路调整超出社区职权，请街道与公交公司沟通。' }
	},
	{
		id: 'nb-noise',
		title: '楼上装修噪音扰民',
		description: '楼上中午和晚上九点后还在装修，希望社区出面管一管。',
		category: 'culture',
		kind: 'individual',
		channel: 'app',
		building: 'b04',
		ageDays: 25,
		path: ['rejected'],
		negativeItem: 3
	}
];

/** The neighbour community: two grids, eight buildings, a register, last and this month's visits, four matters. */
export function buildNeighbour(now = Date.now()): Demo {
	const rng = new Rng(20240607);
	const grids = [
		{ id: 'g1', name: '翠湖一网格' },
		{ id: 'g2', name: '翠湖二网格' }
	];
	const buildings: Building[] = [];
	for (let n = 1; n <= 8; n++) {
		buildings.push({ id: `b${String(n).padStart(2, '0')}`, grid: n <= 4 ? 'g1' : 'g2', name: `${n}号楼`, units: 2, floors: 7, roomsPerFloor: 2 });
	}
	const community = demoStreetCommunity(DEMO_NEIGHBOUR, '翠湖社区', grids, buildings);
	const households = buildHouseholds(rng, community);
	const docs: DemoDoc[] = [];
	const communityDoc = new Y.Doc();
	writeCommunity(communityDoc, community);
	docs.push({ name: communityDocName(community.id), doc: communityDoc });
	for (const [grid, list] of households) {
		const doc = new Y.Doc();
		writeHouseholds(doc, grid, list);
		docs.push({ name: householdsDocName(community.id, grid), doc });
	}
	const proposals = NEIGHBOUR_PROPOSALS.map((spec) => buildProposal(spec, rng, community, households, now));
	docs.push(...proposals);
	const visits = buildVisits(community, households, now);
	for (const [grid, list] of visits) {
		const doc = new Y.Doc();
		for (const v of list) addVisit(doc, v);
		docs.push({ name: visitsDocName(community.id, grid), doc });
	}
	return { community, households, visits, proposals, docs };
}

export interface SeededDemo {
	docs: number;
	community: string;
	/** Grid ids, in order. */
	grids: string[];
	/** A household of the first grid, for the demo resident. */
	household: string;
	/** Every community seeded under the demo street office (the demo community first). */
	communities: string[];
}

/** Stores every demo document as one update, in one transaction; says what was seeded. */
export async function seedDemoCommunity(store: DocStore, now = Date.now()): Promise<SeededDemo> {
	const { docs: own, community, households } = buildDemo(now);
	const docs = [...own, ...buildNeighbour(now).docs];
	await store.appendUpdates(docs.map(({ name, doc }) => ({ doc: name, data: Y.encodeStateAsUpdate(doc) })));
	for (const { doc } of docs) doc.destroy();
	const grids = community.grids.map((g) => g.id);
	const household = households.get(grids[0] as string)?.[0]?.id ?? 'h1';
	return { docs: docs.length, community: community.id, grids, household, communities: [community.id, DEMO_NEIGHBOUR] };
}

/** Stores every demo document as one update, in one transaction. Returns the number of documents. */
export async function seedDemo(store: DocStore, now = Date.now()): Promise<number> {
	return (await seedDemoCommunity(store, now)).docs;
}
