/**
 * The message catalogue. Simplified Chinese is the default and the source of the key set; English must have
 * exactly the same keys (checked by the type of `en` and by messages.spec.ts).
 *
 * Conventions: keys are `area.name`; parameters are written `{name}` and filled by `t()`. Families built
 * from domain values (status.*, kind.*, channel.*, role.*, cat.*, field.*) use the domain's ids verbatim so
 * callers can build keys from data. Chinese has no plural forms, so English strings are phrased to read
 * well for any count ("Pending changes: {count}") instead of needing plural rules.
 */

import type * as account from './messages/account';
import type * as admin from './messages/admin';
import type * as canvassing from './messages/canvassing';
import type * as conventions from './messages/conventions';
import type * as home from './messages/home';
import type * as matters from './messages/matters';
import type * as meetings from './messages/meetings';
import * as photos from './messages/photos';
import type * as points from './messages/points';
import type * as polls from './messages/polls';
import type * as proposals from './messages/proposals';
import type * as reports from './messages/reports';
import type * as rooms from './messages/rooms';
import type * as street from './messages/street';
import type * as talents from './messages/talents';

const coreZh = {
	// App
	'app.name': '院落议事',
	'app.fullName': '院落议事 Courtyard',
	'app.tagline': '社区的事，大家商量着办',
	'app.loading': '正在加载…',

	// Navigation
	'nav.label': '主导航',
	'nav.skip': '跳到正文',
	'nav.proposals': '提案',
	'nav.new': '新建',
	'nav.newProposal': '新建提案',
	'nav.settings': '设置',
	'nav.home': '首页',
	'nav.streetHome': '各社区',
	'nav.street': '街道收件箱',
	'nav.inbox': '收件箱',
	'nav.polls': '表决',
	'nav.meetings': '会议',
	'nav.matters': '项目',
	'nav.notices': '公示',
	'nav.coverage': '走访进度',

	// Status bar: connection and sync
	'sync.online': '在线',
	'sync.offline': '离线',
	'sync.connecting': '正在连接…',
	'sync.pending': '待同步 {count} 项',
	'sync.noPending': '无待同步',
	'sync.progress': '同步中 {done}/{total}',
	'sync.lastSynced': '上次同步：{when}',
	'sync.neverSynced': '尚未同步',

	// Update prompt (service worker)
	'update.available': '有新版本可用',
	'update.body': '重新加载即可使用新版本。',
	'update.reload': '立即重新加载',
	'update.later': '稍后',
	'update.needsNetwork': '新版本还缺少本机角色要用的功能，联网后再更新，以免离线时打不开。',
	'update.keepsChanges': '未同步的修改会保留，不会丢失。',
	'update.pendingWarning': '还有 {count} 项修改未同步；它们保存在本机，重新加载后仍在。',
	'update.offlineReady': '已可离线使用',
	'update.notReady': '还不能离线使用：正在下载，请保持联网',
	'page.notLoaded': '这个页面还没下载到本机，联网后会自动打开。',
	'update.reloading': '正在重新加载…',

	// Storage
	'storage.quotaTitle': '手机存储空间不足',
	'storage.quotaBody': '最新的修改未能保存到本机。请清理手机空间，或先联网同步、导出数据，然后重试。',
	'storage.errorTitle': '本机存储出错',
	'storage.errorBody': '数据未能保存到本机。请重新加载页面后重试；若仍失败，请联网同步或导出数据。',

	// Common actions and states
	'common.save': '保存',
	'common.saved': '已保存',
	'common.saving': '正在保存…',
	'common.cancel': '取消',
	'common.edit': '编辑',
	'common.delete': '删除',
	'common.close': '关闭',
	'common.dismiss': '知道了',
	'common.retry': '重试',
	'common.optional': '（选填）',
	'common.none': '无',
	'common.loading': '正在加载…',
	'common.error': '出错了',

	// Lists and filters
	'list.noMatches': '没有符合条件的提案',
	'list.count': '共 {count} 条',
	'filter.label': '筛选',
	'filter.status': '状态',
	'filter.category': '类别',
	'filter.allStatuses': '全部状态',
	'filter.allCategories': '全部类别',
	'filter.clear': '清除筛选',

	// Proposal
	'proposal.new': '新建提案',
	'proposal.timeline': '进展',
	'proposal.noCategory': '未分类',
	'proposal.untitled': '（无标题）',
	'proposal.proposer': '提出人',
	'proposal.createdAt': '提出时间',
	'proposal.coSigners': '联名户数',
	'proposal.negativeHit': '可能属于负面清单第 {no} 项：{name}',
	'proposal.superseded': '此操作未生效：{reason}',
	'field.title': '标题',
	'field.description': '内容描述',
	'field.category': '类别',
	'field.kind': '提案类型',
	'field.channel': '收集渠道',
	'field.organisation': '组织名称',
	'field.household': '提出户',
	'field.coSigners': '联名住户',
	'field.status': '状态',
	'field.photos': '照片',
	'error.required': '请填写{field}',
	'error.tooLong': '{field}不能超过 {max} 字',
	'error.tooFewCoSigners': '联名住户不足：已有 {have} 户，至少需要 {need} 户',

	// Proposal kind (个人 / 联名 / 组织)
	'kind.individual': '个人提案',
	'kind.joint': '联名提案',
	'kind.organisational': '组织提案',

	// Intake channel
	'channel.app': '手机应用',
	'channel.visit': '入户走访',
	'channel.box': '意见箱',
	'channel.meeting': '议事会议',
	'channel.online_group': '线上居民群',

	// Status names (product design §1 loop)
	'status.draft': '草稿',
	'status.submitted': '已提交',
	'status.screening': '甄选中',
	'status.accepted': '已受理',
	'status.rejected': '未受理',
	'status.merged': '已合并',
	'status.escalated': '已上报',
	'status.settled': '已就地解决',
	'status.topic': '已列为议题',
	'status.deliberating': '协商中',
	'status.voting': '表决中',
	'status.decided': '已决定',
	'status.funding': '共筹中',
	'status.in_progress': '实施中',
	'status.inspected': '已验收',
	'status.publicised': '已公示',
	'status.closed': '已办结',

	// Encouraged categories (鼓励清单)
	'cat.facilities': '设施建设与改造',
	'cat.greening': '环境美化与绿化',
	'cat.cleanup': '环境整治',
	'cat.safety': '安全隐患排查',
	'cat.services': '便民服务',
	'cat.culture': '文化与邻里活动',

	// Roles
	'role.resident': '居民',
	'role.grid_worker': '网格员',
	'role.facilitator': '主持人',
	'role.community_admin': '社区管理员',
	'role.street_admin': '街道管理员',

	// Time
	'time.justNow': '刚刚',
	// Proposal life shared beyond its own pages (the rest is in messages/proposals.ts)
	'nav.mine': '我的',
	'nav.screening': '甄选',
	'nav.more': '更多功能',
	'nav.search': '搜索',
	'nav.myProposals': '我的提案',
	'nav.topics': '协商清单',
	'nav.intake': '周收集',
	'nav.reports': '工作报告',
	'nav.publicReport': '季度报告',
	'nav.box': '意见箱录入',
	'nav.lists': '清单设置',
	'level.grid': '网格',
	'level.community': '社区',
	'level.street': '街道',
	'field.source': '收集来源',
	'form.source.meeting': '哪次会议（如“3栋楼头会”）',
	'form.source.online_group': '哪个居民群',
	'form.source.box': '哪个意见箱',
	'timeline.level': '上报到：{level}',
	'timeline.listVersion': '（清单第 {version} 版）',
	'timeline.topic': '查看所属议题',
	'timeline.project': '查看项目进展',
	'intake.householdAddress': '{building} {unit}单元 {room}',
	'intake.total': '本周共收集 {count} 条',
	'intake.byChannel': '按收集渠道',
	'intake.byCategory': '按类别',
	'lists.tab': '清单',
	// Settings and language
	'settings.language': '语言',
	'locale.switch': '切换语言',
	'locale.zh-CN': '简体中文',
	'locale.en': 'English',
	// Proposal list, form, detail, timeline, transitions (UI slice)
	'list.title': '社区提案',
	'list.emptyNone': '还没有提案。有想法？点下面的按钮提一个。',
	'list.emptyNotSynced': '本机还没有同步过提案。联网后会自动下载；现在也可以先新建提案。',
	'list.emptySyncing': '正在从服务器下载提案…',
	'list.firstSync': '首次同步中：已下载 {done}/{total}',
	'error.choose': '请选择{field}',
	'form.intro': '写清楚是什么事、在哪里、希望怎么办。保存后存在本机，没有网络也不会丢。',
	'form.editTitle': '修改提案',
	'form.titleHint': '一句话说明，例如“3 号楼单元门坏了，希望更换”',
	'form.descriptionHint': '在哪里、影响了谁、希望怎么解决',
	'form.channelHint': '这条提案是通过什么方式收集到的',
	'form.jointHint': '联名提案需要至少 {need} 户联名（不含您家）。提交后，邻居可以在提案页联名，网格员也可以入户代为记录。',
	'form.fixProblems': '还有 {count} 处需要修改，请看下面的红色提示。',
	'form.submit': '提交提案',
	'form.saveDraft': '保存草稿',
	'form.save': '保存修改',
	'form.saveFailed': '未能保存：{error}。已保存的内容不受影响，请重试。',
	'form.savedDraft': '已保存为草稿',
	'form.savedSubmitted': '已保存，提案已提交',
	'form.savedOnline': '已存入本机，正在同步到服务器。',
	'form.savedOffline': '已存入本机，联网后会自动同步。',
	'form.notAllowed': '只有提出人或主持人可以修改这条提案。',
	'detail.backToList': '提案列表',
	'detail.invalid': '链接不完整，找不到这条提案。',
	'detail.fetching': '本机还没有这条提案，正在从服务器获取…',
	'detail.notOnDevice': '本机还没有这条提案。联网后会自动获取。',
	'detail.noDescription': '（没有内容描述）',
	'detail.flagsTitle': '甄选提示（仅主持人可见）',
	'detail.flagsHint': '以下是根据文字自动发现的可能问题，请人工判断，不会自动驳回。',
	'detail.flagReason': '说明：{reason}',
	'detail.flagMatched': '触发词：{words}',
	'detail.transitionSaved': '状态已更新并保存。',
	'timeline.created': '提交了提案',
	'timeline.createdDraft': '创建了草稿',
	'timeline.edited': '修改了{fields}',
	'timeline.cosigned': '{name} 联名支持',
	'timeline.to': '变为',
	'timeline.by': '{name}（{role}）',
	'timeline.via': '渠道：{channel}',
	'timeline.reason': '理由：{reason}',
	'timeline.negativeItem': '负面清单第 {no} 项：{name}',
	'timeline.target': '查看合并到的提案',
	'timeline.notApplied': '未生效',
	'timeline.supersededStatus': '操作时状态已是“{status}”',
	'timeline.supersededRole': '{role}无权进行此操作',
	'timeline.listSeparator': '、',
	'transition.heading': '下一步',
	'transition.confirm': '确认把状态从“{from}”改为“{to}”？',
	'transition.reason': '理由',
	'transition.reasonHint': '会记录在进展中，提出人可以看到。',
	'transition.reasonRequired': '请填写理由',
	'transition.negativeItem': '依据负面清单',
	'transition.noNegativeItem': '不涉及负面清单',
	'transition.target': '合并到',
	'transition.chooseTarget': '请选择提案',
	'transition.targetRequired': '请选择要合并到的提案',
	'transition.draft': '退回草稿',
	'transition.submitted': '提交',
	'transition.screening': '开始甄选',
	'transition.accepted': '受理',
	'transition.rejected': '不予受理',
	'transition.merged': '合并',
	'transition.escalated': '上报上级',
	'transition.settled': '就地解决',
	'transition.topic': '列为议题',
	'transition.deliberating': '开始协商',
	'transition.voting': '发起表决',
	'transition.decided': '记录决定',
	'transition.funding': '开始共筹',
	'transition.in_progress': '开始实施',
	'transition.inspected': '完成验收',
	'transition.publicised': '公示',
	'transition.closed': '办结',
	'storage.savedSafe': '之前已保存的内容都还在本机，不会丢失。',
	'update.unsavedInput': '你正在填写的内容还没保存，重新加载会丢失这部分。请先保存。',
	'update.reloadAnyway': '仍然重新加载',
	'settings.role': '角色',
	'form.kindHint.individual': '以自己或自家的名义提出',
	'form.kindHint.joint': '几户人家一起提出，需要其他住户联名',
	'form.kindHint.organisational': '以楼栋、业委会、社团等组织的名义提出',
	// The welcome screen, the device's credential (joining itself is in messages/account.ts)
	'nav.households': '住户',
	'nav.admin': '管理',
	'welcome.title': '欢迎使用院落议事',
	'welcome.what': '院落议事是社区居民一起商量身边事的工具：提建议、联名、看进展，没有网络时也能记录。',
	'welcome.point1': '提出小区里的问题和建议，看到每一步的处理进展',
	'welcome.point2': '为邻居的提案联名、附议，参加协商和表决',
	'welcome.point3': '没有网络也能使用，联网后自动同步',
	'welcome.howTitle': '怎样加入',
	'welcome.scan': '请扫描社区工作人员提供的二维码或打开邀请链接加入。',
	'welcome.pasteLabel': '已经收到邀请链接或邀请码？',
	'welcome.pasteHint': '把整条链接或邀请码粘贴到下面。',
	'welcome.pasteInvalid': '没有找到邀请码。请粘贴完整的邀请链接，或核对邀请码。',
	'welcome.pasteGo': '下一步',
	'welcome.privacy': '不需要注册或密码。加入后，本机按社区给您的身份显示内容。',
	'scope.community': '社区',
	'scope.grids': '网格',
	'scope.household': '住户',
	'scope.street': '街道',
	'scope.communities': '所辖社区',
	'household.address': '{building} {unit}单元 {room}',
	'sync.stopped': '同步已停止',

	// Refusals: credential (whole device) and document (one page)
	'refusal.revoked.title': '本设备已被管理员停用',
	'refusal.revoked.body': '服务器不再接受本机同步。如需继续使用，请联系社区工作人员领取新的邀请，然后重新加入。',
	'refusal.expired.title': '凭证已过期',
	'refusal.expired.body': '本机的加入凭证已经过期，同步已停止。请联系社区工作人员领取新的邀请，然后重新加入。',
	'refusal.invalid.title': '本机凭证无效',
	'refusal.invalid.body': '服务器不认可本机的加入凭证，同步已停止。请重新加入。',
	'refusal.keptPending': '本机还有 {count} 项未同步的更改，都保留在本机，不会丢失。可以先导出，交给社区工作人员或在重新加入后导入。',
	'refusal.keptNone': '本机的数据都还在，没有未同步的更改。',
	'refusal.export': '导出未同步的更改',
	'refusal.rejoin': '重新加入',
	'revoked.personalWiped': '为保护居民隐私，本机上的住户名册、走访记录、表决票和会议记录工作稿已经删除。公开的提案、通知等内容仍保留在本机。',
	'revoked.personalPending': '为保护居民隐私，已同步的住户名册、走访记录、表决票和会议记录工作稿已从本机删除。以下 {count} 项还没有同步到服务器，删除后无法找回：',
	'revoked.personalPendingHint': '建议先导出，把文件交给社区工作人员导入；然后删除。',
	'revoked.deadline': '如不处理，这些内容将于 {when} 自动删除。',
	'revoked.what.changes': '未同步的更改',
	'revoked.what.photos': '未上传的照片（不能导出）',
	'revoked.what.ballot': '未提交的投票（不能导出）',
	'revoked.item': '{name}（{what}）',
	'revoked.kind.households': '住户名册',
	'revoked.kind.visits': '走访记录',
	'revoked.kind.ballots': '表决票',
	'revoked.kind.minutes': '会议记录工作稿',
	'revoked.export': '导出',
	'revoked.exported': '已导出。现在可以删除了。',
	'revoked.wipe': '立即删除',
	'revoked.wipeAgain': '还没有导出：这 {count} 项将永久丢失。确定删除吗？',
	'revoked.wipeConfirm': '确定删除',
	'revoked.wiping': '正在删除…',
	'revoked.wipeFailed': '删除失败：{error}。请重试。',
	'revoked.rejoinAfterWipe': '删除本机的个人信息后才能重新加入。',
	'revoked.pageHidden': '此页面含有居民个人信息。本设备已停用，不能再查看。',
	'revoked.publicPending': '提案等公开内容还有 {count} 项未同步的更改，都保留在本机，不会丢失。可以导出，交给社区工作人员或在重新加入后导入。',
	'revoked.publicNone': '提案等公开内容没有未同步的更改。',
	'access.noPermission': '您没有查看此内容的权限',
	'access.whyHouseholdsResident': '住户登记里有其他住户的个人信息，居民不能查看。',
	'access.whyHouseholdsStreet': '街道管理员只能查看汇总数据，不能查看住户个人信息。',
	'access.whyHouseholdsOtherGrid': '网格员只能查看自己网格的住户登记（您负责：{grids}）。',
	'access.whyHouseholdsNoGrid': '您的邀请没有指定网格，所以不能查看住户登记。',
	'access.whyOtherCommunity': '这份内容属于其他社区，您（{role}）不能查看。',
	'access.whyRole': '您的身份（{role}）不能查看这类内容。',
	'access.whyNoCredential': '本机还没有加入社区。',
	'access.whyBadName': '链接不完整，找不到要查看的内容。',
	'access.whyRelay': '服务器拒绝了本机查看这份内容，可能是您的权限已经调整。',
	'access.relaySaid': '服务器答复：{reason}',
	'access.askStaff': '如果您认为需要查看，请联系社区工作人员。',
	'access.readOnly': '只读：您可以查看，不能修改',
	'access.cannotPropose': '您的身份（{role}）只能查看提案，不能新建。',

	// Household register
	'households.title': '住户登记',
	'households.chooseGrid': '请选择网格：',
	'households.grid': '网格',
	'households.building': '楼栋',
	'households.count': '共 {count} 户',
	'households.noMembers': '（未登记成员）',
	'households.empty': '这个网格还没有登记住户。',
	'households.fetching': '本机还没有这份登记，正在从服务器获取…',
	'households.notOnDevice': '本机还没有这份登记。联网后会自动获取。',
	'households.unknownGrid': '社区里没有这个网格。请从下面选择：',

	// Backup (the rest, with sign-out, is in messages/account.ts)
	'backup.exporting': '正在导出…',
	'backup.exported': '已导出 {count} 项未同步的更改。',
	'backup.exportedNone': '没有未同步的更改；已导出一个空的备份文件。',
	'backup.exportFailed': '导出失败：{error}',
} as const satisfies Record<string, string>;

