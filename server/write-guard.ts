/**
 * Checks on what a writer's update changes, beyond the access matrix. The matrix says who may write a kind of
 * document; a guard says which records a writer may add to it. Today one: in a project's participation
 * document a resident adds only their own household's records, as this device (see participationChangeProblem),
 * so a tampered device cannot rate, pledge or sign off for another household.
 *
 * A guard applies the update to a copy of the document's durable state and looks at every change it makes
 * (judgeChanges, shared with the app, which checks its own writes the same way before sending them).
 */
import * as Y from 'yjs';
import { parseDocName } from '../src/lib/schema/doc-names';
import { participationChangeProblem } from '../src/lib/schema/project-doc';
import { judgeChanges, type Verdict } from '../src/lib/schema/record-changes';
import type { Principal } from './auth';

export type { Verdict };

/** Judges one update against the document's durable state (null if the relay holds none). */
export type WriteCheck = (state: Uint8Array | null, update: Uint8Array) => Verdict;

/** The check for `principal`'s updates to `docName`, or null when the access matrix alone decides. */
export function writeGuard(docName: string, principal: Principal): WriteCheck | null {
	const ref = parseDocName(docName);
	const grant = principal.grant;
	if (ref?.kind !== 'participation' || grant?.role !== 'resident') return null;
	const writer = { device: principal.deviceId, household: grant.household ?? null };
	return (state, update) => {
		if (state && usesAnotherWritersClient(state, update, writer.device)) {
			return { ok: false, reason: "changes under another device's Yjs client id", retry: false };
		}
		return judgeChanges(state, update, (root, key, before, after) => participationChangeProblem(root, key, before, after, writer));
	};
}

/**
 * True if the update carries changes under a Yjs client id whose stored records another device wrote. A Yjs
 * client counts each of its changes; changes under someone else's id at their next numbers would make that
 * device's real change look already stored, and the relay would drop it without a word.
 */
export function usesAnotherWritersClient(state: Uint8Array, update: Uint8Array, device: string): boolean {
	const clients = new Set(Y.decodeUpdate(update).structs.map((s) => s.id.client));
	const doc = new Y.Doc();
	try {
		Y.applyUpdate(doc, state);
		for (const client of clients) {
			for (const struct of doc.store.clients.get(client) ?? []) {
				if (!(struct instanceof Y.Item)) continue;
				for (const value of struct.content.getContent() as unknown[]) {
					const by = (value as { by?: { id?: unknown } } | null)?.by;
					if (by && by.id !== device) return true;
				}
			}
		}
		return false;
	} finally {
		doc.destroy();
	}
}
