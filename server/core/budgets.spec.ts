import { describe, expect, it } from 'vitest';
import { CredentialBudgets } from './budgets';
import { parseDocSizes, resolveLimits } from './limits';

const limits = resolveLimits({
	maxFrameBytes: 1_000,
	writeBurstUpdates: 3,
	writeUpdatesPerMinute: 60,
	writeBurstBytes: 1_000,
	writeBytesPerMinute: 6_000,
	maxSocketsPerCredential: 2,
	maxSocketsPerAddress: 3,
	maxSubscriptionsPerCredential: 2
});

describe('CredentialBudgets', () => {
	it('spends a write budget per credential, refills it per minute and says when to retry', () => {
		let t = 0;
		const budgets = new CredentialBudgets(limits, () => t);
		expect([budgets.chargeWrite('a', 10), budgets.chargeWrite('a', 10), budgets.chargeWrite('a', 10)].every((c) => c.ok)).toBe(true);
		const refused = budgets.chargeWrite('a', 10);
		expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 1 });
		expect(refused.ok ? '' : refused.reason).toMatch(/^rate limited: write budget/);
		// Another credential is untouched.
		expect(budgets.chargeWrite('b', 10).ok).toBe(true);
		t = 1_000; // one update per second refilled
		expect(budgets.chargeWrite('a', 10).ok).toBe(true);
		expect(budgets.chargeWrite('a', 10).ok).toBe(false);
	});

	it('refuses by bytes without spending an update, and charges nothing when refused', () => {
		let t = 0;
		const budgets = new CredentialBudgets(limits, () => t);
		expect(budgets.chargeWrite('a', 900).ok).toBe(true);
		const refused = budgets.chargeWrite('a', 500);
		// 400 bytes missing at 100 bytes/s.
		expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 4 });
		expect(budgets.chargeWrite('a', 100).ok).toBe(true);
		t = 4_000;
		expect(budgets.chargeWrite('a', 400).ok).toBe(true);
	});

	it('does not refill a budget when the credential reconnects', () => {
		let t = 0;
		const budgets = new CredentialBudgets(limits, () => t);
		const socket = budgets.openSocket('a');
		for (let i = 0; i < 3; i++) budgets.chargeWrite('a', 1);
		if (socket.ok) socket.release();
		expect(budgets.openSocket('a').ok).toBe(true);
		expect(budgets.chargeWrite('a', 1).ok).toBe(false);
	});

	it('caps sockets per credential and per address, releasing each once', () => {
		const budgets = new CredentialBudgets(limits);
		const a1 = budgets.openSocket('a');
		const a2 = budgets.openSocket('a');
		const a3 = budgets.openSocket('a');
		expect([a1.ok, a2.ok, a3.ok]).toEqual([true, true, false]);
		expect(a3.ok ? '' : a3.reason).toBe('too many connections for this device (max 2)');
		if (a1.ok) {
			a1.release();
			a1.release();
		}
		expect(budgets.openSocket('a').ok).toBe(true);
		expect(budgets.openSocket('a').ok).toBe(false);

		const ips = [budgets.openAddress('1.2.3.4'), budgets.openAddress('1.2.3.4'), budgets.openAddress('1.2.3.4')];
		expect(ips.every((x) => x.ok)).toBe(true);
		expect(budgets.openAddress('1.2.3.4').ok).toBe(false);
		expect(budgets.openAddress('5.6.7.8').ok).toBe(true);
		if (ips[0]?.ok) ips[0].release();
		expect(budgets.openAddress('1.2.3.4').ok).toBe(true);
	});

	it('runs a credential\'s writes a few at a time, in order, each credential on its own', async () => {
		const budgets = new CredentialBudgets(resolveLimits({ maxWritesInFlightPerCredential: 2 }));
		const started: string[] = [];
		const finishers: Array<() => void> = [];
		for (const name of ['a1', 'a2', 'a3', 'a4']) {
			budgets.runWrite('a', (finish) => {
				started.push(name);
				finishers.push(finish);
			});
		}
		budgets.runWrite('b', (finish) => {
			started.push('b1');
			finish();
		});
		expect(started).toEqual(['a1', 'a2', 'b1']);
		expect(budgets.writesQueued('a')).toBe(4);
		finishers[0]?.();
		finishers[0]?.(); // twice counts once
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
		finishers[1]?.();
		finishers[2]?.();
		finishers[3]?.();
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
		// a4 still holds its slot until it finishes.
		expect(budgets.writesQueued('a')).toBe(1);
		finishers[3]?.();
		expect(budgets.writesQueued('a')).toBe(0);
	});

	it('starts a write that arrives while a slot is being handed over behind the waiting one', async () => {
		const budgets = new CredentialBudgets(resolveLimits({ maxWritesInFlightPerCredential: 1 }));
		const started: string[] = [];
		const finishers: Array<() => void> = [];
		const write = (name: string) =>
			budgets.runWrite('a', (finish) => {
				started.push(name);
				finishers.push(finish);
			});
		write('A');
		write('B');
		finishers[0]?.();
		// Before the slot reaches B, C arrives: it must not overtake B.
		write('C');
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual(['A', 'B']);
		finishers[1]?.();
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual(['A', 'B', 'C']);
	});

	it('caps subscriptions per credential and forgets idle accounts', () => {
		const budgets = new CredentialBudgets(limits);
		expect([budgets.subscribe('a'), budgets.subscribe('a'), budgets.subscribe('a')]).toEqual([true, true, false]);
		budgets.unsubscribe('a');
		expect(budgets.subscribe('a')).toBe(true);
		budgets.unsubscribe('a', 2);
		expect(budgets.size).toBe(0);
	});
});

describe('parseDocSizes', () => {
	it('reads kind=size pairs with k and m suffixes and refuses anything else', () => {
		expect(parseDocSizes('proposal=512k, minutes=32m,topic=1000')).toEqual({ proposal: 512 * 1024, minutes: 32 * 1024 * 1024, topic: 1000 });
		expect(() => parseDocSizes('proposals=1k')).toThrow(/not a document size/);
		expect(() => parseDocSizes('proposal=1g')).toThrow(/not a document size/);
		expect(resolveLimits({ maxDocBytes: parseDocSizes('proposal=1k') }).maxDocBytes).toMatchObject({ proposal: 1024, minutes: 4 * 1024 * 1024 });
	});
});
