/** Messages of one feature area, merged into the catalogue by ../messages.ts (same conventions). Meetings: attendance, live minutes, votes, decisions, actions. */

export const zh = {
	'nav.meetings': '会议'
} satisfies Record<string, string>;

export const en: Record<keyof typeof zh, string> = {
	'nav.meetings': 'Meetings'
};
