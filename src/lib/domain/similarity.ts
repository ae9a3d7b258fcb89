/**
 * Text similarity for spotting duplicate proposals. Chinese has no spaces, so texts are compared as sets of
 * character bigrams (Latin words count as single tokens); Dice's coefficient over those sets is robust to
 * reordering ("单元门坏了" vs "坏了的单元门") and cheap enough to compare one text against thousands.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Lower-cases, folds full-width forms (ＡＢＣ１２３) and drops punctuation and spaces. */
export function normalize(text: string): string {
	return text.normalize('NFKC').toLowerCase();
}

export function tokens(text: string): Set<string> {
	const out = new Set<string>();
	const norm = normalize(text);
	let run = '';
	const flushCjk = () => {
		if (run.length === 1) out.add(run);
		for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
		run = '';
	};
	for (const word of norm.split(/[^\p{L}\p{N}]+/u)) {
		let latin = '';
		for (const ch of word) {
			if (CJK.test(ch)) {
				if (latin) out.add(latin);
				latin = '';
				run += ch;
			} else {
				flushCjk();
				latin += ch;
			}
		}
		flushCjk();
		if (latin) out.add(latin);
	}
	return out;
}

/** Dice's coefficient of two token sets, 0 (nothing shared) to 1 (identical). */
export function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
	if (a.size === 0 && b.size === 0) return 0;
	let shared = 0;
	const [small, large] = a.size <= b.size ? [a, b] : [b, a];
	for (const t of small) if (large.has(t)) shared++;
	return (2 * shared) / (a.size + b.size);
}

export function similarity(a: string, b: string): number {
	return dice(tokens(a), tokens(b));
}
