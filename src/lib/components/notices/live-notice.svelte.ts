/**
 * The notice a page's `?doc=` names: what this device may do with it and the notice itself, live. The notice page
 * and its poster both open it this way. Call during component initialisation, like liveDoc.
 */
import { readNotice } from '$lib/schema/notice-doc';
import { liveDoc } from '../live-doc.svelte';
import { DocAccess } from '../page/doc-access.svelte';

export function liveNotice() {
	const target = new DocAccess('notice');
	const live = liveDoc(
		() => (target.readable ? target.docName : null),
		(doc) => readNotice(doc)
	);
	return { target, live };
}
