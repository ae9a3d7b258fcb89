/**
 * Photos over HTTP, shared by the app and the relay. A photo is named by the SHA-256 of its bytes:
 *
 *   PUT /api/photos/<sha256 hex>?doc=<document name>   body: the image (JPEG, WebP or PNG), at most PHOTO_MAX_BYTES
 *       201 stored, 200 already stored (the link to `doc` is added either way); the caller needs write access to
 *       `doc`. 400 hash mismatch or bad name, 413 too large (`too_large`) or over a photo quota (`quota_exceeded`, per
 *       device or per community; the message names which), 415 not an accepted image. A photo that no document
 *       refers to is deleted once it is older than the relay's grace period (24 h by default).
 *   GET /api/photos/<sha256 hex>    the bytes, to a credential that may read at least one document the photo was
 *       uploaded for; 404 otherwise (whether or not it exists).
 *
 * Both carry the device credential as `Authorization: Bearer <token>`.
 */

export const PHOTO_PATH = '/api/photos/';
/** After on-device compression a photo is ~200–400 KB; the limit leaves room for an uncompressible original. */
export const PHOTO_MAX_BYTES = 3 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/webp', 'image/png'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

const SHA256_HEX = /^[0-9a-f]{64}$/;
export const isPhotoId = (value: unknown): value is string => typeof value === 'string' && SHA256_HEX.test(value);

export const photoPath = (sha: string, doc?: string) =>
	`${PHOTO_PATH}${sha}${doc === undefined ? '' : `?doc=${encodeURIComponent(doc)}`}`;

/** The image type from the first bytes (the declared Content-Type is not trusted); null for anything else. */
export function sniffPhotoType(head: Uint8Array): PhotoType | null {
	const at = (i: number) => head[i] ?? -1;
	if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
	if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => at(i) === b)) return 'image/png';
	const ascii = (from: number, text: string) => [...text].every((c, i) => at(from + i) === c.charCodeAt(0));
	if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
	return null;
}

/** Lower-case hex of a digest. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let out = '';
	for (const b of view) out += b.toString(16).padStart(2, '0');
	return out;
}
