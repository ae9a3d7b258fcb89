/**
 * The relay's write rules on the device (src/lib/schema/write-rules.ts), for DocStore.writeCheck: a change the
 * relay would refuse is refused before it is written, since once in the document it would be sent again with
 * every later change of that document and hold them all up. The rules load on the first write, not with the
 * first page.
 */
import * as Y from 'yjs';
import type { DeviceInfo } from '../protocol/api';
import { communityDocName, meetingDocName, parseDocName, projectDocName } from '../schema/doc-names';
import type { Verdict } from '../schema/record-changes';
import type { DocStore, WriteCheck } from './doc-store';

type Rules = typeof import('../schema/write-rules');
let loading: Promise<Rules> | null = null;

/** The rules module, loaded once; a failed load (offline before the app was cached) is tried again next time. */
function loadRules(): Promise<Rules> {
	if (!loading) {
		loading = import('../schema/write-rules');
		loading.catch(() => {
			loading = null;
		});
	}
	return loading;
}

/**
 * Loads the rules while the network is there, so that writes made offline later are checked too. A page a service
 * worker controls has them in the worker's cache already: it loads them on its first write instead, and its first
 * load stays without them.
 */
export function preloadWriteRules(): void {
	if (typeof navigator !== 'undefined' && navigator.serviceWorker?.controller) return;
	loadRules().catch(() => {});
}

/**
 * The check for whichever credential `device()` holds at the time of the write (none: nothing to check). A device
 * that cannot load the rules leaves the judging to the relay rather than refuse its person's work.
 */
export function deviceWriteCheck(store: DocStore, device: () => Pick<DeviceInfo, 'id' | 'grant'> | null): WriteCheck {
	return async (name, target, update): Promise<Verdict> => {
		const current = device();
		if (!current) return { ok: true };
		const rules = await loadRules().catch(() => null);
		if (!rules) return { ok: true };
		const { grant } = current;
		const writer = { device: current.id, role: grant.role, household: grant.household ?? null, grids: grant.grids ?? [] };
		let buildings = new Map<string, string>();
		// Only a grid worker's records are checked against the grids of buildings.
		if (grant.role === 'grid_worker') {
			const community = new Y.Doc();
			Y.applyUpdate(community, await store.readState(communityDocName(grant.community)));
			buildings = rules.buildingGrids(community);
			community.destroy();
		}
		const lookup = rules.gridLookup(buildings);
		// A resident signs a project's acceptance only for a chosen household: the relay reads its project document.
		const ref = parseDocName(name);
		if (grant.role === 'resident' && ref?.kind === 'participation') {
			const project = new Y.Doc();
			Y.applyUpdate(project, await store.readState(projectDocName(ref.community, ref.id)));
			const { representativeHouseholds } = await import('../schema/project-doc');
			lookup.representatives = representativeHouseholds(project);
			project.destroy();
		}
		// Check-ins and votes on another day than the meeting's need a reason: the relay reads the meeting's date.
		if (ref?.kind === 'minutes') {
			const meeting = new Y.Doc();
			Y.applyUpdate(meeting, await store.readState(meetingDocName(ref.community, ref.id)));
			const { isMeetingDoc, readMeeting } = await import('../schema/meeting-doc');
			const m = isMeetingDoc(meeting) ? readMeeting(meeting) : null;
			lookup.meeting = m ? { startsAt: m.startsAt, recurrence: m.recurrence } : null;
			meeting.destroy();
		}
		return rules.judgeWrite(name, writer, lookup, target, update);
	};
}
