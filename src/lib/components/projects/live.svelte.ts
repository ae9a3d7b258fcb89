/**
 * Live lists of this community's projects and notices from the Dexie index, and today's CST day for overdue
 * and notice periods. Call during component initialisation, like liveDoc.
 */
import { cstDay } from '$lib/domain/calendar';
import type { IndexEntry } from '$lib/schema/index-entry';
import type { NoticeIndexFields } from '$lib/schema/notice-doc';
import type { ProjectIndexFields } from '$lib/schema/project-doc';
import { liveIndex } from '../intake/live-index.svelte';

export type ProjectEntry = IndexEntry & Partial<ProjectIndexFields>;
export type NoticeEntry = IndexEntry & Partial<NoticeIndexFields>;

export const liveProjects = () => liveIndex<ProjectEntry>('project');
export const liveNotices = (filter?: (e: NoticeEntry) => boolean) => liveIndex<NoticeEntry>('notice', filter);
export const liveTopics = () => liveIndex('topic');

/** The CST day, re-read every minute so a page left open rolls over at midnight. */
class Today {
	value = $state(cstDay(Date.now()));
}

export function liveToday(): Today {
	const today = new Today();
	$effect(() => {
		const timer = setInterval(() => {
			const now = cstDay(Date.now());
			if (now !== today.value) today.value = now;
		}, 60_000);
		return () => clearInterval(timer);
	});
	return today;
}

/** A task list's earliest open due day has passed. */
export const isOverdue = (e: ProjectEntry, today: string) => !!e.due && e.due < today && e.status !== 'closed';
