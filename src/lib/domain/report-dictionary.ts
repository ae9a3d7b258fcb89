/**
 * The data dictionary of the reports (数据字典), as data: one entry per figure, with its definition in
 * Simplified Chinese (first) and English, the levels it exists at and whether it appears in the residents'
 * quarterly report. The computation is in report.ts; ids are paths into Figures ('polls.participation' is the
 * rate, '.part' and '.whole' what it is made of), so figureRows can walk every figure and the spec can check
 * that Figures and this list match exactly: no figure without a definition, no definition without a figure.
 */
import type { DurationStats, Figures, Ratio } from './report-types';

export type FigureUnit = 'count' | 'rate' | 'fen' | 'days' | 'breakdown';
export type FigureLevel = 'grid' | 'community' | 'street';

export interface FigureText {
	name: string;
	definition: string;
}

export interface FigureDef {
	/** Path into Figures, e.g. 'intake.total', 'polls.participation', 'toDecision.median'. */
	id: string;
	section: string;
	unit: FigureUnit;
	zh: FigureText;
	en: FigureText;
	levels: FigureLevel[];
	/** Shown in the residents' quarterly report (community and street level only: grid figures never are). */
	public: boolean;
}

export interface SectionDef {
	id: string;
	zh: string;
	en: string;
}

export const SECTIONS: readonly SectionDef[] = [
	{ id: 'intake', zh: '提案收集', en: 'Intake' },
	{ id: 'screening', zh: '初审', en: 'Screening' },
	{ id: 'topics', zh: '议题', en: 'Topics' },
	{ id: 'meetings', zh: '议事会议', en: 'Meetings' },
	{ id: 'polls', zh: '表决', en: 'Polls' },
	{ id: 'visits', zh: '入户走访', en: 'Door-to-door visits' },
	{ id: 'projects', zh: '项目', en: 'Projects' },
	{ id: 'money', zh: '资金', en: 'Money' },
	{ id: 'toDecision', zh: '议定用时', en: 'Time to decision' },
	{ id: 'toCompletion', zh: '结项用时', en: 'Time to completion' },
	{ id: 'resolution', zh: '办结', en: 'Resolution' },
	{ id: 'satisfaction', zh: '满意度', en: 'Satisfaction' }
];

/** What applies to every figure; printed above the dictionary. */
export const DICTIONARY_NOTES: { zh: string[]; en: string[] } = {
	zh: [
		'统计周期按北京时间（东八区）划分：周为周一0时至周日24时，按ISO周编号（如2026-W49）；月、季按自然月、自然季。',
		'“本期”指统计周期；事件按其发生时间归入所在的期。',
		'网格数据按提案所涉住户、走访所属台账所在网格统计；议题、会议、表决、项目、资金和满意度不属于单个网格，网格一级不统计（为零）。社区合计含未关联网格的提案，因此可能大于各网格之和。',
		'街道数据由各社区已发布的报告合计：件数相加，比率由分子、分母分别相加后重新计算，用时由全部事项的天数重新计算，不是各社区数值的平均。',
		'期结束两天后冻结（离线设备可能晚到数据）；冻结后的数据不再改变，如需更正，另发更正版本并注明原因。',
		'所有数据均为汇总数，不含任何住户、姓名或门牌。标为公开的指标出现在面向居民的季度报告中；网格一级数据不公开。'
	],
	en: [
		'Periods are cut in China Standard Time (UTC+8): weeks run Monday 00:00 to Sunday 24:00 and are numbered by ISO week (e.g. 2026-W49); months and quarters are calendar ones.',
		'"The period" is the reporting period; an event counts in the period in which it happened.',
		'Grid figures follow the grid of the household a proposal names and the register a visit belongs to; topics, meetings, polls, projects, money and satisfaction belong to no single grid and are zero at grid level. The community total includes proposals naming no grid, so it may exceed the sum of its grids.',
		"A street's figures combine its communities' published reports: counts are added, rates are recomputed from the added parts and wholes, durations from every matter's days; never an average of the communities' figures.",
		'A period is frozen two days after it ends (offline devices bring late data); frozen figures never change, and a correction is published as a new version with its reason.',
		'Every figure is an aggregate, with no household, name or room. Figures marked public appear in the residents\' quarterly report; grid figures are never public.'
	]
};

