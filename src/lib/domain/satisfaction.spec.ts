import { describe, expect, it } from 'vitest';
import { firstSentence, raterName, type Rating, satisfaction } from './satisfaction';
import { rating, resident, resident2 } from './testing/projects';
import { residentActor } from './testing';

describe('satisfaction', () => {
	it('gives the satisfied share, average and distribution per household', () => {
		const s = satisfaction([
			rating({ score: 5 }),
			rating({ score: 4 }),
			rating({ score: 4 }),
			rating({ score: 3 }),
			rating({ score: 2, comment: '颜色和墙面不搭' }),
			rating({ score: 5 }),
			rating({ score: 5 })
		]);
		expect(s.count).toBe(7);
		expect(s.satisfied).toBe(5);
		expect(s.ratePermille).toBe(714);
		expect(s.averageTenths).toBe(40);
		expect(s.distribution).toEqual([0, 1, 1, 2, 3]);
		expect(s.followUp.map((h) => h.current.score)).toEqual([2]);
	});

	it('counts one rating per household: two devices merge to the latest, the other kept and the conflict shown', () => {
		const phone = rating({ household: 'b03-1-401', score: 2, comment: '太慢了', at: 100, by: resident });
		const tablet = rating({ household: 'b03-1-401', score: 5, at: 200, by: resident2 });
		const s = satisfaction([phone, tablet]);
		expect(s.count).toBe(1);
		expect(s.households[0]).toMatchObject({ household: 'b03-1-401', conflict: true });
		expect(s.households[0]?.current.score).toBe(5);
		expect(s.households[0]?.earlier).toEqual([phone]);
		expect(s.ratePermille).toBe(1000);
		expect(satisfaction([phone, { ...tablet, score: 2 }]).households[0]?.conflict).toBe(false);
	});

	it('has no rate before anyone rated, and ignores invalid scores', () => {
		const s = satisfaction([rating({ score: 0 as never }), rating({ household: '' })]);
		expect(s).toMatchObject({ count: 0, ratePermille: null, averageTenths: null });
	});

	it('takes a comment\'s first sentence as a title', () => {
		expect(firstSentence('座椅颜色和墙面不搭。希望换成灰色')).toBe('座椅颜色和墙面不搭');
		expect(firstSentence('很长'.repeat(30), 10)).toBe('很长很长很长很长很…');
	});

	it('names a rater to other residents only as they chose; staff who recorded a rating by their own name', () => {
		const by = residentActor({ id: 'd1', name: '王桂兰' });
		const r: Rating = { household: 'b03-1-101', score: 4, comment: '', at: 1, by, channel: 'app', display: 'building', publicName: '3栋王阿姨' };
		const neighbour = { staff: false, household: 'b09-1-101' };
		expect(raterName(r, neighbour)).toBe('3栋王阿姨');
		expect(raterName(r, { staff: true })).toBe('王桂兰');
		expect(raterName({ ...r, display: undefined, publicName: undefined }, neighbour)).toBeNull();
		expect(raterName({ ...r, by: { id: 'g1', name: '网格员小陈', role: 'grid_worker' }, channel: 'visit' }, neighbour)).toBe('网格员小陈');
	});
});
