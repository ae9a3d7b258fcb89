/**
 * The register of talents as runes state, for staff who may read it, and the project tasks linked to its people.
 * Call during component initialisation, like liveDoc.
 */
import { courtyard } from '$lib/client/courtyard.svelte';
import { cstDay } from '$lib/domain/calendar';
import { type TaskView, work } from '$lib/domain/tasks';
import { talentsDocName } from '$lib/schema/doc-names';
import { isProjectDoc, readProject } from '$lib/schema/project-doc';
import { readTalents } from '$lib/schema/talents-doc';
import { accessTo } from '../access/access';
import { liveCommunityDoc, liveDocs } from '../live-doc.svelte';
import { liveProjects } from '../projects/live.svelte';

/** The community's register (skills and people); nothing is opened for a role that may not read it. */
export const liveTalents = () => liveCommunityDoc(talentsDocName, readTalents);

export interface LinkedTask {
	/** The project document. */
	doc: string;
	project: string;
	view: TaskView;
}

/**
 * Tasks whose responsible party was picked from the register, by person id. A community runs tens of projects,
 * not thousands, so their documents are simply opened together while the page is.
 */
export function liveLinkedTasks(enabled: () => boolean) {
	const app = courtyard();
	const projects = liveProjects();
	const names = $derived(
		enabled() ? (projects.entries ?? []).map((e) => e.doc).filter((name) => accessTo(app.device?.grant, name) !== 'none').sort() : []
	);
	return liveDocs(
		() => (names.length > 0 ? names : null),
		(docs) => {
			const today = cstDay(Date.now());
			const byPerson = new Map<string, LinkedTask[]>();
			for (const doc of docs) {
				if (!isProjectDoc(doc)) continue;
				const project = readProject(doc);
				for (const view of work(project.tasks, project.updates, today).tasks) {
					const person = view.task.person;
					if (!person) continue;
					const list = byPerson.get(person) ?? [];
					// Documents are opened under their names.
					list.push({ doc: doc.guid, project: project.title, view });
					byPerson.set(person, list);
				}
			}
			return byPerson;
		}
	);
}
