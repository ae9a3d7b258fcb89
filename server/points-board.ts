/**
 * The public points board: each community's `<community>:points:public` (schema/points-doc.ts, PointsBoard),
 * written by the relay alone and read by everyone in the community. It holds aggregates only: totals of points
 * and service hours, the names of households that chose to appear (domain boardFigures), the stock left of each
 * item still in the catalogue, and how many registered people have each skill. Never a household id, a movement,
 * a contact detail or the name of a household that did not opt in.
 *
 * It is computed from the community's passbooks, its points config (`points:main`) and its register of talents
 * (`talents:main`), and follows the hub's change feed. Changes are coalesced per community: a recomputation
 * waits until the community's documents have been quiet for `debounceMs` (at most `maxWaitMs` after the first
 * change), so a device pushing a day of offline work is served before the board is looked at. One community is
 * recomputed at a time, and only its documents of those three kinds are read, straight from storage, one at a
 * time with a turn of the event loop between them: device writes arriving meanwhile go first.
 *
 * What the board needs of a passbook is small and does not depend on the clock (points earned, hours, counted
 * redemptions), so it is kept in memory per household and only changed passbooks are read again; a change of the
 * community's settings (the approval threshold decides which awards count) reads them all again. On start, after
 * `startDelayMs` (the reconnecting devices first), the stored documents are listed once, names only.
 */
import * as Y from 'yjs';
import { type BoardChoice, boardFigures, type Passbook, type PassbookLine, passbook, type PointsSettings, stockAudit } from '../src/lib/domain/points';
import { talentCounts } from '../src/lib/domain/talents';
import { parseDocName, passbookDocName, pointsBoardDocName, pointsDocName, talentsDocName } from '../src/lib/schema/doc-names';
import { readBoardChoice, readPassbookRecords } from '../src/lib/schema/passbook-doc';
import { type BoardTalents, type PointsBoard, type PointsConfig, readPointsConfig, writePointsBoard } from '../src/lib/schema/points-doc';
import { docFromState } from '../src/lib/schema/record-changes';
import { readTalents } from '../src/lib/schema/talents-doc';
import type { ChangedDoc, FeedListener, Hub } from './hub';
import type { Logger } from './log';
import { storedState } from './photo-gc';
import { RelayDocs } from './relay-docs';

export interface PointsBoardOptions {
	hub: Hub;
	logger: Logger;
	now?: () => number;
	/** Quiet time after a community's last change before its board is recomputed. Default 1 s. */
	debounceMs?: number;
	/** Longest a stream of changes holds a recomputation back. Default 10 s. */
	maxWaitMs?: number;
	/** List the stored documents on start. Default true. */
	scan?: boolean;
	/**
	 * Wait before that listing (and before publishing anything), so that the devices reconnecting after a restart
	 * are served first; changes meanwhile are remembered. Default 15 s (POINTS_BOARD_START_DELAY).
	 */
	startDelayMs?: number;
}

const DEFAULT_START_DELAY_MS = 15_000;
/** Origin of the publisher's own writes. */
const BOARD_ORIGIN = Symbol('points board publisher');
const SCAN_PAGE = 10_000;
/** A failed recomputation (a storage fault) is tried again after this. */
const RETRY_MS = 30_000;

export interface PointsBoards {
	publisher: PointsBoardPublisher;
	/** Stops the publisher (timers, feed) and waits for a recomputation in progress. */
	close(): Promise<void>;
}

export function createPointsBoard(options: PointsBoardOptions): PointsBoards {
	const publisher = new PointsBoardPublisher(options);
	options.hub.addFeedListener(publisher);
	publisher.start(options.scan !== false, options.startDelayMs ?? DEFAULT_START_DELAY_MS);
	return {
		publisher,
		close: async () => {
			options.hub.removeFeedListener(publisher);
			await publisher.close();
		}
	};
}

// ---- the board, from the documents (pure) ----

/**
 * What the board keeps of one household's passbook, folded under the community's settings: the passbook's
 * totals, with only the lines the stock audit needs (counted redemptions and their reversals), and the
 * household's choice of how to appear. The household id stays in the relay's memory; it is never published.
 */
export interface HouseholdFigures {
	book: Passbook;
	choice: BoardChoice | null;
}

