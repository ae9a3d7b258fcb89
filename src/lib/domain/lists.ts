/**
 * The default encouraged list (鼓励清单) and negative list (负面清单) of the product design §1.
 * Communities edit their own copies; these are the starting versions.
 */

import { type Category, ENCOURAGED_CATEGORIES } from './categories';

// The categories live in categories.ts (pages that only name them need not load the negative list).
export { type Category, type CategoryId, ENCOURAGED_CATEGORIES, isCategoryId } from './categories';

export interface NegativeItem {
	/** 1-based number as printed on the community's list. */
	no: number;
	zh: string;
	en: string;
	/** The reason shown to the proposer when a screening cites this item. */
	reasonZh: string;
	reasonEn: string;
	/** Words that suggest a possible match; a hit is a flag for a human, never an automatic rejection. */
	keywords: readonly string[];
}

export const NEGATIVE_LIST: readonly NegativeItem[] = [
	{ no: 1, zh: '违反法律法规和政策', en: 'Violates laws, regulations or policy', reasonZh: '该事项违反法律法规或政策规定，不能作为社区提案。', reasonEn: 'The matter violates laws, regulations or policy and cannot be a community proposal.', keywords: ['违法', '违规', '违章', '私搭', '乱建', 'illegal'] },
	{ no: 2, zh: '涉及宗教、民族事务', en: 'Touches religious or ethnic matters', reasonZh: '宗教、民族事务不属于社区议事范围。', reasonEn: 'Religious and ethnic matters are outside community deliberation.', keywords: ['宗教', '寺庙', '教堂', '教会', '民族', 'religio'] },
	{ no: 3, zh: '私人或家庭纠纷', en: 'A private or family dispute', reasonZh: '私人或家庭纠纷请转人民调解。', reasonEn: 'Private or family disputes are referred to mediation.', keywords: ['纠纷', '吵架', '离婚', '家务事', '遗产', '欠钱', 'dispute'] },
	{ no: 4, zh: '以营利为目的', en: 'For commercial profit', reasonZh: '以营利为目的的事项不能作为社区提案。', reasonEn: 'Matters for commercial profit cannot be community proposals.', keywords: ['盈利', '营利', '赚钱', '开店', '广告', '招商', 'profit'] },
	{ no: 5, zh: '正在诉讼或仲裁', en: 'In litigation or arbitration', reasonZh: '已进入诉讼或仲裁程序的事项不再议事协商。', reasonEn: 'Matters in litigation or arbitration are not deliberated.', keywords: ['起诉', '诉讼', '仲裁', '法院', '打官司', 'lawsuit'] },
	{ no: 6, zh: '超出社区权限或能力', en: "Beyond the community's authority or capacity", reasonZh: '超出社区权限或能力，将向上级反映。', reasonEn: "Beyond the community's authority or capacity; referred upward.", keywords: ['地铁', '高架', '拆迁', '学区', '户口'] },
	{ no: 7, zh: '政府已规划或正在实施', en: 'Already planned or under way by government', reasonZh: '政府已有规划或正在实施。', reasonEn: 'Already planned or under way by government.', keywords: ['已规划', '正在施工', '政府工程'] },
	{ no: 8, zh: '损害他人合法权益或公共利益', en: "Harms others' lawful rights or the public interest", reasonZh: '该事项会损害他人合法权益或公共利益。', reasonEn: "The matter would harm others' lawful rights or the public interest.", keywords: ['占用', '霸占', '独占', '私用'] },
	{ no: 9, zh: '人事任免或评价', en: 'Personnel appointments or evaluations', reasonZh: '人事任免和评价不属于议事范围。', reasonEn: 'Personnel appointments and evaluations are outside deliberation.', keywords: ['任免', '撤换', '罢免', '辞退', '开除', '换掉'] },
	{ no: 10, zh: '内容空泛，无法实施', en: 'Vague, with nothing that can be carried out', reasonZh: '内容空泛，请补充具体可实施的内容。', reasonEn: 'Too vague; please add something concrete that can be carried out.', keywords: [] },
	{ no: 11, zh: '重复已答复事项', en: 'A repeat of a matter already answered', reasonZh: '该事项此前已答复。', reasonEn: 'This matter has already been answered.', keywords: [] },
	{ no: 12, zh: '暴露他人隐私', en: "Exposes someone's private information", reasonZh: '提案涉及他人隐私信息。', reasonEn: "The proposal exposes someone's private information.", keywords: ['身份证', '电话号码', '隐私', '住址'] },
	{ no: 13, zh: '费用明显超出筹措能力', en: 'Cost clearly beyond what can be raised', reasonZh: '所需费用明显超出可筹措范围。', reasonEn: 'The cost is clearly beyond what can be raised.', keywords: ['上亿', '几千万', '数千万'] }
];

export interface NegativeFlag {
	item: NegativeItem;
	/** The words of the text that matched. */
	matched: string[];
}

/** Possible negative-list matches in a proposal's text, for a facilitator to judge. */
export function flagNegativeList(text: string, list: readonly NegativeItem[] = NEGATIVE_LIST): NegativeFlag[] {
	const haystack = text.toLowerCase();
	const flags: NegativeFlag[] = [];
	for (const item of list) {
		const matched = item.keywords.filter((k) => haystack.includes(k.toLowerCase()));
		if (matched.length > 0) flags.push({ item, matched });
	}
	return flags;
}

/** One version of a community's lists. Every edit adds a version, so old screening decisions keep their rule. */
export interface ListVersion {
	version: number;
	at: number;
	/** Id of the admin who made it. */
	by: string;
	encouraged: readonly Category[];
	negative: readonly NegativeItem[];
}

export const DEFAULT_LISTS: ListVersion = {
	version: 1,
	at: 0,
	by: 'default',
	encouraged: ENCOURAGED_CATEGORIES,
	negative: NEGATIVE_LIST
};

/**
 * The version in force: the highest number; two admins who both made "version 3" offline are ordered by
 * time, then id, so every device picks the same one (the other stays in the history).
 */
export function currentLists(versions: readonly ListVersion[]): ListVersion {
	let best = DEFAULT_LISTS;
	for (const v of versions) {
		if (v.version > best.version || (v.version === best.version && (v.at > best.at || (v.at === best.at && v.by > best.by)))) {
			best = v;
		}
	}
	return best;
}

export function listVersion(versions: readonly ListVersion[], version: number): ListVersion | undefined {
	return version === DEFAULT_LISTS.version && !versions.some((v) => v.version === version)
		? DEFAULT_LISTS
		: versions.find((v) => v.version === version);
}

/** A new version from edited lists, numbered after everything this device has seen. */
export function nextListVersion(
	versions: readonly ListVersion[],
	edit: Pick<ListVersion, 'encouraged' | 'negative'>,
	by: string,
	at: number
): ListVersion {
	return { ...edit, version: currentLists(versions).version + 1, by, at };
}
