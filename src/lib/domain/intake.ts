/**
 * The weekly intake (周收集): the week's proposals counted by channel and category. Weeks run Monday to Sunday
 * in China Standard Time (UTC+8, no daylight saving), whatever the device's time zone.
 */
import type { Channel } from './actor';
import type { CategoryId } from './lists';
import { DAY_MS, weekStart } from './periods';

/** Weeks are cut in periods.ts, with the other report periods; re-exported for existing callers. */
export { weekStart };

export interface IntakeEntry {
	channel: Channel | '';
	category: CategoryId | '';
	/** When the proposal was filed. */
	created: number;
}

export interface WeeklyIntake {
	from: number;
	to: number;
	total: number;
	byChannel: Partial<Record<Channel | '', number>>;
	byCategory: Partial<Record<CategoryId | '', number>>;
}

export function weeklyIntake(entries: readonly IntakeEntry[], at: number): WeeklyIntake {
	const from = weekStart(at);
	const to = from + 7 * DAY_MS;
	const out: WeeklyIntake = { from, to, total: 0, byChannel: {}, byCategory: {} };
	for (const e of entries) {
		if (e.created < from || e.created >= to) continue;
		out.total++;
		out.byChannel[e.channel] = (out.byChannel[e.channel] ?? 0) + 1;
		out.byCategory[e.category] = (out.byCategory[e.category] ?? 0) + 1;
	}
	return out;
}
