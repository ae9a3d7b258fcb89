/** Durations as operators write them: `90s`, `30m`, `12h`, `7d`, `2w` → milliseconds. */
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `allowZero`: for a wait that may be none at all (e.g. REPORTS_START_DELAY=0s); lifetimes and intervals are positive. */
export function parseDuration(text: string, { allowZero = false } = {}): number {
	const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
	if (!m) throw new Error(`not a duration: "${text}" (use e.g. 90s, 30m, 12h, 7d, 2w)`);
	const ms = Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number);
	if (!Number.isFinite(ms) || ms < 0 || (ms === 0 && !allowZero)) throw new Error(`not a positive duration: "${text}"`);
	return Math.round(ms);
}
