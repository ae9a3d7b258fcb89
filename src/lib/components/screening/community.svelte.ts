/** The community document (rules, lists, buildings) for pages that need it, when the role may read it. */
import { courtyard } from '$lib/client/courtyard.svelte';
import { readCommunity } from '$lib/schema/community-doc';
import { communityDocName } from '$lib/schema/doc-names';
import { accessTo } from '../access/access';
import { liveDoc } from '../live-doc.svelte';

export function liveCommunity() {
	const app = courtyard();
	return liveDoc(
		() => {
			const name = communityDocName(app.community);
			return accessTo(app.device?.grant, name) !== 'none' ? name : null;
		},
		(doc) => readCommunity(doc)
	);
}
