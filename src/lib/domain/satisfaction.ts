/**
 * Satisfaction (满意度测评): one rating from 1 to 5 and a comment per household per matter.
 *
 * Ratings are stored per household AND device, so two devices of one household rating offline both survive
 * the merge; the tally counts only the household's latest rating and shows the other as an earlier one (a
 * conflict when the scores differ), never silently dropping it.
 */
import type { Actor, Channel } from './actor';
import { type NameDisplay, type NameViewer, shownName } from './public-name';

export type Score = 1 | 2 | 3 | 4 | 5;
export const SCORES: readonly Score[] = [1, 2, 3, 4, 5];

export interface Rating {
	household: string;
	score: Score;
	comment: string;
	at: number;
	by: Actor;
	channel: Channel;
	/** How a resident rating in the app chose to appear to other residents (see public-name.ts). */
	display?: NameDisplay;
	publicName?: string;
}

/** Scores counted as satisfied (满意, 非常满意). */
export const SATISFIED_FROM: Score = 4;
/** Scores low enough to offer turning the rating into a new proposal. */
export const LOW_UP_TO: Score = 2;

export const isScore = (value: unknown): value is Score => SCORES.includes(value as Score);

/** The storage key of a rating: one per household per device, so devices never overwrite each other. */
export const ratingKey = (household: string, deviceOrPerson: string) => `${household}|${deviceOrPerson}`;

export interface HouseholdRating {
	household: string;
	/** The latest rating: the one counted. */
	current: Rating;
	/** Other ratings of the household, newest first. */
	earlier: Rating[];
	/** The household's devices disagree on the score. */
	conflict: boolean;
}

export interface Satisfaction {
	households: HouseholdRating[];
	/** Households rated. */
	count: number;
	satisfied: number;
	/** Satisfied share in tenths of a percent (e.g. 857 = 85.7%), exact to the rounding; null when nobody rated. */
	ratePermille: number | null;
	/** Mean score times ten, rounded (42 = 4.2); null when nobody rated. */
	averageTenths: number | null;
	/** Households per score, index 0 = score 1. */
	distribution: [number, number, number, number, number];
	/** Low ratings and any with a comment: material for a new proposal, lowest first. */
	followUp: HouseholdRating[];
}

const newestFirst = (a: Rating, b: Rating) => b.at - a.at || (a.by.id < b.by.id ? 1 : a.by.id > b.by.id ? -1 : 0);

export function satisfaction(ratings: readonly Rating[]): Satisfaction {
	const groups = new Map<string, Rating[]>();
	for (const r of ratings) {
		if (!r.household || !isScore(r.score)) continue;
		groups.set(r.household, [...(groups.get(r.household) ?? []), r]);
	}
	const households: HouseholdRating[] = [...groups].map(([household, list]) => {
		const [current, ...earlier] = list.sort(newestFirst) as [Rating, ...Rating[]];
		return { household, current, earlier, conflict: earlier.some((r) => r.score !== current.score) };
	});
	households.sort((a, b) => b.current.at - a.current.at || (a.household < b.household ? -1 : 1));
	const distribution = SCORES.map((s) => households.filter((h) => h.current.score === s).length) as Satisfaction['distribution'];
	const sum = households.reduce((total, h) => total + h.current.score, 0);
	const count = households.length;
	const satisfied = households.filter((h) => h.current.score >= SATISFIED_FROM).length;
	return {
		households,
		count,
		satisfied,
		ratePermille: count ? Math.round((satisfied * 1000) / count) : null,
		averageTenths: count ? Math.round((sum * 10) / count) : null,
		distribution,
		followUp: households
			.filter((h) => h.current.score <= LOW_UP_TO || h.current.comment.trim())
			.sort((a, b) => a.current.score - b.current.score || b.current.at - a.current.at)
	};
}

/**
 * Who rated, as `viewer` may see it, or null for 匿名住户: staff who recorded a rating at the door are named (they
 * act in their role); a resident's own rating shows as they chose.
 */
export function raterName(r: Rating, viewer: NameViewer): string | null {
	if (r.by.role !== 'resident') return r.by.name;
	return shownName({ name: r.by.name, household: r.household, display: r.display, publicName: r.publicName }, viewer);
}

/** The first sentence of a comment, at most `max` characters: the title of a proposal made from it. */
export function firstSentence(text: string, max = 40): string {
	const first = text.trim().split(/[\n。！？!?；;]/)[0]?.trim() ?? '';
	return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
