/**
 * Judges what an update changes in a document: applied to the document (or a copy), every change it makes is
 * reported per root type and put to a judge. The relay uses it to decide whether a writer may make a change
 * (server/core/write-guard.ts with the rules of write-rules.ts); the app uses the same check before writing, so it
 * never sends a change the relay would refuse.
 *
 * Root types are read through Yjs' raw structures (`_map`, `_start`) rather than getMap/getArray: a hostile
 * update may use a root in a shape the schema does not expect, and asking for the wrong shape would throw or
 * convert the type.
 */
import * as Y from 'yjs';

export type Verdict =
	| { ok: true }
	/** `retry`: the update builds on changes this state does not hold yet; send it again later. */
	| { ok: false; reason: string; retry: boolean };

/** One thing an update changed. */
export type DocChange =
	/** A key of a root map set (`after` defined) or deleted (`after` undefined). */
	| { type: 'key'; root: string; key: string; before: unknown; after: unknown }
	/** Items added to or removed from a root list. */
	| { type: 'items'; root: string; added: unknown[]; removed: unknown[] }
	/** Text, rich text or a nested type inside the root changed. */
	| { type: 'content'; root: string };

/** Why `change` is refused, or null. */
export type ChangeJudge = (change: DocChange, doc: JudgedDoc) => string | null;

type Type = Y.AbstractType<unknown>;
type ItemLike = { deleted: boolean; countable: boolean; length: number; right: ItemLike | null; content: { getContent(): unknown[] } };
type Raw = { _map: Map<string, ItemLike>; _start: ItemLike | null; _item: { parent: unknown } | null };

/** The value a root map holds under `key`, without asking for the root in any shape. */
export function rootMapValue(doc: Y.Doc, root: string, key: string): unknown {
	const type = doc.share.get(root) as unknown as Raw | undefined;
	const item = type?._map.get(key);
	if (!item || item.deleted) return undefined;
	return item.content.getContent()[item.length - 1];
}

/** The items of a root list, in order. */
export function rootListValues(doc: Y.Doc, root: string): unknown[] {
	const out: unknown[] = [];
	const type = doc.share.get(root) as unknown as Raw | undefined;
	for (let n = type?._start ?? null; n !== null; n = n.right) if (!n.deleted && n.countable) out.push(...n.content.getContent());
	return out;
}

/** What is waiting for missing changes, to tell whether an update added to it. */
function pending(doc: Y.Doc): string {
	const { pendingStructs, pendingDs } = doc.store;
	const hex = (bytes: Uint8Array | null | undefined) => (bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') : '');
	return `${hex(pendingStructs?.update)}|${hex(pendingDs)}`;
}

function rootName(doc: Y.Doc, type: Type): string | undefined {
	let t = type as unknown as Raw;
	while (t._item !== null) t = t._item.parent as Raw;
	for (const [name, root] of doc.share) if ((root as unknown) === t) return name;
	return undefined;
}

/** The document as judged: as it is with the update, and what a root map held before it. */
export interface JudgedDoc {
	after: Y.Doc;
	/** The value `root` held under `key` before the update. */
	before(root: string, key: string): unknown;
}

/**
 * Applies `update` to `target` (which it changes: a copy, or a mirror the caller drops on refusal) and asks
 * `judge` about every change it makes; the first refusal is the verdict. What a change replaced or removed is
 * read from the transaction itself (Yjs' own events, before deleted content is collected), so the cost follows
 * the update, not the document.
 */
export function judgeUpdate(target: Y.Doc, update: Uint8Array, judge: ChangeJudge): Verdict {
	const waiting = pending(target);
	const changes: DocChange[] = [];
	const replaced = new Map<string, Map<string, unknown>>();
	let unnamed = false;
	const collect = (tr: Y.Transaction) => {
		for (const [type, changed] of tr.changed) {
			const name = rootName(target, type as Type);
			if (name === undefined) {
				unnamed = true;
				continue;
			}
			if ((type as unknown as Raw)._item !== null) {
				changes.push({ type: 'content', root: name });
				continue;
			}
			const keys = new Set([...changed].filter((k): k is string => k !== null));
			if (keys.size > 0) {
				const event = new Y.YMapEvent(type as unknown as Y.Map<unknown>, tr, keys);
				for (const [key, { oldValue }] of event.keys) {
					const olds = replaced.get(name) ?? new Map<string, unknown>();
					olds.set(key, oldValue);
					replaced.set(name, olds);
					changes.push({ type: 'key', root: name, key, before: oldValue, after: rootMapValue(target, name, key) });
				}
			}
			if (changed.has(null)) {
				const { added, deleted } = new Y.YArrayEvent(type as unknown as Y.Array<unknown>, tr).changes;
				// A text or rich-text root reports its changes the same way: text, formatting, embeds and nodes.
				const textual = (i: Y.Item) =>
					i.content instanceof Y.ContentString ||
					i.content instanceof Y.ContentFormat ||
					i.content instanceof Y.ContentEmbed ||
					i.content instanceof Y.ContentType;
				if ([...added, ...deleted].some(textual)) {
					changes.push({ type: 'content', root: name });
				} else {
					const values = (items: Set<Y.Item>) => [...items].filter((i) => i.countable).flatMap((i) => i.content.getContent() as unknown[]);
					changes.push({ type: 'items', root: name, added: values(added), removed: values(deleted) });
				}
			}
		}
	};
	target.on('afterTransaction', collect);
	try {
		Y.applyUpdate(target, update);
	} finally {
		target.off('afterTransaction', collect);
	}
	if (unnamed) return { ok: false, reason: 'changes a type outside the document', retry: false };
	const doc: JudgedDoc = {
		after: target,
		before: (root, key) => {
			const olds = replaced.get(root);
			return olds?.has(key) ? olds.get(key) : rootMapValue(target, root, key);
		}
	};
	for (const change of changes) {
		let refusal: string | null;
		try {
			refusal = judge(change, doc);
		} catch {
			// A record so malformed that a rule cannot even read it is not one the rules allow.
			refusal = `a malformed change to "${change.root}"`;
		}
		if (refusal) return { ok: false, reason: refusal, retry: false };
	}
	// Parts of the update that wait for missing changes were not judged: ask for it again once they are in.
	// What was already waiting in the state is not this writer's doing.
	if (pending(target) !== waiting) return { ok: false, reason: 'builds on changes not held yet', retry: true };
	return { ok: true };
}

/** A document from its encoded state (null: none yet). The caller destroys it. */
export function docFromState(state: Uint8Array | null): Y.Doc | null {
	if (!state) return null;
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	return doc;
}
