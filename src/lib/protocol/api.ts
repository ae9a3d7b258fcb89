/**
 * The relay's HTTP API, shared by app and relay. JSON in and out; errors are `{ error: ApiErrorCode, message }`
 * with the matching HTTP status. Admin calls carry the device credential as `Authorization: Bearer <token>`.
 */
import type { Grant } from '../domain/access';
import type { Role } from '../domain/actor';

export type ApiErrorCode =
	| 'unauthorized' // 401: no, forged or expired credential
	| 'revoked' // 401: the device was revoked
	| 'forbidden' // 403: the role may not do this
	| 'invalid' // 400: malformed request
	| 'not_found' // 404
	| 'invitation_expired' // 410
	| 'invitation_used_up' // 410
	| 'rate_limited' // 429
	| 'too_large' // 413
	| 'quota_exceeded' // 413: a photo quota (per device or per community) is used up; the message names it
	| 'unavailable'; // 503: the relay cannot read what it needs right now (a storage fault); try again later

export interface ApiError {
	error: ApiErrorCode;
	message: string;
}

/** POST /api/invitations (community admin): an invitation for a role and scope. */
export interface CreateInvitationRequest {
	role: Role;
	community: string;
	grids?: string[];
	household?: string;
	/** Seconds until the invitation can no longer be redeemed (default 7 days). */
	expiresIn?: number;
	/** How many devices may redeem it (default 1). */
	maxUses?: number;
	/** A note for the admin's list, e.g. who it is for. */
	label?: string;
}

export interface Invitation {
	id: string;
	grant: Grant;
	label: string;
	expiresAt: number;
	maxUses: number;
	uses: number;
	createdAt: number;
	revoked: boolean;
}

export interface CreateInvitationResponse {
	invitation: Invitation;
	/** The secret code; shown once. */
	code: string;
	/** `<origin>/join?code=<code>`, for the QR code and the link. */
	link: string;
}

/** POST /api/join: redeem an invitation code on this device. */
export interface JoinRequest {
	code: string;
	/** What the device or its user is called in the admin's device list. */
	deviceName: string;
}

export interface JoinResponse {
	token: string;
	device: DeviceInfo;
}

export interface DeviceInfo {
	id: string;
	name: string;
	grant: Grant;
	createdAt: number;
	lastSeen: number | null;
	/** When the credential expires (ms since epoch). */
	expiresAt: number;
	revokedAt: number | null;
}

/** GET /api/devices (community admin) → { devices: DeviceInfo[] }; POST /api/devices/<id>/revoke → DeviceInfo. */
export interface DeviceList {
	devices: DeviceInfo[];
}

/** GET /api/me → the device's own record; 401 when the credential is no longer valid. */
export type MeResponse = DeviceInfo;

/**
 * POST /api/reports/correct (community admin of that community): recompute a frozen report period from the
 * current facts and publish it as the next version, with the reason. 400 for a period that is not frozen yet.
 */
export const REPORT_CORRECTION_PATH = '/api/reports/correct';
export const REPORT_CORRECTION_REASON_MAX = 500;

export interface ReportCorrectionRequest {
	community: string;
	/** '<kind>:<key>', e.g. 'month:2026-03' (the report document's period key). */
	period: string;
	reason: string;
}

/** 201: the version number of the correction just published (2 for the first correction). */
export interface ReportCorrectionResponse {
	version: number;
}
