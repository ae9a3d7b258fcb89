/**
 * What one credential (device id) may hold and spend across all its sockets on both endpoints, so that one
 * resident with many sockets cannot starve the others: sockets open, documents subscribed, and a write budget
 * (updates and bytes, a burst refilled per minute). Sockets per client address are counted here too.
 *
 * An account outlives its sockets until its buckets are full again: reconnecting does not refill a budget.
 */
import type { Limits } from './limits';
import { TokenBucket } from './rate-limit';

const now = () => performance.now();

/** `release`, counted once however often it is called (a socket closed twice frees one slot). */
function once(release: () => void): () => void {
	let done = false;
	return () => {
		if (done) return;
		done = true;
		release();
	};
}

export type WriteCharge = { ok: true } | { ok: false; reason: string; retryAfterSeconds: number };

interface Account {
	sockets: number;
	subscriptions: number;
	/** Writes started and not yet finished, and those waiting for one of them to finish. */
	running: number;
	waiting: Array<() => void>;
	updates: TokenBucket;
	bytes: TokenBucket;
}

export class CredentialBudgets {
	private readonly accounts = new Map<string, Account>();
	/** Device writes running or waiting for their turn, across every credential. */
	writesUnderway = 0;
	private readonly addresses = new Map<string, number>();
	private sweeps = 0;

	constructor(
		private readonly limits: Limits,
		private readonly clock: () => number = now
	) {}

	/** Claims a socket for a credential: a release function, or the reason it is refused. */
	openSocket(key: string): { ok: true; release: () => void } | { ok: false; reason: string } {
		const account = this.account(key);
		if (account.sockets >= this.limits.maxSocketsPerCredential) {
			this.forgetIfIdle(key, account);
			return { ok: false, reason: `too many connections for this device (max ${this.limits.maxSocketsPerCredential})` };
		}
		account.sockets++;
		return {
			ok: true,
			release: once(() => {
				account.sockets--;
				this.forgetIfIdle(key, account);
			})
		};
	}

	/** Claims a socket for a client address: a release function, or the reason it is refused. */
	openAddress(address: string): { ok: true; release: () => void } | { ok: false; reason: string } {
		const open = this.addresses.get(address) ?? 0;
		if (open >= this.limits.maxSocketsPerAddress) {
			return { ok: false, reason: `too many connections from this address (max ${this.limits.maxSocketsPerAddress})` };
		}
		this.addresses.set(address, open + 1);
		return {
			ok: true,
			release: once(() => {
				const left = (this.addresses.get(address) ?? 1) - 1;
				if (left > 0) this.addresses.set(address, left);
				else this.addresses.delete(address);
			})
		};
	}

	/** Counts one more subscribed document for a credential; false (counting nothing) over the cap. */
	subscribe(key: string): boolean {
		const account = this.account(key);
		if (account.subscriptions >= this.limits.maxSubscriptionsPerCredential) return false;
		account.subscriptions++;
		return true;
	}

	unsubscribe(key: string, count = 1): void {
		const account = this.accounts.get(key);
		if (!account) return;
		account.subscriptions = Math.max(0, account.subscriptions - count);
		this.forgetIfIdle(key, account);
	}

	/** Charges one update of `bytes` to a credential's write budget, or says when to try again (charging nothing). */
	chargeWrite(key: string, bytes: number): WriteCharge {
		const account = this.account(key);
		const wait = Math.max(account.updates.waitSeconds(1), account.bytes.waitSeconds(bytes));
		if (wait > 0) {
			const retryAfterSeconds = Math.max(1, Math.ceil(wait));
			const { writeUpdatesPerMinute: updates, writeBytesPerMinute: perMinute } = this.limits;
			return {
				ok: false,
				retryAfterSeconds,
				reason: `rate limited: write budget of this device spent (${updates} updates, ${mib(perMinute)} per minute); try again in ${retryAfterSeconds} s`
			};
		}
		account.updates.take(1);
		account.bytes.take(bytes);
		return { ok: true };
	}

	/**
	 * Runs a credential's write (`job`, which calls `finish` once its costly part is done: judged, or refused) once
	 * fewer than limits.maxWritesInFlightPerCredential of its writes are running; in order per credential.
	 */
	runWrite(key: string, job: (finish: () => void) => void): void {
		const account = this.account(key);
		this.writesUnderway++;
		const run = () => {
			let finished = false;
			job(() => {
				if (finished) return;
				finished = true;
				this.writesUnderway--;
				const next = account.waiting.shift();
				// The slot passes to the next waiting write, in a later turn of the event loop: other clients'
				// messages are read between one device's writes, and a write arriving meanwhile queues behind it.
				if (next) setImmediate(next);
				else {
					account.running--;
					this.forgetIfIdle(key, account);
				}
			});
		};
		if (account.running < this.limits.maxWritesInFlightPerCredential && account.waiting.length === 0) {
			account.running++;
			run();
		} else account.waiting.push(run);
	}

	/** Writes of a credential running and waiting (for tests and stats). */
	writesQueued(key: string): number {
		const account = this.accounts.get(key);
		return account ? account.running + account.waiting.length : 0;
	}

	/** Accounts held (for tests and stats). */
	get size(): number {
		return this.accounts.size;
	}

	private account(key: string): Account {
		if (++this.sweeps >= 1_000 || this.accounts.size > 10_000) this.sweep();
		let account = this.accounts.get(key);
		if (!account) {
			const { writeBurstUpdates, writeUpdatesPerMinute, writeBurstBytes, writeBytesPerMinute } = this.limits;
			account = {
				sockets: 0,
				subscriptions: 0,
				running: 0,
				waiting: [],
				updates: new TokenBucket(writeBurstUpdates, writeUpdatesPerMinute / 60, this.clock),
				bytes: new TokenBucket(writeBurstBytes, writeBytesPerMinute / 60, this.clock)
			};
			this.accounts.set(key, account);
		}
		return account;
	}

	private forgetIfIdle(key: string, account: Account): void {
		const busy = account.running > 0 || account.waiting.length > 0;
		if (account.sockets === 0 && account.subscriptions === 0 && !busy && account.updates.full && account.bytes.full) {
			if (this.accounts.get(key) === account) this.accounts.delete(key);
		}
	}

	private sweep(): void {
		this.sweeps = 0;
		for (const [key, account] of this.accounts) this.forgetIfIdle(key, account);
	}
}

function mib(bytes: number): string {
	return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
