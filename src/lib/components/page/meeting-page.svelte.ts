/**
 * What the meeting page and its print sheet both open: the meeting (`?doc=`), the name of its private minutes and
 * what this device may do with them, and the titles of the topics and proposals its decisions cite. Each page
 * opens the minutes itself, when it needs them. Construct during component initialisation, like liveDoc.
 */
import { minutesDocName } from '$lib/schema/doc-names';
import { isMeetingDoc, readMeeting } from '$lib/schema/meeting-doc';
import { accessTo } from '$lib/components/access/access';
import { liveIndex } from '$lib/components/intake/live-index.svelte';
import { liveDoc } from '$lib/components/live-doc.svelte';
import { liveTopics } from '$lib/components/meetings/live-meetings.svelte';
import { DocAccess } from './doc-access.svelte';

export class MeetingPage {
	readonly target = new DocAccess('meeting');
	readonly minutesName = $derived(this.target.valid && this.target.parsed ? minutesDocName(this.target.parsed.community, this.target.parsed.id) : '');
	readonly minutesAccess = $derived(this.minutesName ? accessTo(this.target.grant, this.minutesName) : 'none');
	readonly live = liveDoc(
		() => (this.target.readable ? this.target.docName : null),
		(doc) => (isMeetingDoc(doc) ? readMeeting(doc) : null)
	);
	readonly topics = liveTopics();
	readonly #proposals = liveIndex('proposal');
	readonly titles = $derived(new Map([...(this.topics.entries ?? []), ...(this.#proposals.entries ?? [])].map((e) => [e.doc, e.title])));
}
