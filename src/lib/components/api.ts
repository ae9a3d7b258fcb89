/**
 * Calls to the relay's HTTP API (protocol/api.ts) from the pages, and what their failures mean to a person.
 * A failure is always an ApiError-shaped object; a request that never reached the relay is `offline`.
 */
import '$lib/i18n/messages/account';
import { courtyard } from '$lib/client/courtyard.svelte';
import type { ApiError, ApiErrorCode } from '$lib/protocol/api';
import { t, tKnown } from '$lib/i18n';

export type ApiFailureCode = ApiErrorCode | 'offline' | 'server';
export interface ApiFailure {
	error: ApiFailureCode;
	message: string;
}

const KNOWN: readonly ApiFailureCode[] = [
	'unauthorized',
	'revoked',
	'forbidden',
	'invalid',
	'not_found',
	'invitation_expired',
	'invitation_used_up',
	'rate_limited',
	'too_large'
];

/** Turns anything thrown by fetch or by the relay into an ApiFailure. */
export function toFailure(err: unknown): ApiFailure {
	const e = err as Partial<ApiError> | null;
	if (e && typeof e === 'object' && typeof e.error === 'string' && KNOWN.includes(e.error as ApiFailureCode)) {
		return { error: e.error as ApiFailureCode, message: String(e.message ?? '') };
	}
	// fetch rejects with a TypeError when the request never got an answer.
	if (err instanceof TypeError || (typeof navigator !== 'undefined' && navigator.onLine === false)) {
		return { error: 'offline', message: String((err as Error)?.message ?? '') };
	}
	return { error: 'server', message: String((e as { message?: unknown })?.message ?? err) };
}

/** JSON request to the relay with this device's credential; throws an ApiFailure. */
export async function apiRequest<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
	let res: Response;
	try {
		res = await fetch(path, {
			method: init.method ?? 'GET',
			headers: {
				...courtyard().authHeaders(),
				...(init.body !== undefined ? { 'content-type': 'application/json' } : {})
			},
			...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
			cache: 'no-store'
		});
	} catch (err) {
		throw toFailure(err);
	}
	const body = (await res.json().catch(() => null)) as unknown;
	// A revoked or expired credential learnt of here deletes the personal data, as on the sync socket.
	courtyard().noticeRefusal(res.status, body);
	if (!res.ok) {
		const failure = toFailure(body);
		throw failure.error === 'server' ? { error: 'server', message: `HTTP ${res.status}` } : failure;
	}
	return body as T;
}

/** What went wrong, for a person. `context` picks the wording where joining and administering differ. */
export function failureMessage(f: ApiFailure, context?: 'join' | 'admin'): string {
	// Not every code has a wording per context, nor a generic one (a code newer than this app).
	return (context && tKnown(`apiError.${context}.${f.error}`)) ?? tKnown(`apiError.${f.error}`) ?? t('apiError.server');
}
