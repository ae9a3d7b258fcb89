/** Forms holding typed input not yet saved to IndexedDB, so an app update can warn before reloading. */
import { untrack } from 'svelte';

class UnsavedInput {
	private owners = $state<string[]>([]);

	get any(): boolean {
		return this.owners.length > 0;
	}

	/** Called from effects: reads untracked, so marking never makes the caller depend on the list. */
	set(owner: string, dirty: boolean): void {
		untrack(() => {
			const has = this.owners.includes(owner);
			if (dirty && !has) this.owners = [...this.owners, owner];
			else if (!dirty && has) this.owners = this.owners.filter((o) => o !== owner);
		});
	}
}

export const unsaved = new UnsavedInput();
