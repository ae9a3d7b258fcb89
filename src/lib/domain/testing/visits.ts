/** Test factories for canvassing: a door-to-door visit record. Imported by specs and integration tests only. */
import type { Visit } from '../visit';
import { gridWorkerActor } from './actors';

let seq = 0;

/** A visit to b01-1-101 by the grid worker: talked, no needs, no photos; ids `v001`, `v002`, … */
export const visit = (over: Partial<Visit> = {}): Visit => ({
	id: `v${String(++seq).padStart(3, '0')}`,
	household: 'b01-1-101',
	grid: 'g1',
	building: 'b01',
	at: 0,
	by: gridWorkerActor(),
	channel: 'visit',
	outcome: 'talked',
	needs: { tags: [], text: '' },
	photos: [],
	...over
});
