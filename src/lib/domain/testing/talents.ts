/** Test factories for the talent register (能人库). Imported by specs and integration tests only. */
import type { Person } from '../talents';
import { gridWorkerActor } from './actors';

let seq = 0;

/** A consenting plumber of b03-1-401, available on weekend mornings; ids `p1`, `p2`, … */
export const person = (over: Partial<Person> = {}): Person => ({
	id: `p${++seq}`,
	name: '王师傅',
	household: 'b03-1-401',
	building: 'b03',
	phone: '13800138000',
	skills: ['plumbing'],
	availability: '周末上午',
	consent: true,
	roles: ['volunteer'],
	at: 1_000 + seq,
	by: gridWorkerActor(),
	...over
});
