/**
 * The message catalogue. Simplified Chinese is the default and the source of the key set; English must have
 * exactly the same keys (checked by the type of `en` and by messages.spec.ts).
 *
 * Conventions: keys are `area.name`; parameters are written `{name}` and filled by `t()`. Families built
 * from domain values (status.*, kind.*, channel.*, role.*, cat.*, field.*) use the domain's ids verbatim so
 * callers can build keys from data. Chinese has no plural forms, so English strings are phrased to read
 * well for any count ("Pending changes: {count}") instead of needing plural rules.
 */

import type * as admin from './messages/admin';
import type * as canvassing from './messages/canvassing';
import type * as conventions from './messages/conventions';
import type * as home from './messages/home';
import type * as matters from './messages/matters';
import type * as meetings from './messages/meetings';
import * as photos from './messages/photos';
import type * as points from './messages/points';
import type * as polls from './messages/polls';
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
	'update.keepsChanges': '未同步的修改会保留，不会丢失。',
	'update.pendingWarning': '还有 {count} 项修改未同步；它们保存在本机，重新加载后仍在。',
	'update.offlineReady': '已可离线使用',
	'update.notReady': '还不能离线使用：正在下载，请保持联网',
	'page.notLoaded': '这个页面还没下载到本机，联网后会自动打开。',
	'update.reloading': '正在重新加载…',

	// Storage
	'storage.title': '本机存储',
	'storage.persisted': '持久存储',
	'storage.persistedYes': '已开启：浏览器不会自动清除本机数据',
	'storage.persistedNo': '未开启：存储空间紧张时浏览器可能清除本机数据，请尽快同步或导出',
	'storage.persistedUnknown': '此浏览器不支持查询',
	'storage.request': '申请持久存储',
	'storage.usage': '已用 {usage} / 共 {quota}',
	'storage.usageUnknown': '无法获取存储用量',
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
	// Proposal life: screening, topics, intake, search, lists (begin)
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
	'screening.title': '提案甄选',
	'screening.intro': '先到先审：最早提交的排在最前。提示由系统根据文字自动发现，是否受理由您判断。',
	'screening.forbidden': '甄选由主持人和社区管理员进行；{role}不能甄选提案。',
	'screening.done': '“{title}”已处理：{status}。',
	'screening.viewProposal': '查看提案',
	'screening.count': '待甄选 {count} 条，其中 {flagged} 条有提示',
	'screening.empty': '没有待甄选的提案。',
	'screening.more': '显示更多（还有 {count} 条）',
	'screening.flags': '甄选提示',
	'screening.likelyDuplicates': '可能与以下提案重复',
	'screening.similarity': '相似度 {percent}%',
	'screening.noFlags': '未发现问题',
	'screening.decide': '甄选决定',
	'screening.chooseDecision': '请选择处理方式：',
	'screening.noDecision': '现在的状态是“{status}”，无需您再处理。',
	'screening.alreadyDecided': '这条提案刚被别人处理过，现在的状态是“{status}”。',
	'screening.escalateTo': '上报到{level}',
	'screening.confirmEscalate': '确认把提案从{from}上报到{to}？',
	'screening.citeItem': '依据负面清单（第 {version} 版）',
	'screening.findTarget': '搜索其他提案',
	'screening.mergeInto': '将合并到：{title}',
	'screening.note': '说明',
	'cosign.progress': '已有 {have} 户联名，至少需要 {need} 户',
	'cosign.enough': '已有 {have} 户联名，户数已够',
	'cosign.household': '一户居民',
	'cosign.signOwn': '我家联名支持',
	'cosign.youSigned': '您家已联名 ✓',
	'cosign.thanks': '谢谢，您家已联名。',
	'cosign.record': '记录一户联名',
	'cosign.whichHousehold': '哪一户联名',
	'cosign.signerName': '签名人',
	'cosign.recordConfirm': '记下这户联名',
	'cosign.recorded': '已记录 {name} 家联名。',
	'cosign.alreadySigned': '这一户已经联名过了。',
	'cosign.isProposer': '这是提出人自己家，不算联名。',
	'support.title': '附议',
	'support.count': '{count} 户附议',
	'support.button': '我也支持（附议）',
	'support.done': '您已附议 ✓',
	'support.thanks': '谢谢，已记下您的附议。',
	'comment.title': '发表意见',
	'comment.hint': '意见会显示在下面的进展里，大家都能看到。',
	'comment.send': '发表',
	'comment.saved': '意见已发表。',
	'timeline.level': '上报到：{level}',
	'timeline.listVersion': '（清单第 {version} 版）',
	'timeline.topic': '查看所属议题',
	'timeline.project': '查看项目进展',
	'intake.forHousehold': '代哪一户提出（选填）',
	'intake.noRegister': '本机还没有住户登记，联网同步后再选。',
	'intake.building': '楼栋',
	'intake.chooseBuilding': '请选择楼栋',
	'intake.unit': '单元',
	'intake.unitN': '{unit}单元',
	'intake.room': '房号',
	'intake.householdAddress': '{building} {unit}单元 {room}',
	'intake.title': '周收集',
	'intake.intro': '每周一到周日（北京时间）收集到的提案，按收集渠道和类别统计。',
	'intake.weeks': '选择周',
	'intake.prev': '上一周',
	'intake.next': '下一周',
	'intake.range': '{from} – {to}',
	'intake.thisWeek': '本周',
	'intake.total': '本周共收集 {count} 条',
	'intake.byChannel': '按收集渠道',
	'intake.byCategory': '按类别',
	'intake.count': '条数',
	'intake.listTitle': '本周的提案',
	'intake.empty': '这一周没有收集到提案。',
	'mine.title': '我的提案',
	'mine.intro': '您提出的、以及网格员代您家记录的提案。有新进展时会标出“有新进展”。',
	'mine.empty': '您还没有提案。有想法就提一个吧。',
	'mine.countUnread': '共 {count} 条，{unread} 条有新进展',
	'mine.unread': '有新进展',
	'mine.updated': '{date} 更新',
	'mine.showSteps': '查看每一步进展',
	'mine.hideSteps': '收起进展',
	'search.title': '搜索提案',
	'search.label': '搜索标题和内容',
	'search.placeholder': '输入关键词，如“电梯”“路灯”',
	'search.hint': '可在本机的 {count} 条提案中搜索标题和内容，离线也能用。',
	'search.count': '找到 {count} 条',
	'search.none': '没有找到相关提案',
	'box.title': '意见箱录入',
	'box.intro': '把意见箱里的纸条逐条录入：写下纸条内容，选类别，点“保存，录下一条”。没有网络也能录。',
	'box.count': '本次已录入 {count} 条',
	'box.which': '意见箱',
	'box.whichPlaceholder': '如“北门意见箱”',
	'box.whichHint': '这一批纸条都来自这个意见箱，录下一条时会保留。',
	'box.text': '纸条内容',
	'box.titleHint': '不填就用纸条的第一句话作标题。',
	'box.writer': '写条人或楼栋',
	'box.writerPlaceholder': '如“5栋 李阿姨”，没写就不填',
	'box.saveNext': '保存，录下一条',
	'box.savedTitle': '本次已录入',
	'topics.title': '协商清单',
	'topics.intro': '已受理的提案归入议题（可以几条提案合成一个议题），按涉及户数排列。',
	'topics.listTitle': '议题',
	'topics.empty': '还没有议题。',
	'topics.count': '共 {count} 个议题',
	'topics.proposals': '提案',
	'topics.supporters': '附议',
	'topics.households': '涉及户数',
	'topics.supportersShort': '{count} 户附议',
	'topics.coSignersShort': '{count} 户联名',
	'topics.waiting': '待归入议题的提案（{count}）',
	'topics.compose': '归入议题',
	'topics.noAccepted': '没有待归入议题的已受理提案。',
	'topics.chooseProposals': '选择提案（可多选）',
	'topics.chooseOne': '请至少选择一条提案',
	'topics.how': '怎样归入',
	'topics.asNew': '新建议题',
	'topics.intoExisting': '并入已有议题',
	'topics.which': '哪个议题',
	'topics.chooseTopic': '请选择议题',
	'topics.topicTitle': '议题名称',
	'topics.createCount': '用 {count} 条提案新建议题',
	'topics.addCount': '把 {count} 条提案并入议题',
	'topics.done': '已把 {count} 条提案归入议题。',
	'topics.viewTopic': '查看议题',
	'topics.invalid': '链接不完整，找不到这个议题。',
	'topics.level': '层级：{level}',
	'topics.createdBy': '{name}（{role}）于 {date} 立项',
	'topics.addHere': '把已受理的提案并入本议题',
	'lists.tab': '清单',
	'lists.title': '鼓励清单与负面清单',
	'lists.forbidden': '只有社区管理员可以修改清单；您的身份是{role}。',
	'lists.intro': '现行为第 {version} 版。保存修改会生成新的一版；以前的甄选决定仍显示当时依据的版本。',
	'lists.stale': '另一位管理员刚保存了第 {version} 版。',
	'lists.reload': '改用最新版',
	'lists.rules': '联名规则',
	'lists.minCoSigners': '联名提案至少需要几户联名',
	'lists.minHint': '不含提出人自己家。甄选时户数不足会提示。',
	'lists.encouraged': '鼓励清单（六大类）',
	'lists.encouragedHint': '可以改各类别的名称。',
	'lists.nameZh': '第 {no} 类名称',
	'lists.nameEn': '第 {no} 类英文名称',
	'lists.negative': '负面清单',
	'lists.negativeHint': '每一项都要写明理由：不予受理时，提出人会看到这条理由。',
	'lists.itemNo': '第 {no} 项',
	'lists.itemName': '事项',
	'lists.itemReason': '理由（给提出人看）',
	'lists.itemKeywords': '提示词（用顿号分隔）',
	'lists.keywordsHint': '提案文字里出现这些词时，甄选页会提示可能属于该项，由人判断。',
	'lists.english': '英文名称（选填）',
	'lists.itemNameEn': '事项（英文）',
	'lists.itemReasonEn': '理由（英文）',
	'lists.addItem': '添加一项',
	'lists.removeItem': '删除第 {no} 项',
	'lists.fix': '还有没填的名称或理由，请看红框。',
	'lists.save': '保存',
	'lists.saveVersion': '保存为第 {version} 版',
	'lists.discard': '放弃修改',
	'lists.savedVersion': '已保存为第 {version} 版。',
	'lists.savedRules': '联名规则已保存。',
	'lists.history': '历次版本',
	'lists.onlyDefault': '目前使用默认清单（第 1 版）。',
	'lists.versionLine': '第 {version} 版 · {date} · {by}',
	'lists.inForce': '现行',
	'lists.byDefault': '默认',
	'lists.byYou': '本机',
	'lists.byAdmin': '管理员',
	// Proposal life (end)

	// Settings and language
	'settings.title': '设置',
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
	'settings.identity': '本机身份',
	'settings.identityNote': '身份由社区发放的邀请决定。需要更改时，请联系社区工作人员重新发邀请。',
	'settings.name': '称呼',
	'settings.role': '角色',
	'settings.sync': '同步',
	'settings.connection': '连接',
	'settings.pending': '待同步',
	'settings.progress': '进度',
	'settings.lastSynced': '上次同步',
	'settings.syncError': '错误',
	'settings.syncNow': '立即同步',
	'settings.usage': '用量',
	'settings.persistDenied': '浏览器暂未同意。安装到桌面或常用后通常会自动开启。',
	'settings.index': '提案列表索引',
	'settings.indexNote': '列表显示不对时，可以从本机保存的提案重新生成索引。不会删除任何数据。',
	'settings.rebuild': '重建索引',
	'settings.rebuilding': '正在重建 {done}/{total}',
	'settings.rebuilt': '索引已重建，共 {count} 条。',
	'form.kindHint.individual': '以自己或自家的名义提出',
	'form.kindHint.joint': '几户人家一起提出，需要其他住户联名',
	'form.kindHint.organisational': '以楼栋、业委会、社团等组织的名义提出',
	// Joining by invitation, the welcome screen, the device's credential
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
	'join.title': '加入社区',
	'join.intro': '您收到了院落议事的邀请。填好称呼，点“加入”即可。',
	'join.introRole': '您收到了院落议事的邀请（身份：{role}）。填好称呼，点“加入”即可。',
	'join.nameLabel': '您的称呼',
	'join.nameHint': '会显示在您提交的提案上，也会出现在社区管理员的设备列表里，例如“3栋王阿姨”。',
	'join.defaultName': '本机用户',
	'join.submit': '加入',
	'join.joining': '正在加入…',
	'join.replaces': '本机已经以“{name}”（{role}）的身份加入。用这个邀请加入会替换本机的身份；本机已有的数据会保留。',
	'join.badCode': '这个链接里的邀请码不完整。请重新扫码，或把完整的链接粘贴到下面。',
	'join.askNew': '请联系社区工作人员，重新给您发一个邀请。',
	'join.otherCode': '使用其他邀请链接或邀请码',
	'join.doneTitle': '已加入',
	'join.doneBody': '本机已经加入社区，正在下载社区的内容。这份邀请给您的身份是：',
	'join.start': '开始使用',
	'join.roleCan.resident': '您可以查看社区公开的事项，提建议、联名支持，并为自己家表决。',
	'join.roleCan.grid_worker': '您可以查看和登记自己网格的住户信息，并替居民记录提案和表决。',
	'join.roleCan.facilitator': '您可以甄选提案、组织议题和会议，并查看住户登记（只读）。',
	'join.roleCan.community_admin': '您可以管理社区的全部内容，包括发放邀请和停用设备。',
	'join.roleCan.street_admin': '您可以在“街道收件箱”处理所辖社区上报街道的事项（受理、不予受理、退回社区、就地解决或并入街道议题），在首页并排查看各社区待处理的件数和本月报告数据，也可以组织街道一级的议题、会议、表决和公告。您看不到住户个人信息。',
	'scope.community': '社区',
	'scope.grids': '网格',
	'scope.household': '住户',
	'scope.street': '街道',
	'scope.communities': '所辖社区',
	'household.address': '{building} {unit}单元 {room}',
	'device.joined': '加入时间',
	'device.expires': '凭证有效期至',
	'device.expired': '已过期',
	'settings.notJoined': '本机还没有加入社区。请扫描社区工作人员提供的二维码或打开邀请链接。',
	'settings.joinButton': '加入社区',
	'sync.stopped': '同步已停止',

	// Errors of the relay's HTTP API
	'apiError.unauthorized': '本机的凭证无效或已过期。',
	'apiError.revoked': '本设备已被管理员停用。',
	'apiError.forbidden': '您的身份不能进行这项操作。',
	'apiError.invalid': '填写的内容有误，请检查后重试。',
	'apiError.not_found': '找不到要操作的内容。',
	'apiError.invitation_expired': '这个邀请已经过期。',
	'apiError.invitation_used_up': '这个邀请已经用完了。',
	'apiError.rate_limited': '操作太频繁了，请稍等几分钟再试。',
	'apiError.too_large': '内容太长了，请缩短后重试。',
	'apiError.offline': '需要联网才能完成。请连上网络后重试。',
	'apiError.server': '服务器暂时出了问题，请稍后再试。',
	'apiError.join.offline': '需要联网才能加入。请连上 Wi-Fi 或打开手机流量后，再点“加入”。',
	'apiError.join.invitation_expired': '这个邀请已经过期，不能再用了。',
	'apiError.join.invitation_used_up': '这个邀请已经被用完了，不能再用了。',
	'apiError.join.not_found': '找不到这个邀请。请核对链接或邀请码是否完整。',
	'apiError.join.invalid': '邀请码或称呼不正确，请检查后重试。',
	'apiError.join.unauthorized': '这个邀请无效。请核对链接，或联系社区工作人员。',
	'apiError.join.revoked': '这个邀请已被社区作废。',
	'apiError.join.forbidden': '这个邀请不能在本机使用。请联系社区工作人员。',
	'apiError.join.rate_limited': '尝试次数太多了，请等几分钟再试。',
	'apiError.join.too_large': '称呼太长了，请缩短后重试。',
	'apiError.admin.offline': '需要联网才能管理邀请和设备。请连上网络后重试。',
	'apiError.admin.unauthorized': '本机的凭证已失效，不能进行管理操作。请重新加入。',
	'apiError.admin.revoked': '本设备已被停用，不能进行管理操作。',
	'apiError.admin.forbidden': '需要社区管理员权限。',
	'apiError.admin.not_found': '找不到这台设备，可能已被删除。请刷新列表。',

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
	'tag.elderly_alone': '独居老人',
	'tag.children': '有儿童',
	'tag.party_member': '党员',
	'tag.volunteer': '志愿者',
	'tag.disabled': '残障人士',
	'tag.renter': '租户',

	// Backup and sign-out
	'backup.title': '备份',
	'backup.note': '没能同步的更改可以导出为文件，之后在本机或其他手机上导入，不会覆盖别人的修改。',
	'backup.exporting': '正在导出…',
	'backup.exported': '已导出 {count} 项未同步的更改。',
	'backup.exportedNone': '没有未同步的更改；已导出一个空的备份文件。',
	'backup.exportFailed': '导出失败：{error}',
	'backup.import': '导入备份',
	'backup.importing': '正在导入…',
	'backup.imported': '已导入 {count} 项，联网后会自动同步。',
	'backup.error.too_large': '文件太大了，不是院落议事的备份文件。',
	'backup.error.not_json': '这不是备份文件（无法读取）。请选择“courtyard-backup-日期.json”文件。',
	'backup.error.wrong_format': '这不是院落议事的备份文件。',
	'backup.error.newer_version': '这个备份是新版本的应用导出的。请先更新应用再导入。',
	'backup.error.bad_document': '备份文件已损坏，没有导入任何内容。',
	'backup.error.other': '导入失败：{error}',
	'signout.title': '退出登录',
	'signout.note': '在共用的手机上，用完请退出。退出会删除本机上的社区数据（包括住户信息），下次需要重新扫码加入。',
	'signout.button': '退出登录',
	'signout.confirm': '确定退出登录吗？本机上的社区数据将被删除。',
	'signout.confirmButton': '确定退出',
	'signout.pending': '还有 {count} 项更改没有同步到服务器：',
	'signout.pendingHint': '联网等它们同步完再退出，就不会丢失；也可以先导出保存。',
	'signout.exportFirst': '先导出',
	'signout.discard': '放弃这些更改并退出',
	'signout.discardAgain': '再确认一次：放弃后这 {count} 项更改将永久丢失，无法恢复。',
	'signout.discardConfirm': '确定放弃并退出',
	'signout.exported': '已导出。现在可以放弃这些更改并退出。',

	// Community admin: invitations and devices
} satisfies Record<string, string>;

