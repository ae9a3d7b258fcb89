/**
 * Reading and writing documents as the relay itself: the tally publisher, the ballot endpoint, the report
 * publisher and the referral bridge. Documents are read by joining their rooms, so every committed update is
 * seen; writes go through the hub like any client's, under the relay's own client id.
 */
import * as Y from 'yjs';
import type { Hub } from './hub';
import type { Room, Subscriber } from './room';

export class RelayDocs {
	/** One client id per relay process: each relay's updates stay apart from every other writer's. */
	private readonly clientID = new Y.Doc().clientID;
	private readonly chains = new Map<string, Promise<void>>();

	constructor(private readonly hub: Hub) {}

	/** Runs `fn` over the documents (loaded as rooms, so current to the last commit), then leaves them. */
	async read<T>(names: readonly string[], fn: (docs: Y.Doc[]) => T | Promise<T>): Promise<T> {
		const sub: Subscriber = { muxed: false, sendBroadcast: () => {} };
		const rooms: Room[] = [];
		try {
			const ready = names.map(
				(name) =>
					new Promise<void>((resolve, reject) => {
						rooms.push(this.hub.join(name, sub, (_room, error) => (error ? reject(error) : resolve())));
					})
			);
			await Promise.all(ready);
			return await fn(rooms.map((r) => r.doc));
		} finally {
			for (const room of rooms) this.hub.leave(room, sub);
		}
	}

	/**
	 * Edits a document as the relay and resolves once the change is durable (and applied to the room). Writes to
	 * one document run one after another: each copy must hold the relay's previous update before it adds one.
	 */
	write<T>(name: string, origin: unknown, edit: (doc: Y.Doc) => T): Promise<T> {
		const run = (this.chains.get(name) ?? Promise.resolve()).then(() => this.writeNow(name, origin, edit));
		const tail = run.then(
			() => {},
			() => {}
		);
		this.chains.set(name, tail);
		void tail.then(() => {
			if (this.chains.get(name) === tail) this.chains.delete(name);
		});
		return run;
	}

	private writeNow<T>(name: string, origin: unknown, edit: (doc: Y.Doc) => T): Promise<T> {
		return this.read([name], async ([doc]) => {
			const copy = new Y.Doc({ guid: name });
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc as Y.Doc));
			// Set after loading: Yjs picks a new id when a remote update carries structs of its own id.
			copy.clientID = this.clientID;
			const updates: Uint8Array[] = [];
			copy.on('update', (update: Uint8Array) => updates.push(update));
			let result: T;
			try {
				result = edit(copy);
			} finally {
				copy.destroy();
			}
			if (updates.length > 0) {
				const update = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
				await new Promise<void>((resolve, reject) => this.hub.submit(name, update, origin, (error) => (error ? reject(error) : resolve())));
			}
			return result;
		});
	}
}
