/**
 * mulberry32: a small, fast, seeded generator, so the demo community, benchmark data and fuzzed inputs come out
 * alike on every run. Not for anything secret (ids use crypto: ids.ts).
 */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
