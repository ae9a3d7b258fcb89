/**
 * iCalendar export of bookings (导出日历), built with ical-generator, loaded only when someone exports so no
 * page carries it on first load.
 */
import { saveBlob } from '../download';

export interface IcsEvent {
	id: string;
	start: number;
	end: number;
	stamp: number;
	summary: string;
	location: string;
	description?: string;
}

/** The calendar's text: one VEVENT per booking, times in UTC (so every calendar app places them alike). */
export async function icsText(name: string, events: readonly IcsEvent[]): Promise<string> {
	const { default: ical } = await import('ical-generator');
	const cal = ical({ name, prodId: { company: 'courtyard', product: 'rooms', language: 'ZH' } });
	for (const e of events) {
		cal.createEvent({
			id: `${e.id}@courtyard`,
			start: new Date(e.start),
			end: new Date(e.end),
			stamp: new Date(e.stamp),
			summary: e.summary,
			location: e.location,
			...(e.description ? { description: e.description } : {})
		});
	}
	return cal.toString();
}

export async function downloadIcs(filename: string, name: string, events: readonly IcsEvent[]): Promise<void> {
	saveBlob(new Blob([await icsText(name, events)], { type: 'text/calendar;charset=utf-8' }), filename);
}
