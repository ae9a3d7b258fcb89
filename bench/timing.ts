/** Timing for the in-process benchmarks: the median of runs after as long a warm-up. */

/** Median milliseconds of `fn` over at least `minRuns` runs and about `budgetMs`, after a warm-up as long. */
export function medianMs(fn: () => unknown, budgetMs = 600, minRuns = 9): number {
	const until = performance.now() + budgetMs;
	while (performance.now() < until) fn();
	const times: number[] = [];
	const end = performance.now() + budgetMs;
	while (times.length < minRuns || performance.now() < end) {
		const t = performance.now();
		fn();
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)]!;
}
