/**
 * For schema specs: brings two replicas of a document up to date with each other, as two devices do when they
 * meet the relay. Kept apart from the record factories so domain specs do not load Yjs.
 */
import * as Y from 'yjs';

export function syncDocs(a: Y.Doc, b: Y.Doc): void {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}
