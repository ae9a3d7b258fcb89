/** One form's save state: 保存中 while the write runs, 已保存 once it is on disk, or why it was refused. */
import '$lib/i18n/messages/points';
import { courtyard } from '$lib/client/courtyard.svelte';
import { t } from '$lib/i18n';
import { pointsError } from './labels';

export class PointsAction {
	busy = $state(false);
	error = $state<string | null>(null);
	/** What was saved, said with whether it is on its way to the relay or waits for the network. */
	saved = $state<string | null>(null);

	async run<T>(fn: () => Promise<T>, done?: (result: T) => string): Promise<T | undefined> {
		if (this.busy) return undefined;
		this.busy = true;
		this.error = null;
		this.saved = null;
		try {
			const result = await fn();
			const where = courtyard().sync.connection === 'online' ? t('points.savedOnline') : t('points.savedOffline');
			this.saved = `${done ? done(result) : t('points.saved')} ${where}`;
			return result;
		} catch (err) {
			this.error = pointsError(err);
			return undefined;
		} finally {
			this.busy = false;
		}
	}

	clear(): void {
		this.error = null;
		this.saved = null;
	}
}
