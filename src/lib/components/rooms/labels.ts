/** Words for the rooms screens: times in China time, statuses, why a booking was refused. */
import '$lib/i18n/messages/rooms';
import { BookingRefusedError, InvalidRoomsInputError } from '$lib/client/rooms';
import { WriteRefusedError } from '$lib/client/doc-store';
import { cstDay } from '$lib/domain/calendar';
import { type BookingProblem, type BookingStatus, formatClock, isoWeekday, minuteOfDay } from '$lib/domain/rooms';
import { t, tDynamic, tKnown } from '$lib/i18n';

export const clockOf = (at: number) => formatClock(minuteOfDay(at));
export const weekdayLabel = (n: number) => tDynamic(`rooms.weekday.${n}`);
/** "12-05 (五) 19:00–20:30", China time. */
export function spanLabel(start: number, end: number): string {
	const day = cstDay(start);
	return `${day.slice(5)} (${weekdayLabel(isoWeekday(day))}) ${clockOf(start)}–${clockOf(end)}`;
}
export const statusLabel = (s: BookingStatus) => t(`rooms.status.${s}`);

export function problemLabel(p: BookingProblem | { code: BookingProblem['code'] }): string {
	const n =
		'slotMinutes' in p ? p.slotMinutes : 'min' in p ? p.min : 'max' in p ? p.max : 'advanceDays' in p ? p.advanceDays : 'capacity' in p ? p.capacity : '';
	return t(`rooms.problem.${p.code}`, { n });
}

/** Why an action did not go through, in the reader's words. */
export function roomsError(err: unknown): string {
	if (err instanceof BookingRefusedError) return t('rooms.refused', { reason: err.problems.map(problemLabel).join('；') });
	if (err instanceof InvalidRoomsInputError) {
		return err.issues
			.map((i) => {
				return tKnown(`rooms.issue.${i.code}`) ?? tKnown(`rooms.issue.${i.field}`) ?? t('rooms.issue.other', { field: i.field });
			})
			.filter((m, i, all) => all.indexOf(m) === i)
			.join(' ');
	}
	if (err instanceof WriteRefusedError) return t('rooms.refused', { reason: err.reason });
	return t('rooms.failed', { error: err instanceof Error ? err.message : String(err) });
}
