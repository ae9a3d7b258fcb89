/**
 * What a document page (`?doc=` one document of a kind) derives before it opens the document: the name, whether
 * it names a document of that kind, what this device's grant allows, and why it refuses. `DocRelay` adds the
 * relay's side (its sync state and refusal) for the pages that show it through DocStates.
 * Construct during component initialisation, like liveDoc.
 */
import { page } from '$app/state';
import { courtyard } from '$lib/client/courtyard.svelte';
import { parseDocName, type DocKind } from '$lib/schema/doc-names';
import { accessTo, isRefusal, refusalWhy } from '$lib/components/access/access';
import { docSync } from '$lib/components/access/doc-sync.svelte';

export class DocAccess {
	readonly #kind: DocKind;
	readonly #app = courtyard();
	readonly docName = $derived(page.url.searchParams.get('doc') ?? '');
	readonly parsed = $derived(parseDocName(this.docName));
	// A closure, so that it reads the kind only once the constructor has set it.
	readonly valid = $derived.by(() => this.parsed?.kind === this.#kind);
	readonly grant = $derived(this.#app.device?.grant ?? null);
	readonly access = $derived(this.valid ? accessTo(this.grant, this.docName) : 'none');
	/** A document the role may not read is never opened (nor asked for). */
	readonly readable = $derived(this.valid && this.access !== 'none');
	readonly writable = $derived(this.access === 'write');
	/** Why the device's rules refuse it (meaningful only when they do). */
	readonly why = $derived(refusalWhy(this.grant, this.docName));

	constructor(kind: DocKind) {
		this.#kind = kind;
	}
}

/** The relay's sync state for a readable document, and whether the relay refused it. */
export class DocRelay {
	readonly #doc: DocAccess;
	readonly sync = docSync(() => (this.#doc.readable ? this.#doc.docName : null));
	readonly refused = $derived.by(() => this.#doc.readable && isRefusal(this.sync.error) && !!this.sync.error?.startsWith('forbidden'));

	constructor(doc: DocAccess) {
		this.#doc = doc;
	}

	/** The access props DocStates takes, in one object to spread. */
	get states() {
		const doc = this.#doc;
		return { valid: doc.valid, readable: doc.readable, why: doc.why, relayRefused: this.refused, relayReason: this.sync.error };
	}
}
