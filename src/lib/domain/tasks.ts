/**
 * Actions (行动): tasks with a responsible party and a due day, and progress updates with photos. A task's
 * state is folded from its updates by time, like a proposal's status from its timeline, so two people
 * reporting on one task offline both keep their update and the later one decides the state.
 */
import type { Actor, Role } from './actor';
import { type Day, daysBetween, isDay } from './calendar';
import { isManager } from './funding';
import { rolesThatCan } from './permissions';

export interface Task {
	id: string;
	title: string;
	/** Who carries it out: a person, the property company, a vendor, a building head. */
	responsible: string;
	/** The register's person (talents), when the responsible party was picked from it. */
	person?: string;
	due: Day;
	note?: string;
	at: number;
	by: Actor;
}

/** What an update says about its task's state; none for a plain progress note. */
export type UpdateMark = 'started' | 'done' | 'reopened';

export interface ProgressUpdate {
	id: string;
	task: string;
	text: string;
	/** Photo sha-256 ids. */
	photos: string[];
	mark?: UpdateMark;
	at: number;
	by: Actor;
}

export type TaskStatus = 'open' | 'in_progress' | 'done';

export interface TaskView {
	task: Task;
	status: TaskStatus;
	/** Updates in time order. */
	updates: ProgressUpdate[];
	overdue: boolean;
	/** Days past due (0 when not overdue). */
	daysOverdue: number;
	/** When it was last marked done, if it is done. */
	doneAt?: number;
}

export interface Work {
	tasks: TaskView[];
	open: number;
	inProgress: number;
	done: number;
	overdue: number;
	/** Some task has been reported on. */
	started: boolean;
	/** There are tasks, and every one is done. */
	allDone: boolean;
	/** Earliest due day among tasks not done. */
	nextDue: Day | null;
	/** Tasks and updates recorded by a role that may not, kept but not counted. */
	notCounted: { what: 'task' | 'update'; id: string; by: Actor }[];
}

/** Tasks are planned by those who manage the project; progress is reported by any staff (a grid worker on site). */
const REPORTERS: readonly Role[] = rolesThatCan('report-progress');

const byTime = <T extends { at: number; id: string }>(a: T, b: T) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function taskView(task: Task, updates: readonly ProgressUpdate[], today: Day): TaskView {
	const mine = updates.filter((u) => u.task === task.id).sort(byTime);
	let status: TaskStatus = mine.length > 0 ? 'in_progress' : 'open';
	let doneAt: number | undefined;
	for (const u of mine) {
		if (u.mark === 'done') {
			status = 'done';
			doneAt = u.at;
		} else if (u.mark === 'reopened' || (u.mark === 'started' && status !== 'done')) {
			status = 'in_progress';
			doneAt = undefined;
		}
	}
	const late = status !== 'done' && isDay(task.due) ? daysBetween(task.due, today) : 0;
	return { task, status, updates: mine, overdue: late > 0, daysOverdue: Math.max(0, late), ...(doneAt !== undefined ? { doneAt } : {}) };
}

/** The project's work as of `today`: each task's state, what is overdue, and what comes due next. */
export function work(tasks: readonly Task[], updates: readonly ProgressUpdate[], today: Day): Work {
	const notCounted: Work['notCounted'] = [];
	const valid = tasks.filter((t) => {
		if (isManager(t.by.role)) return true;
		notCounted.push({ what: 'task', id: t.id, by: t.by });
		return false;
	});
	const ids = new Set(valid.map((t) => t.id));
	const counted = updates.filter((u) => {
		if (!ids.has(u.task)) return false;
		if (REPORTERS.includes(u.by.role)) return true;
		notCounted.push({ what: 'update', id: u.id, by: u.by });
		return false;
	});
	const views = valid
		.map((t) => taskView(t, counted, today))
		.sort((a, b) => (a.task.due < b.task.due ? -1 : a.task.due > b.task.due ? 1 : byTime(a.task, b.task)));
	const count = (s: TaskStatus) => views.filter((v) => v.status === s).length;
	const pending = views.filter((v) => v.status !== 'done').map((v) => v.task.due);
	return {
		tasks: views,
		open: count('open'),
		inProgress: count('in_progress'),
		done: count('done'),
		overdue: views.filter((v) => v.overdue).length,
		started: views.some((v) => v.status !== 'open'),
		allDone: views.length > 0 && views.every((v) => v.status === 'done'),
		nextDue: pending.length > 0 ? pending.sort()[0]! : null,
		notCounted
	};
}

export interface TaskDraft {
	title: string;
	responsible: string;
	due: string;
}

export type TaskIssue = 'title' | 'responsible' | 'due';

export function validateTask(d: TaskDraft): TaskIssue[] {
	const issues: TaskIssue[] = [];
	if (!d.title.trim()) issues.push('title');
	if (!d.responsible.trim()) issues.push('responsible');
	if (!isDay(d.due)) issues.push('due');
	return issues;
}
