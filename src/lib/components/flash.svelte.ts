/** A one-shot notice carried across a navigation (e.g. "saved" after creating a proposal). */
class Flash {
	message = $state<string | null>(null);
	/** Document the notice belongs to, so it shows on that page only. */
	doc = $state<string | null>(null);

	set(message: string, doc: string | null = null): void {
		this.message = message;
		this.doc = doc;
	}

	/** Returns the notice for `doc` and clears it. */
	take(doc: string | null = null): string | null {
		if (this.message === null || this.doc !== doc) return null;
		const m = this.message;
		this.message = null;
		this.doc = null;
		return m;
	}
}

export const flash = new Flash();
