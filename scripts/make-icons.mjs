#!/usr/bin/env node
/**
 * Generates the PWA icons in static/icons/ (a cream pavilion with upturned eaves on the theme colour).
 * Dependency-free on purpose: shapes are rasterised with 4×4 supersampling and written as PNG via node:zlib,
 * so the icons can be regenerated anywhere Node runs. Run: `node scripts/make-icons.mjs`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const THEME = [0xb5, 0x43, 0x2f];
const CREAM = [0xfd, 0xf8, 0xf3];
const SS = 4; // supersamples per axis

/** Quadratic Bézier sampled into points (excluding the start point). */
function quad(p0, c, p1, steps = 24) {
	const out = [];
	for (let i = 1; i <= steps; i++) {
		const t = i / steps;
		const a = (1 - t) * (1 - t);
		const b = 2 * (1 - t) * t;
		const d = t * t;
		out.push([a * p0[0] + b * c[0] + d * p1[0], a * p0[1] + b * c[1] + d * p1[1]]);
	}
	return out;
}

/** The roof: flat ridge, concave slopes, eaves turned up at the tips (unit coordinates, y down). */
const roof = [
	[0.1, 0.375],
	...quad([0.1, 0.375], [0.25, 0.41], [0.33, 0.255]),
	[0.67, 0.255],
	...quad([0.67, 0.255], [0.75, 0.41], [0.9, 0.375]),
	...quad([0.9, 0.375], [0.82, 0.465], [0.7, 0.455]),
	[0.3, 0.455],
	...quad([0.3, 0.455], [0.18, 0.465], [0.1, 0.375])
];

/** Rectangles [x0, y0, x1, y1]: ridge, beam, two columns, a two-step base. */
const rects = [
	[0.3, 0.225, 0.7, 0.255],
	[0.26, 0.49, 0.74, 0.535],
	[0.305, 0.535, 0.37, 0.77],
	[0.63, 0.535, 0.695, 0.77],
	[0.24, 0.77, 0.76, 0.8],
	[0.19, 0.8, 0.81, 0.835]
];

function inPolygon(poly, x, y) {
	let inside = false;
	for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
		const [xi, yi] = poly[i];
		const [xj, yj] = poly[j];
		if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
	}
	return inside;
}

function inMotif(x, y) {
	for (const [x0, y0, x1, y1] of rects) if (x >= x0 && x < x1 && y >= y0 && y < y1) return true;
	return inPolygon(roof, x, y);
}

function inRoundedSquare(x, y, r) {
	const cx = Math.min(Math.max(x, r), 1 - r);
	const cy = Math.min(Math.max(y, r), 1 - r);
	return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/**
 * @param {number} size pixels
 * @param {{ maskable: boolean }} opts maskable: full-bleed background, motif shrunk into the 80 % safe zone
 */
function render(size, { maskable }) {
	const scale = maskable ? 0.8 : 1;
	const rgba = Buffer.alloc(size * size * 4);
	for (let py = 0; py < size; py++) {
		for (let px = 0; px < size; px++) {
			let bg = 0;
			let fg = 0;
			for (let sy = 0; sy < SS; sy++) {
				for (let sx = 0; sx < SS; sx++) {
					const x = (px + (sx + 0.5) / SS) / size;
					const y = (py + (sy + 0.5) / SS) / size;
					if (!maskable && !inRoundedSquare(x, y, 0.2)) continue;
					bg++;
					// Motif coordinates, scaled about the centre and nudged up a little for optical balance.
					if (inMotif((x - 0.5) / scale + 0.5, (y - 0.5) / scale + 0.5 + 0.015)) fg++;
				}
			}
			const n = SS * SS;
			const a = bg / n;
			const f = bg ? fg / bg : 0;
			const o = (py * size + px) * 4;
			for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(THEME[c] * (1 - f) + CREAM[c] * f);
			rgba[o + 3] = Math.round(a * 255);
		}
	}
	return encodePng(size, size, rgba);
}

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

function encodePng(width, height, rgba) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 6; // RGBA
	// Each scanline is prefixed with filter type 0 (none); deflate does the rest.
	const raw = Buffer.alloc((width * 4 + 1) * height);
	for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0))
	]);
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'static', 'icons');
mkdirSync(outDir, { recursive: true });
const icons = [
	['icon-192.png', 192, false],
	['icon-512.png', 512, false],
	['icon-maskable-512.png', 512, true],
	['apple-touch-icon-180.png', 180, true]
];
for (const [name, size, maskable] of icons) {
	writeFileSync(join(outDir, name), render(size, { maskable }));
	console.log(`wrote static/icons/${name}`);
}
