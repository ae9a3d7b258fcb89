/** Who did something, in which role, and through which channel (product design §2–3). */

export type Role = 'resident' | 'grid_worker' | 'facilitator' | 'community_admin' | 'street_admin';
export const ROLES: readonly Role[] = ['resident', 'grid_worker', 'facilitator', 'community_admin', 'street_admin'];

/** How a proposal, ballot or change reached the system. */
export type Channel = 'app' | 'visit' | 'box' | 'meeting' | 'online_group';
export const CHANNELS: readonly Channel[] = ['app', 'visit', 'box', 'meeting', 'online_group'];

export interface Actor {
	/** Stable id of the person or device credential. */
	id: string;
	name: string;
	role: Role;
}

/** An actor as records carry it (written by other devices: checked, not trusted). */
export function isActor(value: unknown): value is Actor {
	const a = value as Actor | null;
	return !!a && typeof a === 'object' && typeof a.id === 'string' && typeof a.name === 'string' && typeof a.role === 'string';
}

export function isRole(value: unknown): value is Role {
	return ROLES.includes(value as Role);
}

export function isChannel(value: unknown): value is Channel {
	return CHANNELS.includes(value as Channel);
}
