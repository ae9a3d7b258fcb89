/**
 * Live lists of this community's projects and notices from the Dexie index, and today's CST day for overdue
 * and notice periods. Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { cstDay } from '$lib/domain/calendar';
import type { IndexEntry } from '$lib/schema/index-entry';
import type { NoticeIndexFields } from '$lib/schema/notice-doc';
import type { ProjectIndexFields } from '$lib/schema/project-doc';

export type ProjectEntry = IndexEntry & Partial<ProjectIndexFields>;
export type NoticeEntry = IndexEntry & Partial<NoticeIndexFields>;

class LiveList<T> {
	/** Null until the first read. */
	entries = $state.raw<T[] | null>(null);
}

function liveKind<T extends IndexEntry>(kind: 'project' | 'notice' | 'topic', filter: (e: T) => boolean = () => true): LiveList<T> {
	const app = courtyard();
	const live = new LiveList<T>();
	$effect(() => {
		const community = app.community;
		const sub = app
			.live(() =>
				app.db.index
					.where('kind')
					.equals(kind)
					.filter((e) => e.community === community && filter(e as T))
					.toArray()
			)
			.subscribe({
				next: (list) => {
					live.entries = list as T[];
				},
				error: (err) => {
					app.storageError = err;
					live.entries = [];
				}
			});
		return () => sub.unsubscribe();
	});
	return live;
}

export const liveProjects = () => liveKind<ProjectEntry>('project');
export const liveNotices = (filter?: (e: NoticeEntry) => boolean) => liveKind<NoticeEntry>('notice', filter);
export const liveTopics = () => liveKind<IndexEntry>('topic');

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
