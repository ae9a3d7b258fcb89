/**
 * A notice document (公示). Root keys:
 *   meta  Y.Map   schema, id, kind, title, from, to, matter, request, createdAt, createdBy, withdrawn
 *   body  Y.Text  so two facilitators correcting the wording merge instead of overwriting
 * Residents read notices; facilitators and admins write them (the relay enforces it).
 */
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { isDay } from '../domain/calendar';
import { NOTICE_KINDS, type Notice, type NoticeKind } from '../domain/notice';
import { SCHEMA_VERSION } from './doc-names';
import type { IndexEntry } from './index-entry';
import { meta } from './meta';

type IndexSummary = Pick<IndexEntry, 'title' | 'createdBy' | 'updated' | 'count' | 'created'>;

const body = (doc: Y.Doc) => doc.getText('body');

export function isNoticeDoc(doc: Y.Doc): boolean {
	return typeof meta(doc).get('id') === 'string';
}

export interface NoticeFields {
	id: string;
	kind: NoticeKind;
	title: string;
	body: string;
	from: string;
	to: string;
	/** Document name of the matter it is about (a project, meeting, proposal …); a project records it in its timeline. */
	matter?: string;
	/** The disclosure request of that project it answers. */
	request?: string;
}

export function createNotice(doc: Y.Doc, n: NoticeFields, actor: Actor, now: number): void {
	doc.transact(() => {
		const m = meta(doc);
		m.set('schema', SCHEMA_VERSION);
		m.set('id', n.id);
		m.set('kind', n.kind);
		m.set('title', n.title);
		m.set('from', n.from);
		m.set('to', n.to);
		if (n.matter) m.set('matter', n.matter);
		if (n.request) m.set('request', n.request);
		m.set('createdAt', now);
		m.set('createdBy', actor);
		body(doc).insert(0, n.body);
	});
}

/** Takes a notice down before its end; it stays readable in the archive with the reason. */
export function withdrawNotice(doc: Y.Doc, actor: Actor, now: number, reason: string): void {
	meta(doc).set('withdrawn', { at: now, by: actor, reason });
}

export function readNotice(doc: Y.Doc): Notice | null {
	const m = meta(doc);
	const id = m.get('id');
	const by = m.get('createdBy') as Actor | undefined;
	if (typeof id !== 'string' || !by) return null;
	const kind = m.get('kind') as NoticeKind;
	const from = String(m.get('from') ?? '');
	const to = String(m.get('to') ?? '');
	const matter = m.get('matter');
	const request = m.get('request');
	const withdrawn = m.get('withdrawn') as Notice['withdrawn'];
	return {
		id,
		kind: NOTICE_KINDS.includes(kind) ? kind : 'general',
		title: String(m.get('title') ?? ''),
		body: body(doc).toString(),
		// A damaged period reads as a one-day notice on its start, so the board still places it.
		from: isDay(from) ? from : isDay(to) ? to : '1970-01-01',
		to: isDay(to) ? to : isDay(from) ? from : '1970-01-01',
		...(typeof matter === 'string' ? { matter } : {}),
		...(typeof request === 'string' ? { request } : {}),
		at: Number(m.get('createdAt') ?? 0),
		by,
		...(withdrawn ? { withdrawn } : {})
	};
}

/** What the notice board needs from the index without opening each notice. */
export interface NoticeIndexFields {
	noticeKind: NoticeKind;
	from: string;
	to: string;
	matter?: string;
	withdrawn?: boolean;
}

export function noticeIndexFields(n: Notice): NoticeIndexFields {
	return {
		noticeKind: n.kind,
		from: n.from,
		to: n.to,
		...(n.matter ? { matter: n.matter } : {}),
		...(n.withdrawn ? { withdrawn: true } : {})
	};
}

/** The notice's index entry fields (see index-entry.ts); null while the document is still empty. */
export function noticeSummary(doc: Y.Doc): (IndexSummary & NoticeIndexFields) | null {
	const n = readNotice(doc);
	if (!n) return null;
	return { title: n.title, createdBy: n.by.id, updated: n.at, count: 0, created: n.at, ...noticeIndexFields(n) };
}
