/**
 * A topic document. Root keys:
 *   meta      Y.Map  schema, id, title, category, level, createdAt, createdBy
 *   proposals Y.Map  proposal document name → { at, by } (joining twice is one entry)
 */
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import type { CategoryId } from '../domain/lists';
import type { Level } from '../domain/proposal';
import type { Topic } from '../domain/topic';
import { writeMeta } from './meta';

export interface TopicMember {
	at: number;
	by: Actor;
}

export function createTopic(
	doc: Y.Doc,
	t: { id: string; title: string; category: CategoryId | ''; level: Level },
	actor: Actor,
	now: number
): void {
	doc.transact(() => writeMeta(doc, { id: t.id, title: t.title, category: t.category, level: t.level, createdAt: now, createdBy: actor }));
}

export function addToTopic(doc: Y.Doc, proposalDoc: string, actor: Actor, now: number): void {
	doc.getMap<TopicMember>('proposals').set(proposalDoc, { at: now, by: actor });
}

export function readTopic(doc: Y.Doc, name: string): Topic {
	const meta = doc.getMap<unknown>('meta');
	const members = doc.getMap<TopicMember>('proposals');
	return {
		id: String(meta.get('id') ?? ''),
		doc: name,
		title: String(meta.get('title') ?? ''),
		category: (meta.get('category') as CategoryId | undefined) ?? '',
		level: (meta.get('level') as Level | undefined) ?? 'community',
		createdAt: Number(meta.get('createdAt') ?? 0),
		createdBy: (meta.get('createdBy') as Actor | undefined) ?? null,
		proposals: [...members.entries()].sort((a, b) => a[1].at - b[1].at).map(([d]) => d)
	};
}