const ALL: FigureLevel[] = ['grid', 'community', 'street'];
const ABOVE_GRID: FigureLevel[] = ['community', 'street'];

const def = (
	id: string,
	unit: FigureUnit,
	levels: FigureLevel[],
	isPublic: boolean,
	zh: [string, string],
	en: [string, string]
): FigureDef => ({
	id,
	section: id.split('.')[0] as string,
	unit,
	zh: { name: zh[0], definition: zh[1] },
	en: { name: en[0], definition: en[1] },
	levels,
	public: isPublic
});

/** Every figure of Figures, in report order. */
export const FIGURES: readonly FigureDef[] = [
	// ---- intake ----
	def(
		'intake.total',
		'count',
		ALL,
		true,
		['收集提案数', '本期内提交的提案件数，以提交时间为准，各渠道合计；草稿不计。网格按提案所涉住户所在网格统计，未关联住户的提案只计入社区合计。'],
		['Proposals received', 'Proposals filed in the period, by time of filing, across all channels; drafts are not counted. A grid counts proposals of its households; a proposal naming no household counts only in the community total.']
	),
	def(
		'intake.byChannel',
		'breakdown',
		ALL,
		false,
		['收集提案数（按渠道）', '同“收集提案数”，按提交渠道（应用、入户走访、意见箱、会议、线上群）分列；渠道未记录的单列。'],
		['Proposals received, by channel', 'As "proposals received", by channel (app, visit, box, meeting, online group); proposals without a recorded channel under an empty key.']
	),
	def(
		'intake.byCategory',
		'breakdown',
		ALL,
		true,
		['收集提案数（按类别）', '同“收集提案数”，按鼓励清单类别分列；未归类的单列。'],
		['Proposals received, by category', 'As "proposals received", by category of the encouraged list; uncategorised proposals under an empty key.']
	),
	// ---- screening ----
	def(
		'screening.decisions',
		'count',
		ALL,
		false,
		['初审决定数', '本期内作出的初审决定件数：提案由“已提交”或“初审中”转为受理、不予受理、合并、上报或就地解决，以决定时间为准，不论何时提交。上报事项此后由上级受理或不予受理的，不再重复计入。'],
		['Screening decisions', 'Screening decisions made in the period: a proposal moved from submitted or under screening to accepted, rejected, merged, escalated or settled on the spot (at any level), by time of decision whenever it was filed. An upper level later accepting or rejecting an escalated matter is not counted again.']
	),
	def(
		'screening.byOutcome',
		'breakdown',
		ALL,
		false,
		['初审决定数（按结果）', '同“初审决定数”，按结果分列：受理（accepted）、不予受理（rejected）、合并（merged）、上报（escalated）、就地解决（settled，网格、社区或街道）。'],
		['Screening decisions, by outcome', 'As "screening decisions", by outcome: accepted, rejected, merged, escalated, settled on the spot (at any level).']
	),
	def(
		'screening.negativeItems',
		'breakdown',
		ALL,
		false,
		['负面清单引用次数', '本期内不予受理决定所引用的负面清单条目，按条目编号计次；含上级对上报事项作出的不予受理。未引用条目的不予受理不计。'],
		['Negative-list items cited', 'Negative-list items cited by rejections in the period, by item number, including an upper level rejecting an escalated matter. Rejections citing no item are not counted here.']
	),
	// ---- topics ----
	def(
		'topics.formed',
		'count',
		ABOVE_GRID,
		true,
		['形成议题数', '本期内新建的议题数，以建立时间为准。'],
		['Topics formed', 'Topics created in the period, by time of creation.']
	),
	// ---- meetings ----
	def(
		'meetings.held',
		'count',
		ABOVE_GRID,
		true,
		['召开会议次数', '本期内实际召开的会议次数：计划开始时间在本期内，且至少有一人签到。只安排未召开的会议不计。'],
		['Meetings held', 'Meetings that took place in the period: scheduled to start in the period, with at least one person checked in. Meetings scheduled but not held are not counted.']
	),
	def(
		'meetings.byKind',
		'breakdown',
		ABOVE_GRID,
		true,
		['召开会议次数（按类型）', '同“召开会议次数”，按会议类型（议事会、板凳会、坝坝会、楼头会、说事日）分列。'],
		['Meetings held, by kind', 'As "meetings held", by kind (deliberation, bench, courtyard, building-head meeting, talk day).']
	),
	def(
		'meetings.attendance',
		'count',
		ABOVE_GRID,
		true,
		['参会人次', '本期内召开的会议的有效签到人数之和；同一人参加多次会议按多次计。'],
		['Attendance', 'Active check-ins at the meetings held in the period, summed; a person attending several meetings counts at each.']
	),
	def(
		'meetings.byCapacity',
		'breakdown',
		ABOVE_GRID,
		false,
		['参会人次（按身份）', '同“参会人次”，按签到身份（党员、居民代表、物业、业委会、楼栋长、人大代表、法律顾问、利害关系人、第三方、网格员、居民）分列。'],
		['Attendance, by capacity', 'As "attendance", by the capacity checked in (party member, resident representative, property company, owners\' committee, building head, deputy, legal adviser, stakeholder, third party, grid worker, resident).']
	),
	// ---- polls ----
	def(
		'polls.closed',
		'count',
		ABOVE_GRID,
		true,
		['完成表决数', '本期内结束的表决数，以主持人关闭表决或截止时间为准。'],
		['Polls closed', 'Polls that closed in the period, when a facilitator closed them or their end time passed.']
	),
	def(
		'polls.participation',
		'rate',
		ABOVE_GRID,
		true,
		['表决参与率', '本期内结束的全部表决中，有效投票户数之和除以有表决权户数之和。按户合计计算，不是各次表决参与率的平均。'],
		['Poll participation', 'For the polls closed in the period: households whose ballot counts, summed, over households entitled to vote, summed. Not an average of the polls\' rates.']
	),
	def(
		'polls.participation.part',
		'count',
		ABOVE_GRID,
		true,
		['投票户次', '本期内结束的各次表决的有效投票户数之和；一户参加两次表决计两次。'],
		['Households voting', 'Households whose ballot counts, summed over the polls closed in the period; a household voting in two polls counts twice.']
	),
	def(
		'polls.participation.whole',
		'count',
		ABOVE_GRID,
		true,
		['应投票户次', '本期内结束的各次表决的有表决权户数之和。'],
		['Households entitled', 'Households entitled to vote, summed over the polls closed in the period.']
	),
	// ---- visits ----
	def(
		'visits.visits',
		'count',
		ALL,
		false,
		['走访次数', '本期内的入户走访记录条数，含不在家、婉拒的走访。'],
		['Visits', 'Door-to-door visit records in the period, including households not at home or declining.']
	),
	def(
		'visits.coverage',
		'rate',
		ALL,
		false,
		['入户覆盖率', '本期内至少有一次走访见到住户（交谈或婉拒）的户数，除以台账户数。不在家不算覆盖。台账户数取计算时的台账，已冻结的期即冻结时的台账。'],
		['Visit coverage', 'Households reached at least once in the period (talked or declined) over the households in the register. Not at home does not cover. The register is as it was when computed (for a frozen period, when it was frozen).']
	),
	def(
		'visits.coverage.part',
		'count',
		ALL,
		false,
		['已覆盖户数', '本期内至少有一次走访见到住户（交谈或婉拒）的户数，同一户多次走访只计一户。'],
		['Households reached', 'Households reached at least once in the period (talked or declined); several visits to one household count once.']
	),
	def(
		'visits.coverage.whole',
		'count',
		ALL,
		false,
		['台账户数', '网格台账登记的户数，社区为各网格之和，取计算时的台账。'],
		['Households in the register', "Households in the grid's register (for the community, all grids'), as at the time of computing."]
	),
	def(
		'visits.needsByTag',
		'breakdown',
		ALL,
		false,
		['走访反映需求（按标签）', '本期内走访记录所标注的需求标签次数，按标签（维修、安全、环境、养老、托育、停车、邻里、困难、政策）分列；一次走访可有多个标签。'],
		['Needs heard, by tag', 'Need tags of the visits in the period, by tag (repair, safety, environment, elderly care, childcare, parking, neighbours, hardship, policy); a visit may carry several.']
	),
	// ---- projects ----
	def(
		'projects.total',
		'count',
		ABOVE_GRID,
		true,
		['项目数', '社区的全部实施项目数。项目阶段没有历史记录，因此取计算时的现状：进行中的期为当前状态，已结束的期为冻结时的状态。'],
		["Projects", "All of the community's projects. Project stages keep no history, so this is the state when computed: now for an open period, when frozen for a closed one."]
	),
	def(
		'projects.byStage',
		'breakdown',
		ABOVE_GRID,
		true,
		['项目数（按阶段）', '同“项目数”，按阶段（筹备、筹资、实施中、待验收、已验收、已公示、已结项）分列。'],
		['Projects, by stage', 'As "projects", by stage (preparing, funding, in progress, awaiting acceptance, accepted, publicised, closed).']
	),
	// ---- money ----
	def(
		'money.pledged',
		'fen',
		ABOVE_GRID,
		true,
		['认捐金额', '本期内居民及其他方对项目的认捐金额（已撤回的不计）之和，以认捐时间为准，单位为分。'],
		['Pledged', 'Money pledged to projects in the period by residents and others (withdrawn pledges excluded), by time of pledge, in fen.']
	),
	def(
		'money.received',
		'fen',
		ABOVE_GRID,
		true,
		['到账金额', '本期内项目账目登记的收入（认捐到账、补贴、资助等）之和，以记账日期为准，单位为分。'],
		['Received', 'Income recorded in project ledgers in the period (pledges received, subsidies, grants), by entry date, in fen.']
	),
	def(
		'money.spent',
		'fen',
		ABOVE_GRID,
		true,
		['支出金额', '本期内项目账目登记的支出之和，以记账日期为准，单位为分。'],
		['Spent', 'Spending recorded in project ledgers in the period, by entry date, in fen.']
	),
	// ---- time to decision ----
	def(
		'toDecision.count',
		'count',
		ALL,
		true,
		['议定事项数', '本期内首次议定（作出决定）或就地解决的事项数，以该环节的时间为准。'],
		['Matters decided', 'Matters first decided, or settled on the spot (at any level), in the period, by the time of that step.']
	),
	def(
		'toDecision.median',
		'days',
		ALL,
		true,
		['议定用时中位数（天）', '上述事项从提交到议定或就地解决的天数（保留一位小数）的中位数，按最近秩法取值：天数从小到大排列，取第⌈n/2⌉个（偶数个时取中间两个中较小者）。没有事项时为空。'],
		['Median days to decision', 'Median of the days (one decimal) from filing to decision or grid settlement of those matters, by the nearest-rank method: sorted ascending, the ⌈n/2⌉-th value (the lower middle one for an even count). Empty when there are none.']
	),
	def(
		'toDecision.p90',
		'days',
		ALL,
		true,
		['议定用时90%分位数（天）', '同上天数，按最近秩法取第⌈0.9n⌉个：九成事项的用时不超过此数。没有事项时为空。'],
		['Days to decision, 90th percentile', 'Of the same days, the ⌈0.9·n⌉-th value by the nearest-rank method: nine matters in ten took no longer. Empty when there are none.']
	),
	// ---- time to completion ----
	def(
		'toCompletion.count',
		'count',
		ALL,
		true,
		['结项事项数', '本期内首次结项（关闭）或就地解决的事项数，以该环节的时间为准。'],
		['Matters completed', 'Matters first closed, or settled on the spot (at any level), in the period, by the time of that step.']
	),
	def(
		'toCompletion.median',
		'days',
		ALL,
		true,
		['结项用时中位数（天）', '上述事项从提交到结项或就地解决的天数（保留一位小数）的中位数，按最近秩法取第⌈n/2⌉个。没有事项时为空。'],
		['Median days to completion', 'Median of the days (one decimal) from filing to closing or grid settlement of those matters, by the nearest-rank method (the ⌈n/2⌉-th value). Empty when there are none.']
	),
	def(
		'toCompletion.p90',
		'days',
		ALL,
		true,
		['结项用时90%分位数（天）', '同上天数，按最近秩法取第⌈0.9n⌉个。没有事项时为空。'],
		['Days to completion, 90th percentile', 'Of the same days, the ⌈0.9·n⌉-th value by the nearest-rank method. Empty when there are none.']
	),
	// ---- resolution ----
	def(
		'resolution',
		'rate',
		ALL,
		true,
		['办结率', '截至期末（进行中的期为截至计算时）已受理事项中已办结的比例。已受理：提交后曾进入受理或其后任一环节（含上报后由上级受理、就地解决）；已办结：已验收、已公示、已结项或就地解决。只计截至期末的环节，因此以往的期重算结果不变。并入其他提案或议题的事项自合并起不再计入，由合并后的事项代表。'],
		['Resolution rate', 'Of the matters accepted for handling by the end of the period (by now, for a period still open), those resolved by then. Accepted: reached acceptance or any later step (including acceptance after escalation, and grid settlement); resolved: inspected, publicised, closed or settled on the spot (at any level). Only steps before the end count, so recomputing a past period gives the same result. A matter merged into another proposal or topic stops counting from the merge: the matter it joined stands for it.']
	),
	def(
		'resolution.part',
		'count',
		ALL,
		true,
		['已办结件数', '截至期末已受理事项中已办结的件数（累计）。'],
		['Matters resolved', 'Matters accepted for handling and resolved by the end of the period (cumulative).']
	),
	def(
		'resolution.whole',
		'count',
		ALL,
		true,
		['已受理件数', '截至期末已受理的事项件数（累计，不含已并入其他事项的）。'],
		['Matters accepted', 'Matters accepted for handling by the end of the period (cumulative, excluding those merged into another).']
	),
	// ---- satisfaction ----
	def(
		'satisfaction',
		'rate',
		ABOVE_GRID,
		true,
		['满意率', '本期内对项目的满意度评价中，“满意”和“非常满意”（4分、5分）所占比例。每户对每个项目只计最新一次评价，按评价时间归期。'],
		['Satisfaction rate', "Of the project ratings given in the period, the share that are satisfied or very satisfied (4 or 5). Only each household's latest rating of a project counts, in the period it was given."]
	),
	def(
		'satisfaction.part',
		'count',
		ABOVE_GRID,
		true,
		['满意评价数', '本期内4分、5分的评价数。'],
		['Satisfied ratings', 'Ratings of 4 or 5 given in the period.']
	),
	def(
		'satisfaction.whole',
		'count',
		ABOVE_GRID,
		true,
		['评价数', '本期内的满意度评价数（每户每个项目只计最新一次）。'],
		['Ratings', "Ratings given in the period (each household's latest per project)."]
	)
];

