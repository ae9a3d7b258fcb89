/**
 * Calendar days ("2024-05-21") for due dates, ledger dates and notice periods. A day is a day in China
 * Standard Time (UTC+8, no daylight saving) whatever the device's time zone, so a task due "today" is overdue
 * at the same moment on every device.
 */

export const CST_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day, "YYYY-MM-DD". Compares correctly as a string. */
export type Day = string;

export function isDay(value: unknown): value is Day {
	if (typeof value !== 'string') return false;
	const m = DATE.exec(value);
	if (!m) return false;
	const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
	return new Date(ms).toISOString().slice(0, 10) === value;
}

/** The CST calendar day of an instant. */
export function cstDay(at: number): Day {
	return new Date(at + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (negative for before). */
export function addDays(day: Day, n: number): Day {
	const m = DATE.exec(day);
	if (!m) throw new RangeError(`not a day: ${day}`);
	return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: Day, b: Day): number {
	const ms = (d: Day) => {
		const m = DATE.exec(d);
		if (!m) throw new RangeError(`not a day: ${d}`);
		return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
	};
	return Math.round((ms(b) - ms(a)) / DAY_MS);
}
