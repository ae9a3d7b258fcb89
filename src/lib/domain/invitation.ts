/**
 * The rules of an invitation, one set for the admin page that checks a form before asking the relay and for the
 * relay that checks the request (server/transport/api.ts, server/auth/grants.ts), so a form that passes is never
 * refused: who may be invited and which scope their grant carries, how many devices one invitation may join, how
 * long it lives, its label, and the flat a resident's invitation names — well-formed, in the building's plan, and
 * (a warning only) in the register.
 */
import type { Role } from './actor';
import {
	type BuildingPlan,
	type Household,
	householdId,
	isRoom,
	normaliseRoom,
	roomFloor,
	toHalfWidth,
	UNITS_MAX
} from './household';
import { isNameSegment } from './ids';

/** The longest invitation code the relay reads (codes it issues are far shorter). */
export const INVITATION_CODE_MAX = 200;

/** Devices one invitation may join; the relay refuses more. */
export const INVITATION_MAX_USES = 1000;

export const isInvitationUses = (n: number) => Number.isInteger(n) && n >= 1 && n <= INVITATION_MAX_USES;

/** How long an invitation lives, in seconds: the relay's bounds and its default (a week). */
export const INVITATION_TTL_S = { min: 60, max: 365 * 24 * 60 * 60, default: 7 * 24 * 60 * 60 } as const;

/** The admin's note on an invitation (often the person's name), in characters. */
export const INVITATION_LABEL_MAX = 200;

/** A grant names at most this many grids (a grid worker's) or communities (a street admin's). */
export const MAX_SCOPE_IDS = 100;

/** The one scope field a role's grant carries besides its community, if any. */
export type GrantScope = 'grids' | 'household' | 'communities' | null;

export function grantScope(role: Role): GrantScope {
	switch (role) {
		case 'grid_worker':
			return 'grids';
		case 'resident':
			return 'household';
		case 'street_admin':
			return 'communities';
		default:
			return null;
	}
}

export type FlatError =
	| { code: 'building_required' }
	| { code: 'unit_invalid'; max: number }
	| { code: 'room_invalid' }
	| { code: 'unit_not_in_plan'; max: number }
	| { code: 'floor_not_in_plan'; max: number }
	| { code: 'too_long' };

export interface FlatCheck {
	/** The household id the invitation carries, spelt as the register spells it; null while it is not well-formed. */
	id: string | null;
	/** Blocking: the relay would refuse it, or the building's plan says the flat cannot exist. */
	errors: FlatError[];
	/**
	 * Whether the register on this device lists the flat: false asks the admin to confirm (a new flat may not be
	 * registered yet); null when there is nothing to check against (no id yet, or no register on this device).
	 */
	inRegister: boolean | null;
}

/** "2", "２", "2单元" → 2; NaN when it is not a unit number. */
export function parseUnit(raw: string): number {
	const s = toHalfWidth(raw).trim().replace(/单元$/, '').trim();
	return /^\d{1,2}$/.test(s) ? Number(s) : NaN;
}

/**
 * The flat of a resident's invitation. `households` is the register this device holds (null when it holds
 * none); a building whose plan has no units or floors (0) is not checked against them.
 */
export function checkInvitationFlat(
	input: { building: string; unit: string; room: string },
	ctx: { buildings: readonly BuildingPlan[]; households: readonly Household[] | null }
): FlatCheck {
	const errors: FlatError[] = [];
	if (!input.building) return { id: null, errors: [{ code: 'building_required' }], inRegister: null };
	const plan = ctx.buildings.find((b) => b.id === input.building);
	const unit = parseUnit(input.unit);
	const room = normaliseRoom(input.room);
	const maxUnit = plan && plan.units > 0 ? plan.units : UNITS_MAX;
	if (!Number.isInteger(unit) || unit < 1 || unit > UNITS_MAX) errors.push({ code: 'unit_invalid', max: maxUnit });
	else if (unit > maxUnit) errors.push({ code: 'unit_not_in_plan', max: maxUnit });
	if (!isRoom(room)) errors.push({ code: 'room_invalid' });
	else {
		const floor = roomFloor(room);
		if (plan && plan.floors > 0 && floor !== null && (floor < 1 || floor > plan.floors)) {
			errors.push({ code: 'floor_not_in_plan', max: plan.floors });
		}
	}
	if (errors.some((e) => e.code === 'unit_invalid' || e.code === 'room_invalid')) return { id: null, errors, inRegister: null };
	const id = householdId(input.building, unit, room);
	// A grant's household is a document-name segment on the relay.
	if (!isNameSegment(id)) return { id: null, errors: [...errors, { code: 'too_long' }], inRegister: null };
	const inRegister = ctx.households ? ctx.households.some((h) => h.id === id) : null;
	return { id, errors, inRegister };
}