const BY_ID: ReadonlyMap<string, FigureDef> = new Map(FIGURES.map((d) => [d.id, d]));

export function figureDef(id: string): FigureDef | undefined {
	return BY_ID.get(id);
}

/** Ids of the figures in the residents' quarterly report. */
export const PUBLIC_FIGURES: readonly string[] = FIGURES.filter((d) => d.public).map((d) => d.id);

const isRatio = (v: unknown): v is Ratio => !!v && typeof v === 'object' && 'part' in v && 'whole' in v && 'rate' in v;
const isDurations = (v: unknown): v is DurationStats => !!v && typeof v === 'object' && 'days' in v && 'median' in v;

/** The value of a figure: a number (null for an empty rate or duration), a breakdown, or undefined for an unknown id. */
export function valueOf(f: Figures, id: string): number | null | Record<string, number> | undefined {
	let v: unknown = f;
	for (const part of id.split('.')) {
		if (!v || typeof v !== 'object' || !(part in v)) return undefined;
		v = (v as Record<string, unknown>)[part];
	}
	if (isRatio(v)) return v.rate;
	if (isDurations(v)) return undefined; // its figures are .count, .median and .p90
	if (typeof v === 'number' || v === null) return v;
	if (v && typeof v === 'object') return v as Record<string, number>;
	return undefined;
}

