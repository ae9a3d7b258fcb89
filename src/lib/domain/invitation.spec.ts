import { describe, expect, it } from 'vitest';
import type { BuildingPlan, Household } from './household';
import { isNameSegment } from './ids';
import { building, household } from './testing';
import { checkInvitationFlat, grantScope, INVITATION_LABEL_MAX, INVITATION_MAX_USES, INVITATION_TTL_S, isInvitationUses, parseUnit } from './invitation';

const b2: BuildingPlan = building('b02', 'g1', { units: 3 });
const flat = (inBuilding: string, unit: number, room: string): Household => household(`${inBuilding}-${unit}-${room}`);
const ctx = { buildings: [b2], households: [flat('b02', 1, '301'), flat('b02', 2, '502')] };

describe('invitation flat', () => {
	it('accepts a registered flat, spelt as the register spells it', () => {
		expect(checkInvitationFlat({ building: 'b02', unit: '１单元', room: '301室' }, ctx)).toEqual({ id: 'b02-1-301', errors: [], inRegister: true });
		expect(checkInvitationFlat({ building: 'b02', unit: '02', room: '502' }, ctx).id).toBe('b02-2-502');
	});
	it('warns (without blocking) about a well-formed flat the register does not list', () => {
		expect(checkInvitationFlat({ building: 'b02', unit: '1', room: '302' }, ctx)).toEqual({ id: 'b02-1-302', errors: [], inRegister: false });
		expect(checkInvitationFlat({ building: 'b02', unit: '1', room: '302' }, { ...ctx, households: null }).inRegister).toBeNull();
	});
	it('refuses a unit or floor the building does not have: 2栋 1单元 999, 2栋 4单元', () => {
		const r = checkInvitationFlat({ building: 'b02', unit: '1', room: '999' }, ctx);
		expect(r.errors).toEqual([{ code: 'floor_not_in_plan', max: 6 }]);
		expect(r.inRegister).toBe(false);
		expect(checkInvitationFlat({ building: 'b02', unit: '4', room: '301' }, ctx).errors).toEqual([{ code: 'unit_not_in_plan', max: 3 }]);
	});
	it('refuses what the relay would refuse', () => {
		expect(checkInvitationFlat({ building: 'b02', unit: 'x', room: '301' }, ctx)).toMatchObject({ id: null, errors: [{ code: 'unit_invalid' }] });
		expect(checkInvitationFlat({ building: 'b02', unit: '1', room: '3-01' }, ctx)).toMatchObject({ id: null, errors: [{ code: 'room_invalid' }] });
		expect(checkInvitationFlat({ building: '', unit: '1', room: '301' }, ctx).errors).toEqual([{ code: 'building_required' }]);
		expect(checkInvitationFlat({ building: 'b'.repeat(60), unit: '1', room: '301' }, ctx).errors).toEqual([{ code: 'too_long' }]);
	});
	it('parses units and uses', () => {
		expect(parseUnit(' 2 单元')).toBe(2);
		expect(parseUnit('100')).toBeNaN();
		expect(isInvitationUses(INVITATION_MAX_USES)).toBe(true);
		expect(isInvitationUses(INVITATION_MAX_USES + 1)).toBe(false);
		expect(isInvitationUses(0)).toBe(false);
	});
});

describe('invitation limits', () => {
	it('gives each role the one scope field its grant carries', () => {
		expect(grantScope('grid_worker')).toBe('grids');
		expect(grantScope('resident')).toBe('household');
		expect(grantScope('street_admin')).toBe('communities');
		expect(grantScope('facilitator')).toBe(null);
		expect(grantScope('community_admin')).toBe(null);
	});

	it('bounds uses, lifetime and label as the relay does', () => {
		expect([0, 1, INVITATION_MAX_USES, INVITATION_MAX_USES + 1, 1.5].map(isInvitationUses)).toEqual([false, true, true, false, false]);
		expect(INVITATION_TTL_S.min).toBeLessThan(INVITATION_TTL_S.default);
		expect(INVITATION_TTL_S.default).toBeLessThan(INVITATION_TTL_S.max);
		// The form offers 1, 7 and 30 days; each is within the relay's bounds.
		for (const days of [1, 7, 30]) expect(days * 86_400).toBeLessThanOrEqual(INVITATION_TTL_S.max);
		expect(INVITATION_LABEL_MAX).toBe(200);
	});

	it('takes scope ids that are document-name segments', () => {
		expect(['g1', 'b01-1-101', 'a_b', 'x'.repeat(64)].every(isNameSegment)).toBe(true);
		expect(['', 'a:b', 'a b', 'x'.repeat(65), 3, null].some(isNameSegment)).toBe(false);
	});
});