/** Counted redemptions, and counted reversals of redemptions (their goods go back into stock). */
function stockLines(lines: readonly PassbookLine[]): PassbookLine[] {
	const redemptions = new Set<string>();
	const out: PassbookLine[] = [];
	for (const l of lines) {
		if (l.status !== 'counted' || !l.transfer) continue;
		if (l.transfer.kind === 'redeem') {
			redemptions.add(l.id);
			out.push(l);
		} else if (l.transfer.kind === 'reverse' && redemptions.has(l.transfer.reverses ?? '')) out.push(l);
	}
	return out;
}

/**
 * One passbook document as the board counts it. The totals used (earned, hours, redemptions) and which lines
 * count do not depend on `now` (only expiry does), so the result holds until the document or the settings change.
 */
export function householdFigures(doc: Y.Doc, household: string, settings: PointsSettings, now: number): HouseholdFigures {
	const book = passbook(readPassbookRecords(doc, household), settings, now);
	return { book: { ...book, lines: stockLines(book.lines), expiring: [], flags: [] }, choice: readBoardChoice(doc) };
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, 'zh-Hans-CN');

/** The community's points config; the defaults (no items, default settings) while it has no document. */
export const pointsConfigOf = (doc: Y.Doc | null): PointsConfig => readPointsConfig(doc ?? new Y.Doc());

/** What the board shows of the register of talents: counts only, never a name or a contact detail. */
export function boardTalents(doc: Y.Doc | null): BoardTalents {
	const register = readTalents(doc ?? new Y.Doc());
	const counts = talentCounts(register.people, register.skills);
	return {
		bySkill: counts.bySkill.map((c) => ({ skill: c.skill.id, name: c.skill.name, people: c.people })),
		activists: counts.activists,
		buildingHeads: counts.buildingHeads,
		total: counts.total
	};
}

/**
 * The public board: totals and opted-in names over every household, the stock left of each item still in the
 * catalogue, and the register's counts by skill.
 */
export function computePointsBoard(households: readonly HouseholdFigures[], config: PointsConfig, talents: BoardTalents, now: number): PointsBoard {
	const choices = new Map<string, BoardChoice>();
	for (const h of households) if (h.choice) choices.set(h.book.household, h.choice);
	const stock = stockAudit(config.items, config.restocks, households.flatMap((h) => h.book.lines), []);
	const remaining = new Map(stock.map((s) => [s.item, s.remaining]));
	return {
		updated: now,
		figures: boardFigures(households.map((h) => h.book), choices),
		stock: config.items
			.filter((i) => !i.retired)
			.sort((a, b) => byName(a, b) || (a.id < b.id ? -1 : 1))
			.map((i) => ({ item: i.id, name: i.name, price: i.price, unit: i.unit, remaining: remaining.get(i.id) ?? 0 })),
		talents
	};
}

/** Two boards with the same content (the time they were computed aside). */
export function sameBoard(a: PointsBoard | null, b: PointsBoard | null): boolean {
	const content = (x: PointsBoard | null) => (x ? JSON.stringify({ ...x, updated: 0 }) : null);
	return content(a) === content(b);
}

// ---- the publisher ----

/** What one community's board is computed from. */
interface CommunityState {
	id: string;
	/** Every passbook known (household → figures; null until read, or when the document holds nothing). */
	households: Map<string, HouseholdFigures | null>;
	/** Passbooks to read again before the next publication. */
	dirty: Set<string>;
	/** The config and what the board shows of the register, as last read, and whether they changed since. */
	config: PointsConfig | null;
	talents: BoardTalents | null;
	pointsDirty: boolean;
	talentsDirty: boolean;
	/** The settings the households' figures were folded under. */
	settings: string | null;
	/** The board last written (or found written), to leave the document alone when nothing changed. */
	published: PointsBoard | null;
}

/** Which part of a community's board a document feeds; null for everything else (the board itself included). */
function sourceOf(doc: string): { community: string; passbook?: string; part?: 'points' | 'talents' } | null {
	const ref = parseDocName(doc);
	if (!ref) return null;
	if (ref.kind === 'passbook') return { community: ref.community, passbook: ref.id };
	if (ref.kind === 'points' && ref.id === 'main') return { community: ref.community, part: 'points' };
	if (ref.kind === 'talents' && ref.id === 'main') return { community: ref.community, part: 'talents' };
	return null;
}