export interface FigureRow {
	id: string;
	/** The key of a breakdown (a channel, a category, a negative-list item number…). */
	key?: string;
	value: number | null;
}

/**
 * One row per figure value, in dictionary order; a breakdown gives one row per key (none when it has no
 * keys, e.g. no negative-list item cited). Exports and the print page iterate this, so every defined figure
 * is exported. `level` keeps the figures that exist at that level; `publicOnly` those of the residents'
 * report (nothing at grid level).
 */
export function figureRows(f: Figures, opts: { level?: FigureLevel; publicOnly?: boolean } = {}): FigureRow[] {
	const rows: FigureRow[] = [];
	if (opts.publicOnly && opts.level === 'grid') return rows;
	for (const d of FIGURES) {
		if (opts.level && !d.levels.includes(opts.level)) continue;
		if (opts.publicOnly && !d.public) continue;
		const v = valueOf(f, d.id);
		if (v === undefined) continue;
		if (v !== null && typeof v === 'object') for (const [key, value] of Object.entries(v)) rows.push({ id: d.id, key, value });
		else rows.push({ id: d.id, value: v });
	}
	return rows;
}

const UNIT_NAMES: Readonly<Record<FigureUnit, string>> = { count: '件/个', rate: '比率', fen: '元', days: '天', breakdown: '分项' };
const LEVEL_NAMES: Readonly<Record<FigureLevel, string>> = { grid: '网格', community: '社区', street: '街道' };

