/**
 * Convention actions: start a convention, suggest a change to a passage, accept or reject a suggestion,
 * consolidate the text as a version, and put a version to a household poll. Each writes through the schema
 * writers and resolves once the change is in IndexedDB (and queued for the relay). Input is checked first: a
 * refused action throws InvalidConventionError and writes nothing.
 *
 * The result of a ratification is recorded when its poll is closed (polls.ts closePoll, with
 * recordRatificationResult), from the tally the facilitator closes it with, so the version in force always
 * follows a poll that carried.
 */
import type { Actor } from '../domain/actor';
import {
	COMMENT_MAX,
	type ConventionScope,
	keepsConventions,
	mayRatify,
	nextVersion,
	QUOTE_MAX,
	type Ratification,
	type SuggestionKind,
	TITLE_MAX
} from '../domain/conventions';
import { newId } from '../domain/ids';
import type { PollRule } from '../domain/poll';
import type { RoomRules } from '../domain/rooms';
import { parseRules } from '../domain/rooms';
import { plainText, putRatification, putSuggestion, putVerdict, putVersion, readConvention, startConvention as writeStart } from '../schema/convention-doc';
import { conventionDocName } from '../schema/doc-names';
import type { ActionsApp } from './actions-app';
import { createPoll, type PollsApp } from './polls';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export type ConventionsApp = ActionsApp;

export class InvalidConventionError extends Error {
	override readonly name = 'InvalidConventionError';
	constructor(readonly code: string) {
		super(code);
	}
}

const refuse = (code: string): never => {
	throw new InvalidConventionError(code);
};

function staff(app: ConventionsApp): Actor {
	const by = app.actorSnapshot();
	if (!keepsConventions(by.role)) refuse('not_staff');
	return by;
}

/** Starts a convention for the compound, a building or a room; resolves with its document name. */
export async function startConvention(app: ConventionsApp, input: { title: string; scope: ConventionScope; firstLine?: string }): Promise<string> {
	const by = staff(app);
	const title = input.title.trim();
	if (!title || title.length > TITLE_MAX) refuse('title');
	const id = newId();
	const name = conventionDocName(app.community, id);
	await app.store.edit(name, (doc) => writeStart(doc, { id, title, scope: input.scope, by, at: Date.now() }, (input.firstLine ?? title).trim()));
	return name;
}

export interface SuggestionInput {
	kind: SuggestionKind;
	/** Made by the editor from the selected passage (anchorOfSelection), or by anchorPassage. */
	anchor: { start: string; end: string; quote: string };
	replacement: string;
	comment: string;
}

/** A comment on a passage, or a proposed change to it; anyone in the community may make one. */
export async function suggest(app: ConventionsApp, doc: string, input: SuggestionInput): Promise<string> {
	const by = app.actorSnapshot();
	const comment = input.comment.trim();
	const replacement = input.replacement.trim();
	if (!input.anchor.quote) refuse('passage');
	if (input.kind === 'comment' && !comment) refuse('comment');
	if (comment.length > COMMENT_MAX || replacement.length > QUOTE_MAX) refuse('too_long');
	const id = newId();
	await app.store.edit(doc, (d) =>
		putSuggestion(d, {
			id,
			kind: input.kind,
			anchor: { start: input.anchor.start, end: input.anchor.end },
			quote: input.anchor.quote.slice(0, QUOTE_MAX),
			replacement,
			comment,
			by,
			at: Date.now()
		})
	);
	return id;
}

/** Staff accept or reject a suggestion (an accepted change is then made in the text, by hand or by applying it). */
export async function decide(app: ConventionsApp, doc: string, suggestion: string, verdict: 'accepted' | 'rejected', note = ''): Promise<void> {
	const by = staff(app);
	await app.store.edit(doc, (d) => {
		if (!readConvention(d)?.suggestions.some((s) => s.id === suggestion)) refuse('suggestion');
		putVerdict(d, { suggestion, verdict, by, at: Date.now(), note: note.trim().slice(0, COMMENT_MAX) });
	});
}

/**
 * Freezes the current text as the next version, with the suggestions accepted since the last one and the rules
 * that follow from it (for a room: hours, limits, cleaning points). Resolves with the version number.
 */
export async function consolidate(app: ConventionsApp, doc: string, input: { note: string; rules?: Partial<RoomRules> | null }): Promise<number> {
	const by = staff(app);
	if (input.rules && !parseRules(input.rules)) refuse('rules');
	return app.store.edit(doc, (d) => {
		const state = readConvention(d) ?? refuse('convention');
		const text = plainText(d);
		if (!text.trim()) refuse('empty');
		const latest = state.versions.at(-1);
		if (latest && latest.text === text && JSON.stringify(latest.rules) === JSON.stringify(input.rules ?? null)) refuse('unchanged');
		const { n, accepted } = nextVersion(state);
		putVersion(d, { n, text, rules: input.rules ?? null, accepted, by, at: Date.now(), note: input.note.trim().slice(0, COMMENT_MAX) });
		return n;
	});
}

export interface RatificationInput {
	version: number;
	rule: PollRule;
	/** Who votes: the building for a building's or a room's convention, the whole compound otherwise. */
	electorate: { scope: 'community' | 'building'; ids: string[] };
	opensAt: number;
	closesAt: number;
}

/**
 * Puts a version to a household poll (同意 / 不同意 / 弃权) under the chosen rule, and records the ratification.
 * Resolves with the poll's document name.
 */
export async function openRatification(app: ConventionsApp & PollsApp, doc: string, input: RatificationInput): Promise<string> {
	const by = staff(app);
	const state = await app.store.withDoc(doc, (h) => readConvention(h.doc));
	if (!state) refuse('convention');
	const ok = mayRatify(state!, input.version);
	if (ok !== 'ok') refuse(ok);
	const version = state!.versions.find((v) => v.n === input.version)!;
	const poll = await createPoll(app, {
		title: `表决《${state!.meta.title}》第${input.version}版`,
		description: version.text.slice(0, 1900),
		options: [
			{ id: 'yes', label: '同意' },
			{ id: 'no', label: '不同意' },
			{ id: 'abstain', label: '弃权', abstain: true }
		],
		electorate: input.electorate,
		rule: input.rule,
		opensAt: input.opensAt,
		closesAt: input.closesAt,
		hideResults: false,
		matters: [doc]
	});
	const ratification: Ratification = { id: newId(), version: input.version, poll: poll.split(':')[2]!, rule: input.rule.kind, by, at: Date.now() };
	await app.store.edit(doc, (d) => putRatification(d, ratification));
	return poll;
}
