/**
 * The encouraged list's categories (鼓励清单) of the product design §1: lists.ts's starting version of them. Kept
 * apart from the negative list, so that a page that only names or filters by category (the home's proposal list)
 * does not load the negative list's texts with it.
 */

export type CategoryId = 'facilities' | 'greening' | 'cleanup' | 'safety' | 'services' | 'culture';

export interface Category {
	id: CategoryId;
	zh: string;
	en: string;
}

export const ENCOURAGED_CATEGORIES: readonly Category[] = [
	{ id: 'facilities', zh: '设施建设与改造', en: 'Facilities and renovation' },
	{ id: 'greening', zh: '环境美化与绿化', en: 'Environment and greening' },
	{ id: 'cleanup', zh: '环境整治', en: 'Clean-up and rectification' },
	{ id: 'safety', zh: '安全隐患排查', en: 'Safety hazards' },
	{ id: 'services', zh: '便民服务', en: 'Convenience services' },
	{ id: 'culture', zh: '文化与邻里活动', en: 'Culture and neighbourly activities' }
];

export function isCategoryId(value: unknown): value is CategoryId {
	return ENCOURAGED_CATEGORIES.some((c) => c.id === value);
}
