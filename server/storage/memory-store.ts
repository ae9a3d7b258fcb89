/** In-memory DocStore with the same semantics as SqliteStore, for unit tests and benches that need no disk. */
import * as Y from 'yjs';
import { type AppendedUpdate, type ChangePage, type CompactResult, type DocStore, isConditional, type PendingUpdate, StaleWrite, staleUpdates } from './store';

interface Row {
	seq: number;
	data: Uint8Array;
}

export class MemoryStore implements DocStore {
	private readonly rows = new Map<string, Row[]>();
	private readonly lastSeq = new Map<string, number>();
	private readonly bytes = new Map<string, number>();
	private seq = 0;
	private head = 0;

	async loadUpdates(doc: string): Promise<Uint8Array[]> {
		return (this.rows.get(doc) ?? []).map((r) => r.data);
	}

	async appendUpdates(batch: readonly PendingUpdate[]): Promise<AppendedUpdate[]> {
		// Checked and applied in one synchronous step: nothing else touches the maps in between.
		if (isConditional(batch)) {
			const stale = staleUpdates(batch, (doc) => this.lastSeq.get(doc) ?? 0);
			if (stale.length > 0) throw new StaleWrite(stale);
		}
		return batch.map(({ doc, data }) => {
			const seq = ++this.seq;
			const list = this.rows.get(doc) ?? [];
			list.push({ seq, data: data.slice() });
			this.rows.set(doc, list);
			this.lastSeq.set(doc, seq);
			this.head = seq;
			const bytes = (this.bytes.get(doc) ?? 0) + data.length;
			this.bytes.set(doc, bytes);
			return { doc, seq, rows: list.length, bytes };
		});
	}

	async changesSince(seq: number, limit: number): Promise<ChangePage> {
		const entries = [...this.lastSeq]
			.filter(([, s]) => s > seq)
			.sort((a, b) => a[1] - b[1])
			.slice(0, limit)
			.map(([doc, s]) => ({ doc, seq: s }));
		return { headSeq: this.head, entries };
	}

	async headSeq(): Promise<number> {
		return this.head;
	}

	async compact(doc: string): Promise<CompactResult> {
		const list = this.rows.get(doc) ?? [];
		const last = list.at(-1);
		if (list.length <= 1 || !last) return { before: list.length, after: list.length };
		const merged = Y.mergeUpdates(list.map((r) => r.data));
		this.rows.set(doc, [{ seq: last.seq, data: merged }]);
		this.bytes.set(doc, merged.length);
		return { before: list.length, after: 1 };
	}

	async docCount(): Promise<number> {
		return this.rows.size;
	}

	async rowCount(doc: string): Promise<number> {
		return this.rows.get(doc)?.length ?? 0;
	}

	async docBytes(doc: string): Promise<number> {
		return this.bytes.get(doc) ?? 0;
	}

	async close(): Promise<void> {}
}
