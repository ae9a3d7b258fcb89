/**
 * Time as the sync engine and the queues see it: the wall clock (`now`, which a person may set back or forward)
 * and timers (which run on elapsed time, whatever the wall clock says). Specs use ManualClock.
 */
export type TimerId = unknown;

export interface Clock {
	now(): number;
	setTimeout(fn: () => void, ms: number): TimerId;
	clearTimeout(id: TimerId): void;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	setTimeout: (fn, ms) => setTimeout(fn, ms),
	clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>)
};

/** A clock moved by hand: `advance` lets time pass (timers fire in order), `jump` only resets the wall clock. */
export class ManualClock implements Clock {
	private wall: number;
	private elapsed = 0;
	private nextId = 1;
	private readonly timers = new Map<number, { at: number; fn: () => void }>();

	constructor(start = 1_700_000_000_000) {
		this.wall = start;
	}

	now(): number {
		return this.wall;
	}

	setTimeout(fn: () => void, ms: number): TimerId {
		const id = this.nextId++;
		this.timers.set(id, { at: this.elapsed + Math.max(0, ms), fn });
		return id;
	}

	clearTimeout(id: TimerId): void {
		this.timers.delete(id as number);
	}

	/** Timers waiting, with how long until each fires. */
	get pending(): number[] {
		return [...this.timers.values()].map((t) => t.at - this.elapsed).sort((a, b) => a - b);
	}

	/** Lets `ms` pass, firing each timer due on the way (and those they set, if due too). */
	advance(ms: number): void {
		const end = this.elapsed + ms;
		for (;;) {
			let next: [number, { at: number; fn: () => void }] | null = null;
			for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
			if (!next) break;
			this.timers.delete(next[0]);
			this.wall += next[1].at - this.elapsed;
			this.elapsed = next[1].at;
			next[1].fn();
		}
		this.wall += end - this.elapsed;
		this.elapsed = end;
	}

	/** The wall clock is set (a person changes the date, a phone syncs its time); timers are not affected. */
	jump(ms: number): void {
		this.wall += ms;
	}
}
