import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Pledge } from '../../src/lib/domain/funding';
import { ratingKey } from '../../src/lib/domain/satisfaction';
import { addPledge, addRequest, addSignoff, rate, withdrawPledge } from '../../src/lib/schema/project-doc';
import { docFromState } from '../../src/lib/schema/record-changes';
import { gridLookup } from '../../src/lib/schema/write-rules';
import type { Principal } from '../auth/auth';
import { writeGuard } from './write-guard';
import { residentActor } from '../../src/lib/domain/testing';

const DOC = 'demo:participation:seats';
const me: Principal = { deviceId: 'dev-liu', grant: { role: 'resident', community: 'demo', household: 'b03-1-401' }, expiresAt: null };
const liu = residentActor({ id: 'dev-liu' });
const zhang = residentActor({ id: 'dev-zhang', name: '张大爷' });
const guard = writeGuard(DOC, me)!;
/** The households the project chose to sign its acceptance (the relay reads them from the project document). */
const CHOSEN: ReadonlySet<string> = new Set(['b03-1-401', 'b03-1-402']);
/** The guard against an encoded durable state, as the relay holds it when the room is not loaded. */
function check(state: Uint8Array | null, update: Uint8Array, representatives: ReadonlySet<string> = CHOSEN) {
	const target = docFromState(state) ?? new Y.Doc();
	try {
		return guard(target, update, { ...gridLookup(new Map()), representatives });
	} finally {
		target.destroy();
	}
}

const pledge = (over: Partial<Pledge> = {}): Pledge => ({
	id: 'p1',
	source: 'residents',
	kind: 'money',
	name: '3栋 刘阿姨',
	household: 'b03-1-401',
	amount: 5000,
	at: 1,
	by: liu,
	channel: 'app',
	...over
});

/** The durable state (written by others), and the update this device sends on top of it. */
function scenario(base: (doc: Y.Doc) => void, change: (doc: Y.Doc) => void) {
	const stored = new Y.Doc();
	base(stored);
	const state = Y.encodeStateAsUpdate(stored);
	// This device: its own Yjs client, in sync with the relay.
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	const sv = Y.encodeStateVector(doc);
	change(doc);
	return check(state, Y.encodeStateAsUpdate(doc, sv));
}
const nothing = () => {};
const refused = (reason: RegExp) => ({ ok: false, retry: false, reason: expect.stringMatching(reason) });

