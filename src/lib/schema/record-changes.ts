/**
 * Judges what an update changes in a document made of root maps of whole records: applied to a copy of the
 * document's state, every key it sets or deletes is put to `problem`. The relay uses it to guard what a writer
 * may add (server/write-guard.ts); the app uses the same check before writing, so it never sends a change the
 * relay would refuse.
 */
import * as Y from 'yjs';

export type Verdict =
	| { ok: true }
	/** `retry`: the update builds on changes this state does not hold yet; send it again later. */
	| { ok: false; reason: string; retry: boolean };

/** Why a change of `key` in the root map `root` from `before` to `after` is refused, or null. */
export type ChangeProblem = (root: string, key: string, before: unknown, after: unknown) => string | null;

/** What is waiting for missing changes, to tell whether an update added to it. */
function pending(doc: Y.Doc): string {
	const { pendingStructs, pendingDs } = doc.store;
	const hex = (bytes: Uint8Array | null | undefined) => (bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') : '');
	return `${hex(pendingStructs?.update)}|${hex(pendingDs)}`;
}

/**
 * Applies `update` to a copy of `state` and asks `problem` about every key it sets or deletes in a root map.
 * Anything else (text, arrays, nested types) is refused: such documents hold only maps of whole records.
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
		const waiting = pending(doc);
		let refusal: string | null = null;
		doc.on('afterTransaction', (tr: Y.Transaction) => {
			for (const [type, keys] of tr.changed) {
				if (refusal) return;
				// A root type first used by this update appears in doc.share only now.
				const name = [...doc.share].find(([, t]) => t === type)?.[0];
				if (name === undefined || keys.has(null)) {
					refusal = 'only whole records in named maps may change';
					return;
				}
				const map = doc.getMap<unknown>(name);
				for (const key of keys as Set<string>) {
					refusal = problem(name, key, before.getMap<unknown>(name).get(key), map.get(key));
					if (refusal) return;
				}
			}
		});
		Y.applyUpdate(doc, update);
		if (refusal) return { ok: false, reason: refusal, retry: false };
		// Parts of the update that wait for missing changes were not judged: ask for it again once they are in.
		// What was already waiting in the state is not this writer's doing.
		if (pending(doc) !== waiting) return { ok: false, reason: 'builds on changes not held yet', retry: true };
		return { ok: true };
	} finally {
		before.destroy();
		doc.destroy();
	}
}
