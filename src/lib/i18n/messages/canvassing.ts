/** Messages of one feature area, merged into the catalogue by ../messages.ts (same conventions). Canvassing: household register, visits, household polls and ballots. */

export const zh = {
	'nav.canvassing': '走访'
} satisfies Record<string, string>;

export const en: Record<keyof typeof zh, string> = {
	'nav.canvassing': 'Canvassing'
};
