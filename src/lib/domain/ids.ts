/** Short random ids that are safe inside document names ([A-Za-z0-9_-]). */

/** One segment of a document name (`<community>:<kind>:<id>`): also every id a credential's grant carries. */
export const NAME_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
export const isNameSegment = (value: unknown): value is string => typeof value === 'string' && NAME_SEGMENT.test(value);

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-';

export function newId(length = 16): string {
	const bytes = new Uint8Array(length);
	crypto.getRandomValues(bytes);
	let id = '';
	for (const b of bytes) id += ALPHABET[b & 63];
	return id;
}
