/** The demo community's staff, as every demo builder names them (invented people). */
import type { Actor } from '../../src/lib/domain/actor';

export const ZHOU: Actor = { id: 'demo-fac-zhou', name: '周敏', role: 'facilitator' };
export const LIN: Actor = { id: 'demo-fac-lin', name: '林晓燕', role: 'facilitator' };
export const HE: Actor = { id: 'demo-admin-he', name: '何建华', role: 'community_admin' };
