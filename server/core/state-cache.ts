/**
 * LRU of merged document state (one Yjs update plus its state vector) for documents that are not loaded as rooms,
 * so repeated BatchSync of the same documents costs no storage read and no merge. Bounded by bytes.
 * A per-document version guards against caching a state read before a concurrent write committed.
 */
export interface MergedState {
	update: Uint8Array;
	stateVector: Uint8Array;
}

export class StateCache {
	private readonly entries = new Map<string, MergedState>();
	private readonly versions = new Map<string, number>();
	private bytes = 0;

	constructor(private readonly maxBytes: number) {}

	get(doc: string): MergedState | undefined {
		const hit = this.entries.get(doc);
		if (hit) {
			// Re-insert to mark as most recently used.
			this.entries.delete(doc);
			this.entries.set(doc, hit);
		}
		return hit;
	}

	/** Version to pass back to `set`, taken before reading storage. */
	version(doc: string): number {
		return this.versions.get(doc) ?? 0;
	}

	set(doc: string, state: MergedState, version: number): void {
		if (version !== this.version(doc)) return;
		const size = state.update.byteLength + state.stateVector.byteLength;
		if (size > this.maxBytes / 4) return;
		this.drop(doc);
		this.entries.set(doc, state);
		this.bytes += size;
		for (const [key, value] of this.entries) {
			if (this.bytes <= this.maxBytes) break;
			this.entries.delete(key);
			this.bytes -= value.update.byteLength + value.stateVector.byteLength;
		}
	}

	/** Called whenever a document changes. */
	invalidate(doc: string): void {
		this.versions.set(doc, this.version(doc) + 1);
		this.drop(doc);
	}

	private drop(doc: string): void {
		const old = this.entries.get(doc);
		if (!old) return;
		this.entries.delete(doc);
		this.bytes -= old.update.byteLength + old.stateVector.byteLength;
	}
}
