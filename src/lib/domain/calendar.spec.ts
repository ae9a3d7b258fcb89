import { describe, expect, it } from 'vitest';
import { addDays, cstDay, daysBetween, isDay } from './calendar';

describe('calendar days in China Standard Time', () => {
	it('takes the day in UTC+8 whatever the device zone', () => {
		// 2024-05-31 16:30 UTC is already 1 June 00:30 in Beijing.
		expect(cstDay(Date.UTC(2024, 4, 31, 16, 30))).toBe('2024-06-01');
		expect(cstDay(Date.UTC(2024, 4, 31, 15, 59))).toBe('2024-05-31');
	});

	it('validates real days and counts across months and leap years', () => {
		expect(isDay('2024-02-29')).toBe(true);
		expect(isDay('2023-02-29')).toBe(false);
		expect(isDay('2024-1-05')).toBe(false);
		expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
		expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
		expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
		expect(daysBetween('2024-03-01', '2024-02-28')).toBe(-2);
	});
});
