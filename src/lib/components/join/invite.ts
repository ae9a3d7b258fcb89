/**
 * Invitation links and codes as people paste them: a whole link (`https://…/join?code=…`), a link with text
 * around it (as a chat message forwards it), or the bare code.
 */
import { isRole, type Role } from '$lib/domain/actor';
import { INVITATION_CODE_MAX } from '$lib/domain/invitation';

const CODE = new RegExp(`^[A-Za-z0-9_-]{4,${INVITATION_CODE_MAX}}$`);

/** The invitation code in `text`, or null when there is none. */
export function parseInvite(text: string): string | null {
	const trimmed = text.trim();
	if (!trimmed) return null;
	const inLink = /[?&#]code=([^&#\s]+)/.exec(trimmed);
	if (inLink) {
		let code = inLink[1]!;
		try {
			code = decodeURIComponent(code);
		} catch {
			// keep it as written
		}
		return CODE.test(code) ? code : null;
	}
	return CODE.test(trimmed) ? trimmed : null;
}

/** What a link may say about its invitation before it is redeemed: display hints only, never trusted. */
export interface InviteHints {
	role: Role | null;
	name: string;
}

export function inviteHints(params: URLSearchParams): InviteHints {
	const role = params.get('role');
	return { role: isRole(role) ? role : null, name: (params.get('name') ?? '').trim().slice(0, 40) };
}

/** The relay's link with hints added, so the joining device can greet its user and prefill their name. */
export function linkWithHints(link: string, hints: { role: Role; name?: string }): string {
	try {
		const url = new URL(link);
		url.searchParams.set('role', hints.role);
		if (hints.name) url.searchParams.set('name', hints.name.slice(0, 40));
		return url.toString();
	} catch {
		return link;
	}
}