export class PointsBoardPublisher implements FeedListener {
	private readonly communities = new Map<string, CommunityState>();
	/** Community → its debounce timer and when its first waiting change came. */
	private readonly pending = new Map<string, { timer: NodeJS.Timeout; first: number }>();
	/** Communities waiting for a recomputation, in order. */
	private readonly queue = new Set<string>();
	private readonly docs: RelayDocs;
	private readonly hub: Hub;
	private readonly logger: Logger;
	private readonly now: () => number;
	private readonly debounceMs: number;
	private readonly maxWaitMs: number;
	/** Until the start (and its listing of the stored documents), changes are only remembered. */
	private starting = true;
	private running: Promise<void> | null = null;
	private startTimer: NodeJS.Timeout | null = null;
	private retryTimer: NodeJS.Timeout | null = null;
	private readonly retrying = new Set<string>();
	private closed = false;

	constructor(options: PointsBoardOptions) {
		this.hub = options.hub;
		this.logger = options.logger;
		this.docs = new RelayDocs(options.hub);
		this.now = options.now ?? Date.now;
		this.debounceMs = Math.max(0, options.debounceMs ?? 1_000);
		this.maxWaitMs = Math.max(this.debounceMs, options.maxWaitMs ?? 10_000);
	}

	onChanges(_headSeq: number, changed: readonly ChangedDoc[]): void {
		if (this.closed) return;
		const touched = new Set<string>();
		for (const c of changed) {
			if (c.origins.size === 1 && c.origins.has(BOARD_ORIGIN)) continue;
			if (this.note(c.doc)) touched.add(parseDocName(c.doc)!.community);
		}
		for (const community of touched) this.schedule(community);
	}

	/** Marks what a changed (or listed) document feeds; false when it feeds no board. */
	private note(doc: string): boolean {
		const source = sourceOf(doc);
		if (!source) return false;
		const state = this.state(source.community);
		if (source.passbook !== undefined) {
			if (!state.households.has(source.passbook)) state.households.set(source.passbook, null);
			state.dirty.add(source.passbook);
		} else if (source.part === 'points') state.pointsDirty = true;
		else state.talentsDirty = true;
		return true;
	}

	/** Begins after `delayMs`: with the listing of the stored documents, or from the change feed alone. */
	start(scan: boolean, delayMs: number): void {
		const begin = () => (scan ? void this.scan() : this.begin());
		if (delayMs <= 0) return begin();
		this.startTimer = setTimeout(begin, delayMs);
		this.startTimer.unref();
	}

	/** Lists the stored documents once (names only), then publishes every community that has any. */
	private async scan(): Promise<void> {
		try {
			let cursor = 0;
			for (;;) {
				const page = await this.hub.store.changesSince(cursor, SCAN_PAGE);
				for (const entry of page.entries) {
					cursor = entry.seq;
					this.note(entry.doc);
				}
				if (page.entries.length < SCAN_PAGE || this.closed) break;
				await this.hub.backgroundTurn();
			}
		} catch (error) {
			if (this.closed) return;
			this.logger.warn('listing the stored documents for the points boards failed; trying again shortly', error);
			this.startTimer = setTimeout(() => void this.scan(), RETRY_MS);
			this.startTimer.unref();
			return;
		}
		this.begin();
	}

	private begin(): void {
		this.starting = false;
		for (const [id, s] of this.communities) if (s.dirty.size > 0 || s.pointsDirty || s.talentsDirty) this.queue.add(id);
		this.drain();
	}

	/** Recomputes one community without waiting for its changes to settle (an operator's tool, a test). */
	publishNow(community: string): void {
		this.state(community);
		this.queue.add(community);
		this.drain();
	}

	/** Resolves when nothing is queued or being recomputed (tests). */
	async settled(): Promise<void> {
		while (this.running) await this.running;
	}

	async close(): Promise<void> {
		this.closed = true;
		for (const p of this.pending.values()) clearTimeout(p.timer);
		this.pending.clear();
		if (this.startTimer) clearTimeout(this.startTimer);
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.queue.clear();
		await this.running;
	}

