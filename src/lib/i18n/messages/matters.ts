/** Messages of one feature area, merged into the catalogue by ../messages.ts (same conventions). Projects: co-funding, actions, tenders, notices, acceptance, satisfaction. */

export const zh = {
	'nav.matters': '项目'
} satisfies Record<string, string>;

export const en: Record<keyof typeof zh, string> = {
	'nav.matters': 'Projects'
};