/**
 * Feature areas keep their messages in ./messages/<area>.ts, loaded with the pages that use them: each area
 * file registers itself when imported, and every module using an area's keys imports that file
 * (`import '$lib/i18n/messages/polls'`; checked by messages.spec.ts). Only the core and the photo messages
 * (shown in the status bar) are in the app shell. Each language is its own chunk: an area file holds its Chinese
 * and registers a loader for its English (./messages/en/<area>.ts), which a Chinese device never loads (the
 * service worker still precaches it, so switching language works offline).
 */
type AreaZh = typeof admin.zh & typeof canvassing.zh & typeof conventions.zh & typeof home.zh & typeof meetings.zh & typeof matters.zh & typeof points.zh & typeof polls.zh & typeof reports.zh & typeof rooms.zh & typeof street.zh & typeof talents.zh;
export type CoreKey = keyof typeof coreZh;
export type MessageKey = CoreKey | keyof typeof photos.zh | keyof AreaZh;
export type Catalogue = Record<MessageKey, string>;

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

export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * Fills `{name}` placeholders. A missing parameter is left as `{name}` so the gap is visible rather than
 * silently printing "undefined".
 */
export function interpolate(template: string, params?: MessageParams): string {
	if (!params) return template;
	return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
		const value = params[name];
		return value === undefined ? whole : String(value);
	});
}

/** Looks a key up in a locale, falling back to Chinese and then to the key itself. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
	const template = catalogues[locale][key] ?? zh[key] ?? key;
	return interpolate(template, params);
}

export function isLocale(value: unknown): value is Locale {
	return LOCALES.includes(value as Locale);
}
