/**
 * Whether the relay's document storage works, for `/api/health`.
 *
 * Writes are failing while the last attempt to append (or compact) failed and none has succeeded since. Reads
 * are failing when a read failed — a query, or a document whose stored rows could not be merged — within the
 * last READ_WINDOW_MS, or when the probe fails: a cheap read of the pages every write touches (the newest
 * update rows and documents), run at most once per PROBE_INTERVAL_MS so that health checks cost nothing.
 *
 * `monitorStore` wraps a DocStore so that every call's failure and success is recorded, whatever the store. A
 * conditional append refused as stale (store.ts) is the store working as asked, not a failure.
 */
import { type DocStore, StaleWrite } from './store';

/** A read failure keeps health failing this long (a damaged document fails again whenever it is asked for). */
export const READ_WINDOW_MS = 5 * 60_000;
const PROBE_INTERVAL_MS = 5_000;

const WRITES: ReadonlySet<PropertyKey> = new Set(['appendUpdates', 'compact']);

export interface StorageFailure {
	at: number;
	what: string;
	message: string;
}

export interface StorageStatus {
	reads: 'ok' | 'failing';
	writes: 'ok' | 'failing';
	/** The latest failure, for operators (never shown to strangers). */
	lastFailure: StorageFailure | null;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class StorageHealth {
	private writeFailure: StorageFailure | null = null;
	private readFailure: StorageFailure | null = null;
	private probed: { at: number; error: StorageFailure | null } | null = null;

	constructor(private readonly now: () => number = Date.now) {}

	writeFailed(what: string, error: unknown): void {
		this.writeFailure = { at: this.now(), what, message: describe(error) };
	}

	writeSucceeded(): void {
		this.writeFailure = null;
	}

	readFailed(what: string, error: unknown): void {
		this.readFailure = { at: this.now(), what, message: describe(error) };
	}

	/** The current status; runs the store's probe unless it ran within the last few seconds. */
	async check(store: DocStore): Promise<StorageStatus> {
		const now = this.now();
		if (!this.probed || now - this.probed.at >= PROBE_INTERVAL_MS) {
			let error: StorageFailure | null = null;
			try {
				await store.probe?.();
			} catch (e) {
				error = { at: now, what: 'probe', message: describe(e) };
			}
			this.probed = { at: now, error };
		}
		const probeFailure = this.probed.error;
		const recentRead = this.readFailure && now - this.readFailure.at < READ_WINDOW_MS ? this.readFailure : null;
		const failures = [this.writeFailure, recentRead, probeFailure].filter((f): f is StorageFailure => f !== null);
		return {
			reads: recentRead || probeFailure ? 'failing' : 'ok',
			writes: this.writeFailure ? 'failing' : 'ok',
			lastFailure: failures.sort((a, b) => b.at - a.at)[0] ?? null
		};
	}
}

/** The same store, with each call's outcome recorded in `health` (methods added to DocStore later included). */
export function monitorStore<S extends DocStore>(store: S, health: StorageHealth): S {
	return new Proxy(store, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver);
			if (typeof value !== 'function' || prop === 'close' || prop === 'probe') return typeof value === 'function' ? value.bind(target) : value;
			const name = String(prop);
			return (...args: unknown[]) => {
				let result: unknown;
				try {
					result = value.apply(target, args);
				} catch (error) {
					record(error);
					throw error;
				}
				if (result instanceof Promise) {
					return result.then(
						(v) => {
							if (WRITES.has(prop)) health.writeSucceeded();
							return v;
						},
						(error: unknown) => {
							if (error instanceof StaleWrite) health.writeSucceeded();
							else record(error);
							throw error;
						}
					);
				}
				if (WRITES.has(prop)) health.writeSucceeded();
				return result;
			};
			function record(error: unknown) {
				if (WRITES.has(prop)) health.writeFailed(name, error);
				else health.readFailed(name, error);
			}
		}
	});
}
