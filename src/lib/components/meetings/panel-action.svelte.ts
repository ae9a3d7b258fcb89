/** One meeting panel's save state: whether an action runs, its error and what it saved. */
import { InvalidMeetingInputError } from '$lib/client/meetings';

export class PanelAction {
	busy = $state(false);
	error = $state<string | null>(null);
	/** The last success, when the action named one. */
	saved = $state<string | null>(null);

	/** `incomplete`: what to say when the input was incomplete (the actions' InvalidMeetingInputError). */
	constructor(private readonly incomplete?: () => string) {}

	/** Runs one action at a time; every action awaits the disk write, so "saved" is shown only once it is. */
	async run(fn: () => Promise<unknown>, done?: string): Promise<boolean> {
		if (this.busy) return false;
		this.busy = true;
		this.error = null;
		this.saved = null;
		try {
			await fn();
			this.saved = done ?? null;
			return true;
		} catch (err) {
			this.error =
				this.incomplete && err instanceof InvalidMeetingInputError ? this.incomplete() : err instanceof Error ? err.message : String(err);
			return false;
		} finally {
			this.busy = false;
		}
	}
}
