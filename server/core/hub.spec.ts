/**
 * The hub's compare-and-set on guarded writes (hub.ts, storage/store.ts): with other relay processes, a write is
 * stored only if its document did not move on since the position it was judged at; else it is judged again on
 * the newer state. Here "another process" commits straight into the shared store at the worst moment: after the
 * judgement, just before the append (and publishes nothing, so the hub must read it back from the store).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LedgerEntry } from '../../src/lib/domain/funding';
import { addEntry } from '../../src/lib/schema/project-doc';
import type { Principal } from '../auth/auth';
import { MemoryBus, MemoryFanout } from '../fanout/memory-fanout';
import { MemoryStore } from '../storage/memory-store';
import { type AppendedUpdate, isConditional, type PendingUpdate } from '../storage/store';
import { GuardRefusal, Hub } from './hub';
import { resolveLimits } from './limits';
import { silentLogger } from './log';
import { writeGuard } from './write-guard';

const DOC = 'demo:project:seats';

/** A shared store where another process's writes land just before this hub's next conditional append. */
class RacedStore extends MemoryStore {
	/** Batches the other process commits, one before each conditional append, while there are any. */
	readonly others: PendingUpdate[][] = [];
	/** The `unchangedSince` of every update this hub appended or tried to, in order. */
	readonly conditions: Array<number | undefined> = [];

	override async appendUpdates(batch: readonly PendingUpdate[]): Promise<AppendedUpdate[]> {
		for (const u of batch) this.conditions.push(u.unchangedSince);
		const other = isConditional(batch) ? this.others.shift() : undefined;
		if (other) await super.appendUpdates(other);
		return super.appendUpdates(batch);
	}
}

const staff = (device: string): Principal => ({ deviceId: device, grant: { role: 'facilitator', community: 'demo' }, expiresAt: null });
const actor = (device: string) => ({ id: device, name: device, role: 'facilitator' as const });
const entry = (id: string, by: string, amount: number): LedgerEntry => ({
	id,
	type: 'spending',
	amount,
	date: '2026-11-02',
	description: '座椅',
	photos: [],
	at: 1,
	by: actor(by)
});

/** An update from a device with Yjs client `client`, knowing nothing of the document (all three start empty). */
function ledgerUpdate(client: number, e: LedgerEntry): Uint8Array {
	const d = new Y.Doc();
	d.clientID = client;
	addEntry(d, e);
	return Y.encodeStateAsUpdate(d);
}

const hubs: Hub[] = [];
afterEach(async () => {
	for (const hub of hubs.splice(0)) await hub.close();
});

async function hubOn(store: MemoryStore, clustered: boolean): Promise<Hub> {
	const hub = new Hub(store, resolveLimits(), silentLogger);
	hubs.push(hub);
	// No periodic check: what the other process wrote is found by the catch-up before each judgement.
	if (clustered) await hub.joinCluster(new MemoryFanout(new MemoryBus(), 'b'), { gapWaitMs: 1, checkEveryMs: 0 });
	return hub;
}

/** Submits `update` as `device`'s guarded write; `onJudged` runs right after its first judgement. */
function guarded(hub: Hub, device: string, update: Uint8Array, onJudged = () => {}): Promise<{ error: Error | null; appended: AppendedUpdate | null }> {
	const guard = writeGuard(DOC, staff(device));
	if (!guard) throw new Error('a facilitator is guarded');
	let judged = false;
	const check: typeof guard = (target, data, lookup) => {
		const verdict = guard(target, data, lookup);
		if (!judged) onJudged();
		judged = true;
		return verdict;
	};
	return new Promise((resolve) => hub.submitGuarded(DOC, update, null, check, (error, appended) => resolve({ error, appended })));
}

async function entries(store: MemoryStore): Promise<Record<string, unknown>> {
	const d = new Y.Doc();
	for (const u of await store.loadUpdates(DOC)) Y.applyUpdate(d, u);
	return d.getMap('entries').toJSON() as Record<string, unknown>;
}

