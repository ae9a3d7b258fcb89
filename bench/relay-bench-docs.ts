/**
 * The bench documents (~2 KB of UTF-8 each), apart from relay-kit so that the stock server process loads only
 * Yjs with them, not the relay's code.
 */
import * as Y from 'yjs';

/** The text of bench document i (~2 KB of UTF-8). */
export function benchText(i: number): string {
	return `#${i} 议事协商 `.padEnd(1_900, `matter ${i} deliberation `);
}

export function benchDocUpdate(i: number): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('meta').set('title', `matter ${i}`);
	doc.getText('description').insert(0, benchText(i));
	return Y.encodeStateAsUpdate(doc);
}

export const benchDocName = (i: number) => `bench:proposal:p${i}`;
