/**
 * The building → unit → room steps of a household picker over the readable registers: the buildings in the
 * community's order (1栋, 2栋 … 10栋), the units of the chosen building, the rooms of the chosen unit.
 * Shared by the one-household picker and the many-household picker. Call during component initialisation.
 */
import type { Community } from '$lib/schema/community-doc';
import type { Household } from '$lib/schema/households-doc';
import { sortBuildingIds } from '$lib/domain/household';

export interface HouseholdSteps {
	readonly buildings: string[];
	building: string;
	/** 0 while no unit is chosen. */
	unit: number;
	readonly units: number[];
	readonly rooms: Household[];
	/** Chooses a building, and its unit too when it has only one. */
	pickBuilding(id: string): void;
}

const unitsOf = (households: Household[], building: string) => [...new Set(households.filter((h) => h.building === building).map((h) => h.unit))];

export function householdSteps(households: () => Household[], community: () => Community | null): HouseholdSteps {
	const buildings = $derived(sortBuildingIds(households().map((h) => h.building), community()?.buildings ?? []));
	let building = $state('');
	let unit = $state(0);
	const units = $derived(unitsOf(households(), building).sort((a, b) => a - b));
	const rooms = $derived(
		households()
			.filter((h) => h.building === building && h.unit === unit)
			.sort((a, b) => a.room.localeCompare(b.room, undefined, { numeric: true }))
	);
	return {
		get buildings() {
			return buildings;
		},
		get building() {
			return building;
		},
		set building(id: string) {
			building = id;
		},
		get unit() {
			return unit;
		},
		set unit(u: number) {
			unit = u;
		},
		get units() {
			return units;
		},
		get rooms() {
			return rooms;
		},
		pickBuilding(id: string) {
			building = id;
			const us = unitsOf(households(), id);
			unit = us.length === 1 ? us[0]! : 0;
		}
	};
}
