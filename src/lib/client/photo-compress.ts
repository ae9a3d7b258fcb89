/**
 * On-device photo compression (browser only): decode with the EXIF orientation applied, scale the long side to
 * at most 1600 px and re-encode as JPEG. Re-encoding also drops the camera's metadata (GPS among it). A camera
 * photo of 3–8 MB becomes ~200–400 KB; an image that is already small stays as it is.
 */

export interface CompressOptions {
	maxSide: number;
	/** JPEG quality, 0–1. */
	quality: number;
}

export const DEFAULT_COMPRESSION: CompressOptions = { maxSide: 1600, quality: 0.8 };

/** The size that fits `width`×`height` within `maxSide` on its long side, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
	const long = Math.max(width, height);
	if (long <= maxSide) return { width, height };
	const scale = maxSide / long;
	return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

const KEEPABLE = new Set(['image/jpeg', 'image/webp', 'image/png']);

async function encodeJpeg(bitmap: ImageBitmap, width: number, height: number, quality: number): Promise<Blob> {
	const draw = (ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D) => {
		// JPEG has no transparency: a transparent PNG would otherwise turn black.
		ctx.fillStyle = '#fff';
		ctx.fillRect(0, 0, width, height);
		ctx.imageSmoothingQuality = 'high';
		ctx.drawImage(bitmap, 0, 0, width, height);
	};
	if (typeof OffscreenCanvas !== 'undefined') {
		const canvas = new OffscreenCanvas(width, height);
		const ctx = canvas.getContext('2d');
		if (ctx) {
			draw(ctx);
			return canvas.convertToBlob({ type: 'image/jpeg', quality });
		}
	}
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const ctx = canvas.getContext('2d');
	if (!ctx) throw new Error('no 2d canvas');
	draw(ctx);
	return new Promise((resolve, reject) =>
		canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the image could not be encoded'))), 'image/jpeg', quality)
	);
}

/** Throws when the file is not an image the browser can decode. */
export async function compressImage(file: Blob, options: CompressOptions = DEFAULT_COMPRESSION): Promise<Blob> {
	const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
	try {
		const size = fitWithin(bitmap.width, bitmap.height, options.maxSide);
		const jpeg = await encodeJpeg(bitmap, size.width, size.height, options.quality);
		const fits = size.width === bitmap.width && size.height === bitmap.height;
		return fits && KEEPABLE.has(file.type) && file.size <= jpeg.size ? file : jpeg;
	} finally {
		bitmap.close();
	}
}
