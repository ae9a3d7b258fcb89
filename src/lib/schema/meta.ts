/**
 * The `meta` map every document has: the schema version it was written with, then the fields of the record the
 * document holds (its id, title, who created it and when …).
 */
import type * as Y from 'yjs';
import { SCHEMA_VERSION } from './doc-names';

export const meta = (doc: Y.Doc) => doc.getMap<unknown>('meta');

/** Starts a document's meta: the schema version, then `fields` in their order. Call it inside the creating transaction. */
export function writeMeta(doc: Y.Doc, fields: Record<string, unknown>): void {
	const m = meta(doc);
	m.set('schema', SCHEMA_VERSION);
	for (const [key, value] of Object.entries(fields)) m.set(key, value);
}

/**
 * Sets the schema version, then each of `fields`, where the document does not hold that value yet: for records
 * added to a document that may be new (a household's first booking, a grid's first visit).
 */
export function stampMeta(doc: Y.Doc, fields: Record<string, unknown> = {}): void {
	const m = meta(doc);
	if (m.get('schema') !== SCHEMA_VERSION) m.set('schema', SCHEMA_VERSION);
	for (const [key, value] of Object.entries(fields)) if (m.get(key) !== value) m.set(key, value);
}
