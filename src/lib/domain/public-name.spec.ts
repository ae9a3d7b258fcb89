import { describe, expect, it } from 'vitest';
import { DEFAULT_NAME_CHOICE, parseNameChoice, publicNameFields, shownName, surnameOf } from './public-name';

describe('public names of co-signers and raters', () => {
	it('finds the surname, compound surnames included', () => {
		expect(surnameOf('王桂兰')).toBe('王');
		expect(surnameOf(' 欧阳明 ')).toBe('欧阳');
		// A two-character name whose first two characters look like a compound surname keeps one.
		expect(surnameOf('司马')).toBe('司');
		expect(surnameOf('Li Wei')).toBe('Li');
		expect(surnameOf('')).toBe('');
	});

	it('defaults to building, surname and 家, never the full name', () => {
		expect(DEFAULT_NAME_CHOICE.display).toBe('building');
		expect(parseNameChoice(undefined)).toEqual(DEFAULT_NAME_CHOICE);
		expect(parseNameChoice({ display: 'shout' })).toEqual(DEFAULT_NAME_CHOICE);
		expect(parseNameChoice({ display: 'building', appellation: '阿姨' })).toEqual({ display: 'building', appellation: '阿姨' });
		expect(publicNameFields(DEFAULT_NAME_CHOICE, { name: '王桂兰', building: '3栋' })).toEqual({ display: 'building', publicName: '3栋王家' });
		expect(publicNameFields({ display: 'building', appellation: '阿姨' }, { name: '王桂兰', building: '3栋' }).publicName).toBe('3栋王阿姨');
		expect(publicNameFields({ display: 'full' }, { name: '王桂兰', building: '3栋' })).toEqual({ display: 'full', publicName: '王桂兰' });
		expect(publicNameFields({ display: 'anonymous' }, { name: '王桂兰', building: '3栋' })).toEqual({ display: 'anonymous', publicName: '' });
		// Without a name there is nothing to shorten: anonymous.
		expect(publicNameFields(DEFAULT_NAME_CHOICE, { name: ' ', building: '3栋' }).display).toBe('anonymous');
	});

	it('shows staff and the household itself the full name, others only what was chosen', () => {
		const building = { name: '王桂兰', household: 'b03-1-401', display: 'building', publicName: '3栋王阿姨' };
		const anonymous = { name: '李建国', household: 'b03-1-402', display: 'anonymous', publicName: '' };
		const full = { name: '赵春梅', household: 'b03-1-403', display: 'full', publicName: '赵春梅' };
		const neighbour = { staff: false, household: 'b09-2-101' };
		expect(shownName(building, neighbour)).toBe('3栋王阿姨');
		expect(shownName(anonymous, neighbour)).toBeNull();
		expect(shownName(full, neighbour)).toBe('赵春梅');
		expect(shownName(building, { staff: true })).toBe('王桂兰');
		expect(shownName(anonymous, { staff: true })).toBe('李建国');
		expect(shownName(anonymous, { staff: false, household: 'b03-1-402' })).toBe('李建国');
		// A record from before the choice existed is anonymous to other residents.
		expect(shownName({ name: '刘阿姨', household: 'b03-1-404' }, neighbour)).toBeNull();
		expect(shownName({ name: '刘阿姨', household: 'b03-1-404', display: 'building' }, neighbour)).toBeNull();
	});
});
