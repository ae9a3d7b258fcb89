/**
 * What the client's actions need of the app: `courtyard()` in the browser, a bare store in tests. Each feature
 * names it for its actions (PointsApp, RoomsApp …), adding what else it needs, such as the device.
 */
import type { Actor } from '../domain/actor';
import type { DocStore } from './doc-store';

export interface ActionsApp {
	readonly store: DocStore;
	readonly community: string;
	actorSnapshot(): Actor;
}
