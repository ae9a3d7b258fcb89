/**
 * Deterministic, realistic proposal texts for benchmarks: Chinese titles and descriptions built from the kinds
 * of matters communities deliberate (product design §1), one in ten written in English.
 */
import { ENCOURAGED_CATEGORIES } from '../src/lib/domain/lists';

export const CATEGORY_IDS = ENCOURAGED_CATEGORIES.map((c) => c.id);

const PLACES = ['1号楼', '3号楼2单元', '5号楼', '7号楼东侧', '小区北门', '中心花园', '地下车库', '活动室', '凉亭旁', '9号楼楼道'];
const THINGS = [
	['电梯', '老旧电梯经常停运，老人上下楼困难'],
	['单元门禁', '单元门禁损坏，外来人员随意进出'],
	['停车', '晚上停车位不够，车辆堵住消防通道'],
	['充电桩', '电动车在楼道充电有火灾隐患，希望增设充电桩'],
	['楼道杂物', '楼道堆放杂物，影响通行和消防安全'],
	['绿化', '绿化带杂草丛生，希望补种花木'],
	['路灯', '路灯不亮，晚上出行不安全'],
	['座椅', '希望在楼梯间加装折叠爱心座椅'],
	['宠物噪音', '夜间犬吠扰民，希望制定文明养犬公约'],
	['垃圾分类', '垃圾桶满溢，分类投放点需要调整']
];
const ASKS = ['建议尽快维修', '希望社区协调物业解决', '建议居民共同出资改造', '希望召开议事会讨论', '建议分期实施'];
const ENGLISH = [
	['Parking at night', 'There is not enough parking at night and cars block the fire lane near building'],
	['Broken street lights', 'Street lights near the north gate have been out for weeks; walking home is unsafe'],
	['Bench for the elderly', 'Older neighbours need a place to rest by the pavilion; please add benches'],
	['EV charging', 'Please install charging points so nobody charges e-bikes in the stairwell']
];

export function proposalTexts(count: number): { title: string; description: string }[] {
	const out: { title: string; description: string }[] = [];
	for (let i = 0; i < count; i++) {
		const place = PLACES[(i * 7) % PLACES.length]!;
		if (i % 10 === 9) {
			const [title, text] = ENGLISH[Math.floor(i / 10) % ENGLISH.length]!;
			out.push({ title: `${title} (${place})`, description: `${text}. Filed as note ${i}.` });
			continue;
		}
		const [thing, problem] = THINGS[(i * 3) % THINGS.length]!;
		const ask = ASKS[i % ASKS.length]!;
		out.push({ title: `${place}${thing}问题`, description: `${place}${problem}。${ask}。（第${i}号）` });
	}
	return out;
}