/**
 * Feature areas keep their messages in ./messages/<area>.ts, loaded with the pages that use them: each area
 * file registers itself when imported, and every module using an area's keys imports that file
 * (`import '$lib/i18n/messages/polls'`; checked by messages.spec.ts). Only the core and the photo messages
 * (shown in the status bar) are in the app shell, so the core keeps just what the first pages use (the welcome,
 * each role's home, the status bar, shared labels): a key only pages further in use belongs in their area. Each language is its own chunk: an area file holds its Chinese
 * and registers a loader for its English (./messages/en/<area>.ts), which a Chinese device never loads (the
 * service worker still precaches it, so switching language works offline).
 */
type AreaZh = typeof account.zh & typeof admin.zh & typeof canvassing.zh & typeof conventions.zh & typeof home.zh & typeof meetings.zh & typeof matters.zh & typeof points.zh & typeof polls.zh & typeof proposals.zh & typeof reports.zh & typeof rooms.zh & typeof street.zh & typeof talents.zh;
export type CoreKey = keyof typeof coreZh;
type AllZh = typeof coreZh & typeof photos.zh & AreaZh;
export type MessageKey = keyof AllZh;
export type Catalogue = Record<MessageKey, string>;

/** The names of the `{name}` placeholders in a message: `'{a} of {b}'` gives `'a' | 'b'`. */
export type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** Each key's placeholder names, computed once for the whole catalogue (so `t` calls stay cheap to check). */
type ParamNames = { [K in MessageKey]: Placeholders<AllZh[K]> };
/** Keys whose message has no placeholder. */
export type PlainKey = { [K in MessageKey]: [ParamNames[K]] extends [never] ? K : never }[MessageKey];

