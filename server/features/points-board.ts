/**
 * The public points board: each community's `<community>:points:public` (schema/points-doc.ts, PointsBoard),
 * written by the relay alone and read by everyone in the community. It holds aggregates only: totals of points
 * and service hours, the names of households that chose to appear (domain boardFigures), the stock left of each
 * item still in the catalogue, and how many registered people have each skill. Never a household id, a movement,
 * a contact detail or the name of a household that did not opt in.
 *
 * It is computed from the community's passbooks, its points config (`points:main`) and its register of talents
 * (`talents:main`), following the hub's change feed as every community publisher does (community-publisher.ts:
 * changes coalesced per community, documents read one at a time after device writes).
 *
 * What the board needs of a passbook is small and does not depend on the clock (points earned, hours, counted
 * redemptions), so it is kept in memory per household and only changed passbooks are read again; a change of the
 * community's settings (the approval threshold decides which awards count) reads them all again.
 */
import * as Y from 'yjs';
import { type BoardChoice, boardFigures, type Passbook, type PassbookLine, passbook, type PointsSettings, stockAudit } from '../../src/lib/domain/points';
import { talentCounts } from '../../src/lib/domain/talents';
import { parseDocName, passbookDocName, pointsBoardDocName, pointsDocName, talentsDocName } from '../../src/lib/schema/doc-names';
import { readBoardChoice, readPassbookRecords } from '../../src/lib/schema/passbook-doc';
import { type BoardTalents, type PointsBoard, type PointsConfig, readPointsConfig, writePointsBoard } from '../../src/lib/schema/points-doc';
import { readTalents } from '../../src/lib/schema/talents-doc';
import { type AttachedPublisher, attachPublisher, CommunityPublisher, type CommunityPublisherOptions } from './community-publisher';

/** The publisher's options (community-publisher.ts); the start delay defaults to 15 s (POINTS_BOARD_START_DELAY). */
export type PointsBoardOptions = CommunityPublisherOptions;

const DEFAULT_START_DELAY_MS = 15_000;
/** Origin of the publisher's own writes. */
const BOARD_ORIGIN = Symbol('points board publisher');

export type PointsBoards = AttachedPublisher<PointsBoardPublisher>;

export const createPointsBoard = (options: PointsBoardOptions): PointsBoards =>
	attachPublisher(new PointsBoardPublisher(options), options, DEFAULT_START_DELAY_MS);

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

export class PointsBoardPublisher extends CommunityPublisher<CommunityState> {
	protected readonly label = 'the points board';
	protected readonly origin = BOARD_ORIGIN;

	protected noteDoc(doc: string): string | null {
		const source = sourceOf(doc);
		if (!source) return null;
		const state = this.state(source.community);
		if (source.passbook !== undefined) {
			if (!state.households.has(source.passbook)) state.households.set(source.passbook, null);
			state.dirty.add(source.passbook);
		} else if (source.part === 'points') state.pointsDirty = true;
		else state.talentsDirty = true;
		return source.community;
	}

	protected isDirty(s: CommunityState): boolean {
		return s.dirty.size > 0 || s.pointsDirty || s.talentsDirty;
	}

	protected newState(community: string): CommunityState {
		return {
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
	}

	protected async publish(community: string, state: CommunityState): Promise<void> {
		const now = this.now();
		if (state.pointsDirty || !state.config) {
			state.pointsDirty = false;
			state.config = await this.readPart(
				() => this.withStored(pointsDocName(community), pointsConfigOf),
				() => (state.pointsDirty = true)
			);
		}
		if (state.talentsDirty || !state.talents) {
			state.talentsDirty = false;
			state.talents = await this.readPart(
				() => this.withStored(talentsDocName(community), boardTalents),
				() => (state.talentsDirty = true)
			);
		}
		const { config, talents } = state;
		// Which awards count depends on the settings: every passbook is folded again under new ones.
		const settingsKey = JSON.stringify(config.settings);
		if (state.settings !== settingsKey) for (const h of state.households.keys()) state.dirty.add(h);
		state.settings = settingsKey;

		// A failed read is not lost: the passbook is read again with the next publication.
		await this.readEach(state.dirty, async (household) => {
			const figures = await this.withStored(passbookDocName(community, household), (doc) =>
				doc ? householdFigures(doc, household, config.settings, now) : null
			);
			state.households.set(household, figures);
		});

		const figures = [...state.households.values()].filter((h): h is HouseholdFigures => h !== null);
		const board = computePointsBoard(figures, config, talents, now);
		if (state.published && sameBoard(state.published, board)) return;
		// Compared again with what the document holds (after a restart, the same board is not written twice).
		await this.docs.write(pointsBoardDocName(community), BOARD_ORIGIN, (doc) => writePointsBoard(doc, board));
		state.published = board;
	}
}
