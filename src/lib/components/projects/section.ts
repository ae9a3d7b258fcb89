/** What the project page hands each of its sections. */
import type { Project, ProjectState } from '$lib/domain/project';
import type { OpenHandle } from '../live-doc.svelte';

export interface SectionProps {
	project: Project;
	view: ProjectState;
	/** The project document, open for as long as the page is. */
	handle: OpenHandle | null;
	docName: string;
	/** May write the project itself (staff). */
	writable: boolean;
	/** May write its participation document: pledge, sign off, rate, ask. */
	contributable: boolean;
	manager: boolean;
}
