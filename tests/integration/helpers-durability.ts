/** Fixture set-up shared by the crash tests: a stream of independent writes to a relay about to be killed. */
import * as Y from 'yjs';
import { MuxMessage } from '../../src/lib/protocol/messages';
import { type ChildRelay, sleep, type SyncClient } from './helpers';

/**
 * Sends `total` independent updates over /sync (one writer each, key `h<i>` in `docs[i % docs.length]`), so each
 * can be checked on its own after a crash; paced, so a crash lands while updates are still arriving. Stops once
 * `relay` has exited. Returns what each request id carried, and the sending itself to await.
 */
export function sendPacedUpdates(client: SyncClient, relay: ChildRelay, docs: readonly string[], total: number) {
	const sent = new Map<number, { doc: string; key: string }>();
	const sending = (async () => {
		for (let i = 0; i < total; i++) {
			if (i % 10 === 0) await sleep(3);
			if (relay.child.exitCode !== null || relay.child.signalCode !== null) return;
			const writer = new Y.Doc();
			writer.getMap('households').set(`h${i}`, { room: `${i}` });
			const requestId = client.requestId();
			const doc = docs[i % docs.length] as string;
			sent.set(requestId, { doc, key: `h${i}` });
			client.sendFrame({ kind: MuxMessage.Update, requestId, doc, update: Y.encodeStateAsUpdate(writer) });
		}
	})();
	return { sent, sending };
}

/** Kills `relay` (kill -9) and waits for it and for sendPacedUpdates' `sending` to end. */
export async function crash(relay: ChildRelay, sending: Promise<void>): Promise<void> {
	relay.child.kill('SIGKILL');
	await relay.exited;
	await sending;
}

/** The request ids the relay acknowledged to `client`. */
export const ackedIds = (client: SyncClient): number[] => client.frames.flatMap((f) => (f.kind === MuxMessage.Ack ? [f.requestId] : []));

/** The acknowledged requests (of sendPacedUpdates' `sent`) whose update the `restored` documents lack. */
export function lostUpdates(sent: Map<number, { doc: string; key: string }>, acked: readonly number[], restored: Map<string, Y.Doc>): number[] {
	return acked.filter((id) => {
		const { doc, key } = sent.get(id) as { doc: string; key: string };
		return !restored.get(doc)?.getMap('households').has(key);
	});
}