/**
 * The dictionary as a Markdown table (Chinese, with the English name), for the README's data dictionary, which a
 * spec keeps equal to this so the two never drift.
 */
export function dictionaryMarkdown(): string {
	const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
	const lines = [...DICTIONARY_NOTES.zh.map((n) => `- ${n}`), '', '| 指标 id | 名称 | 单位 | 口径 | 层级 | 公开 |', '|---|---|---|---|---|---|'];
	for (const d of FIGURES) {
		lines.push(
			`| \`${d.id}\` | ${cell(d.zh.name)} (${cell(d.en.name)}) | ${UNIT_NAMES[d.unit]} | ${cell(d.zh.definition)} | ${d.levels.map((l) => LEVEL_NAMES[l]).join('、')} | ${d.public ? '是' : '否'} |`
		);
	}
	return lines.join('\n');
}

/**
 * The figures of the residents' quarterly report: every figure the dictionary does not mark public is emptied
 * (0, an empty breakdown, an empty ratio) and no duration list is kept, only its count, median and 90th
 * percentile. The relay publishes this, so a resident's device never holds the rest.
 */
export function publicFigures(f: Figures): Figures {
	const out = structuredClone(f) as unknown as Record<string, Record<string, unknown>>;
	for (const d of FIGURES) {
		if (d.public) continue;
		const [section, key, sub] = d.id.split('.') as [string, string, string | undefined];
		const holder = out[section];
		if (!holder || key === undefined) continue;
		const value = holder[key];
		if (sub !== undefined) {
			if (value && typeof value === 'object') (value as Record<string, unknown>)[sub] = sub === 'median' || sub === 'p90' ? null : 0;
		} else if (isRatio(value)) holder[key] = { part: 0, whole: 0, rate: null };
		else if (typeof value === 'number') holder[key] = 0;
		else if (value && typeof value === 'object') holder[key] = {};
	}
	for (const section of Object.values(out)) if (isDurations(section)) section.days = [];
	return out as unknown as Figures;
}
