/**
 * Runs inside Chromium (bundled by bench/search-in-browser.ts): fills the app's real Dexie index with
 * proposals and times what the search page does — read the entries from IndexedDB, build the search index,
 * search with filters per keystroke — against re-scanning IndexedDB per keystroke.
 */
import { openDatabase } from '../../src/lib/client/db';
import { normalize } from '../../src/lib/domain/similarity';
import { buildSearchIndex, queryTerms, search } from '../../src/lib/domain/search';
import type { IndexEntry } from '../../src/lib/schema/index-entry';

export interface SearchQuery {
	q: string;
	status?: string;
	category?: string;
}

export interface SearchBenchResult {
	count: number;
	/** Median ms: IndexedDB read of every proposal entry + building the search index (opening the page). */
	openMs: number;
	/** Per query: median ms of the in-memory search with filters, of the IndexedDB re-scan, and hits. */
	queries: { q: string; filters: string; memoryMs: number; idbScanMs: number; hits: number }[];
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)] ?? NaN;
};

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
	const t0 = performance.now();
	await fn();
	return performance.now() - t0;
}

async function run(entries: IndexEntry[], queries: SearchQuery[], runs: number): Promise<SearchBenchResult> {
	const db = openDatabase('courtyard-search-bench');
	await db.index.clear();
	await db.index.bulkPut(entries);
	const community = entries[0]?.community ?? 'demo';
	// The same query as the search page's live index.
	const read = () =>
		db.index
			.where('kind')
			.equals('proposal')
			.filter((e) => e.community === community && e.status !== 'draft')
			.toArray();
	const asSearchable = (list: IndexEntry[]) => list.map((e) => ({ ...e, description: e.text ?? '' }));

	const openTimes: number[] = [];
	let index = buildSearchIndex(asSearchable(await read()));
	for (let i = 0; i < runs; i++) {
		openTimes.push(await time(async () => (index = buildSearchIndex(asSearchable(await read())))));
	}

	const results: SearchBenchResult['queries'] = [];
	for (const query of queries) {
		const keep = (e: IndexEntry) => (!query.status || e.status === query.status) && (!query.category || e.category === query.category);
		let hits = 0;
		const memory: number[] = [];
		const scan: number[] = [];
		for (let i = 0; i < runs; i++) {
			// Chromium coarsens performance.now() to 0.1 ms, so one sample is the mean of a batch of searches.
			const batch = 20;
			memory.push(
				(await time(() => {
					for (let b = 0; b < batch; b++) hits = search(index, query.q, keep).length;
				})) / batch
			);
			// Baseline: no in-memory index; every keystroke filters IndexedDB with the same matching rule.
			scan.push(
				await time(async () => {
					const terms = queryTerms(query.q);
					const found = await db.index
						.where('kind')
						.equals('proposal')
						.filter((e) => {
							if (e.community !== community || e.status === 'draft' || !keep(e)) return false;
							const text = normalize(`${e.title}\n${e.text ?? ''}`);
							return terms.every((t) => text.includes(t));
						})
						.toArray();
					if (found.length !== hits) throw new Error(`baseline found ${found.length}, search ${hits} for "${query.q}"`);
				})
			);
		}
		const filters = [query.status, query.category].filter(Boolean).join('+') || '—';
		results.push({ q: query.q, filters, memoryMs: median(memory), idbScanMs: median(scan), hits });
	}
	db.close();
	await db.delete();
	return { count: entries.length, openMs: median(openTimes), queries: results };
}

(globalThis as unknown as { runSearchBench: typeof run }).runSearchBench = run;
