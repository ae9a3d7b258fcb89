/** The community document (rules, lists, buildings) for pages that need it, when the role may read it. */
import { readCommunity } from '$lib/schema/community-doc';
import { communityDocName } from '$lib/schema/doc-names';
import { liveCommunityDoc } from '../live-doc.svelte';

export const liveCommunity = () => liveCommunityDoc(communityDocName, readCommunity);
