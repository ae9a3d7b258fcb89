/** Messages of one feature area, merged into the catalogue by ../messages.ts (same conventions). Photos taken on the device, queued and uploaded when online. */

export const zh = {
	'photo.add': '添加照片'
} satisfies Record<string, string>;

export const en: Record<keyof typeof zh, string> = {
	'photo.add': 'Add photo'
};
