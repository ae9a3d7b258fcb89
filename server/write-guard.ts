/**
 * Checks on what a writer's update changes, beyond the access matrix. The matrix says who may write a kind of
 * document; a guard says which records a writer may add to it. Today one: in a project's participation
 * document a resident adds only their own household's records, as this device (see participationChangeProblem),
 * so a tampered device cannot rate, pledge or sign off for another household.
 *
 * A guard applies the update to a copy of the document's durable state and looks at every change it makes.
 */
import * as Y from 'yjs';
import { parseDocName } from '../src/lib/schema/doc-names';
import { participationChangeProblem } from '../src/lib/schema/project-doc';
import type { Principal } from './auth';

export type Verdict =
	| { ok: true }
	/** `retry`: the update builds on changes the relay does not hold yet; the client sends it again later. */
	| { ok: false; reason: string; retry: boolean };

/** Judges one update against the document's durable state (null if the relay holds none). */
export type WriteCheck = (state: Uint8Array | null, update: Uint8Array) => Verdict;

/** The check for `principal`'s updates to `docName`, or null when the access matrix alone decides. */
export function writeGuard(docName: string, principal: Principal): WriteCheck | null {
	const ref = parseDocName(docName);
	const grant = principal.grant;
	if (ref?.kind !== 'participation' || grant?.role !== 'resident') return null;
	const writer = { device: principal.deviceId, household: grant.household ?? null };
	return (state, update) =>
		judgeChanges(state, update, (root, key, before, after) => participationChangeProblem(root, key, before, after, writer));
}

type ChangeProblem = (root: string, key: string, before: unknown, after: unknown) => string | null;

/**
 * Applies `update` to a copy of `state` and asks `problem` about every key it sets or deletes in a root map.
 * Anything else (text, arrays, nested types) is refused: guarded documents hold only maps of whole records.
 */
export function judgeChanges(state: Uint8Array | null, update: Uint8Array, problem: ChangeProblem): Verdict {
	// Two copies: `before` answers what a key held, `doc` takes the update and reports what it changed.
	const before = new Y.Doc({ gc: false });
	const doc = new Y.Doc({ gc: false });
	try {
		if (state) {
			Y.applyUpdate(before, state);
			Y.applyUpdate(doc, state);
		}
		let refusal: string | null = null;
		const refuse = (reason: string) => {
			refusal ??= reason;
		};
		doc.on('afterTransaction', (tr: Y.Transaction) => {
			for (const [type, keys] of tr.changed) {
				// A root type first used by this update appears in doc.share only now.
				const name = [...doc.share].find(([, t]) => t === type)?.[0];
				if (name === undefined || keys.has(null)) {
					refuse('only whole records in named maps may change');
					continue;
				}
				const map = doc.getMap<unknown>(name);
				for (const key of keys as Set<string>) {
					const problem_ = problem(name, key, before.getMap<unknown>(name).get(key), map.get(key));
					if (problem_) refuse(problem_);
				}
			}
		});
		Y.applyUpdate(doc, update);
		if (refusal) return { ok: false, reason: refusal, retry: false };
		if (doc.store.pendingStructs || doc.store.pendingDs) {
			return { ok: false, reason: 'builds on changes the relay does not have yet', retry: true };
		}
		return { ok: true };
	} finally {
		before.destroy();
		doc.destroy();
	}
}
