/**
 * Canvassing actions: record a visit, register or correct a household, import a register. Each opens the
 * grid's document, writes, and resolves only once the change is in IndexedDB (and queued for the relay).
 */
import type { Channel } from '../domain/actor';
import { type Household, validateHousehold, type BuildingPlan } from '../domain/household';
import { newId } from '../domain/ids';
import type { ImportPlan } from '../domain/register-import';
import { type NeedTag, validateVisit, type Visit, type VisitOutcome } from '../domain/visit';
import { householdsDocName, visitsDocName } from '../schema/doc-names';
import { putHousehold, writeHouseholds } from '../schema/households-doc';
import { addVisit, linkProposal } from '../schema/visits-doc';
import type { IndexEntry } from '../schema/index-entry';
import type { ActionsApp } from './actions-app';
import { entriesOfKind, type IndexReader } from './index-reads';

/** What the actions need of the app (`courtyard()` in the browser; a bare store in tests). */
export type CanvassingApp = ActionsApp;


export interface VisitInput {
	grid: string;
	household: Pick<Household, 'id' | 'building'>;
	outcome: VisitOutcome;
	needs?: { tags: NeedTag[]; text: string };
	photos?: string[];
	channel?: Channel;
	/** Defaults to now; a record typed up later carries the time of the knock. */
	at?: number;
}

export class InvalidRecordError extends Error {
	override readonly name = 'InvalidRecordError';
	constructor(readonly issues: readonly { field: string; code: string }[]) {
		super(issues.map((i) => `${i.field}: ${i.code}`).join('; '));
	}
}

/** Records a visit; resolves with it once it is on disk. */
export async function recordVisit(app: CanvassingApp, input: VisitInput): Promise<Visit> {
	const visit: Visit = {
		id: newId(),
		household: input.household.id,
		grid: input.grid,
		building: input.household.building,
		at: input.at ?? Date.now(),
		by: app.actorSnapshot(),
		channel: input.channel ?? 'visit',
		outcome: input.outcome,
		needs: input.outcome === 'talked' ? { tags: [...(input.needs?.tags ?? [])], text: (input.needs?.text ?? '').trim() } : { tags: [], text: '' },
		photos: [...(input.photos ?? [])]
	};
	const issues = validateVisit(visit);
	if (issues.length > 0) throw new InvalidRecordError(issues);
	await app.store.edit(visitsDocName(app.community, input.grid), (doc) => addVisit(doc, visit));
	return visit;
}

/** Notes the proposal filed for a household during a visit. */
export async function linkVisitProposal(app: CanvassingApp, grid: string, visitId: string, proposalDoc: string): Promise<void> {
	await app.store.edit(visitsDocName(app.community, grid), (doc) => linkProposal(doc, visitId, proposalDoc));
}

/** Registers a flat or corrects a household; refuses a record with problems. */
export async function saveHousehold(app: CanvassingApp, grid: string, household: Household, buildings: readonly BuildingPlan[]): Promise<void> {
	const issues = validateHousehold(household, { grid, buildings });
	if (issues.length > 0) throw new InvalidRecordError(issues);
	await app.store.edit(householdsDocName(app.community, grid), (doc) => putHousehold(doc, grid, household));
}

/** Writes a checked import in one transaction: all of it, or (a plan with problems) none of it. */
export async function importHouseholds(app: CanvassingApp, grid: string, plan: ImportPlan): Promise<number> {
	if (!plan.ok) throw new InvalidRecordError(plan.issues.map((i) => ({ field: i.column, code: i.code })));
	if (plan.households.length === 0) return 0;
	await app.store.edit(householdsDocName(app.community, grid), (doc) => writeHouseholds(doc, grid, plan.households));
	return plan.households.length;
}

/** Proposals filed for a household or co-signed by it, from the local index, newest first. */
export async function householdProposals(app: IndexReader, household: string): Promise<IndexEntry[]> {
	const list = await entriesOfKind(app, 'proposal', (e) => e.household === household || !!e.coSigners?.includes(household));
	return list.sort((a, b) => (b.created ?? 0) - (a.created ?? 0));
}
