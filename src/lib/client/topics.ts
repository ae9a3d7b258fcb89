/** Topic actions: gather proposals into a topic (议题), moving each accepted one along to 'topic'. */
import type { CategoryId } from '../domain/lists';
import { newId } from '../domain/ids';
import type { ProposalStatus } from '../domain/proposal';
import { topicDocName } from '../schema/doc-names';
import { addToTopic, createTopic as writeTopic } from '../schema/topic-doc';
import type { DocHandle } from './doc-store';
import { type ProposalsApp, transition } from './proposals';

/** What the actions need of the app: the proposals' port (a topic moves its proposals along). */
export type TopicsApp = ProposalsApp;

/** Creates a topic (议题) holding the given proposals, moving each accepted one to 'topic'. */
export async function createTopic(
	app: TopicsApp,
	title: string,
	category: CategoryId | '',
	proposals: { handle: DocHandle; status: ProposalStatus }[]
): Promise<string> {
	const id = newId();
	const name = topicDocName(app.community, id);
	const topic = await app.store.openDoc(name);
	try {
		await topic.change((doc) => writeTopic(doc, { id, title, category, level: 'community' }, app.actorSnapshot(), Date.now()));
		for (const p of proposals) await joinTopic(app, topic, p.handle, p.status);
	} finally {
		topic.release();
	}
	return name;
}

/** Adds a proposal to a topic; an accepted proposal moves to 'topic' with the topic as target. */
export async function joinTopic(app: TopicsApp, topic: DocHandle, proposal: DocHandle, status: ProposalStatus): Promise<void> {
	await topic.change((doc) => addToTopic(doc, proposal.name, app.actorSnapshot(), Date.now()));
	if (status === 'accepted') await transition(app, proposal, 'accepted', 'topic', { target: topic.name });
}