/**
 * What `t(key, …)` takes after the key: nothing for a message without placeholders, else an object naming every
 * placeholder (a missing or misspelt one is a type error, not a `{name}` shown to the user).
 */
export type ParamsArg<K extends MessageKey> = [K] extends [PlainKey] ? [params?: undefined] : [params: { readonly [P in ParamNames[K]]: string | number }];

/** Chinese as loaded so far: the core now, each area once imported. */
export const zh: Partial<Catalogue> = { ...coreZh, ...photos.zh };

/**
 * English is loaded on demand (`loadLocale`): the core's and that of every area registered so far, then each
 * area's as it registers while English is in use. Until it arrives, `translate` falls back to Chinese.
 */
const enLoaded: Partial<Catalogue> = {};
let enCore: Promise<void> | null = null;

type EnglishLoader = () => Promise<{ en: Record<string, string> }>;
/** Each registered area's English loader, with its load once started (dropped on failure, to retry). */
const englishOf = new Map<EnglishLoader, Promise<void> | null>();
let wanted: Locale = 'zh-CN';
const listeners = new Set<() => void>();

/** Called with no argument whenever messages arrive after a page may have shown their fallback. */
export function onMessagesLoaded(listener: () => void): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

function loadEnglish(loader: EnglishLoader): Promise<void> {
	let loading = englishOf.get(loader);
	if (!loading) {
		loading = loader().then(({ en }) => {
			Object.assign(enLoaded, en);
			for (const listener of listeners) listener();
		});
		// Offline before the chunk was cached: the next loadLocale tries again.
		loading.catch(() => englishOf.set(loader, null));
		englishOf.set(loader, loading);
	}
	return loading;
}

