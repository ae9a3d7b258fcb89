/**
 * Messages of one feature area, registered into the catalogue when a module imports this file (conventions in
 * ../messages.ts). Each role's home: its daily tasks, each with a line on what it is for.
 */
import { registerMessages } from '../messages';

export const zh = {
	'home.today': '今天要做的',
	'home.more': '其他功能',
	'home.task.visits': '入户走访',
	'home.task.ballots': '门口代录投票',
	'home.hint.visits': '按楼栋找到住户，记下这次走访',
	'home.hint.coverage': '本期走访了多少户，哪些还没去',
	'home.hint.ballots': '替住户录入表决票',
	'home.hint.intake': '本周收集的意见和需求',
	'home.hint.screening': '新提案等待甄选、合并或转交',
	'home.hint.meetings': '议事会议的签到、表决和纪要',
	'home.hint.projects': '决定要办的事：共筹、行动、验收',
	'home.hint.topics': '要拿到会上协商的议题',
	'home.hint.reports': '网格和社区的周报、月报、季报',
	'home.hint.points': '审核积分，办理兑换',
	'home.hint.talents': '能人、骨干和志愿者名册',
	'home.hint.lists': '鼓励清单、负面清单等社区清单',
	'home.hint.mine': '我提的建议办到哪一步了',
	'home.hint.polls': '正在进行的表决，为本户投票',
	'home.hint.notices': '社区公示和通知',
	'home.hint.passbook': '本户的积分和兑换记录',
	'home.hint.street': '各社区转来的事项',
	'home.hint.polls.staff': '发起表决，查看计票',
	'home.place.rooms': '活动室预约',
	'home.place.conventions': '公约',
	// The same words as points.nav.* and talents.nav, so the home does not load those areas for one label each.
	'home.place.points': '积分',
	'home.place.passbook': '我的积分',
	'home.place.board': '积分榜',
	'home.place.talents': '能人库',
	'home.hint.rooms': '预约活动室，查看本户的预约',
	'home.hint.conventions': '楼栋、活动室和小区的公约，一起起草、表决'
} as const satisfies Record<string, string>;

registerMessages(zh, () => import('./en/home'));
