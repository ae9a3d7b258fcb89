/**
 * A decision's reason and the negative-list item it cites. The cited item's standard reason fills the text until
 * the person writes their own; choosing another item then replaces only what was filled in, never what was typed.
 */
import type { NegativeItem } from '$lib/domain/lists';
import { negativeReason } from './lists';

export class CitedReason {
	reason = $state('');
	/** The cited item's number; 0 for none. */
	item = $state(0);
	/** The text last filled in from an item. */
	#filled = '';

	constructor(private readonly items: () => readonly NegativeItem[]) {}

	/** Starts a decision over, citing item `no` (0: none) with its reason filled in. */
	start(no: number): void {
		this.item = no;
		this.#fill();
	}

	/** After the cited item changed: the reason follows it unless it was written over. */
	follow(): void {
		if (this.reason === this.#filled) this.#fill();
	}

	#fill(): void {
		const item = this.items().find((i) => i.no === this.item);
		this.reason = item ? negativeReason(item) : '';
		this.#filled = this.reason;
	}
}
