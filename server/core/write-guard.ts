/**
 * The relay's judgement of what a device's update changes, beyond the access matrix. The matrix says who may
 * write a kind of document; the write rules (src/lib/schema/write-rules.ts, shared with the app, which checks
 * its own writes the same way before sending them) say which records each role may add, change or never touch,
 * and that the actor, role, household and device inside a record are the credential's.
 *
 * A guard applies the update to the document's durable state (a copy, or the hub's mirror of a loaded room) and
 * judges every change it makes. The open development principal (no grant) is not guarded: it may write everything.
 */
import * as Y from 'yjs';
import type { Verdict } from '../../src/lib/schema/record-changes';
import { judgeWrite, type WriteLookup, type Writer } from '../../src/lib/schema/write-rules';
import type { Principal } from '../auth/auth';

export type { Verdict };

/**
 * Judges one update by applying it to `target`, the document's durable state (a copy, or a mirror of the room
 * that the caller drops when the update is refused).
 */
export type WriteCheck = (target: Y.Doc, update: Uint8Array, lookup: WriteLookup) => Verdict;

/** The check for `principal`'s updates to `docName`; null for the open development principal. */
export function writeGuard(docName: string, principal: Principal): WriteCheck | null {
	const grant = principal.grant;
	if (!grant) return null;
	const writer: Writer = { device: principal.deviceId, role: grant.role, household: grant.household ?? null, grids: grant.grids ?? [] };
	return (target, update, lookup) => {
		// A resident writes only records of their own; staff devices may mark others' records, so their client
		// ids cannot be told apart by the records they hold.
		if (grant.role === 'resident' && usesAnotherWritersClient(target, update, writer.device)) {
			return { ok: false, reason: "changes under another device's Yjs client id", retry: false };
		}
		return judgeWrite(docName, writer, lookup, target, update);
	};
}

/**
 * True if the update carries changes under a Yjs client id whose stored records another device wrote. A Yjs
 * client counts each of its changes; changes under someone else's id at their next numbers would make that
 * device's real change look already stored, and the relay would drop it without a word.
 */
export function usesAnotherWritersClient(base: Y.Doc, update: Uint8Array, device: string): boolean {
	const clients = new Set(Y.decodeUpdate(update).structs.map((s) => s.id.client));
	for (const client of clients) {
		for (const struct of base.store.clients.get(client) ?? []) {
			if (!(struct instanceof Y.Item) || struct.deleted) continue;
			for (const value of struct.content.getContent() as unknown[]) {
				const by = (value as { by?: { id?: unknown } } | null)?.by;
				if (by && by.id !== device) return true;
			}
		}
	}
	return false;
}
