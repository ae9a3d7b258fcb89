/**
 * What a device does once its credential is revoked or has expired: it deletes the personal data kinds
 * (PERSONAL_KINDS: household registers, visits, ballots, working minutes, points passbooks, the register of
 * talents) it holds, after offering the export of whatever of them has not reached the relay yet.
 *
 * Why only those: everything else a device of the community may hold (proposals, topics, polls, meetings,
 * projects, participation, notices, the community document) is readable by every resident of the community
 * (domain/access.ts), so keeping it exposes nothing a revoked credential should no longer see, while it keeps a
 * resident's unsynced proposal on the phone to export or to sync after joining again. Signing out still
 * deletes everything.
 *
 * What had reached the relay is deleted at once; documents with unsynced work wait (sealed: no page can open
 * them) until the person exports them or lets them go, at most WIPE_GRACE_MS. The deletion covers every trace
 * derived from a personal document: its y-indexeddb database, its Dexie index row and sync state, photos it lists
 * or that were queued for it, and a resident's queued ballots. Plain TypeScript over Dexie and the DocStore:
 * tested in Node with fake-indexeddb.
 *
 * This module has what every start needs (the recorded revocation, which documents are personal, the deadline);
 * the search for unsynced personal data and the wipe are in revocation-wipe.ts, loaded only on a device whose
 * credential was lost.
 */
import { PERSONAL_KINDS } from '../domain/access';
import { parseDocName } from '../schema/doc-names';
import { CURSOR_KEY } from './local-store';

/** Settings key of the persisted revocation (survives restarts until the device joins again or signs out). */
export const REVOCATION_KEY = 'device.revocation';
/** The sync engine's catch-up cursor: reset by a wipe, so joining again fetches the deleted documents anew. */
export const SYNC_CURSOR_KEY = CURSOR_KEY;
/**
 * How long unsynced personal data waits for the person to export it before it is deleted anyway. A revoked
 * phone may be a lost one: its personal data must not stay on it indefinitely because nobody pressed a button.
 */
export const WIPE_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

export type RevocationKind = 'revoked' | 'expired';

export interface Revocation {
	kind: RevocationKind;
	/** The relay's close reason, or a local one when the expiry was noticed on the device. */
	reason: string;
	/** When this device learnt of it (device clock). */
	detectedAt: number;
	/** When the personal data was deleted; null while unsynced personal changes wait for the person. */
	wipedAt: number | null;
}

/** Something of a personal kind that the relay does not have yet and a wipe would destroy. */
export interface UnsyncedPersonal {
	/** Document name (for a queued ballot: the poll's document). */
	doc: string;
	kind: string;
	/** Index title where the device has one, else the document's id. */
	title: string;
	/** 'changes': edits in the document (exportable); 'photos': photos not uploaded; 'ballot': a queued vote. */
	what: 'changes' | 'photos' | 'ballot';
}

export function isPersonalDoc(name: string): boolean {
	const kind = parseDocName(name)?.kind;
	return kind !== undefined && PERSONAL_KINDS.has(kind);
}

/** The personal documents among `names`, each once, in a stable order. */
export function personalDocs(names: Iterable<string>): string[] {
	return [...new Set(names)].filter(isPersonalDoc).sort();
}

/**
 * Whether a credential refusal means this device lost its credential for good (revoked or expired), from the
 * relay's close reason and the credential's known expiry; null for any other refusal (a forged or unknown
 * credential says nothing about this device's data).
 */
export function revocationKind(reason: string, expiresAt: number | null | undefined, now: number): RevocationKind | null {
	const r = reason.toLowerCase();
	if (r.includes('revoked')) return 'revoked';
	if (r.includes('expired')) return 'expired';
	if (expiresAt && expiresAt <= now) return 'expired';
	return null;
}

/** Whether the credential has expired by the device's clock (noticed without contacting the relay). */
export function expiredLocally(expiresAt: number | null | undefined, now: number): boolean {
	return typeof expiresAt === 'number' && expiresAt > 0 && expiresAt <= now;
}

/** When unsynced personal data is deleted even if nobody chose to. */
export function wipeDeadline(revocation: Pick<Revocation, 'detectedAt'>): number {
	return revocation.detectedAt + WIPE_GRACE_MS;
}

/** Whether the personal data must be deleted now: nothing would be lost, or the grace period is over. */
export function wipeDue(revocation: Revocation, unsynced: readonly UnsyncedPersonal[], now: number): boolean {
	if (revocation.wipedAt !== null) return false;
	return unsynced.length === 0 || now >= wipeDeadline(revocation);
}
