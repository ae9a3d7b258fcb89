/**
 * Group commit: updates submitted during one turn of the event loop are written in ONE transaction (one fsync),
 * scheduled with setImmediate so every message read in the same I/O phase joins the batch. Only one transaction
 * is in flight at a time, so sequence numbers follow commit order. Callers learn the outcome through the
 * entry's `done` and the batch listener, both called only after the transaction committed.
 *
 * An entry may be conditional (`unchangedSince`, a compare-and-set on its document: storage/store.ts). When the
 * store refuses a batch because such entries are stale, those entries alone fail (their `done` gets the
 * StaleWrite) and the rest of the batch is appended again without them.
 */
import { type AppendedUpdate, type DocStore, StaleWrite } from '../storage/store';

export interface CommitEntry<Origin> {
	doc: string;
	data: Uint8Array;
	origin: Origin;
	/** Stored only if the document has no row after this seq (see the file comment); unset: unconditional. */
	unchangedSince?: number;
	/** Called once the batch holding this update committed (seq set) or failed (error set). */
	done?: (error: Error | null, appended: AppendedUpdate | null) => void;
}

export type BatchListener<Origin> = (batch: ReadonlyArray<{ entry: CommitEntry<Origin>; appended: AppendedUpdate }>) => void;

/**
 * Judges a batch just before it is written, in order: an Error refuses that entry (its `done` gets the error, it
 * is neither stored nor reported to the batch listener), null lets it through.
 */
export type BatchAdmission<Origin> = (batch: readonly CommitEntry<Origin>[]) => Promise<Array<Error | null>>;

export class GroupCommit<Origin> {
	private pending: CommitEntry<Origin>[] = [];
	private scheduled = false;
	private inFlight: Promise<void> | null = null;

	constructor(
		private readonly store: DocStore,
		private readonly onBatch: BatchListener<Origin>,
		private readonly onError: (error: unknown) => void,
		private readonly admit?: BatchAdmission<Origin>
	) {}

	get queued(): number {
		return this.pending.length;
	}

	submit(entry: CommitEntry<Origin>): void {
		this.pending.push(entry);
		this.schedule();
	}

	/** Resolves once everything submitted so far is committed (or failed). */
	async flush(): Promise<void> {
		while (this.pending.length > 0 || this.inFlight) {
			if (this.inFlight) await this.inFlight;
			else await this.run();
		}
	}

	private schedule(): void {
		if (this.scheduled || this.inFlight) return;
		this.scheduled = true;
		setImmediate(() => {
			this.scheduled = false;
			void this.run();
		});
	}

	private run(): Promise<void> {
		if (this.inFlight) return this.inFlight;
		const batch = this.pending;
		this.pending = [];
		if (batch.length === 0) return Promise.resolve();
		this.inFlight = this.write(batch).finally(() => {
			this.inFlight = null;
			if (this.pending.length > 0) this.schedule();
		});
		return this.inFlight;
	}

	private async write(batch: CommitEntry<Origin>[]): Promise<void> {
		let appended: AppendedUpdate[];
		try {
			if (this.admit) {
				const verdicts = await this.admit(batch);
				const admitted: CommitEntry<Origin>[] = [];
				for (const [i, entry] of batch.entries()) {
					const refusal = verdicts[i];
					if (refusal) safeCall(() => entry.done?.(refusal, null), this.onError);
					else admitted.push(entry);
				}
				batch = admitted;
				if (batch.length === 0) return;
			}
			for (;;) {
				try {
					// An entry is a PendingUpdate already (doc, data, unchangedSince): no copy per entry.
					appended = await this.store.appendUpdates(batch);
					break;
				} catch (error) {
					// Nothing was stored: the stale entries are refused, the others go again (each round drops one at least).
					if (!(error instanceof StaleWrite) || error.stale.length === 0) throw error;
					const stale = new Set(error.stale);
					for (const i of stale) safeCall(() => batch[i]?.done?.(error, null), this.onError);
					batch = batch.filter((_, i) => !stale.has(i));
					if (batch.length === 0) return;
				}
			}
		} catch (error) {
			this.onError(error);
			const err = error instanceof Error ? error : new Error(String(error));
			for (const entry of batch) safeCall(() => entry.done?.(err, null), this.onError);
			return;
		}
		const results = batch.map((entry, i) => ({ entry, appended: appended[i] as AppendedUpdate }));
		safeCall(() => this.onBatch(results), this.onError);
		for (const { entry, appended: a } of results) safeCall(() => entry.done?.(null, a), this.onError);
	}
}

function safeCall(fn: () => void, onError: (error: unknown) => void): void {
	try {
		fn();
	} catch (error) {
		onError(error);
	}
}
