/** One meeting panel's save state: whether an action runs, its error and what it saved. */
import { InvalidMeetingInputError } from '$lib/client/meetings';
import { t } from '$lib/i18n';
import '$lib/i18n/messages/meetings';

export class PanelAction {
	busy = $state(false);
	error = $state<string | null>(null);
	/** The last success, when the action named one. */
	saved = $state<string | null>(null);

	/**
	 * `ready`: whether the panel can write at all (its meeting document is open); nothing runs until it is.
	 * A form that writes a new document is always ready.
	 * `incomplete`: what to say when the input was incomplete (the actions' InvalidMeetingInputError).
	 */
	constructor(
		private readonly ready: () => boolean = () => true,
		private readonly incomplete?: () => string
	) {}

	/** Runs one action at a time; every action awaits the disk write, so "saved" is shown only once it is. */
	async run(fn: () => Promise<unknown>, done?: string): Promise<boolean> {
		if (this.busy || !this.ready()) return false;
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

	/** A record made on another day than the meeting's goes on only with a reason (DateReason checks it). */
	dateOk(dateReason: { check(): boolean } | null): boolean {
		if (dateReason && !dateReason.check()) {
			this.saved = null;
			this.error = t('meetings.date.reasonRequired');
			return false;
		}
		return true;
	}
}