describe('a guarded write another process raced (compare-and-set on append)', () => {
	it('is judged again on the newer state and refused when that state forbids it; nothing of it is stored', async () => {
		const store = new RacedStore();
		const hub = await hubOn(store, true);
		// Both devices create ledger entry e1 (written once, never changed). Alone, each is allowed; the other
		// process's lands first, so this one would change it (its Yjs client wins the merge).
		store.others.push([{ doc: DOC, data: ledgerUpdate(1, entry('e1', 'dev-a', 100)) }]);
		const { error, appended } = await guarded(hub, 'dev-b', ledgerUpdate(2, entry('e1', 'dev-b', 999)));
		expect(error).toBeInstanceOf(GuardRefusal);
		expect(error).toMatchObject({ retry: false, message: expect.stringMatching(/never change once written/) });
		expect(appended).toBeNull();
		// Judged at 0 (empty), refused as stale after the other commit (seq 1); judged again at 1 and refused.
		expect(store.conditions).toEqual([0]);
		expect(await store.rowCount(DOC)).toBe(1);
		expect(await entries(store)).toEqual({ e1: expect.objectContaining({ amount: 100 }) });
	});

	it('is judged again and stored, under the newer position, when the newer state still allows it', async () => {
		const store = new RacedStore();
		const hub = await hubOn(store, true);
		store.others.push([{ doc: DOC, data: ledgerUpdate(1, entry('e1', 'dev-a', 100)) }]);
		const { error, appended } = await guarded(hub, 'dev-b', ledgerUpdate(2, entry('e2', 'dev-b', 999)));
		expect(error).toBeNull();
		expect(appended).toMatchObject({ seq: 2, rows: 2 });
		expect(store.conditions).toEqual([0, 1]);
		expect(Object.keys(await entries(store)).sort()).toEqual(['e1', 'e2']);
		// The next write to the document is judged with the one stored, and conditioned on its seq.
		const inSync = new Y.Doc();
		for (const u of await store.loadUpdates(DOC)) Y.applyUpdate(inSync, u);
		const sv = Y.encodeStateVector(inSync);
		addEntry(inSync, entry('e2', 'dev-b', 5));
		const again = await guarded(hub, 'dev-b', Y.encodeStateAsUpdate(inSync, sv));
		expect(again.error).toMatchObject({ message: expect.stringMatching(/never change once written/) });
		const next = await guarded(hub, 'dev-b', ledgerUpdate(3, entry('e3', 'dev-b', 5)));
		expect(next.error).toBeNull();
		expect(store.conditions).toEqual([0, 1, 2]);
	});

	it('gives up after a few judgements while the document keeps moving on, with a refusal to send again later', async () => {
		const store = new RacedStore();
		const hub = await hubOn(store, true);
		for (let i = 0; i < 10; i++) store.others.push([{ doc: DOC, data: ledgerUpdate(100 + i, entry(`a${i}`, 'dev-a', i)) }]);
		const { error } = await guarded(hub, 'dev-b', ledgerUpdate(2, entry('e2', 'dev-b', 999)));
		expect(error).toBeInstanceOf(GuardRefusal);
		expect(error).toMatchObject({ retry: true });
		expect(store.conditions).toEqual([0, 1, 2, 3]);
		expect(Object.keys(await entries(store))).not.toContain('e2');
	});

	it('an unguarded write in the same batch as a stale one is stored all the same', async () => {
		const store = new RacedStore();
		const hub = await hubOn(store, true);
		store.others.push([{ doc: DOC, data: ledgerUpdate(1, entry('e1', 'dev-a', 100)) }]);
		let plain: Promise<Error | null> = Promise.resolve(new Error('not submitted'));
		// Submitted while the guarded write is judged: both are queued for the same batch.
		const raced = guarded(hub, 'dev-b', ledgerUpdate(2, entry('e1', 'dev-b', 999)), () => {
			plain = new Promise((resolve) => hub.submit('demo:proposal:x', updateOf('k'), null, (e) => resolve(e)));
		});
		expect((await raced).error).toBeInstanceOf(GuardRefusal);
		expect(await plain).toBeNull();
		expect(store.conditions).toEqual([undefined, 0, undefined]);
		expect(await store.rowCount('demo:proposal:x')).toBe(1);
	});

	it('sets no condition with one process: its judgement and its commit have nothing in between', async () => {
		const store = new RacedStore();
		const hub = await hubOn(store, false);
		const { error } = await guarded(hub, 'dev-b', ledgerUpdate(2, entry('e1', 'dev-b', 999)));
		expect(error).toBeNull();
		expect(store.conditions).toEqual([undefined]);
	});
});

function updateOf(key: string): Uint8Array {
	const d = new Y.Doc();
	d.getMap('m').set(key, 1);
	return Y.encodeStateAsUpdate(d);
}