/** Called by each area's message file when it is imported: its Chinese, and how to load its English. */
export function registerMessages(areaZh: Record<string, string>, english: EnglishLoader): void {
	Object.assign(zh, areaZh);
	if (!englishOf.has(english)) englishOf.set(english, null);
	if (wanted === 'en') loadEnglish(english).catch(() => {});
}

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const catalogues: Readonly<Record<Locale, Partial<Catalogue>>> = { 'zh-CN': zh, en: enLoaded };

/**
 * Makes a locale's messages available: resolves at once for Chinese; for English, once the core and every area
 * registered so far are loaded (areas registered later load as they come).
 */
export function loadLocale(locale: Locale): Promise<void> {
	wanted = locale;
	if (locale !== 'en') return Promise.resolve();
	if (!enCore) {
		enCore = import('./en').then(({ coreEn }) => {
			Object.assign(enLoaded, coreEn);
		});
		enCore.catch(() => (enCore = null));
	}
	// An area's English missing offline must not keep the whole language from switching: it shows in Chinese,
	// and the next loadLocale tries it again.
	return Promise.all([enCore, Promise.allSettled([...englishOf.keys()].map(loadEnglish))]).then(() => {});
}

/**
 * While English is in use: a promise that settles once the English of every area registered so far has arrived
 * (or failed to, or `maxWaitMs` passed), else undefined. A navigation waits on it (the root layout's onNavigate), so a page whose area
 * registered on the way is rendered in English at once instead of flashing its Chinese fallback.
 */
