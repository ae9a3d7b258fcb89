import { describe, expect, it } from 'vitest';
import { isPhotoId, photoPath, sniffPhotoType, toHex } from './photos';

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => new TextEncoder().encode(s);

describe('sniffPhotoType', () => {
	it('recognises JPEG, PNG and WebP by their magic bytes', () => {
		expect(sniffPhotoType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe('image/jpeg');
		expect(sniffPhotoType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('image/png');
		const webp = new Uint8Array(16);
		webp.set(ascii('RIFF'), 0);
		webp.set(ascii('WEBPVP8 '), 8);
		expect(sniffPhotoType(webp)).toBe('image/webp');
	});

	it('refuses everything else, including truncated headers and other RIFF files', () => {
		expect(sniffPhotoType(ascii('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
		expect(sniffPhotoType(ascii('GIF89a......'))).toBeNull();
		expect(sniffPhotoType(bytes(0xff, 0xd8))).toBeNull();
		expect(sniffPhotoType(bytes(0x89, 0x50, 0x4e, 0x47))).toBeNull();
		const wav = new Uint8Array(16);
		wav.set(ascii('RIFF'), 0);
		wav.set(ascii('WAVEfmt '), 8);
		expect(sniffPhotoType(wav)).toBeNull();
		expect(sniffPhotoType(new Uint8Array(0))).toBeNull();
	});
});

describe('photo ids and paths', () => {
	it('accepts only lower-case SHA-256 hex', () => {
		expect(isPhotoId('a'.repeat(64))).toBe(true);
		expect(isPhotoId('A'.repeat(64))).toBe(false);
		expect(isPhotoId('a'.repeat(63))).toBe(false);
		expect(isPhotoId('../etc/passwd')).toBe(false);
		expect(isPhotoId(42)).toBe(false);
	});

	it('hex-encodes digests and builds upload paths with the document name escaped', () => {
		expect(toHex(bytes(0, 15, 255))).toBe('000fff');
		expect(photoPath('ab', 'demo:visits:g1')).toBe('/api/photos/ab?doc=demo%3Avisits%3Ag1');
		expect(photoPath('ab')).toBe('/api/photos/ab');
	});
});