describe('write guard: a resident in a participation document', () => {
	it('guards every credential, and only the open development principal goes unguarded', () => {
		expect(writeGuard('demo:participation:seats', { ...me, grant: { role: 'facilitator', community: 'demo' } })).not.toBeNull();
		expect(writeGuard('demo:proposal:seats', me)).not.toBeNull();
		expect(writeGuard('demo:proposal:seats', { deviceId: 'open', grant: null, expiresAt: null })).toBeNull();
	});

	it("accepts the household's own pledge, its withdrawal, its sign-off and this device's rating", () => {
		expect(scenario(nothing, (d) => addPledge(d, pledge()))).toEqual({ ok: true });
		expect(scenario((d) => addPledge(d, pledge()), (d) => withdrawPledge(d, 'p1', liu, 2))).toEqual({ ok: true });
		expect(scenario(nothing, (d) => addSignoff(d, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, at: 3, by: liu }))).toEqual({ ok: true });
		expect(scenario(nothing, (d) => rate(d, { household: 'b03-1-401', score: 5, comment: '', at: 4, by: liu, channel: 'app' }, 'dev-liu'))).toEqual({ ok: true });
		// Re-rating on the same device replaces its own rating.
		const mine = (score: 2 | 5) => (d: Y.Doc) => rate(d, { household: 'b03-1-401', score, comment: '', at: 5, by: liu, channel: 'app' }, 'dev-liu');
		expect(scenario(mine(2), mine(5))).toEqual({ ok: true });
	});

	it('refuses a sign-off from a household the project did not choose, and a paper sign-off from a resident', () => {
		const signs = (d: Y.Doc) => addSignoff(d, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, at: 3, by: liu });
		const stored = new Y.Doc();
		const state = Y.encodeStateAsUpdate(stored);
		const device = new Y.Doc();
		signs(device);
		expect(check(state, Y.encodeStateAsUpdate(device), new Set(['b03-1-402']))).toEqual(refused(/not a representative/));
		expect(check(state, Y.encodeStateAsUpdate(device), new Set())).toEqual(refused(/not a representative/));
		expect(scenario(nothing, (d) => addSignoff(d, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, paper: true, photos: [], at: 3, by: liu }))).toEqual(
			refused(/paper/)
		);
	});

	it('refuses records for another household, by another device or claiming another role', () => {
		expect(scenario(nothing, (d) => rate(d, { household: 'b03-1-402', score: 1, comment: '', at: 4, by: liu, channel: 'app' }, 'dev-liu'))).toEqual(refused(/rating/));
		expect(scenario(nothing, (d) => addPledge(d, pledge({ by: zhang })))).toEqual(refused(/this device/));
		expect(scenario(nothing, (d) => addPledge(d, pledge({ by: { ...liu, role: 'facilitator' } })))).toEqual(refused(/as a resident/));
		expect(scenario(nothing, (d) => addPledge(d, pledge({ source: 'property' })))).toEqual(refused(/pledge/));
		expect(scenario(nothing, (d) => addSignoff(d, { id: 'b03-1-402', name: '张大爷', household: 'b03-1-402', agree: false, at: 3, by: liu }))).toEqual(refused(/sign-off/));
		// A rating under another device's key would overwrite that device's rating.
		expect(scenario(nothing, (d) => d.getMap('ratings').set(ratingKey('b03-1-401', 'dev-other'), { household: 'b03-1-401', score: 1, comment: '', at: 4, by: liu, channel: 'app' }))).toEqual(refused(/rating/));
	});

	it("never lets a resident delete or overwrite another household's record", () => {
		const theirs = (d: Y.Doc) => addPledge(d, pledge({ id: 'p9', household: 'b03-1-402', by: zhang }));
		expect(scenario(theirs, (d) => d.getMap('pledges').delete('p9'))).toEqual(refused(/never deleted/));
		expect(scenario(theirs, (d) => addPledge(d, pledge({ id: 'p9' })))).toEqual(refused(/withdrawal/));
		const theirSignoff = (d: Y.Doc) => addSignoff(d, { id: 'b03-1-402', name: '张大爷', household: 'b03-1-402', agree: true, at: 3, by: zhang });
		expect(scenario(theirSignoff, (d) => addSignoff(d, { id: 'b03-1-402', name: '张大爷', household: 'b03-1-402', agree: false, at: 4, by: liu }))).toEqual(refused(/another household/));
	});

	it('lets a pledge change only by its own withdrawal, so a received pledge cannot move the ledger', () => {
		const mine = (d: Y.Doc) => addPledge(d, pledge());
		// Rewriting a pledge (its kind, amount or name) would change the income line its receipt makes.
		expect(scenario(mine, (d) => addPledge(d, pledge({ kind: 'materials', materials: '砖' })))).toEqual(refused(/withdrawal/));
		expect(scenario(mine, (d) => addPledge(d, pledge({ name: '物业补贴' })))).toEqual(refused(/withdrawal/));
		expect(scenario(mine, (d) => addPledge(d, pledge({ amount: 1 })))).toEqual(refused(/withdrawal/));
		// A withdrawal that also changes the amount, or names another device, is not a withdrawal.
		expect(scenario(mine, (d) => addPledge(d, pledge({ amount: 1, withdrawn: { at: 2, by: liu } })))).toEqual(refused(/withdrawal/));
		expect(scenario(mine, (d) => addPledge(d, pledge({ withdrawn: { at: 2, by: zhang } })))).toEqual(refused(/withdrawal/));
		// Once withdrawn, it stays as it is.
		const withdrawn = (d: Y.Doc) => addPledge(d, pledge({ withdrawn: { at: 2, by: liu } }));
		expect(scenario(withdrawn, (d) => addPledge(d, pledge()))).toEqual(refused(/withdrawal/));
		// Requests never change once written.
		const asked = (d: Y.Doc) => addRequest(d, { id: 'q1', question: '合同能公开吗？', household: 'b03-1-401', at: 1, by: liu });
		expect(scenario(asked, (d) => addRequest(d, { id: 'q1', question: '改了', household: 'b03-1-401', at: 2, by: liu }))).toEqual(refused(/never changes/));
	});

	it('judges only what the update adds: changes already waiting in the stored state do not stall residents', () => {
		// A stored state whose last change waits for one the relay never got (an earlier staff update, say).
		const staff = new Y.Doc();
		staff.getMap('signoffs').set('name-王', { id: 'name-王', name: '王', agree: true, at: 1, by: { id: 'f1', name: '周敏', role: 'facilitator' } });
		const sv = Y.encodeStateVector(staff);
		staff.getMap('signoffs').set('name-李', { id: 'name-李', name: '李', agree: true, at: 2, by: { id: 'f1', name: '周敏', role: 'facilitator' } });
		const gap = Y.encodeStateAsUpdate(staff, sv);
		const stored = new Y.Doc();
		Y.applyUpdate(stored, gap);
		expect(stored.store.pendingStructs).not.toBeNull();
		const state = Y.encodeStateAsUpdate(stored);
		const device = new Y.Doc();
		const before = Y.encodeStateVector(device);
		addPledge(device, pledge());
		expect(check(state, Y.encodeStateAsUpdate(device, before))).toEqual({ ok: true });
	});

	it("refuses changes under another device's Yjs client id, which would make that device's next change look stored", () => {
		const neighbour = new Y.Doc();
		addPledge(neighbour, pledge({ id: 'p9', household: 'b03-1-402', by: zhang }));
		const state = Y.encodeStateAsUpdate(neighbour);
		// A tampered device copies the neighbour's client id and writes its own, otherwise valid, pledge.
		const forger = new Y.Doc();
		Y.applyUpdate(forger, state);
		forger.clientID = neighbour.clientID;
		const sv = Y.encodeStateVector(forger);
		addPledge(forger, pledge({ id: 'p-mine' }));
		expect(check(state, Y.encodeStateAsUpdate(forger, sv))).toEqual(refused(/client id/));
		// The same pledge under its own client id is fine.
		const honest = new Y.Doc();
		Y.applyUpdate(honest, state);
		const sv2 = Y.encodeStateVector(honest);
		addPledge(honest, pledge({ id: 'p-mine' }));
		expect(check(state, Y.encodeStateAsUpdate(honest, sv2))).toEqual({ ok: true });
	});

	it('refuses anything but whole records in the participation maps', () => {
		expect(scenario(nothing, (d) => d.getMap('receipts').set('p1', { pledge: 'p1', amount: 5000, by: liu, at: 1 }))).toEqual(refused(/receipts/));
		expect(scenario(nothing, (d) => d.getText('notes').insert(0, 'x'))).toEqual(refused(/whole records/));
		expect(scenario(nothing, (d) => d.getMap('pledges').set('p1', new Y.Map()))).toEqual(refused(/record/));
	});

	it('asks for a resend when the update builds on changes the relay does not hold', () => {
		const device = new Y.Doc();
		addPledge(device, pledge());
		const sv = Y.encodeStateVector(device);
		withdrawPledge(device, 'p1', liu, 2);
		// The relay never got the pledge itself, only the withdrawal built on it.
		expect(check(null, Y.encodeStateAsUpdate(device, sv))).toMatchObject({ ok: false, retry: true });
	});
});