export function messagesSettled(maxWaitMs = 1_500): Promise<void> | undefined {
	if (wanted !== 'en') return undefined;
	const loading = [...englishOf.values()].filter((p): p is Promise<void> => p !== null);
	if (loading.length === 0) return undefined;
	// A chunk stuck on a bad network must not hold the page: past the wait it shows in Chinese, then switches.
	const waited = new Promise<void>((resolve) => setTimeout(resolve, maxWaitMs));
	return Promise.race([Promise.allSettled(loading).then(() => {}), waited]);
}

export type MessageParams = Readonly<Record<string, string | number>>;

/** A `{name}` placeholder (global: for replace and matchAll). */
const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Fills `{name}` placeholders. A missing parameter is left as `{name}` so the gap is visible rather than
 * silently printing "undefined".
 */
export function interpolate(template: string, params?: MessageParams): string {
	if (!params) return template;
	return template.replace(PLACEHOLDER, (whole, name: string) => {
		const value = params[name];
		return value === undefined ? whole : String(value);
	});
}

/** Looks a key up in a locale, falling back to Chinese and then to the key itself. */
export function translate<K extends MessageKey>(locale: Locale, key: K, ...[params]: ParamsArg<K>): string {
	return lookUp(locale, key, params);
}

/** `translate` without the key's types, for the few keys computed from data (see `tDynamic`). */
export function lookUp(locale: Locale, key: string, params?: MessageParams): string {
	const template = catalogues[locale][key as MessageKey] ?? zh[key as MessageKey] ?? key;
	return interpolate(template, params);
}

/** Whether a key computed from data names a message loaded so far (Chinese holds every loaded key). */
export function isMessageKey(key: string): key is MessageKey {
	return Object.hasOwn(zh, key);
}

/**
 * The check `tDynamic` makes in development: the key exists and every placeholder of its message is given.
 * Returns what is wrong, or null.
 */
export function dynamicKeyProblem(key: string, params?: MessageParams): string | null {
	if (!isMessageKey(key)) return `unknown message key "${key}"`;
	const missing = [...(zh[key] ?? '').matchAll(PLACEHOLDER)].map((m) => m[1] as string).filter((name) => params?.[name] === undefined);
	return missing.length ? `message "${key}" is missing ${missing.map((n) => `{${n}}`).join(', ')}` : null;
}

export function isLocale(value: unknown): value is Locale {
	return LOCALES.includes(value as Locale);
}