	private state(community: string): CommunityState {
		let state = this.communities.get(community);
		if (!state) {
			state = {
				id: community,
				households: new Map(),
				dirty: new Set(),
				config: null,
				talents: null,
				pointsDirty: true,
				talentsDirty: true,
				settings: null,
				published: null
			};
			this.communities.set(community, state);
		}
		return state;
	}

	/** Waits for the community to be quiet for debounceMs, and no longer than maxWaitMs since its first change. */
	private schedule(community: string): void {
		if (this.closed || this.starting || this.queue.has(community)) return;
		const now = Date.now();
		const waiting = this.pending.get(community);
		if (waiting) clearTimeout(waiting.timer);
		const first = waiting?.first ?? now;
		const timer = setTimeout(
			() => {
				this.pending.delete(community);
				this.queue.add(community);
				this.drain();
			},
			Math.max(0, Math.min(this.debounceMs, first + this.maxWaitMs - now))
		);
		timer.unref();
		this.pending.set(community, { timer, first });
	}

	private drain(): void {
		if (this.running || this.closed || this.starting) return;
		this.running = (async () => {
			while (!this.closed) {
				const community = this.queue.values().next().value as string | undefined;
				if (community === undefined) break;
				this.queue.delete(community);
				try {
					await this.publish(community);
				} catch (error) {
					if (this.closed) break;
					this.logger.warn(`publishing the points board of ${community} failed`, error);
					this.retry(community);
				}
			}
		})().finally(() => {
			this.running = null;
			if (!this.closed && this.queue.size > 0) this.drain();
		});
	}

	private retry(community: string): void {
		this.retrying.add(community);
		if (this.retryTimer) return;
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			for (const c of this.retrying) this.queue.add(c);
			this.retrying.clear();
			this.drain();
		}, RETRY_MS);
		this.retryTimer.unref();
	}

	/**
	 * A document as stored (every committed update is in storage before the feed tells), given to `fn` and
	 * destroyed after; null when it has no updates.
	 */
	private async withStored<T>(name: string, fn: (doc: Y.Doc | null) => T): Promise<T> {
		const doc = docFromState(await storedState((d) => this.hub.store.loadUpdates(d), name));
		try {
			return fn(doc);
		} finally {
			doc?.destroy();
		}
	}

	private async publish(community: string): Promise<void> {
		const state = this.communities.get(community);
		if (!state) return;
		const now = this.now();
		if (state.pointsDirty || !state.config) {
			state.pointsDirty = false;
			try {
				state.config = await this.withStored(pointsDocName(community), pointsConfigOf);
			} catch (error) {
				state.pointsDirty = true;
				throw error;
			}
			await this.hub.backgroundTurn();
		}
		if (state.talentsDirty || !state.talents) {
			state.talentsDirty = false;
			try {
				state.talents = await this.withStored(talentsDocName(community), boardTalents);
			} catch (error) {
				state.talentsDirty = true;
				throw error;
			}
			await this.hub.backgroundTurn();
		}
		const { config, talents } = state;
		// Which awards count depends on the settings: every passbook is folded again under new ones.
		const settingsKey = JSON.stringify(config.settings);
		if (state.settings !== settingsKey) for (const h of state.households.keys()) state.dirty.add(h);
		state.settings = settingsKey;

		const households = [...state.dirty];
		state.dirty.clear();
		for (const [i, household] of households.entries()) {
			try {
				const figures = await this.withStored(passbookDocName(community, household), (doc) =>
					doc ? householdFigures(doc, household, config.settings, now) : null
				);
				state.households.set(household, figures);
			} catch (error) {
				// Not lost: read again with the next publication.
				for (const h of households.slice(i)) state.dirty.add(h);
				throw error;
			}
			await this.hub.backgroundTurn();
		}

		const figures = [...state.households.values()].filter((h): h is HouseholdFigures => h !== null);
		const board = computePointsBoard(figures, config, talents, now);
		if (state.published && sameBoard(state.published, board)) return;
		// Compared again with what the document holds (after a restart, the same board is not written twice).
		await this.docs.write(pointsBoardDocName(community), BOARD_ORIGIN, (doc) => writePointsBoard(doc, board));
		state.published = board;
	}
}
