/** One form's save state: which action runs, what was saved, what failed. Every action awaits the disk write. */
import '$lib/i18n/messages/matters';
import { courtyard } from '$lib/client/courtyard.svelte';
import { t } from '$lib/i18n';

export class Action {
	busy = $state<string | null>(null);
	/** The last success, said with whether it is already on the relay or will sync later. */
	message = $state<string | null>(null);
	failure = $state<string | null>(null);

	async run(kind: string, fn: () => Promise<unknown>, done: string): Promise<boolean> {
		if (this.busy) return false;
		this.busy = kind;
		this.failure = null;
		this.message = null;
		try {
			await fn();
			const online = courtyard().sync.connection === 'online';
			this.message = `${done} ${online ? t('project.savedOnline') : t('project.savedOffline')}`;
			return true;
		} catch (err) {
			this.failure = t('project.saveFailed', { error: String((err as Error)?.message ?? err) });
			return false;
		} finally {
			this.busy = null;
		}
	}
}
