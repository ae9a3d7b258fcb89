/** Where a notice's matter opens in the app, by the kind of its document. */
import { parseDocName } from '$lib/schema/doc-names';

export function matterPath(doc: string | undefined): string | null {
	const kind = doc ? parseDocName(doc)?.kind : undefined;
	if (!doc || !kind) return null;
	switch (kind) {
		case 'project':
		case 'proposal':
		case 'topic':
		case 'poll':
		case 'meeting':
			return `/${kind}?doc=${encodeURIComponent(doc)}`;
		default:
			return null;
	}
}

export const noticePath = (doc: string) => `/notice?doc=${encodeURIComponent(doc)}`;
